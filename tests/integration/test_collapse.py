"""The experiment kind collapse_propagation through the real server, against
the independent Python implementation of collapse_reference.py: outcome
counts exactly (the same seeded draws), every other number within 1e-12
relative; stored networks and inline layers alike; seeds that reproduce
across requests and thread counts; and every refusal at its pointer."""

import random
import threading
import unittest

import collapse_reference as cr
from harness import Server, assert_problem, close_rel

server = None
TOL = 1e-12


def setUpModule():
    global server
    server = Server().start()


def tearDownModule():
    try:
        server.stop()
    finally:
        server.cleanup()


def random_layers(rnd, sizes, acts):
    layers = []
    for i, act in enumerate(acts):
        layers.append({
            "weights": [[rnd.gauss(0, 1) for _ in range(sizes[i])]
                        for _ in range(sizes[i + 1])],
            "bias": [rnd.gauss(0, 0.5) for _ in range(sizes[i + 1])],
            "activation": act,
        })
    return layers


def create(params, s=None, name="collapse"):
    return (s or server).post("/v1/experiments", {
        "name": name, "kind": "collapse_propagation", "params": params})


class Agrees:
    """Comparison of a result with the reference's."""

    def assert_close_list(self, got, want):
        self.assertEqual(len(got), len(want))
        for g, w in zip(got, want):
            self.assertTrue(close_rel(g, w, TOL), (got, want))

    def assert_same(self, got, want):
        self.assertEqual(got["shots"], want["shots"])
        self.assertEqual(got["seed"], want["seed"])
        self.assertEqual(got["collapse_layers"], want["collapse_layers"])
        gd, wd = got["deterministic"], want["deterministic"]
        self.assert_close_list(gd["output"], wd["output"])
        self.assert_close_list(gd["distribution"], wd["distribution"])
        self.assertEqual(gd["argmax"], wd["argmax"])
        self.assertEqual(got["final"], want["final"])  # counts: exact
        self.assertEqual(len(got["layers"]), len(want["layers"]))
        for gl, wl in zip(got["layers"], want["layers"]):
            self.assertEqual(gl["layer"], wl["layer"])
            self.assertEqual(gl["counts"], wl["counts"])
            self.assertTrue(close_rel(gl["born_entropy_bits"],
                                      wl["born_entropy_bits"], TOL))
            if wl["deterministic_born_entropy_bits"] is None:
                self.assertIsNone(gl["deterministic_born_entropy_bits"])
            else:
                self.assertTrue(close_rel(
                    gl["deterministic_born_entropy_bits"],
                    wl["deterministic_born_entropy_bits"], TOL))
        gm, wm = got["metrics"], want["metrics"]
        self.assertEqual(gm["agreement"], wm["agreement"])
        self.assertTrue(close_rel(gm["total_variation"],
                                  wm["total_variation"], TOL))
        if wm["kl_divergence_bits"] is None:
            self.assertIsNone(gm["kl_divergence_bits"])
        else:
            self.assertTrue(close_rel(gm["kl_divergence_bits"],
                                      wm["kl_divergence_bits"], TOL), gm)


class AgainstTheReference(unittest.TestCase, Agrees):
    rnd = random.Random(1203)
    SIZES = [4, 6, 5, 3]
    ACTS = ["tanh", "relu", "softmax"]

    def setUp(self):
        self.layers = random_layers(self.rnd, self.SIZES, self.ACTS)
        self.x = [self.rnd.gauss(0, 1) for _ in range(self.SIZES[0])]

    def test_every_mapping_and_collapse_with_the_default_layers(self):
        for mapping in ("l2", "softmax_sqrt"):
            for rule in ("one_hot", "keep"):
                with self.subTest(mapping=mapping, collapse=rule):
                    r = create({"layers": self.layers, "input": self.x,
                                "mapping": mapping, "collapse": rule,
                                "shots": 800, "seed": 31})
                    try:
                        want = cr.run(self.layers, self.x, mapping, rule,
                                      None, 800, 31)
                    except ValueError:  # l2 found a zero layer in a shot
                        assert_problem(self, r, 422, "/params/mapping")
                        continue
                    self.assertEqual(r.status, 201, r)
                    self.assertEqual(r.json["result"]["collapse_layers"],
                                     [0, 1])
                    self.assert_same(r.json["result"], want)

    def test_chosen_layers_including_the_last(self):
        for at in ([1], [0, 2], [2], [0, 1, 2]):
            with self.subTest(at=at):
                p = {"layers": self.layers, "input": self.x,
                     "mapping": "softmax_sqrt", "collapse": "keep",
                     "collapse_layers": at, "shots": 500, "seed": 2**53 - 3}
                r = create(p)
                self.assertEqual(r.status, 201, r)
                want = cr.run(self.layers, self.x, "softmax_sqrt", "keep",
                              at, 500, 2**53 - 3)
                self.assert_same(r.json["result"], want)
                # the stored params are the params as given
                self.assertEqual(r.json["params"], p)

    def test_a_stored_network_gives_what_its_layers_inline_give(self):
        n = server.post("/v1/networks", {"name": "c", "layers": self.layers})
        self.assertEqual(n.status, 201, n)
        common = {"input": self.x, "mapping": "softmax_sqrt", "shots": 300,
                  "seed": 5}
        stored = create(dict(common, network_id=n.json["id"]))
        inline = create(dict(common, layers=self.layers))
        self.assertEqual(stored.status, 201, stored)
        self.assertEqual(stored.json["result"], inline.json["result"])
        self.assert_same(stored.json["result"],
                         cr.run(self.layers, self.x, "softmax_sqrt",
                                "one_hot", None, 300, 5))
        got = server.get("/v1/experiments/" + stored.json["id"])
        self.assertEqual(got.json["result"], stored.json["result"])
        page = server.get("/v1/experiments?kind=collapse_propagation"
                          "&limit=100")
        self.assertIn(stored.json["id"],
                      [e["id"] for e in page.json["items"]])


class Seeds(unittest.TestCase):
    LAYERS = random_layers(random.Random(7), [3, 4, 4, 2],
                           ["sigmoid", "tanh", "identity"])
    X = [0.3, -1.2, 0.8]

    def test_a_drawn_seed_is_stored_and_runs_again_the_same(self):
        r = create({"layers": self.LAYERS, "input": self.X,
                    "mapping": "softmax_sqrt", "shots": 200})
        self.assertEqual(r.status, 201, r)
        seed = r.json["params"]["seed"]
        self.assertEqual(r.json["result"]["seed"], seed)
        self.assertTrue(0 <= seed < 2**53)
        again = create(r.json["params"])
        self.assertEqual(again.json["result"], r.json["result"])

    def test_the_same_seed_gives_the_same_result_at_any_thread_count(self):
        p = {"layers": self.LAYERS, "input": self.X, "collapse": "keep",
             "mapping": "softmax_sqrt", "shots": 2000, "seed": 99}
        results = []
        for threads in ("1", "4"):
            with Server("--threads", threads) as s:
                answers = [None] * 6

                def run(i, s=s, answers=answers):
                    answers[i] = create(p, s)
                ts = [threading.Thread(target=run, args=(i,))
                      for i in range(6)]
                for t in ts:
                    t.start()
                for t in ts:
                    t.join()
                for a in answers:
                    self.assertEqual(a.status, 201, a)
                    results.append(a.json["result"])
        for r in results[1:]:
            self.assertEqual(r, results[0])
        want = cr.run(self.LAYERS, self.X, "softmax_sqrt", "keep", None,
                      2000, 99)
        self.assertEqual(results[0]["final"], want["final"])

    def test_another_seed_gives_other_counts(self):
        p = {"layers": self.LAYERS, "input": self.X,
             "mapping": "softmax_sqrt", "shots": 2000}
        a = create(dict(p, seed=1)).json["result"]
        b = create(dict(p, seed=2)).json["result"]
        self.assertNotEqual(a["layers"], b["layers"])


class Analytic(unittest.TestCase):
    def test_a_point_mass_always_agrees(self):
        # Layer 0 outputs (0, 2, 0): under l2 outcome 1 every time; e_1
        # through the identity gives column 1 of the last weights, (1, 3).
        layers = [{"weights": [[0], [0], [0]], "bias": [0, 2, 0],
                   "activation": "identity"},
                  {"weights": [[0, 1, 0], [0, 3, 0]],
                   "activation": "identity"}]
        r = create({"layers": layers, "input": [1], "shots": 50, "seed": 1})
        self.assertEqual(r.status, 201, r)
        res = r.json["result"]
        self.assertEqual(res["layers"], [{
            "layer": 0, "counts": {"1": 50}, "born_entropy_bits": 0.0,
            "deterministic_born_entropy_bits": 0.0}])
        # the deterministic output (2, 6) read by l2: (0.1, 0.9)
        self.assertEqual(res["deterministic"]["argmax"], 1)
        self.assertTrue(close_rel(res["deterministic"]["distribution"][0],
                                  0.1, TOL))
        self.assertEqual(res["final"], {"counts": {"1": 50},
                                        "distribution": [0.0, 1.0]})
        self.assertEqual(res["metrics"]["agreement"], 1.0)
        self.assertTrue(close_rel(res["metrics"]["total_variation"], 0.1,
                                  TOL))
        # D(f || q) = 1 * log2(1 / 0.9)
        self.assertTrue(close_rel(res["metrics"]["kl_divergence_bits"],
                                  0.15200309344504997, 1e-12))

    def test_keep_of_a_negative_outcome_ties_at_the_lowest_index(self):
        # One tanh layer collapsed: keep leaves a_o e_o with a_o < 0 or
        # > 0; when a_o < 0 the maximum 0 is shared and the argmax is the
        # lowest index whose entry is 0.
        layers = [{"weights": [[1], [-1]], "activation": "tanh"}]
        r = create({"layers": layers, "input": [0.5], "collapse": "keep",
                    "collapse_layers": [0], "shots": 400, "seed": 3})
        self.assertEqual(r.status, 201, r)
        res = r.json["result"]
        seen = res["layers"][0]["counts"]
        # tanh(0.5) and -tanh(0.5): a fair coin under l2
        self.assertEqual(set(seen), {"0", "1"})
        # outcome 0 leaves (tanh .5, 0): argmax 0; outcome 1 leaves
        # (0, -tanh .5): argmax 0 too
        self.assertEqual(res["final"]["counts"], {"0": 400})
        self.assertEqual(res["final"]["counts"],
                         cr.run(layers, [0.5], "l2", "keep", [0], 400,
                                3)["final"]["counts"])
        # with one_hot the argmax is the outcome
        r = create({"layers": layers, "input": [0.5],
                    "collapse_layers": [0], "shots": 400, "seed": 3})
        self.assertEqual(r.json["result"]["final"]["counts"], seen)

    def test_an_outcome_the_deterministic_output_excludes(self):
        # relu last layer: deterministic (1, 0) reads as q = (1, 0) under
        # l2; collapsed inputs can reach outcome 1, where q is 0: D is
        # infinite, given as null.
        layers = [{"weights": [[1], [1]], "activation": "identity"},
                  {"weights": [[1, -1], [-1, 1]], "bias": [1, 0],
                   "activation": "relu"}]
        r = create({"layers": layers, "input": [1], "shots": 200, "seed": 4})
        self.assertEqual(r.status, 201, r)
        res = r.json["result"]
        self.assertEqual(res["deterministic"]["distribution"], [1.0, 0.0])
        self.assertIsNone(res["metrics"]["kl_divergence_bits"])
        want = cr.run(layers, [1], "l2", "one_hot", None, 200, 4)
        self.assertEqual(res["final"], want["final"])
        self.assertIn("1", res["final"]["counts"])


class Refused(unittest.TestCase):
    LAYERS = [{"weights": [[1, 0], [0, 1], [1, 1]], "activation": "relu"},
              {"weights": [[1, 0, 0], [0, 1, 1]], "activation": "softmax"}]

    def params(self, **kw):
        p = {"layers": self.LAYERS, "input": [0.5, 1], "shots": 10}
        p.update(kw)
        return {k: v for k, v in p.items() if v is not None}

    def refused(self, pointer, detail=None, s=None, **kw):
        r = create(self.params(**kw), s)
        p = assert_problem(self, r, 422, pointer)
        if detail:
            self.assertIn(detail, str(p), p)
        return p

    def test_fields(self):
        self.refused("/params/shots", "required", shots=None)
        self.refused("/params/shots", shots=0)
        self.refused("/params/shots", shots=2.5)
        self.refused("/params/seed", seed=-1)
        self.refused("/params/mapping", mapping="none")
        self.refused("/params/collapse", collapse="half")
        self.refused("/params/layer", layer=self.LAYERS[0])
        self.refused("/params/input", "takes 2 inputs", input=[1, 2, 3])
        self.refused("/params/input", "required", input=None)

    def test_the_source(self):
        self.refused("/params/network_id", "required", layers=None)
        self.refused("/params/layers", network_id="net_x")
        self.refused("/params/network_id", "names no stored network",
                     layers=None, network_id="net_nonesuch")
        self.refused("/params/layers", "array", layers={"weights": [[1]]})
        self.refused("/params/layers", "empty", layers=[])
        self.refused("/params/layers/1/weights", "2 columns",
                     layers=[self.LAYERS[0],
                             {"weights": [[1, 0]], "activation": "relu"}])
        self.refused("/params/layers/0/activation",
                     layers=[{"weights": [[1]], "activation": "cosine"}],
                     input=[1])

    def test_collapse_layers(self):
        self.refused("/params/collapse_layers", "array", collapse_layers=1)
        self.refused("/params/collapse_layers", "at least one",
                     collapse_layers=[])
        self.refused("/params/collapse_layers/1", "between 0 and 1",
                     collapse_layers=[0, 2])
        self.refused("/params/collapse_layers/0", collapse_layers=[-1])
        self.refused("/params/collapse_layers/0", collapse_layers=[0.5])
        self.refused("/params/collapse_layers/1", "increasing order",
                     collapse_layers=[1, 0])
        self.refused("/params/collapse_layers/1", "increasing order",
                     collapse_layers=[0, 0])
        self.refused("/params/collapse_layers", "names 3 layers",
                     collapse_layers=[0, 1, 1])
        self.refused("/params/collapse_layers", "[0]",
                     layers=[self.LAYERS[0]])

    def test_unknown_fields_are_named(self):
        self.refused("/params/colapse", colapse="keep")

    def test_a_zero_state_under_l2(self):
        # e_1 into relu(-x) is all zero: no state at layer 1, in the first
        # shot; softmax_sqrt always has one
        layers = [{"weights": [[0], [0]], "bias": [0, 1],
                   "activation": "relu"},
                  {"weights": [[1, -1], [1, -1]], "activation": "relu"}]
        p = self.refused("/params/mapping", "shot 0", layers=layers,
                         input=[1], collapse_layers=[0, 1])
        self.assertIn("layer 1", p["errors"][0]["message"])
        self.refused("/params/mapping", "deterministic", layers=layers,
                     input=[1])
        r = create(self.params(layers=layers, input=[1],
                               collapse_layers=[0, 1],
                               mapping="softmax_sqrt"))
        self.assertEqual(r.status, 201, r)

    def test_an_overflow_names_the_layer(self):
        # deterministic: (1e-10, 1e-10) -> 1e290 -> 1e300; collapsed to e_0
        # it is 1e300 -> 1e310, past a double
        layers = [{"weights": [[1e-10], [1e-10]], "activation": "identity"},
                  {"weights": [[1e300, 0]], "activation": "identity"},
                  {"weights": [[1e10]], "activation": "identity"}]
        self.refused("/params/layers/2/weights", "overflows",
                     layers=layers, input=[1], collapse_layers=[0],
                     shots=100)

    def test_the_work_limit(self):
        with Server("--max-collapse-work", "100", "--max-shots", "50") as s:
            # a shot: layer 1's 6 weights and layer 0's 3 neurons
            r = create(self.params(shots=11), s)
            self.assertEqual(r.status, 201, r)
            self.refused("/params/shots", "max_collapse_work", s=s, shots=12)
            self.refused("/params/shots", "max_shots", s=s, shots=51)


if __name__ == "__main__":
    unittest.main()
