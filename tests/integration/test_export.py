"""GET /v1/experiments/export: every experiment the list's filters select,
streamed as NDJSON or CSV, checked against the list itself (Python's json
and csv modules read the export); what a client sees when the stream fails
after its first byte; and, with 100,000 experiments, that the count matches
and psinet's resident memory stays flat while it streams them."""

import csv
import http.client
import io
import json
import os
import re
import sqlite3
import threading
import time
import unittest

from harness import BIN, Server, assert_problem, sqlite_only

LAYER = {"weights": [[1, 0.5], [0.25, -1], [0.5, 0.5]],
         "activation": "identity"}

server = None
created = []


def neuron(name, **kw):
    body = {"name": name, "kind": "neuron_activation", "params": {
        "amplitudes": [[0.6, 0], [0.8, 0]], "weights": [[1, 0], [0.5, 0.5]],
        "activation": kw.pop("activation", "relu")}}
    body.update(kw)
    return body


def superposition(name, **params):
    p = {"layer": LAYER, "input": [0.6, -0.8]}
    p.update(params)
    return {"name": name, "kind": "layer_superposition", "params": p}


def setUpModule():
    global server
    server = Server().start()
    bodies = [
        neuron("plain"),
        neuron('comma, "quote" and more', tags=["a,b", 'say "hi"'],
               notes="a note, with a comma"),
        superposition("measured", shots=1000, seed=7),
        superposition("softmax", mapping="softmax_sqrt"),
        neuron("leaky", activation="leaky_relu", tags=["a,b"]),
        superposition("tagged", shots=10, seed=1),
        {"name": "collapsing", "kind": "collapse_propagation", "params": {
            "layers": [LAYER, {"weights": [[1, -1, 0], [0, 1, 1]],
                               "activation": "softmax"}],
            "input": [0.6, -0.8], "collapse": "keep", "shots": 50,
            "seed": 5}},
    ]
    for body in bodies:
        r = server.post("/v1/experiments", body)
        assert r.status == 201, r
        created.append(r.json)
    # one with params of its own: alpha in the layer's params
    body = neuron("alpha")
    body["params"]["activation"] = "leaky_relu"
    body["params"]["params"] = {"alpha": 0.125}
    r = server.post("/v1/experiments", body)
    assert r.status == 201, r
    created.append(r.json)


def tearDownModule():
    try:
        server.stop()
    finally:
        server.cleanup()


def listed(query=""):
    """Every item of the list under query, page by page."""
    items, cursor = [], None
    while True:
        q = query + ("&" if query else "") + "limit=2"
        if cursor:
            q += "&cursor=" + cursor
        r = server.get("/v1/experiments?" + q)
        assert r.status == 200, r
        items += r.json["items"]
        cursor = r.json["next_cursor"]
        if not cursor:
            return items


def ndjson(body):
    text = body.decode("utf-8")
    if not text:
        return []
    assert text.endswith("\n"), text[-80:]
    return [json.loads(line) for line in text[:-1].split("\n")]


def csv_rows(body):
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


def field(value):
    """A JSON value as the CSV export writes it."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


COLUMNS = {
    "layer_superposition": [
        ("network_id", ("params", "network_id")),
        ("mapping", ("params", "mapping")),
        ("shots", ("result", "measurement", "shots")),
        ("seed", ("result", "measurement", "seed")),
        ("entropy_bits", ("result", "metrics", "entropy_bits")),
        ("reference_entropy_bits",
         ("result", "metrics", "reference_entropy_bits")),
        ("kl_divergence_bits", ("result", "metrics", "kl_divergence_bits")),
        ("total_variation", ("result", "metrics", "total_variation")),
        ("fidelity", ("result", "metrics", "fidelity")),
        ("argmax_agrees", ("result", "metrics", "argmax_agrees")),
    ],
    "neuron_activation": [
        ("superposition_id", ("params", "superposition_id")),
        ("activation", ("params", "activation")),
        ("alpha", ("params", "params", "alpha")),
        ("activation_probability_correlation",
         ("result", "metrics", "activation_probability_correlation")),
    ],
    "collapse_propagation": [
        ("network_id", ("params", "network_id")),
        ("mapping", ("params", "mapping")),
        ("collapse", ("params", "collapse")),
        ("collapse_layers", ("result", "collapse_layers")),
        ("shots", ("result", "shots")),
        ("seed", ("result", "seed")),
        ("deterministic_argmax", ("result", "deterministic", "argmax")),
        ("agreement", ("result", "metrics", "agreement")),
        ("kl_divergence_bits", ("result", "metrics", "kl_divergence_bits")),
        ("total_variation", ("result", "metrics", "total_variation")),
    ],
}
DEFAULTS = {"mapping": "l2", "collapse": "one_hot"}


def dig(item, path):
    v = item
    for k in path:
        if not isinstance(v, dict) or k not in v:
            return None
        v = v[k]
    return v


class Export(unittest.TestCase):
    def test_ndjson_holds_what_the_list_holds(self):
        for query in ("", "kind=neuron_activation", "tag=a%2Cb",
                      "name=e&kind=layer_superposition",
                      "kind=layer_superposition&kind=neuron_activation",
                      "created_after=" + created[2]["created_at"]):
            with self.subTest(query=query):
                r = server.get("/v1/experiments/export?" + query)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.header("content-type"),
                                 "application/x-ndjson")
                self.assertEqual(r.header("transfer-encoding"), "chunked")
                self.assertEqual(r.header("content-disposition"),
                                 'attachment; filename="experiments.ndjson"')
                self.assertEqual(ndjson(r.body), listed(query))
        r = server.get("/v1/experiments/export?format=ndjson")
        self.assertEqual(len(ndjson(r.body)), len(created))
        self.assertEqual([e["id"] for e in ndjson(r.body)],
                         [e["id"] for e in reversed(created)])

    def test_csv_has_a_row_of_named_columns_per_experiment(self):
        r = server.get("/v1/experiments/export?format=csv")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-type"),
                         "text/csv; charset=utf-8; header=present")
        self.assertEqual(r.header("content-disposition"),
                         'attachment; filename="experiments.csv"')
        # RFC 4180: every line ends with CRLF, quotes doubled inside quotes
        text = r.body.decode()
        self.assertTrue(text.endswith("\r\n"))
        self.assertNotIn("\n", text.replace("\r\n", ""))
        self.assertIn('"comma, ""quote"" and more"', text)
        rows = csv_rows(r.body)
        header = rows[0]
        expect = ["id", "name", "kind", "created_at", "updated_at", "tags",
                  "notes"]
        for kind in ("layer_superposition", "neuron_activation",
                     "collapse_propagation"):
            expect += [kind + "." + c for c, _ in COLUMNS[kind]]
        self.assertEqual(header, expect)
        items = listed()
        self.assertEqual(len(rows) - 1, len(items))
        for row, item in zip(rows[1:], items):
            with self.subTest(name=item["name"]):
                self.assertEqual(len(row), len(header))
                got = dict(zip(header, row))
                for key in ("id", "name", "kind", "created_at",
                            "updated_at"):
                    self.assertEqual(got[key], item[key])
                self.assertEqual(json.loads(got["tags"]), item["tags"])
                self.assertEqual(got["notes"], item["notes"] or "")
                for kind, columns in COLUMNS.items():
                    for column, path in columns:
                        value = got[kind + "." + column]
                        if kind != item["kind"]:
                            self.assertEqual(value, "")
                            continue
                        want = dig(item, path)
                        if column in DEFAULTS and want is None:
                            want = DEFAULTS[column]  # written out
                        if isinstance(want, float):
                            # the shortest decimal of the same double
                            self.assertEqual(float(value), want)
                        else:
                            self.assertEqual(value, field(want))
        measured = next(dict(zip(header, row)) for row in rows[1:]
                        if row[1] == "measured")
        self.assertEqual(measured["layer_superposition.shots"], "1000")
        self.assertEqual(measured["layer_superposition.seed"], "7")
        self.assertEqual(measured["layer_superposition.argmax_agrees"],
                         field(created[2]["result"]["metrics"]
                               ["argmax_agrees"]))
        collapsing = next(dict(zip(header, row)) for row in rows[1:]
                          if row[1] == "collapsing")
        self.assertEqual(collapsing["collapse_propagation.collapse_layers"],
                         "[0]")
        self.assertEqual(collapsing["collapse_propagation.collapse"], "keep")
        self.assertEqual(collapsing["collapse_propagation.mapping"], "l2")
        self.assertEqual(collapsing["collapse_propagation.shots"], "50")
        alpha = next(dict(zip(header, row)) for row in rows[1:]
                     if row[1] == "alpha")
        self.assertEqual(alpha["neuron_activation.alpha"], "0.125")

    def test_csv_of_one_kind_has_that_kinds_columns_only(self):
        r = server.get("/v1/experiments/export?format=csv"
                       "&kind=neuron_activation&tag=a%2Cb")
        rows = csv_rows(r.body)
        self.assertEqual(rows[0][7:], ["neuron_activation." + c
                                       for c, _ in
                                       COLUMNS["neuron_activation"]])
        self.assertEqual([row[0] for row in rows[1:]],
                         [e["id"] for e in listed(
                             "kind=neuron_activation&tag=a%2Cb")])
        self.assertEqual(len(rows), 3)

    def test_nothing_selected_is_an_empty_body_or_the_header_alone(self):
        q = "name=no-such-name"
        r = server.get("/v1/experiments/export?" + q)
        self.assertEqual((r.status, r.body), (200, b""))
        r = server.get("/v1/experiments/export?format=csv&" + q)
        self.assertEqual(r.status, 200)
        self.assertEqual(len(csv_rows(r.body)), 1)
        self.assertTrue(r.body.startswith(b"id,name,kind,"))

    def test_head_has_the_headers_and_no_body(self):
        r = server.request("HEAD", "/v1/experiments/export?format=csv")
        self.assertEqual((r.status, r.body), (200, b""))
        self.assertEqual(r.header("content-type"),
                         "text/csv; charset=utf-8; header=present")

    def test_bad_queries_are_400s_before_the_first_byte(self):
        for query, says in (("format=xml", "format must be ndjson or csv"),
                            ("format", "format must be ndjson or csv"),
                            ("limit=10", '"limit"'),
                            ("cursor=x", '"cursor"'),
                            ("kinds=x", '"kinds"'),
                            ("kind=nope", "kind must be one of"),
                            ("created_after=yesterday", "RFC 3339"),
                            ("tag=", "must not be empty"),
                            ("format=csv&format=ndjson", "given")):
            with self.subTest(query=query):
                p = assert_problem(self, server.get(
                    "/v1/experiments/export?" + query), 400)
                self.assertIn(says, p["detail"])
        r = server.request("HEAD", "/v1/experiments/export?format=xml")
        self.assertEqual((r.status, r.body), (400, b""))

    def test_other_methods_are_405(self):
        p = assert_problem(self, server.delete("/v1/experiments/export"), 405)
        self.assertIn("GET", p["detail"])
        r = server.request("OPTIONS", "/v1/experiments/export")
        self.assertEqual(r.header("allow"), "GET, HEAD, OPTIONS")


# ------------------------------------------------------------ filled stores

def exp_id(i):
    """The id of the i-th filled experiment, in psinet's form."""
    digits = ""
    for _ in range(20):
        digits = "abcdefghijklmnopqrstuvwxyz234567"[i % 32] + digits
        i //= 32
    return "exp_" + digits


def fill(path, count, template, corrupt_at=None):
    """Adds count experiments to the stopped database at path: copies of
    template (a stored experiment's row), each with an id and name of its
    own, in one transaction. With corrupt_at, the row at that index has
    params that are not JSON (a row psinet could not have written)."""
    db = sqlite3.connect(path)
    try:
        row = db.execute("SELECT kind, params, result, created_at FROM "
                         "experiments WHERE id = ?", (template,)).fetchone()
        kind, params, result, created_at = row
        rows = ((exp_id(i), "bulk %d" % i, kind,
                 "{not json" if i == corrupt_at else params, result,
                 created_at, created_at) for i in range(count))
        with db:
            db.executemany("INSERT INTO experiments (id, name, kind, params,"
                           " result, created_at, updated_at) VALUES"
                           " (?, ?, ?, ?, ?, ?, ?)", rows)
    finally:
        db.close()


def filled_server(count, body, corrupt_at=None):
    """A started psinet on a database of count experiments: body, stored
    through psinet (the oldest), then count - 1 copies added by fill."""
    first = Server()
    r = first.start().post("/v1/experiments", body)
    assert r.status == 201, r
    first.stop()
    fill(first.db, count - 1, r.json["id"], corrupt_at)
    first.own_dir = False  # the next server's now
    s = Server(db=first.db, workdir=first.dir)
    s.own_dir = True
    return s.start()


def sanitized():
    """Whether the binary is a sanitizer build (its resident memory then
    measures the sanitizer's own bookkeeping, not psinet's)."""
    with open(BIN, "rb") as f:
        return b"__asan_init" in f.read()


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


def open_export(s, query):
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
    conn.request("GET", "/v1/experiments/export?" + query)
    return conn, conn.getresponse()


def stream_cuts(server, request_id, seconds):
    """The "stream_cut" log lines of request_id (parsed), waiting up to
    seconds for the first to be written."""
    def cuts():
        return [json.loads(line) for line in list(server.log_lines)
                if '"stream_cut"' in line and request_id in line]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not cuts():
        time.sleep(0.05)
    return cuts()


@sqlite_only  # filled with sqlite3 on a stopped server
class CutShort(unittest.TestCase):
    def test_a_failure_after_the_first_byte_cuts_the_body_and_is_logged(self):
        # 601 rows: the damaged one is read in the last page, long after
        # the 200 and the first page were sent.
        s = filled_server(601, neuron("template"), corrupt_at=5)
        try:
            for fmt in ("ndjson", "csv"):
                with self.subTest(format=fmt):
                    conn, resp = open_export(s, "format=" + fmt)
                    self.assertEqual(resp.status, 200)
                    request_id = resp.getheader("x-request-id")
                    with self.assertRaises(http.client.IncompleteRead) as cm:
                        resp.read()
                    conn.close()
                    partial = cm.exception.partial.decode()
                    ending = "\n" if fmt == "ndjson" else "\r\n"
                    # whole lines or rows only, and fewer than all of them
                    self.assertTrue(partial.endswith(ending))
                    lines = partial[:-len(ending)].split(ending)
                    if fmt == "ndjson":
                        got = [json.loads(line)["name"] for line in lines]
                    else:
                        got = [row[1] for row in
                               csv.reader(io.StringIO(partial, newline=""))][1:]
                    # newest first, as far as the damaged row's page
                    self.assertGreater(len(got), 0)
                    self.assertLess(len(got), 595)
                    self.assertEqual(got, ["bulk %d" % i for i in
                                           range(599, 599 - len(got), -1)])
                    cut = stream_cuts(s, request_id, 5)
                    self.assertEqual(len(cut), 1, s.log())
                    self.assertEqual(cut[0]["level"], "warn")
                    self.assertIn("failed", cut[0]["reason"])
                    self.assertEqual(cut[0]["bytes"],
                                     len(cm.exception.partial))
            # the server is fine, and says the same before the first byte
            # when the damaged row is in the first page
            self.assertEqual(s.get("/healthz").status, 200)
            assert_problem(self, s.get(
                "/v1/experiments/export?name=bulk%205"), 503)
        finally:
            try:
                s.stop()
            finally:
                s.cleanup()


@sqlite_only  # filled with sqlite3 on a stopped server
class Interrupted(unittest.TestCase):
    def test_a_client_that_leaves_mid_export_frees_its_stream(self):
        s = filled_server(20_000, neuron("template"))
        try:
            for _ in range(3):
                conn, resp = open_export(s, "format=csv")
                request_id = resp.getheader("x-request-id")
                self.assertTrue(resp.read(1000))
                conn.close()
                resp.close()
                cut = stream_cuts(s, request_id, 10)
                self.assertEqual(len(cut), 1, s.log())
                self.assertEqual(cut[0]["level"], "info")
                self.assertIn("client", cut[0]["reason"])
            self.assertEqual(s.get("/healthz").status, 200)
            s.stop()  # no leak reported by the sanitizers
        finally:
            s.cleanup()

    def test_an_export_still_going_at_shutdown_is_cut_and_psinet_stops(self):
        # 20,000 rows: far more than the sockets' buffers hold, so the
        # export is still going when SIGTERM comes, its client not reading
        s = filled_server(20_000, neuron("template"))
        try:
            conn, resp = open_export(s, "")
            self.assertEqual(resp.status, 200)
            request_id = resp.getheader("x-request-id")
            self.assertTrue(resp.read(1000))
            s.stop()  # exit 0 after the grace period, no sanitizer report
            with self.assertRaises(http.client.IncompleteRead):
                resp.read()
            conn.close()
            cut = [json.loads(line) for line in s.log_lines
                   if '"stream_cut"' in line and request_id in line]
            self.assertEqual(len(cut), 1, s.log())
            self.assertIn("shut", cut[0]["reason"])
        finally:
            s.cleanup()


@sqlite_only  # filled with sqlite3 on a stopped server
class HundredThousand(unittest.TestCase):
    """100,000 experiments: every one is exported, in the list's order,
    while psinet's resident memory stays flat (one page at a time; the
    export itself is over 50 MB)."""

    COUNT = 100_000

    @unittest.skipIf(sanitized(), "resident memory of a sanitizer build "
                     "measures its quarantine; the release build runs this")
    def test_count_matches_and_memory_stays_flat(self):
        s = filled_server(self.COUNT, superposition("template", shots=10,
                                                    seed=3))
        try:
            pid = s.proc.pid

            def export(fmt, samples, on_first=None):
                conn, resp = open_export(s, "format=" + fmt)
                self.assertEqual(resp.status, 200)
                rows, size, tail = 0, 0, b""
                first = True
                while True:
                    chunk = resp.read(1 << 20)
                    if not chunk:
                        break
                    size += len(chunk)
                    rows += chunk.count(b"\n")
                    tail = (tail + chunk)[-(1 << 16):]
                    samples.append(rss_kib(pid))
                    if first and on_first:
                        on_first()
                    first = False
                conn.close()
                return rows, size, tail

            # A first export warms SQLite's page caches up.
            rows, size, _ = export("csv", [])
            self.assertEqual(rows, self.COUNT + 1)  # and the header
            before = rss_kib(pid)
            during = []
            changes = []

            def write_meanwhile():
                # stored after the export began: not in it; the oldest,
                # deleted before the export reaches it: not in it
                r = s.post("/v1/experiments", neuron("meanwhile"))
                changes.append(r.status)
                changes.append(s.delete("/v1/experiments/" +
                                        exp_id(0)).status)

            rows, size, tail = export("ndjson", during, write_meanwhile)
            after = rss_kib(pid)
            self.assertEqual(changes, [201, 204])
            self.assertEqual(rows, self.COUNT - 1)
            last = [json.loads(line)["name"]
                    for line in tail.split(b"\n")[-3:-1]]
            self.assertEqual(last, ["bulk 1", "template"])
            self.assertGreater(size, 50 << 20)
            # Flat: what it holds while 100 MB go out stays within a few
            # pages of what it held before, and comes back after.
            self.assertLess(max(during) - before, 8 << 10,
                            (before, max(during), after))
            self.assertLess(after - before, 8 << 10,
                            (before, max(during), after))
            count = s.get("/v1/experiments/export?name=meanwhile")
            self.assertEqual(len(ndjson(count.body)), 1)
        finally:
            try:
                s.stop()
            finally:
                s.cleanup()


if __name__ == "__main__":
    unittest.main()
