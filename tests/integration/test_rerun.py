"""POST /v1/experiments/{id}/rerun: a stored experiment recomputed from its
stored params and seed is the stored result byte for byte, for every kind;
the hashes of its stored inputs are the canonical forms of store/digest.h
(computed here with struct and hashlib); a deleted input, a changed one (by
normalize, or by a hand on the database file of a stopped server), an
experiment from before hashes were kept, and a stored result edited by
hand are each said plainly, with the first difference and both values."""

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import struct
import tempfile
import unittest

from harness import Server, assert_problem
from reference import close


def setUpModule():
    global server
    server = Server().start()


def tearDownModule():
    try:
        server.stop()
    finally:
        server.cleanup()


def b64(flat, shape):
    return {"b64": base64.b64encode(struct.pack("<%dd" % len(flat), *flat))
            .decode(), "shape": shape}


def u64(v):
    return struct.pack("<Q", v)


def f64(xs):
    return b"".join(struct.pack("<d", x) for x in xs)


def network_sha256(net):
    """store/digest.h's hash of a network as GET ?include=weights gives
    it (its numbers are shortest round-trip text: exact doubles)."""
    out = b"psinet-network-1\0" + u64(len(net["layers"]))
    for l in net["layers"]:
        out += u64(l["outputs"]) + u64(l["inputs"])
        out += l["activation"].encode() + b"\0"
        alpha = (l.get("params") or {}).get("alpha")
        out += b"\1" + f64([alpha]) if alpha is not None else b"\0"
        out += f64([w for row in l["weights"] for w in row])
        out += f64(l["bias"] if l["bias"] is not None else [0.0] * l["outputs"])
    return hashlib.sha256(out).hexdigest()


def superposition_sha256(sup):
    out = b"psinet-superposition-1\0" + u64(len(sup["amplitudes"]))
    for a in sup["amplitudes"]:
        re, im = (a, 0.0) if not isinstance(a, list) else a
        out += f64([re, im])
    return hashlib.sha256(out).hexdigest()


def create(s, kind, params, name="r"):
    r = s.post("/v1/experiments", {"name": name, "kind": kind,
                                   "params": params})
    assert r.status == 201, r
    return r.json


def rerun(test, s, eid):
    r = s.post("/v1/experiments/%s/rerun" % eid)
    test.assertEqual(r.status, 200, r)
    test.assertEqual(r.header("content-type"), "application/json")
    test.assertEqual(r.json["experiment_id"], eid)
    return r.json


def new_network(s, layers):
    r = s.post("/v1/networks", {"layers": layers})
    assert r.status == 201, r
    return r.json["id"]


LAYERS = [{"weights": [[0.5, -1], [2, 0.25]], "bias": [0.1, 0],
           "activation": "leaky_relu", "params": {"alpha": 0.1}},
          {"weights": [[1, -1], [0.3, 0.7], [-0.2, 0.9]],
           "activation": "tanh"}]


def examples(s):
    """Params of each kind, the stored inputs they name created in s.
    A kind this server runs that has no example here fails the test that
    walks them: every kind must rerun."""
    net = new_network(s, LAYERS)
    sup = s.post("/v1/superpositions",
                 {"amplitudes": [0.6, 0.8]}).json["id"]
    return {
        "layer_superposition": [
            {"layer": {"weights": [[1, 2], [3, -4], [0.5, 0.5]],
                       "bias": [0, 0.1, -0.1], "activation": "sigmoid"},
             "input": [0.3, -0.7], "mapping": "softmax_sqrt"},
            {"network_id": net, "input": [1, 2], "shots": 1000},
            {"network_id": net, "input": [1, 2], "shots": 64, "seed": 7,
             "mapping": "l2"},
            # binary arrays stay in the stored params as they were sent
            {"layer": {"weights": b64([0.1, -0.2, 0.3, 1e-300, 2.5, -7],
                                      [3, 2]),
                       "activation": "elu", "params": {"alpha": 0.3}},
             "input": b64([0.7, -1.1], [2]), "shots": 100},
        ],
        "neuron_activation": [
            {"amplitudes": [0.6, -0.8], "weights": [[1, 0], [0.5, 0.5]],
             "activation": "relu"},
            {"superposition_id": sup, "weights": [[1, 2], [0, 0]],
             "bias": [0.25, 0], "activation": "elu",
             "params": {"alpha": 0.5}},
        ],
        "collapse_propagation": [
            {"network_id": net, "input": [1, 2], "shots": 500,
             "mapping": "softmax_sqrt", "collapse": "keep"},
            {"layers": LAYERS, "input": [0.4, -1.5], "shots": 300,
             "collapse_layers": [0, 1], "mapping": "softmax_sqrt",
             "seed": 12},
            {"layers": [{"weights": b64([1, 0, 0, 1, 1, 1], [3, 2]),
                         "activation": "sigmoid"},
                        {"weights": b64([2, 0, 1, 0, 2, 1], [2, 3]),
                         "activation": "softmax"}],
             "input": b64([0.5, -0.5], [2]), "shots": 200},
        ],
    }


def kinds(s):
    """The kinds this server runs, from the message that lists them."""
    r = s.post("/v1/experiments", {"name": "x", "kind": "no such kind",
                                   "params": {}})
    p = assert_problem(unittest.TestCase(), r, 422, "/kind")
    message = [e["message"] for e in p["errors"]
               if e["pointer"] == "/kind"][0]
    return sorted(k.strip() for k in message.split("use one of:")[1]
                  .split(","))


class Rerun(unittest.TestCase):
    def test_every_kind_reruns_identical(self):
        ex = examples(server)
        self.assertEqual(sorted(ex), kinds(server),
                         "every kind needs an example here")
        for kind, cases in ex.items():
            for params in cases:
                e = create(server, kind, params)
                for _ in range(2):  # and again: rerun changes nothing
                    a = rerun(self, server, e["id"])
                    self.assertEqual(a["kind"], kind)
                    self.assertIs(a["recomputed"], True, a)
                    self.assertIs(a["identical"], True, a)
                    self.assertIsNone(a["difference"])
                    self.assertNotIn("error", a)
                    self.assertTrue(a["summary"].startswith("identical"), a)
                    for i in a["inputs"]:
                        self.assertEqual(i["status"], "same")
                        self.assertEqual(i["recorded_sha256"],
                                         i["current_sha256"])
                self.assertEqual(server.get("/v1/experiments/" + e["id"]).json,
                                 e, "rerun writes nothing")

    def test_a_drawn_seed_is_kept_and_the_measurement_reruns(self):
        net = new_network(server, LAYERS)
        e = create(server, "layer_superposition",
                   {"network_id": net, "input": [0.5, -2], "shots": 5000})
        self.assertIn("seed", e["params"])
        a = rerun(self, server, e["id"])
        self.assertIs(a["identical"], True, a)

    def test_the_recorded_hashes_are_the_canonical_forms(self):
        net = new_network(server, LAYERS)
        full = server.get("/v1/networks/%s?include=weights" % net).json
        e = create(server, "layer_superposition",
                   {"network_id": net, "input": [1, 2]})
        a = rerun(self, server, e["id"])
        self.assertEqual(a["inputs"], [{
            "pointer": "/params/network_id", "type": "network", "id": net,
            "recorded_sha256": network_sha256(full),
            "current_sha256": network_sha256(full), "status": "same"}])

        sup = server.post("/v1/superpositions",
                          {"amplitudes": [0.1, -2.5, 1e-300, 7],
                           "normalize": False}).json
        e = create(server, "neuron_activation",
                   {"superposition_id": sup["id"], "weights": [[1, 0, 1, 1]],
                    "activation": "identity"})
        a = rerun(self, server, e["id"])
        got = server.get("/v1/superpositions/" + sup["id"]).json
        self.assertEqual(a["inputs"][0]["recorded_sha256"],
                         superposition_sha256(got))
        self.assertEqual(a["inputs"][0]["pointer"], "/params/superposition_id")
        self.assertEqual(a["inputs"][0]["type"], "superposition")
        # Inline inputs are not stored inputs: nothing to hash.
        e = create(server, "neuron_activation",
                   {"amplitudes": [1, 0], "weights": [[1, 1]],
                    "activation": "relu"})
        self.assertEqual(rerun(self, server, e["id"])["inputs"], [])

    def test_a_deleted_network_is_said_plainly_and_not_recomputed(self):
        net = new_network(server, LAYERS)
        e = create(server, "layer_superposition",
                   {"network_id": net, "input": [1, 2], "shots": 10})
        recorded = rerun(self, server, e["id"])["inputs"][0]["recorded_sha256"]
        self.assertEqual(server.delete("/v1/networks/" + net).status, 204)
        a = rerun(self, server, e["id"])
        self.assertIs(a["recomputed"], False)
        self.assertIs(a["identical"], False)
        self.assertIsNone(a["difference"])
        self.assertEqual(a["inputs"], [{
            "pointer": "/params/network_id", "type": "network", "id": net,
            "recorded_sha256": recorded, "current_sha256": None,
            "status": "deleted"}])
        self.assertEqual(a["summary"], "not recomputed: the network %s it "
                         "ran on has been deleted" % net)
        self.assertEqual(a["error"]["status"], 422)
        self.assertEqual(a["error"]["errors"][0]["pointer"],
                         "/params/network_id")

    def test_a_deleted_superposition_is_said_plainly(self):
        sup = server.post("/v1/superpositions", {"amplitudes": [1, 0]}).json
        e = create(server, "neuron_activation",
                   {"superposition_id": sup["id"], "weights": [[1, 1]],
                    "activation": "relu"})
        self.assertEqual(server.delete("/v1/superpositions/" +
                                       sup["id"]).status, 204)
        a = rerun(self, server, e["id"])
        self.assertIs(a["recomputed"], False)
        self.assertEqual(a["inputs"][0]["status"], "deleted")
        self.assertIsNone(a["inputs"][0]["current_sha256"])
        self.assertIn("superposition %s" % sup["id"], a["summary"])

    def test_a_normalized_superposition_differs_and_is_recomputed(self):
        """normalize changes a stored superposition in place: the rerun
        says which input changed, both hashes, and recomputes with the
        input as it is now, giving the first difference and both values."""
        sup = server.post("/v1/superpositions", {"amplitudes": [3, 4],
                                                 "normalize": False}).json
        e = create(server, "neuron_activation",
                   {"superposition_id": sup["id"],
                    "weights": [[1, 2], [0.5, 0]], "activation": "identity"})
        self.assertEqual(e["result"]["neurons"][0]["pre_activation"], 11)
        before = server.get("/v1/superpositions/" + sup["id"]).json
        r = server.post("/v1/superpositions/%s/normalize" % sup["id"])
        self.assertEqual(r.status, 200, r)
        after = server.get("/v1/superpositions/" + sup["id"]).json
        a = rerun(self, server, e["id"])
        self.assertEqual(a["inputs"], [{
            "pointer": "/params/superposition_id", "type": "superposition",
            "id": sup["id"], "recorded_sha256": superposition_sha256(before),
            "current_sha256": superposition_sha256(after),
            "status": "differs"}])
        self.assertIs(a["recomputed"], True)
        self.assertIs(a["identical"], False)
        d = a["difference"]
        self.assertEqual(d["pointer"], "/result/neurons/0/pre_activation")
        self.assertEqual(d["stored"], 11)
        x = [v if not isinstance(v, list) else v[0]
             for v in after["amplitudes"]]
        self.assertTrue(close(d["recomputed"], x[0] + 2 * x[1]), d)
        self.assertEqual(a["summary"],
                         "the superposition %s differs from the one it ran "
                         "on (recomputed with the superposition as it is "
                         "now); different: the recomputed result first "
                         "differs from the stored one at "
                         "/result/neurons/0/pre_activation" % sup["id"])

    def test_an_unknown_experiment_is_404_and_get_is_405(self):
        assert_problem(self, server.post("/v1/experiments/exp_none/rerun"),
                       404)
        e = create(server, "neuron_activation",
                   {"amplitudes": [1, 0], "weights": [[1, 1]],
                    "activation": "relu"})
        r = server.get("/v1/experiments/%s/rerun" % e["id"])
        assert_problem(self, r, 405)
        self.assertEqual(r.header("allow"), "POST, OPTIONS")
        assert_problem(self, server.post("/v1/experiments/%s/rerun?x=1"
                                         % e["id"]), 400)


def edit(db, sql, args):
    con = sqlite3.connect(db)
    with con:
        cur = con.execute(sql, args)
        assert cur.rowcount == 1, sql
    con.close()


class OnTheFile(unittest.TestCase):
    """What no route can do, done to the database of a stopped server."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="psinet-rerun-")
        self.db = os.path.join(self.dir, "kept.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def server(self):
        return Server(db=self.db, workdir=self.dir)

    def test_a_network_changed_on_the_file_differs(self):
        with self.server() as s:
            net = new_network(s, LAYERS)
            before = s.get("/v1/networks/%s?include=weights" % net).json
            e = create(s, "layer_superposition",
                       {"network_id": net, "input": [1, 2]})
        # The second layer's second row becomes [0.3, 0.75].
        edit(self.db, "UPDATE network_layers SET weights = ? WHERE"
             " position = 1 AND network_seq ="
             " (SELECT seq FROM networks WHERE id = ?)",
             (f64([1, -1, 0.3, 0.75, -0.2, 0.9]), net))
        with self.server() as s:
            after = s.get("/v1/networks/%s?include=weights" % net).json
            self.assertEqual(after["layers"][1]["weights"][1], [0.3, 0.75])
            a = rerun(self, s, e["id"])
            self.assertEqual(a["inputs"], [{
                "pointer": "/params/network_id", "type": "network",
                "id": net, "recorded_sha256": network_sha256(before),
                "current_sha256": network_sha256(after),
                "status": "differs"}])
            self.assertIs(a["recomputed"], True)
            self.assertIs(a["identical"], False)
            d = a["difference"]
            self.assertEqual(d["pointer"], "/result/output/1")
            self.assertEqual(d["stored"], e["result"]["output"][1])
            fwd = s.post("/v1/networks/%s/forward" % net,
                         {"input": [1, 2]}).json
            self.assertEqual(d["recomputed"], fwd["output"][1])

    def test_an_experiment_from_before_hashes_says_unknown(self):
        with self.server() as s:
            net = new_network(s, LAYERS)
            e = create(s, "layer_superposition",
                       {"network_id": net, "input": [1, 2], "shots": 20})
            full = s.get("/v1/networks/%s?include=weights" % net).json
        edit(self.db, "UPDATE experiments SET inputs = NULL WHERE id = ?",
             (e["id"],))
        with self.server() as s:
            a = rerun(self, s, e["id"])
            self.assertIs(a["identical"], True, a)
            self.assertEqual(a["inputs"], [{
                "pointer": "/params/network_id", "type": "network",
                "id": net, "recorded_sha256": None,
                "current_sha256": network_sha256(full), "status": "unknown"}])
            self.assertEqual(a["summary"],
                             "the hash of the network %s was not recorded "
                             "when it ran; identical: the result recomputed "
                             "from the stored params and seed is the stored "
                             "one, byte for byte" % net)

    def test_a_result_edited_by_hand_is_found_at_its_first_difference(self):
        with self.server() as s:
            e = create(s, "neuron_activation",
                       {"amplitudes": [0.6, 0.8],
                        "weights": [[1, 0], [0, 1], [1, 1]],
                        "activation": "sigmoid"})
        result = e["result"]

        def stored_as(r):
            edit(self.db, "UPDATE experiments SET result = ? WHERE id = ?",
                 (json.dumps(r, separators=(",", ":")), e["id"]))

        cases = []
        # one number, the last bit of a double
        r = json.loads(json.dumps(result))
        a1 = r["neurons"][1]["activation"]
        r["neurons"][1]["activation"] = struct.unpack(
            "<d", struct.pack("<Q", struct.unpack("<Q", struct.pack(
                "<d", a1))[0] + 1))[0]
        cases.append((r, "/result/neurons/1/activation",
                      r["neurons"][1]["activation"], a1))
        # an array one longer: the first index the recomputed one lacks
        r = json.loads(json.dumps(result))
        r["neurons"].append({"pre_activation": 0})
        cases.append((r, "/result/neurons/3", {"pre_activation": 0}, None))
        # a member removed: the recomputed value alone
        r = json.loads(json.dumps(result))
        del r["metrics"]
        cases.append((r, "/result/metrics", None, result["metrics"]))
        for tampered, pointer, stored, recomputed in cases:
            stored_as(tampered)
            with self.server() as s:
                a = rerun(self, s, e["id"])
            self.assertIs(a["identical"], False)
            d = a["difference"]
            self.assertEqual(d["pointer"], pointer)
            if stored is None:
                self.assertNotIn("stored", d)
            else:
                self.assertEqual(d["stored"], stored)
            if recomputed is None:
                self.assertNotIn("recomputed", d)
            else:
                self.assertEqual(d["recomputed"], recomputed)
        # and put back as it was, byte for byte, it is identical again
        stored_as(result)
        with self.server() as s:
            self.assertIs(rerun(self, s, e["id"])["identical"], True)

    def test_a_limit_lowered_since_is_an_answer_not_a_failure(self):
        with self.server() as s:
            e = create(s, "neuron_activation",
                       {"amplitudes": [1, 0, 0, 0], "weights": [[1, 1, 1, 1]],
                        "activation": "relu"})
        with Server("--max-dimension", "2", db=self.db,
                    workdir=self.dir) as s:
            a = rerun(self, s, e["id"])
            self.assertIs(a["recomputed"], False)
            self.assertIsNone(a["difference"])
            self.assertIn(a["error"]["status"], (413, 422))
            self.assertTrue(a["summary"].startswith("not recomputed: "), a)


class Key(unittest.TestCase):
    KEY = "k" * 32

    def test_rerun_needs_the_key_only_where_reads_do(self):
        auth = {"Authorization": "Bearer " + self.KEY}
        with Server(env={"PSINET_API_KEY": self.KEY}) as s:
            e = s.post("/v1/experiments", {
                "name": "k", "kind": "neuron_activation",
                "params": {"amplitudes": [1, 0], "weights": [[1, 1]],
                           "activation": "relu"}}, headers=auth).json
            self.assertEqual(
                s.post("/v1/experiments/%s/rerun" % e["id"]).status, 200)
        with Server("--auth-reads", env={"PSINET_API_KEY": self.KEY},
                    db=None) as s:
            e = s.post("/v1/experiments", {
                "name": "k", "kind": "neuron_activation",
                "params": {"amplitudes": [1, 0], "weights": [[1, 1]],
                           "activation": "relu"}}, headers=auth).json
            assert_problem(self, s.post("/v1/experiments/%s/rerun"
                                        % e["id"]), 401)
            r = s.post("/v1/experiments/%s/rerun" % e["id"], headers=auth)
            self.assertEqual(r.status, 200, r)
            self.assertIs(r.json["identical"], True)
