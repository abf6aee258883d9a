"""The service through the real binary: health, version, the OpenAPI
document, routing, media types, malformed bodies, body limits and the
command line."""

import os
import re
import socket
import subprocess
import threading
import time
import unittest

from harness import BIN, Server, assert_problem

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
server = None


def setUpModule():
    global server
    server = Server("--max-body", "4096").start()


def tearDownModule():
    try:
        server.stop()
    finally:
        server.cleanup()


class Meta(unittest.TestCase):
    def test_healthz_is_ok(self):
        r = server.get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json, {"status": "ok"})
        self.assertEqual(r.header("content-type"), "application/json")
        self.assertEqual(r.header("x-content-type-options"), "nosniff")

    def test_readyz_answers_when_the_database_does(self):
        r = server.get("/readyz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json, {"status": "ready"})

    def test_version_names_psinet(self):
        r = server.get("/version")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["name"], "psinet")
        self.assertRegex(r.json["version"], r"^\d+\.\d+\.\d+$")

    def test_openapi_document_is_the_repository_file(self):
        r = server.get("/openapi.yaml")
        self.assertEqual(r.status, 200)
        with open(os.path.join(ROOT, "openapi.yaml"), "rb") as f:
            self.assertEqual(r.body, f.read())
        self.assertEqual(r.header("cache-control"), "public, max-age=300")
        self.assertEqual(r.header("content-type"), "application/yaml")

    def test_head_answers_like_get_without_a_body(self):
        r = server.request("HEAD", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")


class Routing(unittest.TestCase):
    def test_unknown_path_is_404_problem(self):
        p = assert_problem(self, server.get("/v1/nothing"), 404)
        self.assertEqual(p["type"], "urn:psinet:problem:not-found")

    def test_wrong_method_is_405_with_allow(self):
        r = server.get("/v1/layers/forward")
        assert_problem(self, r, 405)
        self.assertEqual(r.header("allow"), "POST, OPTIONS")
        r = server.request("PUT", "/v1/superpositions")
        assert_problem(self, r, 405)
        self.assertEqual(r.header("allow"), "POST, GET, HEAD, OPTIONS")

    def test_options_lists_the_methods(self):
        r = server.request("OPTIONS", "/v1/experiments/exp_x")
        self.assertEqual(r.status, 204)
        self.assertEqual(r.header("allow"), "GET, HEAD, PATCH, DELETE, OPTIONS")

    def test_path_traversal_in_an_id_is_just_not_found(self):
        assert_problem(self, server.get("/v1/networks/..%2f..%2fetc"), 404)
        # an encoded NUL is refused outright (it would end a C string)
        assert_problem(self, server.get("/v1/superpositions/%00"), 400)


class Bodies(unittest.TestCase):
    def test_non_json_content_type_is_415(self):
        r = server.post("/v1/superpositions/normalize", b'{"amplitudes":[1]}',
                        headers={"Content-Type": "text/plain"})
        assert_problem(self, r, 415)
        r = server.post("/v1/superpositions/normalize", b'{"amplitudes":[1]}')
        assert_problem(self, r, 415)

    def test_malformed_json_is_400_with_position(self):
        r = server.post("/v1/layers/forward", b'{"weights": [[1,]]}',
                        headers={"Content-Type": "application/json"})
        p = assert_problem(self, r, 400)
        self.assertIn("column", p["detail"])

    def test_duplicate_keys_are_400(self):
        r = server.post("/v1/superpositions/normalize",
                        b'{"amplitudes":[1],"amplitudes":[2]}',
                        headers={"Content-Type": "application/json"})
        assert_problem(self, r, 400)

    def test_invalid_utf8_is_400(self):
        r = server.post("/v1/superpositions", b'{"name":"\xff","amplitudes":[1]}',
                        headers={"Content-Type": "application/json"})
        assert_problem(self, r, 400)

    def test_body_over_the_limit_is_413_before_it_is_read(self):
        body = b'{"amplitudes":[' + b"1," * 3000 + b'1]}'
        r = server.post("/v1/superpositions/normalize", body,
                        headers={"Content-Type": "application/json"})
        p = assert_problem(self, r, 413)
        self.assertIn("4096", p["detail"])

    def test_chunked_body_over_the_limit_is_answered_413(self):
        chunk = b"1," * 1000
        req = (b"POST /v1/superpositions/normalize HTTP/1.1\r\n"
               b"Host: x\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n")
        req += b"%x\r\n{\"amplitudes\":[\r\n" % len(b'{"amplitudes":[')
        for _ in range(5):
            req += b"%x\r\n%s\r\n" % (len(chunk), chunk)
        req += b"1\r\n1\r\n2\r\n]}\r\n0\r\n\r\n"
        # A body of unannounced length that passes the cap is answered 413
        # as soon as it does, and its connection closed with nothing
        # computed.
        raw = server.raw(req)
        self.assertTrue(raw.startswith(b"HTTP/1.1 413 "), raw[:100])
        self.assertNotIn(b"200 OK", raw)
        # The line is written before the connection closes, but the thread
        # that reads the server's log may not have read it yet.
        deadline = time.monotonic() + 5
        while not any('"event":"request_cut_off"' in line and
                      '"status":413' in line for line in server.log_lines):
            self.assertLess(time.monotonic(), deadline, server.log())
            time.sleep(0.01)

    def test_server_is_still_healthy_after_bad_requests(self):
        self.assertEqual(server.get("/healthz").status, 200)


class CommandLine(unittest.TestCase):
    def run_bin(self, *args, env=None):
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("PSINET_") or k == "PSINET_BIN"}
        e.update(env or {})
        return subprocess.run([BIN] + list(args), capture_output=True,
                              text=True, env=e, timeout=20)

    def test_help_lists_every_flag_with_its_variable(self):
        r = self.run_bin("--help")
        self.assertEqual(r.returncode, 0)
        for flag, env in (("--port", "PSINET_PORT"), ("--bind", "PSINET_BIND"),
                          ("--db", "PSINET_DB"), ("--threads", "PSINET_THREADS"),
                          ("--max-body", "PSINET_MAX_BODY")):
            self.assertIn(flag, r.stdout)
            self.assertIn(env, r.stdout)

    def test_help_names_values_as_the_readme_does(self):
        # Every row of the README's table of settings is in --help, with
        # the same name for its value (N, ADDR, PATH, LIST) and variable.
        r = self.run_bin("--help")
        readme = open(os.path.join(os.path.dirname(__file__), "..", "..",
                                   "README.md")).read()
        rows = re.findall(r"^\| `(--[a-z-]+)( [A-Z]+)?` \| `(PSINET_[A-Z_]+)`",
                          readme, re.M)
        self.assertGreater(len(rows), 20)
        for flag, meta, env in rows:
            self.assertRegex(r.stdout, r"\n  %s%s +" % (re.escape(flag),
                                                        re.escape(meta)))
            self.assertIn("env %s," % env, r.stdout)
        self.assertIn("--cors-origins LIST", r.stdout)
        self.assertIn("--api-key-file PATH", r.stdout)
        cores = os.cpu_count()
        self.assertIn("default the number of cores (%d here)" % cores,
                      r.stdout)
        self.assertIn("env PSINET_MAX_BODY, default 16M", r.stdout)
        self.assertIn("env PSINET_CORS_ORIGINS, default none", r.stdout)
        self.assertIn("env PSINET_AUTH_READS, default off", r.stdout)
        self.assertNotRegex(r.stdout, r"default \n")

    def test_version_prints_the_version(self):
        r = self.run_bin("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^psinet \d+\.\d+\.\d+\n$")

    def test_unknown_flag_and_bad_values_exit_2(self):
        self.assertEqual(self.run_bin("--frobnicate").returncode, 2)
        r = self.run_bin("--port", "99999")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--port", r.stderr)
        r = self.run_bin(env={"PSINET_THREADS": "zero"})
        self.assertEqual(r.returncode, 2)
        self.assertIn("PSINET_THREADS", r.stderr)

    def test_flag_wins_over_environment(self):
        body = b'{"amplitudes":[' + b"1," * 100 + b'1]}'  # 216 bytes
        with Server("--max-body", "100",
                    env={"PSINET_MAX_BODY": "1M"}) as s:
            r = s.post("/v1/superpositions/normalize", body,
                       headers={"Content-Type": "application/json"})
            assert_problem(self, r, 413)
        with Server(env={"PSINET_MAX_BODY": "100"}) as s:
            r = s.post("/v1/superpositions/normalize", body,
                       headers={"Content-Type": "application/json"})
            assert_problem(self, r, 413)
            r = s.post("/v1/superpositions/normalize", {"amplitudes": [1]})
            self.assertEqual(r.status, 200)

    def test_port_in_use_fails_with_a_message(self):
        r = self.run_bin("--bind", "127.0.0.1", "--port", str(server.port),
                         "--db", os.path.join(server.dir, "other.db"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot listen", r.stderr)


class Signals(unittest.TestCase):
    def test_sigint_stops_cleanly_like_sigterm(self):
        # Ctrl-C on `make run`: exit 0, the database closed (its WAL file
        # checkpointed away), and what was written is there next time.
        import signal
        s = Server().start()
        try:
            r = s.post("/v1/superpositions", {"amplitudes": [1, 1]})
            self.assertEqual(r.status, 201)
            self.assertEqual(s.stop(signal.SIGINT), 0)
            self.assertIn("SIGINT received", s.log())
            # batched access lines are all written before the exit
            self.assertIn('"route":"superpositions.create"', s.log())
            self.assertIn('"event":"stopped"', s.log())
            self.assertFalse(os.path.exists(s.db + "-wal"))
            again = Server(db=s.db).start()
            try:
                self.assertEqual(again.get(r.header("location")).status, 200)
            finally:
                try:
                    again.stop()
                finally:
                    again.cleanup()
        finally:
            s.cleanup()


def free_port():
    """A loopback port that nothing listens on (it was free a moment ago)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Healthcheck(unittest.TestCase):
    """psinet --healthcheck, what the container's HEALTHCHECK runs."""

    def check(self, *args, env=None):
        e = {k: v for k, v in os.environ.items() if not k.startswith("PSINET_")}
        e.update(env or {})
        return subprocess.run([BIN, "--healthcheck"] + list(args),
                              capture_output=True, text=True, env=e,
                              timeout=20)

    def test_a_running_server_is_healthy(self):
        r = self.check("--port", str(server.port))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout + r.stderr, "")
        r = self.check(env={"PSINET_PORT": str(server.port)})
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.check("--bind", "127.0.0.1", "--port", str(server.port))
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_a_closed_port_is_unhealthy(self):
        r = self.check("--port", str(free_port()))
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot connect", r.stderr)

    def test_an_answer_other_than_200_is_unhealthy(self):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)

            def answer():
                conn, _ = listener.accept()
                with conn:
                    conn.recv(4096)
                    conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\n"
                                 b"Content-Length: 0\r\n\r\n")
            t = threading.Thread(target=answer, daemon=True)
            t.start()
            r = self.check("--port", str(listener.getsockname()[1]))
            t.join(5)
        self.assertEqual(r.returncode, 1)
        self.assertIn("503", r.stderr)

    def test_a_server_that_never_answers_times_out(self):
        with socket.socket() as listener:  # accepts, never reads or writes
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            start = time.monotonic()
            r = self.check("--port", str(listener.getsockname()[1]))
        self.assertEqual(r.returncode, 1)
        self.assertIn("timed out", r.stderr)
        self.assertLess(time.monotonic() - start, 10)

    def test_a_bad_configuration_is_unhealthy_not_2(self):
        # A container runtime reserves exit status 2 of a HEALTHCHECK.
        self.assertEqual(self.check("--port", "0").returncode, 1)
        self.assertEqual(self.check("--port", "99999").returncode, 1)
