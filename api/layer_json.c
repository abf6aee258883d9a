/* api/layer_json.c - reading layers and inputs from requests. */
#include "api/layer_json.h"

#include <stdlib.h>
#include <string.h>

#include "api/parse.h"

bool api_layer_read(const json_t *obj, const char *ptr,
                    const api_limits *lim, api_layer *out, api_err *err)
{
    memset(out, 0, sizeof *out);
    char p[API_PTR_MAX], pp[API_PTR_MAX];
    size_t rows = 0, cols = 0;

    const json_t *w = json_object_get(obj, "weights");
    api_ptr_key(p, ptr, "weights");
    bool ok = w ? api_read_matrix(w, p, API_LIMIT(lim, max_matrix), &out->weights, &rows,
                                  &cols, err)
                : api_invalid(err, p, "is required");

    const json_t *b = json_object_get(obj, "bias");
    if (b && !json_is_null(b)) {
        size_t n;
        api_ptr_key(p, ptr, "bias");
        if (api_read_vector(b, p, API_LIMIT(lim, max_matrix), &out->bias, &n, err)) {
            if (ok && n != rows)
                ok = api_invalid(err, p,
                                 "has %zu entries but weights has %zu rows "
                                 "(one bias per neuron)",
                                 n, rows);
        } else {
            ok = false;
        }
    }

    const json_t *act = json_object_get(obj, "activation");
    const json_t *params = json_object_get(obj, "params");
    out->has_params = params && !json_is_null(params);
    api_ptr_key(p, ptr, "activation");
    api_ptr_key(pp, ptr, "params");
    if (!act)
        ok = api_invalid(err, p, "is required");
    else if (!api_read_activation(act, p, params, pp, &out->view.act, err))
        ok = false;

    if (!ok) {
        api_layer_free(out);
        /* Keep the shape when the weights were fine, so that callers can
         * still check the inputs against it and report every error. */
        out->view.rows = rows;
        out->view.cols = cols;
        return false;
    }
    out->view.rows = rows;
    out->view.cols = cols;
    out->view.weights = out->weights;
    out->view.bias = out->bias;
    return true;
}

void api_layer_free(api_layer *layer)
{
    free(layer->weights);
    free(layer->bias);
    memset(layer, 0, sizeof *layer);
}

bool api_inputs_read(const json_t *obj, const char *ptr, size_t cols,
                     const api_limits *lim, api_inputs *out, api_err *err)
{
    memset(out, 0, sizeof *out);
    const json_t *one = json_object_get(obj, "input");
    const json_t *many = json_object_get(obj, "inputs");
    char p[API_PTR_MAX];
    if (one && many) {
        api_ptr_key(p, ptr, "inputs");
        return api_invalid(err, p, "give either input or inputs, not both");
    }
    if (!one && !many) {
        api_ptr_key(p, ptr, "input");
        return api_invalid(err, p,
                           "is required (or inputs, for a batch of vectors)");
    }
    size_t n;
    if (one) {
        api_ptr_key(p, ptr, "input");
        if (!api_read_vector(one, p, API_LIMIT(lim, max_dimension), &out->x, &n,
                             err))
            return false;
        out->batch = 1;
    } else {
        api_ptr_key(p, ptr, "inputs");
        size_t rows;
        if (!api_read_matrix(many, p,
                             (api_limit){lim->max_batch * lim->max_dimension,
                                         "max_batch x max_dimension"},
                             &out->x, &rows, &n, err))
            return false;
        if (rows > lim->max_batch) { /* either form: array or base64 */
            api_inputs_free(out);
            return api_invalid(err, p,
                               "has %zu inputs; the limit is %zu (max_batch)",
                               rows, lim->max_batch);
        }
        out->batch = rows;
        out->is_batch = true;
    }
    out->cols = n;
    if (cols && n != cols) {
        char pi[API_PTR_MAX];
        if (out->is_batch)
            api_ptr_index(pi, p, 0);
        else
            strcpy(pi, p);
        api_inputs_free(out);
        return api_invalid(err, pi,
                           "has %zu entries but the layer takes %zu inputs "
                           "(weights has %zu columns)",
                           n, cols, cols);
    }
    return true;
}

void api_inputs_free(api_inputs *in)
{
    free(in->x);
    memset(in, 0, sizeof *in);
}
