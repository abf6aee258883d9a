"""Every documented status of every operation, provoked for real, so the
contract check (tests/contract) sees each one: 400, 404, 405, 413, 415,
422 and 503 (a write while another process holds the database's write
lock); the 400 and 413 that any path answers before routing, on every
operation; HEAD wherever GET answers, and OPTIONS on every path."""

import sqlite3
import unittest

from harness import Server, assert_problem, sqlite_only

server = None
ids = {}
H = {"Content-Type": "application/json"}
EXP = {"name": "x", "kind": "neuron_activation", "params": {
    "amplitudes": [1], "weights": [[1]], "activation": "relu"}}
MISSING = {"sup": "sup_aaaaaaaaaaaaaaaaaaaa", "net": "net_aaaaaaaaaaaaaaaaaaaa",
           "exp": "exp_aaaaaaaaaaaaaaaaaaaa"}


def setUpModule():
    global server
    server = Server("--max-body", "2048", "--busy-timeout", "100").start()
    ids["sup"] = server.post("/v1/superpositions", {"amplitudes": [1, 1]}).json["id"]
    ids["net"] = server.post("/v1/networks", {"layers": [
        {"weights": [[1, 1]], "activation": "relu"}]}).json["id"]
    ids["exp"] = server.post("/v1/experiments", {
        "name": "x", "kind": "neuron_activation", "params": {
            "amplitudes": [1, 0], "weights": [[1, 1]],
            "activation": "relu"}}).json["id"]


def tearDownModule():
    try:
        server.stop()
    finally:
        server.cleanup()


def body_routes():
    return [
        ("POST", "/v1/superpositions/normalize"),
        ("POST", "/v1/layers/forward"),
        ("POST", "/v1/superpositions"),
        ("POST", "/v1/superpositions/%s/normalize" % ids["sup"]),
        ("POST", "/v1/superpositions/%s/measure" % ids["sup"]),
        ("POST", "/v1/superpositions/%s/collapse" % ids["sup"]),
        ("POST", "/v1/superpositions/apply"),
        ("POST", "/v1/superpositions/compare"),
        ("POST", "/v1/superpositions/tensor"),
        ("POST", "/v1/superpositions/expectation"),
        ("POST", "/v1/networks"),
        ("POST", "/v1/networks/%s/forward" % ids["net"]),
        ("POST", "/v1/experiments"),
        ("PATCH", "/v1/experiments/%s" % ids["exp"]),
    ]


def allowed():
    """Every path (a concrete one for each template) and its Allow header."""
    return {
        "/healthz": "GET, HEAD, OPTIONS",
        "/readyz": "GET, HEAD, OPTIONS",
        "/version": "GET, HEAD, OPTIONS",
        "/metrics": "GET, HEAD, OPTIONS",
        "/openapi.yaml": "GET, HEAD, OPTIONS",
        "/": "GET, HEAD, OPTIONS",
        "/ui/app.js": "GET, HEAD, OPTIONS",
        "/v1/superpositions/normalize": "POST, OPTIONS",
        "/v1/layers/forward": "POST, OPTIONS",
        "/v1/superpositions": "POST, GET, HEAD, OPTIONS",
        "/v1/superpositions/" + ids["sup"]: "GET, HEAD, DELETE, OPTIONS",
        "/v1/superpositions/%s/normalize" % ids["sup"]: "POST, OPTIONS",
        "/v1/superpositions/%s/measure" % ids["sup"]: "POST, OPTIONS",
        "/v1/superpositions/%s/collapse" % ids["sup"]: "POST, OPTIONS",
        "/v1/superpositions/%s/lineage" % ids["sup"]: "GET, HEAD, OPTIONS",
        "/v1/superpositions/apply": "POST, OPTIONS",
        "/v1/superpositions/compare": "POST, OPTIONS",
        "/v1/superpositions/tensor": "POST, OPTIONS",
        "/v1/superpositions/expectation": "POST, OPTIONS",
        "/v1/networks": "POST, GET, HEAD, OPTIONS",
        "/v1/networks/" + ids["net"]: "GET, HEAD, DELETE, OPTIONS",
        "/v1/networks/%s/forward" % ids["net"]: "POST, OPTIONS",
        "/v1/experiments": "POST, GET, HEAD, OPTIONS",
        "/v1/experiments/export": "GET, HEAD, OPTIONS",
        "/v1/experiments/" + ids["exp"]: "GET, HEAD, PATCH, DELETE, OPTIONS",
        "/v1/experiments/%s/rerun" % ids["exp"]: "POST, OPTIONS",
    }


def every_operation():
    """(method, path) of every operation, and two methods on a path that
    no route has."""
    ops = [(m, path) for path, allow in allowed().items()
           for m in allow.split(", ")]
    return ops + [("GET", "/v1/nothing"), ("DELETE", "/v1/nothing")]


def assert_head(test, r, status):
    """Checks r answers HEAD with status and the headers GET would have,
    and no body."""
    test.assertEqual(r.status, status, r)
    test.assertEqual(r.body, b"", r)
    test.assertTrue(r.header("x-request-id"), r)
    if status >= 400:
        test.assertEqual(r.header("content-type"), "application/problem+json")


class EveryStatus(unittest.TestCase):
    def test_400_413_415_422_on_every_body(self):
        for method, path in body_routes():
            with self.subTest(method=method, path=path):
                assert_problem(self, server.request(method, path, b"{",
                                                    headers=H), 400)
                assert_problem(self, server.request(
                    method, path, b"{}", headers={"Content-Type": "text/csv"}),
                    415)
                big = b'{"x":"' + b"a" * 4096 + b'"}'
                assert_problem(self, server.request(method, path, big,
                                                    headers=H), 413)
                assert_problem(self, server.request(method, path, b"[]",
                                                    headers=H), 422, "")

    def test_400_for_bad_list_parameters(self):
        for path in ("/v1/superpositions", "/v1/networks", "/v1/experiments"):
            assert_problem(self, server.get(path + "?limit=-1"), 400)
            assert_problem(self, server.get(path + "?cursor=zzz"), 400)
        for path in ("/v1/superpositions", "/v1/superpositions/" + ids["sup"]):
            assert_problem(self, server.get(path + "?atol=2"), 400)
            assert_head(self, server.request("HEAD", path + "?atol=x"), 400)

    def test_404_for_every_id_route(self):
        for kind, prefix in (("sup", "/v1/superpositions/"),
                             ("net", "/v1/networks/"),
                             ("exp", "/v1/experiments/")):
            path = prefix + MISSING[kind]
            assert_problem(self, server.get(path), 404)
            assert_problem(self, server.delete(path), 404)
        m = MISSING["sup"]
        assert_problem(self, server.post("/v1/superpositions/%s/normalize" % m), 404)
        assert_problem(self, server.post("/v1/superpositions/%s/measure" % m,
                                         {"shots": 1}), 404)
        assert_problem(self, server.post("/v1/superpositions/%s/collapse" % m),
                       404)
        assert_problem(self, server.get("/v1/superpositions/%s/lineage" % m),
                       404)
        assert_problem(self, server.post("/v1/networks/%s/forward" % MISSING["net"],
                                         {"input": [1]}), 404)
        assert_problem(self, server.patch("/v1/experiments/" + MISSING["exp"],
                                          {"name": "y"}), 404)
        assert_problem(self, server.post("/v1/experiments/%s/rerun"
                                         % MISSING["exp"]), 404)

    def test_405_names_the_allowed_methods_everywhere(self):
        for path, methods in allowed().items():
            r = server.request("PUT", path, b"{}", headers=H)
            assert_problem(self, r, 405)
            self.assertEqual(r.header("allow"), methods, path)

    def test_400_for_more_than_32_query_parameters_on_every_path(self):
        query = "?" + "&".join("p%d=1" % i for i in range(33))
        for method, path in every_operation():
            with self.subTest(method=method, path=path):
                body = b"{}" if method in ("POST", "PATCH") else None
                r = server.request(method, path + query, body, headers=H)
                if method == "HEAD":
                    assert_head(self, r, 400)
                else:
                    p = assert_problem(self, r, 400)
                    self.assertIn("more than 32", p["detail"])

    def test_413_for_a_content_length_over_the_limit_on_every_path(self):
        big = b'{"x":"' + b"a" * 4096 + b'"}'
        for method, path in every_operation():
            with self.subTest(method=method, path=path):
                r = server.request(method, path, big, headers=H)
                if method == "HEAD":
                    assert_head(self, r, 413)
                else:
                    p = assert_problem(self, r, 413)
                    self.assertIn("max_body", p["detail"])
                self.assertEqual(r.header("connection"), "close")

    def test_head_answers_as_get_does_without_a_body(self):
        for path, allow in allowed().items():
            if "HEAD" not in allow:
                continue
            with self.subTest(path=path):
                get = server.get(path)
                head = server.request("HEAD", path)
                assert_head(self, head, get.status)
                for name in ("content-type", "cache-control",
                             "x-content-type-options"):
                    self.assertEqual(head.header(name), get.header(name))
        for prefix, kind in (("/v1/superpositions/", "sup"),
                             ("/v1/networks/", "net"),
                             ("/v1/experiments/", "exp")):
            assert_head(self, server.request("HEAD", prefix + MISSING[kind]),
                        404)
        assert_head(self, server.request(
            "HEAD", "/v1/superpositions/%s/lineage" % MISSING["sup"]), 404)
        r = server.request("HEAD", "/v1/experiments?limit=-1")
        assert_head(self, r, 400)
        for path in ("/v1/superpositions?cursor=zzz", "/v1/networks?limit=0",
                     "/v1/networks/%s?include=everything" % ids["net"]):
            assert_head(self, server.request("HEAD", path), 400)

    def test_options_answers_204_with_allow_on_every_path(self):
        for path, methods in allowed().items():
            with self.subTest(path=path):
                r = server.request("OPTIONS", path)
                self.assertEqual(r.status, 204, r)
                self.assertEqual(r.header("allow"), methods)
                self.assertEqual(r.body, b"")

    def test_422_normalizing_a_stored_zero_vector(self):
        s = server.post("/v1/superpositions", {"amplitudes": [0, 0],
                                               "normalize": False}).json
        assert_problem(self, server.post(
            "/v1/superpositions/%s/normalize" % s["id"]), 422)

    @sqlite_only  # PostgreSQL's lock timeout: test_postgres.py
    def test_503_for_writes_while_the_database_is_locked(self):
        raw = server.post("/v1/superpositions", {"amplitudes": [3, 4],
                                                 "normalize": False}).json
        con = sqlite3.connect(server.db, timeout=5, isolation_level=None)
        con.execute("BEGIN EXCLUSIVE")
        try:
            writes = [
                ("POST", "/v1/superpositions", {"amplitudes": [1]}),
                ("DELETE", "/v1/superpositions/" + ids["sup"], None),
                ("POST", "/v1/superpositions/%s/normalize" % raw["id"], None),
                ("POST", "/v1/superpositions/%s/collapse" % ids["sup"], None),
                ("POST", "/v1/superpositions/apply", {
                    "state": {"id": ids["sup"]},
                    "operations": [{"gate": "h", "qubits": [0]}]}),
                ("POST", "/v1/superpositions/tensor", {
                    "a": {"basis": "0"}, "b": {"basis": "1"},
                    "store": True}),
                ("POST", "/v1/networks", {"layers": [
                    {"weights": [[1]], "activation": "relu"}]}),
                ("DELETE", "/v1/networks/" + ids["net"], None),
                ("POST", "/v1/experiments", {
                    "name": "x", "kind": "neuron_activation", "params": {
                        "amplitudes": [1], "weights": [[1]],
                        "activation": "relu"}}),
                ("PATCH", "/v1/experiments/" + ids["exp"], {"name": "z"}),
                ("DELETE", "/v1/experiments/" + ids["exp"], None),
            ]
            for method, path, body in writes:
                r = server.request(method, path, body)
                assert_problem(self, r, 503)
                self.assertEqual(r.header("retry-after"), "1", path)
        finally:
            con.execute("ROLLBACK")
            con.close()
        # nothing was lost, and writes work again without a restart
        self.assertEqual(server.get("/v1/experiments/" + ids["exp"]).json["name"],
                         "x")
        self.assertEqual(server.post("/v1/superpositions",
                                     {"amplitudes": [1]}).status, 201)


@sqlite_only
class DamagedDatabase(unittest.TestCase):
    def test_reads_answer_503_when_the_file_is_damaged_underneath(self):
        # One worker thread, so one connection: it notices the damage on
        # its next read whatever it had cached.
        with Server("--threads", "1") as s:
            sup = s.post("/v1/superpositions", {"amplitudes": [1, 2]}).json
            net = s.post("/v1/networks", {"layers": [
                {"weights": [[1]], "activation": "relu"}]}).json
            exp = s.post("/v1/experiments", {
                "name": "x", "kind": "neuron_activation", "params": {
                    "amplitudes": [1], "weights": [[1]],
                    "activation": "relu"}}).json
            for suffix in ("", "-wal", "-shm"):
                try:
                    with open(s.db + suffix, "r+b") as f:
                        size = f.seek(0, 2)
                        f.seek(0)
                        f.write(b"\x5a" * size)
                except FileNotFoundError:
                    pass
            reads = [
                ("GET", "/readyz", None),
                ("GET", "/v1/superpositions", None),
                ("GET", "/v1/superpositions/" + sup["id"], None),
                ("POST", "/v1/superpositions/%s/measure" % sup["id"],
                 {"shots": 1}),
                ("GET", "/v1/superpositions/%s/lineage" % sup["id"], None),
                ("POST", "/v1/superpositions/compare",
                 {"a": {"id": sup["id"]}, "b": {"basis": "0"}}),
                ("POST", "/v1/superpositions/expectation",
                 {"state": {"id": sup["id"]}, "paulis": ["Z"]}),
                ("POST", "/v1/superpositions/apply",
                 {"state": {"id": sup["id"]}, "store": False,
                  "operations": [{"gate": "x", "qubits": [0]}]}),
                ("POST", "/v1/superpositions/tensor",
                 {"a": {"id": sup["id"]}, "b": {"basis": "0"}}),
                ("GET", "/v1/networks", None),
                ("GET", "/v1/networks/" + net["id"], None),
                ("POST", "/v1/networks/%s/forward" % net["id"],
                 {"input": [1]}),
                ("GET", "/v1/experiments", None),
                ("GET", "/v1/experiments/export", None),
                ("GET", "/v1/experiments/" + exp["id"], None),
            ]
            for method, path, body in reads:
                assert_problem(self, s.request(method, path, body), 503)
                if method == "GET":
                    assert_head(self, s.request("HEAD", path), 503)
            self.assertEqual(s.get("/healthz").status, 200)  # still up
            # Damage once seen keeps the server unready and refuses writes.
            p = assert_problem(self, s.get("/readyz"), 503)
            self.assertIn("damaged", p["detail"])
            p = assert_problem(self, s.post("/v1/experiments", EXP), 503)
            self.assertIn("damaged", p["detail"])
