"""bench/load_heavy.py - the heavy phase of `make loadtest`: large bodies
and slow clients against a running psinet, while /healthz is timed and
resident memory sampled.

    python3 bench/load_heavy.py --port PORT --pid PID [--seconds 30]

For SECONDS, at once:
  - LARGE clients (4) post 8 MB normalize bodies back to back (each one
    takes a work thread for a good part of a second);
  - REFUSED clients (2) post 16 MB bodies psinet will not take (not
    JSON: 415, answered from their headers, nothing of them read or held);
  - SLOW clients (300, the per-address limit is off) open connections and
    trickle their headers a byte a second, reconnecting when cut off;
  - one prober GETs /healthz on a fresh connection every 20 ms and records
    how long each answer took.
Then it waits for the server to settle and samples memory again.

Prints /healthz p50, p99 and max, the large requests' statuses, and the
resident memory before, at the peak, and after; exits 1 when a /healthz
failed or timed out, a large request got anything but its 200 or 415 or a
503 with Retry-After, or resident memory stayed more than 64 MiB above
where it began once the phase was over. Standard library only."""

import argparse
import http.client
import json
import socket
import sys
import threading
import time

LARGE, REFUSED, SLOW = 4, 2, 300


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


class Phase:
    def __init__(self, port, pid, seconds):
        self.port, self.pid = port, pid
        self.until = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.healthz_ms = []
        self.healthz_failures = []
        self.large = {}
        self.bad_large = []
        self.rss = []

    def running(self):
        return time.monotonic() < self.until

    def large_client(self, body, path, headers):
        while self.running():
            conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                              timeout=120)
            try:
                conn.request("POST", path, body=body, headers=headers)
                r = conn.getresponse()
                r.read()
                status = r.status
                ok = status in (200, 415) or (
                    status == 503 and r.getheader("Retry-After"))
            except OSError as e:
                status, ok = "error: %s" % e, False
            finally:
                conn.close()
            with self.lock:
                self.large[status] = self.large.get(status, 0) + 1
                if not ok:
                    self.bad_large.append(status)

    def slow_client(self):
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
        while self.running():
            try:
                s = socket.create_connection(("127.0.0.1", self.port), 5)
            except OSError:
                time.sleep(0.5)
                continue
            try:
                for b in head:
                    if not self.running():
                        break
                    s.sendall(bytes([b]))
                    time.sleep(1.0)
            except OSError:
                pass    # cut off: connect again
            finally:
                s.close()

    def prober(self):
        while self.running():
            start = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                  timeout=10)
                conn.request("GET", "/healthz")
                r = conn.getresponse()
                r.read()
                conn.close()
                ms = (time.monotonic() - start) * 1000
                with self.lock:
                    if r.status == 200:
                        self.healthz_ms.append(ms)
                    else:
                        self.healthz_failures.append(r.status)
            except OSError as e:
                with self.lock:
                    self.healthz_failures.append(str(e))
            time.sleep(0.02)

    def sampler(self):
        while self.running():
            self.rss.append(rss_kib(self.pid))
            time.sleep(0.5)

    def run(self):
        large_body = json.dumps({"amplitudes": [0.123456789] * 640000})
        refused_body = b" " * (16 << 20)
        json_h = {"Content-Type": "application/json"}
        threads = [threading.Thread(target=self.prober),
                   threading.Thread(target=self.sampler)]
        threads += [threading.Thread(target=self.large_client, args=(
            large_body.encode(), "/v1/superpositions/normalize", json_h))
            for _ in range(LARGE)]
        threads += [threading.Thread(target=self.large_client, args=(
            refused_body, "/v1/experiments", {"Content-Type": "text/plain"}))
            for _ in range(REFUSED)]
        threads += [threading.Thread(target=self.slow_client)
                    for _ in range(SLOW)]
        for t in threads:
            t.daemon = True
            t.start()
        for t in threads[:2 + LARGE + REFUSED]:
            t.join()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=30)
    args = ap.parse_args()
    before = rss_kib(args.pid)
    phase = Phase(args.port, args.pid, args.seconds)
    phase.run()
    # the slow clients stop with the phase; memory is given back once the
    # burst is over
    time.sleep(5)
    after = rss_kib(args.pid)
    peak = max(phase.rss + [before, after])
    ms = phase.healthz_ms
    print("heavy phase: %d large-body and %d refused clients, %d slow "
          "clients, %.0f s" % (LARGE, REFUSED, SLOW, args.seconds))
    print("healthz: %d answered, p50 %.1f ms, p99 %.1f ms, max %.1f ms, "
          "%d failed" % (len(ms), percentile(ms, 50), percentile(ms, 99),
                         max(ms) if ms else float("nan"),
                         len(phase.healthz_failures)))
    print("large requests: %s" % ", ".join(
        "%s: %d" % (k, v) for k, v in sorted(phase.large.items(),
                                             key=lambda kv: str(kv[0]))))
    print("resident memory (KiB): before %d, peak %d, after %d"
          % (before, peak, after))
    status = 0
    if phase.healthz_failures or not ms:
        print("FAIL: /healthz failed: %s" % phase.healthz_failures[:5])
        status = 1
    if phase.bad_large:
        print("FAIL: large requests got %s" % phase.bad_large[:5])
        status = 1
    if after > before + (64 << 10):
        print("FAIL: resident memory stayed %d KiB above where it began"
              % (after - before))
        status = 1
    if status == 0:
        print("PASS: /healthz answered throughout, memory given back")
    return status


if __name__ == "__main__":
    sys.exit(main())
