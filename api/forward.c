/* api/forward.c - multi-layer forward passes (api/forward.h). */
#include "api/forward.h"

#include <stdlib.h>

#include "core/network.h"

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

/* Refuses a pass whose outputs, all kept, would pass max_outputs. */
static api_code check_outputs(const layer_view *layers, size_t count,
                              size_t batch, api_limit max_outputs,
                              const char *ptr, api_err *err)
{
    size_t total = 0;
    for (size_t l = 0; l < count; l++) {
        if (layers[l].rows > (max_outputs.max - total) / batch) {
            api_invalid(err, ptr,
                        "%zu input%s through these layers give more outputs "
                        "in all than the limit of %zu (%s)%s",
                        batch, batch == 1 ? "" : "s", max_outputs.max,
                        max_outputs.name,
                        batch > 1 ? "; send fewer inputs at a time" : "");
            return err->code;
        }
        total += batch * layers[l].rows;
    }
    return API_OK;
}

api_code api_forward(const layer_view *layers, size_t count, const double *X,
                     size_t batch, api_limit max_outputs, const char *ptr,
                     api_layer_out **outs, api_err *err)
{
    api_code code = check_outputs(layers, count, batch, max_outputs, ptr, err);
    double **Z = NULL, **A = NULL;
    *outs = NULL;
    if (code != API_OK)
        goto out;
    *outs = calloc(count, sizeof **outs);
    Z = calloc(count, sizeof *Z);
    A = calloc(count, sizeof *A);
    if (!*outs || !Z || !A) {
        code = api_no_memory(err);
        goto out;
    }
    for (size_t l = 0; l < count; l++) {
        api_layer_out *o = &(*outs)[l];
        o->rows = layers[l].rows;
        Z[l] = o->z = malloc(batch * o->rows * sizeof *o->z);
        A[l] = o->a = malloc(batch * o->rows * sizeof *o->a);
        if (!o->z || !o->a) {
            code = api_no_memory(err);
            goto out;
        }
    }
    size_t failed;
    if (network_forward(layers, count, X, batch, Z, A, &failed) != CORE_OK)
        code = api_fail(err, API_EINVALID,
                        "the result of layer %zu overflows the range of a "
                        "double: scale the weights or inputs down",
                        failed);
out:
    free(Z);
    free(A);
    if (code != API_OK) {
        api_forward_free(*outs, count);
        *outs = NULL;
    }
    return code;
}

api_code api_network_views(const store_network *net, layer_view **views,
                           api_err *err)
{
    *views = malloc(net->layer_count * sizeof **views);
    if (!*views)
        return api_no_memory(err);
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

void api_clayer_out_free(api_clayer_out *out)
{
    free(out->z);
    free(out->a);
    out->z = out->a = NULL;
}

api_code api_cforward(const clayer_view *layer, const double complex *X,
                      size_t batch, api_limit max_outputs, const char *ptr,
                      api_clayer_out *out, api_err *err)
{
    layer_view shape = {.rows = layer->rows, .cols = layer->cols};
    api_code code = check_outputs(&shape, 1, batch, max_outputs, ptr, err);
    *out = (api_clayer_out){layer->rows, NULL, NULL};
    if (code != API_OK)
        return code;
    out->z = malloc(batch * layer->rows * sizeof *out->z);
    out->a = malloc(batch * layer->rows * sizeof *out->a);
    if (!out->z || !out->a)
        code = api_no_memory(err);
    else if (clayer_forward(layer, X, batch, out->z, out->a) != CORE_OK)
        code = api_fail(err, API_EINVALID,
                        "the result of the layer overflows the range of a "
                        "double: scale the weights or inputs down");
    if (code != API_OK)
        api_clayer_out_free(out);
    return code;
}
