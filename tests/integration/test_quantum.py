"""The quantum operations through the real server, against the pure-Python
state-vector reference of qreference.py (full matrix products, built from
each gate's definition): every gate on random states of 1 to 5 qubits in
every order of its qubits, random unitaries on scrambled qubits, tensor
products, marginals and Pauli expectations, all within TOL; the identities
(HZH = X, CX twice is the identity, the Bell state); collapse, comparison
and lineage; seeded results that two servers agree on; atol and
norm_error; every refused input with the pointer it names; the limits and
the API key."""

import base64
import cmath
import collections
import itertools
import math
import re
import struct
import unittest

import qreference as q
from harness import Server, assert_problem

# Every number psinet computes here is a handful of roundings of values of
# magnitude at most 1 away from the reference's.
TOL = 1e-12
KEY = "k3y-for-quantum-tests-0123456789"
server = None


def setUpModule():
    global server
    server = Server().start()


def tearDownModule():
    try:
        server.stop()
    finally:
        server.cleanup()


def ok(test, r, status=200):
    test.assertEqual(r.status, status, r)
    return r.json


def inline(state):
    return {"amplitudes": q.pairs(state)}


def create(test, state=None, s=None, **fields):
    """Stores a state (the amplitudes of `state`, or the given fields);
    returns its representation."""
    body = dict(fields)
    if state is not None:
        body["amplitudes"] = q.pairs(state)
    return ok(test, (s or server).post("/v1/superpositions", body), 201)


def apply(test, state_ref, operations, status=200, s=None, **fields):
    body = dict(fields, state=state_ref, operations=operations)
    return ok(test, (s or server).post("/v1/superpositions/apply", body),
              status)


def amplitudes(answer):
    return q.from_pairs(answer["amplitudes"])


def ids(s=None):
    r = (s or server).get("/v1/superpositions?limit=500")
    return [item["id"] for item in r.json["items"]]


def problem(test, r, pointer, *texts, status=422):
    """r is a 422 whose errors are exactly one, at pointer, and whose
    message holds each of texts."""
    p = assert_problem(test, r, status)
    test.assertEqual([e["pointer"] for e in p["errors"]], [pointer], p)
    for text in texts:
        test.assertIn(text, p["errors"][0]["message"], p)
    return p


class BitOrder(unittest.TestCase):
    def test_the_examples_of_the_document(self):
        # openapi.yaml's "Qubits and bit order", one example at a time
        sup = create(self, basis="0110")
        self.assertEqual(amplitudes(sup).index(1), 6)
        m = ok(self, server.post("/v1/superpositions/%s/measure" % sup["id"],
                                 {"shots": 4, "qubits": [2, 0]}))
        self.assertEqual(m["counts"], {"01": 4})
        self.assertEqual(m["probabilities"]["01"], 1)
        got = apply(self, {"basis": "0100"}, [{"gate": "cx",
                                               "qubits": [2, 0]}])
        self.assertEqual(amplitudes(got).index(1), int("0101", 2))
        state = q.random_state(q.rng(1), 2)
        cx = [[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]]
        u = apply(self, inline(state), [{"gate": "unitary", "qubits": [1, 0],
                                         "matrix": cx}])
        g = apply(self, inline(state), [{"gate": "cx", "qubits": [1, 0]}])
        self.assertEqual(u["amplitudes"], g["amplitudes"])
        three = q.random_state(q.rng(2), 3)
        e = ok(self, server.post("/v1/superpositions/expectation", {
            "state": inline(three), "paulis": ["XIZ"]}))["expectations"][0]
        xz = q.matmul(q.embed(q.X, [2], 3), q.embed(q.Z, [0], 3))
        want = sum(a.conjugate() * b for a, b in
                   zip(three, q.apply(xz, three))).real
        self.assertLess(abs(e["value"] - want), TOL)
        t = ok(self, server.post("/v1/superpositions/tensor", {
            "a": {"basis": "1"}, "b": {"basis": "0"}}))
        self.assertEqual(amplitudes(t).index(1), int("10", 2))


class Gates(unittest.TestCase):
    def test_every_gate_in_every_qubit_order_matches_the_full_matrix(self):
        # Every gate, on random states of 1 to 5 qubits, on every ordered
        # choice of its qubits (controls first): adjacent, non-adjacent,
        # reversed; angles drawn at random.
        rng = q.rng(10)
        checked = 0
        for n in range(1, 6):
            state = q.random_state(rng, n)
            for name in sorted(q.QUBITS):
                for qubits in q.every_order(n, q.QUBITS[name]):
                    params = [rng.uniform(-2 * math.pi, 2 * math.pi)
                              for _ in range(q.PARAMS[name])]
                    op = {"gate": name, "qubits": list(qubits)}
                    if params:
                        op["params"] = params
                    got = apply(self, inline(state), [op])
                    want = q.apply(q.gate_matrix(name, qubits, params, n),
                                   state)
                    self.assertLess(q.max_diff(amplitudes(got), want), TOL,
                                    (name, qubits, params))
                    # the operation is recorded as it was read
                    self.assertEqual(got["operation"],
                                     {"op": "apply", "operations": [op]})
                    self.assertEqual((got["id"], got["parent"]),
                                     (None, None))
                    checked += 1
        self.assertEqual(checked, 765)   # 26 gates, 1 to 5 qubits

    def test_a_random_unitary_on_scrambled_qubits(self):
        # bit j of the matrix's row and column index is qubits[j]
        rng = q.rng(11)
        for n, k in itertools.product((3, 5), (1, 2, 3)):
            state = q.random_state(rng, n)
            orders = q.every_order(n, k)
            if n == 5:
                orders = rng.sample(orders, min(8, len(orders)))
            for qubits in orders:
                u = q.random_unitary(rng, k)
                got = apply(self, inline(state), [{
                    "gate": "unitary", "qubits": list(qubits),
                    "matrix": [q.pairs(row) for row in u]}])
                want = q.apply(q.embed(u, qubits, n), state)
                self.assertLess(q.max_diff(amplitudes(got), want), TOL,
                                qubits)

    def test_a_unitary_matrix_may_come_in_binary_rows(self):
        u = q.random_unitary(q.rng(12), 2)
        state = q.random_state(q.rng(13), 3)

        def b64(row):
            flat = [x for v in row for x in (v.real, v.imag)]
            return {"b64": base64.b64encode(struct.pack(
                "<%dd" % len(flat), *flat)).decode(), "shape": [len(row)]}
        binary = apply(self, inline(state), [{
            "gate": "unitary", "qubits": [2, 0],
            "matrix": [b64(row) for row in u]}])
        text = apply(self, inline(state), [{
            "gate": "unitary", "qubits": [2, 0],
            "matrix": [q.pairs(row) for row in u]}])
        self.assertEqual(binary, text)

    def test_a_list_of_gates_is_applied_in_order(self):
        rng = q.rng(14)
        n = 4
        state = q.random_state(rng, n)
        ops, want = [], state
        for _ in range(40):
            name = rng.choice(sorted(q.QUBITS))
            qubits = rng.sample(range(n), q.QUBITS[name])
            params = [rng.uniform(-3, 3) for _ in range(q.PARAMS[name])]
            ops.append({"gate": name, "qubits": qubits, "params": params})
            want = q.apply(q.gate_matrix(name, qubits, params, n), want)
        for i, op in enumerate(ops):   # no angles: none at all, or []
            if not op["params"] and i % 2:
                del op["params"]
        got = apply(self, inline(state), ops)
        self.assertLess(q.max_diff(amplitudes(got), want), TOL)
        self.assertEqual(len(got["operation"]["operations"]), 40)

    def test_hzh_is_x(self):
        state = q.random_state(q.rng(15), 3)
        hzh = apply(self, inline(state), [{"gate": "h", "qubits": [1]},
                                          {"gate": "z", "qubits": [1]},
                                          {"gate": "h", "qubits": [1]}])
        x = apply(self, inline(state), [{"gate": "x", "qubits": [1]}])
        self.assertLess(q.max_diff(amplitudes(hzh), amplitudes(x)), TOL)
        self.assertLess(q.max_diff(amplitudes(x), q.apply(
            q.embed(q.X, [1], 3), state)), TOL)
        c = ok(self, server.post("/v1/superpositions/compare", {
            "a": {"amplitudes": hzh["amplitudes"]},
            "b": {"amplitudes": x["amplitudes"]}}))
        self.assertTrue(c["equal_up_to_global_phase"], c)
        self.assertLess(abs(c["fidelity"] - 1), TOL)
        self.assertLess(abs(c["phase"]), TOL)

    def test_cx_twice_is_the_identity(self):
        state = q.random_state(q.rng(16), 3)
        for qubits in ([0, 1], [2, 0], [1, 2]):
            got = apply(self, inline(state), [
                {"gate": "cx", "qubits": qubits},
                {"gate": "cx", "qubits": qubits}])
            self.assertLess(q.max_diff(amplitudes(got), state), TOL)

    def test_the_bell_state_from_00_by_h_then_cx(self):
        zero = create(self, basis="00")
        self.assertEqual(amplitudes(zero), [1, 0, 0, 0])
        bell = apply(self, {"id": zero["id"]},
                     [{"gate": "h", "qubits": [0]},
                      {"gate": "cx", "qubits": [0, 1]}], status=201,
                     name="bell")
        self.assertLess(q.max_diff(amplitudes(bell), [q.R, 0, 0, q.R]), TOL)
        self.assertEqual(bell["labels"], ["00", "01", "10", "11"])
        self.assertEqual((bell["name"], bell["parent"]), ("bell", zero["id"]))
        self.assertEqual(server.get("/v1/superpositions/" + bell["id"]).json,
                         bell)
        m = ok(self, server.post("/v1/superpositions/%s/measure" % bell["id"],
                                 {"shots": 1000, "seed": 1}))
        self.assertEqual(set(m["counts"]), {"00", "11"})
        self.assertEqual(sum(m["counts"].values()), 1000)
        for qubit in (0, 1):
            m = ok(self, server.post(
                "/v1/superpositions/%s/measure" % bell["id"],
                {"shots": 10, "qubits": [qubit]}))
            for v in m["probabilities"].values():
                self.assertLess(abs(v - 0.5), TOL)

    def test_a_stored_state_keeps_its_labels_and_answers_201(self):
        sup = create(self, [1, 1j, 0, 0], labels=["a", "b", "c", "d"])
        r = server.post("/v1/superpositions/apply", {
            "state": {"id": sup["id"]},
            "operations": [{"gate": "x", "qubits": [1]}]})
        got = ok(self, r, 201)
        self.assertEqual(r.header("location"),
                         "/v1/superpositions/" + got["id"])
        self.assertEqual(got["labels"], ["a", "b", "c", "d"])
        self.assertLess(q.max_diff(amplitudes(got),
                                   [0, 0, q.R, 1j * q.R]), TOL)
        # store false answers it without storing it
        before = ids()
        got = apply(self, {"id": sup["id"]},
                    [{"gate": "x", "qubits": [1]}], store=False)
        self.assertEqual((got["id"], got["created_at"], got["parent"]),
                         (None, None, sup["id"]))
        self.assertEqual(ids(), before)
        # an inline state is stored when asked, without a parent
        got = apply(self, {"basis": "01"}, [{"gate": "x", "qubits": [1]}],
                    status=201, store=True, name="made")
        self.assertEqual((got["name"], got["parent"]), ("made", None))
        self.assertEqual(amplitudes(got), [0, 0, 0, 1])

    def test_summary_and_binary_answers(self):
        state = q.random_state(q.rng(17), 2)
        ops = [{"gate": "ry", "qubits": [1], "params": [0.3]}]
        whole = apply(self, inline(state), ops)
        summary = apply(self, inline(state), ops, summary=True)
        self.assertEqual(set(summary), {"id", "name", "dimension", "qubits",
                                        "norm", "norm_error", "normalized",
                                        "created_at", "parent"})
        self.assertEqual(summary["norm"], whole["norm"])
        binary = apply(self, inline(state), ops, encoding="b64")
        raw = base64.b64decode(binary["amplitudes"]["b64"])
        flat = struct.unpack("<%dd" % (len(raw) // 8), raw)
        self.assertEqual([list(p) for p in zip(flat[::2], flat[1::2])],
                         whole["amplitudes"])


class Products(unittest.TestCase):
    def test_tensor_products_match_kron(self):
        rng = q.rng(20)
        for na, nb in ((1, 1), (1, 2), (2, 1), (2, 3), (3, 2), (1, 4)):
            a, b = q.random_state(rng, na), q.random_state(rng, nb)
            got = ok(self, server.post("/v1/superpositions/tensor",
                                       {"a": inline(a), "b": inline(b)}))
            self.assertEqual((got["dimension"], got["qubits"]),
                             (1 << (na + nb), na + nb))
            self.assertLess(q.max_diff(amplitudes(got), q.kron(a, b)), TOL)
            self.assertEqual(got["operation"],
                             {"op": "tensor", "a": None, "b": None})

    def test_the_tensor_of_basis_states_is_the_joined_label(self):
        # a's qubits are the high ones: its label comes first
        for la, lb in (("1", "0"), ("01", "1"), ("110", "01")):
            got = ok(self, server.post("/v1/superpositions/tensor", {
                "a": {"basis": la}, "b": {"basis": lb}}))
            want = [0] * (1 << len(la + lb))
            want[int(la + lb, 2)] = 1
            self.assertEqual(amplitudes(got), want, (la, lb))

    def test_stored_factors_are_named_and_the_product_stored_on_request(self):
        a = create(self, basis="1")
        b = create(self, [1, 1])
        r = server.post("/v1/superpositions/tensor", {
            "a": {"id": a["id"]}, "b": {"id": b["id"]}, "store": True,
            "name": "product"})
        got = ok(self, r, 201)
        self.assertEqual(r.header("location"),
                         "/v1/superpositions/" + got["id"])
        self.assertEqual(got["operation"],
                         {"op": "tensor", "a": a["id"], "b": b["id"]})
        self.assertEqual((got["name"], got["parent"]), ("product", None))
        self.assertLess(q.max_diff(amplitudes(got), [0, 0, q.R, q.R]), TOL)
        self.assertEqual(server.get("/v1/superpositions/" + got["id"]).json,
                         got)
        before = ids()   # not stored unless asked
        ok(self, server.post("/v1/superpositions/tensor", {
            "a": {"id": a["id"]}, "b": {"basis": "0"}}))
        self.assertEqual(ids(), before)


class Measurements(unittest.TestCase):
    def test_marginals_match_the_reference_and_sum_to_one(self):
        rng = q.rng(30)
        for n in range(1, 6):
            state = q.random_state(rng, n)
            sup = create(self, state)
            lists = [list(o) for k in range(1, min(n, 3) + 1)
                     for o in q.every_order(n, k)]
            lists.append(list(reversed(range(n))))
            lists.append(rng.sample(range(n), n))
            for qubits in lists:
                m = ok(self, server.post(
                    "/v1/superpositions/%s/measure" % sup["id"],
                    {"shots": 50, "seed": 3, "qubits": qubits}))
                want = q.marginal(amplitudes(sup), qubits)
                self.assertEqual(set(m["probabilities"]), set(want))
                for label, p in want.items():
                    self.assertLess(abs(m["probabilities"][label] - p), TOL,
                                    (qubits, label))
                self.assertLess(abs(sum(m["probabilities"].values()) - 1),
                                TOL)
                self.assertEqual(m["qubits"], qubits)
                self.assertLessEqual(set(m["counts"]), set(want))
                self.assertEqual(sum(m["counts"].values()), 50)

    def test_memory_agrees_with_the_counts(self):
        sup = create(self, q.random_state(q.rng(31), 3))
        path = "/v1/superpositions/%s/measure" % sup["id"]
        for qubits in (None, [2], [0, 2]):
            body = {"shots": 500, "seed": 8}
            if qubits:
                body["qubits"] = qubits
            plain = ok(self, server.post(path, body))
            self.assertNotIn("memory", plain)
            m = ok(self, server.post(path, dict(body, memory=True)))
            self.assertEqual(len(m["memory"]), 500)
            self.assertEqual(dict(collections.Counter(m["memory"])),
                             m["counts"])
            # the same draws with or without memory
            self.assertEqual(m["counts"], plain["counts"])
            width = len(qubits) if qubits else 3
            self.assertTrue(all(len(v) == width for v in m["memory"]))

    def test_probabilities_never_exceed_one(self):
        # Where the whole mass is on one outcome, rounding could put its
        # probability at 1 + 2^-52: a lone amplitude, or two on the same
        # outcome of the qubit measured.
        lone = [0, complex(-0.09150646482988965, -0.16748377401214634), 0, 0]
        sup = create(self, lone, normalize=False)
        self.assertEqual(sup["probabilities"], [0, 1, 0, 0])   # not 1 + ulp
        pair = [0, complex(-0.6967384976027812, -0.4688755181663703), 0,
                complex(0.5939294799143493, -1.4924889970492612)]
        sup = create(self, pair, normalize=False)
        m = ok(self, server.post("/v1/superpositions/%s/measure" % sup["id"],
                                 {"shots": 1, "qubits": [0]}))
        self.assertEqual(m["probabilities"], {"0": 0, "1": 1})
        c = ok(self, server.post("/v1/superpositions/%s/collapse" % sup["id"],
                                 {"qubits": [0], "store": False}))
        self.assertEqual(c["probability"], 1)
        rng = q.rng(32)
        for _ in range(50):   # lone amplitudes of every phase and size
            z = complex(rng.gauss(0, 1), rng.gauss(0, 1))
            got = apply(self, inline([z, 0]), [{"gate": "i", "qubits": [0]}])
            self.assertLessEqual(got["probabilities"][0], 1, z)
            self.assertLess(abs(got["probabilities"][0] - 1), 1e-15, z)

    def test_renormalized_says_the_stored_state_was_not_unit(self):
        raw = create(self, normalize=False, amplitudes=[3, 4])
        path = "/v1/superpositions/%s/measure" % raw["id"]
        m = ok(self, server.post(path, {"shots": 10, "qubits": [0]}))
        self.assertTrue(m["renormalized"])
        self.assertEqual(m["probabilities"], {"0": 0.36,
                                              "1": 0.6400000000000001})
        unit = create(self, [3, 4])
        m = ok(self, server.post("/v1/superpositions/%s/measure" % unit["id"],
                                 {"shots": 10}))
        self.assertFalse(m["renormalized"])
        # atol decides: a norm 8e-10 away from 1
        near = create(self, normalize=False, amplitudes=[0.6, 0.8 + 1e-9])
        path = "/v1/superpositions/%s/measure" % near["id"]
        self.assertTrue(ok(self, server.post(path, {"shots": 1}))
                        ["renormalized"])
        self.assertFalse(ok(self, server.post(path, {"shots": 1,
                                                     "atol": 1e-9}))
                         ["renormalized"])


class Expectations(unittest.TestCase):
    def test_pauli_expectations_match_the_reference(self):
        rng = q.rng(40)
        for n in range(1, 6):
            state = q.random_state(rng, n)
            strings = ["".join(s) for s in itertools.product("IXYZ",
                                                             repeat=n)]
            if n > 3:
                strings = rng.sample(strings, 100)
            e = ok(self, server.post("/v1/superpositions/expectation", {
                "state": inline(state), "paulis": strings}))["expectations"]
            self.assertEqual([x["pauli"] for x in e], strings)
            for x in e:
                self.assertLess(abs(x["value"] - q.expectation(
                    state, x["pauli"])), TOL, x)

    def test_the_last_character_acts_on_qubit_0(self):
        sup = create(self, basis="01")      # qubit 0 is 1, qubit 1 is 0
        e = ok(self, server.post("/v1/superpositions/expectation", {
            "state": {"id": sup["id"]},
            "paulis": ["IZ", "ZI", "ZZ", "II", "XI"]}))["expectations"]
        self.assertEqual([x["value"] for x in e], [-1, 1, -1, 1, 0])


class Collapse(unittest.TestCase):
    def test_measuring_the_collapsed_qubits_again_gives_the_outcome(self):
        bell = apply(self, {"basis": "00"}, [
            {"gate": "h", "qubits": [0]}, {"gate": "cx", "qubits": [0, 1]}],
            status=201, store=True)
        seen = set()
        for seed in range(8):
            r = server.post("/v1/superpositions/%s/collapse" % bell["id"],
                            {"qubits": [0], "seed": seed})
            c = ok(self, r, 201)
            seen.add(c["outcome"])
            after = c["state"]
            self.assertEqual(r.header("location"),
                             "/v1/superpositions/" + after["id"])
            self.assertEqual(after["parent"], bell["id"])
            self.assertEqual(after["operation"], {
                "op": "collapse", "qubits": [0], "seed": seed,
                "outcome": c["outcome"]})
            self.assertLess(abs(c["probability"] - 0.5), TOL)
            path = "/v1/superpositions/%s/measure" % after["id"]
            for qubits in ([0], [1]):   # the Bell pair agrees
                m = ok(self, server.post(path, {"shots": 100,
                                                "qubits": qubits}))
                self.assertEqual(m["counts"], {c["outcome"]: 100})
        self.assertEqual(seen, {"0", "1"})

    def test_probability_and_state_after_match_the_reference(self):
        rng = q.rng(50)
        state = q.random_state(rng, 4)
        sup = create(self, state)
        for seed, qubits in enumerate(([2], [3, 0], [0, 3], [1, 3, 2],
                                       [3, 2, 1, 0])):
            c = ok(self, server.post(
                "/v1/superpositions/%s/collapse" % sup["id"],
                {"qubits": qubits, "seed": seed, "store": False}))
            self.assertEqual(c["qubits"], qubits)
            p = q.marginal(amplitudes(sup), qubits)[c["outcome"]]
            self.assertLess(abs(c["probability"] - p), TOL)
            want = q.project(amplitudes(sup), qubits, c["outcome"])
            self.assertLess(q.max_diff(amplitudes(c["state"]), want), TOL)

    def test_every_outcome_of_a_state_without_qubits_keeps_its_phase(self):
        sup = create(self, [1j, 1 + 1j, 0], labels=["a", "b", "c"])
        for seed in range(6):
            c = ok(self, server.post(
                "/v1/superpositions/%s/collapse" % sup["id"],
                {"seed": seed, "store": False}))
            self.assertIsNone(c["qubits"])
            want = {"a": [1j, 0, 0], "b": [0, (1 + 1j) * q.R, 0]}
            self.assertIn(c["outcome"], want)
            self.assertLess(q.max_diff(amplitudes(c["state"]),
                                       want[c["outcome"]]), TOL)
            self.assertEqual(c["state"]["labels"], ["a", "b", "c"])
            self.assertLess(abs(c["probability"] -
                                {"a": 1 / 3, "b": 2 / 3}[c["outcome"]]), TOL)

    def test_without_a_body_or_seed_one_is_drawn_and_repeats(self):
        sup = create(self, q.random_state(q.rng(51), 3))
        path = "/v1/superpositions/%s/collapse" % sup["id"]
        c = ok(self, server.post(path), 201)
        self.assertIsInstance(c["seed"], int)
        again = ok(self, server.post(path, {"seed": c["seed"]}), 201)
        self.assertEqual(again["outcome"], c["outcome"])
        self.assertEqual(again["state"]["amplitudes"],
                         c["state"]["amplitudes"])
        self.assertNotEqual(again["state"]["id"], c["state"]["id"])

    def test_a_collapse_is_one_shot_of_a_measurement_with_its_seed(self):
        sup = create(self, q.random_state(q.rng(52), 3))
        for seed in range(20):
            for qubits in (None, [1], [2, 0]):
                body = {"seed": seed, "store": False}
                measure = {"shots": 1, "seed": seed, "memory": True}
                if qubits:
                    body["qubits"] = measure["qubits"] = qubits
                c = ok(self, server.post(
                    "/v1/superpositions/%s/collapse" % sup["id"], body))
                m = ok(self, server.post(
                    "/v1/superpositions/%s/measure" % sup["id"], measure))
                self.assertEqual(m["memory"], [c["outcome"]], (seed, qubits))

    def test_store_false_stores_nothing(self):
        sup = create(self, [1, 1])
        before = ids()
        r = server.post("/v1/superpositions/%s/collapse" % sup["id"],
                        {"store": False, "seed": 1, "name": "not kept"})
        c = ok(self, r)
        self.assertIsNone(r.header("location"))
        self.assertEqual((c["state"]["id"], c["state"]["created_at"],
                          c["state"]["name"], c["state"]["parent"]),
                         (None, None, "not kept", sup["id"]))
        self.assertEqual(ids(), before)


class Reproducible(unittest.TestCase):
    def test_two_servers_give_the_same_seeded_results(self):
        state = q.random_state(q.rng(60), 4)
        answers = []
        for _ in range(2):
            with Server() as s:
                sup = create(self, state, s=s)
                one = []
                for seed in (1, 2, 3):
                    c = ok(self, s.post(
                        "/v1/superpositions/%s/collapse" % sup["id"],
                        {"seed": seed, "qubits": [3, 1], "store": False}))
                    one.append((c["outcome"], c["probability"],
                                c["state"]["amplitudes"]))
                    m = ok(self, s.post(
                        "/v1/superpositions/%s/measure" % sup["id"],
                        {"seed": seed, "shots": 200, "memory": True,
                         "qubits": [0, 2]}))
                    one.append((m["counts"], m["memory"]))
                answers.append(one)
        self.assertEqual(answers[0], answers[1])


class Compare(unittest.TestCase):
    def compare(self, a, b, **fields):
        return ok(self, server.post("/v1/superpositions/compare",
                                    dict(fields, a=a, b=b)))

    def test_a_state_compared_with_itself(self):
        sup = create(self, q.random_state(q.rng(70), 3))
        c = self.compare({"id": sup["id"]}, {"id": sup["id"]})
        self.assertLess(abs(c["fidelity"] - 1), TOL)
        self.assertLess(abs(c["inner_product"][0] - 1), TOL)
        self.assertLess(abs(c["inner_product"][1]), TOL)
        self.assertLess(abs(c["phase"]), TOL)
        self.assertLess(c["distance"], TOL)
        self.assertTrue(c["equal_up_to_global_phase"])
        self.assertEqual(c["atol"], 1e-12)
        # sqrt(1 - fidelity): the rounding of a fidelity within 1e-16 of 1
        # is magnified to about 1e-8 by the square root
        self.assertEqual(c["trace_distance"],
                         math.sqrt(1 - c["fidelity"]))
        self.assertLess(c["trace_distance"], 1e-7)

    def test_a_global_phase_is_equal_up_to_phase(self):
        a = q.random_state(q.rng(71), 3)
        for phi in (2.0, -1.0, math.pi / 3):
            b = [cmath.exp(1j * phi) * v for v in a]
            c = self.compare(inline(a), inline(b))
            self.assertTrue(c["equal_up_to_global_phase"], (phi, c))
            self.assertLess(abs(c["phase"] - phi), TOL)
            self.assertLess(abs(c["fidelity"] - 1), TOL)
        # the states are taken to unit norm first
        c = self.compare(inline(a), inline([3 * v for v in a]))
        self.assertTrue(c["equal_up_to_global_phase"])

    def test_random_states_against_the_reference(self):
        rng = q.rng(72)
        for n in (1, 2, 4):
            a, b = q.random_state(rng, n), q.random_state(rng, n)
            b = [2 * v for v in b]    # not unit: compared as unit states
            c = self.compare(inline(a), inline(b))
            ip = q.inner(a, b)
            self.assertLess(abs(complex(*c["inner_product"]) - ip), TOL)
            self.assertLess(abs(c["fidelity"] - abs(ip) ** 2), TOL)
            self.assertLess(abs(c["trace_distance"] -
                                math.sqrt(1 - abs(ip) ** 2)), TOL)
            self.assertLess(abs(c["phase"] - cmath.phase(ip)), TOL)
            ub = [v / q.norm(b) for v in b]
            d = max(abs(y - cmath.exp(1j * cmath.phase(ip)) * x)
                    for x, y in zip(a, ub))
            self.assertLess(abs(c["distance"] - d), TOL)
            self.assertFalse(c["equal_up_to_global_phase"])

    def test_atol_decides_equal_up_to_phase(self):
        a = [0.6, 0.8]
        b = [0.6, 0.8 + 1e-9]
        self.assertFalse(self.compare(inline(a), inline(b))
                         ["equal_up_to_global_phase"])
        c = self.compare(inline(a), inline(b), atol=1e-8)
        self.assertTrue(c["equal_up_to_global_phase"])
        self.assertEqual(c["atol"], 1e-8)

    def test_orthogonal_states(self):
        c = self.compare({"basis": "01"}, {"basis": "10"})
        self.assertEqual((c["fidelity"], c["trace_distance"], c["phase"],
                          c["inner_product"]), (0, 1, 0, [0, 0]))


class Lineage(unittest.TestCase):
    def lineage(self, sid):
        return ok(self, server.get("/v1/superpositions/%s/lineage" % sid))

    def test_the_walk_back_to_the_root_and_where_it_breaks(self):
        root = create(self, basis="000", name="root")
        h = apply(self, {"id": root["id"]}, [{"gate": "h", "qubits": [0]}],
                  status=201)
        cx = apply(self, {"id": h["id"]}, [{"gate": "cx", "qubits": [0, 2]}],
                   status=201)
        c = ok(self, server.post("/v1/superpositions/%s/collapse" % cx["id"],
                                 {"qubits": [2], "seed": 5}), 201)
        last = c["state"]
        walk = self.lineage(last["id"])
        chain = [last, cx, h, root]
        self.assertEqual([i["id"] for i in walk["items"]],
                         [s["id"] for s in chain])
        self.assertEqual([i["parent"] for i in walk["items"]],
                         [cx["id"], h["id"], root["id"], None])
        self.assertEqual([i["operation"] for i in walk["items"]],
                         [s["operation"] for s in chain])
        self.assertIsNone(walk["items"][-1]["operation"])
        self.assertEqual((walk["complete"], walk["missing"]), (True, None))
        for item in walk["items"]:     # summaries: no arrays
            self.assertNotIn("amplitudes", item)
            self.assertEqual(item["norm_error"], abs(item["norm"] - 1))
        self.assertEqual(self.lineage(root["id"])["items"][0]["name"], "root")
        # delete an ancestor: the walk stops there and names it
        self.assertEqual(server.delete("/v1/superpositions/" +
                                       h["id"]).status, 204)
        walk = self.lineage(last["id"])
        self.assertEqual([i["id"] for i in walk["items"]],
                         [last["id"], cx["id"]])
        self.assertEqual((walk["complete"], walk["missing"]),
                         (False, h["id"]))
        assert_problem(self, server.get("/v1/superpositions/%s/lineage"
                                        % h["id"]), 404)
        assert_problem(self, server.get(
            "/v1/superpositions/sup_aaaaaaaaaaaaaaaaaaaa/lineage"), 404)

    def test_a_walk_stops_after_1000_states(self):
        # 1001 states in a chain: the walk from the last reads 1000 and
        # says it is not complete, with no deleted ancestor to name.
        sup = create(self, basis="0")
        chain = [sup["id"]]
        x = [{"gate": "x", "qubits": [0]}]
        for _ in range(1000):
            chain.append(apply(self, {"id": chain[-1]}, x, status=201,
                               summary=True)["id"])
        walk = self.lineage(chain[-1])
        self.assertEqual([i["id"] for i in walk["items"]],
                         chain[::-1][:1000])
        self.assertEqual((walk["complete"], walk["missing"]), (False, None))
        walk = self.lineage(chain[-2])
        self.assertEqual(len(walk["items"]), 1000)
        self.assertEqual((walk["complete"], walk["missing"]), (True, None))

    def test_a_product_has_no_parent_but_names_its_factors(self):
        a = create(self, basis="1")
        t = ok(self, server.post("/v1/superpositions/tensor", {
            "a": {"id": a["id"]}, "b": {"basis": "0"}, "store": True}), 201)
        walk = self.lineage(t["id"])
        self.assertEqual(len(walk["items"]), 1)
        self.assertEqual(walk["items"][0]["operation"],
                         {"op": "tensor", "a": a["id"], "b": None})
        self.assertTrue(walk["complete"])


class Tolerance(unittest.TestCase):
    def test_atol_decides_normalized_where_a_state_is_shown(self):
        # norm 1 + 8e-10: not normalized within the default 1e-12
        body = {"amplitudes": [0.6, 0.8 + 1e-9], "normalize": False}
        sup = ok(self, server.post("/v1/superpositions", body), 201)
        self.assertEqual(sup["norm_error"], abs(sup["norm"] - 1))
        self.assertGreater(sup["norm_error"], 7e-10)
        self.assertFalse(sup["normalized"])
        loose = ok(self, server.post("/v1/superpositions",
                                     dict(body, atol=1e-9)), 201)
        self.assertTrue(loose["normalized"])
        path = "/v1/superpositions/" + sup["id"]
        self.assertFalse(server.get(path).json["normalized"])
        self.assertTrue(server.get(path + "?atol=1e-9").json["normalized"])
        self.assertFalse(server.get(path + "?atol=1e-10").json["normalized"])
        self.assertEqual(server.request("HEAD", path + "?atol=1e-9").status,
                         200)
        items = server.get("/v1/superpositions?limit=2&atol=1e-9").json
        self.assertEqual([i["normalized"] for i in items["items"]],
                         [True, True])
        # already unit within atol: normalize leaves it as it is
        same = ok(self, server.post(path + "/normalize", {"atol": 1e-9}))
        self.assertEqual(same["amplitudes"], sup["amplitudes"])
        self.assertTrue(same["normalized"])
        done = ok(self, server.post(path + "/normalize", {}))
        self.assertLessEqual(done["norm_error"], 1e-12)
        self.assertTrue(done["normalized"])
        for bad in ("2", "-1", "abc", "", "nan", "1e-3x"):
            assert_problem(self, server.get(path + "?atol=" + bad), 400)
            assert_problem(self, server.get("/v1/superpositions?atol=" +
                                            bad), 400)

    def test_atol_decides_whether_a_matrix_is_unitary(self):
        near = [[1, 0], [0, 1 + 1e-9]]          # deviation 2e-9
        ops = [{"gate": "unitary", "qubits": [0], "matrix": near}]
        problem(self, server.post("/v1/superpositions/apply", {
            "state": {"basis": "1"}, "operations": ops}),
            "/operations/0/matrix", "is not unitary", "2e-09",
            "atol 1e-12")
        got = apply(self, {"basis": "1"}, ops, atol=1e-8)
        self.assertEqual(amplitudes(got), [0, 1 + 1e-9])
        self.assertTrue(got["normalized"])       # within atol 1e-8
        self.assertEqual(got["norm_error"], abs(got["norm"] - 1))


class Refused(unittest.TestCase):
    """Each input the operations refuse: a 422 at the field of the
    operation that holds it, saying what was wrong."""

    def test_bad_operations_name_the_operation_and_field(self):
        cases = [
            ({"gate": "hadamard", "qubits": [0]}, "/operations/1/gate",
             ["is not a known gate", "cswap, unitary"]),
            ({"gate": "cx", "qubits": [0]}, "/operations/1/qubits",
             ["lists 1 qubit", "cx acts on 2"]),
            ({"gate": "ccx", "qubits": [0, 1]}, "/operations/1/qubits",
             ["ccx acts on 3"]),
            ({"gate": "rx", "qubits": [0]}, "/operations/1/params",
             ["lists 0 angles, but rx takes 1 (radians)"]),
            ({"gate": "u", "qubits": [0], "params": [1, 2]},
             "/operations/1/params", ["lists 2 angles, but u takes 3 (radians)"]),
            ({"gate": "h", "qubits": [0], "params": [1]},
             "/operations/1/params", ["lists 1 angle, but h takes none"]),
            ({"gate": "p", "qubits": [0], "params": ["1"]},
             "/operations/1/params/0", ["must be a number"]),
            ({"gate": "x", "qubits": [3]}, "/operations/1/qubits/0",
             ["between 0 and 2, not 3"]),
            ({"gate": "x", "qubits": [-1]}, "/operations/1/qubits/0", []),
            ({"gate": "x", "qubits": [0.5]}, "/operations/1/qubits/0", []),
            ({"gate": "cx", "qubits": [2, 2]}, "/operations/1/qubits/1",
             ["repeats qubit 2"]),
            ({"gate": "x", "qubits": []}, "/operations/1/qubits",
             ["non-empty"]),
            ({"gate": "x", "qubits": [0, 1, 2, 0]}, "/operations/1/qubits",
             ["lists 4 qubits, but the state has 3"]),
            ({"gate": "x"}, "/operations/1/qubits", []),
            ({"qubits": [0]}, "/operations/1/gate", []),
            ({"gate": "x", "qubits": [0], "matrix": [[0, 1], [1, 0]]},
             "/operations/1/matrix", ["only for the gate \"unitary\""]),
            ({"gate": "unitary", "qubits": [0]}, "/operations/1/matrix",
             ["is required"]),
            ({"gate": "unitary", "qubits": [0], "params": [1],
              "matrix": [[0, 1], [1, 0]]}, "/operations/1/params",
             ["not taken by a unitary"]),
            ({"gate": "unitary", "qubits": [0], "matrix": [[0, 1]]},
             "/operations/1/matrix", ["2 x 2"]),
            ({"gate": "unitary", "qubits": [0, 1],
              "matrix": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0]]},
             "/operations/1/matrix/3", ["has 2 entries, not 4"]),
            ({"gate": "unitary", "qubits": [0], "matrix": [[1, 1], [0, 1]]},
             "/operations/1/matrix", ["is not unitary", "is 1, above atol"]),
            ({"gate": "x", "qubits": [0], "bogus": 1},
             "/operations/1/bogus", []),
            ("x", "/operations/1", []),
        ]
        good = {"gate": "h", "qubits": [0]}
        for op, pointer, texts in cases:
            with self.subTest(op=op):
                problem(self, server.post("/v1/superpositions/apply", {
                    "state": {"basis": "000"}, "operations": [good, op]}),
                    pointer, *texts)

    def test_a_non_unitary_matrix_is_refused_with_its_deviation(self):
        rng = q.rng(80)
        for k in (1, 2):
            m = q.random_unitary(rng, k)
            m[0][0] += 0.01j
            dev = q.unitarity_deviation(m)
            p = problem(self, server.post("/v1/superpositions/apply", {
                "state": {"basis": "01"}, "operations": [{
                    "gate": "unitary", "qubits": list(range(k)),
                    "matrix": [q.pairs(r) for r in m]}]}),
                "/operations/0/matrix", "is not unitary")
            got = float(re.search(r"U\^dagger U - I is (\S+), above",
                                  p["errors"][0]["message"]).group(1))
            self.assertEqual(got, float("%.3g" % dev))

    def test_every_error_of_a_list_is_listed(self):
        r = server.post("/v1/superpositions/apply", {
            "state": {"basis": "00"}, "operations": [
                {"gate": "nope", "qubits": [0]},
                {"gate": "h", "qubits": [5]},
                {"gate": "cx", "qubits": [1, 1]}]})
        p = assert_problem(self, r, 422)
        self.assertEqual([e["pointer"] for e in p["errors"]],
                         ["/operations/0/gate", "/operations/1/qubits/0",
                          "/operations/2/qubits/1"])

    def test_bad_states_and_lists(self):
        three = create(self, [1, 1, 1])
        zero = create(self, normalize=False, amplitudes=[0, 0])
        two = create(self, basis="10")
        h = {"gate": "h", "qubits": [0]}
        cases = [
            ("/v1/superpositions/apply", {"state": {"id": three["id"]},
                                          "operations": [h]},
             "/state", ["dimension 3", "not a power of two"]),
            ("/v1/superpositions/apply", {"state": {"amplitudes": [1, 0, 0]},
                                          "operations": [h]},
             "/state", ["not a power of two"]),
            ("/v1/superpositions/apply", {"state": {"basis": "0"},
                                          "operations": []},
             "/operations", ["non-empty"]),
            ("/v1/superpositions/apply", {"state": {"basis": "0"},
                                          "operations": {"gate": "h"}},
             "/operations", ["not an object"]),
            ("/v1/superpositions/apply", {"state": {"basis": "0"}},
             "/operations", []),
            ("/v1/superpositions/apply", {"state": {}, "operations": [h]},
             "/state", ["exactly one of"]),
            ("/v1/superpositions/apply", {"state": {"basis": "0",
                                                    "id": two["id"]},
                                          "operations": [h]},
             "/state", ["exactly one of"]),
            ("/v1/superpositions/apply", {"state": {"basis": "012"},
                                          "operations": [h]},
             "/state/basis", ["0s and 1s"]),
            ("/v1/superpositions/apply", {"state": {"basis": ""},
                                          "operations": [h]},
             "/state/basis", []),
            ("/v1/superpositions/apply", {"state": {"id": "sup_a" * 4},
                                          "operations": [h]},
             "/state/id", ["names no stored superposition"]),
            ("/v1/superpositions/apply", {"state": {"basis": "0"},
                                          "operations": [h], "atol": 2},
             "/atol", ["from 0 to 1"]),
            ("/v1/superpositions/apply", {"state": {"basis": "0"},
                                          "operations": [h], "atol": -1e-9},
             "/atol", []),
            ("/v1/superpositions/apply", {"state": {"basis": "0"},
                                          "operations": [h], "store": 1},
             "/store", []),
            ("/v1/superpositions/apply", {"state": {"basis": "0"},
                                          "operations": [h], "name": ""},
             "/name", []),
            ("/v1/superpositions/tensor", {"a": {"amplitudes": [1, 0, 0]},
                                           "b": {"basis": "0"}},
             "/a", ["not a power of two"]),
            ("/v1/superpositions/tensor", {"a": {"basis": "0"},
                                           "b": {"id": three["id"]}},
             "/b", ["not a power of two"]),
            ("/v1/superpositions/tensor", {"a": {"basis": "0"}}, "/b", []),
            ("/v1/superpositions/tensor", {"a": {"basis": "0"},
                                           "b": {"basis": "1"}, "atol": "x"},
             "/atol", []),
            ("/v1/superpositions/compare", {"a": {"basis": "00"},
                                            "b": {"basis": "0"}},
             "/b", ["dimension 2, but a has 4"]),
            ("/v1/superpositions/compare", {"a": {"id": zero["id"]},
                                            "b": {"basis": "0"}},
             "/a", ["zero vector"]),
            ("/v1/superpositions/compare", {"a": {"basis": "0"},
                                            "b": {"basis": "1"}, "atol": 1.5},
             "/atol", []),
            ("/v1/superpositions/expectation", {"state": {"basis": "00"},
                                                "paulis": ["Z"]},
             "/paulis/0", ["2 characters", "last acts on qubit 0"]),
            ("/v1/superpositions/expectation", {"state": {"basis": "00"},
                                                "paulis": ["ZA"]},
             "/paulis/0", ["I, X, Y or Z"]),
            ("/v1/superpositions/expectation", {"state": {"basis": "00"},
                                                "paulis": ["zz"]},
             "/paulis/0", []),
            ("/v1/superpositions/expectation", {"state": {"basis": "00"},
                                                "paulis": [],},
             "/paulis", ["1 to 1000"]),
            ("/v1/superpositions/expectation", {"state": {"basis": "00"},
                                                "paulis": "ZZ"},
             "/paulis", []),
            ("/v1/superpositions/expectation", {"state": {"id": three["id"]},
                                                "paulis": ["Z"]},
             "/state", ["not a power of two"]),
            ("/v1/superpositions/expectation", {"state": {"id": zero["id"]},
                                                "paulis": ["Z"]},
             "/state", ["zero vector"]),
            ("/v1/superpositions", {"basis": "2"}, "/basis", ["0s and 1s"]),
            ("/v1/superpositions", {"basis": 1}, "/basis", []),
            ("/v1/superpositions", {"basis": "0" * 21}, "/basis",
             ["has 21 qubits; the limit is 20", "max_dimension"]),
            ("/v1/superpositions", {"basis": "0", "atol": 3}, "/atol", []),
        ]
        for path, body, pointer, texts in cases:
            with self.subTest(path=path, body=body):
                problem(self, server.post(path, body), pointer, *texts)
        p = assert_problem(self, server.post("/v1/superpositions", {
            "basis": "0", "amplitudes": [1]}), 422)
        self.assertEqual({e["pointer"] for e in p["errors"]} & {
            "/basis", "/amplitudes"} != set(), True, p)
        problem(self, server.post("/v1/superpositions/%s/normalize"
                                  % two["id"], {"atol": "1"}), "/atol")

    def test_bad_measurements_and_collapses(self):
        three = create(self, [1, 1, 1])
        two = create(self, basis="10")
        m = "/v1/superpositions/%s/measure"
        c = "/v1/superpositions/%s/collapse"
        cases = [
            (m % two["id"], {"shots": 1, "qubits": [2]}, "/qubits/0",
             ["between 0 and 1, not 2"]),
            (m % two["id"], {"shots": 1, "qubits": [1, 1]}, "/qubits/1",
             ["repeats qubit 1"]),
            (m % two["id"], {"shots": 1, "qubits": []}, "/qubits", []),
            (m % two["id"], {"shots": 1, "qubits": "0"}, "/qubits", []),
            (m % three["id"], {"shots": 1, "qubits": [0]}, "/qubits",
             ["dimension 3", "not a power of two"]),
            (m % two["id"], {"shots": 1, "memory": "yes"}, "/memory", []),
            (m % two["id"], {"shots": 65537, "memory": True}, "/memory",
             ["at most 65536 shots (max_memory)"]),
            (m % two["id"], {"shots": 1, "atol": 2}, "/atol", []),
            (c % two["id"], {"qubits": [5]}, "/qubits/0", []),
            (c % two["id"], {"qubits": [0, 0]}, "/qubits/1", ["repeats"]),
            (c % three["id"], {"qubits": [0]}, "/qubits",
             ["not a power of two"]),
            (c % two["id"], {"seed": -1}, "/seed", []),
            (c % two["id"], {"store": "no"}, "/store", []),
            (c % two["id"], {"atol": 7}, "/atol", []),
            (c % two["id"], {"encoding": "hex"}, "/encoding", []),
            (c % two["id"], {"bogus": 1}, "/bogus", []),
        ]
        before = ids()
        for path, body, pointer, texts in cases:
            with self.subTest(path=path, body=body):
                problem(self, server.post(path, body), pointer, *texts)
        self.assertEqual(ids(), before)
        # 65536 outcomes in memory are allowed
        r = ok(self, server.post(m % two["id"], {"shots": 65536,
                                                "memory": True}))
        self.assertEqual(r["memory"], ["10"] * 65536)
        zero = create(self, normalize=False, amplitudes=[0, 0])
        problem(self, server.post(c % zero["id"], {}), "", "zero vector")
        assert_problem(self, server.post(
            c % "sup_aaaaaaaaaaaaaaaaaaaa", {}), 404)


class Limits(unittest.TestCase):
    def test_max_memory_max_operations_and_the_qubits_max_dimension_allows(
            self):
        with Server("--max-memory", "5", "--max-operations", "2",
                    "--max-dimension", "8", "--max-matrix", "16") as s:
            sup = create(self, s=s, basis="101")     # 3 qubits: 2^3 = 8
            m = "/v1/superpositions/%s/measure" % sup["id"]
            problem(self, s.post(m, {"shots": 6, "memory": True}), "/memory",
                    "at most 5 shots (max_memory); shots is 6")
            self.assertEqual(ok(self, s.post(m, {"shots": 5, "memory": True}))
                             ["memory"], ["101"] * 5)
            self.assertEqual(ok(self, s.post(m, {"shots": 6}))["counts"],
                             {"101": 6})
            h = {"gate": "h", "qubits": [0]}
            problem(self, s.post("/v1/superpositions/apply", {
                "state": {"id": sup["id"]}, "operations": [h, h, h]}),
                "/operations", "has 3 operations; the limit is 2",
                "max_operations")
            apply(self, {"id": sup["id"]}, [h, h], status=201, s=s)
            problem(self, s.post("/v1/superpositions/expectation", {
                "state": {"id": sup["id"]}, "paulis": ["ZZZ"] * 3}),
                "/paulis", "1 to 2", "max_operations")
            problem(self, s.post("/v1/superpositions", {"basis": "0000"}),
                    "/basis", "has 4 qubits; the limit is 3",
                    "max_dimension")
            problem(self, s.post("/v1/superpositions/apply", {
                "state": {"basis": "0000"}, "operations": [h]}),
                "/state/basis", "max_dimension")
            problem(self, s.post("/v1/superpositions/tensor", {
                "a": {"basis": "00"}, "b": {"basis": "00"}}), "/b",
                "4 qubits", "max_dimension")
            eye8 = [[1 if i == j else 0 for j in range(8)] for i in range(8)]
            problem(self, s.post("/v1/superpositions/apply", {
                "state": {"id": sup["id"]}, "operations": [
                    {"gate": "unitary", "qubits": [0, 1, 2],
                     "matrix": eye8}]}),
                "/operations/0/matrix", "4^3 entries", "max_matrix")


class ApiKey(unittest.TestCase):
    def test_the_writing_routes_need_the_key(self):
        auth = {"Authorization": "Bearer " + KEY}
        with Server(env={"PSINET_API_KEY": KEY}) as s:
            sup = ok(self, s.post("/v1/superpositions", {"basis": "0"},
                                  headers=auth), 201)
            h = [{"gate": "h", "qubits": [0]}]
            writes = [
                ("/v1/superpositions/apply",
                 {"state": {"basis": "0"}, "operations": h, "store": False}),
                ("/v1/superpositions/apply",
                 {"state": {"id": sup["id"]}, "operations": h}),
                ("/v1/superpositions/tensor",
                 {"a": {"basis": "0"}, "b": {"basis": "1"}}),
                ("/v1/superpositions/%s/collapse" % sup["id"],
                 {"store": False}),
                ("/v1/superpositions/%s/collapse" % sup["id"], None),
            ]
            before = ids(s)
            for path, body in writes:
                r = s.post(path, body)
                assert_problem(self, r, 401)
                self.assertTrue(r.header("www-authenticate"))
            self.assertEqual(ids(s), before)
            for path, body in writes:
                self.assertIn(s.post(path, body, headers=auth).status,
                              (200, 201), path)
            # computing and reading need no key
            reads = [
                ("POST", "/v1/superpositions/compare",
                 {"a": {"id": sup["id"]}, "b": {"basis": "1"}}),
                ("POST", "/v1/superpositions/expectation",
                 {"state": {"id": sup["id"]}, "paulis": ["X"]}),
                ("POST", "/v1/superpositions/%s/measure" % sup["id"],
                 {"shots": 1, "qubits": [0], "memory": True}),
                ("GET", "/v1/superpositions/%s/lineage" % sup["id"], None),
            ]
            for method, path, body in reads:
                self.assertEqual(s.request(method, path, body).status, 200,
                                 path)
