"""A damaged database file never crashes psinet: it refuses to start with a
clear message and a non-zero exit, or it serves, and once a request meets the
damage /readyz answers 503 and every write is refused; a row psinet could not
have written answers 503, never 500.

The damage is deterministic: pages chosen and filled by random.Random with a
fixed seed per case, so a failure names a case that can be replayed."""

import os
import random
import shutil
import sqlite3
import struct
import tempfile
import unittest

from harness import SANITIZER_MARKS, Server

PAGE = 4096
EXP_BODY = {"name": "x", "kind": "neuron_activation", "tags": ["t"],
            "params": {"amplitudes": [1, 0], "weights": [[1, 1]],
                       "activation": "relu"}}


def build_database(path):
    """Fills the file at path through psinet: 60 superpositions, 40
    networks (most with weights spilling onto overflow pages) and 100
    experiments with tags, a few hundred rows in all on about 150 pages,
    then deletes 8 networks, leaving free pages. Returns what the sweep
    needs to know: {"sup": [...], "net": [(id, inputs)], "exp": [...]}."""
    known = {"sup": [], "net": [], "exp": []}
    rnd = random.Random(7)
    with Server(db=path, workdir=os.path.dirname(path)) as s:
        for i in range(60):
            n = 2 + i % 7
            r = s.post("/v1/superpositions", {
                "name": "s%d" % i,
                "amplitudes": [[rnd.uniform(-1, 1), rnd.uniform(-1, 1)]
                               for _ in range(n)]})
            assert r.status == 201, r
            known["sup"].append(r.json["id"])
        for i in range(40):
            inputs, hidden = 2 + i % 5, 1 + (i * 37) % 240
            layers = [
                {"weights": [[rnd.uniform(-1, 1) for _ in range(inputs)]
                             for _ in range(hidden)],
                 "bias": [rnd.uniform(-1, 1) for _ in range(hidden)],
                 "activation": "tanh"},
                {"weights": [[rnd.uniform(-1, 1) for _ in range(hidden)]
                             for _ in range(3)],
                 "activation": "leaky_relu", "params": {"alpha": 0.1}},
            ]
            r = s.post("/v1/networks", {"name": "n%d" % i, "layers": layers})
            assert r.status == 201, r
            known["net"].append((r.json["id"], inputs))
        for i in range(100):
            body = dict(EXP_BODY, name="e%d" % i, tags=["t%d" % (i % 9), "all"])
            r = s.post("/v1/experiments", body)
            assert r.status == 201, r
            known["exp"].append(r.json["id"])
        for nid, _ in known["net"][:8]:
            assert s.delete("/v1/networks/" + nid).status == 204
        del known["net"][:8]
    return known


def smash(path, rnd, pages, page_count):
    """Overwrites each of pages (numbered from 1) of the file at path with
    random bytes, zeros, or a copy of another page (a misdirected write),
    as rnd chooses."""
    with open(path, "r+b") as f:
        for page in pages:
            how = rnd.choice(("random", "zeros", "copy"))
            if how == "random":
                data = bytes(rnd.getrandbits(8) for _ in range(PAGE))
            elif how == "zeros":
                data = bytes(PAGE)
            else:
                f.seek((rnd.randrange(1, page_count + 1) - 1) * PAGE)
                data = f.read(PAGE).ljust(PAGE, b"\0")
            f.seek((page - 1) * PAGE)
            f.write(data)


class Sweep:
    """Requests every list and item of a damaged server, then a few writes,
    checking what must hold whatever the damage: no 500, the process alive,
    and once any request met the damage, /readyz 503 and writes refused."""

    def __init__(self, test, server, known, case):
        self.t, self.s, self.known, self.case = test, server, known, case
        self.damage_seen = False

    def check(self, method, path, body=None):
        r = self.s.request(method, path, body)
        what = "%s: %s %s -> %r" % (self.case, method, path, r)
        self.t.assertNotEqual(r.status, 500, what)
        self.t.assertTrue(r.status < 500 or r.status == 503, what)
        if r.status == 503:
            self.t.assertIn("damaged", r.json["detail"], what)
            self.damage_seen = True
        self.t.assertIsNone(self.s.proc.poll(), "psinet died: " + what)
        return r

    def list_all(self, path):
        url = path + "?limit=100"
        for _ in range(100):
            r = self.check("GET", url)
            if r.status != 200 or not r.json["next_cursor"]:
                return
            url = path + "?limit=100&cursor=" + r.json["next_cursor"]

    def reads(self):
        for path in ("/v1/superpositions", "/v1/networks", "/v1/experiments"):
            self.list_all(path)
        for i, sid in enumerate(self.known["sup"]):
            self.check("GET", "/v1/superpositions/" + sid)
            if i % 4 == 0:
                self.check("POST", "/v1/superpositions/%s/measure" % sid,
                           {"shots": 10, "seed": 1})
        for i, (nid, inputs) in enumerate(self.known["net"]):
            self.check("GET", "/v1/networks/" + nid)
            if i % 3 == 0:
                self.check("GET", "/v1/networks/%s?include=weights" % nid)
                self.check("POST", "/v1/networks/%s/forward" % nid,
                           {"input": [0.5] * inputs})
        for eid in self.known["exp"]:
            self.check("GET", "/v1/experiments/" + eid)

    def readiness(self):
        r = self.check("GET", "/readyz")
        if self.damage_seen:
            self.t.assertEqual(r.status, 503, self.case)
        else:
            self.t.assertEqual(r.status, 200, "%s: %r" % (self.case, r))

    def writes(self):
        nid = self.known["net"][-1][0]
        eid = self.known["exp"][-1]
        writes = [
            ("POST", "/v1/superpositions", {"amplitudes": [1, 1]}),
            ("POST", "/v1/experiments", EXP_BODY),
            ("PATCH", "/v1/experiments/" + eid, {"name": "renamed"}),
            ("DELETE", "/v1/networks/" + nid, None),
        ]
        for method, path, body in writes:
            before = self.damage_seen
            r = self.check(method, path, body)
            if before:
                self.t.assertEqual(r.status, 503, "%s: %s %s after damage: %r"
                                   % (self.case, method, path, r))
        if self.damage_seen:
            r = self.check("GET", "/readyz")
            self.t.assertEqual(r.status, 503, self.case)

    def run(self):
        self.reads()
        self.readiness()
        self.writes()


class DamagedPages(unittest.TestCase):
    """Random pages of a database of a few hundred rows overwritten, with
    the server stopped (at rest) or running (under it)."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="psinet-corrupt-")
        cls.clean = os.path.join(cls.dir, "clean.db")
        cls.known = build_database(cls.clean)
        con = sqlite3.connect(cls.clean)
        cls.pages = con.execute("PRAGMA page_count").fetchone()[0]
        con.close()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def copy(self, name):
        path = os.path.join(self.dir, name)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        shutil.copyfile(self.clean, path)
        return path

    def test_the_fixture_is_a_few_hundred_rows_on_many_pages(self):
        self.assertGreater(self.pages, 100)
        with Server(db=self.copy("intact.db"), workdir=self.dir) as s:
            sweep = Sweep(self, s, self.known, "intact")
            sweep.run()
            self.assertFalse(sweep.damage_seen)

    def test_damaged_at_rest_refuses_to_start_or_serves_safely(self):
        refused = started = noticed = 0
        for seed in range(1, 25):
            rnd = random.Random(seed)
            pages = sorted(rnd.sample(range(1, self.pages + 1),
                                      rnd.randint(1, 3)))
            case = "at rest, seed %d, pages %s" % (seed, pages)
            with self.subTest(case=case):
                db = self.copy("rest%d.db" % seed)
                smash(db, rnd, pages, self.pages)
                s = Server(db=db, workdir=self.dir)
                try:
                    status = s.start_or_exit()
                    if status is not None:
                        refused += 1
                        log = "\n".join(s.log_lines)
                        self.assertEqual(status, 1, case + "\n" + log)
                        for mark in SANITIZER_MARKS:
                            self.assertNotIn(mark, log, case)
                        self.assertIn("cannot use %s: the file is damaged"
                                      % db, log, case)
                        continue
                    started += 1
                    sweep = Sweep(self, s, self.known, case)
                    sweep.run()
                    noticed += sweep.damage_seen
                    s.stop()  # exits 0 after SIGTERM, no sanitizer report
                finally:
                    s.cleanup()
        # Both outcomes are fine; quick_check makes refusal the common one.
        self.assertGreater(refused, 0)
        print("(at rest: %d refused to start, %d served, %d of them noticing"
              " the damage)" % (refused, started, noticed), end=" ", flush=True)

    def test_damaged_under_a_running_server_is_noticed_by_reads(self):
        noticed = 0
        for seed in range(101, 107):
            rnd = random.Random(seed)
            # Not page 1: the write that makes the server drop its cached
            # pages needs it.
            pages = sorted(rnd.sample(range(2, self.pages + 1),
                                      rnd.randint(1, 3)))
            case = "running, seed %d, pages %s" % (seed, pages)
            with self.subTest(case=case):
                db = self.copy("run%d.db" % seed)
                s = Server(db=db, workdir=self.dir).start()
                try:
                    self.assertEqual(s.get("/v1/networks").status, 200)
                    con = sqlite3.connect(db, timeout=10,
                                          isolation_level=None)
                    try:
                        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                        smash(db, rnd, pages, self.pages)
                        # Another writer: the server's connections see the
                        # file changed and drop the pages they cached.
                        con.execute("PRAGMA user_version = %d" % seed)
                    finally:
                        con.close()
                    sweep = Sweep(self, s, self.known, case)
                    sweep.run()
                    noticed += sweep.damage_seen
                    s.stop()
                finally:
                    s.cleanup()
        self.assertGreater(noticed, 0)
        print("(running: %d of 6 noticed the damage)" % noticed, end=" ",
              flush=True)


def craft(db, sql_and_args):
    con = sqlite3.connect(db, isolation_level=None)
    try:
        for sql, args in sql_and_args:
            con.execute(sql, args)
    finally:
        con.close()


class CraftedRows(unittest.TestCase):
    """Rows whose BLOBs do not match their shapes, written by someone other
    than psinet: every request that reads one answers 503, never 500 or a
    crash, and the rows that are intact still read."""

    def test_every_read_of_a_crafted_row_is_503(self):
        d = tempfile.mkdtemp(prefix="psinet-crafted-")
        db = os.path.join(d, "crafted.db")
        try:
            ids = {}
            with Server(db=db, workdir=d) as s:
                def net(name, layers):
                    r = s.post("/v1/networks", {"name": name, "layers": layers})
                    self.assertEqual(r.status, 201, r)
                    ids[name] = r.json["id"]

                def sup(name, amplitudes):
                    r = s.post("/v1/superpositions", {
                        "name": name, "amplitudes": amplitudes,
                        "labels": ["a", "b", "c"][:len(amplitudes)]})
                    self.assertEqual(r.status, 201, r)
                    ids[name] = r.json["id"]

                one = [{"weights": [[1] * 8], "activation": "relu"}]
                two = [{"weights": [[1, 2, 3], [4, 5, 6]], "bias": [1, 2],
                        "activation": "relu"},
                       {"weights": [[1, 1]], "activation": "identity"}]
                for name in ("wrap", "chain", "nan", "bias", "intact"):
                    net("net_" + name, one if name == "wrap" else two)
                for name in ("dim", "wrap", "labels", "utf8", "twice", "norm",
                             "intact"):
                    sup("sup_" + name, [1, 0, [0, 1]])
                r = s.post("/v1/experiments", EXP_BODY)
                ids["exp_json"] = r.json["id"]

            layer = ("UPDATE network_layers SET {} WHERE position = ? AND"
                     " network_seq = (SELECT seq FROM networks WHERE id = ?)")
            sup_set = "UPDATE superpositions SET {} WHERE id = ?"
            nan = struct.pack("<d", float("nan"))
            craft(db, [
                # The audit's case: rows * cols * 8 wraps around to 64.
                (layer.format("rows = 2305843009213693953, cols = 8,"
                              " weights = zeroblob(64)"), (0, ids["net_wrap"])),
                (layer.format("cols = 3, weights = zeroblob(24)"),
                 (1, ids["net_chain"])),
                (layer.format("weights = ?"),
                 (nan + bytes(40), 0, ids["net_nan"])),
                (layer.format("bias = zeroblob(8)"), (0, ids["net_bias"])),
                (sup_set.format("dimension = 4"), (ids["sup_dim"],)),
                (sup_set.format("dimension = 1152921504606846977,"
                                " amplitudes = zeroblob(16)"),
                 (ids["sup_wrap"],)),
                (sup_set.format("labels = ?"), (b"a\0b\0", ids["sup_labels"])),
                (sup_set.format("labels = ?"),
                 (b"a\0\xff\0c\0", ids["sup_utf8"])),
                (sup_set.format("labels = ?"), (b"a\0b\0a\0", ids["sup_twice"])),
                (sup_set.format("norm = 0.5"), (ids["sup_norm"],)),
                ("UPDATE experiments SET params = '{\"a\":' WHERE id = ?",
                 (ids["exp_json"],)),
            ])

            with Server(db=db, workdir=d) as s:
                def assert_503(method, path, body=None):
                    r = s.request(method, path, body)
                    self.assertEqual(r.status, 503, "%s %s: %r"
                                     % (method, path, r))
                    self.assertIn("damaged", r.json["detail"])
                    self.assertIsNone(s.proc.poll())

                self.assertEqual(s.get("/readyz").status, 200)  # not seen yet
                for name in ("wrap", "chain", "nan", "bias"):
                    nid = ids["net_" + name]
                    assert_503("GET", "/v1/networks/%s?include=weights" % nid)
                    assert_503("POST", "/v1/networks/%s/forward" % nid,
                               {"input": [1] * 8})
                for name in ("wrap", "chain", "bias"):  # wrong shapes
                    assert_503("GET", "/v1/networks/" + ids["net_" + name])
                for name in ("dim", "wrap", "labels", "utf8", "twice", "norm"):
                    sid = ids["sup_" + name]
                    assert_503("GET", "/v1/superpositions/" + sid)
                    assert_503("POST", "/v1/superpositions/%s/measure" % sid,
                               {"shots": 5})
                assert_503("GET", "/v1/experiments/" + ids["exp_json"])
                assert_503("POST", "/v1/experiments/%s/rerun"
                           % ids["exp_json"])
                for path in ("/v1/networks", "/v1/superpositions",
                             "/v1/experiments"):
                    assert_503("GET", path)

                # Reads of intact rows go on; readiness and writes do not.
                self.assertEqual(
                    s.get("/v1/networks/" + ids["net_intact"]).status, 200)
                r = s.post("/v1/networks/%s/forward" % ids["net_intact"],
                           {"input": [1, 1, 1]})
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json["output"], [24.0])
                self.assertEqual(
                    s.get("/v1/superpositions/" + ids["sup_intact"]).status,
                    200)
                r = s.get("/readyz")
                self.assertEqual(r.status, 503)
                self.assertEqual(r.header("content-type"),
                                 "application/problem+json")
                self.assertIn("damaged", r.json["detail"])
                assert_503("POST", "/v1/superpositions", {"amplitudes": [1]})
                assert_503("DELETE", "/v1/networks/" + ids["net_intact"])
        finally:
            shutil.rmtree(d, ignore_errors=True)
