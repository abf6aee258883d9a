/* core/collapse.h - collapse propagation: a forward pass in which chosen
 * layers are measured and only the outcome goes on.
 *
 * The analogy's third correspondence (beside the two of core/analogy.h): a
 * layer's output "encodes multiple possibilities before collapsing into
 * the next layer's input". At each collapsed layer the pre-activations z
 * and outputs a are read as a state (analogy_layer_state: l2 or
 * softmax_sqrt), one outcome o is drawn from its Born distribution with
 * the seeded generator of core/rng.h (one draw of rng_sample_each, the
 * rule every measurement of psinet uses), and the layer's output is
 * replaced before it is fed on:
 *
 *   one_hot  e_o, the basis state of the outcome (1 at o, 0 elsewhere)
 *   keep     a_o e_o: the measured neuron keeps its activation, the
 *            others become 0
 *
 * A shot is one such pass; its result is the argmax of the final output
 * (the last layer's output, collapsed if the last layer is; the lowest
 * index among equal maxima). The layers before the first collapsed one
 * are the same in every shot, so a shot starts from their deterministic
 * outputs: z0 and a0 of the first collapsed layer.
 *
 * The layer after a collapsed one takes a vector with one non-zero entry
 * v at o, so its pre-activation is b_i + w_io v, computed as that (one
 * product and one sum, the same on every machine); the other layers go
 * through layer_forward. */
#ifndef PSINET_CORE_COLLAPSE_H
#define PSINET_CORE_COLLAPSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/analogy.h"
#include "core/cmplx.h"
#include "core/layer.h"
#include "core/rng.h"
#include "core/status.h"

/* What a collapsed layer feeds on. */
typedef enum {
    ANALOGY_COLLAPSE_ONE_HOT, /* e_o */
    ANALOGY_COLLAPSE_KEEP     /* a_o e_o */
} analogy_collapse_rule;

/* A network and where it collapses. */
typedef struct {
    const layer_view *layers; /* each takes the previous one's outputs */
    size_t count;             /* >= 1 */
    const size_t *at;         /* the collapsed layers, strictly increasing,
                                 each below count */
    size_t k;                 /* how many, >= 1 */
    analogy_mapping mapping;
    analogy_collapse_rule rule;
} analogy_collapse_net;

/* The widest layer: work arrays are sized by it. */
size_t analogy_collapse_width(const analogy_collapse_net *net);

/* The work of one shot, in multiply-adds: the weights (rows x cols) of
 * every layer after the first collapsed one, plus the neurons of every
 * collapsed layer (the state read and sampled). A bound: the layer after
 * a collapse costs its rows alone. */
uint64_t analogy_collapse_shot_cost(const analogy_collapse_net *net);

/* What `shots` shots gave, in arrays of the caller (zeroed by it). */
typedef struct {
    uint64_t *final_counts; /* layers[count - 1].rows: shots by the argmax
                               of their final output */
    uint64_t *const *counts; /* k arrays, layers[at[j]].rows each: shots by
                                their outcome at layer at[j] */
    double *entropy_sum;    /* k: the Born entropies of the states measured
                               at layer at[j], summed over the shots in
                               order */
    uint64_t failed_shot;   /* on failure, the shot ... */
    size_t failed_layer;    /* ... and the layer */
} analogy_collapse_tally;

/* Runs shots 0 .. shots - 1, shot s with the generator seeded with
 * seed + s (mod 2^64; rng_seed), so that each shot's draws depend on the
 * seed and its index alone, never on how the shots are scheduled; in a
 * shot, the collapsed layers draw in order, one uniform each. Each shot is
 * added to the tally. z0 and a0 are layer at[0]'s pre-activations and
 * outputs. work has room for 5 * analogy_collapse_width(net) doubles,
 * cwork for that many complex numbers.
 *
 * CORE_EZERO when a collapsed layer's output is the zero vector under the
 * l2 mapping (there is no state to measure), CORE_ERANGE when a layer's
 * results are not finite: the tally's failed_shot and failed_layer say
 * where, and the tally is incomplete. CORE_ENOMEM when the sampler cannot
 * allocate its table. */
core_status analogy_collapse_shots(const analogy_collapse_net *net,
                                   const double *z0, const double *a0,
                                   uint64_t seed, uint64_t shots,
                                   double *work, double complex *cwork,
                                   analogy_collapse_tally *tally);

#endif
