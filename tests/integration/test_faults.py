"""Storage faults: a read-only database file and a full disk answer 503 for
writes while reads keep working, nothing crashes, and writes succeed again
once the fault is gone, without a restart."""

import os
import shutil
import subprocess
import tempfile
import unittest

from harness import Server, assert_problem

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
EXP = {"name": "x", "kind": "neuron_activation",
       "params": {"amplitudes": [1], "weights": [[1]], "activation": "relu"}}


def can_run_as_nobody():
    return os.geteuid() == 0 and shutil.which("setpriv") is not None


class ReadOnlyFile(unittest.TestCase):
    def test_read_only_file_gives_503_then_recovers(self):
        if not can_run_as_nobody():
            self.skipTest("needs root to run the server as an unprivileged "
                          "user (root ignores file modes)")
        d = tempfile.mkdtemp(prefix="psinet-ro-")
        os.chmod(d, 0o755)
        os.chown(d, 65534, 65534)
        db = os.path.join(d, "ro.db")
        try:
            with Server(db=db, workdir=d, prefix=NOBODY) as s:
                kept = s.post("/v1/experiments", EXP).json
            os.chmod(db, 0o444)
            s = Server(db=db, workdir=d, prefix=NOBODY).start()
            try:
                self.assertEqual(s.get("/v1/experiments/" + kept["id"]).json,
                                 kept)                       # reads work
                for _ in range(3):
                    r = s.post("/v1/experiments", EXP)
                    p = assert_problem(self, r, 503)
                    self.assertIn("read-only", p["detail"])
                    self.assertNotIn(d, p["detail"])         # no paths leak
                # The fault is gone: the file (and the -wal and -shm files
                # SQLite made with the same mode) are writable again.
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(db + suffix):
                        os.chmod(db + suffix, 0o644)
                r = s.post("/v1/experiments", EXP)
                self.assertEqual(r.status, 201, r)
                self.assertEqual(s.get("/v1/experiments/" + kept["id"]).json,
                                 kept)
                s.stop()
            finally:
                s.cleanup()
        finally:
            shutil.rmtree(d, ignore_errors=True)


class FullDisk(unittest.TestCase):
    def test_full_disk_gives_503_then_recovers(self):
        d = tempfile.mkdtemp(prefix="psinet-full-")
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1M",
                                  "tmpfs", d], capture_output=True).returncode == 0
        if not mounted:
            os.rmdir(d)
            self.skipTest("needs permission to mount a small tmpfs")
        try:
            with Server(db=os.path.join(d, "full.db"), workdir=d) as s:
                kept = s.post("/v1/experiments", EXP).json
                layer = {"weights": [[0.123456789] * 100] * 100,
                         "activation": "relu"}
                statuses = [s.post("/v1/networks", {"layers": [layer]}).status
                            for _ in range(20)]
                self.assertIn(503, statuses)              # the disk filled up
                self.assertNotIn(500, statuses)
                r = s.post("/v1/networks", {"layers": [layer]})
                p = assert_problem(self, r, 503)
                self.assertIn("full", p["detail"])
                self.assertEqual(s.get("/v1/experiments/" + kept["id"]).json,
                                 kept)                      # reads still work
                self.assertEqual(s.get("/readyz").status, 200)
                subprocess.run(["mount", "-o", "remount,size=64M", d],
                               check=True)                  # fault gone
                r = s.post("/v1/networks", {"layers": [layer]})
                self.assertEqual(r.status, 201, r)
                r = s.get("/v1/networks/%s?include=weights" % r.json["id"])
                self.assertEqual(r.json["layers"][0]["weights"],
                                 layer["weights"])
        finally:
            subprocess.run(["umount", d])
            os.rmdir(d)
