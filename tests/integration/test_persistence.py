"""Stored superpositions, networks and experiments through the real server,
checked against independent Python computations."""

import math
import unittest

from harness import Server, assert_problem
from reference import (close, classical_fidelity, entropy_bits, kl_bits,
                       layer, pearson, softmax, total_variation)

server = None


def setUpModule():
    global server
    server = Server("--max-shots", "300000").start()


def tearDownModule():
    try:
        server.stop()
    finally:
        server.cleanup()


def create(path, body):
    r = server.post(path, body)
    assert r.status == 201, r
    return r.json


def walk(path, limit, between=None):
    """Every item of a paged list, following next_cursor."""
    seen, cursor = [], None
    while True:
        q = "%s?limit=%d" % (path, limit) + ("&cursor=" + cursor if cursor else "")
        r = server.get(q)
        assert r.status == 200, r
        seen += [item["id"] for item in r.json["items"]]
        cursor = r.json["next_cursor"]
        if cursor is None:
            return seen
        if between:
            between()


class Superpositions(unittest.TestCase):
    def test_create_returns_201_location_and_every_field(self):
        r = server.post("/v1/superpositions",
                        {"name": "bell", "amplitudes": [1, 0, 0, [0, 1]]})
        self.assertEqual(r.status, 201)
        s = r.json
        self.assertEqual(r.header("location"), "/v1/superpositions/" + s["id"])
        self.assertRegex(s["id"], r"^sup_[a-z2-7]{20}$")
        self.assertEqual(s["name"], "bell")
        self.assertEqual(s["dimension"], 4)
        self.assertEqual(s["qubits"], 2)
        self.assertEqual(s["labels"], ["00", "01", "10", "11"])
        h = math.sqrt(0.5)
        self.assertTrue(close(s["amplitudes"][0][0], h, 1e-15))
        self.assertTrue(close(s["amplitudes"][3][1], h, 1e-15))
        self.assertTrue(s["normalized"])
        self.assertTrue(close(s["norm"], 1.0, 1e-15))
        self.assertTrue(close(s["entropy_bits"], 1.0, 1e-12))
        self.assertTrue(close(sum(s["probabilities"]), 1.0, 1e-15))
        self.assertRegex(s["created_at"],
                         r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(server.get(r.header("location")).json, s)

    def test_labels_default_and_custom(self):
        s = create("/v1/superpositions", {"amplitudes": [1, 1, 1]})
        self.assertIsNone(s["qubits"])
        self.assertEqual(s["labels"], ["0", "1", "2"])
        self.assertIsNone(s["name"])
        s = create("/v1/superpositions",
                   {"amplitudes": [1, 2], "labels": ["up", "down"]})
        self.assertEqual(s["labels"], ["up", "down"])
        r = server.post("/v1/superpositions",
                        {"amplitudes": [1, 2], "labels": ["a", "a"]})
        assert_problem(self, r, 422, "/labels")
        r = server.post("/v1/superpositions",
                        {"amplitudes": [1, 2], "labels": ["a"]})
        assert_problem(self, r, 422, "/labels")

    def test_unnormalized_storage_and_idempotent_normalize(self):
        s = create("/v1/superpositions", {"amplitudes": [3, 4],
                                          "normalize": False})
        self.assertEqual(s["norm"], 5.0)
        self.assertFalse(s["normalized"])
        self.assertEqual(s["amplitudes"], [[3.0, 0.0], [4.0, 0.0]])
        self.assertTrue(close(s["probabilities"][1], 0.64))
        path = "/v1/superpositions/%s/normalize" % s["id"]
        r = server.post(path)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["amplitudes"], [[0.6, 0.0], [0.8, 0.0]])
        self.assertTrue(r.json["normalized"])
        again = server.post(path, {})
        self.assertEqual(again.json, r.json)
        self.assertEqual(server.get("/v1/superpositions/" + s["id"]).json,
                         r.json)

    def test_delete_then_404(self):
        s = create("/v1/superpositions", {"amplitudes": [1]})
        path = "/v1/superpositions/" + s["id"]
        r = server.delete(path)
        self.assertEqual(r.status, 204)
        self.assertEqual(r.body, b"")
        assert_problem(self, server.get(path), 404)
        assert_problem(self, server.delete(path), 404)
        assert_problem(self, server.post(path + "/measure", {"shots": 1}), 404)

    def test_list_pages_newest_first(self):
        ids = [create("/v1/superpositions", {"amplitudes": [i + 1, 1]})["id"]
               for i in range(7)]
        seen = walk("/v1/superpositions", 3)
        mine = [i for i in seen if i in ids]
        self.assertEqual(mine, ids[::-1])
        r = server.get("/v1/superpositions?limit=2")
        self.assertEqual(set(r.json["items"][0]),
                         {"id", "name", "dimension", "qubits", "norm",
                          "norm_error", "normalized", "created_at",
                          "parent"})
        for bad in ("limit=0", "limit=501", "limit=x", "cursor=abc",
                    "cursor=c1.0000000000000000"):
            assert_problem(self, server.get("/v1/superpositions?" + bad), 400)


class Measure(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = create("/v1/superpositions", {"amplitudes": [1, 2, 3, 4]})
        cls.path = "/v1/superpositions/%s/measure" % cls.s["id"]

    def measure(self, **body):
        r = server.post(self.path, body)
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_counts_sum_to_shots_and_seed_reproduces(self):
        a = self.measure(shots=1000, seed=42)
        self.assertEqual(a["shots"], 1000)
        self.assertEqual(a["seed"], 42)
        self.assertEqual(sum(a["counts"].values()), 1000)
        self.assertEqual(self.measure(shots=1000, seed=42), a)
        self.assertNotEqual(self.measure(shots=1000, seed=43)["counts"],
                            a["counts"])

    def test_drawn_seed_is_returned_and_reproduces(self):
        a = self.measure(shots=500)
        self.assertIsInstance(a["seed"], int)
        self.assertLess(a["seed"], 2 ** 53)
        self.assertEqual(self.measure(shots=500, seed=a["seed"]), a)

    def test_counts_follow_born_rule_chi_square(self):
        shots = 200000
        m = self.measure(shots=shots, seed=2026)
        probs = [1 / 30, 4 / 30, 9 / 30, 16 / 30]
        chi2 = 0.0
        for label, p in zip(["00", "01", "10", "11"], probs):
            n = m["counts"].get(label, 0)
            chi2 += (n - shots * p) ** 2 / (shots * p)
        self.assertLess(chi2, 16.27)  # 99.9% point, 3 degrees of freedom

    def test_impossible_outcomes_never_appear(self):
        s = create("/v1/superpositions", {"amplitudes": [0, 1, 0, 1]})
        r = server.post("/v1/superpositions/%s/measure" % s["id"],
                        {"shots": 2000, "seed": 1})
        self.assertEqual(set(r.json["counts"]), {"01", "11"})

    def test_shot_limits_and_bad_values(self):
        r = server.post(self.path, {"shots": 300001})
        assert_problem(self, r, 422, "/shots")
        assert_problem(self, server.post(self.path, {"shots": 0}), 422, "/shots")
        assert_problem(self, server.post(self.path, {"shots": 1.5}), 422,
                       "/shots")
        assert_problem(self, server.post(self.path, {"shots": 5, "seed": -1}),
                       422, "/seed")
        assert_problem(self, server.post(self.path, {"seed": 1}), 422, "/shots")


NET = {"name": "two-layer", "layers": [
    {"weights": [[1.0, -0.5, 0.25], [0.5, 0.5, -1.0]], "bias": [0.1, -0.1],
     "activation": "tanh"},
    {"weights": [[2.0, -1.0], [0.5, 1.5], [1.0, 1.0]],
     "activation": "leaky_relu", "params": {"alpha": 0.2}},
]}


def net_forward(x):
    out = []
    for spec in NET["layers"]:
        alpha = spec.get("params", {}).get("alpha")
        z, x = layer(spec["weights"], spec.get("bias"), spec["activation"], x,
                     alpha)
        out.append((z, x))
    return out


class Networks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.net = create("/v1/networks", NET)

    def test_create_describes_the_network(self):
        n = self.net
        self.assertRegex(n["id"], r"^net_[a-z2-7]{20}$")
        self.assertEqual(n["input_size"], 3)
        self.assertEqual(n["output_size"], 3)
        self.assertEqual(n["parameters"], 2 * 4 + 3 * 3)
        self.assertEqual(n["layers"][0], {"inputs": 3, "outputs": 2,
                                          "activation": "tanh"})
        self.assertEqual(n["layers"][1]["params"], {"alpha": 0.2})

    def test_get_with_weights_returns_them_exactly(self):
        r = server.get("/v1/networks/%s?include=weights" % self.net["id"])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["layers"][0]["weights"], NET["layers"][0]["weights"])
        self.assertEqual(r.json["layers"][0]["bias"], NET["layers"][0]["bias"])
        self.assertIsNone(r.json["layers"][1]["bias"])
        r = server.get("/v1/networks/" + self.net["id"])
        self.assertNotIn("weights", r.json["layers"][0])
        assert_problem(self, server.get("/v1/networks/%s?include=all"
                                        % self.net["id"]), 400)

    def test_forward_single_batch_and_trace(self):
        path = "/v1/networks/%s/forward" % self.net["id"]
        x = [0.3, -1.2, 0.8]
        r = server.post(path, {"input": x})
        self.assertEqual(r.status, 200, r)
        want = net_forward(x)
        for got, w in zip(r.json["output"], want[-1][1]):
            self.assertTrue(close(got, w))
        xs = [x, [1, 1, 1]]
        r = server.post(path, {"inputs": xs, "trace": True})
        self.assertEqual(len(r.json["outputs"]), 2)
        for row, xi in zip(r.json["outputs"], xs):
            for got, w in zip(row, net_forward(xi)[-1][1]):
                self.assertTrue(close(got, w))
        self.assertEqual(len(r.json["layers"]), 2)
        z0 = net_forward(xs[1])[0][0]
        for got, w in zip(r.json["layers"][0]["pre_activation"][1], z0):
            self.assertTrue(close(got, w))
        assert_problem(self, server.post(path, {"input": [1, 2]}), 422, "/input")

    def test_size_mismatch_points_at_the_layer(self):
        bad = {"layers": [NET["layers"][0], {"weights": [[1, 2, 3]],
                                             "activation": "relu"}]}
        assert_problem(self, server.post("/v1/networks", bad), 422,
                       "/layers/1/weights")
        assert_problem(self, server.post("/v1/networks", {"layers": []}), 422,
                       "/layers")

    def test_delete_then_forward_is_404(self):
        n = create("/v1/networks", NET)
        path = "/v1/networks/" + n["id"]
        self.assertEqual(server.post(path + "/forward",
                                     {"input": [1, 2, 3]}).status, 200)
        self.assertEqual(server.delete(path).status, 204)
        assert_problem(self, server.post(path + "/forward",
                                         {"input": [1, 2, 3]}), 404)
        assert_problem(self, server.get(path), 404)

    def test_list_has_shapes_without_weights(self):
        seen = walk("/v1/networks", 2)
        self.assertIn(self.net["id"], seen)


LAYER = {"weights": [[1.0, -1.0], [0.5, 2.0], [-1.5, 0.25]],
         "bias": [0.1, 0.0, -0.3], "activation": "sigmoid"}


class Experiments(unittest.TestCase):
    def run_exp(self, kind, params, **extra):
        body = {"name": extra.pop("name", "t"), "kind": kind,
                "params": params}
        body.update(extra)
        r = server.post("/v1/experiments", body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.header("location"), "/v1/experiments/" + r.json["id"])
        return r.json

    def check_layer_superposition(self, res, z, a, mapping):
        ref = softmax(z)
        if mapping == "l2":
            n = math.sqrt(sum(v * v for v in a))
            amps = [v / n for v in a]
        else:
            amps = [math.sqrt(v) for v in ref]
        p = [v * v for v in amps]
        for got, want in zip(res["output"], a):
            self.assertTrue(close(got, want))
        for got, want in zip(res["state"]["amplitudes"], amps):
            self.assertTrue(close(got[0], want) and got[1] == 0.0)
        for got, want in zip(res["reference_distribution"], ref):
            self.assertTrue(close(got, want))
        m = res["metrics"]
        self.assertTrue(close(m["entropy_bits"], entropy_bits(p)))
        self.assertTrue(close(m["reference_entropy_bits"], entropy_bits(ref)))
        self.assertTrue(close(m["kl_divergence_bits"], kl_bits(p, ref), 1e-11))
        self.assertTrue(close(m["total_variation"], total_variation(p, ref)))
        self.assertTrue(close(m["fidelity"], classical_fidelity(p, ref)))
        self.assertEqual(m["argmax_agrees"],
                         p.index(max(p)) == ref.index(max(ref)))

    def test_layer_superposition_inline_both_mappings(self):
        x = [0.7, -0.4]
        z, a = layer(LAYER["weights"], LAYER["bias"], "sigmoid", x)
        for mapping in ("l2", "softmax_sqrt"):
            e = self.run_exp("layer_superposition",
                             {"layer": LAYER, "input": x, "mapping": mapping})
            self.assertRegex(e["id"], r"^exp_[a-z2-7]{20}$")
            self.check_layer_superposition(e["result"], z, a, mapping)
            self.assertNotIn("measurement", e["result"])

    def test_layer_superposition_on_a_stored_network_with_shots(self):
        net = create("/v1/networks", NET)
        x = [0.3, -1.2, 0.8]
        layers = net_forward(x)
        e = self.run_exp("layer_superposition",
                         {"network_id": net["id"], "input": x, "shots": 4000})
        self.check_layer_superposition(e["result"], layers[-1][0],
                                       layers[-1][1], "l2")
        m = e["result"]["measurement"]
        self.assertEqual(sum(m["counts"].values()), 4000)
        self.assertEqual(e["params"]["seed"], m["seed"])  # drawn, then kept
        again = self.run_exp("layer_superposition", e["params"])
        self.assertEqual(again["result"], e["result"])

    def test_neuron_activation_with_amplitudes_and_stored_state(self):
        x = [0.6, -0.8]
        params = {"amplitudes": x, "weights": LAYER["weights"],
                  "bias": LAYER["bias"], "activation": "tanh"}
        e = self.run_exp("neuron_activation", params)
        z, a = layer(LAYER["weights"], LAYER["bias"], "tanh", x)
        probs = []
        for j, (neuron, w) in enumerate(zip(e["result"]["neurons"],
                                            LAYER["weights"])):
            ov = sum(p * q for p, q in zip(w, x)) / (
                math.hypot(*w) * math.hypot(*x))
            probs.append(ov * ov)
            self.assertTrue(close(neuron["pre_activation"], z[j]))
            self.assertTrue(close(neuron["activation"], a[j]))
            self.assertTrue(close(neuron["overlap"], ov))
            self.assertTrue(close(neuron["probability"], ov * ov))
        self.assertTrue(close(
            e["result"]["metrics"]["activation_probability_correlation"],
            pearson(a, probs), 1e-11))
        s = create("/v1/superpositions", {"amplitudes": x, "normalize": False})
        stored = self.run_exp("neuron_activation", {
            "superposition_id": s["id"], "weights": LAYER["weights"],
            "bias": LAYER["bias"], "activation": "tanh"})
        self.assertEqual(stored["result"], e["result"])

    def test_neuron_activation_single_neuron_has_null_correlation(self):
        e = self.run_exp("neuron_activation", {
            "amplitudes": [1, 1], "weights": [[1, 0]], "activation": "relu"})
        self.assertIsNone(
            e["result"]["metrics"]["activation_probability_correlation"])
        self.assertTrue(close(e["result"]["neurons"][0]["probability"], 0.5))

    def test_invalid_experiments(self):
        def bad(kind, params, pointer):
            r = server.post("/v1/experiments", {"name": "x", "kind": kind,
                                                "params": params})
            assert_problem(self, r, 422, pointer)
        bad("neuron_activation", {"amplitudes": [[1, 1], 0],
                                  "weights": [[1, 0]], "activation": "relu"},
            "/params/amplitudes/0")
        bad("neuron_activation", {"superposition_id": "sup_missing",
                                  "weights": [[1]], "activation": "relu"},
            "/params/superposition_id")
        bad("layer_superposition", {"network_id": "net_missing",
                                    "input": [1]}, "/params/network_id")
        bad("layer_superposition", {"layer": LAYER, "input": [1, 2],
                                    "mapping": "cube"}, "/params/mapping")
        bad("layer_superposition", {"layer": LAYER, "input": [1, 2, 3]},
            "/params/input")
        bad("quantum_magic", {}, "/kind")
        r = server.post("/v1/experiments", {"kind": "neuron_activation",
                                            "params": {}})
        assert_problem(self, r, 422, "/name")

    def test_get_patch_delete(self):
        e = self.run_exp("neuron_activation", {
            "amplitudes": [1, 0], "weights": [[1, 1]], "activation": "relu"},
            tags=["a", "b"], notes="first")
        path = "/v1/experiments/" + e["id"]
        self.assertEqual(server.get(path).json, e)
        r = server.patch(path, {"name": "renamed", "tags": ["c"],
                                "notes": None})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["name"], "renamed")
        self.assertEqual(r.json["tags"], ["c"])
        self.assertIsNone(r.json["notes"])
        self.assertEqual(r.json["params"], e["params"])
        self.assertEqual(r.json["result"], e["result"])
        self.assertGreaterEqual(r.json["updated_at"], e["updated_at"])
        self.assertEqual(server.get(path).json, r.json)
        assert_problem(self, server.patch(path, {"params": {}}), 422, "/params")
        assert_problem(self, server.patch(path, {"tags": ["x", "x"]}), 422,
                       "/tags/1")
        assert_problem(self, server.patch("/v1/experiments/exp_nope",
                                          {"name": "x"}), 404)
        self.assertEqual(server.delete(path).status, 204)
        assert_problem(self, server.get(path), 404)

    def test_filters(self):
        p = {"amplitudes": [1, 0], "weights": [[1, 1]], "activation": "relu"}
        a = self.run_exp("neuron_activation", p, name="Alpha run",
                         tags=["filter-x"])
        b = self.run_exp("layer_superposition",
                         {"layer": LAYER, "input": [1, 2]}, name="beta run",
                         tags=["filter-x", "filter-y"])

        def ids(q):
            r = server.get("/v1/experiments?limit=500&" + q)
            self.assertEqual(r.status, 200, r)
            return [i["id"] for i in r.json["items"]]
        self.assertEqual(ids("tag=filter-x"), [b["id"], a["id"]])
        self.assertEqual(ids("tag=filter-y"), [b["id"]])
        self.assertEqual(ids("tag=filter-x&kind=neuron_activation"), [a["id"]])
        self.assertEqual(ids("tag=filter-x&name=beta"), [b["id"]])
        self.assertEqual(ids("tag=filter-x&name=run"), [b["id"], a["id"]])
        self.assertEqual(ids("tag=filter-x&name=%25"), [])
        self.assertEqual(ids("tag=filter-x&created_after=" + a["created_at"]
                             .replace("+", "%2B")),
                         [b["id"]] if b["created_at"] > a["created_at"] else [])
        self.assertEqual(ids("tag=filter-x&created_before=2000-01-01T00:00:00Z"),
                         [])
        self.assertEqual(ids("tag=filter-x&created_after=2000-01-01T01:00:00%2B01:00"),
                         [b["id"], a["id"]])
        for bad in ("kind=nope", "created_after=yesterday", "tag="):
            assert_problem(self, server.get("/v1/experiments?" + bad), 400)

    def test_pages_walk_every_item_once_while_rows_are_added(self):
        p = {"amplitudes": [1, 0], "weights": [[1, 1]], "activation": "relu"}
        made = [self.run_exp("neuron_activation", p, tags=["paging"])["id"]
                for _ in range(23)]
        added = []

        def add():
            added.append(self.run_exp("neuron_activation", p,
                                      tags=["paging"])["id"])
        seen, cursor = [], None
        while True:
            q = "/v1/experiments?tag=paging&limit=5" + (
                "&cursor=" + cursor if cursor else "")
            r = server.get(q)
            seen += [i["id"] for i in r.json["items"]]
            cursor = r.json["next_cursor"]
            if not cursor:
                break
            add()
        self.assertEqual(len(seen), len(set(seen)))      # no repeats
        self.assertEqual(seen, made[::-1])                # no gaps, newest first
        self.assertTrue(added and not set(added) & set(seen))
