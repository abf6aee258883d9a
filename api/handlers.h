/* api/handlers.h - the handler type and every handler of the service.
 *
 * A handler is a plain function: it reads the call (context, request, the
 * {id} from the path, the parsed JSON body) and either fills resp and returns
 * API_OK, or fills err and returns its code. It never writes to a socket. */
#ifndef PSINET_API_HANDLERS_H
#define PSINET_API_HANDLERS_H

#include "api/api.h"
#include "api/err.h"

typedef struct {
    const api_ctx *ctx;
    const api_request *req;
    const char *id;     /* the {id} segment of the path, or NULL */
    const json_t *body; /* the parsed body object (borrowed), or NULL */
} api_call;

typedef api_code (*api_handler)(const api_call *call, api_response *resp,
                                api_err *err);

/* Sets resp to status with a JSON body (stolen reference). Returns API_OK,
 * or API_EINTERNAL when body is NULL (allocation failed). */
api_code api_reply(api_response *resp, int status, json_t *body,
                   api_err *err);

/* meta.c */
api_code api_health(const api_call *call, api_response *resp, api_err *err);
api_code api_version(const api_call *call, api_response *resp, api_err *err);
api_code api_ready(const api_call *call, api_response *resp, api_err *err);
api_code api_metrics(const api_call *call, api_response *resp, api_err *err);
api_code api_openapi(const api_call *call, api_response *resp, api_err *err);

/* compute.c: stateless computations */
api_code api_superposition_normalize(const api_call *call, api_response *resp,
                                     api_err *err);
api_code api_layer_forward(const api_call *call, api_response *resp,
                           api_err *err);

/* superpositions.c */
api_code api_superposition_create(const api_call *call, api_response *resp,
                                  api_err *err);
api_code api_superposition_list(const api_call *call, api_response *resp,
                                api_err *err);
api_code api_superposition_get(const api_call *call, api_response *resp,
                               api_err *err);
api_code api_superposition_delete(const api_call *call, api_response *resp,
                                  api_err *err);
api_code api_superposition_normalize_stored(const api_call *call,
                                            api_response *resp, api_err *err);
api_code api_superposition_measure(const api_call *call, api_response *resp,
                                   api_err *err);

/* networks.c */
api_code api_network_create(const api_call *call, api_response *resp,
                            api_err *err);
api_code api_network_list(const api_call *call, api_response *resp,
                          api_err *err);
api_code api_network_get(const api_call *call, api_response *resp,
                         api_err *err);
api_code api_network_delete(const api_call *call, api_response *resp,
                            api_err *err);
api_code api_network_forward(const api_call *call, api_response *resp,
                             api_err *err);

/* experiments.c */
api_code api_experiment_create(const api_call *call, api_response *resp,
                               api_err *err);
api_code api_experiment_list(const api_call *call, api_response *resp,
                             api_err *err);
api_code api_experiment_get(const api_call *call, api_response *resp,
                            api_err *err);
api_code api_experiment_patch(const api_call *call, api_response *resp,
                              api_err *err);
api_code api_experiment_delete(const api_call *call, api_response *resp,
                               api_err *err);

#endif
