/* api/layer_read.c - reading layers and inputs from requests. */
#include "api/layer_read.h"

#include <stdlib.h>
#include <string.h>

bool api_layer_read_weights(const api_in *in, const json_t *v,
                            const char *ptr, const api_field *f)
{
    api_layer *l = f->out;
    api_limit max = API_LIMIT(in->limits, max_matrix);
    api_field matrix = {NULL, api_read_matrix, &l->weights, &max, 0};
    if (!api_read_matrix(in, v, ptr, &matrix))
        return false;
    l->view.rows = l->weights.rows;
    l->view.cols = l->weights.cols;
    return true;
}

bool api_layer_read_bias(const api_in *in, const json_t *v, const char *ptr,
                         const api_field *f)
{
    api_layer *l = f->out;
    api_limit max = API_LIMIT(in->limits, max_matrix);
    api_field vector = {NULL, api_read_vector, &l->bias, &max, 0};
    if (!api_read_vector(in, v, ptr, &vector))
        return false;
    if (l->weights.x && l->bias.n != l->weights.rows)
        return api_invalid(in->err, ptr,
                           "has %zu entries but weights has %zu rows (one "
                           "bias per neuron)",
                           l->bias.n, l->weights.rows);
    return true;
}

bool api_layer_finish(const api_in *in, const json_t *obj, const char *ptr,
                      api_layer *l)
{
    char p[API_PTR_MAX], pp[API_PTR_MAX];
    api_ptr_key(p, ptr, "activation");
    api_ptr_key(pp, ptr, "params");
    const json_t *act = json_object_get(obj, "activation");
    if (!act)
        return api_invalid(in->err, p, "is required");
    if (!api_read_activation(in, act, p, json_object_get(obj, "params"), pp,
                             &l->view.act))
        return false;
    l->view.weights = l->weights.x;
    l->view.bias = l->bias.x;
    return true;
}

bool api_layer_read(const api_in *in, const json_t *obj, const char *ptr,
                    api_layer *layer)
{
    api_field fields[] = {API_LAYER_FIELDS(layer), API_END};
    if (!api_read_known(in, obj, ptr, fields))
        return false;
    bool ok = api_read_fields(in, obj, ptr, fields);
    return api_layer_finish(in, obj, ptr, layer) && ok;
}

void api_layer_free(api_layer *l)
{
    free(l->weights.x);
    free(l->bias.x);
    memset(l, 0, sizeof *l);
}

bool api_inputs_read(const api_in *in, const json_t *obj, const char *ptr,
                     size_t cols, api_inputs *out)
{
    memset(out, 0, sizeof *out);
    int which = api_read_either(in, obj, ptr, "input", "inputs", "inputs",
                                "input", "for a batch of vectors");
    if (which == 0)
        return false;
    char p[API_PTR_MAX];
    const api_limits *lim = in->limits;
    if (which == 1) {
        api_vector v;
        api_limit max = API_LIMIT(lim, max_dimension);
        api_field f = {NULL, api_read_vector, &v, &max, 0};
        api_ptr_key(p, ptr, "input");
        if (!api_read_vector(in, json_object_get(obj, "input"), p, &f))
            return false;
        *out = (api_inputs){v.x, 1, v.n, false};
    } else {
        api_matrix m;
        api_limit max = {lim->max_batch * lim->max_dimension,
                         "max_batch x max_dimension"};
        api_field f = {NULL, api_read_matrix, &m, &max, 0};
        api_ptr_key(p, ptr, "inputs");
        if (!api_read_matrix(in, json_object_get(obj, "inputs"), p, &f))
            return false;
        *out = (api_inputs){m.x, m.rows, m.cols, true};
        if (m.rows > lim->max_batch) { /* either form: array or base64 */
            api_inputs_free(out);
            return api_invalid(in->err, p,
                               "has %zu inputs; the limit is %zu (max_batch)",
                               m.rows, lim->max_batch);
        }
    }
    if (cols && out->cols != cols) {
        size_t n = out->cols;
        char pi[API_PTR_MAX];
        if (out->is_batch)
            api_ptr_index(pi, p, 0);
        else
            memcpy(pi, p, sizeof pi);
        api_inputs_free(out);
        return api_invalid(in->err, pi,
                           "has %zu entries but the layer takes %zu inputs "
                           "(weights has %zu columns)",
                           n, cols, cols);
    }
    return true;
}

void api_inputs_free(api_inputs *inputs)
{
    free(inputs->x);
    memset(inputs, 0, sizeof *inputs);
}
