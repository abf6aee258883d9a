"""psinet on PostgreSQL: several replicas on one database, the database
going away and coming back, lock timeouts, and passwords kept out of logs.

Runs in the PostgreSQL pass of the suite only (PSINET_TEST_PG, which `make
test` sets after starting a throwaway server with tests/pg/server.sh)."""

import os
import re
import signal
import subprocess
import threading
import time
import unittest

from harness import PG, Server, assert_problem, new_pg_database, pg_admin

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_SH = os.path.join(HERE, "..", "pg", "server.sh")
MIGRATIONS = os.path.join(HERE, "..", "..", "migrations", "postgresql")

EXPERIMENT = {"name": "x", "kind": "neuron_activation",
              "params": {"amplitudes": [1], "weights": [[1]],
                         "activation": "relu"}}
NETWORK = {"layers": [{"weights": [[2, -1]], "bias": [0.5],
                       "activation": "identity"}]}


def psql(conninfo, sql):
    """The rows psql prints for sql on the database conninfo names."""
    out = subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1",
                          conninfo, "-c", sql], check=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return out.stdout.decode().split()


def drop_database(conninfo):
    pg_admin("DROP DATABASE IF EXISTS %s WITH (FORCE)"
             % conninfo.rsplit("dbname=", 1)[1])


def replicas(n, db, *args):
    """n servers on the one database db, started together."""
    servers = [Server(*args, db=db) for _ in range(n)]
    errors = []

    def start(s):
        try:
            s.start()
        except Exception as e:  # reported below
            errors.append(e)
    threads = [threading.Thread(target=start, args=(s,)) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        for s in servers:
            s.cleanup()
        raise errors[0]
    return servers


def stop_all(servers):
    try:
        for s in servers:
            s.stop()
    finally:
        for s in servers:
            s.cleanup()


@unittest.skipUnless(PG, "PostgreSQL pass only (PSINET_TEST_PG)")
class Replicas(unittest.TestCase):
    def setUp(self):
        self.db = new_pg_database()
        self.servers = replicas(3, self.db)

    def tearDown(self):
        try:
            stop_all(self.servers)
        finally:
            drop_database(self.db)

    def test_three_replicas_started_together_migrated_the_database_once(self):
        versions = psql(self.db, "SELECT version FROM schema_migrations"
                                 " ORDER BY version")
        known = sorted(int(f.split("_")[0]) for f in os.listdir(MIGRATIONS)
                       if f.endswith(".sql"))
        self.assertEqual(versions, [str(v) for v in known])
        self.assertEqual(len(known), len(set(known)))
        for s in self.servers:
            self.assertEqual(s.get("/readyz").status, 200)

    def test_writes_through_one_are_read_through_the_others(self):
        a, b, c = self.servers
        sup = a.post("/v1/superpositions",
                     {"amplitudes": [0.1, -2.5e-300], "labels": ["x", "y"],
                      "normalize": False}).json
        exp = b.post("/v1/experiments", EXPERIMENT).json
        net = c.post("/v1/networks", NETWORK).json
        for s in self.servers:
            got = s.get("/v1/superpositions/" + sup["id"]).json
            self.assertEqual(got["amplitudes"], [[0.1, 0.0], [-2.5e-300, 0.0]])
            self.assertEqual(s.get("/v1/experiments/" + exp["id"]).json,
                             exp)
            r = s.post("/v1/networks/%s/forward" % net["id"],
                       {"input": [1, 2]})
            self.assertEqual(r.json["output"], [0.5], r)
        # a cursor made by one replica is good on the others
        page = a.get("/v1/experiments?limit=1").json
        self.assertIsNone(page["next_cursor"])
        b.post("/v1/experiments", EXPERIMENT)
        page = c.get("/v1/experiments?limit=1").json
        self.assertIsNotNone(page["next_cursor"])
        rest = a.get("/v1/experiments?limit=1&cursor=" +
                     page["next_cursor"]).json
        self.assertEqual(rest["items"][0]["id"], exp["id"])

    def test_a_walk_through_alternating_replicas_sees_every_row_once(self):
        a, b, c = self.servers
        for _ in range(40):
            self.assertEqual(a.post("/v1/experiments", EXPERIMENT).status,
                             201)
        stop = threading.Event()
        failures = []

        def write(s):
            while not stop.is_set():
                r = s.post("/v1/experiments", EXPERIMENT)
                if r.status != 201:
                    failures.append(r)
        writers = [threading.Thread(target=write, args=(s,))
                   for s in (b, c, b, c)]
        for t in writers:
            t.start()
        seen = []
        try:
            cursor, turn = None, 0
            while True:
                s = self.servers[turn % 3]
                turn += 1
                path = "/v1/experiments?limit=3"
                if cursor:
                    path += "&cursor=" + cursor
                page = s.get(path).json
                seen += [e["id"] for e in page["items"]]
                cursor = page["next_cursor"]
                if not cursor:
                    break
        finally:
            stop.set()
            for t in writers:
                t.join()
        self.assertEqual(failures, [])
        self.assertEqual(len(seen), len(set(seen)), "a row seen twice")
        # Every row older than the first the walk saw is in the walk: no
        # row that committed late was passed over.
        everything, cursor = [], None
        while True:
            path = "/v1/experiments?limit=500"
            if cursor:
                path += "&cursor=" + cursor
            page = a.get(path).json
            everything += [e["id"] for e in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        older = everything[everything.index(seen[0]):]
        self.assertEqual(seen, older)
        self.assertGreaterEqual(len(seen), 40)

    def test_a_network_deleted_through_one_is_refused_by_the_others(self):
        a, b, c = self.servers
        net = a.post("/v1/networks", NETWORK).json
        forward = "/v1/networks/%s/forward" % net["id"]
        for s in self.servers:  # each replica now holds it in memory
            self.assertEqual(s.post(forward, {"input": [1, 1]}).status, 200)
            self.assertEqual(s.post(forward, {"input": [1, 1]}).status, 200)
        self.assertEqual(a.delete("/v1/networks/" + net["id"]).status, 204)
        for s in (b, c):
            assert_problem(self, s.post(forward, {"input": [1, 1]}), 404)
            assert_problem(self, s.get("/v1/networks/" + net["id"]), 404)

    def test_sigkill_of_a_replica_mid_write_loses_no_acknowledged_write(self):
        a, b, c = self.servers
        acknowledged = []
        lock = threading.Lock()

        def write():
            while True:
                try:
                    r = a.post("/v1/experiments", EXPERIMENT, timeout=5)
                except OSError:
                    return  # the replica is gone
                if r.status == 201:
                    with lock:
                        acknowledged.append(r.json["id"])
        writers = [threading.Thread(target=write) for _ in range(4)]
        for t in writers:
            t.start()
        time.sleep(1.0)
        a.proc.send_signal(signal.SIGKILL)
        for t in writers:
            t.join()
        a.proc.wait()
        a.proc = None
        self.assertGreater(len(acknowledged), 10)
        for i, exp_id in enumerate(acknowledged):
            s = (b, c)[i % 2]
            self.assertEqual(s.get("/v1/experiments/" + exp_id).status, 200,
                             exp_id)
        self.servers = [b, c]
        a.cleanup()


@unittest.skipUnless(PG, "PostgreSQL pass only (PSINET_TEST_PG)")
class Errors(unittest.TestCase):
    def test_a_lock_held_past_the_busy_timeout_is_503_then_writes_go_on(self):
        with Server("--busy-timeout", "300") as s:
            self.assertEqual(s.post("/v1/experiments", EXPERIMENT).status,
                             201)
            # Another client holds the lock experiments are created under.
            holder = subprocess.Popen(
                ["psql", "-qAtX", s.db], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                holder.stdin.write(
                    b"BEGIN; SELECT pg_advisory_xact_lock(1886613108, 3);\n"
                    b"SELECT 'held';\n")
                holder.stdin.flush()
                self.assertEqual(holder.stdout.readline().strip(), b"")
                self.assertEqual(holder.stdout.readline().strip(), b"held")
                r = s.post("/v1/experiments", EXPERIMENT)
                assert_problem(self, r, 503)
                self.assertEqual(r.header("retry-after"), "1")
            finally:
                holder.stdin.write(b"ROLLBACK;\n")
                holder.stdin.close()
                holder.wait(10)
                holder.stdout.close()
                holder.stderr.close()
            self.assertEqual(s.post("/v1/experiments", EXPERIMENT).status,
                             201)
            self.assertEqual(len(s.get("/v1/experiments").json["items"]), 2)

    def test_a_read_only_database_is_503_for_writes_and_serves_reads(self):
        with Server() as s:
            self.assertEqual(s.post("/v1/experiments", EXPERIMENT).status,
                             201)
            name = s.db.rsplit("dbname=", 1)[1].split()[0]

            def sessions_read_only(on):
                # New sessions take the setting; psinet's are ended so
                # that it reconnects into them.
                pg_admin("ALTER DATABASE %s %s" % (
                    name, "SET default_transaction_read_only = on" if on
                    else "RESET default_transaction_read_only"))
                pg_admin("SELECT pg_terminate_backend(pid) FROM "
                         "pg_stat_activity WHERE datname = '%s'" % name)

            def write_until(status, limit=20):
                for _ in range(limit):
                    r = s.post("/v1/experiments", EXPERIMENT)
                    if r.status == status and (
                            status != 503 or "read-only" in r.json["detail"]
                            or "readonly" in r.json["detail"]):
                        return r
                    time.sleep(0.2)
                self.fail("no %d in %d writes: last %r" % (status, limit, r))

            sessions_read_only(True)
            try:
                r = write_until(503)
                assert_problem(self, r, 503)
                self.assertEqual(r.header("retry-after"), "5")
                self.assertIn("nothing was changed", r.json["detail"])
                # What is stored is still served.
                listed = s.get("/v1/experiments")
                self.assertEqual(listed.status, 200, listed)
                self.assertEqual(len(listed.json["items"]), 1)
            finally:
                sessions_read_only(False)
            write_until(201)
            self.assertEqual(len(s.get("/v1/experiments").json["items"]), 2)

    def test_the_password_of_a_uri_is_never_logged_nor_in_metrics(self):
        db = new_pg_database()
        fields = dict(kv.split("=", 1) for kv in db.split())
        uri = "postgresql://%s:pw-s3cret-42@/%s?host=%s&port=%s" % (
            fields["user"], fields["dbname"], fields["host"], fields["port"])
        with Server(db=uri) as s:
            self.assertEqual(s.post("/v1/experiments", EXPERIMENT).status,
                             201)
            metrics = s.get("/metrics").body.decode()
            text = s.log()
            self.assertIn(fields["dbname"], text)
        self.assertNotIn("pw-s3cret-42", text)
        self.assertNotIn("pw-s3cret-42", metrics)
        # nor when the database cannot be used
        bad = uri.replace(fields["dbname"], "no_such_database")
        s = Server(db=bad)
        try:
            self.assertEqual(s.start_or_exit(), 1)
            text = "\n".join(s.log_lines)
            self.assertIn("no_such_database", text)
            self.assertNotIn("pw-s3cret-42", text)
        finally:
            s.cleanup()
            drop_database(db)


@unittest.skipUnless(PG, "PostgreSQL pass only (PSINET_TEST_PG)")
class ServerStopped(unittest.TestCase):
    def test_the_database_stopped_under_load_is_503_then_recovers(self):
        pg_dir = re.search(r"host=(\S+)", PG).group(1)
        with Server() as s:
            net = s.post("/v1/networks", NETWORK).json
            statuses = []
            stop = threading.Event()

            def load():
                while not stop.is_set():
                    try:
                        r = s.post("/v1/experiments", EXPERIMENT, timeout=10)
                    except OSError as e:
                        statuses.append(str(e))
                        continue
                    statuses.append(r.status)
                    if r.status == 503:
                        if r.header("retry-after") is None:
                            statuses.append("503 without Retry-After")
                        time.sleep(0.02)
            threads = [threading.Thread(target=load) for _ in range(3)]
            for t in threads:
                t.start()
            time.sleep(0.5)
            try:
                subprocess.run(["sh", SERVER_SH, "halt", pg_dir], check=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                time.sleep(0.5)
                r = s.get("/readyz")
                assert_problem(self, r, 503)
            finally:
                subprocess.run(["sh", SERVER_SH, "resume", pg_dir],
                               check=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            time.sleep(1.0)
            stop.set()
            for t in threads:
                t.join()
            self.assertIn(201, statuses)
            self.assertIn(503, statuses)
            self.assertTrue(set(statuses) <= {201, 503}, set(statuses))
            # recovered, without a restart of psinet
            deadline = time.monotonic() + 10
            while s.get("/readyz").status != 200:
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.1)
            self.assertEqual(s.post("/v1/experiments", EXPERIMENT).status,
                             201)
            r = s.post("/v1/networks/%s/forward" % net["id"],
                       {"input": [1, 2]})
            self.assertEqual(r.status, 200, r)

