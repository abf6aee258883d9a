/* api/compute.c - stateless computations: normalize a superposition, run a
 * layer forward. Nothing here touches the store. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/forward.h"
#include "api/handlers.h"
#include "api/json_out.h"
#include "api/layer_json.h"
#include "api/parse.h"
#include "core/layer.h"
#include "core/state.h"

api_code api_superposition_normalize(const api_call *call, api_response *resp,
                                     api_err *err)
{
    static const char *const fields[] = {"amplitudes", "encoding", NULL};
    const json_t *body = call->body;
    bool b64;
    if (!api_check_object(body, "", fields, err) ||
        !api_read_encoding(body, &b64, err))
        return err->code;
    const json_t *amps = json_object_get(body, "amplitudes");
    if (!amps) {
        api_invalid(err, "/amplitudes", "is required");
        return err->code;
    }
    double complex *c;
    size_t n;
    if (!api_read_amplitudes(amps, "/amplitudes",
                             API_LIMIT(&call->ctx->limits, max_dimension), &c,
                             &n, err))
        return err->code;

    double norm;
    double *p = malloc(n * sizeof *p);
    if (!p) {
        free(c);
        return api_fail(err, API_EINTERNAL, "out of memory");
    }
    if (state_normalize(c, n, &norm) != CORE_OK) {
        free(c);
        free(p);
        api_invalid(err, "/amplitudes",
                    "is the zero vector, which has no direction to normalize");
        return err->code;
    }
    if (!isfinite(norm)) {
        free(c);
        free(p);
        api_invalid(err, "/amplitudes",
                    "has a norm beyond the largest double (about 1.8e308); "
                    "scale the amplitudes down");
        return err->code;
    }
    state_probabilities(c, n, p);
    /* Built by hand: json_pack would parse its format on every request,
     * and a qubit's whole answer costs less than that. */
    json_t *out = json_object();
    if (out && (json_object_set_new_nocheck(out, "amplitudes",
                                            api_json_amplitudes_as(c, n, b64)) ||
                json_object_set_new_nocheck(out, "norm", json_real(norm)) ||
                json_object_set_new_nocheck(out, "probabilities",
                                            api_json_reals_as(p, n, b64)))) {
        json_decref(out);
        out = NULL;
    }
    free(c);
    free(p);
    return api_reply(resp, 200, out, err);
}

api_code api_layer_forward(const api_call *call, api_response *resp,
                           api_err *err)
{
    static const char *const fields[] = {"weights", "bias",   "activation",
                                         "params",  "input",  "inputs",
                                         "encoding", NULL};
    const json_t *body = call->body;
    const api_limits *lim = &call->ctx->limits;
    bool b64;
    if (!api_check_object(body, "", fields, err) ||
        !api_read_encoding(body, &b64, err))
        return err->code;

    api_layer layer;
    bool ok = api_layer_read(body, "", lim, &layer, err);
    api_inputs in = {0};
    ok = api_inputs_read(body, "", layer.view.cols, lim, &in, err) && ok;
    if (!ok) {
        api_layer_free(&layer);
        api_inputs_free(&in);
        return err->code;
    }

    size_t m = layer.view.rows, batch = in.batch;
    api_layer_out *outs = NULL;
    api_code code = api_forward(&layer.view, 1, in.x, batch,
                                API_LIMIT(lim, max_matrix),
                                in.is_batch ? "/inputs" : "/input", &outs, err);
    if (code == API_OK) {
        const double *z = outs[0].z, *a = outs[0].a;
        json_t *out;
        if (in.is_batch)
            out = json_pack("{s:o, s:o}", "pre_activation",
                            api_json_matrix_as(z, batch, m, b64), "output",
                            api_json_matrix_as(a, batch, m, b64));
        else
            out = json_pack("{s:o, s:o}", "pre_activation",
                            api_json_reals_as(z, m, b64), "output",
                            api_json_reals_as(a, m, b64));
        code = api_reply(resp, 200, out, err);
    }
    api_forward_free(outs, 1);
    api_layer_free(&layer);
    api_inputs_free(&in);
    return code;
}
