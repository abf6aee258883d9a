"""Long requests never keep light ones waiting, through the real server.

A request whose work may take long (a large body, a measurement, a stored
network run forward, an experiment) runs on a thread of its own pool, its
connection suspended meanwhile, so the threads that serve connections stay
free for /healthz, /readyz and small requests. What is asserted is the
order of events, never a duration: with one thread serving connections,
probes sent while long requests run are answered before those finish.
Long requests beyond the queue (--max-queue) get 503 with Retry-After."""

import http.client
import json
import re
import threading
import time
import unittest

from harness import PG, Server, assert_problem

JSON = {"Content-Type": "application/json"}
# a normalize of 4 MB of JSON: well over a tenth of a second of parsing
HEAVY = json.dumps({"amplitudes": [0.123456789] * 320000}).encode()


class Finished:
    """Runs request() on a thread; .at is when its answer came."""

    def __init__(self, request):
        self.at = None
        self.result = None
        self.thread = threading.Thread(target=self._run, args=(request,))
        self.thread.start()

    def _run(self, request):
        self.result = request()
        self.at = time.monotonic()

    def join(self):
        self.thread.join(120)
        return self.result


def pool_gauges(s):
    """(waiting, running) of the long-request pool, from /metrics."""
    text = s.get("/metrics").body.decode()
    return tuple(int(re.search(r"^psinet_long_requests_%s (\d+)$" % g, text,
                               re.M).group(1))
                 for g in ("waiting", "running"))


class LightStaysLight(unittest.TestCase):
    def test_probes_are_answered_while_long_requests_run(self):
        with Server("--threads", "1", "--max-body", "16M") as s:
            def heavy():
                return s.post("/v1/superpositions/normalize", HEAVY,
                              headers=JSON, timeout=120, record=False).status
            for _ in range(3):   # a few rounds: the order must hold each
                heavies = [Finished(heavy) for _ in range(3)]
                time.sleep(0.05)   # their bodies are on their way
                probes = []
                for path in ("/healthz", "/readyz", "/version"):
                    r = s.get(path)
                    probes.append((r.status, time.monotonic()))
                small = s.post("/v1/superpositions/normalize",
                               {"amplitudes": [3, 4]})
                small_at = time.monotonic()
                for h in heavies:
                    self.assertEqual(h.join(), 200)
                last_heavy = max(h.at for h in heavies)
                for status, at in probes:
                    self.assertEqual(status, 200)
                    self.assertLess(at, last_heavy)
                self.assertEqual(small.status, 200)
                self.assertEqual(small.json["norm"], 5.0)
                self.assertLess(small_at, last_heavy)

    def test_a_small_cached_network_runs_where_it_arrives(self):
        # A stored network run forward is long until it is cached; then a
        # pass of few multiply-adds runs on the connection's thread, not
        # behind the long requests queued on the pool.
        with Server("--threads", "1", "--max-body", "16M") as s:
            net = s.post("/v1/networks", {"layers": [
                {"weights": [[1, 2], [3, 4]], "activation": "relu"}]}).json
            path = "/v1/networks/%s/forward" % net["id"]
            first = s.post(path, {"input": [1, -1]})   # loads it: pool
            self.assertEqual((first.status, first.json["output"]),
                             (200, [0.0, 0.0]))

            def heavy():
                return s.post("/v1/superpositions/normalize", HEAVY,
                              headers=JSON, timeout=120, record=False).status
            heavies = [Finished(heavy) for _ in range(3)]
            # all three on the pool (/metrics' gauges): one runs, two wait
            deadline = time.monotonic() + 60
            while pool_gauges(s) != (2, 1) and time.monotonic() < deadline:
                time.sleep(0.005)
            self.assertEqual(pool_gauges(s), (2, 1))
            r = s.post(path, {"input": [1, 2]})
            after = pool_gauges(s)
            for h in heavies:
                self.assertEqual(h.join(), 200)
            self.assertEqual((r.status, r.json["output"]), (200, [5.0, 11.0]))
            if PG:
                # a copy cached from PostgreSQL is checked against the
                # database first: the pass waited its turn on the pool
                # (its own job may not have left it yet)
                self.assertEqual(after[0], 0)
            else:
                # answered while they are still there: not behind them
                self.assertGreater(sum(after), 0)
            while pool_gauges(s) != (0, 0) and time.monotonic() < deadline:
                time.sleep(0.005)
            self.assertEqual(pool_gauges(s), (0, 0))

    def test_a_long_request_answers_like_any_other(self):
        with Server("--threads", "1") as s:
            sup = s.post("/v1/superpositions", {"amplitudes": [1, 1]}).json
            r = s.post("/v1/superpositions/%s/measure" % sup["id"],
                       {"shots": 1000, "seed": 42})
            self.assertEqual(r.status, 200, r)
            self.assertEqual(sum(r.json["counts"].values()), 1000)
            self.assertTrue(r.header("x-request-id"))
            self.assertEqual(r.header("x-content-type-options"), "nosniff")
            # HEAD of a long GET: the headers, no body
            r = s.request("HEAD", "/v1/superpositions/" + sup["id"])
            self.assertEqual((r.status, r.body), (200, b""))
            # errors of long requests are problems as ever
            assert_problem(self, s.post("/v1/superpositions/%s/measure"
                                        % sup["id"], {"shots": 0}), 422,
                           "/shots")
            # kept alive across long and short requests
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
            try:
                for path in ("/v1/superpositions/" + sup["id"], "/healthz",
                             "/v1/superpositions/" + sup["id"]):
                    conn.request("GET", path)
                    resp = conn.getresponse()
                    resp.read()
                    self.assertEqual(resp.status, 200)
            finally:
                conn.close()


class Queue(unittest.TestCase):
    def test_long_requests_past_the_queue_get_503_with_retry_after(self):
        # one thread for long requests and a queue of one: of six heavy
        # normalizes sent at once, at most two are taken at a time
        with Server("--threads", "1", "--max-queue", "1",
                    "--max-body", "16M") as s:
            def heavy():
                return s.post("/v1/superpositions/normalize", HEAVY,
                              headers=JSON, timeout=120, record=False)
            runs = [Finished(heavy) for _ in range(6)]
            answers = [r.join() for r in runs]
            statuses = sorted(a.status for a in answers)
            self.assertIn(200, statuses)
            self.assertIn(503, statuses)
            self.assertEqual(set(statuses), {200, 503})
            for a in answers:
                if a.status == 503:
                    p = assert_problem(self, a, 503)
                    self.assertEqual(a.header("retry-after"), "1")
                    self.assertIn("max_queue", p["detail"])
                    # the request was read whole: its connection may stay
                    self.assertNotEqual(a.header("connection"), "close")
            self.assertEqual(s.get("/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
