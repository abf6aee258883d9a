"""Group commit (--group-commit on, the default): the experiments that
concurrent requests create are committed together, and each 201 is sent
only once its row is durable.

- 32 clients writing at once: every id answered 201 is readable, with what
  was sent, and ids and created_at follow list order;
- SIGKILL in the middle of a burst of 32 writers: every id answered 201 is
  there after a restart (the answer waited for the COMMIT);
- SIGTERM in the middle of a burst: the server drains the writer, exits 0
  (under the sanitizers: with nothing leaked) and every id answered 201 is
  there after a restart; every other request got a 503 or its connection
  closed;
- clients that go away while their answer waits: nothing is lost or
  leaked, and the server goes on serving;
- --group-commit off writes the same rows, one commit each.

No timing is asserted: the rates are bench/bench.py's."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
import time
import unittest

from harness import PG, Server

CLIENTS = 32


def body(name, i):
    return {"name": name, "kind": "neuron_activation",
            "tags": ["gc", "c%d" % (i % 7)],
            "params": {"amplitudes": [0.6, 0.8],
                       "weights": [[1, i % 3], [0, 1]],
                       "activation": "sigmoid"}}


class Client(threading.Thread):
    """Creates experiments on one keep-alive connection, one after the
    other, until `count` are sent or stop is set; keeps what was
    acknowledged and what else came back."""

    def __init__(self, port, n, count, stop=None):
        super().__init__(daemon=True)
        self.port, self.n, self.count = port, n, count
        self.stop = stop or threading.Event()
        self.acked = {}     # id -> (name, the body sent, the answer)
        self.statuses = []  # every status but 201
        self.broken = 0     # requests whose connection failed

    def run(self):
        conn = None
        for i in range(self.count):
            if self.stop.is_set():
                break
            name = "c%d-%d" % (self.n, i)
            sent = body(name, i)
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                      timeout=30)
                conn.request("POST", "/v1/experiments", json.dumps(sent),
                             {"Content-Type": "application/json"})
                r = conn.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException):
                self.broken += 1
                if conn is not None:
                    conn.close()
                conn = None
                if self.stop.is_set():
                    break
                time.sleep(0.05)
                continue
            if r.status == 201:
                answer = json.loads(data)
                self.acked[answer["id"]] = (name, sent, answer)
                if r.getheader("Location") != ("/v1/experiments/"
                                               + answer["id"]):
                    self.statuses.append("bad Location")
            else:
                self.statuses.append(r.status)
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        if conn is not None:
            conn.close()


def run_clients(port, count, stop=None):
    clients = [Client(port, n, count, stop) for n in range(CLIENTS)]
    for c in clients:
        c.start()
    return clients


def group_counts(server):
    """psinet_group_commit_rows_total and _batches_total of /metrics."""
    text = server.get("/metrics", record=False).body.decode()
    rows = re.search(r"^psinet_group_commit_rows_total (\d+)$", text, re.M)
    batches = re.search(r"^psinet_group_commit_batches_total (\d+)$", text,
                        re.M)
    return int(rows.group(1)), int(batches.group(1))


class GroupCommitTest(unittest.TestCase):

    def check_acked(self, server, clients):
        """Every acknowledged experiment is stored as it was answered."""
        acked = {}
        for c in clients:
            acked.update(c.acked)
        for eid, (name, sent, answer) in acked.items():
            r = server.get("/v1/experiments/" + eid, record=False)
            self.assertEqual(r.status, 200, eid)
            row = r.json
            self.assertEqual(row["name"], name)
            self.assertEqual(row["params"], sent["params"])
            self.assertEqual(row["tags"], sent["tags"])
            for k in ("kind", "result", "created_at", "updated_at"):
                self.assertEqual(row[k], answer[k], (eid, k))
        return acked

    def list_all(self, server):
        items, cursor = [], None
        while True:
            path = "/v1/experiments?limit=500"
            if cursor:
                path += "&cursor=" + cursor
            page = server.get(path, record=False).json
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items

    def test_32_writers_every_answered_id_is_stored(self):
        with Server() as s:
            clients = run_clients(s.port, 12)
            for c in clients:
                c.join(120)
                self.assertFalse(c.is_alive())
            for c in clients:
                self.assertEqual(c.statuses, [])
                self.assertEqual(c.broken, 0)
            acked = self.check_acked(s, clients)
            self.assertEqual(len(acked), CLIENTS * 12)
            items = self.list_all(s)
            self.assertEqual({e["id"] for e in items}, set(acked))
            # Newest first: created_at never rises down the list, batches
            # or not.
            stamps = [e["created_at"] for e in items]
            self.assertEqual(stamps, sorted(stamps, reverse=True))
            # 32 clients at once: rows shared their commits (on
            # PostgreSQL each row commits alone).
            rows, batches = group_counts(s)
            if PG:
                self.assertEqual((rows, batches), (0, 0))
            else:
                self.assertGreater(batches, 0)
                self.assertGreaterEqual(rows, 2 * batches)
                self.assertLessEqual(rows, CLIENTS * 12)

    def test_32_writers_of_states_and_networks(self):
        bodies = [
            ("/v1/superpositions", lambda i: {
                "amplitudes": [0.6, [0, 0.8]], "name": "s%d" % i},
             "/v1/superpositions/"),
            ("/v1/networks", lambda i: {
                "name": "n%d" % i,
                "layers": [{"weights": [[1, i], [0, 1]], "bias": [0, 1],
                            "activation": "relu"}]},
             "/v1/networks/"),
            ("/v1/superpositions/apply", lambda i: {
                "state": {"basis": "01"}, "store": True,
                "operations": [{"gate": "x", "qubits": [i % 2]}]},
             "/v1/superpositions/"),
        ]
        with Server() as s:
            acked, errors = [], []
            lock = threading.Lock()

            def write(n):
                for i in range(6):
                    path, make, get = bodies[(n + i) % len(bodies)]
                    r = s.post(path, make(n * 100 + i), record=False)
                    with lock:
                        if r.status == 201:
                            acked.append((get + r.json["id"], r.json))
                        else:
                            errors.append((path, r.status, r.body[:200]))
            threads = [threading.Thread(target=write, args=(n,))
                       for n in range(CLIENTS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            self.assertEqual(errors, [])
            self.assertEqual(len(acked), CLIENTS * 6)
            for path, answer in acked:
                r = s.get(path, record=False)
                self.assertEqual(r.status, 200, path)
                self.assertEqual(r.json["created_at"], answer["created_at"])
                self.assertEqual(r.json.get("name"), answer.get("name"))
            rows, batches = group_counts(s)
            if not PG:
                self.assertGreater(batches, 0)

    def test_group_commit_off_writes_the_same(self):
        with Server("--group-commit", "off") as s:
            clients = run_clients(s.port, 3)
            for c in clients:
                c.join(120)
            for c in clients:
                self.assertEqual(c.statuses, [])
            acked = self.check_acked(s, clients)
            self.assertEqual(len(acked), CLIENTS * 3)
            self.assertEqual(len(self.list_all(s)), CLIENTS * 3)
            self.assertEqual(group_counts(s), (0, 0))  # one commit each

    def test_group_commit_takes_on_or_off_only(self):
        s = Server("--group-commit", "sometimes")
        try:
            self.assertEqual(s.start_or_exit(), 2)
            self.assertIn("--group-commit", s.log())
        finally:
            s.cleanup()

    def burst_then(self, sig):
        """32 writers, the signal in the middle of their burst, then a
        restart on the same database: what the clients saw, and the
        restarted server's list."""
        d = tempfile.mkdtemp(prefix="psinet-gc-")
        db = None if PG else os.path.join(d, "gc.db")
        try:
            s = Server(db=db, workdir=d)
            s.own_pg = False  # the restart below uses the same database
            s.start()
            try:
                stop = threading.Event()
                clients = run_clients(s.port, 100000, stop)
                # Until a good part of the clients have had answers.
                deadline = time.monotonic() + 30
                while (sum(len(c.acked) for c in clients) < 3 * CLIENTS
                       and time.monotonic() < deadline):
                    time.sleep(0.02)
                if sig == signal.SIGKILL:
                    s.proc.send_signal(signal.SIGKILL)  # no goodbye
                    s.proc.wait()
                    s.proc = None
                    status = None
                else:
                    status = s.stop(sig, timeout=60)
                stop.set()
                for c in clients:
                    c.join(60)
                    self.assertFalse(c.is_alive())
            finally:
                s.cleanup()
            with Server(db=s.db, workdir=d) as again:
                acked = self.check_acked(again, clients)
                stored = {e["id"] for e in self.list_all(again)}
            self.assertGreaterEqual(len(acked), 3 * CLIENTS)
            self.assertLessEqual(set(acked), stored)
            # Nothing is there that no client sent: at most one request in
            # flight per client at the signal.
            self.assertLessEqual(len(stored - set(acked)), CLIENTS)
            return clients, status
        finally:
            if PG and db is None:
                name = s.db.rsplit("dbname=", 1)[1]
                from harness import pg_admin
                pg_admin("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
            shutil.rmtree(d, ignore_errors=True)

    def test_sigkill_in_a_burst_keeps_every_answered_row(self):
        self.burst_then(signal.SIGKILL)

    def test_sigterm_in_a_burst_drains_and_answers(self):
        clients, status = self.burst_then(signal.SIGTERM)
        self.assertEqual(status, 0)
        for c in clients:
            for st in c.statuses:  # refused once it began stopping
                self.assertEqual(st, 503)

    def test_clients_gone_while_their_answer_waits(self):
        with Server() as s:
            n = 48
            payload = json.dumps(body("gone", 1)).encode()
            request = (b"POST /v1/experiments HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Type: application/json\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(payload)
                       + payload)
            socks = []
            for _ in range(n):
                sk = socket.create_connection(("127.0.0.1", s.port))
                sk.sendall(request)
                socks.append(sk)
            for sk in socks:  # gone before (most of) their answers
                sk.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                              b"\x01\x00\x00\x00\x00\x00\x00\x00")
                sk.close()
            # A request read whole before its client left is written all
            # the same (the others never arrived): wait until the count
            # stops changing.
            names, before = [], -1
            deadline = time.monotonic() + 30
            while len(names) != before and time.monotonic() < deadline:
                before = len(names)
                time.sleep(0.3)
                names = [e["name"] for e in self.list_all(s)]
            self.assertLessEqual(len(names), n)
            self.assertLessEqual(set(names), {"gone"})
            r = s.post("/v1/experiments", body("after", 2))
            self.assertEqual(r.status, 201)
            self.assertEqual(s.get("/v1/experiments/" + r.json["id"])
                             .status, 200)
            self.assertEqual(s.get("/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
