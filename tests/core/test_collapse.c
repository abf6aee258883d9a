/* tests/core/test_collapse.c - collapse propagation (core/collapse.c):
 * against the independent Python implementation's counts
 * (tests/ref/gen_collapse_ref.py, exact), on layers whose Born
 * distributions are a point mass or a fair coin (analytic), and by the
 * seeding rule (shot s is the single shot of seed + s). */
#include <math.h>
#include <string.h>

#include "core/collapse.h"
#include "core/network.h"
#include "tests/ref/collapse_ref.h"
#include "tests/testlib.h"

#define MAXW 8

/* Arrays for a tally of up to 3 collapsed layers of up to MAXW neurons. */
typedef struct {
    uint64_t final[MAXW];
    uint64_t counts[3][MAXW];
    uint64_t *rows[3];
    double entropy[3];
    analogy_collapse_tally t;
} tally_box;

static void tally_init(tally_box *b)
{
    memset(b, 0, sizeof *b);
    for (int j = 0; j < 3; j++)
        b->rows[j] = b->counts[j];
    b->t = (analogy_collapse_tally){.final_counts = b->final,
                                    .counts = b->rows,
                                    .entropy_sum = b->entropy};
}

static act_kind kind_of(const char *name)
{
    act_kind k = ACT_IDENTITY;
    CHECK(act_from_name(name, &k));
    return k;
}

/* The reference network's layers. */
static void ref_layers(layer_view *lv)
{
    const double *w[3] = {ref_cl_w0, ref_cl_w1, ref_cl_w2};
    const double *b[3] = {ref_cl_b0, ref_cl_b1, ref_cl_b2};
    for (int l = 0; l < REF_CL_LAYERS; l++)
        lv[l] = (layer_view){.rows = ref_cl_sizes[l + 1],
                             .cols = ref_cl_sizes[l],
                             .weights = w[l],
                             .bias = b[l],
                             .act = {.kind = kind_of(ref_cl_acts[l])}};
}

/* The deterministic pass's (z, a) of layer `at` of the reference network
 * on its input. */
static void ref_prefix(const layer_view *lv, size_t at, double *z, double *a)
{
    double Z[REF_CL_LAYERS][MAXW], A[REF_CL_LAYERS][MAXW];
    double *zp[REF_CL_LAYERS], *ap[REF_CL_LAYERS];
    for (int l = 0; l < REF_CL_LAYERS; l++) {
        zp[l] = Z[l];
        ap[l] = A[l];
    }
    size_t failed;
    CHECK_EQ_INT(network_forward(lv, REF_CL_LAYERS, ref_cl_x, 1, zp, ap,
                                 &failed),
                 CORE_OK);
    memcpy(z, Z[at], lv[at].rows * sizeof *z);
    memcpy(a, A[at], lv[at].rows * sizeof *a);
}

TEST(counts_and_entropies_match_the_python_reference)
{
    layer_view lv[REF_CL_LAYERS];
    ref_layers(lv);
    for (int c = 0; c < REF_CL_CASES; c++) {
        const ref_cl_case *rc = &ref_cl_cases[c];
        analogy_collapse_net net = {
            .layers = lv,
            .count = REF_CL_LAYERS,
            .at = rc->at,
            .k = rc->k,
            .mapping = rc->softmax_sqrt ? ANALOGY_SOFTMAX_SQRT : ANALOGY_L2,
            .rule = rc->keep ? ANALOGY_COLLAPSE_KEEP
                             : ANALOGY_COLLAPSE_ONE_HOT,
        };
        CHECK_EQ_INT((int)analogy_collapse_width(&net), 5);
        double z0[MAXW], a0[MAXW], work[5 * MAXW];
        double complex cwork[MAXW];
        ref_prefix(lv, rc->at[0], z0, a0);
        tally_box b;
        tally_init(&b);
        CHECK_EQ_INT(analogy_collapse_shots(&net, z0, a0, rc->seed,
                                            rc->shots, work, cwork, &b.t),
                     CORE_OK);
        for (size_t i = 0; i < ref_cl_sizes[REF_CL_LAYERS]; i++)
            CHECK_EQ_INT((int)b.final[i], (int)rc->final[i]);
        for (size_t j = 0; j < rc->k; j++) {
            for (size_t i = 0; i < ref_cl_sizes[rc->at[j] + 1]; i++)
                CHECK_EQ_INT((int)b.counts[j][i], (int)rc->counts[j][i]);
            CHECK_NEAR(b.entropy[j], rc->entropy_sum[j], 1e-12);
        }
    }
}

TEST(shot_s_is_the_single_shot_of_seed_plus_s)
{
    layer_view lv[REF_CL_LAYERS];
    ref_layers(lv);
    const size_t at[2] = {0, 1};
    analogy_collapse_net net = {lv, REF_CL_LAYERS, at, 2,
                                ANALOGY_SOFTMAX_SQRT, ANALOGY_COLLAPSE_KEEP};
    double z0[MAXW], a0[MAXW], work[5 * MAXW];
    double complex cwork[MAXW];
    ref_prefix(lv, 0, z0, a0);
    tally_box all, one;
    tally_init(&all);
    tally_init(&one);
    const uint64_t seed = UINT64_MAX - 20; /* wraps past 2^64 */
    CHECK_EQ_INT(analogy_collapse_shots(&net, z0, a0, seed, 50, work, cwork,
                                        &all.t),
                 CORE_OK);
    for (uint64_t s = 0; s < 50; s++)
        CHECK_EQ_INT(analogy_collapse_shots(&net, z0, a0, seed + s, 1, work,
                                            cwork, &one.t),
                     CORE_OK);
    CHECK(memcmp(all.final, one.final, sizeof all.final) == 0);
    CHECK(memcmp(all.counts, one.counts, sizeof all.counts) == 0);
    CHECK_NEAR(all.entropy[0], one.entropy[0], 1e-15);
    CHECK_NEAR(all.entropy[1], one.entropy[1], 1e-15);
}

/* Two identity layers: 2 -> 3 (weights give the outputs) -> 2. */
static const double w_a[6] = {0, 0, 0, 0, 0, 0};
static const double w_b[6] = {1, 2, 3, 4, 5, 6};

TEST(a_point_mass_always_gives_its_outcome)
{
    /* Layer 0's output is (0, -2, 0): under l2 a point mass on 1. */
    const double bias0[3] = {0, -2, 0};
    layer_view lv[2] = {
        {3, 2, w_a, bias0, {ACT_IDENTITY, 0}},
        {2, 3, w_b, NULL, {ACT_IDENTITY, 0}},
    };
    const size_t at[1] = {0};
    const double z0[3] = {0, -2, 0}, a0[3] = {0, -2, 0};
    double work[5 * MAXW];
    double complex cwork[MAXW];
    for (int keep = 0; keep < 2; keep++) {
        analogy_collapse_net net = {
            lv, 2, at, 1, ANALOGY_L2,
            keep ? ANALOGY_COLLAPSE_KEEP : ANALOGY_COLLAPSE_ONE_HOT};
        tally_box b;
        tally_init(&b);
        CHECK_EQ_INT(analogy_collapse_shots(&net, z0, a0, 3, 100, work,
                                            cwork, &b.t),
                     CORE_OK);
        CHECK_EQ_INT((int)b.counts[0][1], 100);
        CHECK_EQ_INT((int)(b.counts[0][0] + b.counts[0][2]), 0);
        CHECK(b.entropy[0] == 0.0);
        /* one_hot feeds e_1: the next output is column 1 of w_b, (2, 5),
         * argmax 1; keep feeds -2 e_1: (-4, -10), argmax 0 */
        CHECK_EQ_INT((int)b.final[keep ? 0 : 1], 100);
    }
}

TEST(a_fair_coin_follows_the_first_uniform_of_each_shot)
{
    /* Outputs (1, -1) under l2: probabilities (1/2, 1/2). Outcome 1 when
     * the shot's first uniform u has u * 1 >= 1/2. Collapsing the last
     * layer: its final output is the collapsed one. */
    const double w[2] = {1, -1};
    layer_view lv[1] = {{2, 1, w, NULL, {ACT_IDENTITY, 0}}};
    const size_t at[1] = {0};
    const double z0[2] = {1, -1}, a0[2] = {1, -1};
    double work[5 * MAXW];
    double complex cwork[MAXW];
    const uint64_t seed = 41, shots = 1000;
    uint64_t ones = 0;
    for (uint64_t s = 0; s < shots; s++) {
        rng_state rng;
        rng_seed(&rng, seed + s);
        ones += rng_uniform(&rng) >= 0.5;
    }
    for (int keep = 0; keep < 2; keep++) {
        analogy_collapse_net net = {
            lv, 1, at, 1, ANALOGY_L2,
            keep ? ANALOGY_COLLAPSE_KEEP : ANALOGY_COLLAPSE_ONE_HOT};
        tally_box b;
        tally_init(&b);
        CHECK_EQ_INT(analogy_collapse_shots(&net, z0, a0, seed, shots, work,
                                            cwork, &b.t),
                     CORE_OK);
        CHECK_EQ_INT((int)b.counts[0][1], (int)ones);
        CHECK_EQ_INT((int)b.counts[0][0], (int)(shots - ones));
        CHECK_NEAR(b.entropy[0], (double)shots, 1e-13);
        if (!keep) { /* e_o: the argmax is the outcome */
            CHECK_EQ_INT((int)b.final[1], (int)ones);
        } else { /* (1, 0) has argmax 0; (0, -1) too: the lowest of the
                    equal maxima 0 */
            CHECK_EQ_INT((int)b.final[0], (int)shots);
        }
    }
    CHECK(ones > 400 && ones < 600);
}

TEST(a_zero_state_under_l2_names_its_layer_and_shot)
{
    /* Layer 0 (relu) is (0, 1) then feeds e_1 to layer 1, whose relu output
     * is all 0: no state under l2 at layer 1, in the first shot. */
    const double w0[2] = {0, 0}, b0[2] = {0, 1};
    const double w1[4] = {1, -1, 1, -1};
    layer_view lv[2] = {
        {2, 1, w0, b0, {ACT_RELU, 0}},
        {2, 2, w1, NULL, {ACT_RELU, 0}},
    };
    const size_t at[2] = {0, 1};
    const double z0[2] = {0, 1}, a0[2] = {0, 1};
    double work[5 * MAXW];
    double complex cwork[MAXW];
    analogy_collapse_net net = {lv, 2, at, 2, ANALOGY_L2,
                                ANALOGY_COLLAPSE_ONE_HOT};
    tally_box b;
    tally_init(&b);
    CHECK_EQ_INT(
        analogy_collapse_shots(&net, z0, a0, 5, 10, work, cwork, &b.t),
        CORE_EZERO);
    CHECK_EQ_INT((int)b.t.failed_shot, 0);
    CHECK_EQ_INT((int)b.t.failed_layer, 1);
    /* softmax_sqrt has a state for every layer */
    net.mapping = ANALOGY_SOFTMAX_SQRT;
    tally_init(&b);
    CHECK_EQ_INT(
        analogy_collapse_shots(&net, z0, a0, 5, 10, work, cwork, &b.t),
        CORE_OK);
    CHECK_EQ_INT((int)(b.counts[1][0] + b.counts[1][1]), 10);
}

TEST(an_overflow_names_its_layer)
{
    /* e_0 fed to weights of 1e308 then doubled: layer 2 overflows. */
    const double w0[2] = {1, 1}, w1[2] = {1e308, 0}, w2[1] = {2};
    layer_view lv[3] = {
        {2, 1, w0, NULL, {ACT_IDENTITY, 0}},
        {1, 2, w1, NULL, {ACT_IDENTITY, 0}},
        {1, 1, w2, NULL, {ACT_IDENTITY, 0}},
    };
    const size_t at[1] = {0};
    const double z0[2] = {1, 0}, a0[2] = {1, 0};
    double work[5 * MAXW];
    double complex cwork[MAXW];
    analogy_collapse_net net = {lv, 3, at, 1, ANALOGY_L2,
                                ANALOGY_COLLAPSE_ONE_HOT};
    tally_box b;
    tally_init(&b);
    CHECK_EQ_INT(
        analogy_collapse_shots(&net, z0, a0, 1, 3, work, cwork, &b.t),
        CORE_ERANGE);
    CHECK_EQ_INT((int)b.t.failed_layer, 2);
    CHECK_EQ_INT((int)b.t.failed_shot, 0);
}

TEST(the_cost_of_a_shot)
{
    static const double w[64] = {0};
    layer_view lv[3] = {
        {4, 3, w, NULL, {ACT_IDENTITY, 0}},
        {5, 4, w, NULL, {ACT_IDENTITY, 0}},
        {2, 5, w, NULL, {ACT_IDENTITY, 0}},
    };
    const size_t at[2] = {0, 1};
    analogy_collapse_net net = {lv, 3, at, 2, ANALOGY_L2,
                                ANALOGY_COLLAPSE_ONE_HOT};
    /* layers 1 and 2's weights, 20 + 10, and the neurons of 0 and 1 */
    CHECK_EQ_INT((int)analogy_collapse_shot_cost(&net), 20 + 10 + 4 + 5);
    CHECK_EQ_INT((int)analogy_collapse_width(&net), 5);
}
