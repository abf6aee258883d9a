"""What is stored stays stored: across a stop and a start on the same file,
and a database from a newer psinet is refused."""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from harness import BIN, Server


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
