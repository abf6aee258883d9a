/* api/layers.c - one layer run forward on inputs sent with it; nothing
 * here touches the store. */
#include "api/forward.h"
#include "api/handler.h"
#include "api/layer_read.h"

/* {"pre_activation", "output"}: vectors for one input, matrices (one row
 * per input) for a batch. */
static json_t *forward_json(const api_layer_out *o, size_t batch,
                            bool is_batch, bool b64)
{
    if (is_batch)
        return json_pack("{s:o, s:o}", "pre_activation",
                         pjson_matrix(o->z, batch, o->rows, b64), "output",
                         pjson_matrix(o->a, batch, o->rows, b64));
    return json_pack("{s:o, s:o}", "pre_activation",
                     pjson_reals(o->z, o->rows, b64), "output",
                     pjson_reals(o->a, o->rows, b64));
}

static api_code forward(const api_call *call, api_response *resp,
                        api_err *err)
{
    api_layer layer = {0};
    api_inputs in = {0};
    api_layer_out *outs = NULL;
    bool b64 = false;
    api_field fields[] = {
        API_FIELD("encoding", api_read_encoding, &b64, NULL, API_OPTIONAL),
        API_LAYER_FIELDS(&layer),
        API_INPUT_FIELDS,
        API_END,
    };
    if (!api_read_known(call->in, call->body, "", fields))
        goto out;
    bool ok = api_read_fields(call->in, call->body, "", fields);
    ok = api_layer_finish(call->in, call->body, "", &layer) && ok;
    ok = api_inputs_read(call->in, call->body, "", layer.view.cols, &in) &&
         ok;
    if (!ok)
        goto out;
    if (api_forward(&layer.view, 1, in.x, in.batch,
                    API_LIMIT(&call->ctx->limits, max_matrix),
                    in.is_batch ? "/inputs" : "/input", &outs,
                    err) == API_OK)
        api_reply(resp, 200, forward_json(&outs[0], in.batch, in.is_batch, b64),
                  err);
out:
    api_forward_free(outs, 1);
    api_layer_free(&layer);
    api_inputs_free(&in);
    return err->code;
}

const api_route api_layer_routes[] = {
    {"POST", "/v1/layers/forward", forward,
     API_ROUTE_BODY | API_ROUTE_LIFT_B64 | API_ROUTE_LIFT_NUMBERS,
     "layers.forward", "forwardLayer", NULL},
    {0},
};
