/* api/layer_read.c - reading layers and inputs from requests. */
#include "api/layer_read.h"

#include <stdlib.h>
#include <string.h>

/* Refuses a real layer's weights or bias whose first number is a
 * [re, im] pair (v[0][0] for a matrix, v[0] for a vector) with a hint. */
static bool refuse_pair(const api_in *in, const json_t *v, const char *ptr,
                        bool matrix)
{
    const json_t *first = json_array_get(v, 0);
    char p[API_PTR_MAX];
    api_ptr_index(p, ptr, 0);
    if (matrix) {
        first = json_array_get(first, 0);
        api_ptr_index(p, p, 0);
    }
    if (!json_is_array(first) || json_array_size(first) != 2 ||
        !json_is_number(json_array_get(first, 0)))
        return true;
    return api_invalid(in->err, p,
                       "is a [re, im] pair, which only a complex layer "
                       "takes (\"complex\": true)");
}

/* refuse_pair for v as the body had it. A numeric array read before the
 * body was parsed (json/pjson.h) stands for numbers, or rows of numbers:
 * its first number is a pair only when it is a vector whose rows are
 * pairs. */
static bool no_pair(const api_in *in, const json_t *v, const char *ptr,
                    bool matrix)
{
    const pjson_numbers *a =
        json_is_string(v) ? pjson_lifted_numbers(in->lifted, v) : NULL;
    if (!a)
        return !json_is_array(v) || refuse_pair(in, v, ptr, matrix);
    if (matrix || a->cols != 2)
        return true;
    char p[API_PTR_MAX];
    api_ptr_index(p, ptr, 0);
    return api_invalid(in->err, p,
                       "is a [re, im] pair, which only a complex layer "
                       "takes (\"complex\": true)");
}

bool api_layer_read_complex(const api_in *in, const json_t *v,
                            const char *ptr, const api_field *f)
{
    api_layer *l = f->out;
    bool yes = false;
    api_field b = {NULL, api_read_bool, &yes, NULL, 0};
    if (!api_read_bool(in, v, ptr, &b))
        return false;
    l->is_complex = yes; /* even when refused: its arrays are read as such */
    if (yes && !l->complex_ok)
        return api_invalid(in->err, ptr,
                           "is not taken here: complex layers run only in "
                           "POST /v1/layers/forward and as the inline layer "
                           "of a layer_superposition experiment (stored "
                           "networks hold real layers)");
    return true;
}

bool api_layer_read_weights(const api_in *in, const json_t *v,
                            const char *ptr, const api_field *f)
{
    api_layer *l = f->out;
    api_limit max = API_LIMIT(in->limits, max_matrix);
    if (l->is_complex) {
        api_field cm = {NULL, api_read_amplitude_matrix, &l->cweights, &max,
                        0};
        if (!api_read_amplitude_matrix(in, v, ptr, &cm))
            return false;
        l->view.rows = l->cweights.rows;
        l->view.cols = l->cweights.cols;
        return true;
    }
    if (!no_pair(in, v, ptr, true))
        return false;
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
    size_t n;
    bool have_weights;
    if (l->is_complex) {
        api_field amps = {NULL, api_read_amplitudes, &l->cbias, &max, 0};
        if (!api_read_amplitudes(in, v, ptr, &amps))
            return false;
        n = l->cbias.n;
        have_weights = l->cweights.c != NULL;
    } else {
        if (!no_pair(in, v, ptr, false))
            return false;
        api_field vector = {NULL, api_read_vector, &l->bias, &max, 0};
        if (!api_read_vector(in, v, ptr, &vector))
            return false;
        n = l->bias.n;
        have_weights = l->weights.x != NULL;
    }
    if (have_weights && n != l->view.rows)
        return api_invalid(in->err, ptr,
                           "has %zu entries but weights has %zu rows (one "
                           "bias per neuron)",
                           n, l->view.rows);
    return true;
}

/* modrelu's "b": a number for every neuron, or one per neuron. */
static bool read_modrelu_b(const api_in *in, const json_t *v,
                           const char *ptr, const api_field *f)
{
    api_layer *l = f->out;
    if (!json_is_array(v)) {
        api_field number = {NULL, api_read_number, &l->cview.act.b, NULL, 0};
        return api_read_number(in, v, ptr, &number);
    }
    api_limit max = API_LIMIT(in->limits, max_matrix);
    api_field vector = {NULL, api_read_vector, &l->modrelu_b, &max, 0};
    if (!api_read_vector(in, v, ptr, &vector))
        return false;
    if (l->cweights.c && l->modrelu_b.n != l->cweights.rows)
        return api_invalid(in->err, ptr,
                           "has %zu entries but weights has %zu rows (one "
                           "threshold per neuron, or one number for all)",
                           l->modrelu_b.n, l->cweights.rows);
    return true;
}

/* The activation and params of a complex layer. */
static bool finish_complex(const api_in *in, const json_t *act,
                           const char *p, const json_t *params,
                           const char *pp, api_layer *l)
{
    const char *name = json_string_value(act);
    clayer_act kind;
    act_kind real;
    if (!name)
        return api_invalid(in->err, p,
                           "must be the name of an activation (%s), not %s",
                           clayer_act_all_names(), api_json_kind(act));
    if (!clayer_act_from_name(name, &kind))
        return act_from_name(name, &real)
                   ? api_invalid(in->err, p,
                                 "%s is an activation of real layers; a "
                                 "complex layer takes one of: %s",
                                 name, clayer_act_all_names())
                   : api_invalid(in->err, p,
                                 "is not a known activation of complex "
                                 "layers; use one of: %s",
                                 clayer_act_all_names());
    l->cview.act = (clayer_act_spec){kind, 0.0, NULL};
    if (params && !json_is_null(params)) {
        api_field with_b[] = {
            API_FIELD("b", read_modrelu_b, l, NULL, API_OPTIONAL),
            API_END,
        };
        if (!api_read_object(in, params, pp,
                             kind == CLAYER_MODRELU ? with_b : with_b + 1))
            return false;
    }
    l->cview = (clayer_view){l->cweights.rows, l->cweights.cols,
                             l->cweights.c, l->cbias.c,
                             {kind, l->cview.act.b, l->modrelu_b.x}};
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
    if (l->is_complex)
        return finish_complex(in, act, p, json_object_get(obj, "params"), pp,
                              l);
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
    free(l->cweights.c);
    free(l->cbias.c);
    free(l->modrelu_b.x);
    memset(l, 0, sizeof *l);
}

/* What the real and the complex input readers check once the inputs
 * (read at p: rows vectors of n entries, a batch or one vector) are read:
 * at most max_batch vectors, in either form (array or base64), and n ==
 * cols when cols is not 0. False with the error (the caller frees). */
static bool inputs_fit(const api_in *in, const char *p, size_t rows,
                       size_t n, bool is_batch, size_t cols)
{
    if (is_batch && rows > in->limits->max_batch)
        return api_invalid(in->err, p,
                           "has %zu inputs; the limit is %zu (max_batch)",
                           rows, in->limits->max_batch);
    if (cols && n != cols) {
        char pi[API_PTR_MAX];
        if (is_batch)
            api_ptr_index(pi, p, 0);
        else
            memcpy(pi, p, sizeof pi);
        return api_invalid(in->err, pi,
                           "has %zu entries but the layer takes %zu inputs "
                           "(weights has %zu columns)",
                           n, cols, cols);
    }
    return true;
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
    }
    if (!inputs_fit(in, p, out->batch, out->cols, out->is_batch, cols)) {
        api_inputs_free(out);
        return false;
    }
    return true;
}

void api_inputs_free(api_inputs *inputs)
{
    free(inputs->x);
    memset(inputs, 0, sizeof *inputs);
}

bool api_cinputs_read(const api_in *in, const json_t *obj, const char *ptr,
                      size_t cols, api_cinputs *out)
{
    memset(out, 0, sizeof *out);
    int which = api_read_either(in, obj, ptr, "input", "inputs", "inputs",
                                "input", "for a batch of vectors");
    if (which == 0)
        return false;
    char p[API_PTR_MAX];
    const api_limits *lim = in->limits;
    if (which == 1) {
        api_amplitudes v;
        api_limit max = API_LIMIT(lim, max_dimension);
        api_field f = {NULL, api_read_amplitudes, &v, &max, 0};
        api_ptr_key(p, ptr, "input");
        if (!api_read_amplitudes(in, json_object_get(obj, "input"), p, &f))
            return false;
        *out = (api_cinputs){v.c, 1, v.n, false};
    } else {
        api_cmatrix m;
        api_limit max = {lim->max_batch * lim->max_dimension,
                         "max_batch x max_dimension"};
        api_field f = {NULL, api_read_amplitude_matrix, &m, &max, 0};
        api_ptr_key(p, ptr, "inputs");
        if (!api_read_amplitude_matrix(in, json_object_get(obj, "inputs"), p,
                                       &f))
            return false;
        *out = (api_cinputs){m.c, m.rows, m.cols, true};
    }
    if (!inputs_fit(in, p, out->batch, out->cols, out->is_batch, cols)) {
        api_cinputs_free(out);
        return false;
    }
    return true;
}

void api_cinputs_free(api_cinputs *inputs)
{
    free(inputs->x);
    memset(inputs, 0, sizeof *inputs);
}
