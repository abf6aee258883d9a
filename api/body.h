/* api/body.h - a request's JSON body, parsed: media type, size of nesting,
 * and long base64 arrays and numeric arrays lifted out first where the
 * route allows. */
#ifndef PSINET_API_BODY_H
#define PSINET_API_BODY_H

#include "api/handler.h"

/* API_OK when req's body, by its size and Content-Type, is one a route
 * with these flags can parse: none where the body is optional, else JSON
 * (application/json or application/<x>+json). Else fills err with the
 * 415. Only the Content-Type and body_len of req are read. */
api_code api_body_media(const api_request *req, unsigned flags,
                        api_err *err);

/* Parses the body of req for a route with these flags into *body (a new
 * reference; NULL when an optional body is absent). With
 * API_ROUTE_LIFT_B64, long base64 arrays are decoded into *lifted first,
 * with API_ROUTE_LIFT_NUMBERS numeric arrays read into it (unless
 * ctx->plain_numbers), and the rest is parsed; the caller frees *lifted
 * (pjson_lifted_free) whatever the result. Every answer, error or not, is
 * the one jansson's parse of the whole body would give. */
api_code api_body_parse(const api_ctx *ctx, const api_request *req,
                        unsigned flags, json_t **body, pjson_lifted *lifted,
                        api_err *err);

#endif
