/* api/api.h - the service as a function: a request in, a response out.
 *
 * This is the api layer's public header, and the only one server/ uses.
 * server/ fills an api_request from the HTTP connection (method, path,
 * query, Content-Type, raw body bytes) and calls api_handle(); tests do the
 * same with no socket at all. api_handle routes, checks the media type,
 * parses the JSON body, runs the handler and renders any error as
 * problem+json. */
#ifndef PSINET_API_API_H
#define PSINET_API_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* ------------------------------------------------------------ the process */

/* Sets up, once per process and before any thread handles a request, what
 * the layers below need: jansson's allocation hooks (json/pjson.h) and a
 * single-threaded BLAS (core/layer.h). */
void api_init(void);

/* Limits on what one request may ask for; every one is configurable. */
typedef struct {
    size_t max_body;      /* bytes of request body (enforced by server/) */
    size_t max_dimension; /* entries of one vector */
    size_t max_matrix;    /* rows * cols of one layer */
    size_t max_layers;    /* layers of one network */
    size_t max_batch;     /* inputs of one batch */
    uint64_t max_shots;   /* samples of one measurement */
    uint64_t max_memory;  /* shots whose outcomes a measurement lists */
    size_t max_operations; /* gates of one request */
    uint64_t max_collapse_work; /* multiply-adds of the shots of one
                                   collapse_propagation experiment */
    size_t max_page;      /* items of one page */
    size_t max_depth;     /* JSON nesting depth */
} api_limits;

/* Fills l with psinet's defaults (see README, "Configuration"). */
void api_limits_default(api_limits *l);

/* Writes the Prometheus text of the process's metrics into a malloc'd
 * buffer (*text, *len) the caller frees; server/ provides it. */
typedef int (*api_metrics_fn)(void *arg, char **text, size_t *len);

/* What every handler may use; owned by the caller of api_handle. */
typedef struct {
    const char *version;
    api_limits limits;
    store *db;           /* NULL when the service runs without persistence */
    const char *api_key; /* NULL: no authentication */
    bool auth_reads;     /* with api_key: reads need it too */
    api_metrics_fn metrics;
    void *metrics_arg;
    bool plain_numbers;  /* read every numeric array with jansson, none
                            before it (json/pjson.h): the slow way, which
                            tests compare the fast one with */
} api_ctx;

/* Opens the database at path into ctx->db: `connections` pooled
 * connections, writers waiting busy_ms for each other, the schema migrated
 * (store/store.h). False, with the reason in err, when it cannot be used. */
bool api_db_open(api_ctx *ctx, const char *path, int connections,
                 int busy_ms, char *err, size_t errlen);

/* path as it may be logged: a PostgreSQL URI or conninfo without its
 * password (store_describe). */
void api_db_describe(const char *path, char *out, size_t len);

/* Starts group commit on ctx->db (store/batch.h): the rows that
 * concurrent requests create share one transaction and one fsync, and
 * their answers can be held until then (api_hold). False when its thread
 * cannot start. Nothing on PostgreSQL, which commits each row alone. */
bool api_db_group_commit(api_ctx *ctx);

/* Commits every row waiting for group commit, answers each (the holds
 * wake), and stops the writer: rows created afterwards commit one by one.
 * server/ calls it before it stops the daemon, so that no connection stays
 * suspended on a hold. Nothing when group commit does not run. */
void api_db_drain(const api_ctx *ctx);

/* Closes what api_db_open opened (nothing when ctx->db is NULL). */
void api_db_close(api_ctx *ctx);

/* The schema version this build migrates a database to. */
int api_db_schema_version(void);

/* ------------------------------------------------------------ requests */

typedef struct {
    const char *key;
    const char *value; /* NULL for a bare `?key` */
} api_query_param;

#define API_MAX_QUERY 32

/* Where a request's method and path lead, kept by the first of
 * api_handle_head, api_takes_long and api_handle that routes the request
 * for the others, which then do not route it again. The caller zeroes it
 * before a request's first call and keeps the same method and path for
 * the later ones; its fields are the api's. */
typedef struct {
    bool routed;
    int index, specificity;
    size_t id_at, id_len; /* the {id}'s place in the path; id_len 0: none */
} api_routing;

/* A request, all fields borrowed from the caller. */
typedef struct {
    const char *method;        /* "GET", "POST", ... */
    const char *path;          /* decoded path, no query string */
    const char *content_type;  /* the header, or NULL */
    const char *authorization; /* the header, or NULL */
    const char *if_none_match; /* the header, or NULL */
    const char *body;          /* raw bytes, not NUL-terminated */
    size_t body_len;
    const api_query_param *query;
    size_t query_count;
    bool can_hold;             /* the caller can hold the answer until its
                                  row is durable (api_response.hold) */
    api_routing *routing;      /* kept across the request's calls, or NULL:
                                  each call routes it anew */
} api_request;

#define API_MAX_HEADERS 8

/* ------------------------------------------------------------ streams
 * A body too large to be built before it is sent (an export of every
 * stored experiment) is a stream: its parts are made one at a time, each
 * with a bounded amount of work (one short read of the database), as the
 * client takes them. server/ sends such a body with chunked transfer
 * coding. */

typedef struct api_stream api_stream;

typedef enum {
    API_STREAM_PART,  /* the next part of the body is in *data, *len > 0 */
    API_STREAM_END,   /* the body is complete */
    API_STREAM_FAILED /* the body cannot be completed (api_stream_error
                         says why): what was sent is all there is, and
                         the status cannot change any more; server/ closes
                         the connection without the chunked coding's last
                         chunk, so the client sees the body cut short */
} api_stream_state;

/* Makes the next part of s. *data points into s and stays valid until the
 * next call or api_stream_free. Calls may come from different threads, one
 * at a time. After API_STREAM_END or API_STREAM_FAILED every call returns
 * the same. */
api_stream_state api_stream_next(api_stream *s, const char **data,
                                 size_t *len);

/* Why s failed (a sentence for the log), or "" when it did not. */
const char *api_stream_error(const api_stream *s);

/* Releases s (NULL: nothing). */
void api_stream_free(api_stream *s);

typedef struct {
    const char *name; /* static string */
    char value[160];
} api_header;

typedef struct api_hold api_hold;

/* A response. The body is either a JSON value (json, owned), static bytes
 * (raw, borrowed for the life of the program) or a stream (owned: a
 * caller that sends it takes it, setting stream to NULL); 204 and HEAD
 * have none. */
typedef struct {
    int status;
    const char *content_type; /* static string, NULL when there is no body */
    json_t *json;
    const char *raw;
    size_t raw_len;
    char *owned_raw; /* when set, raw points here and it is freed with resp */
    int route;       /* index of the route (api_route_name), -1 for none */
    api_header headers[API_MAX_HEADERS];
    size_t header_count;
    bool arena; /* json was built in the thread's arena: freeing resp
                   resets it (json/pjson.h) */
    api_stream *stream; /* a body made part by part, or NULL */
    api_hold *hold;     /* owned, or NULL: see api_hold below */
} api_response;

/* ------------------------------------------------------------ holds
 * With group commit (api_db_group_commit), a request that creates a row
 * (an experiment, a superposition, a network) and whose caller set
 * req->can_hold is answered
 * with a hold: resp is the answer (201, the id) made while the row waits in
 * the group-commit queue, and must not be sent until the row is durable.
 * The thread that ran the request is free meanwhile; the caller keeps the
 * connection waiting (server/: suspended), and:
 *   api_hold_wait(h, wake, arg)   wake(arg) is called once, when the row
 *                                 is committed or has failed: from another
 *                                 thread, or at once from this call;
 *   api_hold_end(h, &other)       after the wake: frees h; false when the
 *                                 row is committed (send resp), true when
 *                                 it is not: other (zeroed first, its
 *                                 route -1) is the error answer to send
 *                                 instead;
 *   api_hold_free(h)              gives h up at any time (the answer will
 *                                 not be sent): what is left is freed once
 *                                 the row is written.
 * A caller that takes resp->hold sets it to NULL; api_response_free frees a
 * hold left in resp with api_hold_free. */
void api_hold_wait(api_hold *h, void (*wake)(void *arg), void *arg);
bool api_hold_end(api_hold *h, api_response *other);
void api_hold_free(api_hold *h);

/* Handles req completely and fills resp (zeroed first). Never fails: errors
 * become problem+json responses. The caller frees resp with
 * api_response_free. */
void api_handle(const api_ctx *ctx, const api_request *req,
                api_response *resp);

/* Decides, from req's head alone, whether it will be refused whatever its
 * body holds: its method, path, Content-Type and Authorization are given,
 * req->body is NULL, and req->body_len is the length the headers announce
 * (any nonzero value for a body of unannounced length). Refused are a path
 * no route has (404; with auth_reads and no key, 401 like any path that
 * needs the key), a method the path does not take (405), a missing or
 * wrong API key (401), and a body that is not JSON (415). When req is
 * refused, fills resp (zeroed first) with the answer api_handle would give
 * and returns true (free it with api_response_free); else returns false
 * and leaves resp zeroed. server/ asks before it reads a body, so that no
 * body is read, buffered or answered 100 Continue for a request nobody
 * will serve. */
bool api_handle_head(const api_ctx *ctx, const api_request *req,
                     api_response *resp);

/* A body over this many bytes makes a request one that may take long. */
#define API_LONG_BODY ((size_t)64 << 10)

/* Whether the work of req (whole: body_len is its body's length) may take
 * long: a body over API_LONG_BODY, or a route whose work is bounded by what
 * is stored rather than by what it is sent (a measurement of up to
 * max_shots shots, a stored network run forward, a stored state
 * normalized, an experiment). server/ runs such requests off the threads
 * that serve connections, so that they never keep a probe or a small
 * request waiting. */
bool api_takes_long(const api_ctx *ctx, const api_request *req);

/* Why server/ refuses a request before api_handle could see it whole. */
typedef enum {
    API_REFUSE_BAD_REQUEST, /* 400: framing, NUL bytes, headers, the query */
    API_REFUSE_TOO_LARGE,   /* 413: a body over max_body */
    API_REFUSE_UNAVAILABLE, /* 503: shutting down, or no room for the body
                               (Retry-After: 1) */
    API_REFUSE_BUSY         /* 503: too many long requests wait already
                               (Retry-After: 1); the request was read
                               whole, so its connection stays open */
} api_refusal;

/* Fills resp (zeroed first) with the problem+json of a refusal whose
 * detail says what was wrong, and, but for API_REFUSE_BUSY, Connection:
 * close (the rest of the request is not read). Free it with
 * api_response_free. */
void api_refuse(api_response *resp, api_refusal why, const char *detail);

/* Releases what resp owns. */
void api_response_free(api_response *resp);

/* Adds a header (printf-style value, truncated to fit). */
void api_response_header(api_response *resp, const char *name,
                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The value of header `name` in resp, or NULL. */
const char *api_response_get_header(const api_response *resp,
                                    const char *name);

/* The body of resp as bytes: a malloc'd buffer the caller frees (JSON is
 * written with numbers that round-trip exactly), with its length in *len.
 * NULL with *len 0 when there is no body, or when it is a stream (take its
 * parts with api_stream_next). Raw bodies are copied. When
 * memory for a JSON body runs out, resp itself becomes a 503 whose body is
 * fixed bytes in resp->raw (returned copied, or NULL if even that copy
 * cannot be had): send resp's status and headers after calling this. */
char *api_response_body(api_response *resp, size_t *len);

/* The number of routes, and the stable name of route i (for logs and
 * metrics; "none" for -1). */
int api_route_count(void);
const char *api_route_name(int i);

#endif
