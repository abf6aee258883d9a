"""API keys, CORS, request ids and metrics through the real server."""

import os
import re
import tempfile
import time
import unittest

from harness import PG, Server, assert_problem

KEY = "k3y-for-tests-0123456789abcdef"
EXP = {"name": "x", "kind": "neuron_activation",
       "params": {"amplitudes": [1], "weights": [[1]], "activation": "relu"}}


class ApiKey(unittest.TestCase):
    def test_writes_need_the_key_reads_do_not(self):
        with Server(env={"PSINET_API_KEY": KEY}) as s:
            r = s.post("/v1/experiments", EXP)
            assert_problem(self, r, 401)
            self.assertEqual(r.header("www-authenticate"), 'Bearer realm="psinet"')
            r = s.post("/v1/experiments", EXP,
                       headers={"Authorization": "Bearer wrong-key-wrong-key!!"})
            assert_problem(self, r, 401)
            r = s.post("/v1/experiments", EXP,
                       headers={"Authorization": "Bearer " + KEY})
            self.assertEqual(r.status, 201)
            path = r.header("location")
            self.assertEqual(s.get(path).status, 200)          # a read
            self.assertEqual(s.get("/v1/experiments").status, 200)
            # computing is not a change of state: no key needed
            self.assertEqual(s.post("/v1/superpositions/normalize",
                                    {"amplitudes": [1]}).status, 200)
            assert_problem(self, s.delete(path), 401)
            assert_problem(self, s.patch(path, {"name": "y"}), 401)
            self.assertEqual(s.get(path).json["name"], "x")    # untouched
            self.assertEqual(s.delete(path, headers={
                "Authorization": "bearer " + KEY}).status, 204)
            self.assertNotIn(KEY, "\n".join(s.log_lines))    # never logged

    def test_auth_reads_from_a_key_file(self):
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write("  " + KEY + "\n")
        try:
            with Server("--api-key-file", f.name, "--auth-reads") as s:
                assert_problem(self, s.get("/v1/experiments"), 401)
                assert_problem(self, s.get("/metrics"), 401)
                self.assertEqual(s.get("/v1/experiments", headers={
                    "Authorization": "Bearer " + KEY}).status, 200)
                self.assertEqual(s.get("/healthz").status, 200)  # probes stay open
                self.assertEqual(s.get("/readyz").status, 200)
        finally:
            os.unlink(f.name)

    def test_with_auth_reads_every_operation_but_the_probes_needs_it(self):
        sup, net, exp = ("sup_aaaaaaaaaaaaaaaaaaaa", "net_aaaaaaaaaaaaaaaaaaaa",
                         "exp_aaaaaaaaaaaaaaaaaaaa")
        ops = [("GET", "/version"), ("GET", "/openapi.yaml"), ("GET", "/metrics"),
               ("POST", "/v1/superpositions/normalize"),
               ("POST", "/v1/layers/forward"),
               ("GET", "/v1/superpositions"), ("POST", "/v1/superpositions"),
               ("GET", "/v1/superpositions/" + sup),
               ("DELETE", "/v1/superpositions/" + sup),
               ("POST", "/v1/superpositions/%s/normalize" % sup),
               ("POST", "/v1/superpositions/%s/measure" % sup),
               ("POST", "/v1/superpositions/%s/collapse" % sup),
               ("GET", "/v1/superpositions/%s/lineage" % sup),
               ("POST", "/v1/superpositions/apply"),
               ("POST", "/v1/superpositions/compare"),
               ("POST", "/v1/superpositions/tensor"),
               ("POST", "/v1/superpositions/expectation"),
               ("GET", "/v1/networks"), ("POST", "/v1/networks"),
               ("GET", "/v1/networks/" + net), ("DELETE", "/v1/networks/" + net),
               ("POST", "/v1/networks/%s/forward" % net),
               ("GET", "/v1/experiments"), ("POST", "/v1/experiments"),
               ("GET", "/v1/experiments/export"),
               ("GET", "/v1/experiments/" + exp),
               ("PATCH", "/v1/experiments/" + exp),
               ("DELETE", "/v1/experiments/" + exp)]
        ops += [("HEAD", path) for method, path in ops if method == "GET"]
        with Server("--auth-reads", env={"PSINET_API_KEY": KEY}) as s:
            for method, path in ops:
                body = {} if method in ("POST", "PATCH") else None
                r = s.request(method, path, body)
                if method == "HEAD":
                    self.assertEqual(r.status, 401, path)
                    self.assertEqual(r.body, b"")
                else:
                    assert_problem(self, r, 401)
                self.assertTrue(r.header("www-authenticate"), path)

    def test_a_short_key_is_refused_at_start(self):
        import subprocess
        from harness import BIN
        r = subprocess.run([BIN, "--port", "0"], capture_output=True,
                           text=True, env={"PSINET_API_KEY": "short"},
                           timeout=10)
        self.assertEqual(r.returncode, 2)
        self.assertIn("at least 16", r.stderr)
        self.assertNotIn("short", r.stderr.replace("at least", ""))

    def test_a_key_that_would_be_cut_or_split_is_refused_at_start(self):
        # Never silently a different key than the one the operator wrote:
        # too long for psinet to hold, or two words / two lines.
        import subprocess
        from harness import BIN
        for key in ("k" * 600, "first-half-of-key second-half",
                    "line-one-of-the-key\nline-two-of-the-key"):
            with tempfile.NamedTemporaryFile("w", delete=False) as f:
                f.write(key + "\n")
            try:
                r = subprocess.run([BIN, "--port", "0", "--api-key-file",
                                    f.name], capture_output=True, text=True,
                                   env={}, timeout=10)
            finally:
                os.unlink(f.name)
            self.assertEqual(r.returncode, 2, key[:20])
            self.assertIn("API key", r.stderr)
            self.assertNotIn(key[:12], r.stderr)


class HiddenRoutes(unittest.TestCase):
    def test_with_auth_reads_unknown_paths_answer_like_known_ones(self):
        # Without the key nothing tells a route from no route: 401 on every
        # path and method but the probes', and one answer to every
        # preflight; with it, a path that is not there is a 404.
        with Server("--auth-reads", env={"PSINET_API_KEY": KEY}) as s:
            for method, path in (("GET", "/admin"), ("GET", "/v1/nothing"),
                                 ("POST", "/v1/nothing"),
                                 ("DELETE", "/.git/config"),
                                 ("PUT", "/v1/experiments"),
                                 ("GET", "/v1/experiments")):
                r = s.request(method, path, {} if method == "POST" else None)
                assert_problem(self, r, 401)
                self.assertEqual(r.header("www-authenticate"),
                                 'Bearer realm="psinet"')
                self.assertIsNone(r.header("allow"))
            allows = {s.request("OPTIONS", p).header("allow")
                      for p in ("/v1/experiments", "/nothing", "/metrics")}
            self.assertEqual(allows, {"GET, HEAD, POST, PATCH, DELETE, "
                                      "OPTIONS"})
            self.assertEqual(s.get("/healthz").status, 200)
            auth = {"Authorization": "Bearer " + KEY}
            assert_problem(self, s.get("/v1/nothing", headers=auth), 404)
            assert_problem(self, s.request("PUT", "/v1/experiments",
                                           headers=auth), 405)


class PolicyHeaders(unittest.TestCase):
    def test_every_answer_carries_the_security_policy_headers(self):
        with Server("--max-body", "1K") as s:
            sup = s.post("/v1/superpositions", {"amplitudes": [1]}).json
            answers = [
                s.get("/healthz"), s.get("/nope"), s.get("/openapi.yaml"),
                s.get("/metrics"), s.request("OPTIONS", "/v1/experiments"),
                s.request("HEAD", "/v1/superpositions/" + sup["id"]),
                s.post("/v1/superpositions/%s/measure" % sup["id"],
                       {"shots": 10}),
                s.post("/v1/superpositions/normalize", b"x" * 2000,
                       headers={"Content-Type": "application/json"}),
            ]
            for r in answers:
                self.assertEqual(r.header("content-security-policy"),
                                 "default-src 'none'; frame-ancestors 'none'",
                                 r)
                self.assertEqual(r.header("referrer-policy"), "no-referrer")
                self.assertEqual(r.header("x-frame-options"), "DENY")
            # and the answer written by hand to a chunked body past the limit
            raw = s.raw(b"POST /v1/superpositions/normalize HTTP/1.1\r\n"
                        b"Host: x\r\nContent-Type: application/json\r\n"
                        b"Transfer-Encoding: chunked\r\n\r\n"
                        b"800\r\n" + b" " * 2048 + b"\r\n0\r\n\r\n")
            self.assertTrue(raw.startswith(b"HTTP/1.1 413 "), raw[:80])
            self.assertIn(b"\r\nContent-Security-Policy: default-src 'none'; "
                          b"frame-ancestors 'none'\r\n", raw)
            self.assertIn(b"\r\nX-Frame-Options: DENY\r\n", raw)


class Cors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server("--cors-origins", "https://app.example, https://b.example").start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.s.stop()
        finally:
            cls.s.cleanup()

    def test_allowed_origin_gets_the_headers(self):
        r = self.s.get("/healthz", headers={"Origin": "https://app.example"})
        self.assertEqual(r.header("access-control-allow-origin"),
                         "https://app.example")
        self.assertEqual(r.header("vary"), "Origin")
        self.assertIn("Location", r.header("access-control-expose-headers"))

    def test_other_origins_get_none(self):
        r = self.s.get("/healthz", headers={"Origin": "https://evil.example"})
        self.assertIsNone(r.header("access-control-allow-origin"))
        r = self.s.get("/healthz")
        self.assertIsNone(r.header("access-control-allow-origin"))

    def test_preflight_answers_methods_headers_and_max_age(self):
        r = self.s.request("OPTIONS", "/v1/experiments", headers={
            "Origin": "https://b.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization"})
        self.assertEqual(r.status, 204)
        self.assertEqual(r.header("access-control-allow-origin"), "https://b.example")
        self.assertEqual(r.header("access-control-allow-methods"),
                         "POST, GET, HEAD, OPTIONS")
        self.assertIn("Authorization", r.header("access-control-allow-headers"))
        self.assertIn("Content-Type", r.header("access-control-allow-headers"))
        self.assertEqual(r.header("access-control-max-age"), "600")

    def test_star_allows_any_origin(self):
        with Server("--cors-origins", "*") as s:
            r = s.get("/version", headers={"Origin": "http://localhost:5173"})
            self.assertEqual(r.header("access-control-allow-origin"), "*")


class Observability(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server().start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.s.stop()
        finally:
            cls.s.cleanup()

    def test_request_ids_are_honoured_when_sane_and_made_otherwise(self):
        r = self.s.get("/healthz", headers={"X-Request-Id": "trace-42.a:b"})
        self.assertEqual(r.header("x-request-id"), "trace-42.a:b")
        r = self.s.get("/healthz", headers={"X-Request-Id": "bad id <script>"})
        self.assertRegex(r.header("x-request-id"), r"^[0-9a-f]{16}$")
        other = self.s.get("/healthz").header("x-request-id")
        self.assertNotEqual(other, r.header("x-request-id"))
        # access lines are written in batches, at least every 100 ms
        deadline = time.monotonic() + 5
        while not any('"id":"trace-42.a:b"' in l and '"route":"healthz"' in l
                      for l in list(self.s.log_lines)):
            self.assertLess(time.monotonic(), deadline, self.s.log())
            time.sleep(0.02)

    def test_every_response_is_nosniff_and_not_cached(self):
        for r in (self.s.get("/healthz"), self.s.get("/nope"),
                  self.s.post("/v1/layers/forward", {})):
            self.assertEqual(r.header("x-content-type-options"), "nosniff")
            self.assertEqual(r.header("cache-control"), "no-store")

    def test_metrics_count_requests_by_route_and_status(self):
        for _ in range(3):
            self.s.get("/version")
        self.s.post("/v1/layers/forward", {"weights": [[1]]})
        r = self.s.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("content-type").startswith("text/plain"))
        text = r.body.decode()
        m = re.search(r'psinet_requests_total\{route="version",status="200"\} (\d+)', text)
        self.assertGreaterEqual(int(m.group(1)), 3)
        self.assertIn('psinet_requests_total{route="layers.forward",status="422"}', text)
        self.assertIn('psinet_request_duration_seconds_bucket{route="version",le="+Inf"}', text)
        self.assertRegex(text, r"psinet_requests_in_flight \d+")
        if PG:  # the size of a SQLite file; PostgreSQL keeps its own
            self.assertIn("psinet_database_bytes 0", text)
        else:
            self.assertRegex(text, r"psinet_database_bytes [1-9]\d*")
        self.assertIn("psinet_database_errors_total 0", text)
