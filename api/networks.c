/* api/networks.c - stored networks: create, list, get, delete, forward. */
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/forward.h"
#include "api/json_out.h"
#include "api/layer_json.h"
#include "api/parse.h"

#define NAME_MAX_LEN 200

/* {"inputs", "outputs", "activation", "params"?, "weights"?, "bias"?} */
static json_t *layer_json(const store_layer *l, bool with_weights)
{
    json_t *o = json_pack("{s:I, s:I, s:s}", "inputs", (json_int_t)l->cols,
                          "outputs", (json_int_t)l->rows, "activation",
                          l->activation);
    if (!o)
        return NULL;
    if (l->has_alpha)
        json_object_set_new(o, "params", json_pack("{s:f}", "alpha", l->alpha));
    if (with_weights) {
        json_object_set_new(o, "weights",
                            api_json_matrix(l->weights, l->rows, l->cols));
        json_object_set_new(o, "bias", l->bias ? api_json_reals(l->bias, l->rows)
                                               : json_null());
    }
    return o;
}

static json_t *network_json(const store_network *net, bool with_weights)
{
    json_t *layers = json_array();
    json_int_t parameters = 0;
    for (size_t i = 0; layers && i < net->layer_count; i++) {
        const store_layer *l = &net->layers[i];
        parameters += (json_int_t)(l->rows * (l->cols + 1));
        json_array_append_new(layers, layer_json(l, with_weights));
    }
    size_t last = net->layer_count - 1;
    return json_pack("{s:s, s:o, s:I, s:I, s:o, s:I, s:s}", "id", net->id,
                     "name", net->name ? json_string(net->name) : json_null(),
                     "input_size", (json_int_t)net->layers[0].cols,
                     "output_size", (json_int_t)net->layers[last].rows,
                     "layers", layers, "parameters", parameters, "created_at",
                     net->created_at);
}

/* Reads "layers" into read[] and the store's layers[] (which borrow read's
 * arrays); checks that each layer takes the previous one's outputs. */
static bool read_layers(const json_t *v, const api_limits *lim,
                        api_layer **read, store_layer **layers, size_t *count,
                        api_err *err)
{
    static const char *const fields[] = {"weights", "bias", "activation",
                                         "params", NULL};
    *read = NULL;
    *layers = NULL;
    *count = 0;
    if (!json_is_array(v))
        return api_invalid(err, "/layers", "must be an array of layers, not %s",
                           api_json_kind(v));
    size_t n = json_array_size(v);
    if (n == 0)
        return api_invalid(err, "/layers", "must not be empty");
    if (n > lim->max_layers)
        return api_invalid(err, "/layers",
                           "has %zu layers; the limit is %zu (max_layers)", n,
                           lim->max_layers);
    *read = calloc(n, sizeof **read);
    *layers = calloc(n, sizeof **layers);
    if (!*read || !*layers) {
        api_fail(err, API_EINTERNAL, "out of memory");
        return false;
    }
    *count = n;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        char p[API_PTR_MAX], pw[API_PTR_MAX];
        api_ptr_index(p, "/layers", i);
        const json_t *obj = json_array_get(v, i);
        if (!api_check_object(obj, p, fields, err) ||
            !api_layer_read(obj, p, lim, &(*read)[i], err)) {
            ok = false;
            continue;
        }
        const layer_view *lv = &(*read)[i].view;
        if (ok && i > 0 && lv->cols != (*read)[i - 1].view.rows) {
            api_ptr_key(pw, p, "weights");
            ok = api_invalid(err, pw,
                             "has %zu columns but layer %zu has %zu outputs: "
                             "each layer takes the previous layer's outputs",
                             lv->cols, i - 1, (*read)[i - 1].view.rows);
        }
        store_layer *s = &(*layers)[i];
        s->rows = lv->rows;
        s->cols = lv->cols;
        snprintf(s->activation, sizeof s->activation, "%s",
                 act_name(lv->act.kind));
        s->has_alpha = act_takes_alpha(lv->act.kind);
        s->alpha = s->has_alpha ? lv->act.alpha : 0.0;
        s->weights = (*read)[i].weights;
        s->bias = (*read)[i].bias;
    }
    return ok;
}

static void free_layers(api_layer *read, store_layer *layers, size_t count)
{
    for (size_t i = 0; read && i < count; i++)
        api_layer_free(&read[i]);
    free(read);
    free(layers);
}

api_code api_network_create(const api_call *call, api_response *resp,
                            api_err *err)
{
    static const char *const fields[] = {"name", "layers", NULL};
    const json_t *body = call->body;
    if (api_need_store(call, err) != API_OK ||
        !api_check_object(body, "", fields, err))
        return err->code;
    store_network net = {0};
    const char *name = NULL;
    const json_t *v = json_object_get(body, "name");
    if (v && !json_is_null(v))
        api_read_string(v, "/name", NAME_MAX_LEN, &name, err);
    api_layer *read = NULL;
    v = json_object_get(body, "layers");
    if (!v)
        api_invalid(err, "/layers", "is required");
    else
        read_layers(v, &call->ctx->limits, &read, &net.layers,
                    &net.layer_count, err);
    api_code code = err->code;
    if (code == API_OK) {
        net.name = (char *)name;
        store_status st = store_network_create(call->ctx->db, &net);
        if (st != STORE_OK) {
            code = api_store_fail(err, st, "network", "");
        } else {
            code = api_reply(resp, 201, network_json(&net, false), err);
            api_response_header(resp, "Location", "/v1/networks/%s", net.id);
        }
    }
    free_layers(read, net.layers, net.layer_count);
    return code;
}

api_code api_network_list(const api_call *call, api_response *resp,
                          api_err *err)
{
    api_page page;
    if (api_need_store(call, err) != API_OK ||
        api_page_read(call, &page, err) != API_OK)
        return err->code;
    store_network *items;
    size_t count;
    int64_t next;
    store_status st = store_network_list(call->ctx->db, page.after, page.limit,
                                         &items, &count, &next);
    if (st != STORE_OK)
        return api_store_fail(err, st, "network", "");
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        json_array_append_new(list, network_json(&items[i], false));
    store_network_array_free(items, count);
    return api_reply(resp, 200, list ? api_page_json(list, next) : NULL, err);
}

api_code api_network_get(const api_call *call, api_response *resp,
                         api_err *err)
{
    if (api_need_store(call, err) != API_OK)
        return err->code;
    int present;
    const char *include = api_query_get(call->req, "include", &present);
    if (present && (!include || strcmp(include, "weights") != 0))
        return api_fail(err, API_EBADREQUEST,
                        "include accepts only \"weights\"");
    store_network net;
    store_status st = store_network_get(call->ctx->db, call->id, present, &net);
    if (st != STORE_OK)
        return api_store_fail(err, st, "network", call->id);
    api_code code = api_reply(resp, 200, network_json(&net, present), err);
    store_network_free(&net);
    return code;
}

api_code api_network_delete(const api_call *call, api_response *resp,
                            api_err *err)
{
    if (api_need_store(call, err) != API_OK)
        return err->code;
    store_status st = store_network_delete(call->ctx->db, call->id);
    if (st != STORE_OK)
        return api_store_fail(err, st, "network", call->id);
    resp->status = 204;
    return API_OK;
}

api_code api_network_forward(const api_call *call, api_response *resp,
                             api_err *err)
{
    static const char *const fields[] = {"input", "inputs", "trace",
                                         "encoding", NULL};
    const json_t *body = call->body;
    bool b64;
    if (api_need_store(call, err) != API_OK ||
        !api_check_object(body, "", fields, err) ||
        !api_read_encoding(body, &b64, err))
        return err->code;
    const json_t *trace_v = json_object_get(body, "trace");
    if (trace_v && !json_is_boolean(trace_v)) {
        api_invalid(err, "/trace", "must be true or false, not %s",
                    api_json_kind(trace_v));
        return err->code;
    }
    bool trace = json_is_true(trace_v);

    const store_network *net;
    store_status st = store_network_acquire(call->ctx->db, call->id, &net);
    if (st != STORE_OK)
        return api_store_fail(err, st, "network", call->id);
    api_inputs in;
    layer_view *views = NULL;
    api_layer_out *outs = NULL;
    size_t L = net->layer_count;
    api_code code = API_OK;
    if (!api_inputs_read(body, "", net->layers[0].cols, &call->ctx->limits,
                         &in, err))
        code = err->code;
    else if ((code = api_network_views(net, &views, err)) == API_OK)
        code = api_forward(views, L, in.x, in.batch,
                           API_LIMIT(&call->ctx->limits, max_matrix),
                           in.is_batch ? "/inputs" : "/input", &outs, err);
    if (code == API_OK) {
        size_t m = outs[L - 1].rows;
        json_t *out =
            in.is_batch
                ? json_pack("{s:o}", "outputs",
                            api_json_matrix_as(outs[L - 1].a, in.batch, m, b64))
                : json_pack("{s:o}", "output",
                            api_json_reals_as(outs[L - 1].a, m, b64));
        if (out && trace) {
            json_t *layers = json_array();
            for (size_t l = 0; layers && l < L; l++) {
                const api_layer_out *o = &outs[l];
                json_array_append_new(
                    layers,
                    in.is_batch
                        ? json_pack("{s:o, s:o}", "pre_activation",
                                    api_json_matrix_as(o->z, in.batch,
                                                       o->rows, b64),
                                    "output",
                                    api_json_matrix_as(o->a, in.batch,
                                                       o->rows, b64))
                        : json_pack("{s:o, s:o}", "pre_activation",
                                    api_json_reals_as(o->z, o->rows, b64),
                                    "output",
                                    api_json_reals_as(o->a, o->rows, b64)));
            }
            json_object_set_new(out, "layers", layers);
        }
        code = api_reply(resp, 200, out, err);
    }
    api_forward_free(outs, L);
    free(views);
    api_inputs_free(&in);
    store_network_release(call->ctx->db, net);
    return code;
}
