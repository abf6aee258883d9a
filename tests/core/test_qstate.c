/* tests/core/test_qstate.c - core/qstate.h against numpy and identities.
 *
 * The references (tests/ref/qstate_ref.h, from tests/ref/gen_qstate_ref.py)
 * multiply by each gate's full 2^n x 2^n matrix, built with np.kron: a
 * method that shares nothing with the strided passes under test.
 *
 * Tolerance: 1e-12, absolute, on unit-norm amplitudes, on probabilities, on
 * expectations and on unitarity deviations (all of them at most 1 in size,
 * or a few for a non-unitary matrix); a state scaled to amplitudes near
 * 1e300 or 1e-300 is compared after dividing by its scale, so the same
 * 1e-12 holds for its direction. Exact where the arithmetic is: amplitudes
 * a controlled gate must not touch, a state an error leaves untouched, a
 * seed's repeat. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/qstate.h"
#include "core/rng.h"
#include "core/state.h"
#include "tests/ref/qstate_ref.h"
#include "tests/testlib.h"

#define TOL 1e-12
#define DIM_MAX 1024 /* 10 qubits, the largest reference state */

static size_t dim(int n)
{
    return (size_t)1 << n;
}

/* Unpacks interleaved (re, im) pairs. */
static void unpack(const double *pairs, size_t len, double complex *c)
{
    for (size_t i = 0; i < len; i++)
        c[i] = CMPLX(pairs[2 * i], pairs[2 * i + 1]);
}

/* The largest |got_i / scale - want_i| over the real and imaginary parts. */
static double max_diff(const double complex *got, const double *want,
                       size_t len, double scale)
{
    double worst = 0;
    for (size_t i = 0; i < len; i++) {
        double dr = fabs(creal(got[i]) / scale - want[2 * i]);
        double di = fabs(cimag(got[i]) / scale - want[2 * i + 1]);
        if (!(dr <= worst))
            worst = dr; /* NaN included */
        if (!(di <= worst))
            worst = di;
    }
    return worst;
}

/* The largest |a_i - b_i|. */
static double max_diff_states(const double complex *a, const double complex *b,
                              size_t len)
{
    double worst = 0;
    for (size_t i = 0; i < len; i++) {
        double d = cabs(a[i] - b[i]);
        if (!(d <= worst))
            worst = d;
    }
    return worst;
}

static int gate_arity(const ref_qgate_case *g)
{
    int k = 0;
    while (k < 3 && g->qubits[k] >= 0)
        k++;
    return k;
}

/* Copies the reference state of n qubits (qs_states[n]) into c. */
static void ref_state(int n, double complex *c)
{
    unpack(qs_states[n], dim(n), c);
}

/* The angles of gates that take none: never read. */
static const double no_params[3] = {0, 0, 0};

static core_status gate1(double complex *c, int n, qgate_kind kind, int q)
{
    return qstate_apply_gate(c, n, kind, &q, no_params);
}

static core_status gate2(double complex *c, int n, qgate_kind kind, int q0,
                         int q1)
{
    const int qs[2] = {q0, q1};
    return qstate_apply_gate(c, n, kind, qs, no_params);
}

/* ------------------------------------------------------------ gates */

TEST(every_gate_at_every_qubit_order_matches_the_full_matrix_reference)
{
    static double complex c[DIM_MAX];
    bool seen[QGATE_COUNT_] = {false};
    for (size_t t = 0; t < REF_QGATE_CASES; t++) {
        const ref_qgate_case *g = &ref_qgate_cases[t];
        size_t len = dim(g->n);
        unpack(g->in, len, c);
        CHECK_EQ_INT(qgate_qubits(g->kind), gate_arity(g));
        core_status st =
            qstate_apply_gate(c, g->n, g->kind, g->qubits, g->params);
        double d = max_diff(c, g->out, len, g->scale);
        test_check(st == CORE_OK && d <= TOL, __FILE__, __LINE__,
                   "case %zu: %s(%d, %d, %d) on %d qubits, scale %g: "
                   "status %d, max difference %g",
                   t, g->name, g->qubits[0], g->qubits[1], g->qubits[2], g->n,
                   g->scale, (int)st, d);
        seen[g->kind] = true;
    }
    for (int k = 0; k < QGATE_COUNT_; k++)
        CHECK(seen[k]);
}

TEST(a_ten_qubit_circuit_of_every_gate_twice_matches_the_reference)
{
    static double complex c[DIM_MAX];
    ref_state(10, c);
    for (size_t s = 0; s < REF_QCIRCUIT10_STEPS; s++) {
        const ref_qgate_case *g = &ref_qcircuit10[s];
        CHECK_EQ_INT(qstate_apply_gate(c, 10, g->kind, g->qubits, g->params),
                     CORE_OK);
    }
    double d = max_diff(c, qs_circuit10_out, DIM_MAX, 1.0);
    test_check(d <= TOL, __FILE__, __LINE__, "max difference %g", d);
}

TEST(gates_keep_the_norm)
{
    static double complex c[DIM_MAX];
    for (size_t t = 0; t < REF_QGATE_CASES; t++) {
        const ref_qgate_case *g = &ref_qgate_cases[t];
        if (g->scale != 1.0)
            continue;
        unpack(g->in, dim(g->n), c);
        qstate_apply_gate(c, g->n, g->kind, g->qubits, g->params);
        double norm = state_norm(c, dim(g->n));
        test_check(fabs(norm - 1.0) <= TOL, __FILE__, __LINE__,
                   "case %zu (%s): norm %.17g", t, g->name, norm);
    }
}

/* How many of a gate's qubits are controls. */
static int controls_of(qgate_kind kind)
{
    switch (kind) {
    case QGATE_CX:
    case QGATE_CY:
    case QGATE_CZ:
    case QGATE_CH:
    case QGATE_CP:
    case QGATE_CRX:
    case QGATE_CRY:
    case QGATE_CRZ:
    case QGATE_CSWAP: return 1;
    case QGATE_CCX: return 2;
    default: return 0;
    }
}

TEST(controlled_gates_leave_amplitudes_with_a_control_bit_0_bitwise_alone)
{
    static double complex in[DIM_MAX], c[DIM_MAX];
    size_t checked = 0;
    for (size_t t = 0; t < REF_QGATE_CASES; t++) {
        const ref_qgate_case *g = &ref_qgate_cases[t];
        int nc = controls_of(g->kind);
        if (nc == 0)
            continue;
        size_t len = dim(g->n);
        unpack(g->in, len, in);
        memcpy(c, in, len * sizeof *c);
        qstate_apply_gate(c, g->n, g->kind, g->qubits, g->params);
        for (size_t i = 0; i < len; i++) {
            bool all_set = true;
            for (int j = 0; j < nc; j++)
                all_set = all_set && ((i >> g->qubits[j]) & 1);
            if (all_set)
                continue;
            checked++;
            test_check(memcmp(&c[i], &in[i], sizeof c[i]) == 0, __FILE__,
                       __LINE__, "case %zu (%s): amplitude %zu changed", t,
                       g->name, i);
        }
    }
    CHECK(checked > 1000);
}

TEST(h_z_h_is_x)
{
    double complex a[32], b[32];
    for (int q = 0; q < 5; q++) {
        ref_state(5, a);
        ref_state(5, b);
        gate1(a, 5, QGATE_H, q);
        gate1(a, 5, QGATE_Z, q);
        gate1(a, 5, QGATE_H, q);
        gate1(b, 5, QGATE_X, q);
        CHECK(max_diff_states(a, b, 32) <= TOL);
    }
}

TEST(h_twice_cx_twice_and_ccx_twice_are_the_identity)
{
    double complex a[32], b[32];
    ref_state(5, b);
    ref_state(5, a);
    gate1(a, 5, QGATE_H, 3);
    gate1(a, 5, QGATE_H, 3);
    CHECK(max_diff_states(a, b, 32) <= TOL);
    ref_state(5, a);
    gate2(a, 5, QGATE_CX, 4, 1);
    gate2(a, 5, QGATE_CX, 4, 1);
    CHECK(memcmp(a, b, sizeof a) == 0); /* a permutation: exact */
    const int qs[3] = {0, 3, 2};
    qstate_apply_gate(a, 5, QGATE_CCX, qs, no_params);
    qstate_apply_gate(a, 5, QGATE_CCX, qs, no_params);
    CHECK(memcmp(a, b, sizeof a) == 0);
}

/* Applies first twice to a copy of qs_state4 at qubit q and second once to
 * another, and returns the largest difference. */
static double twice_vs_once(qgate_kind first, qgate_kind second, int q)
{
    double complex a[16], b[16];
    ref_state(4, a);
    ref_state(4, b);
    gate1(a, 4, first, q);
    gate1(a, 4, first, q);
    gate1(b, 4, second, q);
    return max_diff_states(a, b, 16);
}

TEST(s_twice_is_z_t_twice_is_s_sx_twice_is_x)
{
    for (int q = 0; q < 4; q++) {
        CHECK(twice_vs_once(QGATE_S, QGATE_Z, q) <= TOL);
        CHECK(twice_vs_once(QGATE_SDG, QGATE_Z, q) <= TOL);
        CHECK(twice_vs_once(QGATE_T, QGATE_S, q) <= TOL);
        CHECK(twice_vs_once(QGATE_TDG, QGATE_SDG, q) <= TOL);
        CHECK(twice_vs_once(QGATE_SX, QGATE_X, q) <= TOL);
    }
}

TEST(daggers_undo_their_gates)
{
    double complex a[16], b[16];
    ref_state(4, b);
    ref_state(4, a);
    gate1(a, 4, QGATE_S, 2);
    gate1(a, 4, QGATE_SDG, 2);
    gate1(a, 4, QGATE_T, 0);
    gate1(a, 4, QGATE_TDG, 0);
    CHECK(max_diff_states(a, b, 16) <= TOL);
}

TEST(u_gives_h_and_rx_and_rz_is_p_up_to_a_global_phase)
{
    const double pi = acos(-1.0);
    double complex a[16], b[16];
    int q = 1;
    ref_state(4, a);
    ref_state(4, b);
    const double uh[3] = {pi / 2, 0, pi};
    qstate_apply_gate(a, 4, QGATE_U, &q, uh);
    gate1(b, 4, QGATE_H, q);
    CHECK(max_diff_states(a, b, 16) <= TOL);

    ref_state(4, a);
    ref_state(4, b);
    const double urx[3] = {0.7, -pi / 2, pi / 2}, rx = 0.7;
    qstate_apply_gate(a, 4, QGATE_U, &q, urx);
    qstate_apply_gate(b, 4, QGATE_RX, &q, &rx);
    CHECK(max_diff_states(a, b, 16) <= TOL);

    ref_state(4, a);
    ref_state(4, b);
    const double theta = -2.3;
    qstate_apply_gate(a, 4, QGATE_RZ, &q, &theta);
    qstate_apply_gate(b, 4, QGATE_P, &q, &theta);
    for (size_t i = 0; i < 16; i++)
        b[i] *= cexp(CMPLX(0, -theta / 2));
    CHECK(max_diff_states(a, b, 16) <= TOL);
}

TEST(h_on_qubit_0_then_cx_0_1_makes_a_bell_state_from_00)
{
    double complex c[4] = {1, 0, 0, 0};
    CHECK_EQ_INT(gate1(c, 2, QGATE_H, 0), CORE_OK);
    CHECK_EQ_INT(gate2(c, 2, QGATE_CX, 0, 1), CORE_OK);
    const double r = sqrt(0.5);
    CHECK(fabs(creal(c[0]) - r) <= 1e-15 && cimag(c[0]) == 0);
    CHECK(c[1] == 0 && c[2] == 0);
    CHECK(fabs(creal(c[3]) - r) <= 1e-15 && cimag(c[3]) == 0);
    /* its correlations: XX = ZZ = 1, YY = -1, Z on one qubit 0 */
    double e;
    CHECK_EQ_INT(qstate_pauli_expectation(c, 2, "XX", &e), CORE_OK);
    CHECK_NEAR(e, 1.0, TOL);
    CHECK_EQ_INT(qstate_pauli_expectation(c, 2, "ZZ", &e), CORE_OK);
    CHECK_NEAR(e, 1.0, TOL);
    CHECK_EQ_INT(qstate_pauli_expectation(c, 2, "YY", &e), CORE_OK);
    CHECK_NEAR(e, -1.0, TOL);
    CHECK_EQ_INT(qstate_pauli_expectation(c, 2, "IZ", &e), CORE_OK);
    CHECK_NEAR(e, 0.0, TOL);
}

TEST(x_on_qubit_0_sets_the_least_significant_bit)
{
    double complex c[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    gate1(c, 3, QGATE_X, 0);
    CHECK(c[1] == 1 && c[0] == 0);
    gate1(c, 3, QGATE_X, 2);
    CHECK(c[5] == 1 && c[1] == 0);
    gate2(c, 3, QGATE_CX, 2, 1); /* control qubit 2 is set */
    CHECK(c[7] == 1 && c[5] == 0);
    gate2(c, 3, QGATE_CX, 0, 2);
    CHECK(c[3] == 1 && c[7] == 0);
}

TEST(swap_is_three_cx)
{
    double complex a[32], b[32];
    const int pairs[3][2] = {{0, 1}, {4, 1}, {2, 3}};
    for (int p = 0; p < 3; p++) {
        int x = pairs[p][0], y = pairs[p][1];
        ref_state(5, a);
        ref_state(5, b);
        gate2(a, 5, QGATE_SWAP, x, y);
        gate2(b, 5, QGATE_CX, x, y);
        gate2(b, 5, QGATE_CX, y, x);
        gate2(b, 5, QGATE_CX, x, y);
        CHECK(memcmp(a, b, sizeof a) == 0); /* permutations: exact */
    }
}

/* ------------------------------------------------------------ matrices */

TEST(matrices_on_scrambled_qubits_match_the_reference)
{
    static double complex c[DIM_MAX];
    double complex u[64], work[8];
    for (size_t t = 0; t < REF_QMATRIX_CASES; t++) {
        const ref_qmatrix_case *m = &ref_qmatrix_cases[t];
        size_t len = dim(m->n), d = dim(m->k);
        unpack(m->in, len, c);
        unpack(m->u, d * d, u);
        core_status st = qstate_apply_matrix(c, m->n, m->qubits, m->k, u, work);
        double diff = max_diff(c, m->out, len, m->scale);
        test_check(st == CORE_OK && diff <= TOL, __FILE__, __LINE__,
                   "case %zu: k %d on qubits (%d, %d, %d) of %d: status %d, "
                   "max difference %g",
                   t, m->k, m->qubits[0], m->qubits[1], m->qubits[2], m->n,
                   (int)st, diff);
    }
}

TEST(unitarity_deviation_is_zero_for_unitaries_and_measures_perturbations)
{
    double complex u[64];
    for (size_t t = 0; t < REF_QMATRIX_CASES; t++) {
        const ref_qmatrix_case *m = &ref_qmatrix_cases[t];
        size_t d = dim(m->k);
        unpack(m->u, d * d, u);
        double got = qstate_unitarity_deviation(u, m->k);
        test_check(fabs(got - m->deviation) <= TOL, __FILE__, __LINE__,
                   "case %zu: deviation %.17g, expected %.17g", t, got,
                   m->deviation);
    }
    /* 2 I: (2I)^dagger (2I) - I = 3 I; I itself exactly 0. */
    double complex two[4] = {2, 0, 0, 2}, id[16] = {0};
    CHECK(qstate_unitarity_deviation(two, 1) == 3.0);
    for (int i = 0; i < 4; i++)
        id[5 * i] = 1;
    CHECK(qstate_unitarity_deviation(id, 2) == 0.0);
}

/* ------------------------------------------------------------ marginals */

TEST(marginals_over_scrambled_subsets_match_the_reference_and_sum_to_one)
{
    static double complex c[DIM_MAX];
    double p[16];
    for (size_t t = 0; t < REF_QMARGINAL_CASES; t++) {
        const ref_qmarginal_case *m = &ref_qmarginal_cases[t];
        unpack(m->in, dim(m->n), c);
        core_status st = qstate_marginal(c, m->n, m->qubits, m->k, p);
        CHECK_EQ_INT(st, CORE_OK);
        double worst = 0, sum = 0;
        for (size_t v = 0; v < dim(m->k); v++) {
            double d = fabs(p[v] - m->p[v]);
            worst = d <= worst ? worst : d;
            sum += p[v];
            CHECK(p[v] >= 0);
        }
        test_check(worst <= TOL && fabs(sum - 1) <= TOL, __FILE__, __LINE__,
                   "case %zu: k %d of %d qubits: max difference %g, sum "
                   "%.17g",
                   t, m->k, m->n, worst, sum);
    }
}

TEST(marginal_of_every_qubit_in_order_is_the_born_distribution)
{
    double complex c[32];
    double p[32], born[32];
    const int all[5] = {0, 1, 2, 3, 4};
    ref_state(5, c);
    CHECK_EQ_INT(qstate_marginal(c, 5, all, 5, p), CORE_OK);
    CHECK_EQ_INT(state_probabilities(c, 32, born), CORE_OK);
    for (int i = 0; i < 32; i++)
        CHECK_NEAR(p[i], born[i], TOL);
}

/* ------------------------------------------------------------ project */

TEST(projections_match_the_reference)
{
    static double complex c[DIM_MAX];
    for (size_t t = 0; t < REF_QPROJECT_CASES; t++) {
        const ref_qproject_case *r = &ref_qproject_cases[t];
        size_t len = dim(r->n);
        unpack(r->in, len, c);
        core_status st = qstate_project(c, r->n, r->qubits, r->k, r->v);
        double d = max_diff(c, r->out, len, 1.0);
        test_check(st == CORE_OK && d <= TOL, __FILE__, __LINE__,
                   "case %zu: outcome %u of %d qubits of %d: status %d, max "
                   "difference %g",
                   t, r->v, r->k, r->n, (int)st, d);
    }
}

/* The reference projection of state n onto outcome v of qubits, or NULL. */
static const double *ref_projection(int n, const int *qubits, int k, size_t v)
{
    for (size_t t = 0; t < REF_QPROJECT_CASES; t++) {
        const ref_qproject_case *r = &ref_qproject_cases[t];
        if (r->n == n && r->k == k && r->v == v && r->in == qs_states[n] &&
            memcmp(r->qubits, qubits, (size_t)k * sizeof *qubits) == 0)
            return r->out;
    }
    return NULL;
}

/* The reference marginal of state n over qubits, or NULL. */
static const double *ref_marginal(int n, const int *qubits, int k)
{
    for (size_t t = 0; t < REF_QMARGINAL_CASES; t++) {
        const ref_qmarginal_case *m = &ref_qmarginal_cases[t];
        if (m->n == n && m->k == k && m->in == qs_states[n] &&
            memcmp(m->qubits, qubits, (size_t)k * sizeof *qubits) == 0)
            return m->p;
    }
    return NULL;
}

/* ------------------------------------------------------------ collapse */

TEST(collapse_with_the_same_seed_gives_the_same_outcome_and_state)
{
    double complex a[32], b[32];
    const int qs[3] = {4, 1, 3};
    for (uint64_t seed = 0; seed < 20; seed++) {
        rng_state r1, r2;
        size_t o1 = 99, o2 = 98;
        double p1 = -1, p2 = -2;
        ref_state(5, a);
        ref_state(5, b);
        rng_seed(&r1, seed);
        rng_seed(&r2, seed);
        CHECK_EQ_INT(qstate_collapse(a, 5, qs, 3, &r1, &o1, &p1), CORE_OK);
        CHECK_EQ_INT(qstate_collapse(b, 5, qs, 3, &r2, &o2, &p2), CORE_OK);
        CHECK(o1 == o2 && p1 == p2);
        CHECK(memcmp(a, b, sizeof a) == 0);
    }
}

TEST(collapse_draws_one_shot_of_the_marginal_and_projects_onto_it)
{
    double complex c[32];
    const int qs[3] = {4, 1, 3};
    const double *marg = ref_marginal(5, qs, 3);
    CHECK(marg != NULL);
    if (!marg)
        return;
    size_t seen = 0;
    for (uint64_t seed = 0; seed < 200; seed++) {
        rng_state r, direct;
        size_t outcome = 99;
        double prob = -1;
        ref_state(5, c);
        rng_seed(&r, seed);
        rng_seed(&direct, seed);
        CHECK_EQ_INT(qstate_collapse(c, 5, qs, 3, &r, &outcome, &prob),
                     CORE_OK);
        uint64_t counts[8] = {0};
        rng_sample_counts(&direct, marg, 8, 1, counts);
        if (!test_check(outcome < 8 && counts[outcome] == 1, __FILE__, __LINE__,
                        "seed %llu: outcome %zu", (unsigned long long)seed,
                        outcome))
            continue;
        seen |= (size_t)1 << outcome;
        CHECK_NEAR(prob, marg[outcome], TOL);
        const double *want = ref_projection(5, qs, 3, outcome);
        CHECK(want && max_diff(c, want, 32, 1.0) <= TOL);
        /* measuring the same qubits again: that outcome, for certain */
        double p[8];
        CHECK_EQ_INT(qstate_marginal(c, 5, qs, 3, p), CORE_OK);
        for (size_t v = 0; v < 8; v++)
            CHECK_NEAR(p[v], v == outcome ? 1.0 : 0.0, TOL);
    }
    CHECK(seen == 0xff); /* every outcome came up */
}

TEST(collapse_then_measure_again_always_repeats_the_outcome)
{
    static double complex c[DIM_MAX];
    const int sets[3][3] = {{9, 0, 5}, {3, -1, -1}, {7, 2, -1}};
    const int ks[3] = {3, 1, 2};
    for (int s = 0; s < 3; s++) {
        for (uint64_t seed = 100; seed < 120; seed++) {
            rng_state r;
            size_t outcome = 99;
            double prob = -1, p[8];
            ref_state(10, c);
            rng_seed(&r, seed);
            CHECK_EQ_INT(
                qstate_collapse(c, 10, sets[s], ks[s], &r, &outcome, &prob),
                CORE_OK);
            CHECK(prob > 0 && prob <= 1);
            CHECK_NEAR(state_norm(c, DIM_MAX), 1.0, TOL);
            CHECK_EQ_INT(qstate_marginal(c, 10, sets[s], ks[s], p), CORE_OK);
            for (size_t v = 0; v < dim(ks[s]); v++)
                CHECK_NEAR(p[v], v == outcome ? 1.0 : 0.0, TOL);
        }
    }
}

TEST(collapse_outcome_frequencies_over_many_seeds_follow_the_marginal)
{
    /* 20000 seeds, 8 outcomes: the chi-square statistic of the counts
     * against the reference marginal must stay below 50, which a fair
     * draw exceeds with probability 1.4e-8 (7 degrees of freedom). The
     * seeds are fixed, so this is deterministic; a wrong bit order or a
     * biased draw gives statistics in the hundreds or more. */
    enum { SEEDS = 20000 };
    double complex c[32];
    const int qs[3] = {4, 1, 3};
    const double *marg = ref_marginal(5, qs, 3);
    CHECK(marg != NULL);
    if (!marg)
        return;
    unsigned counts[8] = {0};
    for (uint64_t seed = 0; seed < SEEDS; seed++) {
        rng_state r;
        size_t outcome = 99;
        double prob;
        ref_state(5, c);
        rng_seed(&r, 0x9e3779b97f4a7c15ULL ^ seed);
        if (qstate_collapse(c, 5, qs, 3, &r, &outcome, &prob) == CORE_OK &&
            outcome < 8)
            counts[outcome]++;
    }
    double chi2 = 0;
    unsigned total = 0;
    for (int v = 0; v < 8; v++) {
        double expect = SEEDS * marg[v];
        chi2 += (counts[v] - expect) * (counts[v] - expect) / expect;
        total += counts[v];
    }
    CHECK_EQ_INT(total, SEEDS);
    test_check(chi2 < 50, __FILE__, __LINE__, "chi-square %g", chi2);
}

TEST(collapse_of_a_basis_state_is_certain)
{
    double complex c[8] = {0, 0, 0, 0, 0, 0, CMPLX(0, 1), 0}; /* |110> */
    const int qs[2] = {1, 0};
    rng_state r;
    rng_seed(&r, 5);
    size_t outcome = 99;
    double prob = -1;
    CHECK_EQ_INT(qstate_collapse(c, 3, qs, 2, &r, &outcome, &prob), CORE_OK);
    CHECK_EQ_INT(outcome, 1); /* qubit 1 is bit 0 of the outcome */
    CHECK_NEAR(prob, 1.0, TOL);
    CHECK_NEAR(cimag(c[6]), 1.0, TOL);
}

TEST(collapse_at_extreme_scales_follows_the_unit_state)
{
    double complex big[64], tiny[64], unit[64];
    const int qs[2] = {2, 4};
    for (uint64_t seed = 0; seed < 10; seed++) {
        rng_state r1, r2, r3;
        size_t o1, o2, o3;
        double p1, p2, p3;
        unpack(qs_big6, 64, big);
        unpack(qs_tiny6, 64, tiny);
        ref_state(6, unit);
        rng_seed(&r1, seed);
        rng_seed(&r2, seed);
        rng_seed(&r3, seed);
        CHECK_EQ_INT(qstate_collapse(big, 6, qs, 2, &r1, &o1, &p1), CORE_OK);
        CHECK_EQ_INT(qstate_collapse(tiny, 6, qs, 2, &r2, &o2, &p2), CORE_OK);
        CHECK_EQ_INT(qstate_collapse(unit, 6, qs, 2, &r3, &o3, &p3), CORE_OK);
        CHECK(o1 == o3 && o2 == o3);
        CHECK_NEAR(p1, p3, TOL);
        CHECK_NEAR(p2, p3, TOL);
        CHECK(max_diff_states(big, unit, 64) <= TOL);
        CHECK(max_diff_states(tiny, unit, 64) <= TOL);
    }
}

/* ------------------------------------------------------------ tensor */

TEST(tensor_products_match_kron_with_b_on_the_low_qubits)
{
    static double complex a[32], b[32], out[DIM_MAX];
    for (size_t t = 0; t < REF_QTENSOR_CASES; t++) {
        const ref_qtensor_case *r = &ref_qtensor_cases[t];
        ref_state(r->na, a);
        ref_state(r->nb, b);
        qstate_tensor(a, r->na, b, r->nb, out);
        double d = max_diff(out, r->out, dim(r->na + r->nb), 1.0);
        test_check(d <= TOL, __FILE__, __LINE__,
                   "case %zu: %d (x) %d qubits: max difference %g", t, r->na,
                   r->nb, d);
    }
    /* |1> (x) |0>: a's qubit is qubit 1, so index 2 */
    const double complex one[2] = {0, 1}, zero[2] = {1, 0};
    double complex ab[4];
    qstate_tensor(one, 1, zero, 1, ab);
    CHECK(ab[0] == 0 && ab[1] == 0 && ab[2] == 1 && ab[3] == 0);
}

/* ------------------------------------------------------------ Pauli */

TEST(pauli_expectations_match_the_reference_with_the_last_character_on_qubit_0)
{
    static double complex c[DIM_MAX];
    for (size_t t = 0; t < REF_QPAULI_CASES; t++) {
        const ref_qpauli_case *r = &ref_qpauli_cases[t];
        unpack(r->in, dim(r->n), c);
        double e = NAN;
        core_status st = qstate_pauli_expectation(c, r->n, r->pauli, &e);
        test_check(st == CORE_OK && fabs(e - r->expect) <= TOL, __FILE__,
                   __LINE__,
                   "case %zu: <%s> on %d qubits: status %d, got "
                   "%.17g, expected %.17g",
                   t, r->pauli, r->n, (int)st, e, r->expect);
    }
    /* |001> (qubit 0 set): Z on qubit 0 is -1, on qubit 2 +1 */
    const double complex q0[8] = {0, 1, 0, 0, 0, 0, 0, 0};
    double e;
    CHECK_EQ_INT(qstate_pauli_expectation(q0, 3, "IIZ", &e), CORE_OK);
    CHECK_NEAR(e, -1.0, TOL);
    CHECK_EQ_INT(qstate_pauli_expectation(q0, 3, "ZII", &e), CORE_OK);
    CHECK_NEAR(e, 1.0, TOL);
}

/* ------------------------------------------------------------ errors */

/* Calls qstate_apply_gate on a copy of qs_state3 taken as n qubits and
 * checks the status and that the state is untouched. */
static void check_gate_refused(int n, qgate_kind kind, int q0, int q1, int q2,
                               core_status want, int line)
{
    double complex c[8], before[8];
    const int qs[3] = {q0, q1, q2};
    const double params[3] = {0.1, 0.2, 0.3};
    ref_state(3, c);
    memcpy(before, c, sizeof c);
    core_status st = qstate_apply_gate(c, n, kind, qs, params);
    test_check(st == want && memcmp(c, before, sizeof c) == 0, __FILE__, line,
               "%s(%d, %d, %d) on %d qubits: status %d, expected %d%s",
               qgate_name(kind), q0, q1, q2, n, (int)st, (int)want,
               memcmp(c, before, sizeof c) ? ", state changed" : "");
}

TEST(gates_refuse_repeated_or_out_of_range_qubits_and_bad_sizes)
{
    check_gate_refused(3, QGATE_CX, 1, 1, 0, CORE_EINVAL, __LINE__);
    check_gate_refused(3, QGATE_CRX, 2, 2, 0, CORE_EINVAL, __LINE__);
    check_gate_refused(3, QGATE_CCX, 0, 2, 0, CORE_EINVAL, __LINE__);
    check_gate_refused(3, QGATE_CSWAP, 0, 1, 1, CORE_EINVAL, __LINE__);
    check_gate_refused(3, QGATE_SWAP, 2, 2, 0, CORE_EINVAL, __LINE__);
    check_gate_refused(3, QGATE_X, 3, 0, 0, CORE_EINVAL, __LINE__);
    check_gate_refused(3, QGATE_H, -1, 0, 0, CORE_EINVAL, __LINE__);
    check_gate_refused(3, QGATE_CX, 0, 3, 0, CORE_EINVAL, __LINE__);
    check_gate_refused(3, QGATE_CCX, 0, 1, 7, CORE_EINVAL, __LINE__);
    check_gate_refused(2, QGATE_CCX, 0, 1, 2, CORE_EINVAL, __LINE__);
    check_gate_refused(0, QGATE_X, 0, 0, 0, CORE_EINVAL, __LINE__);
    check_gate_refused(-1, QGATE_X, 0, 0, 0, CORE_EINVAL, __LINE__);
    check_gate_refused(QSTATE_MAX_QUBITS + 1, QGATE_X, 0, 0, 0, CORE_EINVAL,
                       __LINE__);
    /* unrepeated, in range: fine (and qubits beyond the gate's are
     * ignored) */
    check_gate_refused(3, QGATE_I, 2, 2, 2, CORE_OK, __LINE__);
}

TEST(matrices_refuse_repeated_or_out_of_range_qubits_and_bad_sizes)
{
    double complex c[8], before[8], u[64] = {0}, work[8];
    for (int i = 0; i < 8; i++)
        u[9 * i] = 1;
    const struct {
        int n, k, qubits[4];
    } bad[] = {
        {3, 2, {1, 1}},    {3, 3, {0, 2, 0}},
        {3, 1, {3}},       {3, 2, {0, -1}},
        {3, 3, {0, 1, 5}}, {2, 3, {0, 1, 2}},
        {0, 1, {0}},       {QSTATE_MAX_QUBITS + 1, 1, {0}},
    };
    for (size_t t = 0; t < sizeof bad / sizeof bad[0]; t++) {
        ref_state(3, c);
        memcpy(before, c, sizeof c);
        core_status st =
            qstate_apply_matrix(c, bad[t].n, bad[t].qubits, bad[t].k, u, work);
        test_check(st == CORE_EINVAL && memcmp(c, before, sizeof c) == 0,
                   __FILE__, __LINE__, "case %zu: status %d", t, (int)st);
    }
}

TEST(marginal_refuses_the_zero_state_and_bad_lists)
{
    const double complex zero[8] = {0};
    double complex c[8];
    double p[8];
    const int one[1] = {1}, rep[2] = {2, 2}, out[2] = {0, 3}, neg[1] = {-1};
    ref_state(3, c);
    CHECK_EQ_INT(qstate_marginal(zero, 3, one, 1, p), CORE_EZERO);
    CHECK_EQ_INT(qstate_marginal(c, 3, rep, 2, p), CORE_EINVAL);
    CHECK_EQ_INT(qstate_marginal(c, 3, out, 2, p), CORE_EINVAL);
    CHECK_EQ_INT(qstate_marginal(c, 3, neg, 1, p), CORE_EINVAL);
    CHECK_EQ_INT(qstate_marginal(c, 0, one, 1, p), CORE_EINVAL);
}

TEST(project_refuses_an_impossible_outcome_and_leaves_the_state)
{
    /* |101>: qubit 1 is 0 for certain */
    double complex c[8] = {0, 0, 0, 0, 0, CMPLX(0.6, 0.8), 0, 0}, before[8];
    memcpy(before, c, sizeof c);
    const int q1[1] = {1}, q21[2] = {2, 1};
    CHECK_EQ_INT(qstate_project(c, 3, q1, 1, 1), CORE_EZERO);
    CHECK(memcmp(c, before, sizeof c) == 0);
    CHECK_EQ_INT(qstate_project(c, 3, q21, 2, 3), CORE_EZERO);
    CHECK(memcmp(c, before, sizeof c) == 0);
    /* the certain outcome: the state itself, at unit norm */
    CHECK_EQ_INT(qstate_project(c, 3, q21, 2, 1), CORE_OK);
    CHECK_NEAR(creal(c[5]), 0.6, 1e-15);
    CHECK_NEAR(cimag(c[5]), 0.8, 1e-15);
}

TEST(project_refuses_outcomes_past_2_to_the_k_and_bad_lists)
{
    double complex c[8], before[8];
    const int q[2] = {2, 0}, rep[2] = {1, 1}, out[1] = {3};
    ref_state(3, c);
    memcpy(before, c, sizeof c);
    CHECK_EQ_INT(qstate_project(c, 3, q, 2, 4), CORE_EINVAL);
    CHECK_EQ_INT(qstate_project(c, 3, q, 1, 2), CORE_EINVAL);
    CHECK_EQ_INT(qstate_project(c, 3, q, 2, (size_t)-1), CORE_EINVAL);
    CHECK_EQ_INT(qstate_project(c, 3, rep, 2, 0), CORE_EINVAL);
    CHECK_EQ_INT(qstate_project(c, 3, out, 1, 0), CORE_EINVAL);
    CHECK(memcmp(c, before, sizeof c) == 0);
    const double complex zero[8] = {0};
    memcpy(c, zero, sizeof c);
    CHECK_EQ_INT(qstate_project(c, 3, q, 2, 0), CORE_EZERO);
    CHECK(memcmp(c, zero, sizeof c) == 0);
}

TEST(collapse_refuses_the_zero_state_and_bad_lists_leaving_the_state)
{
    double complex c[8] = {0}, before[8];
    const int q[1] = {0}, rep[2] = {1, 1}, out[1] = {4};
    rng_state r;
    rng_seed(&r, 1);
    size_t outcome;
    double prob;
    CHECK_EQ_INT(qstate_collapse(c, 3, q, 1, &r, &outcome, &prob), CORE_EZERO);
    ref_state(3, c);
    memcpy(before, c, sizeof c);
    CHECK_EQ_INT(qstate_collapse(c, 3, rep, 2, &r, &outcome, &prob),
                 CORE_EINVAL);
    CHECK_EQ_INT(qstate_collapse(c, 3, out, 1, &r, &outcome, &prob),
                 CORE_EINVAL);
    CHECK(memcmp(c, before, sizeof c) == 0);
}

TEST(pauli_expectation_refuses_wrong_lengths_characters_and_the_zero_state)
{
    double complex c[8];
    const double complex zero[8] = {0};
    ref_state(3, c);
    double e = 42;
    CHECK_EQ_INT(qstate_pauli_expectation(c, 3, "XZ", &e), CORE_EINVAL);
    CHECK_EQ_INT(qstate_pauli_expectation(c, 3, "XZIY", &e), CORE_EINVAL);
    CHECK_EQ_INT(qstate_pauli_expectation(c, 3, "", &e), CORE_EINVAL);
    CHECK_EQ_INT(qstate_pauli_expectation(c, 3, "XAZ", &e), CORE_EINVAL);
    CHECK_EQ_INT(qstate_pauli_expectation(c, 3, "xyz", &e), CORE_EINVAL);
    CHECK_EQ_INT(qstate_pauli_expectation(c, 3, "XY ", &e), CORE_EINVAL);
    CHECK_EQ_INT(qstate_pauli_expectation(zero, 3, "XYZ", &e), CORE_EZERO);
}

/* ------------------------------------------------------------ names */

static const struct {
    qgate_kind kind;
    const char *name;
    int qubits, params;
} gate_table[QGATE_COUNT_] = {
    {QGATE_I, "i", 1, 0},     {QGATE_X, "x", 1, 0},
    {QGATE_Y, "y", 1, 0},     {QGATE_Z, "z", 1, 0},
    {QGATE_H, "h", 1, 0},     {QGATE_S, "s", 1, 0},
    {QGATE_SDG, "sdg", 1, 0}, {QGATE_T, "t", 1, 0},
    {QGATE_TDG, "tdg", 1, 0}, {QGATE_SX, "sx", 1, 0},
    {QGATE_RX, "rx", 1, 1},   {QGATE_RY, "ry", 1, 1},
    {QGATE_RZ, "rz", 1, 1},   {QGATE_P, "p", 1, 1},
    {QGATE_U, "u", 1, 3},     {QGATE_CX, "cx", 2, 0},
    {QGATE_CY, "cy", 2, 0},   {QGATE_CZ, "cz", 2, 0},
    {QGATE_CH, "ch", 2, 0},   {QGATE_CP, "cp", 2, 1},
    {QGATE_CRX, "crx", 2, 1}, {QGATE_CRY, "cry", 2, 1},
    {QGATE_CRZ, "crz", 2, 1}, {QGATE_SWAP, "swap", 2, 0},
    {QGATE_CCX, "ccx", 3, 0}, {QGATE_CSWAP, "cswap", 3, 0},
};

TEST(gate_names_round_trip_and_say_their_qubits_and_angles)
{
    for (int i = 0; i < QGATE_COUNT_; i++) {
        qgate_kind kind = gate_table[i].kind, back = QGATE_COUNT_;
        CHECK_STR(qgate_name(kind), gate_table[i].name);
        CHECK(qgate_from_name(gate_table[i].name, &back) && back == kind);
        CHECK_EQ_INT(qgate_qubits(kind), gate_table[i].qubits);
        CHECK_EQ_INT(qgate_params(kind), gate_table[i].params);
    }
}

TEST(unknown_gate_names_are_refused)
{
    qgate_kind k = QGATE_H;
    const char *bad[] = {"",   "c",   "cxx", "toffoli", "h ",
                         " h", "rxx", "u3",  "iswap",   "sqrtx"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        test_check(!qgate_from_name(bad[i], &k), __FILE__, __LINE__,
                   "\"%s\" accepted", bad[i]);
}

TEST(all_names_lists_every_gate_once)
{
    const char *all = qgate_all_names();
    CHECK(all != NULL);
    if (!all)
        return;
    char buf[512];
    CHECK(strlen(all) < sizeof buf);
    snprintf(buf, sizeof buf, "%s", all);
    int found[QGATE_COUNT_] = {0}, items = 0;
    for (char *tok = strtok(buf, ", "); tok; tok = strtok(NULL, ", ")) {
        items++;
        qgate_kind k;
        if (test_check(qgate_from_name(tok, &k), __FILE__, __LINE__,
                       "\"%s\" in the list is not a gate", tok))
            found[k]++;
    }
    CHECK_EQ_INT(items, QGATE_COUNT_);
    for (int i = 0; i < QGATE_COUNT_; i++)
        CHECK_EQ_INT(found[i], 1);
}
