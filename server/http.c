/* server/http.c - libmicrohttpd glue. */
#include "server/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/entropy.h"
#include "core/mem.h"
#include "core/timing.h"
#include "server/head.h"
#include "server/linger.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/reclaim.h"
#include "server/watchdog.h"
#include "server/work.h"

#define CORS_MAX_ORIGINS 32

/* Bodies of at least this many bytes are noted to the reclaimer when they
 * are freed (server/reclaim.h). */
#define RECLAIM_BODY ((size_t)256 << 10)

/* libmicrohttpd's memory for each connection: the request's head, the
 * buffer its body is read through, and the answer's head. It is zeroed
 * after every request, so it costs a tiny request its size again (32 KiB,
 * libmicrohttpd's default, was 40% of a small POST's instructions). With
 * 16 KiB, request heads up to about 15 KiB are read (431 above); a body is
 * read through whatever is left, in more, smaller reads. */
#define CONNECTION_POOL ((size_t)16 << 10)

struct http_server {
    struct MHD_Daemon *daemon;
    const api_ctx *ctx;
    server_metrics *metrics;
    size_t max_body;
    size_t body_budget;       /* --max-body-memory */
    atomic_size_t body_held;  /* bytes of bodies held now, all requests */
    unsigned max_connections; /* --max-connections */
    unsigned connection_cap;  /* more open connections are closed at once */
    atomic_uint connections;  /* open now */
    watchdog *watch;          /* the request deadline; NULL: none */
    linger_pool *linger;          /* early answers' sockets, after they close */
    work_pool *work;          /* the threads of long requests */
    reclaimer *reclaim;       /* malloc_trim after a burst */
    atomic_bool draining;     /* stopping: new requests get 503 */
    unsigned port;
    bool cors_any;            /* --cors-origins '*' */
    size_t cors_count;
    char *cors_origins[CORS_MAX_ORIGINS];
};

/* An answer whose body is bytes already: made on the thread that ran the
 * api (whose JSON arena it used), sent from the connection's thread. Or an
 * answer whose body is a stream (api_stream), sent part by part. */
typedef struct {
    api_response meta;       /* status, type, headers, route; no body */
    char *body;              /* malloc'd bytes, or NULL */
    const char *static_body; /* bytes that live as long as the program */
    size_t len;
    api_stream *stream;      /* owned, or NULL */
} answer;

/* Per-request state, created on the first call of the access handler and
 * freed in the completion callback. */
typedef struct {
    http_server *srv;
    struct MHD_Connection *conn;
    const char *method, *url; /* libmicrohttpd's, valid until completion */
    char *body;
    size_t len, cap;
    size_t expected; /* the Content-Length, when given */
    size_t reserved; /* bytes of the body budget this request holds */
    bool answered;   /* a response is queued: drop whatever else arrives */
    bool done;       /* a long request's answer is ready (set before the
                        connection is resumed) */
    size_t query_count;
    bool query_overflow;
    struct timespec start;
    const char *origin; /* the Origin header when CORS allows it, or NULL */
    const char *content_type, *authorization; /* trimmed, or NULL */
    const char *if_none_match; /* as it came (libmicrohttpd's), or NULL */
    api_hold *hold;  /* reply waits for its row to be durable (api_hold) */
    api_routing routing; /* where the api routed it, kept between calls */
    /* The rest is not zeroed when the state is made (request_new): each is
     * written before it is read. */
    char request_id[72];
    api_query_param query[API_MAX_QUERY];
    char origin_buf[256], content_type_buf[256], authorization_buf[600];
    api_request req; /* what the api is given, once the body is in */
    answer reply;    /* a long request's answer (its body and stream are
                        zeroed: on_completed frees them) */
} request_state;

/* Each thread keeps the state of its last finished request for its next
 * one: a state is over 3 KiB, and malloc gathers its small free chunks
 * first for each such block. The key's destructor frees it when the thread
 * ends. */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static bool spare_keyed; /* false: no key could be had, no spares kept */

static void spare_key_make(void)
{
    spare_keyed = pthread_key_create(&spare_key, free) == 0;
}

/* A request's state, zeroed up to its buffers: 3 KiB of them zeroed was a
 * tenth of a tiny request's instructions. */
static request_state *request_new(void)
{
    pthread_once(&spare_once, spare_key_make);
    request_state *rs = spare_keyed ? pthread_getspecific(spare_key) : NULL;
    if (rs)
        pthread_setspecific(spare_key, NULL);
    else
        rs = mem_alloc(sizeof *rs);
    memset(rs, 0, offsetof(request_state, request_id));
    rs->reply.body = NULL;
    rs->reply.stream = NULL;
    return rs;
}

/* Frees rs (its body and answer gone already), or keeps it as the
 * thread's spare. */
static void request_free(request_state *rs)
{
    if (!spare_keyed || pthread_getspecific(spare_key) ||
        pthread_setspecific(spare_key, rs) != 0)
        free(rs);
}

/* What psinet keeps for each connection (libmicrohttpd's socket context):
 * created when it opens, freed when it closes. */
typedef struct {
    watch_entry *watch;  /* its deadline (NULL without one) */
    int fd;              /* its socket */
    bool nul;            /* the request being read had %00 in its path or
                            query (see unescape); refused, then cleared */
    bool linger;         /* answered before its request was read whole:
                            its socket lingers once it closes */
    const char *target;  /* the request target as it arrived, and its */
    size_t target_len;   /* length then (on_target) */
} conn_state;

/* The state of conn, or NULL when it could not be allocated. */
static conn_state *conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* The watchdog entry of conn's socket (NULL without a deadline). */
static watch_entry *conn_watch(struct MHD_Connection *conn)
{
    conn_state *cs = conn_of(conn);
    return cs ? cs->watch : NULL;
}

/* The request's own X-Request-Id when it is sane (1 to 64 of
 * [A-Za-z0-9._:-]), else a fresh random one, into rs->request_id. */
static void set_request_id(request_state *rs, const char *given)
{
    if (given) {
        size_t n = strlen(given);
        if (n >= 1 && n <= 64 &&
            strspn(given, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                          "0123456789._:-") == n) {
            memcpy(rs->request_id, given, n + 1);
            return;
        }
    }
    static _Thread_local unsigned long long state;
    if (!state)
        state = entropy_u64() | 1;
    /* xorshift64*: ids need to be unique, not secret */
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    unsigned long long id = state * 0x2545F4914F6CDD1DULL;
    for (int i = 15; i >= 0; i--, id >>= 4)
        rs->request_id[i] = "0123456789abcdef"[id & 15];
    rs->request_id[16] = '\0';
}

/* Whether CORS lets origin read psinet's answers. */
static bool cors_allowed(const http_server *srv, const char *origin)
{
    if (!origin)
        return false;
    if (srv->cors_any)
        return true;
    for (size_t i = 0; i < srv->cors_count; i++)
        if (strcmp(srv->cors_origins[i], origin) == 0)
            return true;
    return false;
}

static double elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return timing_ms_between(start, &now);
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind,
                                     const char *key, const char *value)
{
    (void)kind;
    request_state *rs = cls;
    if (rs->query_count == API_MAX_QUERY) {
        rs->query_overflow = true;
        return MHD_NO;
    }
    rs->query[rs->query_count].key = key;
    rs->query[rs->query_count].value = value;
    rs->query_count++;
    return MHD_YES;
}

/* ------------------------------------------------------------ the budget */

/* Takes n more bytes of the body budget for rs; false (nothing taken)
 * when all bodies held together would pass it. */
static bool reserve(http_server *srv, request_state *rs, size_t n)
{
    size_t held = atomic_fetch_add(&srv->body_held, n) + n;
    if (held > srv->body_budget || held < n) {
        atomic_fetch_sub(&srv->body_held, n);
        return false;
    }
    rs->reserved += n;
    return true;
}

/* What append_body found. */
typedef enum { BODY_OK, BODY_TOO_LARGE, BODY_NO_ROOM } body_status;

/* Appends upload bytes to the body. BODY_TOO_LARGE once it would pass the
 * cap, BODY_NO_ROOM when the body budget or memory has no room for it (a
 * body of unannounced length grows in steps, each reserved). */
static body_status append_body(http_server *srv, request_state *rs,
                               const char *data, size_t n)
{
    size_t max = srv->max_body;
    if (n > max - rs->len)
        return BODY_TOO_LARGE;
    if (rs->len + n > rs->cap) {
        /* A body of announced length is held in one allocation of that
         * size (reserved when its headers came; it is at most max_body:
         * larger ones were refused). */
        size_t cap = rs->cap ? rs->cap
                     : rs->expected >= n ? rs->expected
                                         : 4096;
        while (cap < rs->len + n)
            cap *= 2;
        if (cap > max)
            cap = max;
        if (cap > rs->reserved && !reserve(srv, rs, cap - rs->reserved))
            return BODY_NO_ROOM;
        char *b = realloc(rs->body, cap);
        if (!b)
            return BODY_NO_ROOM;
        rs->body = b;
        rs->cap = cap;
    }
    memcpy(rs->body + rs->len, data, n);
    rs->len += n;
    return BODY_OK;
}

/* Gives back rs's body and its share of the budget. */
static void release_body(http_server *srv, request_state *rs)
{
    if (rs->cap >= RECLAIM_BODY)
        reclaim_note(srv->reclaim, rs->cap);
    free(rs->body);
    rs->body = NULL;
    rs->len = rs->cap = 0;
    atomic_fetch_sub(&srv->body_held, rs->reserved);
    rs->reserved = 0;
}

/* ------------------------------------------------------------ answers */

/* Turns ar (taken: freed here) into bytes on the thread that made it. */
static void answer_make(answer *a, api_response *ar)
{
    memset(a, 0, sizeof *a);
    if (ar->stream) {
        a->stream = ar->stream;
        ar->stream = NULL;
    } else if (!ar->json && ar->raw && !ar->owned_raw) {
        a->static_body = ar->raw; /* static bytes: no copy */
        a->len = ar->raw_len;
    } else {
        a->body = api_response_body(ar, &a->len);
        if (!a->body && ar->raw && !ar->owned_raw) { /* the fixed 503 */
            a->static_body = ar->raw;
            a->len = ar->raw_len;
        }
    }
    api_response_free(ar);
    a->meta = *ar; /* what is left: status, type, headers, route */
}

/* Where headers go: a libmicrohttpd response, or bytes written by hand. */
typedef struct {
    struct MHD_Response *r;
    char *buf;
    size_t len, cap;
} header_sink;

static void put_header(header_sink *s, const char *name, const char *value)
{
    if (s->r) {
        MHD_add_response_header(s->r, name, value);
        return;
    }
    if (strpbrk(value, "\r\n"))
        return;
    int n = snprintf(s->buf + s->len, s->cap - s->len, "%s: %s\r\n", name,
                     value);
    if (n > 0 && (size_t)n < s->cap - s->len)
        s->len += (size_t)n;
}

/* Adds the headers every response carries, CORS's, and a's own. The
 * security policy headers are defaults: a response that sets its own
 * (a page with its own Content-Security-Policy) keeps it. */
static void add_common_headers(header_sink *s, const api_response *ar,
                               const request_state *rs,
                               const http_server *srv)
{
    bool any_origin = srv->cors_any;
    put_header(s, "X-Request-Id", rs->request_id);
    /* With a list of origins the answer depends on Origin, allowed or not:
     * a shared cache must not hand one origin's answer to another. */
    if (srv->cors_count > 0 && !any_origin)
        put_header(s, "Vary", "Origin");
    if (rs->origin) {
        put_header(s, "Access-Control-Allow-Origin",
                   any_origin ? "*" : rs->origin);
        put_header(s, "Access-Control-Expose-Headers",
                   "Location, X-Request-Id, Retry-After, WWW-Authenticate");
        const char *allow = api_response_get_header(ar, "Allow");
        if (ar->status == 204 && allow) { /* a preflight */
            put_header(s, "Access-Control-Allow-Methods", allow);
            put_header(s, "Access-Control-Allow-Headers",
                       "Content-Type, Authorization, X-Request-Id");
            put_header(s, "Access-Control-Max-Age", "600");
        }
    }
    if (ar->content_type)
        put_header(s, MHD_HTTP_HEADER_CONTENT_TYPE, ar->content_type);
    put_header(s, "X-Content-Type-Options", "nosniff");
    static const char *const defaults[][2] = {
        {"Cache-Control", "no-store"},
        {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
    };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (!api_response_get_header(ar, defaults[i][0]))
            put_header(s, defaults[i][0], defaults[i][1]);
    for (size_t i = 0; i < ar->header_count; i++)
        put_header(s, ar->headers[i].name, ar->headers[i].value);
}

/* Whether more connections are open than --max-connections: an answer
 * then closes its connection, so that the extra ones do not stay. */
static bool crowded(http_server *srv)
{
    return atomic_load(&srv->connections) > srv->max_connections;
}

/* Writes the access log line of an answered request and counts it. */
static void log_request(http_server *srv, const request_state *rs,
                        const api_response *ar, size_t bytes)
{
    double ms = elapsed_ms(&rs->start);
    metrics_observe(srv->metrics, ar->route, ar->status, ms);
    log_line line;
    log_line_begin(&line, "info", "request");
    log_line_str(&line, "id", rs->request_id, sizeof rs->request_id);
    log_line_str(&line, "method", rs->method, 16);
    log_line_str(&line, "path", rs->url, 512);
    log_line_str(&line, "route", api_route_name(ar->route), 64);
    log_line_uint(&line, "status", (unsigned)ar->status);
    log_line_uint(&line, "bytes", bytes);
    log_line_ms(&line, "ms", ms);
    if (ar->status >= 500)
        log_line_end(&line); /* a server error is written at once */
    else
        log_line_end_batched(&line);
}

/* ------------------------------------------------------------ streams */

/* A streamed answer on its way (api_stream). Its parts are made on the
 * work pool, one job each, while the connection is suspended; so a client
 * that reads slowly holds its connection and one part in memory, and no
 * thread. libmicrohttpd sends the parts with chunked transfer coding. A
 * stream that fails after its first byte cannot change its status: the
 * connection is closed without the last chunk (the client sees the body
 * cut short) and the failure is logged (stream_cut). Created when the
 * answer is queued; freed, with the request's log line, when
 * libmicrohttpd is done with the response (stream_done), which may come
 * after the request's completion: what the log needs is copied here. */
typedef struct {
    http_server *srv;
    struct MHD_Connection *conn;
    api_stream *stream;
    api_stream_state state; /* after the last part made */
    const char *part;       /* that part, in the stream */
    size_t part_len, part_sent;
    unsigned long long bytes; /* handed to libmicrohttpd */
    bool ended;               /* the whole body was */
    bool head;                /* an answer to HEAD: no body is sent */
    const char *stopped;      /* why psinet cut it, or NULL */
    api_response meta;        /* status and route, for the log */
    struct timespec start;
    char request_id[72], method[16], path[512];
} streamer;

/* Makes the next part (on a work thread, or the connection's). */
static void stream_make(streamer *s)
{
    s->state = api_stream_next(s->stream, &s->part, &s->part_len);
    s->part_sent = 0;
}

/* The job of one part (work_fn): made, then the connection resumes and
 * sends it; when the pool stops first, the stream is cut. */
static void stream_job(void *arg, bool run)
{
    streamer *s = arg;
    if (run) {
        stream_make(s);
    } else {
        s->state = API_STREAM_FAILED;
        s->stopped = "psinet is shutting down";
    }
    MHD_resume_connection(s->conn); /* s is the connection's again */
}

static void stream_suspend(void *arg)
{
    streamer *s = arg;
    MHD_suspend_connection(s->conn);
}

/* libmicrohttpd's content reader: the bytes of the part in hand, or the
 * next part asked of the work pool (the connection waits, suspended), or
 * the end. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    streamer *s = cls;
    if (s->part_sent == s->part_len && s->state == API_STREAM_PART) {
        if (work_submit_first(s->srv->work, stream_job, s, stream_suspend))
            return 0; /* called again once the job resumes the connection */
        if (atomic_load(&s->srv->draining)) {
            s->state = API_STREAM_FAILED;
            s->stopped = "psinet is shutting down";
        } else {
            /* The queue is full: one part here, a short read. */
            stream_make(s);
        }
    }
    if (s->part_sent < s->part_len) {
        size_t n = s->part_len - s->part_sent;
        if (n > max)
            n = max;
        memcpy(buf, s->part + s->part_sent, n);
        s->part_sent += n;
        s->bytes += n;
        return (ssize_t)n;
    }
    if (s->state == API_STREAM_END) {
        s->ended = true;
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

/* libmicrohttpd is done with the response: logs the request (with the
 * bytes that were sent, and its whole time), and the cut when the body
 * did not end; frees s. */
static void stream_done(void *cls)
{
    streamer *s = cls;
    double ms = elapsed_ms(&s->start);
    metrics_observe(s->srv->metrics, s->meta.route, s->meta.status, ms);
    log_line line;
    log_line_begin(&line, "info", "request");
    log_line_str(&line, "id", s->request_id, sizeof s->request_id);
    log_line_str(&line, "method", s->method, sizeof s->method);
    log_line_str(&line, "path", s->path, sizeof s->path);
    log_line_str(&line, "route", api_route_name(s->meta.route), 64);
    log_line_uint(&line, "status", (unsigned)s->meta.status);
    log_line_uint(&line, "bytes", s->bytes);
    log_line_ms(&line, "ms", ms);
    log_line_end_batched(&line);
    if (!s->ended && !s->head) {
        bool failed = s->state == API_STREAM_FAILED;
        log_line_begin(&line, failed ? "warn" : "info", "stream_cut");
        log_line_str(&line, "id", s->request_id, sizeof s->request_id);
        const char *reason =
            s->stopped ? s->stopped
            : failed   ? api_stream_error(s->stream)
            : atomic_load(&s->srv->draining)
                ? "psinet shut down before the end"
                : "the client closed the connection first";
        log_line_str(&line, "reason", reason, 200);
        log_line_uint(&line, "bytes", s->bytes);
        log_line_end(&line);
    }
    api_stream_free(s->stream);
    free(s);
}

/* A libmicrohttpd response that streams a->stream (taken), or NULL. */
static struct MHD_Response *stream_response(http_server *srv,
                                            struct MHD_Connection *conn,
                                            const request_state *rs,
                                            answer *a)
{
    streamer *s = calloc(1, sizeof *s);
    struct MHD_Response *r =
        s ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024,
                                              stream_read, s, stream_done)
          : NULL;
    if (!r) {
        free(s);
        api_stream_free(a->stream);
        a->stream = NULL;
        return NULL;
    }
    s->srv = srv;
    s->conn = conn;
    s->stream = a->stream;
    a->stream = NULL;
    s->meta = a->meta;
    s->start = rs->start;
    s->head = strcmp(rs->method, "HEAD") == 0;
    snprintf(s->request_id, sizeof s->request_id, "%s", rs->request_id);
    snprintf(s->method, sizeof s->method, "%s", rs->method);
    snprintf(s->path, sizeof s->path, "%s", rs->url);
    return r;
}

/* Queues a (its body taken) on the connection; logs the request. */
static enum MHD_Result queue_answer(http_server *srv,
                                    struct MHD_Connection *conn,
                                    request_state *rs, answer *a)
{
    struct MHD_Response *r;
    bool streamed = a->stream != NULL;
    if (streamed) {
        r = stream_response(srv, conn, rs, a);
    } else if (a->body) {
        r = MHD_create_response_from_buffer(a->len, a->body,
                                            MHD_RESPMEM_MUST_FREE);
        if (!r)
            free(a->body);
    } else {
        r = MHD_create_response_from_buffer(
            a->static_body ? a->len : 0,
            (void *)(a->static_body ? a->static_body : ""),
            MHD_RESPMEM_PERSISTENT);
    }
    a->body = NULL;
    rs->answered = true;
    if (!r)
        return MHD_NO;
    header_sink sink = {.r = r};
    add_common_headers(&sink, &a->meta, rs, srv);
    if (crowded(srv) && !api_response_get_header(&a->meta, "Connection"))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret =
        MHD_queue_response(conn, (unsigned)a->meta.status, r);
    MHD_destroy_response(r);
    if (!streamed) /* a stream is logged when it is done */
        log_request(srv, rs, &a->meta, a->len);
    return ret;
}

/* Answers ar (taken) on conn from the connection's thread. */
static enum MHD_Result send_response(http_server *srv,
                                     struct MHD_Connection *conn,
                                     request_state *rs, api_response *ar)
{
    answer a;
    answer_make(&a, ar);
    return queue_answer(srv, conn, rs, &a);
}

/* An error answered before the request is read whole (400 for its head,
 * 413, 401, 415, 503): Connection: close, since the rest of the request is
 * not read, and the socket lingers when it closes so that the answer
 * reaches a client that is still sending. ar is taken. */
static enum MHD_Result send_early(http_server *srv,
                                  struct MHD_Connection *conn,
                                  request_state *rs, api_response *ar)
{
    conn_state *cs = conn_of(conn);
    if (cs)
        cs->linger = true;
    if (!api_response_get_header(ar, "Connection"))
        api_response_header(ar, "Connection", "close");
    return send_response(srv, conn, rs, ar);
}

/* An error made here, before the api layer runs (400, 413, 503). */
static enum MHD_Result send_error(http_server *srv,
                                  struct MHD_Connection *conn,
                                  request_state *rs, api_refusal why,
                                  const char *detail)
{
    api_response ar;
    api_refuse(&ar, why, detail);
    return send_early(srv, conn, rs, &ar);
}

/* Answers a refusal straight on conn's socket while a body of
 * unannounced length (chunked) is arriving, and drops the connection:
 * libmicrohttpd 0.9.75 cannot queue an answer in that state
 * (MHD_queue_response refuses until the body is in), and psinet will not
 * read the rest of a body it refuses. The socket lingers, so the client
 * reads the answer; bytes is what arrived, for the log. */
static enum MHD_Result answer_mid_body(http_server *srv,
                                       struct MHD_Connection *conn,
                                       request_state *rs, api_refusal why,
                                       const char *detail, size_t bytes)
{
    api_response ar;
    api_refuse(&ar, why, detail);
    answer a;
    answer_make(&a, &ar);
    release_body(srv, rs);
    rs->answered = true;
    conn_state *cs = conn_of(conn);
    char head[2048], date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    header_sink sink = {.buf = head, .cap = sizeof head};
    sink.len = (size_t)snprintf(
        head, sizeof head, "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Length: %zu\r\n",
        a.meta.status, MHD_get_reason_phrase_for((unsigned)a.meta.status),
        date, a.len);
    add_common_headers(&sink, &a.meta, rs, srv);
    if (sink.len + 2 <= sink.cap) { /* the blank line */
        memcpy(head + sink.len, "\r\n", 2);
        sink.len += 2;
    }
    const char *body = a.body ? a.body : a.static_body;
    size_t total = sink.len + a.len;
    char *bytes_out = malloc(total);
    if (cs && bytes_out) {
        memcpy(bytes_out, head, sink.len);
        if (a.len)
            memcpy(bytes_out + sink.len, body, a.len);
        /* A fresh answer on a socket nothing was written to since the
         * request began: the send buffer takes it whole. */
        ssize_t n = send(cs->fd, bytes_out, total, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)n;
        cs->linger = true;
    }
    free(bytes_out);
    free(a.body);
    log_request(srv, rs, &a.meta, a.len);
    log_line line;
    log_line_begin(&line, "warn", "request_cut_off");
    log_line_str(&line, "id", rs->request_id, sizeof rs->request_id);
    log_line_uint(&line, "status", (unsigned)a.meta.status);
    log_line_str(&line, "limit",
                 why == API_REFUSE_TOO_LARGE ? "max_body" : "max_body_memory",
                 32);
    log_line_uint(&line, "bytes_received", bytes);
    log_line_end_limited(&line, "request_cut_off");
    return MHD_NO;
}

/* Logs a request psinet cut off instead of answering, and counts it with
 * the status it would have had. */
static void log_cut_off(http_server *srv, const char *request_id, int status,
                        const char *limit, double ms)
{
    log_line line;
    log_line_begin(&line, "warn", "request_cut_off");
    log_line_str(&line, "id", request_id, 72);
    log_line_uint(&line, "status", (unsigned)status);
    log_line_str(&line, "limit", limit, 32);
    log_line_ms(&line, "ms", ms);
    log_line_end_limited(&line, "request_cut_off");
    metrics_observe(srv->metrics, -1, status, ms);
}

/* The watchdog's report of a connection it cut off (its thread). */
static void on_watchdog_cut(void *arg, const char *request_id, double ms)
{
    if (request_id) { /* a request whose body came too slowly */
        log_cut_off(arg, request_id, 408, "body_timeout", ms);
        return;
    }
    /* No whole request's headers in time: a client trickling them, or one
     * that stayed idle past the idle timeout. Not a request: logged, not
     * counted. */
    log_line line;
    log_line_begin(&line, "info", "connection_cut_off");
    log_line_str(&line, "limit", "body_timeout", 32);
    log_line_str(&line, "reason", "no request's headers arrived in time",
                 64);
    log_line_ms(&line, "ms", ms);
    log_line_end_limited(&line, "connection_cut_off");
}

/* ------------------------------------------------------------ requests */

/* The length the headers announce: Content-Length, or 1 (some) for a
 * chunked body; 0 without a body. *announced is Content-Length's value
 * (the framing check made it a plain number). */
static size_t body_coming(const head_fields *f,
                          unsigned long long *announced)
{
    const char *cl = f->content_length;
    *announced = cl ? strtoull(cl, NULL, 10) : 0;
    if (f->transfer_encoding)
        return 1;
    return *announced > SIZE_MAX ? SIZE_MAX : (size_t)*announced;
}

/* The first call for a request: its headers are in, its body is not.
 * Creates its state and answers at once when the headers already say how:
 * a head that cannot be served (400), a body over max_body (413), a
 * request the api refuses whatever its body (404, 405, 401, 415), or a
 * body the budget has no room for (503). Nothing of such a body is read,
 * buffered or answered 100 Continue. */
static enum MHD_Result on_headers(http_server *srv,
                                  struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, void **con_cls)
{
    request_state *rs = request_new();
    clock_gettime(CLOCK_MONOTONIC, &rs->start);
    rs->srv = srv;
    rs->conn = conn;
    rs->method = method;
    rs->url = url;
    *con_cls = rs;
    metrics_begin(srv->metrics);
    conn_state *cs = conn_of(conn);
    /* One walk over the headers checks them and finds those read here. */
    head_request h = {method, url, version, cs ? cs->target : NULL,
                      cs ? cs->target_len : 0};
    head_fields f;
    const char *why = head_check(conn, &h, &f);
    char id[80];
    set_request_id(rs, head_trim(f.request_id, id, sizeof id));
    watchdog_name(srv->watch, cs ? cs->watch : NULL, rs->request_id);
    const char *origin =
        head_trim(f.origin, rs->origin_buf, sizeof rs->origin_buf);
    rs->origin = cors_allowed(srv, origin) ? origin : NULL;
    rs->content_type = head_trim(f.content_type, rs->content_type_buf,
                                 sizeof rs->content_type_buf);
    rs->authorization = head_trim(f.authorization, rs->authorization_buf,
                                  sizeof rs->authorization_buf);
    rs->if_none_match = f.if_none_match;
    if (atomic_load(&srv->draining))
        return send_error(srv, conn, rs, API_REFUSE_UNAVAILABLE,
                          "psinet is shutting down; try again shortly");
    bool nul = cs && cs->nul;
    if (cs)
        cs->nul = false;
    if (nul)
        return send_error(srv, conn, rs, API_REFUSE_BAD_REQUEST,
                          "the path or query holds an encoded NUL byte "
                          "(%00), which psinet does not accept");
    if (why)
        return send_error(srv, conn, rs, API_REFUSE_BAD_REQUEST, why);
    unsigned long long announced;
    size_t coming = body_coming(&f, &announced);
    if (announced > srv->max_body) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "the body is %llu bytes; the limit is %zu (max_body)",
                 announced, srv->max_body);
        return send_error(srv, conn, rs, API_REFUSE_TOO_LARGE, detail);
    }
    if (coming) {
        api_request head = {.method = method,
                            .path = url,
                            .content_type = rs->content_type,
                            .authorization = rs->authorization,
                            .body_len = coming,
                            .routing = &rs->routing};
        api_response ar;
        if (api_handle_head(srv->ctx, &head, &ar))
            return send_early(srv, conn, rs, &ar);
    }
    if (announced && !reserve(srv, rs, (size_t)announced))
        return send_error(srv, conn, rs, API_REFUSE_UNAVAILABLE,
                          "psinet holds as many request bodies as "
                          "max_body_memory allows; try again shortly");
    rs->expected = (size_t)announced;
    return MHD_YES;
}

/* A held answer's row is written (api_hold_wait's wake): the connection
 * resumes, and on_request ends the hold. */
static void wake_held(void *arg)
{
    request_state *rs = arg;
    rs->done = true;
    MHD_resume_connection(rs->conn); /* rs is not touched after this */
}

/* Makes ar, an answer the api holds until its row is durable (group
 * commit: api_hold), into rs->reply, and leaves the connection suspended
 * until the row is written; the thread goes on to other work meanwhile.
 * The connection is suspended already (a long request) or is suspended
 * here, on its own thread, before the wake can come. */
static void hold_answer(request_state *rs, api_response *ar, bool suspend)
{
    api_hold *hold = ar->hold;
    ar->hold = NULL;
    answer_make(&rs->reply, ar);
    rs->hold = hold;
    if (suspend)
        MHD_suspend_connection(rs->conn);
    api_hold_wait(hold, wake_held, rs);
}

/* A held answer whose row is written: when the row was not committed,
 * its error replaces the answer that named it. */
static void end_hold(request_state *rs)
{
    api_response ar;
    api_hold *hold = rs->hold;
    rs->hold = NULL;
    if (api_hold_end(hold, &ar)) {
        ar.route = rs->reply.meta.route;
        free(rs->reply.body);
        answer_make(&rs->reply, &ar);
    }
}

/* Runs a long request on a work thread (work_fn): the api's answer, made
 * into bytes here, where its JSON arena is; then the connection resumes
 * and sends it (once its row is durable, when the api holds it). When the
 * pool stops first, the answer is a 503. */
static void run_long(void *arg, bool run)
{
    request_state *rs = arg;
    api_response ar;
    if (run)
        api_handle(rs->srv->ctx, &rs->req, &ar);
    else
        api_refuse(&ar, API_REFUSE_UNAVAILABLE,
                   "psinet is shutting down; try again shortly");
    if (ar.hold) {
        hold_answer(rs, &ar, false);
        return;
    }
    answer_make(&rs->reply, &ar);
    rs->done = true;
    MHD_resume_connection(rs->conn); /* rs is not touched after this */
}

/* The last call for a request: all of it is in. Hands it to the api, on
 * this thread or, when it may take long, on a work thread. */
static enum MHD_Result on_whole_request(http_server *srv,
                                        struct MHD_Connection *conn,
                                        request_state *rs)
{
    /* Its deadline no longer runs. */
    watchdog_pause(srv->watch, conn_watch(conn));
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, rs);
    if (rs->query_overflow) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "the query string has more than %d parameters",
                 API_MAX_QUERY);
        return send_error(srv, conn, rs, API_REFUSE_BAD_REQUEST, detail);
    }
    rs->req = (api_request){
        .method = rs->method,
        .path = rs->url,
        .content_type = rs->content_type,
        .authorization = rs->authorization,
        .if_none_match = rs->if_none_match,
        .body = rs->body,
        .body_len = rs->len,
        .query = rs->query,
        .query_count = rs->query_count,
        .can_hold = true,
        .routing = &rs->routing,
    };
    api_response ar;
    if (srv->work && api_takes_long(srv->ctx, &rs->req)) {
        MHD_suspend_connection(conn);
        if (work_submit(srv->work, run_long, rs))
            return MHD_YES;
        api_refuse(&ar, API_REFUSE_BUSY,
                   "psinet has as many long requests waiting as max_queue "
                   "allows; try again shortly");
        answer_make(&rs->reply, &ar);
        rs->done = true;
        MHD_resume_connection(conn);
        return MHD_YES;
    }
    api_handle(srv->ctx, &rs->req, &ar);
    if (ar.hold) {
        hold_answer(rs, &ar, true);
        return MHD_YES;
    }
    return send_response(srv, conn, rs, &ar);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    http_server *srv = cls;
    request_state *rs = *con_cls;
    if (!rs)
        return on_headers(srv, conn, url, method, version, con_cls);
    if (rs->answered) { /* the rest of a refused request */
        *upload_size = 0;
        return MHD_YES;
    }
    if (rs->done) { /* a long or held request, resumed with its answer */
        if (rs->hold)
            end_hold(rs);
        return queue_answer(srv, conn, rs, &rs->reply);
    }
    if (*upload_size == 0)
        return on_whole_request(srv, conn, rs);
    size_t arrived = rs->len + *upload_size;
    body_status st = append_body(srv, rs, upload, *upload_size);
    *upload_size = 0;
    if (st == BODY_TOO_LARGE) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "the body is over %zu bytes, the limit (max_body)",
                 srv->max_body);
        return answer_mid_body(srv, conn, rs, API_REFUSE_TOO_LARGE, detail,
                               arrived);
    }
    if (st == BODY_NO_ROOM)
        return answer_mid_body(srv, conn, rs, API_REFUSE_UNAVAILABLE,
                               "psinet holds as many request bodies as "
                               "max_body_memory allows; try again shortly",
                               arrived);
    /* A body that arrives too slowly is the watchdog's. */
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    http_server *srv = cls;
    watchdog_rearm(srv->watch, conn_watch(conn)); /* the next request's */
    request_state *rs = *con_cls;
    if (!rs)
        return;
    release_body(srv, rs);
    api_hold_free(rs->hold); /* a held answer never sent */
    free(rs->reply.body); /* a long answer never queued */
    api_stream_free(rs->reply.stream);
    request_free(rs);
    *con_cls = NULL;
    metrics_end(srv->metrics);
}

/* Decodes %HH escapes in a path or query value, except that a text with
 * %00 in it is left as it came, and the connection marked: decoded, the NUL
 * would end the C string early, and "/v1/experiments/ID%00.json" would
 * reach experiment ID. on_request refuses the request; its log line shows
 * the path whole. (A decoded "%2500" is the text "%00", and fine.) */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    for (const char *p = s; (p = strchr(p, '%')) != NULL; p++) {
        if (p[1] == '0' && p[2] == '0') {
            conn_state *cs = conn_of(conn);
            if (cs)
                cs->nul = true;
            return strlen(s);
        }
    }
    return MHD_http_unescape(s);
}

/* libmicrohttpd's URI log callback: the request target as it arrived,
 * before anything in it is decoded or split. A raw NUL in it ends this
 * string early; head_check compares its length with the room the target
 * takes in the request line. */
static void *on_target(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    conn_state *cs = conn_of(conn);
    if (cs) {
        cs->target = uri;
        cs->target_len = strlen(uri);
    }
    return NULL;
}

/* Connections open and close: each gets its state, the watchdog follows
 * its socket, and one answered early lingers when it closes. */
static void on_connection(void *cls, struct MHD_Connection *conn,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    http_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        atomic_fetch_add(&srv->connections, 1);
        conn_state *cs = calloc(1, sizeof *cs);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (cs) {
            cs->fd = ci ? ci->connect_fd : -1;
            if (ci)
                cs->watch = watchdog_add(srv->watch, ci->connect_fd);
        }
        *socket_context = cs;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        atomic_fetch_sub(&srv->connections, 1);
        conn_state *cs = *socket_context;
        if (cs) {
            watchdog_remove(srv->watch, cs->watch);
            /* libmicrohttpd closes its descriptor next; a duplicate keeps
             * the socket open while it lingers. */
            if (cs->linger && cs->fd >= 0)
                linger_add(srv->linger, dup(cs->fd));
            free(cs);
        }
        *socket_context = NULL;
    }
}

/* libmicrohttpd's accept policy: a connection beyond the cap is closed at
 * once rather than left to wait in the kernel's queue. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr,
                                 socklen_t addrlen)
{
    (void)addr;
    (void)addrlen;
    http_server *srv = cls;
    if (atomic_load(&srv->connections) < srv->connection_cap)
        return MHD_YES;
    log_line line;
    log_line_begin(&line, "warn", "connection_refused");
    log_line_str(&line, "limit", "max_connections", 32);
    log_line_uint(&line, "open", atomic_load(&srv->connections));
    log_line_end_limited(&line, "connection_refused");
    return MHD_NO;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    /* Its warnings come one per refused connection or request: at most a
     * few a second are written (server/log.h). */
    log_line line;
    log_line_begin(&line, "warn", "libmicrohttpd");
    log_line_str(&line, "msg", msg, sizeof msg);
    log_line_end_limited(&line, "libmicrohttpd");
}

/* ------------------------------------------------------------ the daemon */

/* Splits "a, b,c" into srv->cors_origins; "*" allows any origin. */
static int parse_cors(http_server *srv, const char *list)
{
    const char *p = list;
    while (*p) {
        p += strspn(p, " ,");
        size_t n = strcspn(p, ",");
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (n == 1 && *p == '*') {
            srv->cors_any = true;
        } else if (n > 0) {
            if (srv->cors_count == CORS_MAX_ORIGINS)
                return -1;
            srv->cors_origins[srv->cors_count] = strndup(p, n);
            if (!srv->cors_origins[srv->cors_count++])
                return -1;
        }
        p += n;
        p += strspn(p, " ");
    }
    return 0;
}

static void free_server(http_server *srv)
{
    metrics_watch_work(srv->metrics, NULL);
    work_stop(srv->work);
    watchdog_stop(srv->watch);
    linger_stop(srv->linger);
    reclaim_stop(srv->reclaim);
    for (size_t i = 0; i < srv->cors_count; i++)
        free(srv->cors_origins[i]);
    free(srv);
}

/* Fills addr (and the IPv6 flag) from --bind and --port; false when
 * --bind is not an address. */
static bool bind_address(const server_config *cfg,
                         struct sockaddr_storage *addr, unsigned *flags)
{
    memset(addr, 0, sizeof *addr);
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET, cfg->bind, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)cfg->port);
        return true;
    }
    if (inet_pton(AF_INET6, cfg->bind, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)cfg->port);
        *flags |= MHD_USE_IPv6;
        return true;
    }
    log_event("error", "config", "--bind %s is not an IPv4 or IPv6 address",
              cfg->bind);
    return false;
}

/* Starts the deadlines' watchdog when --body-timeout asks for one; false
 * when its thread cannot start. */
static bool start_watchdog(http_server *srv, const server_config *cfg)
{
    if (cfg->body_timeout == 0)
        return true;
    /* Headers get the longer of the two timeouts: an idle kept-alive
     * connection is the idle timeout's to close. */
    unsigned headers = cfg->body_timeout > cfg->connection_timeout
                           ? cfg->body_timeout
                           : cfg->connection_timeout;
    srv->watch = watchdog_start(headers * 1000u, cfg->body_timeout * 1000u,
                                cfg->max_connections, on_watchdog_cut, srv);
    if (!srv->watch)
        log_event("error", "watchdog", "cannot start its thread");
    return srv->watch != NULL;
}

/* Starts the helper threads: lingering, reclaiming, long requests. */
static bool start_helpers(http_server *srv, const server_config *cfg)
{
    srv->linger = linger_start();
    srv->reclaim = reclaim_start();
    srv->work = work_start(cfg->threads, cfg->max_queue);
    if (!srv->linger || !srv->reclaim || !srv->work) {
        log_event("error", "threads", "cannot start psinet's threads");
        return false;
    }
    metrics_watch_work(srv->metrics, srv->work);
    return true;
}

/* Raises the limit of open files to what the connections need (their
 * sockets, lingering ones, and the database's files: a file, its WAL and
 * its shared memory for each of 2 * threads connections), up to the hard
 * limit; warns when even that is short. */
static void raise_file_limit(unsigned connections, unsigned threads)
{
    rlim_t need = (rlim_t)connections + LINGER_MAX_SOCKETS + 6 * threads + 64;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need
                      ? need
                      : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < need)
        log_event("warn", "config",
                  "the limit of open files (%llu) is below what %u "
                  "connections need (%llu): raise it (ulimit -n) or lower "
                  "--max-connections",
                  (unsigned long long)rl.rlim_cur, connections,
                  (unsigned long long)need);
}

http_server *http_start(const server_config *cfg, const api_ctx *ctx,
                        server_metrics *metrics)
{
    http_server *srv = mem_calloc(1, sizeof *srv);
    srv->ctx = ctx;
    srv->metrics = metrics;
    srv->max_body = cfg->limits.max_body;
    srv->body_budget = cfg->max_body_memory;
    srv->max_connections = cfg->max_connections;
    /* Past --max-connections, a quarter more are taken in and answered
     * (their headers get the watchdog's shortest time, and each answer
     * closes its connection); past that, a connection is closed at once. */
    unsigned headroom = cfg->max_connections / 4;
    srv->connection_cap = cfg->max_connections + (headroom < 16 ? 16 : headroom);
    struct sockaddr_storage addr;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                     MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
    if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
        flags |= MHD_USE_EPOLL;
    if (parse_cors(srv, cfg->cors_origins) != 0) {
        log_event("error", "config",
                  "--cors-origins lists more than %d origins",
                  CORS_MAX_ORIGINS);
        goto fail;
    }
    if (!start_helpers(srv, cfg) || !start_watchdog(srv, cfg) ||
        !bind_address(cfg, &addr, &flags))
        goto fail;
    /* libmicrohttpd's own limit is above the cap, which on_accept keeps:
     * it would leave connections past it in the kernel's queue. */
    unsigned mhd_limit = srv->connection_cap + 2 * cfg->threads + 16;
    raise_file_limit(mhd_limit, cfg->threads);
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, on_accept, srv, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout,
        MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONNECTION_POOL,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_connections_per_ip,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, on_target, NULL,
        MHD_OPTION_END);
    if (!srv->daemon) {
        log_event("error", "listen",
                  "cannot listen on %s port %u (in use, or not an address "
                  "of this machine?)",
                  cfg->bind, cfg->port);
        goto fail;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : cfg->port;
    return srv;
fail:
    free_server(srv);
    return NULL;
}

unsigned http_port(const http_server *srv)
{
    return srv->port;
}

void http_stop(http_server *srv, unsigned grace_ms)
{
    if (!srv)
        return;
    /* Drain: requests already in flight finish; any new one is answered
     * 503 with Connection: close. (MHD_quiesce_daemon would close the
     * listening socket instead, but in libmicrohttpd 0.9.75 it races the
     * epoll worker threads and can abort the process.) */
    atomic_store(&srv->draining, true);
    for (unsigned waited = 0;
         metrics_in_flight(srv->metrics) > 0 && waited < grace_ms;
         waited += 10) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* Long requests still running finish, and those still waiting are
     * answered 503 (a stream waiting for its next part is cut), before the
     * daemon stops: it must have no suspended connection left. The pool
     * stays allocated, refusing work, until the daemon's threads are gone
     * (free_server). */
    work_drain(srv->work);
    /* Then every row waiting for group commit is committed and its held
     * answer resumed (api_db_drain): no connection is left suspended on
     * a hold either. */
    api_db_drain(srv->ctx);
    MHD_stop_daemon(srv->daemon);
    free_server(srv);
}
