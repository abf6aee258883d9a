#!/usr/bin/env python3
"""bench/callgrind.py - instructions per request (make bench-callgrind).

Runs psinet under valgrind's callgrind (one worker thread) and, for each of
make bench's workloads, sends the same body a few times to warm up, zeroes
the counters, sends it N more times on one keep-alive connection and reads
the instructions the whole process executed (every thread: libmicrohttpd,
the handler, the access log). Their count divided by N is the figure
bench/RESULTS.md quotes: unlike requests per second, it does not move with
the other load of a shared machine.

Then the bare libmicrohttpd server (bench/baseline.c, the ceiling of make
bench's tiny requests) the same way, with healthz's GET and qubit's POST:
"bare-get" and "bare-post", the figures healthz and qubit compare with.

    python3 bench/callgrind.py [--psinet build/psinet]
        [--baseline build/bench/baseline] [--requests 40]
        [--only layer64,state1k,bare-get] [--port 28090] [--keep DIR]

--keep DIR leaves the callgrind dumps in DIR (one a workload, named after
it) for callgrind_annotate.
"""

import argparse
import glob
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the same bodies as make bench)

WORKLOADS = [
    ("healthz", "GET", "/healthz", None),
    ("qubit", "POST", "/v1/superpositions/normalize", "qubit"),
    ("state1k", "POST", "/v1/superpositions/normalize", "state1k"),
    ("layer64", "POST", "/v1/layers/forward", "layer64"),
    ("layer512", "POST", "/v1/layers/forward", "layer512"),
    ("net-forward", "POST", "/v1/networks/{net}/forward", "net-forward"),
    ("net-forward-b64", "POST", "/v1/networks/{net}/forward",
     "net-forward-b64"),
    ("list", "GET", "/v1/experiments?limit=50", None),
    ("experiment-write", "POST", "/v1/experiments", "experiment-write"),
]

# The bare libmicrohttpd server (bench/baseline.c) answers any request.
BARE = [
    ("bare-get", "GET", "/healthz", None),
    ("bare-post", "POST", "/v1/superpositions/normalize", "qubit"),
]


def request(conn, method, path, body):
    headers = {"Content-Type": "application/json"} if body else {}
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        raise RuntimeError("%s %s: %d %s" % (method, path, r.status, data[:200]))
    return data


def start(cmd, out, port):
    """cmd under callgrind, once it answers on port: (process, connection)."""
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
         "--collect-atstart=yes"] + cmd,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            request(c, "GET", "/healthz", None)
            break
        except OSError:
            time.sleep(0.1)
    return server, http.client.HTTPConnection("127.0.0.1", port, timeout=600)


def measure(server, out, conn, name, method, path, body, args):
    """Prints the instructions per request of one workload."""
    for _ in range(args.warmup):
        request(conn, method, path, body)
    subprocess.run(["callgrind_control", "--zero", str(server.pid)],
                   check=True, stdout=subprocess.DEVNULL)
    for _ in range(args.requests):
        request(conn, method, path, body)
    before = set(glob.glob(out + "*"))
    subprocess.run(["callgrind_control", "--dump=" + name,
                    str(server.pid)], check=True, stdout=subprocess.DEVNULL)
    dumps = sorted(set(glob.glob(out + "*")) - before, key=os.path.getmtime)
    ir = totals(dumps[-1])
    print("| %s | %.0f |" % (name, ir / args.requests), flush=True)


def stop(server):
    if server:
        server.terminate()
        server.wait()


def totals(path):
    with open(path) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                return int(line.split()[1])
    raise RuntimeError("no totals in " + path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--psinet", default=os.path.join(bench.BUILD, "psinet"))
    ap.add_argument("--baseline",
                    default=os.path.join(bench.BUILD, "bench", "baseline"))
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--only")
    ap.add_argument("--port", type=int, default=28090)
    ap.add_argument("--keep", help="a directory for the callgrind dumps")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    work = tempfile.mkdtemp(prefix="psinet-callgrind-")
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    server = None
    try:
        bodies, net = bench.make_bodies(work)
        port = args.port
        out = os.path.join(args.keep or work, "cg.out")
        server, conn = start(
            [args.psinet, "--bind", "127.0.0.1", "--port", str(port),
             "--threads", "1", "--db", os.path.join(work, "bench.db")],
            out, port)
        net_id = json.loads(request(conn, "POST", "/v1/networks",
                                    json.dumps(net).encode()))["id"]
        exp = open(bodies["experiment-write"], "rb").read()
        for _ in range(60):
            request(conn, "POST", "/v1/experiments", exp)
        print("| workload | instructions/request |")
        print("|---|---:|")
        for name, method, path, b in WORKLOADS:
            if only and name not in only:
                continue
            path = path.replace("{net}", net_id)
            body = open(bodies[b], "rb").read() if b else None
            measure(server, out, conn, name, method, path, body, args)
        stop(server)
        server = None
        bare = [(n, m, p, b) for n, m, p, b in BARE
                if not only or n in only]
        if bare:
            out = os.path.join(args.keep or work, "bare.out")
            server, conn = start([args.baseline, str(port + 1), "1"], out,
                                 port + 1)
            for name, method, path, b in bare:
                body = open(bodies[b], "rb").read() if b else None
                measure(server, out, conn, name, method, path, body, args)
    finally:
        stop(server)
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
