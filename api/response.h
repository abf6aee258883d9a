/* api/response.h - what the dispatcher does with a response besides what
 * api/api.h and api/handler.h offer: drop its body, or make it a
 * problem. */
#ifndef PSINET_API_RESPONSE_H
#define PSINET_API_RESPONSE_H

#include "api/api.h"
#include "api/problem.h"

/* Releases v (taken), a value built while resp was handled. */
void api_response_drop_json(const api_response *resp, json_t *v);

/* Drops resp's body, JSON or bytes. */
void api_response_drop_body(api_response *resp);

/* Makes resp the problem+json of err (its status, Retry-After when err
 * asks for one), in place of any body it had. */
void api_response_problem(api_response *resp, const api_err *err);

#endif
