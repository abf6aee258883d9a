"""What is stored stays stored: across a stop and a start on the same file,
and a database from a newer psinet is refused."""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from harness import BIN, Server, sqlite_only


@sqlite_only
class Restart(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="psinet-restart-")
        self.db = os.path.join(self.dir, "kept.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_data_survives_a_restart(self):
        with Server(db=self.db, workdir=self.dir) as s:
            sup = s.post("/v1/superpositions", {"amplitudes": [1, [0, 1]]}).json
            net = s.post("/v1/networks", {"layers": [
                {"weights": [[0.1, 0.2]], "activation": "elu"}]}).json
            exp = s.post("/v1/experiments", {
                "name": "kept", "kind": "layer_superposition", "tags": ["t"],
                "params": {"network_id": net["id"], "input": [1, 2],
                           "mapping": "softmax_sqrt", "shots": 10}}).json
            before = [s.get(p).body for p in (
                "/v1/superpositions/" + sup["id"],
                "/v1/networks/%s?include=weights" % net["id"],
                "/v1/experiments/" + exp["id"])]
        with Server(db=self.db, workdir=self.dir) as s:
            after = [s.get(p).body for p in (
                "/v1/superpositions/" + sup["id"],
                "/v1/networks/%s?include=weights" % net["id"],
                "/v1/experiments/" + exp["id"])]
            self.assertEqual(after, before)
            r = s.post("/v1/networks/%s/forward" % net["id"], {"input": [1, 2]})
            self.assertEqual(r.status, 200)

    def test_newer_schema_is_refused(self):
        with Server(db=self.db, workdir=self.dir):
            pass
        con = sqlite3.connect(self.db)
        con.execute("INSERT INTO schema_migrations VALUES (9999, "
                    "'9999_future.sql', '2030-01-01T00:00:00.000Z')")
        con.commit()
        con.close()
        r = subprocess.run([BIN, "--port", "0", "--bind", "127.0.0.1",
                            "--db", self.db], capture_output=True, text=True,
                           timeout=20, stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 1)
        self.assertIn("9999", r.stderr)
        self.assertIn("newer", r.stderr)

    def test_a_file_that_is_not_a_database_is_refused(self):
        with open(self.db, "wb") as f:
            f.write(b"this is not a database" * 100)
        r = subprocess.run([BIN, "--port", "0", "--bind", "127.0.0.1",
                            "--db", self.db], capture_output=True, text=True,
                           timeout=20, stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not a database", r.stderr)


class GracefulStop(unittest.TestCase):
    def test_sigterm_lets_an_in_flight_request_finish(self):
        import signal
        import socket
        import time
        s = Server().start()
        try:
            body = b'{"amplitudes": [3, 4]}'
            c = socket.create_connection(("127.0.0.1", s.port), 10)
            c.sendall(b"POST /v1/superpositions/normalize HTTP/1.1\r\n"
                      b"Host: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(body) + body[:5])
            time.sleep(0.3)                 # the request is now in flight
            s.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            self.assertIsNone(s.proc.poll())  # still waiting for us
            # Meanwhile a new request is turned away, not left hanging.
            # (A plain socket: this answer is outside the contract check.)
            n = socket.create_connection(("127.0.0.1", s.port), 10)
            n.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            late = b""
            while True:
                chunk = n.recv(4096)
                if not chunk:
                    break
                late += chunk
            n.close()
            self.assertTrue(late.startswith(b"HTTP/1.1 503"), late[:100])
            self.assertIn(b"retry-after: 1", late.lower())
            self.assertIn(b"connection: close", late.lower())
            c.sendall(body[5:])
            reply = b""
            while b"0.8" not in reply:
                chunk = c.recv(4096)
                if not chunk:
                    break
                reply += chunk
            c.close()
            self.assertTrue(reply.startswith(b"HTTP/1.1 200"), reply[:100])
            self.assertIn(b'"norm":5.0', reply)
            self.assertEqual(s.stop(), 0)
            self.assertIn('"event":"stopped"', s.log())
        finally:
            s.cleanup()
