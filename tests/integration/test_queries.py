"""Exact queries: a repeated filter means any of its values, an unknown or
doubled query parameter is a 400 that names it, and a cursor works only for
the list and filter it was made for, on the database that made it."""

import unittest
from urllib.parse import quote

from harness import Server, assert_problem

server = None
P = {"amplitudes": [1, 0], "weights": [[1, 1]], "activation": "relu"}
LAYER = {"weights": [[1, 0], [0, 1]], "bias": [0, 0], "activation": "tanh"}


def setUpModule():
    global server
    server = Server().start()


def tearDownModule():
    try:
        server.stop()
    finally:
        server.cleanup()


def run(kind, params, name="q", tags=()):
    r = server.post("/v1/experiments", {"name": name, "kind": kind,
                                        "params": params, "tags": list(tags)})
    assert r.status == 201, r
    return r.json["id"]


def ids(query):
    r = server.get("/v1/experiments?limit=500&" + query)
    assert r.status == 200, r
    return [i["id"] for i in r.json["items"]]


class RepeatedFilters(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = run("neuron_activation", P, "alpha", ["rq-a"])
        cls.b = run("neuron_activation", P, "beta", ["rq-b"])
        cls.c = run("layer_superposition", {"layer": LAYER, "input": [1, 2]},
                    "gamma", ["rq-c", "rq-a"])

    def test_a_repeated_tag_matches_any_of_its_values(self):
        self.assertEqual(ids("tag=rq-a&tag=rq-b"), [self.c, self.b, self.a])
        self.assertEqual(ids("tag=rq-b&tag=rq-c"), [self.c, self.b])
        self.assertEqual(ids("tag=rq-b&tag=rq-none"), [self.b])

    def test_a_repeated_kind_and_name_match_any_of_their_values(self):
        self.assertEqual(ids("tag=rq-a&tag=rq-b&kind=layer_superposition"),
                         [self.c])
        self.assertEqual(ids("tag=rq-a&tag=rq-b&kind=layer_superposition"
                             "&kind=neuron_activation"),
                         [self.c, self.b, self.a])
        self.assertEqual(ids("tag=rq-a&tag=rq-b&tag=rq-c&name=alp&name=gam"),
                         [self.c, self.a])

    def test_different_filters_still_all_apply(self):
        self.assertEqual(ids("tag=rq-a&name=beta"), [])
        self.assertEqual(ids("tag=rq-a&tag=rq-b&name=beta"), [self.b])

    def test_each_value_is_checked(self):
        p = assert_problem(self, server.get(
            "/v1/experiments?kind=neuron_activation&kind=nope"), 400)
        self.assertIn("kind must be one of", p["detail"])
        p = assert_problem(self, server.get("/v1/experiments?tag=a&tag="),
                           400)
        self.assertIn("tag must not be empty", p["detail"])

    def test_more_than_eight_values_are_refused_not_cut(self):
        q = "&".join("tag=t%d" % i for i in range(9))
        p = assert_problem(self, server.get("/v1/experiments?" + q), 400)
        self.assertIn("tag is given 9 times; at most 8", p["detail"])
        self.assertEqual(ids("&".join("tag=t%d" % i for i in range(8))), [])


class UnknownParameters(unittest.TestCase):
    def test_a_misspelt_parameter_is_named(self):
        p = assert_problem(self, server.get("/v1/experiments?tags=a"), 400)
        self.assertIn('"tags"', p["detail"])
        self.assertIn("tag", p["detail"])
        p = assert_problem(self, server.get("/v1/networks?limt=3"), 400)
        self.assertIn('"limt"', p["detail"])

    def test_a_path_without_parameters_refuses_any(self):
        p = assert_problem(self, server.get("/healthz?verbose=1"), 400)
        self.assertIn('"verbose"', p["detail"])
        self.assertIn("takes none", p["detail"])
        r = server.post("/v1/superpositions/normalize?x=1",
                        {"amplitudes": [1, 1]})
        assert_problem(self, r, 400)

    def test_a_single_valued_parameter_given_twice_is_refused(self):
        for q in ("/v1/experiments?limit=1&limit=2",
                  "/v1/experiments?created_after=2000-01-01T00:00:00Z"
                  "&created_after=2001-01-01T00:00:00Z",
                  "/v1/superpositions?atol=1e-9&atol=1e-3"):
            p = assert_problem(self, server.get(q), 400)
            self.assertIn("given twice", p["detail"])


def first_cursor(path):
    r = server.get(path)
    assert r.status == 200, r
    assert r.json["next_cursor"], r.json
    return r.json["next_cursor"]


class Cursors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.made = [run("neuron_activation", P, "page", ["cur-a", "cur-b"])
                    for _ in range(5)]
        for _ in range(3):
            server.post("/v1/superpositions", {"amplitudes": [1, 1]})
            server.post("/v1/networks", {"layers": [LAYER]})

    def walk(self, query):
        seen, cursor = [], None
        while True:
            r = server.get("/v1/experiments?limit=2&" + query +
                           ("&cursor=" + cursor if cursor else ""))
            self.assertEqual(r.status, 200, r)
            seen += [i["id"] for i in r.json["items"]]
            cursor = r.json["next_cursor"]
            if not cursor:
                return seen

    def test_a_walk_under_one_filter_sees_every_item_once(self):
        self.assertEqual(self.walk("tag=cur-a"), self.made[::-1])
        self.assertEqual(self.walk("tag=cur-a&tag=cur-b"), self.made[::-1])

    def test_the_order_of_a_filters_values_does_not_matter(self):
        c = first_cursor("/v1/experiments?limit=2&tag=cur-a&tag=cur-b")
        r = server.get("/v1/experiments?limit=2&tag=cur-b&tag=cur-a&cursor="
                       + c)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([i["id"] for i in r.json["items"]],
                         self.made[::-1][2:4])

    def test_a_cursor_from_another_filter_is_refused(self):
        c = first_cursor("/v1/experiments?limit=2&tag=cur-a")
        for other in ("tag=cur-b", "tag=cur-a&tag=cur-b", "",
                      "tag=cur-a&kind=neuron_activation", "tag=cur-a&name=p",
                      "tag=cur-a&created_after=2000-01-01T00:00:00Z"):
            p = assert_problem(self, server.get(
                "/v1/experiments?limit=2&%s&cursor=%s" % (other, c)), 400)
            self.assertIn("cursor", p["detail"])
        # The limit is not part of the filter: any page size continues it.
        r = server.get("/v1/experiments?limit=50&tag=cur-a&cursor=" + c)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["items"]), 3)

    def test_a_cursor_from_another_list_is_refused(self):
        c = first_cursor("/v1/superpositions?limit=1")
        assert_problem(self, server.get("/v1/networks?cursor=" + c), 400)
        assert_problem(self, server.get("/v1/experiments?cursor=" + c), 400)
        self.assertEqual(server.get("/v1/superpositions?cursor=" + c).status,
                         200)

    def test_a_cursor_edited_by_hand_is_refused(self):
        c = first_cursor("/v1/experiments?limit=2&tag=cur-a")
        self.assertRegex(c, r"^c2\.[0-9a-f]{16}\.[0-9a-f]{16}$")
        pos, sig = c[3:19], c[20:]
        edits = ["c2.%016x.%s" % (int(pos, 16) + 1, sig),
                 "c2.%016x.%s" % (int(pos, 16) - 1, sig),
                 "c2.%s.%s" % (pos, "%016x" % (int(sig, 16) ^ 1)),
                 "c2.%s.%s" % (pos, sig.upper()),
                 "c1." + pos, c + "0", c[:-1], "c2.%s.%s" % (pos, "0" * 16)]
        for bad in edits:
            assert_problem(self, server.get(
                "/v1/experiments?limit=2&tag=cur-a&cursor=" + quote(bad)), 400)

    def test_a_cursor_from_another_database_is_refused(self):
        other = Server().start()
        try:
            for _ in range(2):
                other.post("/v1/superpositions", {"amplitudes": [1]})
            r = other.get("/v1/superpositions?limit=1")
            c = r.json["next_cursor"]
            self.assertEqual(other.get("/v1/superpositions?cursor=" + c)
                             .status, 200)
        finally:
            other.stop()
            other.cleanup()
        assert_problem(self, server.get("/v1/superpositions?cursor=" + c), 400)


if __name__ == "__main__":
    unittest.main()
