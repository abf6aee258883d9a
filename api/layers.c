/* api/layers.c - one layer, real or complex, run forward on inputs sent
 * with it; nothing here touches the store. */
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

/* The same for a complex layer: amplitudes [re, im], in rows for a batch
 * (in binary form, interleaved pairs of shape [rows] or [batch, rows]). */
static json_t *cforward_json(const api_clayer_out *o, size_t batch,
                             bool is_batch, bool b64)
{
    if (!is_batch)
        return json_pack("{s:o, s:o}", "pre_activation",
                         pjson_amplitudes(o->z, o->rows, b64), "output",
                         pjson_amplitudes(o->a, o->rows, b64));
    return json_pack("{s:o, s:o}", "pre_activation",
                     pjson_amplitude_matrix(o->z, batch, o->rows, b64),
                     "output",
                     pjson_amplitude_matrix(o->a, batch, o->rows, b64));
}

/* The rest of a forward pass through the complex layer: its inputs are
 * amplitudes. */
static api_code forward_complex(const api_call *call, api_response *resp,
                                const api_layer *layer, bool b64,
                                api_err *err)
{
    api_cinputs in = {0};
    api_clayer_out out = {0};
    if (api_cinputs_read(call->in, call->body, "", layer->view.cols, &in) &&
        err->code == API_OK &&
        api_cforward(&layer->cview, in.x, in.batch,
                     API_LIMIT(&call->ctx->limits, max_matrix),
                     in.is_batch ? "/inputs" : "/input", &out,
                     err) == API_OK)
        api_reply(resp, 200, cforward_json(&out, in.batch, in.is_batch, b64),
                  err);
    api_clayer_out_free(&out);
    api_cinputs_free(&in);
    return err->code;
}

static api_code forward(const api_call *call, api_response *resp,
                        api_err *err)
{
    api_layer layer = {.complex_ok = true};
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
    if (layer.is_complex) {
        forward_complex(call, resp, &layer, b64, err);
        goto out;
    }
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
     "layers.forward", "forwardLayer", NULL, NULL},
    {0},
};
