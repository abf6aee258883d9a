"""The binary form of numeric arrays: {"b64": base64 of little-endian
doubles, "shape": [...]} is accepted wherever a vector or matrix is, gives
results identical to the JSON form, and comes back that way with
"encoding": "b64"."""

import base64
import math
import struct
import unittest

from harness import Server, assert_problem

server = None


def setUpModule():
    global server
    server = Server().start()


def tearDownModule():
    try:
        server.stop()
    finally:
        server.cleanup()


def enc(values, shape=None):
    flat = [v for row in values for v in row] \
        if values and isinstance(values[0], list) else values
    if shape is None:
        shape = [len(values), len(values[0])] \
            if values and isinstance(values[0], list) else [len(values)]
    return {"b64": base64.b64encode(struct.pack("<%dd" % len(flat), *flat))
            .decode(), "shape": shape}


def dec(obj):
    raw = base64.b64decode(obj["b64"])
    flat = list(struct.unpack("<%dd" % (len(raw) // 8), raw))
    if len(obj["shape"]) == 2:
        rows, cols = obj["shape"]
        return [flat[r * cols:(r + 1) * cols] for r in range(rows)]
    return flat


W = [[0.1 * (i + 1) * (-1) ** j for j in range(5)] for i in range(4)]
B = [0.5, -0.25, 0.125, 1 / 3]
X = [math.pi, math.e, -1.5, 1e-300, 2.0]


class Binary(unittest.TestCase):
    def test_layer_forward_binary_in_and_out_equals_json(self):
        js = server.post("/v1/layers/forward", {
            "weights": W, "bias": B, "activation": "gelu", "input": X}).json
        bi = server.post("/v1/layers/forward", {
            "weights": enc(W), "bias": enc(B), "activation": "gelu",
            "input": enc(X), "encoding": "b64"}).json
        self.assertEqual(bi["output"]["shape"], [4])
        self.assertEqual(dec(bi["output"]), js["output"])          # bit for bit
        self.assertEqual(dec(bi["pre_activation"]), js["pre_activation"])
        batch = server.post("/v1/layers/forward", {
            "weights": enc(W), "activation": "relu",
            "inputs": enc([X, X[::-1]]), "encoding": "b64"}).json
        self.assertEqual(batch["output"]["shape"], [2, 4])
        mixed = server.post("/v1/layers/forward", {
            "weights": W, "activation": "relu", "inputs": [X, X[::-1]]}).json
        self.assertEqual(dec(batch["output"]), mixed["output"])

    def test_normalize_complex_pairs(self):
        amps = [[3.0, 0.0], [0.0, 4.0], [1e-3, -2e-3]]
        js = server.post("/v1/superpositions/normalize",
                         {"amplitudes": amps}).json
        pairs = [v for a in amps for v in a]
        bi = server.post("/v1/superpositions/normalize", {
            "amplitudes": {"b64": enc(pairs)["b64"], "shape": [3]},
            "encoding": "b64"}).json
        flat = dec(bi["amplitudes"])
        self.assertEqual([flat[i:i + 2] for i in (0, 2, 4)], js["amplitudes"])
        self.assertEqual(bi["amplitudes"]["shape"], [3])
        self.assertEqual(dec(bi["probabilities"]), js["probabilities"])
        self.assertEqual(bi["norm"], js["norm"])

    def test_stored_network_forward_with_trace(self):
        net = server.post("/v1/networks", {"layers": [
            {"weights": enc(W), "bias": enc(B), "activation": "tanh"},
            {"weights": [[1, -1, 1, -1]], "activation": "identity"}]}).json
        got = server.get("/v1/networks/%s?include=weights" % net["id"]).json
        self.assertEqual(got["layers"][0]["weights"], W)
        path = "/v1/networks/%s/forward" % net["id"]
        js = server.post(path, {"input": X, "trace": True}).json
        bi = server.post(path, {"input": enc(X), "trace": True,
                                "encoding": "b64"}).json
        self.assertEqual(dec(bi["output"]), js["output"])
        self.assertEqual(dec(bi["layers"][0]["pre_activation"]),
                         js["layers"][0]["pre_activation"])

    def test_experiments_take_binary_params_and_keep_them(self):
        e = server.post("/v1/experiments", {
            "name": "bin", "kind": "layer_superposition", "params": {
                "layer": {"weights": enc(W), "activation": "sigmoid"},
                "input": enc(X)}})
        self.assertEqual(e.status, 201, e)
        j = server.post("/v1/experiments", {
            "name": "json", "kind": "layer_superposition", "params": {
                "layer": {"weights": W, "activation": "sigmoid"},
                "input": X}}).json
        self.assertEqual(e.json["result"], j["result"])
        self.assertEqual(e.json["params"]["input"], enc(X))

    def test_shapes_and_lengths_are_validated_like_json(self):
        def bad(body, pointer):
            assert_problem(self, server.post("/v1/layers/forward", body), 422,
                           pointer)
        good = {"weights": enc(W), "activation": "relu", "input": enc(X)}
        # a 5 x 4 reading of the same 20 doubles is valid, but takes 4 inputs
        bad(dict(good, weights=enc(W, [5, 4])), "/input")
        bad(dict(good, weights={"b64": enc(W)["b64"][:-4], "shape": [4, 5]}),
            "/weights/b64")
        bad(dict(good, weights={"b64": "!!!!", "shape": [1, 1]}), "/weights/b64")
        bad(dict(good, weights={"b64": enc(W)["b64"], "shape": [20]}),
            "/weights/shape")
        bad(dict(good, weights={"b64": enc(W)["b64"], "shape": [4, 0]}),
            "/weights/shape")
        bad(dict(good, weights={"b64": enc(W)["b64"], "shape": [4, 5],
                                "dtype": "f8"}), "/weights/dtype")
        bad(dict(good, input=enc(X[:4])), "/input")
        nan = base64.b64encode(struct.pack("<2d", 1.0, float("nan"))).decode()
        bad(dict(good, input={"b64": nan, "shape": [2]}), "/input/b64")
        bad(dict(good, encoding="hex"), "/encoding")
