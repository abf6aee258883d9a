"""Storage faults: a read-only database file and a full disk answer 503 for
writes while reads keep working, nothing crashes, and writes succeed again
once the fault is gone, without a restart.

The read-only cases run the server as an unprivileged user (root ignores
file modes) and the tmpfs case mounts a small filesystem: both need root.
The injected faults need neither, so they always run: an LD_PRELOAD shim
(tests/fault/inject.c, built by the Makefile as build/tests/fault_inject.so)
fails writes and syncs of the files under the database's directory with
ENOSPC or EIO while a control file exists."""

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import unittest

from harness import BIN, Server, assert_problem, sqlite_only

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
EXP = {"name": "x", "kind": "neuron_activation",
       "params": {"amplitudes": [1], "weights": [[1]], "activation": "relu"}}


def nobody_dir(test, prefix):
    """A fresh directory that nobody (uid 65534) owns, for a server run as
    nobody through NOBODY; skips test where that cannot be done."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        test.skipTest("needs root to run the server as an unprivileged "
                      "user (root ignores file modes)")
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o755)
    os.chown(d, 65534, 65534)
    return d


@sqlite_only
class ReadOnlyFile(unittest.TestCase):
    def test_read_only_file_gives_503_then_recovers(self):
        d = nobody_dir(self, "psinet-ro-")
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


@sqlite_only
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


@sqlite_only
class ReadOnlyDirectory(unittest.TestCase):
    """The directory read-only, the database file writable. In WAL mode
    SQLite keeps two more files next to the database, -wal and -shm, and
    removes them when the last connection closes; it must be able to
    create them."""

    def test_read_only_directory_refuses_to_start_running_is_unaffected(self):
        d = nobody_dir(self, "psinet-rodir-")
        db = os.path.join(d, "rodir.db")
        try:
            with Server(db=db, workdir=d, prefix=NOBODY) as s:
                kept = s.post("/v1/experiments", EXP).json
            self.assertEqual(os.listdir(d), ["rodir.db"])  # -wal, -shm gone

            # At start, with no -wal and -shm to open and none creatable,
            # psinet refuses to start: exit status 1 and an error naming
            # the database, not a server that fails every request.
            os.chmod(d, 0o555)
            s = Server(db=db, workdir=d, prefix=NOBODY)
            try:
                status = s.start_or_exit()
            finally:
                s.cleanup()
            log = "\n".join(s.log_lines)
            self.assertEqual(status, 1, log)
            self.assertNotIn("Sanitizer", log)
            self.assertRegex(log,
                             r'"level":"error","event":"database",'
                             r'"msg":"cannot use [^"]*rodir\.db: '
                             r'[^"]*readonly')
            self.assertEqual(os.listdir(d), ["rodir.db"])

            # Running, the -wal and -shm files are open already: a directory
            # that turns read-only then changes nothing. Writes go on, the
            # two files stay behind when psinet stops (it cannot remove
            # them), and the next start uses them.
            os.chmod(d, 0o755)
            s = Server(db=db, workdir=d, prefix=NOBODY).start()
            try:
                os.chmod(d, 0o555)
                r = s.post("/v1/experiments", EXP)
                self.assertEqual(r.status, 201, r)
                second = r.json
                self.assertEqual(s.get("/v1/experiments/" + kept["id"]).json,
                                 kept)
                s.stop()
            finally:
                s.cleanup()
            self.assertEqual(sorted(os.listdir(d)),
                             ["rodir.db", "rodir.db-shm", "rodir.db-wal"])
            with Server(db=db, workdir=d, prefix=NOBODY) as s:
                for e in (kept, second):
                    self.assertEqual(s.get("/v1/experiments/" + e["id"]).json,
                                     e)
                self.assertEqual(s.post("/v1/experiments", EXP).status, 201)
        finally:
            os.chmod(d, 0o755)
            shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------- injected
HERE = os.path.dirname(os.path.abspath(__file__))
SHIM = os.environ.get("PSINET_FAULT_SHIM") or os.path.normpath(
    os.path.join(HERE, "..", "..", "build", "tests", "fault_inject.so"))
LAYER = {"weights": [[1, 2], [3, 4]], "bias": [0.5, -0.5],
         "activation": "tanh"}


def preload(shim):
    """LD_PRELOAD for BIN: the shim, after the ASan runtime when BIN is an
    ASan build (the runtime insists on coming first)."""
    out = subprocess.run(["ldd", BIN], capture_output=True, text=True).stdout
    m = re.search(r"^\s*libasan\.so\S* => (\S+)", out, re.M)
    return m.group(1) + " " + shim if m else shim


@sqlite_only
class InjectedFaults(unittest.TestCase):
    """Writes fail under the shim; nothing else differs."""

    def setUp(self):
        self.assertTrue(os.path.exists(SHIM), "%s is missing: make "
                        "build/tests/fault_inject.so" % SHIM)
        self.dir = os.path.realpath(tempfile.mkdtemp(prefix="psinet-inject-"))
        self.ctl_dir = tempfile.mkdtemp(prefix="psinet-inject-ctl-")
        self.control = os.path.join(self.ctl_dir, "fault")
        self.db = os.path.join(self.dir, "inject.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        shutil.rmtree(self.ctl_dir, ignore_errors=True)

    def server(self, shim=True):
        env = {"LD_PRELOAD": preload(SHIM), "FAULT_INJECT_DIR": self.dir,
               "FAULT_INJECT_CONTROL": self.control} if shim else {}
        return Server(db=self.db, workdir=self.dir, env=env)

    def fault(self, what):
        with open(self.control, "w") as f:
            f.write(what)

    def check_fault(self, what, detail, outcome="nothing was changed"):
        """Rows written before the fault; every kind of write during it is
        a 503 that changes nothing; reads work; the fault goes and writes
        work again in the same process; afterwards the file is sound and
        holds exactly what was acknowledged."""
        with self.server() as s:
            exp = s.post("/v1/experiments", dict(EXP, name="kept"))
            sup = s.post("/v1/superpositions", {"amplitudes": [3, 4],
                                                "name": "kept"})
            raw = s.post("/v1/superpositions", {"amplitudes": [3, 4],
                                                "normalize": False,
                                                "name": "raw"})
            net = s.post("/v1/networks", {"name": "kept", "layers": [LAYER]})
            for r in (exp, sup, raw, net):
                self.assertEqual(r.status, 201, r)
            exp_p, sup_p, raw_p, net_p = (r.header("location")
                                          for r in (exp, sup, raw, net))
            reads = [exp_p, sup_p, raw_p, net_p, net_p + "?include=weights",
                     "/v1/experiments", "/v1/superpositions", "/v1/networks"]
            before = {p: s.get(p).body for p in reads}

            self.fault(what)
            writes = [
                ("POST", "/v1/experiments", dict(EXP, name="failed",
                                                 tags=["failed"])),
                ("POST", "/v1/superpositions", {"amplitudes": [1],
                                                "name": "failed"}),
                ("POST", "/v1/networks", {"name": "failed",
                                          "layers": [LAYER]}),
                ("PATCH", exp_p, {"name": "failed", "notes": "failed",
                                  "tags": ["failed"]}),
                ("POST", raw_p + "/normalize", None),
                ("DELETE", exp_p, None),
                ("DELETE", sup_p, None),
                ("DELETE", net_p, None),
            ]
            for _ in range(2):
                for method, path, body in writes:
                    r = s.request(method, path, body)
                    p = assert_problem(self, r, 503)
                    self.assertIn(detail, p["detail"], (method, path))
                    self.assertIn(outcome, p["detail"])
                    self.assertNotIn(self.dir, p["detail"])
                    self.assertRegex(r.header("retry-after") or "",
                                     r"^[1-9]\d*$")
            for path, body in before.items():          # reads still work
                self.assertEqual(s.get(path).body, body, path)
            self.assertEqual(s.get("/readyz").status, 200)
            self.assertEqual(s.post(sup_p + "/measure", {"shots": 10,
                                                         "seed": 1}).status,
                             200)
            self.assertEqual(s.post(net_p + "/forward",
                                    {"input": [1, 1]}).status, 200)
            self.assertEqual(s.post("/v1/superpositions/normalize",
                                    {"amplitudes": [1, 1]}).status, 200)

            os.unlink(self.control)                    # the fault is gone
            after = s.post("/v1/experiments", dict(EXP, name="after"))
            self.assertEqual(after.status, 201, after)
            r = s.patch(exp_p, {"name": "patched", "tags": ["after"]})
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["name"], "patched")
            r = s.post(raw_p + "/normalize")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["norm"], 1.0)
            self.assertEqual(s.delete(sup_p).status, 204)
            final = {p: s.get(p).body
                     for p in (exp_p, raw_p, net_p, after.header("location"))}
            self.assertEqual(s.get(sup_p).status, 404)
        # stopped with SIGTERM: exit 0, no sanitizer report

        con = sqlite3.connect(self.db)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(),
                             [("ok",)])
            self.assertEqual(con.execute("PRAGMA foreign_key_check")
                             .fetchall(), [])
            names = {t: sorted(r[0] for r in con.execute(
                "SELECT name FROM %s" % t))
                for t in ("experiments", "superpositions", "networks")}
            self.assertEqual(names, {"experiments": ["after", "patched"],
                                     "superpositions": ["raw"],
                                     "networks": ["kept"]})
            self.assertEqual(con.execute(
                "SELECT count(*) FROM experiment_tags WHERE tag = 'failed'")
                .fetchone()[0], 0)
        finally:
            con.close()
        with self.server(shim=False) as s:           # and after a restart
            for path, body in final.items():
                self.assertEqual(s.get(path).body, body, path)

    def test_disk_full_gives_503_then_recovers(self):
        self.check_fault("ENOSPC", "disk is full")

    def test_io_error_gives_503_then_recovers(self):
        self.check_fault("EIO", "disk I/O error")

    def test_failed_fsync_gives_503_then_recovers(self):
        # The write itself succeeds; making it durable fails, and psinet
        # says it cannot tell whether the write was kept.
        self.check_fault("EIO fsync", "could not confirm the write",
                         "may or may not have been kept")

    def test_the_shim_touches_nothing_without_its_control_file(self):
        with self.server() as s:
            for i in range(3):
                self.assertEqual(s.post("/v1/experiments", EXP).status, 201)
        self.assertFalse(os.path.exists(self.control))

    def test_a_write_whose_fsync_failed_is_answered_as_unconfirmed(self):
        # When fdatasync of the WAL fails at COMMIT, the transaction's
        # records, commit mark included, may already be in the -wal file:
        # if the process dies before another write overwrites them, the
        # recovery at the next start replays them. psinet cannot promise
        # either outcome, so it does not: the 503 says the write may or may
        # not have been kept, and after a crash it is there whole or not at
        # all, next to everything acknowledged.
        with self.server() as s:
            kept = s.post("/v1/experiments", dict(EXP, name="kept"))
            self.assertEqual(kept.status, 201, kept)
            self.fault("EIO fsync")
            r = s.post("/v1/experiments", dict(EXP, name="unconfirmed"))
            detail = assert_problem(self, r, 503)["detail"]
            self.assertIn("may or may not have been kept", detail)
            self.assertNotIn("nothing was changed", detail)
            s.stop(signal.SIGKILL)
            os.unlink(self.control)
        with self.server(shim=False) as s:
            items = s.get("/v1/experiments").json["items"]
            names = [e["name"] for e in items]
            self.assertIn(names, (["kept"], ["unconfirmed", "kept"]))
            for e in items:          # whole, as it would have been answered
                full = s.get("/v1/experiments/" + e["id"]).json
                self.assertEqual(full["params"], EXP["params"])
                self.assertEqual(full["kind"], EXP["kind"])
