"""Crash consistency: clients create, edit and delete experiments
concurrently while the server is killed with SIGKILL at random moments,
several times. After each kill the database file passes PRAGMA
integrity_check (read with Python's sqlite3, the server stopped), and after
each restart:

- every experiment whose 201 a client received is there, with its kind,
  params, result and created_at exactly as acknowledged;
- every PATCH whose 200 a client received is visible: the row shows the
  acknowledged name, notes and tags, or those of a later request;
- every experiment whose DELETE got its 204 is gone;
- nothing else is there but what requests in flight at the kill (their
  answers never arrived) may or may not have done.

Each writer edits and deletes only experiments it created itself, so its
requests are ordered: at most one of them, the one in flight at the kill,
has an unknown outcome, and what the restarted server shows settles it.
The moments of the kills and the choices of the writers come from a fixed
seed."""

import os
import random
import shutil
import signal
import sqlite3
import tempfile
import threading
import time
import unittest

from harness import Server, sqlite_only

ROUNDS = 6
WRITERS = 4
SEED = 20261125
MUTABLE = ("name", "notes", "tags")
IMMUTABLE = ("id", "kind", "params", "result", "created_at")


class Writer:
    """One client: its own experiments, its request in flight, and what
    the server acknowledged to it."""

    def __init__(self, n, round_no, model):
        self.n = n
        self.round_no = round_no
        self.rng = random.Random(SEED * 1000 + round_no * 10 + n)
        self.model = model
        self.own = [i for i, e in model.live.items() if e["owner"] == n]
        self.inflight = None      # (op, id or None, payload)
        self.errors = []
        self.counts = {"create": 0, "patch": 0, "delete": 0}

    def create_body(self, i):
        name = "r%d-w%d-%d" % (self.round_no, self.n, i)
        if i % 3 == 0:
            return {"name": name, "kind": "layer_superposition",
                    "tags": ["crash", "w%d" % self.n],
                    "params": {"layer": {"weights": [[1, 0.5], [i % 5, 1],
                                                     [0.25, -1]],
                                         "bias": [0, 0.1, i / 7],
                                         "activation": "sigmoid"},
                               "input": [0.5, -(i % 11)],
                               "mapping": "softmax_sqrt",
                               "shots": 50, "seed": i}}
        body = {"name": name, "kind": "neuron_activation",
                "tags": ["crash"],
                "params": {"amplitudes": [1, i % 7 + 1],
                           "weights": [[1, 0], [0, 1], [1, -i]],
                           "activation": "tanh"}}
        if i % 2:
            body["notes"] = "note %d of writer %d" % (i, self.n)
        return body

    def patch_body(self, i):
        fields = self.rng.sample(MUTABLE, self.rng.randint(1, 3))
        body = {}
        if "name" in fields:
            body["name"] = "p-r%d-w%d-%d" % (self.round_no, self.n, i)
        if "notes" in fields:
            body["notes"] = (None if self.rng.random() < 0.3 else
                             "edited %d by writer %d" % (i, self.n))
        if "tags" in fields:
            body["tags"] = ["t%d" % self.rng.randint(0, 9)
                            for _ in range(self.rng.randint(0, 2))]
            body["tags"] = sorted(set(body["tags"]))
        return body

    def run(self, server, stop):
        i = 0
        while not stop.is_set():
            i += 1
            x = self.rng.random()
            if not self.own or x < 0.5:
                op, eid, payload = "create", None, self.create_body(i)
            elif x < 0.8:
                op, eid = "patch", self.rng.choice(self.own)
                payload = self.patch_body(i)
            else:
                op, eid, payload = "delete", self.rng.choice(self.own), None
            self.inflight = (op, eid, payload)
            try:
                if op == "create":
                    r = server.post("/v1/experiments", payload, timeout=10)
                elif op == "patch":
                    r = server.patch("/v1/experiments/" + eid, payload,
                                     timeout=10)
                else:
                    r = server.delete("/v1/experiments/" + eid, timeout=10)
            except OSError:
                return            # the server is gone: outcome unknown
            self.inflight = None
            expected = {"create": 201, "patch": 200, "delete": 204}[op]
            if r.status == 503:   # refused (busy): nothing was changed
                continue
            if r.status != expected:
                self.errors.append((op, eid, payload, r))
                return
            self.counts[op] += 1
            self.model.acknowledge(self.n, op, eid, r)
            if op == "create":
                self.own.append(r.json["id"])
            elif op == "delete":
                self.own.remove(eid)


class Model:
    """What the clients were told: the acknowledged state of every
    experiment, and the ones acknowledged deleted."""

    def __init__(self):
        self.lock = threading.Lock()
        self.live = {}            # id -> {"owner", "row": the last answer}
        self.gone = set()
        self.gone_last_round = set()

    def acknowledge(self, owner, op, eid, r):
        with self.lock:
            if op == "create":
                self.live[r.json["id"]] = {"owner": owner, "row": r.json}
            elif op == "patch":
                self.live[eid]["row"] = r.json
            else:
                del self.live[eid]
                self.gone.add(eid)
                self.gone_last_round.add(eid)


def list_all(server):
    items, cursor = {}, None
    while True:
        path = "/v1/experiments?limit=500"
        if cursor:
            path += "&cursor=" + cursor
        r = server.get(path)
        assert r.status == 200, r
        for item in r.json["items"]:
            items[item["id"]] = item
        cursor = r.json["next_cursor"]
        if not cursor:
            return items


@sqlite_only
class Crash(unittest.TestCase):
    def check_file(self, db):
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(),
                             [("ok",)])
            self.assertEqual(con.execute("PRAGMA foreign_key_check")
                             .fetchall(), [])
        finally:
            con.close()

    def verify(self, server, model, inflight):
        """Checks what the server shows against the model, then settles
        the requests in flight at the kill by what it shows."""
        shown = list_all(server)
        pending = {}              # id -> the in-flight (op, payload) on it
        created = {}              # name -> body of an in-flight create
        for op, eid, payload in inflight:
            if op == "create":
                created[payload["name"]] = payload
            else:
                pending[eid] = (op, payload)
        for eid, entry in list(model.live.items()):
            acked = entry["row"]
            op, payload = pending.get(eid, (None, None))
            row = shown.pop(eid, None)
            if row is None:
                self.assertEqual(op, "delete", "acknowledged %s is missing"
                                 % eid)
                del model.live[eid]
                model.gone.add(eid)
                continue
            for k in IMMUTABLE:
                self.assertEqual(row[k], acked[k], (eid, k))
            now = {k: row[k] for k in MUTABLE}
            was = {k: acked[k] for k in MUTABLE}
            if now != was:
                self.assertEqual(op, "patch", (eid, was, now))
                self.assertEqual(now, dict(was, **payload), eid)
            if now != was or (op == "patch" and dict(was, **payload) == was):
                # the patch in flight may have run (and stamped the row)
                self.assertGreaterEqual(row["updated_at"],
                                        acked["updated_at"])
            else:
                self.assertEqual(row["updated_at"], acked["updated_at"], eid)
            entry["row"] = row
        for eid in model.gone:
            self.assertNotIn(eid, shown, "deleted %s is back" % eid)
        for eid in model.gone_last_round:
            self.assertEqual(server.get("/v1/experiments/" + eid).status, 404)
        model.gone_last_round = set()
        for eid, row in shown.items():  # only unacknowledged creates
            self.assertIn(row["name"], created, "unexpected %s" % row)
            sent = created.pop(row["name"])
            self.assertEqual(row["kind"], sent["kind"])
            self.assertEqual(row["params"], sent["params"])
            self.assertEqual(row["tags"], sent["tags"])
            model.live[eid] = {"owner": None, "row": row}

    def test_acknowledged_writes_survive_sigkill(self):
        rng = random.Random(SEED)
        d = tempfile.mkdtemp(prefix="psinet-crash-")
        db = os.path.join(d, "crash.db")
        model = Model()
        inflight = []
        totals = {"create": 0, "patch": 0, "delete": 0}
        try:
            for round_no in range(ROUNDS):
                s = Server(db=db, workdir=d).start()
                try:
                    self.verify(s, model, inflight)
                    writers = [Writer(n, round_no, model)
                               for n in range(WRITERS)]
                    stop = threading.Event()
                    threads = [threading.Thread(target=w.run, args=(s, stop))
                               for w in writers]
                    for t in threads:
                        t.start()
                    time.sleep(rng.uniform(0.2, 1.0))
                    s.proc.send_signal(signal.SIGKILL)   # no goodbye
                    s.proc.wait()
                    stop.set()
                    for t in threads:
                        t.join(30)
                        self.assertFalse(t.is_alive())
                    s.proc = None
                finally:
                    s.cleanup()
                for w in writers:
                    self.assertEqual(w.errors, [])
                    for k, v in w.counts.items():
                        totals[k] += v
                inflight = [w.inflight for w in writers if w.inflight]
                self.check_file(db)
            with Server(db=db, workdir=d) as s:
                self.verify(s, model, inflight)
            self.check_file(db)
            # Enough happened for the checks to mean something.
            self.assertGreater(totals["create"], ROUNDS * WRITERS, totals)
            self.assertGreater(totals["patch"], ROUNDS, totals)
            self.assertGreater(totals["delete"], ROUNDS, totals)
        finally:
            shutil.rmtree(d, ignore_errors=True)
