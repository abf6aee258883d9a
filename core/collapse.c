/* core/collapse.c - forward passes that collapse at chosen layers
 * (core/collapse.h). */
#include "core/collapse.h"

#include "core/state.h"
#include "core/stats.h"
#include "core/vec.h"

size_t analogy_collapse_width(const analogy_collapse_net *net)
{
    size_t w = 0;
    for (size_t l = 0; l < net->count; l++)
        if (net->layers[l].rows > w)
            w = net->layers[l].rows;
    return w;
}

uint64_t analogy_collapse_shot_cost(const analogy_collapse_net *net)
{
    uint64_t cost = 0;
    for (size_t l = net->at[0] + 1; l < net->count; l++)
        cost += (uint64_t)net->layers[l].rows * net->layers[l].cols;
    for (size_t j = 0; j < net->k; j++)
        cost += net->layers[net->at[j]].rows;
    return cost;
}

/* The layer after a collapse: its input is v at o and 0 elsewhere, so
 * z_i = b_i + w_io v. */
static void forward_one_hot(const layer_view *layer, size_t o, double v,
                            double *z, double *a)
{
    for (size_t i = 0; i < layer->rows; i++)
        z[i] = (layer->bias ? layer->bias[i] : 0.0) +
               layer->weights[i * layer->cols + o] * v;
    act_apply(&layer->act, z, a, layer->rows);
}

/* One shot from layer at[0]'s (z0, a0), added to t. */
static core_status shot(const analogy_collapse_net *net, const double *z0,
                        const double *a0, rng_state *rng, double *work,
                        double complex *amps, analogy_collapse_tally *t)
{
    size_t w = analogy_collapse_width(net);
    double *z = work, *a = work + w, *zn = work + 2 * w, *an = work + 3 * w;
    double *p = work + 4 * w;
    const double *zc = z0, *ac = a0; /* the current layer's results */
    size_t l = net->at[0];
    for (size_t j = 0; j < net->k; j++) {
        size_t rows = net->layers[l].rows, o;
        t->failed_layer = l;
        core_status st = analogy_layer_state(net->mapping, zc, ac, rows,
                                             amps, p);
        if (st == CORE_OK)
            st = state_probabilities(amps, rows, p);
        if (st == CORE_OK)
            st = rng_sample_each(rng, p, rows, 1, &o);
        if (st != CORE_OK)
            return st;
        t->counts[j][o]++;
        t->entropy_sum[j] += stats_entropy_bits(p, rows);
        double v = net->rule == ANALOGY_COLLAPSE_ONE_HOT ? 1.0 : ac[o];
        if (l + 1 == net->count) { /* the final output is the collapsed one */
            for (size_t i = 0; i < rows; i++)
                a[i] = i == o ? v : 0.0;
            t->final_counts[vec_argmax(a, rows)]++;
            return CORE_OK;
        }
        /* On to the next collapsed layer, or to the end. */
        size_t stop = j + 1 < net->k ? net->at[j + 1] : net->count - 1;
        const layer_view *next = &net->layers[l + 1];
        forward_one_hot(next, o, v, z, a);
        for (l = l + 1;; l++) {
            size_t n = net->layers[l].rows;
            if (!vec_all_finite(z, n) || !vec_all_finite(a, n)) {
                t->failed_layer = l;
                return CORE_ERANGE;
            }
            if (l == stop)
                break;
            layer_forward(&net->layers[l + 1], a, zn, an);
            double *tz = z, *ta = a;
            z = zn;
            a = an;
            zn = tz;
            an = ta;
        }
        zc = z;
        ac = a;
        if (j + 1 == net->k)
            t->final_counts[vec_argmax(a, net->layers[l].rows)]++;
    }
    return CORE_OK;
}

core_status analogy_collapse_shots(const analogy_collapse_net *net,
                                   const double *z0, const double *a0,
                                   uint64_t seed, uint64_t shots,
                                   double *work, double complex *cwork,
                                   analogy_collapse_tally *tally)
{
    for (uint64_t s = 0; s < shots; s++) {
        rng_state rng;
        rng_seed(&rng, seed + s);
        core_status st = shot(net, z0, a0, &rng, work, cwork, tally);
        if (st != CORE_OK) {
            tally->failed_shot = s;
            return st;
        }
    }
    return CORE_OK;
}
