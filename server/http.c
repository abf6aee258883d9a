/* server/http.c - libmicrohttpd glue. */
#include "server/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/entropy.h"
#include "core/mem.h"
#include "core/timing.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/watchdog.h"

#define CORS_MAX_ORIGINS 32

struct http_server {
    struct MHD_Daemon *daemon;
    const api_ctx *ctx;
    server_metrics *metrics;
    size_t max_body;
    watchdog *watch;          /* the request deadline; NULL: none */
    atomic_bool draining;     /* stopping: new requests get 503 */
    unsigned port;
    bool cors_any;            /* --cors-origins '*' */
    size_t cors_count;
    char *cors_origins[CORS_MAX_ORIGINS];
};

/* Per-request state, created on the first call of the access handler and
 * freed in the completion callback. */
typedef struct {
    char *body;
    size_t len, cap;
    size_t expected; /* the Content-Length, when given */
    bool too_large;
    bool answered; /* a response is queued: drop whatever else arrives */
    api_query_param query[API_MAX_QUERY];
    size_t query_count;
    bool query_overflow;
    struct timespec start;
    char request_id[72];
    const char *origin; /* the Origin header when CORS allows it, or NULL */
} request_state;

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

/* What the framing check found in a request's headers. */
typedef struct {
    int content_length;    /* Content-Length headers */
    int transfer_encoding; /* Transfer-Encoding headers */
    bool malformed;        /* a header psinet cannot frame safely by */
} framing;

/* Whether c may appear in a header name (an RFC 9110 token). */
static bool is_token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static enum MHD_Result check_framing_header(void *cls,
                                            enum MHD_ValueKind kind,
                                            const char *key,
                                            const char *value)
{
    (void)kind;
    framing *f = cls;
    /* A name libmicrohttpd keeps with a space or another non-token byte in
     * it ("Content-Length : 5") is not one it frames the body by, while a
     * proxy in front may: the body would be read as a second request. */
    for (const unsigned char *k = (const unsigned char *)key; *k; k++)
        if (!is_token_char(*k))
            f->malformed = true;
    /* libmicrohttpd 0.9.75 joins an obs-folded line to the name before it
     * ("Content-Length:\r\n 5" arrives as "Content-Length5" with no value),
     * and then frames by neither: such a name is refused too. */
    static const char *const framing_names[] = {
        MHD_HTTP_HEADER_CONTENT_LENGTH, MHD_HTTP_HEADER_TRANSFER_ENCODING};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(framing_names[i]);
        if (strncasecmp(key, framing_names[i], n) == 0 && key[n] != '\0')
            f->malformed = true;
    }
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        f->content_length++;
        if (!value || !*value || strspn(value, "0123456789") != strlen(value))
            f->malformed = true;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        f->transfer_encoding++;
        if (!value || strcasecmp(value, "chunked") != 0)
            f->malformed = true;
    }
    return MHD_YES;
}

/* Whether the request's length is ambiguous: two Content-Length headers,
 * Content-Length with Transfer-Encoding, a Content-Length that is not a
 * plain number, a Transfer-Encoding other than "chunked", or a header name
 * that is not a token or runs on from a framing header's (obs-fold). Such
 * a request is refused and its connection closed
 * (RFC 9112 section 6.3): whatever follows it on the connection might be
 * read as a second, smuggled request. */
static bool ambiguous_framing(struct MHD_Connection *conn)
{
    framing f = {0, 0, false};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, check_framing_header,
                              &f);
    return f.malformed || f.content_length > 1 || f.transfer_encoding > 1 ||
           (f.content_length && f.transfer_encoding);
}

/* What psinet keeps for each connection (libmicrohttpd's socket context):
 * created when it opens, freed when it closes. */
typedef struct {
    watch_entry *watch; /* its deadline (NULL without one) */
    bool nul;           /* the request being read had %00 in its path or
                           query (see unescape); refused, then cleared */
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

/* Appends upload bytes to the body, or marks it too large once it would pass
 * the cap (the rest is then read and dropped, never stored). */
static void append_body(request_state *rs, const char *data, size_t n,
                        size_t max)
{
    if (rs->too_large)
        return;
    if (n > max - rs->len) {
        rs->too_large = true;
        free(rs->body);
        rs->body = NULL;
        rs->len = rs->cap = 0;
        return;
    }
    if (rs->len + n > rs->cap) {
        /* A body of announced length is held in one allocation of that
         * size (it is at most max_body: larger ones were refused). */
        size_t cap = rs->cap ? rs->cap
                     : rs->expected >= n ? rs->expected
                                         : 4096;
        while (cap < rs->len + n)
            cap *= 2;
        if (cap > max)
            cap = max;
        char *b = realloc(rs->body, cap);
        if (!b) {
            rs->too_large = true; /* answered as 413: cannot hold it */
            free(rs->body);
            rs->body = NULL;
            rs->len = rs->cap = 0;
            return;
        }
        rs->body = b;
        rs->cap = cap;
    }
    memcpy(rs->body + rs->len, data, n);
    rs->len += n;
}

/* Adds the headers every response carries, and CORS's. */
static void add_common_headers(struct MHD_Response *r, const api_response *ar,
                               const request_state *rs,
                               const http_server *srv)
{
    bool any_origin = srv->cors_any;
    MHD_add_response_header(r, "X-Request-Id", rs->request_id);
    /* With a list of origins the answer depends on Origin, allowed or not:
     * a shared cache must not hand one origin's answer to another. */
    if (srv->cors_count > 0 && !any_origin)
        MHD_add_response_header(r, "Vary", "Origin");
    if (rs->origin) {
        MHD_add_response_header(r, "Access-Control-Allow-Origin",
                                any_origin ? "*" : rs->origin);
        MHD_add_response_header(r, "Access-Control-Expose-Headers",
                                "Location, X-Request-Id, Retry-After, "
                                "WWW-Authenticate");
        const char *allow = api_response_get_header(ar, "Allow");
        if (ar->status == 204 && allow) { /* a preflight */
            MHD_add_response_header(r, "Access-Control-Allow-Methods", allow);
            MHD_add_response_header(r, "Access-Control-Allow-Headers",
                                    "Content-Type, Authorization, "
                                    "X-Request-Id");
            MHD_add_response_header(r, "Access-Control-Max-Age", "600");
        }
    }
    if (ar->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                ar->content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (!api_response_get_header(ar, "Cache-Control"))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    for (size_t i = 0; i < ar->header_count; i++)
        MHD_add_response_header(r, ar->headers[i].name, ar->headers[i].value);
}

/* Queues ar on the connection; logs the request. Writing a JSON body can
 * turn ar into a 503 when memory runs out (api_response_body). */
static enum MHD_Result send_response(http_server *srv,
                                     struct MHD_Connection *conn,
                                     const char *method, const char *url,
                                     request_state *rs, api_response *ar)
{
    struct MHD_Response *r;
    size_t len = 0;
    char *body = ar->json ? api_response_body(ar, &len) : NULL;
    if (body) {
        r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!r)
            free(body);
    } else {
        len = ar->raw ? ar->raw_len : 0;
        r = MHD_create_response_from_buffer(
            len, (void *)(ar->raw ? ar->raw : ""),
            ar->owned_raw ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;
    add_common_headers(r, ar, rs, srv);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)ar->status, r);
    MHD_destroy_response(r);

    double ms = elapsed_ms(&rs->start);
    metrics_observe(srv->metrics, ar->route, ar->status, ms);
    log_line line;
    log_line_begin(&line, "info", "request");
    log_line_str(&line, "id", rs->request_id, sizeof rs->request_id);
    log_line_str(&line, "method", method, 16);
    log_line_str(&line, "path", url, 512);
    log_line_str(&line, "route", api_route_name(ar->route), 64);
    log_line_uint(&line, "status", (unsigned)ar->status);
    log_line_uint(&line, "bytes", len);
    log_line_ms(&line, "ms", ms);
    if (ar->status >= 500)
        log_line_end(&line); /* a server error is written at once */
    else
        log_line_end_batched(&line);
    return ret;
}

/* An error response made here, before the api layer runs (400 framing,
 * 413, 503 while draining), always with Connection: close since the rest
 * of the request is not read. */
static enum MHD_Result send_error(http_server *srv,
                                  struct MHD_Connection *conn,
                                  const char *method, const char *url,
                                  request_state *rs, api_refusal why,
                                  const char *detail)
{
    rs->answered = true;
    api_response ar;
    api_refuse(&ar, why, detail);
    enum MHD_Result ret = send_response(srv, conn, method, url, rs, &ar);
    api_response_free(&ar);
    return ret;
}

/* Logs a request psinet cut off instead of answering, and counts it with
 * the status it would have had. request_id is NULL when its headers never
 * arrived. */
static void log_cut_off(http_server *srv, const char *request_id,
                        const char *method, const char *url, int status,
                        const char *limit, size_t bytes, double ms)
{
    log_line line;
    log_line_begin(&line, "warn", "request_cut_off");
    log_line_str(&line, "id", request_id, 72);
    log_line_str(&line, "method", method, 16);
    log_line_str(&line, "path", url, 512);
    log_line_uint(&line, "status", (unsigned)status);
    log_line_str(&line, "limit", limit, 32);
    log_line_uint(&line, "bytes_received", bytes);
    log_line_ms(&line, "ms", ms);
    log_line_end(&line);
    metrics_observe(srv->metrics, -1, status, ms);
}

/* The watchdog's report of a connection it cut off (its thread). */
static void on_watchdog_cut(void *arg, const char *request_id, double ms)
{
    if (request_id) { /* a request whose body came too slowly */
        log_cut_off(arg, request_id, NULL, NULL, 408, "body_timeout", 0, ms);
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
    log_line_end(&line);
}

/* Drops the connection of a request whose body cannot be accepted (it
 * passed max_body with no Content-Length to refuse it by up front). */
static enum MHD_Result cut_off(http_server *srv, const char *method,
                               const char *url, request_state *rs,
                               size_t bytes)
{
    log_cut_off(srv, rs->request_id, method, url, 413, "max_body", bytes,
                elapsed_ms(&rs->start));
    rs->answered = true;
    return MHD_NO;
}

/* The first call for a request: its headers are in, its body is not.
 * Creates its state and refuses it at once when the headers already say
 * it cannot be served. */
static enum MHD_Result on_headers(http_server *srv,
                                  struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  void **con_cls)
{
    request_state *rs = mem_calloc(1, sizeof *rs);
    clock_gettime(CLOCK_MONOTONIC, &rs->start);
    *con_cls = rs;
    metrics_begin(srv->metrics);
    set_request_id(rs, MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                   "X-Request-Id"));
    conn_state *cs = conn_of(conn);
    watchdog_name(srv->watch, cs ? cs->watch : NULL, rs->request_id);
    const char *origin =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    rs->origin = cors_allowed(srv, origin) ? origin : NULL;
    if (atomic_load(&srv->draining))
        return send_error(srv, conn, method, url, rs, API_REFUSE_UNAVAILABLE,
                          "psinet is shutting down; try again shortly");
    bool nul = cs && cs->nul;
    if (cs)
        cs->nul = false;
    if (nul)
        return send_error(srv, conn, method, url, rs, API_REFUSE_BAD_REQUEST,
                          "the path or query holds an encoded NUL byte "
                          "(%00), which psinet does not accept");
    if (ambiguous_framing(conn))
        return send_error(srv, conn, method, url, rs, API_REFUSE_BAD_REQUEST,
                          "the request's framing is ambiguous: two "
                          "Content-Length headers, Content-Length with "
                          "Transfer-Encoding, a Content-Length that is not "
                          "a number, a Transfer-Encoding other than "
                          "chunked, or a header name with a space in it");
    const char *cl = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long announced = cl ? strtoull(cl, NULL, 10) : 0;
    if (announced > srv->max_body) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "the body is %.24s bytes; the limit is %zu (max_body)", cl,
                 srv->max_body);
        return send_error(srv, conn, method, url, rs, API_REFUSE_TOO_LARGE,
                          detail);
    }
    rs->expected = (size_t)announced;
    return MHD_YES;
}

/* The last call for a request: all of it is in. Hands it to the api. */
static enum MHD_Result on_whole_request(http_server *srv,
                                        struct MHD_Connection *conn,
                                        const char *url, const char *method,
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
        return send_error(srv, conn, method, url, rs, API_REFUSE_BAD_REQUEST,
                          detail);
    }
    api_request req = {
        .method = method,
        .path = url,
        .content_type = MHD_lookup_connection_value(
            conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        .authorization = MHD_lookup_connection_value(
            conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        .if_none_match = MHD_lookup_connection_value(
            conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
        .body = rs->body,
        .body_len = rs->len,
        .query = rs->query,
        .query_count = rs->query_count,
    };
    api_response ar;
    api_handle(srv->ctx, &req, &ar);
    enum MHD_Result ret = send_response(srv, conn, method, url, rs, &ar);
    api_response_free(&ar);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    http_server *srv = cls;
    request_state *rs = *con_cls;
    if (!rs)
        return on_headers(srv, conn, url, method, con_cls);
    if (rs->answered) { /* the rest of a refused request */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size == 0)
        return on_whole_request(srv, conn, url, method, rs);
    size_t arrived = rs->len + *upload_size;
    append_body(rs, upload, *upload_size, srv->max_body);
    *upload_size = 0;
    /* libmicrohttpd 0.9.75 cannot queue a response while a body is
     * arriving, so a body of unannounced length (chunked) that passes the
     * cap is cut off by closing the connection; the log says why. A body
     * that arrives too slowly is the watchdog's. */
    return rs->too_large ? cut_off(srv, method, url, rs, arrived) : MHD_YES;
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
    free(rs->body);
    free(rs);
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

/* Connections open and close: each gets its state, and the watchdog
 * follows its socket. */
static void on_connection(void *cls, struct MHD_Connection *conn,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    http_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_state *cs = calloc(1, sizeof *cs);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (cs && ci)
            cs->watch = watchdog_add(srv->watch, ci->connect_fd);
        *socket_context = cs;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        conn_state *cs = *socket_context;
        if (cs) {
            watchdog_remove(srv->watch, cs->watch);
            free(cs);
        }
        *socket_context = NULL;
    }
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_event("warn", "libmicrohttpd", "%s", msg);
}

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
    watchdog_stop(srv->watch);
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
                                on_watchdog_cut, srv);
    if (!srv->watch)
        log_event("error", "watchdog", "cannot start its thread");
    return srv->watch != NULL;
}

http_server *http_start(const server_config *cfg, const api_ctx *ctx,
                        server_metrics *metrics)
{
    http_server *srv = mem_calloc(1, sizeof *srv);
    srv->ctx = ctx;
    srv->metrics = metrics;
    srv->max_body = cfg->limits.max_body;
    struct sockaddr_storage addr;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                     MHD_USE_ITC;
    if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
        flags |= MHD_USE_EPOLL;
    if (parse_cors(srv, cfg->cors_origins) != 0) {
        log_event("error", "config",
                  "--cors-origins lists more than %d origins",
                  CORS_MAX_ORIGINS);
        goto fail;
    }
    if (!start_watchdog(srv, cfg) || !bind_address(cfg, &addr, &flags))
        goto fail;
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_connections_per_ip,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
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
    MHD_stop_daemon(srv->daemon);
    free_server(srv);
}
