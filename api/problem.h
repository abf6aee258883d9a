/* api/problem.h - errors as values, and their one rendering as
 * problem+json.
 *
 * A handler that fails fills an api_err and returns its code. The code
 * alone decides the HTTP status, title and problem type (one table, in
 * problem.c); api_problem() renders the RFC 9457 body. Validation failures
 * carry a list of {pointer, message} items, each a JSON Pointer into the
 * request body. */
#ifndef PSINET_API_PROBLEM_H
#define PSINET_API_PROBLEM_H

#include <jansson.h>
#include <stdbool.h>

typedef enum {
    API_OK = 0,
    API_EBADJSON,     /* 400 the body is not well-formed JSON */
    API_EBADREQUEST,  /* 400 a malformed query parameter, framing, ... */
    API_EAUTH,        /* 401 missing or wrong credentials */
    API_ENOTFOUND,    /* 404 no such route or resource */
    API_EMETHOD,      /* 405 route exists, method does not */
    API_ETIMEOUT,     /* 408 the request took too long to arrive */
    API_ETOOLARGE,    /* 413 body or a size limit exceeded */
    API_EMEDIATYPE,   /* 415 body is not application/json */
    API_EINVALID,     /* 422 well-formed JSON with invalid content */
    API_EUNAVAILABLE, /* 503 the database is busy or cannot write */
    API_EINTERNAL     /* 500 a bug; never caused by input */
} api_code;

/* Most {pointer, message} items one error keeps; later ones are counted. */
#define API_ERR_MAX_ITEMS 16

typedef struct {
    api_code code;
    char detail[512];
    json_t *errors;   /* owned array of {pointer, message}, or NULL */
    size_t dropped;   /* items beyond API_ERR_MAX_ITEMS */
    int retry_after;  /* seconds, for 503; 0 = no Retry-After header */
} api_err;

/* Zeroes e (API_OK, no items). */
void api_err_init(api_err *e);

/* Frees the items and resets e to API_OK. */
void api_err_clear(api_err *e);

/* Sets code and a printf-style detail; returns code, so a handler can
 * `return api_fail(err, API_ENOTFOUND, "no superposition %s", id);`. */
api_code api_fail(api_err *e, api_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds a validation item at JSON Pointer `pointer` and makes e an
 * API_EINVALID (unless it already holds another error). Returns false, so a
 * parser can `return api_invalid(err, ptr, "must be a number");`. */
bool api_invalid(api_err *e, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fails with 503 and Retry-After: memory for a request-sized value (an
 * array, a body, an answer) could not be had. Returns API_EUNAVAILABLE.
 * The allocation policy (core/mem.h) leaves only these to be answered. */
api_code api_no_memory(api_err *e);

/* The HTTP status, short title and problem type URI of a code. */
int api_code_status(api_code code);
const char *api_code_title(api_code code);
const char *api_code_type(api_code code);

/* The problem+json object for e (a new reference, by json/pjson.h's
 * rule). When e has items but no detail, the detail summarises the first
 * item; a 422 without items gets one at pointer "" (the whole request)
 * that repeats the detail. */
json_t *api_problem(const api_err *e);

#endif
