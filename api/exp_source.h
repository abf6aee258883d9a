/* api/exp_source.h - what an experiment runs through: a stored network
 * (its "network_id") or layers given inline, and the input they take.
 *
 * Shared by the experiment kinds that run a forward pass
 * (layer_superposition, collapse_propagation), so that a stored network is
 * loaded, and an inline layer validated, one way for all of them. */
#ifndef PSINET_API_EXP_SOURCE_H
#define PSINET_API_EXP_SOURCE_H

#include <jansson.h>
#include <stdbool.h>

#include "api/handler.h"
#include "api/layer_read.h"
#include "store/network.h"

typedef struct {
    const store_network *net; /* from the store's cache, or NULL */
    api_layer *owned;         /* the inline layers, owned (owned_count) */
    size_t owned_count;
    layer_view *views;        /* count of them, malloc'd */
    size_t count;
    size_t cols;              /* the inputs the first layer takes */
    bool complex_ok;          /* set by the caller: an inline layer read
                                 by api_exp_read_layer may be complex
                                 (api/layer_read.h) */
} api_exp_source;

/* Takes the stored network named by the string v (at ptr): a name of no
 * network is a 422 there. */
bool api_exp_read_network(const api_ctx *ctx, const api_in *in,
                          const json_t *v, const char *ptr,
                          api_exp_source *s);

/* One inline layer, the object v (at ptr). */
bool api_exp_read_layer(const api_in *in, const json_t *v, const char *ptr,
                        api_exp_source *s);

/* Inline layers, the array v (at ptr): 1 to max_layers layers, each
 * taking the previous one's outputs. */
bool api_exp_read_layers(const api_in *in, const json_t *v, const char *ptr,
                         api_exp_source *s);

/* Reads params' "input" (required), which the first layer must take. */
bool api_exp_read_input(const api_in *in, const json_t *params,
                        const api_exp_source *s, api_vector *x);

void api_exp_source_free(const api_ctx *ctx, api_exp_source *s);

#endif
