/* api/networks.c - stored networks: create, list, get, delete, forward. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/db.h"
#include "api/forward.h"
#include "api/handler.h"
#include "api/hold.h"
#include "api/layer_read.h"
#include "api/page.h"
#include "store/network.h"

#define NAME_MAX_LEN 200

/* {"inputs", "outputs", "activation", "params"?, "weights"?, "bias"?} */
static json_t *layer_json(const store_layer *l, bool with_weights)
{
    json_t *o = json_pack("{s:I, s:I, s:s}", "inputs", (json_int_t)l->cols,
                          "outputs", (json_int_t)l->rows, "activation",
                          l->activation);
    if (l->has_alpha)
        pjson_set(&o, "params", json_pack("{s:f}", "alpha", l->alpha));
    if (with_weights) {
        pjson_set(&o, "weights",
                  pjson_matrix(l->weights, l->rows, l->cols, false));
        pjson_set(&o, "bias",
                  l->bias ? pjson_reals(l->bias, l->rows, false)
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
        pjson_push(&layers, layer_json(l, with_weights));
    }
    size_t last = net->layer_count - 1;
    return json_pack("{s:s, s:o, s:I, s:I, s:o, s:I, s:s}", "id", net->id,
                     "name", net->name ? json_string(net->name) : json_null(),
                     "input_size", (json_int_t)net->layers[0].cols,
                     "output_size", (json_int_t)net->layers[last].rows,
                     "layers", layers, "parameters", parameters, "created_at",
                     net->created_at);
}

/* The layers of a new network, as read and as the store takes them. */
typedef struct {
    api_layer *read;     /* count of them, owning the arrays */
    store_layer *layers; /* count of them, borrowing read's arrays */
    size_t count;
} new_layers;

static void new_layers_free(new_layers *l)
{
    for (size_t i = 0; l->read && i < l->count; i++)
        api_layer_free(&l->read[i]);
    free(l->read);
    free(l->layers);
}

/* The store's view of layer lv, borrowing its arrays. */
static store_layer store_layer_of(const layer_view *lv)
{
    store_layer s = {
        .rows = lv->rows,
        .cols = lv->cols,
        .has_alpha = act_takes_alpha(lv->act.kind),
        .weights = (double *)lv->weights,
        .bias = (double *)lv->bias,
    };
    snprintf(s.activation, sizeof s.activation, "%s", act_name(lv->act.kind));
    s.alpha = s.has_alpha ? lv->act.alpha : 0.0;
    return s;
}

/* Reads "layers" (v); checks that each layer takes the previous one's
 * outputs. */
static bool read_layers(const api_in *in, const json_t *v, new_layers *out)
{
    if (!json_is_array(v))
        return api_invalid(in->err, "/layers",
                           "must be an array of layers, not %s",
                           api_json_kind(v));
    size_t n = json_array_size(v);
    if (n == 0)
        return api_invalid(in->err, "/layers", "must not be empty");
    if (n > in->limits->max_layers)
        return api_invalid(in->err, "/layers",
                           "has %zu layers; the limit is %zu (max_layers)", n,
                           in->limits->max_layers);
    out->read = calloc(n, sizeof *out->read);
    out->layers = calloc(n, sizeof *out->layers);
    if (!out->read || !out->layers) {
        api_no_memory(in->err);
        return false;
    }
    out->count = n;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        char p[API_PTR_MAX], pw[API_PTR_MAX];
        api_ptr_index(p, "/layers", i);
        if (!api_layer_read(in, json_array_get(v, i), p, &out->read[i])) {
            ok = false;
            continue;
        }
        const layer_view *lv = &out->read[i].view;
        if (ok && i > 0 && lv->cols != out->read[i - 1].view.rows) {
            api_ptr_key(pw, p, "weights");
            ok = api_invalid(in->err, pw,
                             "has %zu columns but layer %zu has %zu outputs: "
                             "each layer takes the previous layer's outputs",
                             lv->cols, i - 1, out->read[i - 1].view.rows);
        }
        out->layers[i] = store_layer_of(lv);
    }
    return ok;
}

static api_code create(const api_call *call, api_response *resp,
                       api_err *err)
{
    const char *name = NULL;
    const json_t *layers_v = NULL;
    api_field fields[] = {
        API_STRING("name", &name, NAME_MAX_LEN, API_NULL_ABSENT),
        API_FIELD("layers", api_read_value, &layers_v, NULL, 0),
        API_END,
    };
    new_layers layers = {0};
    if (api_need_store(call->ctx, err) != API_OK ||
        !api_read_known(call->in, call->body, "", fields))
        goto out;
    api_read_fields(call->in, call->body, "", fields);
    if (layers_v)
        read_layers(call->in, layers_v, &layers);
    if (err->code != API_OK)
        goto out;
    store_network net = {.name = (char *)name,
                         .layers = layers.layers,
                         .layer_count = layers.count};
    if (api_hold_useful(call->ctx, call->req)) {
        /* The store writes from a copy; the answer waits for it. */
        resp->hold = api_hold_new("network", NULL, NULL);
        store_network_submit(call->ctx->db, &net, api_hold_done, resp->hold);
    } else if (api_fail_store(err, store_network_create(call->ctx->db, &net),
                              "network", "") != API_OK) {
        goto out;
    }
    api_reply_created(resp, network_json(&net, false), "network", "networks",
                      net.id, err);
out:
    new_layers_free(&layers);
    return err->code;
}

static api_code list(const api_call *call, api_response *resp, api_err *err)
{
    api_page page;
    if (api_need_store(call->ctx, err) != API_OK ||
        api_page_read(call, NULL, &page, err) != API_OK)
        return err->code;
    store_network *items;
    size_t count;
    int64_t next;
    store_status st = store_network_list(call->ctx->db, page.after, page.limit,
                                         &items, &count, &next);
    if (st != STORE_OK)
        return api_fail_store(err, st, "network", "");
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        pjson_push(&list, network_json(&items[i], false));
    store_network_array_free(items, count);
    return api_reply(resp, 200,
                     list ? api_page_json(call, &page, list, next) : NULL,
                     err);
}

static api_code get(const api_call *call, api_response *resp, api_err *err)
{
    if (api_need_store(call->ctx, err) != API_OK)
        return err->code;
    int present;
    const char *include = api_query_get(call->req, "include", &present);
    if (present && (!include || strcmp(include, "weights") != 0))
        return api_fail(err, API_EBADREQUEST,
                        "include accepts only \"weights\"");
    store_network net;
    store_status st = store_network_get(call->ctx->db, call->id, present, &net);
    if (st != STORE_OK)
        return api_fail_store(err, st, "network", call->id);
    api_code code = api_reply(resp, 200, network_json(&net, present), err);
    store_network_free(&net);
    return code;
}

static api_code delete(const api_call *call, api_response *resp,
                       api_err *err)
{
    if (api_need_store(call->ctx, err) != API_OK)
        return err->code;
    store_status st = store_network_delete(call->ctx->db, call->id);
    if (st != STORE_OK)
        return api_fail_store(err, st, "network", call->id);
    resp->status = 204;
    return API_OK;
}

/* One layer's pre-activations and outputs: vectors, or matrices for a
 * batch. */
static json_t *layer_out_json(const api_layer_out *o, const api_inputs *in,
                              bool b64)
{
    if (in->is_batch)
        return json_pack("{s:o, s:o}", "pre_activation",
                         pjson_matrix(o->z, in->batch, o->rows, b64),
                         "output", pjson_matrix(o->a, in->batch, o->rows, b64));
    return json_pack("{s:o, s:o}", "pre_activation",
                     pjson_reals(o->z, o->rows, b64), "output",
                     pjson_reals(o->a, o->rows, b64));
}

/* {"output" or "outputs", "layers"? (with trace)}. */
static json_t *forward_json(const api_layer_out *outs, size_t count,
                            const api_inputs *in, bool trace, bool b64)
{
    const api_layer_out *last = &outs[count - 1];
    json_t *out =
        in->is_batch
            ? json_pack("{s:o}", "outputs",
                        pjson_matrix(last->a, in->batch, last->rows, b64))
            : json_pack("{s:o}", "output",
                        pjson_reals(last->a, last->rows, b64));
    if (!out || !trace)
        return out;
    json_t *layers = json_array();
    for (size_t l = 0; layers && l < count; l++)
        pjson_push(&layers, layer_out_json(&outs[l], in, b64));
    pjson_set(&out, "layers", layers);
    return out;
}

static api_code forward(const api_call *call, api_response *resp,
                        api_err *err)
{
    bool b64 = false, trace = false;
    api_field fields[] = {
        API_FIELD("encoding", api_read_encoding, &b64, NULL, API_OPTIONAL),
        API_FIELD("trace", api_read_bool, &trace, NULL, API_OPTIONAL),
        API_INPUT_FIELDS,
        API_END,
    };
    const store_network *net = NULL;
    api_inputs in = {0};
    layer_view *views = NULL;
    api_layer_out *outs = NULL;
    if (api_need_store(call->ctx, err) != API_OK ||
        !api_read_object(call->in, call->body, "", fields))
        goto out;
    store_status st = store_network_acquire(call->ctx->db, call->id, &net);
    if (st != STORE_OK) {
        api_fail_store(err, st, "network", call->id);
        goto out;
    }
    if (!api_inputs_read(call->in, call->body, "", net->layers[0].cols, &in) ||
        api_network_views(net, &views, err) != API_OK ||
        api_forward(views, net->layer_count, in.x, in.batch,
                    API_LIMIT(&call->ctx->limits, max_matrix),
                    in.is_batch ? "/inputs" : "/input", &outs, err) != API_OK)
        goto out;
    api_reply(resp, 200, forward_json(outs, net->layer_count, &in, trace, b64),
              err);
out:
    if (net) {
        api_forward_free(outs, net->layer_count);
        store_network_release(call->ctx->db, net);
    }
    free(views);
    api_inputs_free(&in);
    return err->code;
}

/* A pass reads a network's weights once per input, so its work is the
 * weights times the inputs; it is quick (run where it arrived, not on the
 * long-request pool) up to this many multiply-adds: a few hundred
 * microseconds here, about what an inline layer of a 64 KiB body costs. */
#define FORWARD_QUICK_WORK ((size_t)2 << 20)

/* Whether the pass req asks of network id is quick: the network is cached
 * (no database read on the way) and the inputs its body can hold, times
 * the weights, stay within FORWARD_QUICK_WORK. Each number of an input
 * takes two bytes at least ("0,"), so a body of n bytes holds at most
 * n / (2 width) inputs (fewer in base64: eight bytes make ten characters).
 * The network may be deleted meanwhile: the pass then answers 404 as it
 * would on the pool. */
static bool forward_quick(const api_ctx *ctx, const api_request *req,
                          const char *id, size_t id_len)
{
    char buf[STORE_ID_MAX];
    size_t weights, width;
    if (!ctx->db || !id || id_len >= sizeof buf)
        return false;
    memcpy(buf, id, id_len);
    buf[id_len] = '\0';
    if (!store_network_peek(ctx->db, buf, &weights, &width) || width == 0)
        return false;
    size_t inputs = req->body_len / (2 * width);
    if (inputs == 0)
        inputs = 1;
    return weights <= FORWARD_QUICK_WORK / inputs;
}

const api_route api_network_routes[] = {
    {"POST", "/v1/networks", create,
     API_ROUTE_BODY | API_ROUTE_WRITES | API_ROUTE_LIFT_B64 |
         API_ROUTE_LIFT_NUMBERS,
     "networks.create", "createNetwork", NULL, NULL},
    {"GET", "/v1/networks", list, 0, "networks.list", "listNetworks",
     "limit cursor", NULL},
    {"GET", "/v1/networks/{id}", get, API_ROUTE_LONG, "networks.get",
     "getNetwork", "include", NULL},
    {"DELETE", "/v1/networks/{id}", delete, API_ROUTE_WRITES,
     "networks.delete", "deleteNetwork", NULL, NULL},
    {"POST", "/v1/networks/{id}/forward", forward,
     API_ROUTE_BODY | API_ROUTE_LIFT_B64 | API_ROUTE_LIFT_NUMBERS |
         API_ROUTE_LONG,
     "networks.forward", "forwardNetwork", NULL, forward_quick},
    {0},
};
