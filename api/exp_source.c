/* api/exp_source.c - the layers and input of an experiment
 * (api/exp_source.h). */
#include "api/exp_source.h"

#include <stdlib.h>

#include "api/db.h"
#include "api/forward.h"

void api_exp_source_free(const api_ctx *ctx, api_exp_source *s)
{
    if (s->net)
        store_network_release(ctx->db, s->net);
    for (size_t i = 0; s->owned && i < s->owned_count; i++)
        api_layer_free(&s->owned[i]);
    free(s->owned);
    free(s->views);
    *s = (api_exp_source){0};
}

bool api_exp_read_network(const api_ctx *ctx, const api_in *in,
                          const json_t *v, const char *ptr,
                          api_exp_source *s)
{
    const char *id;
    api_field f = API_STRING(NULL, &id, 64, 0);
    if (!api_read_string(in, v, ptr, &f))
        return false;
    if (api_need_store(ctx, in->err) != API_OK)
        return false;
    store_status st = store_network_acquire(ctx->db, id, &s->net);
    if (st == STORE_NOTFOUND)
        return api_invalid(in->err, ptr, "names no stored network (%.64s)",
                           id);
    if (st != STORE_OK) {
        api_fail_store(in->err, st, "network", id);
        return false;
    }
    if (api_network_views(s->net, &s->views, in->err) != API_OK)
        return false;
    s->count = s->net->layer_count;
    s->cols = s->net->layers[0].cols;
    return true;
}

/* Room for n inline layers and their views. */
static bool alloc_layers(const api_in *in, size_t n, api_exp_source *s)
{
    s->owned = calloc(n, sizeof *s->owned);
    s->views = calloc(n, sizeof *s->views);
    if (!s->owned || !s->views) {
        api_no_memory(in->err);
        return false;
    }
    s->owned_count = n;
    return true;
}

bool api_exp_read_layer(const api_in *in, const json_t *v, const char *ptr,
                        api_exp_source *s)
{
    if (!alloc_layers(in, 1, s))
        return false;
    s->owned[0].complex_ok = s->complex_ok;
    if (!api_layer_read(in, v, ptr, &s->owned[0]))
        return false;
    s->views[0] = s->owned[0].view;
    s->count = 1;
    s->cols = s->views[0].cols;
    return true;
}

bool api_exp_read_layers(const api_in *in, const json_t *v, const char *ptr,
                         api_exp_source *s)
{
    if (!json_is_array(v))
        return api_invalid(in->err, ptr, "must be an array of layers, not %s",
                           api_json_kind(v));
    size_t n = json_array_size(v);
    if (n == 0)
        return api_invalid(in->err, ptr, "must not be empty");
    if (n > in->limits->max_layers)
        return api_invalid(in->err, ptr,
                           "has %zu layers; the limit is %zu (max_layers)", n,
                           in->limits->max_layers);
    if (!alloc_layers(in, n, s))
        return false;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        char p[API_PTR_MAX], pw[API_PTR_MAX];
        api_ptr_index(p, ptr, i);
        if (!api_layer_read(in, json_array_get(v, i), p, &s->owned[i])) {
            ok = false;
            continue;
        }
        const layer_view *lv = &s->owned[i].view;
        if (ok && i > 0 && lv->cols != s->owned[i - 1].view.rows) {
            api_ptr_key(pw, p, "weights");
            ok = api_invalid(in->err, pw,
                             "has %zu columns but layer %zu has %zu outputs: "
                             "each layer takes the previous layer's outputs",
                             lv->cols, i - 1, s->owned[i - 1].view.rows);
        }
        s->views[i] = *lv;
    }
    if (ok) {
        s->count = n;
        s->cols = s->views[0].cols;
    }
    return ok;
}

bool api_exp_read_input(const api_in *in, const json_t *params,
                        const api_exp_source *s, api_vector *x)
{
    const char *ptr = "/params/input";
    const json_t *v = json_object_get(params, "input");
    if (!v)
        return api_invalid(in->err, ptr, "is required");
    api_limit max = API_LIMIT(in->limits, max_dimension);
    api_field f = {NULL, api_read_vector, x, &max, 0};
    if (!api_read_vector(in, v, ptr, &f))
        return false;
    if (x->n != s->cols)
        return api_invalid(in->err, ptr,
                           "has %zu entries but the %s takes %zu inputs",
                           x->n,
                           s->net               ? "network"
                           : s->owned_count > 1 ? "first layer"
                                                : "layer",
                           s->cols);
    return true;
}
