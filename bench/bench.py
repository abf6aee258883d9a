#!/usr/bin/env python3
"""bench/bench.py - psinet's benchmark (make bench).

Starts psinet (one worker thread) and a bare libmicrohttpd baseline with a
fixed reply, generates request bodies deterministically, drives each
workload with wrk on loopback (server and wrk on different cores where
there are two), and prints one table: requests per second for psinet and
the baseline with their ratio, psinet's p50/p99 latency, and for
JSON-heavy bodies the time jansson alone takes to parse the body, next to
psinet's time per request. Where the peers of bench/peers/ can run (a
FastAPI service with numpy and a Node.js Fastify service), they answer
the same requests on the same core, taking turns with psinet and the
baseline, after bench/peers/check.py has found their answers the same as
psinet's; the table gives psinet's requests per second over theirs.
Figures are ratios from one run: absolute numbers drift on a shared
machine.

    python3 bench/bench.py [--seconds 4] [--rounds 3] [--out bench/RESULTS.md]
    python3 bench/bench.py --only healthz,qubit [--psinet BIN]

--only runs the named workloads and prints their rows alone (no write,
PostgreSQL or summary lines): a quick side-by-side look while working.
--psinet runs another psinet binary in place of build/psinet.
"""

import argparse
import base64
import datetime
import json
import os
import platform
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "peers"))
import check as peer_check  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")


class Lcg:
    """A fixed linear congruential generator: the same bodies every run."""

    def __init__(self, seed):
        self.x = seed

    def uniform(self):
        self.x = (6364136223846793005 * self.x + 1442695040888963407) % 2 ** 64
        return ((self.x >> 11) / 2 ** 53) * 2 - 1

    def vector(self, n, scale=1.0):
        return [round(self.uniform() * scale, 6) for _ in range(n)]

    def matrix(self, m, n, scale=1.0):
        return [self.vector(n, scale) for _ in range(m)]


def b64(values, shape):
    flat = [v for row in values for v in row] if len(shape) == 2 else values
    return {"b64": base64.b64encode(struct.pack("<%dd" % len(flat), *flat))
            .decode(), "shape": shape}


def cores():
    return os.cpu_count() or 1


def pin(core):
    if cores() >= 2 and shutil.which("taskset"):
        return ["taskset", "-c", str(core)]
    return []


def wait_healthy(port):
    for _ in range(100):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port,
                                   timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server on %d did not start" % port)


def post(port, path, body):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req, timeout=60).read())


# The workloads the peers answer too.
PEER_WORKLOADS = ("healthz", "qubit", "state1k", "layer64", "net-forward")


def start_peers(procs, port):
    """Starts the peers that can run here, each on core 0, on port and the
    next: {name: port}."""
    peers = {}
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers")
    # Debian's Python, which has Debian's packages (make bench installs
    # them), even when another python3 comes first on PATH
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") \
        else sys.executable
    if subprocess.run([python, "-c",
                       "import fastapi, uvicorn, uvloop, httptools, ujson, "
                       "numpy"], capture_output=True).returncode == 0:
        procs.append(subprocess.Popen(
            pin(0) + [python, "-m", "uvicorn", "--app-dir", here,
                      "fastapi_peer:app", "--host", "127.0.0.1", "--port",
                      str(port), "--workers", "1", "--loop", "uvloop",
                      "--http", "httptools", "--no-access-log",
                      "--log-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        peers["FastAPI"] = port
        port += 1
    fastify = os.path.join(here, "fastify")
    if shutil.which("node") and os.path.isdir(os.path.join(fastify,
                                                           "node_modules")):
        procs.append(subprocess.Popen(
            pin(0) + ["node", os.path.join(fastify, "server.js"), str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        peers["Fastify"] = port
    for port in peers.values():
        wait_healthy(port)
    return peers


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1])
    return 0


def run_wrk(port, method, path, body_file, seconds, connections=8):
    script = ""
    if body_file:
        script = ('wrk.method = "%s"\nwrk.headers["Content-Type"] = '
                  '"application/json"\nlocal f = io.open("%s", "rb")\n'
                  'wrk.body = f:read("*a")\nf:close()\n' % (method, body_file))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(pin(1) + ["wrk", "-t1", "-c%d" % connections,
                                       "-d%ds" % seconds,
                                       "--latency", "-s", f.name,
                                       "http://127.0.0.1:%d%s" % (port, path)],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def lat(p):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % p, out)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, lat(50), lat(99), int(non2xx.group(1)) if non2xx else 0


def make_bodies(work):
    """Writes the request bodies into work: {name: path}, and the network
    that the net-* workloads run, as a value."""
    rng = Lcg(20261124)
    bodies = {}

    def body(name, value):
        path = os.path.join(work, name + ".json")
        with open(path, "w") as f:
            json.dump(value, f, separators=(",", ":"))
        bodies[name] = path
        return path

    state1k = [[a, b] for a, b in zip(rng.vector(1024), rng.vector(1024))]
    w64, x64 = rng.matrix(64, 64, 0.125), rng.vector(64)
    w512, x512 = rng.matrix(512, 512, 0.04), rng.vector(512)
    net = {"name": "bench-784-256-10", "layers": [
        {"weights": rng.matrix(256, 784, 0.035), "bias": rng.vector(256, 0.1),
         "activation": "relu"},
        {"weights": rng.matrix(10, 256, 0.06), "bias": rng.vector(10, 0.1),
         "activation": "softmax"}]}
    x784 = rng.vector(784)
    batch = rng.matrix(256, 784)

    body("qubit", {"amplitudes": [[0.6, 0.0], [0.0, 0.8]]})
    body("state1k", {"amplitudes": state1k})
    body("layer64", {"weights": w64, "activation": "tanh", "input": x64})
    body("layer512", {"weights": w512, "activation": "tanh", "input": x512})
    body("layer512-b64", {"weights": b64(w512, [512, 512]),
                          "activation": "tanh",
                          "input": b64(x512, [512]), "encoding": "b64"})
    body("net-forward", {"input": x784})
    body("net-forward-b64", {"input": b64(x784, [784]), "encoding": "b64"})
    body("net-batch", {"inputs": batch})
    # A layer of H on 20 qubits and a ladder of CX down them, on |0...0>
    # made from its label (2^20 amplitudes, 16 MiB), answered as a
    # summary: the gate kernels' own cost.
    body("gates20", {
        "state": {"basis": "0" * 20},
        "operations": [{"gate": "h", "qubits": [q]} for q in range(20)] +
                      [{"gate": "cx", "qubits": [q, q + 1]}
                       for q in range(19)],
        "store": False, "summary": True})
    body("experiment-write", {
        "name": "bench", "kind": "neuron_activation", "tags": ["bench"],
        "params": {"amplitudes": [0.6, 0.8], "weights": [[1, 0], [0, 1]],
                   "activation": "sigmoid"}})
    return bodies, net


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out")
    ap.add_argument("--port", type=int, default=28080,
                    help="psinet's port; the baseline and the peers take "
                         "the next three, psinet on PostgreSQL the one "
                         "after")
    ap.add_argument("--no-postgres", action="store_true",
                    help="leave out the PostgreSQL comparison")
    ap.add_argument("--only-writes", action="store_true",
                    help="only the group-commit comparison of "
                         "experiment-write (write_rows)")
    ap.add_argument("--only",
                    help="comma-separated workloads: only their rows")
    ap.add_argument("--psinet", default=os.path.join(BUILD, "psinet"),
                    help="the psinet binary to measure")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="psinet-bench-")
    procs = []
    try:
        bodies, net = make_bodies(work)
        if args.only_writes:
            print("\n".join(write_rows(args, work, bodies, procs)))
            return

        port, bport = args.port, args.port + 1
        server = subprocess.Popen(
            pin(0) + [args.psinet, "--bind", "127.0.0.1",
                      "--port", str(port), "--threads", "1",
                      "--db", os.path.join(work, "bench.db"),
                      "--max-connections-per-ip", "0"],
            stderr=subprocess.DEVNULL)
        procs.append(server)
        baseline = subprocess.Popen(
            pin(0) + [os.path.join(BUILD, "bench", "baseline"), str(bport), "1"])
        procs.append(baseline)
        wait_healthy(port)
        wait_healthy(bport)
        peers = start_peers(procs, args.port + 2)
        net_id = post(port, "/v1/networks", net)["id"]
        peer_net = {p: post(pp, "/v1/networks", net)["id"]
                    for p, pp in peers.items()}
        for _ in range(60):
            post(port, "/v1/experiments", json.load(open(bodies["experiment-write"])))

        workloads = [
            ("healthz", "GET", "/healthz", None),
            ("qubit", "POST", "/v1/superpositions/normalize", "qubit"),
            ("state1k", "POST", "/v1/superpositions/normalize", "state1k"),
            ("layer64", "POST", "/v1/layers/forward", "layer64"),
            ("layer512", "POST", "/v1/layers/forward", "layer512"),
            ("layer512-b64", "POST", "/v1/layers/forward", "layer512-b64"),
            ("net-forward", "POST", "/v1/networks/%s/forward" % net_id,
             "net-forward"),
            ("net-forward-b64", "POST", "/v1/networks/%s/forward" % net_id,
             "net-forward-b64"),
            ("net-batch", "POST", "/v1/networks/%s/forward" % net_id,
             "net-batch"),
            ("gates20", "POST", "/v1/superpositions/apply", "gates20"),
            ("experiment-write", "POST", "/v1/experiments", "experiment-write"),
            ("list", "GET", "/v1/experiments?limit=50", None),
        ]
        if args.only:
            only = args.only.split(",")
            unknown = set(only) - {w[0] for w in workloads}
            if unknown:
                sys.exit("bench.py: no workload %s" % ", ".join(sorted(unknown)))
            workloads = [w for w in workloads if w[0] in only]
        peer_check.check(
            [(name, method, path,
              {p: path.replace(net_id, peer_net[p]) for p in peers}, b)
             for name, method, path, b in workloads
             if name in PEER_WORKLOADS], bodies, port, peers)
        parse = {}
        files = [bodies[w[3]] for w in workloads if w[3]]
        out = subprocess.run([os.path.join(BUILD, "bench", "parse_time")] + files,
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            path, us = line.rsplit(" ", 1)
            parse[path] = float(us)
        rate = subprocess.run([os.path.join(BUILD, "bench", "sqlite_rate"), work,
                               str(args.seconds)], capture_output=True,
                              text=True, check=True).stdout
        commits = float(rate.split()[1])
        rate = subprocess.run([os.path.join(BUILD, "bench", "store_rate"), work,
                               str(args.seconds)], capture_output=True,
                              text=True, check=True).stdout
        stored = float(rate.split()[1])

        rows, rss = [], []
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                rss.append(rss_kib(server.pid))
                time.sleep(0.25)
        sampler = threading.Thread(target=sample)
        sampler.start()
        for name, method, path, b in workloads:
            bf = bodies.get(b) if b else None
            # psinet and the baseline take turns, --rounds times each, and
            # the medians are compared: a burst of other load on a shared
            # machine then moves one sample, not the ratio.
            ours, base = [], []
            theirs = {p: [] for p in peers} if name in PEER_WORKLOADS else {}
            for _ in range(args.rounds):
                ours.append(run_wrk(port, method, path, bf, args.seconds))
                base.append(run_wrk(bport, method, path, bf, args.seconds))
                for p in theirs:
                    theirs[p].append(run_wrk(
                        peers[p], method, path.replace(net_id, peer_net[p]),
                        bf, args.seconds)[0])
            ours.sort(key=lambda r: r[0])
            base.sort(key=lambda r: r[0])
            rps, p50, p99, _ = ours[len(ours) // 2]
            brps = base[len(base) // 2][0]
            bad = sum(r[3] for r in ours)
            peer_rps = {p: sorted(v)[len(v) // 2] for p, v in theirs.items()}
            rows.append((name, rps, brps, p50, p99, parse.get(bf), bad,
                         os.path.getsize(bf) if bf else 0, peer_rps))
        stop.set()
        sampler.join()

        lines = []
        names = list(peers)
        lines.append("| workload | body | psinet req/s | baseline req/s | ratio | "
                     + "".join("%s req/s | psinet/%s | " % (p, p)
                               for p in names) +
                     "p50 ms | p99 ms | jansson parse µs | psinet µs/req | "
                     "psinet/parse | non-2xx |")
        lines.append("|---|---:|---:|---:|---:|" + "---:|---:|" * len(names) +
                     "---:|---:|---:|---:|---:|---:|")
        for name, rps, brps, p50, p99, pt, bad, size, prps in rows:
            if not rps or not brps:  # nothing answered within wrk's timeout
                lines.append("| %s | no answers within wrk's 2 s timeout |"
                             % name)
                continue
            per = 1e6 / rps
            cols = "".join("%.0f | %.2f | " % (prps[p], rps / prps[p])
                           if prps.get(p) else "- | - | " for p in names)
            lines.append("| %s | %s | %.0f | %.0f | %.2f | %s%.3f | %.3f | %s | %.1f | %s | %d |"
                         % (name, "%d B" % size if size else "-", rps, brps,
                            rps / brps, cols, p50, p99,
                            "%.1f" % pt if pt else "-", per,
                            "%.2f" % (per / pt) if pt else "-", bad))
        by = {r[0]: r for r in rows}
        if args.only:
            print("\n".join(lines))
            return
        extra = [
            "",
            "SQLite alone, WAL + synchronous=FULL, one row per transaction: "
            "%.0f commits/s; experiment-write reaches %.2f of that."
            % (commits, by["experiment-write"][1] / commits),
            "psinet's store alone (bench/store_rate: the same experiment, no "
            "HTTP or JSON): %.0f experiments/s, %.2f of the bare commit rate."
            % (stored, stored / commits),
            "Binary arrays: net-forward-b64 / net-forward = %.1fx, "
            "layer512-b64 / layer512 = %.1fx."
            % (by["net-forward-b64"][1] / by["net-forward"][1],
               by["layer512-b64"][1] / by["layer512"][1]),
            "psinet resident memory over the run: min %.1f MiB, max %.1f MiB."
            % (min(rss) / 1024, max(rss) / 1024),
        ]
        lines += extra
        lines += write_rows(args, work, bodies, procs)
        if not args.no_postgres:
            lines += postgres_rows(args, work, net, bodies, by, procs)
        text = "\n".join(lines)
        print(text)
        if args.out:
            with open(args.out, "w") as f:
                f.write("# psinet benchmark results\n\n")
                f.write("Machine: %s, %d cores (%s); %s UTC; `make bench`, "
                        "the median of %d runs of %d s a workload, psinet, "
                        "the baseline and the peers taking turns, each with one worker "
                        "thread on core 0, wrk (1 thread, 8 connections) on "
                        "core 1.\n\n"
                        % (platform.processor() or platform.machine(), cores(),
                           cpu_model(), datetime.datetime.utcnow()
                           .strftime("%Y-%m-%d %H:%M"), args.rounds,
                           args.seconds))
                f.write(text + "\n")
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(work, ignore_errors=True)


def write_rows(args, work, bodies, procs):
    """experiment-write with 8 and with 32 connections, psinet with
    --group-commit on and off taking turns, beside the bare SQLite
    one-row-per-commit rate (bench/sqlite_rate) measured in between, in
    the same run: the lines of a table, and the ratios the targets name
    (32 connections >= 2x the bare rate at p99 <= 5 ms, 8 >= 1.3x)."""
    ports = {"on": args.port + 5, "off": args.port + 6}
    for mode, port in ports.items():
        server = subprocess.Popen(
            pin(0) + [args.psinet, "--bind", "127.0.0.1",
                      "--port", str(port), "--threads", "1",
                      "--db", os.path.join(work, "write-%s.db" % mode),
                      "--group-commit", mode,
                      "--max-connections-per-ip", "0"],
            stderr=subprocess.DEVNULL)
        procs.append(server)
        wait_healthy(port)
        for _ in range(20):
            post(port, "/v1/experiments",
                 json.load(open(bodies["experiment-write"])))
    bf = bodies["experiment-write"]
    bare, rows = [], []
    for connections in (8, 32):
        runs = {"on": [], "off": []}
        for _ in range(args.rounds):
            for mode, port in ports.items():
                runs[mode].append(run_wrk(port, "POST", "/v1/experiments", bf,
                                          args.seconds, connections))
            out = subprocess.run(
                pin(0) + [os.path.join(BUILD, "bench", "sqlite_rate"), work,
                          str(args.seconds)],
                capture_output=True, text=True, check=True).stdout
            bare.append(float(out.split()[1]))
        med = {m: sorted(r, key=lambda x: x[0])[len(r) // 2]
               for m, r in runs.items()}
        rows.append((connections, med,
                     sum(x[3] for r in runs.values() for x in r)))
    commits = sorted(bare)[len(bare) // 2]
    lines = [
        "",
        "Group commit: experiment-write, psinet with --group-commit on and "
        "off taking turns (one server thread each, on core 0), against "
        "SQLite alone committing one row per transaction (bench/sqlite_rate, "
        "WAL + synchronous=FULL, on core 0, run between them): median "
        "%.0f commits/s." % commits,
        "",
        "| connections | on req/s | on / bare SQLite | on p50 ms | on p99 ms "
        "| off req/s | off / bare SQLite | off p99 ms | on / off | non-2xx |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for connections, med, bad in rows:
        on, off = med["on"], med["off"]
        lines.append("| %d | %.0f | %.2f | %.3f | %.3f | %.0f | %.2f | %.3f "
                     "| %.2f | %d |"
                     % (connections, on[0], on[0] / commits, on[1], on[2],
                        off[0], off[0] / commits, off[2], on[0] / off[0],
                        bad))
    by = {c: med["on"] for c, med, _ in rows}
    lines.append("")
    lines.append("Targets: 32 connections >= 2x the bare rate at p99 <= 5 ms "
                 "(%.2fx, p99 %.3f ms: %s); 8 connections >= 1.3x (%.2fx: "
                 "%s)."
                 % (by[32][0] / commits, by[32][2],
                    "met" if by[32][0] >= 2 * commits and by[32][2] <= 5
                    else "not met",
                    by[8][0] / commits,
                    "met" if by[8][0] >= 1.3 * commits else "not met"))
    return lines


def postgres_rows(args, work, net, bodies, sqlite_by, procs):
    """The store's workloads again with psinet on PostgreSQL 15 (a
    throwaway server from tests/pg/server.sh, fsync on, on this machine's
    Unix socket), next to SQLite's figures: the lines of a table."""
    pg_dir = tempfile.mkdtemp(prefix="psinet-bench-pg-")
    os.rmdir(pg_dir)  # server.sh makes it, owned by the server's user
    env = dict(os.environ, PG_FSYNC="on")
    server_sh = os.path.join(ROOT, "tests", "pg", "server.sh")
    conninfo = subprocess.run(["sh", server_sh, "start", pg_dir], env=env,
                              capture_output=True, text=True,
                              check=True).stdout.strip()
    try:
        subprocess.run(["psql", "-qAtX", conninfo + " dbname=postgres", "-c",
                        "CREATE DATABASE bench"], check=True,
                       capture_output=True)
        port = args.port + 4  # past the baseline's and the peers'
        server = subprocess.Popen(
            pin(0) + [args.psinet, "--bind", "127.0.0.1",
                      "--port", str(port), "--threads", "1",
                      "--db", conninfo + " dbname=bench",
                      "--max-connections-per-ip", "0"],
            stderr=subprocess.DEVNULL)
        procs.append(server)
        wait_healthy(port)
        net_id = post(port, "/v1/networks", net)["id"]
        for _ in range(60):
            post(port, "/v1/experiments",
                 json.load(open(bodies["experiment-write"])))
        workloads = [
            ("experiment-write", "POST", "/v1/experiments",
             bodies["experiment-write"]),
            ("list", "GET", "/v1/experiments?limit=50", None),
            ("net-forward-b64", "POST", "/v1/networks/%s/forward" % net_id,
             bodies["net-forward-b64"]),
        ]
        lines = [
            "",
            "The same store workloads on PostgreSQL 15 (Debian's, on this "
            "machine, Unix socket, fsync and synchronous_commit on), against "
            "SQLite's rows above:",
            "",
            "| workload | SQLite req/s | PostgreSQL req/s | PostgreSQL / "
            "SQLite | PostgreSQL p50 ms | PostgreSQL p99 ms | non-2xx |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, method, path, bf in workloads:
            runs = sorted((run_wrk(port, method, path, bf, args.seconds)
                           for _ in range(args.rounds)), key=lambda r: r[0])
            rps, p50, p99, _ = runs[len(runs) // 2]
            sq = sqlite_by[name][1]
            lines.append("| %s | %.0f | %.0f | %.2f | %.3f | %.3f | %d |"
                         % (name, sq, rps, rps / sq, p50, p99,
                            sum(r[3] for r in runs)))
        server.terminate()
        server.wait()
        procs.remove(server)
        return lines
    finally:
        subprocess.run(["sh", server_sh, "stop", pg_dir],
                       capture_output=True)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
