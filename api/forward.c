/* api/forward.c - multi-layer forward passes. */
#include "api/forward.h"

#include <stdlib.h>

#include "api/parse.h"

void api_forward_free(api_layer_out *outs, size_t count)
{
    if (!outs)
        return;
    for (size_t l = 0; l < count; l++) {
        free(outs[l].z);
        free(outs[l].a);
    }
    free(outs);
}

api_code api_forward(const layer_view *layers, size_t count, const double *X,
                     size_t batch, api_limit max_outputs, const char *ptr,
                     api_layer_out **outs, api_err *err)
{
    *outs = NULL;
    size_t total = 0;
    for (size_t l = 0; l < count; l++) {
        size_t rows = layers[l].rows;
        if (rows > (max_outputs.max - total) / batch) {
            api_invalid(err, ptr,
                        "%zu input%s through these layers give more outputs "
                        "in all than the limit of %zu (%s)%s",
                        batch, batch == 1 ? "" : "s", max_outputs.max,
                        max_outputs.name,
                        batch > 1 ? "; send fewer inputs at a time" : "");
            return err->code;
        }
        total += batch * rows;
    }
    *outs = calloc(count, sizeof **outs);
    if (!*outs)
        return api_fail(err, API_EINTERNAL, "out of memory");
    const double *in = X;
    for (size_t l = 0; l < count; l++) {
        api_layer_out *o = &(*outs)[l];
        o->rows = layers[l].rows;
        o->z = malloc(batch * o->rows * sizeof *o->z);
        o->a = malloc(batch * o->rows * sizeof *o->a);
        if (!o->z || !o->a) {
            api_forward_free(*outs, count);
            *outs = NULL;
            return api_fail(err, API_EINTERNAL, "out of memory");
        }
        layer_forward_batch(&layers[l], in, batch, o->z, o->a);
        if (!api_all_finite(o->z, batch * o->rows) ||
            !api_all_finite(o->a, batch * o->rows)) {
            api_forward_free(*outs, count);
            *outs = NULL;
            return api_fail(err, API_EINVALID,
                            "the result of layer %zu overflows the range of "
                            "a double: scale the weights or inputs down",
                            l);
        }
        in = o->a;
    }
    return API_OK;
}

api_code api_network_views(const store_network *net, layer_view **views,
                           api_err *err)
{
    *views = malloc(net->layer_count * sizeof **views);
    if (!*views)
        return api_fail(err, API_EINTERNAL, "out of memory");
    for (size_t l = 0; l < net->layer_count; l++) {
        const store_layer *s = &net->layers[l];
        act_kind kind;
        if (!act_from_name(s->activation, &kind)) {
            free(*views);
            *views = NULL;
            return api_fail(err, API_EINTERNAL,
                            "network %s layer %zu has an unknown activation",
                            net->id, l);
        }
        (*views)[l] = (layer_view){
            .rows = s->rows,
            .cols = s->cols,
            .weights = s->weights,
            .bias = s->bias,
            .act = {.kind = kind,
                    .alpha = s->has_alpha ? s->alpha : act_default_alpha(kind)},
        };
    }
    return API_OK;
}
