"""Complex layers through the real server: POST /v1/layers/forward with
"complex": true and the layer_superposition experiment on a complex inline
layer, against the independent pure-Python reference of creference.py.

Tolerances: a pre-activation z_j within 1e-12 S_j, S_j = sum |w_ji||x_i| +
|b_j| (what a dot product can promise); an output within 1e-12 of
max(|a_j|, 2 S_j) (each activation moves about as much as its argument);
states and distributions within 1e-12 relative. Extreme magnitudes (1e300,
1e-300, DBL_MAX) are checked the same way."""

import base64
import random
import struct
import unittest

from creference import activate, forward, layer_state, row_scale
from harness import Server, assert_problem

server = None
TOL = 1e-12
DBL_MAX = 1.7976931348623157e308


def setUpModule():
    global server
    server = Server().start()


def tearDownModule():
    try:
        server.stop()
    finally:
        server.cleanup()


def rand_amp(rng, scale):
    return [rng.uniform(-1, 1) * scale, rng.uniform(-1, 1) * scale]


def pairs_from_b64(obj):
    raw = base64.b64decode(obj["b64"])
    flat = struct.unpack("<%dd" % (len(raw) // 8), raw)
    return [list(flat[i:i + 2]) for i in range(0, len(flat), 2)]


def b64_of_pairs(pairs):
    flat = [v for p in pairs for v in p]
    return base64.b64encode(struct.pack("<%dd" % len(flat), *flat)).decode()


class Forward(unittest.TestCase):
    def check_layer(self, weights, bias, activation, x, b=None):
        body = {"complex": True, "weights": weights, "activation": activation,
                "input": x}
        if bias is not None:
            body["bias"] = bias
        if b is not None:
            body["params"] = {"b": b}
        r = server.post("/v1/layers/forward", body)
        self.assertEqual(r.status, 200, r)
        z = forward(weights, bias, x)
        want_z = [[float(re), float(im)] for re, im in z]
        want_a = activate(activation, z, b)
        for j, (gz, ga) in enumerate(zip(r.json["pre_activation"],
                                         r.json["output"])):
            s = row_scale(weights, bias, x, j)
            for k in (0, 1):
                self.assertLessEqual(abs(gz[k] - want_z[j][k]), TOL * s,
                                     (activation, j, gz, want_z[j]))
                bound = TOL * max(abs(want_a[j][0]), abs(want_a[j][1]),
                                  2 * s)
                self.assertLessEqual(abs(ga[k] - want_a[j][k]), bound,
                                     (activation, j, ga, want_a[j]))
        return r

    def test_every_activation_on_random_layers(self):
        rng = random.Random(11)
        for activation, b in (("identity", None), ("modrelu", -0.5),
                              ("modrelu", [0.25, -3.0, 0.0, -0.1]),
                              ("cardioid", None), ("split_tanh", None),
                              ("split_sigmoid", None)):
            weights = [[rand_amp(rng, 2) for _ in range(5)]
                       for _ in range(4)]
            bias = [rand_amp(rng, 1) for _ in range(4)]
            x = [rand_amp(rng, 1) for _ in range(4)] + [0.75]  # a real one
            self.check_layer(weights, bias, activation, x, b)

    def test_extreme_magnitudes(self):
        rng = random.Random(12)
        for ws, xs, b in ((1e150, 1e150, -1e300), (1e-150, 1e-150, -1e-300),
                          (1e300, 1e-300, -0.5), (1e200, 1e99, 1e299)):
            weights = [[rand_amp(rng, ws) for _ in range(3)]
                       for _ in range(3)]
            x = [rand_amp(rng, xs) for _ in range(3)]
            for activation in ("modrelu", "cardioid", "split_tanh",
                               "split_sigmoid", "identity"):
                self.check_layer(weights, None, activation, x,
                                 b if activation == "modrelu" else None)

    def test_at_the_largest_doubles(self):
        # |z| = sqrt 2 DBL_MAX is not a double, but no activation needs it
        x = [[DBL_MAX, DBL_MAX], [DBL_MAX, -DBL_MAX], [-DBL_MAX, 0]]
        weights = [[1]]
        for v in x:
            for activation, b in (("modrelu", 0), ("modrelu", -DBL_MAX),
                                  ("cardioid", None), ("split_tanh", None),
                                  ("split_sigmoid", None)):
                self.check_layer(weights, None, activation, [v], b)
        for v in ([5e-324, 5e-324], [5e-324, -1e-320], [2.5e-308, 0]):
            for activation, b in (("modrelu", -1e-323), ("modrelu", 1e300),
                                  ("cardioid", None)):
                self.check_layer(weights, None, activation, [v], b)

    def test_a_batch_and_its_binary_form_agree_bit_for_bit(self):
        rng = random.Random(13)
        weights = [[rand_amp(rng, 1) for _ in range(3)] for _ in range(2)]
        inputs = [[rand_amp(rng, 1) for _ in range(3)] for _ in range(4)]
        body = {"complex": True, "weights": weights, "activation": "cardioid",
                "inputs": inputs}
        r = server.post("/v1/layers/forward", body)
        self.assertEqual(r.status, 200, r)
        for row, x in zip(r.json["output"], inputs):
            z = forward(weights, None, x)
            for got, want in zip(row, activate("cardioid", z)):
                for k in (0, 1):
                    self.assertLessEqual(abs(got[k] - want[k]), 1e-15 * 8)
        binary = dict(body, encoding="b64",
                      weights={"b64": b64_of_pairs(
                          [w for row in weights for w in row]),
                          "shape": [2, 3]},
                      inputs={"b64": b64_of_pairs(
                          [v for row in inputs for v in row]),
                          "shape": [4, 3]})
        rb = server.post("/v1/layers/forward", binary)
        self.assertEqual(rb.status, 200, rb)
        for key in ("pre_activation", "output"):
            self.assertEqual(rb.json[key]["shape"], [4, 2])
            flat = [p for row in r.json[key] for p in row]
            self.assertEqual(pairs_from_b64(rb.json[key]), flat)

    def test_a_real_layers_answer_is_unchanged(self):
        r = server.post("/v1/layers/forward", {
            "weights": [[1, 2], [-1, 0]], "bias": [0.5, -0.5],
            "activation": "relu", "input": [1, 2]})
        self.assertEqual(r.body,
                         b'{"pre_activation":[5.5,-1.5],"output":[5.5,0.0]}')


class Refused(unittest.TestCase):
    def refused(self, path, body, pointer, part):
        r = server.post(path, body)
        p = assert_problem(self, r, 422, pointer)
        messages = [e["message"] for e in p["errors"]
                    if e["pointer"] == pointer]
        self.assertTrue(any(part in m for m in messages), (part, p))

    def test_bad_complex_input_has_exact_pointers(self):
        fwd = "/v1/layers/forward"
        base = {"complex": True, "weights": [[1, [0, 1]]],
                "activation": "modrelu", "input": [1, 1]}
        self.refused(fwd, dict(base, complex="yes"), "/complex",
                     "must be true or false")
        self.refused(fwd, dict(base, weights=[[1, [0, "1"]]]),
                     "/weights/0/1/1", "must be a number")
        self.refused(fwd, dict(base, weights=[[1, [0, 1, 2]]]),
                     "/weights/0/1", "exactly two numbers")
        self.refused(fwd, dict(base, bias=[[1, 1], 2]), "/bias",
                     "one bias per neuron")
        self.refused(fwd, dict(base, params={"b": [1, 2]}), "/params/b",
                     "has 2 entries but weights has 1 rows")
        self.refused(fwd, dict(base, params={"alpha": 0.1}), "/params/alpha",
                     "")
        self.refused(fwd, dict(base, activation="tanh"), "/activation",
                     "tanh is an activation of real layers")
        self.refused(fwd, dict(base, input=[[1, 0], [0, "x"]]), "/input/1/1",
                     "must be a number")
        self.refused(fwd, dict(base, input=[[1, 0]]), "/input",
                     "the layer takes 2 inputs")
        self.refused(fwd, dict(base, weights={"b64": "AAAAAAAA8D8=",
                                              "shape": [1, 1]},
                               input=[1]),
                     "/weights/b64", "exactly 2 little-endian doubles")
        self.refused(fwd, dict(base, weights=[[1e300]], input=[[1e300, 1]]),
                     "", "overflows the range of a double")
        # a real layer that was sent pairs or a complex activation
        real = {"weights": [[1, [0, 1]]], "activation": "relu",
                "input": [1, 1]}
        self.refused(fwd, real, "/weights/0/1", "must be a number")
        self.refused(fwd, dict(real, weights=[[[0, 1], 1]]), "/weights/0/0",
                     "only a complex layer takes")
        self.refused(fwd, dict(real, weights=[[1, 1]], activation="modrelu"),
                     "/activation", "modrelu is an activation of complex")

    def test_stored_networks_hold_real_layers_only(self):
        self.refused("/v1/networks", {"layers": [
            {"complex": True, "weights": [[1]], "activation": "identity"}]},
            "/layers/0/complex", "stored networks hold real layers")
        self.refused("/v1/experiments", {
            "name": "n", "kind": "neuron_activation",
            "params": {"complex": True, "weights": [[1]],
                       "activation": "identity", "amplitudes": [1]}},
            "/params/complex", "complex layers run only in")
        self.refused("/v1/experiments", {
            "name": "c", "kind": "collapse_propagation",
            "params": {"layers": [{"complex": True, "weights": [[1]],
                                   "activation": "identity"}],
                       "input": [1], "shots": 10, "seed": 1}},
            "/params/layers/0/complex", "complex layers run only in")


class LayerSuperposition(unittest.TestCase):
    def run_experiment(self, params):
        r = server.post("/v1/experiments", {
            "name": "complex", "kind": "layer_superposition",
            "params": params})
        self.assertEqual(r.status, 201, r)
        return r.json

    def test_a_complex_output_is_the_state(self):
        rng = random.Random(14)
        weights = [[rand_amp(rng, 1) for _ in range(3)] for _ in range(4)]
        bias = [rand_amp(rng, 0.5) for _ in range(4)]
        x = [rand_amp(rng, 1) for _ in range(3)]
        for activation, b in (("modrelu", -0.2), ("cardioid", None),
                              ("split_tanh", None), ("identity", None)):
            layer = {"complex": True, "weights": weights, "bias": bias,
                     "activation": activation}
            if b is not None:
                layer["params"] = {"b": b}
            e = self.run_experiment({"layer": layer, "input": x,
                                     "shots": 500, "seed": 3})
            z = forward(weights, bias, x)
            a = activate(activation, z, b)
            amps, probs, ref = layer_state(z, a)
            res = e["result"]
            for got, want in zip(res["output"], a):
                for k in (0, 1):
                    self.assertLessEqual(abs(got[k] - want[k]), 1e-14)
            for got, want in zip(res["state"]["amplitudes"], amps):
                for k in (0, 1):
                    self.assertLessEqual(abs(got[k] - want[k]), TOL)
            for got, want in zip(res["state"]["probabilities"], probs):
                self.assertLessEqual(abs(got - want), TOL)
            for got, want in zip(res["reference_distribution"], ref):
                self.assertLessEqual(abs(got - want), TOL)
            self.assertEqual(sum(res["measurement"]["counts"].values()), 500)
            # stored as sent, and read back the same
            g = server.get("/v1/experiments/" + e["id"])
            self.assertEqual(g.json["params"], e["params"])
            self.assertEqual(g.json["result"], res)

    def test_extreme_amplitudes_normalize(self):
        e = self.run_experiment({
            "layer": {"complex": True, "weights": [[1, 0], [0, 1]],
                      "activation": "identity"},
            "input": [[DBL_MAX, DBL_MAX], [0, 1e-300]], "mapping": "none"})
        z = forward([[1, 0], [0, 1]], None, [[DBL_MAX, DBL_MAX], [0, 1e-300]])
        amps, probs, ref = layer_state(z, activate("identity", z))
        res = e["result"]
        self.assertEqual(res["reference_distribution"], [1.0, 0.0])
        for got, want in zip(res["state"]["amplitudes"], amps):
            for k in (0, 1):
                self.assertLessEqual(abs(got[k] - want[k]), TOL)
        for got, want in zip(res["state"]["probabilities"], probs):
            self.assertLessEqual(abs(got - want), TOL)

    def test_mapping_none_only_normalizes_and_l2_is_for_real_layers(self):
        layer = {"complex": True, "weights": [[[0, 3]], [4]],
                 "activation": "identity"}
        e = self.run_experiment({"layer": layer, "input": [1]})
        self.assertEqual(e["result"]["state"]["amplitudes"],
                         [[0.0, 0.6], [0.8, 0.0]])
        for mapping in ("l2", "softmax_sqrt"):
            r = server.post("/v1/experiments", {
                "name": "c", "kind": "layer_superposition",
                "params": {"layer": layer, "input": [1],
                           "mapping": mapping}})
            assert_problem(self, r, 422, "/params/mapping")
        # a real layer's "none" is l2's numbers
        real = {"weights": [[1, 0], [0, 1]], "activation": "identity"}
        none = self.run_experiment({"layer": real, "input": [3, 4],
                                    "mapping": "none"})
        l2 = self.run_experiment({"layer": real, "input": [3, 4],
                                  "mapping": "l2"})
        self.assertEqual(none["result"], l2["result"])
        r = server.post("/v1/experiments", {
            "name": "c", "kind": "layer_superposition",
            "params": {"layer": {"complex": True, "weights": [[1], [2]],
                                 "activation": "cardioid"},
                       "input": [-1]}})
        p = assert_problem(self, r, 422)
        self.assertIn("zero vector", p["detail"])

    def test_a_complex_experiment_reruns_identical(self):
        e = self.run_experiment({
            "layer": {"complex": True,
                      "weights": [[[0, 1], 1], [1, [0, -1]], [[1, 1], 0]],
                      "activation": "modrelu", "params": {"b": [-0.5, 0, 1]}},
            "input": [[1, 0], [0, 1]], "shots": 100})
        r = server.post("/v1/experiments/%s/rerun" % e["id"])
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["identical"], r.json)
