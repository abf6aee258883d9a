"""Stateless computations through the real server: normalize and layer
forward, checked against independent Python math (1e-12 relative)."""

import math
import unittest

from harness import Server, assert_problem
from reference import ACTIVATIONS, DEFAULT_ALPHA, close, layer

server = None


def setUpModule():
    global server
    server = Server().start()


def tearDownModule():
    try:
        server.stop()
    finally:
        server.cleanup()


class Normalize(unittest.TestCase):
    def post(self, amps):
        return server.post("/v1/superpositions/normalize", {"amplitudes": amps})

    def test_three_four_gives_three_fifths_four_fifths(self):
        r = self.post([3, 4])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["amplitudes"], [[0.6, 0.0], [0.8, 0.0]])
        self.assertEqual(r.json["norm"], 5.0)
        self.assertTrue(close(r.json["probabilities"][0], 0.36))
        self.assertTrue(close(r.json["probabilities"][1], 0.64))

    def test_complex_pairs_and_mixed_forms(self):
        r = self.post([[1, 1], [1, -1], 0])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["norm"], 2.0)
        self.assertEqual(r.json["amplitudes"][1], [0.5, -0.5])
        self.assertEqual(r.json["amplitudes"][2], [0.0, 0.0])
        self.assertEqual(r.json["probabilities"], [0.5, 0.5, 0.0])

    def test_extreme_scales(self):
        for scale in (1e300, 1e-300, 5e-324):
            r = self.post([scale, scale])
            self.assertEqual(r.status, 200, r)
            for re, im in r.json["amplitudes"]:
                self.assertTrue(close(re, math.sqrt(0.5), 1e-15))
        r = self.post([1.7976931348623157e308, -1.7976931348623157e308])
        self.assertEqual(r.status, 422)  # the norm is not a double

    def test_numbers_round_trip_exactly(self):
        r = self.post([0.1 + 0.2])
        self.assertEqual(r.json["norm"], 0.1 + 0.2)
        r = self.post([1 / 3, 2 / 3])
        want = math.hypot(1 / 3, 2 / 3)
        self.assertTrue(close(r.json["norm"], want, 1e-15))

    def test_errors_point_at_the_bad_value(self):
        assert_problem(self, self.post([0, [0, 0]]), 422, "/amplitudes")
        assert_problem(self, self.post([1, "x"]), 422, "/amplitudes/1")
        assert_problem(self, self.post([1, [1, 2, 3]]), 422, "/amplitudes/1")
        assert_problem(self, self.post([]), 422, "/amplitudes")
        assert_problem(self, self.post("0,1"), 422, "/amplitudes")
        r = server.post("/v1/superpositions/normalize",
                        {"amplitudes": [1], "extra": True})
        assert_problem(self, r, 422, "/extra")
        r = server.post("/v1/superpositions/normalize",
                        b'{"amplitudes":[1e999]}',
                        headers={"Content-Type": "application/json"})
        assert_problem(self, r, 422)


class LayerForward(unittest.TestCase):
    W = [[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]]
    B = [0.1, -0.2]
    X = [0.3, -0.7, 1.1]

    def forward(self, **body):
        return server.post("/v1/layers/forward", body)

    def test_every_activation_matches_python(self):
        for act in ACTIVATIONS:
            r = self.forward(weights=self.W, bias=self.B, activation=act,
                             input=self.X)
            self.assertEqual(r.status, 200, (act, r))
            z, a = layer(self.W, self.B, act, self.X)
            for got, want in zip(r.json["pre_activation"], z):
                self.assertTrue(close(got, want), (act, got, want))
            for got, want in zip(r.json["output"], a):
                self.assertTrue(close(got, want), (act, got, want))

    def test_alpha_parameters(self):
        for act in ("leaky_relu", "elu"):
            for alpha in (None, 0.3):
                body = dict(weights=[[1.0], [-1.0]], activation=act,
                            input=[2.0])
                if alpha is not None:
                    body["params"] = {"alpha": alpha}
                r = self.forward(**body)
                self.assertEqual(r.status, 200, r)
                _, a = layer([[1.0], [-1.0]], None, act, [2.0],
                             alpha if alpha is not None else DEFAULT_ALPHA[act])
                self.assertTrue(close(r.json["output"][1], a[1]))

    def test_batch_returns_rows(self):
        xs = [self.X, [0, 0, 0], [1, 2, 3]]
        r = self.forward(weights=self.W, bias=self.B, activation="softmax",
                         inputs=xs)
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.json["output"]), 3)
        for row, x in zip(r.json["output"], xs):
            _, a = layer(self.W, self.B, "softmax", x)
            for got, want in zip(row, a):
                self.assertTrue(close(got, want))

    def test_softmax_of_large_logits_is_finite(self):
        r = self.forward(weights=[[0.0], [0.0]], bias=[1000, 1001],
                         activation="softmax", input=[1])
        e = math.e
        self.assertTrue(close(r.json["output"][0], 1 / (1 + e), 1e-15))

    def test_shape_errors_have_pointers(self):
        r = self.forward(weights=[[1, 2], [3, 4], [5]], activation="tanh",
                         input=[1, 2])
        assert_problem(self, r, 422, "/weights/2")
        r = self.forward(weights=[[1, 2]], bias=[1, 2], activation="tanh",
                         input=[1, 2, 3])
        p = assert_problem(self, r, 422, "/bias")
        self.assertIn("/input", [e["pointer"] for e in p["errors"]])
        r = self.forward(weights=[[1]], activation="swish", input=[1])
        assert_problem(self, r, 422, "/activation")
        r = self.forward(weights=[[1]], activation="relu", input=[1],
                         inputs=[[1]])
        assert_problem(self, r, 422, "/inputs")
        r = self.forward(weights=[[1]], activation="sigmoid",
                         params={"alpha": 1}, input=[1])
        assert_problem(self, r, 422, "/params/alpha")
        r = self.forward(weights=[[True]], activation="relu", input=[1])
        assert_problem(self, r, 422, "/weights/0/0")
        r = self.forward(weights=[[1e300]], activation="identity",
                         input=[1e300])
        assert_problem(self, r, 422)
