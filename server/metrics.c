/* server/metrics.c - request counters and latency histograms. */
#include "server/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api.h"
#include "core/mem.h"
#include "server/work.h"

/* The statuses psinet answers with, each counted on its own. */
static const int statuses[] = {200, 201, 204, 400, 401, 404, 405, 408,
                               413, 415, 422, 500, 503};
#define STATUS_COUNT (sizeof statuses / sizeof statuses[0])
#define STATUS_OTHER STATUS_COUNT

/* Latency bucket bounds in seconds (Prometheus "le"); +Inf is implicit. */
static const double bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                0.005,  0.01,    0.025,  0.05,  0.1,
                                0.25,   0.5,     1.0,    2.5};
#define BUCKET_COUNT (sizeof bounds / sizeof bounds[0])

typedef struct {
    atomic_ulong by_status[STATUS_COUNT + 1];
    atomic_ulong buckets[BUCKET_COUNT + 1]; /* non-cumulative */
    atomic_ulong micros;                    /* sum of latencies */
} route_metrics;

struct server_metrics {
    char *db_path;
    int routes;           /* api routes, plus one for "none" */
    route_metrics *per_route;
    atomic_long in_flight;
    struct work_pool *_Atomic work;
};

server_metrics *metrics_new(const char *db_path)
{
    server_metrics *m = mem_calloc(1, sizeof *m);
    m->routes = api_route_count() + 1;
    m->per_route = mem_calloc((size_t)m->routes, sizeof *m->per_route);
    m->db_path = mem_strdup(db_path);
    return m;
}

void metrics_free(server_metrics *m)
{
    if (!m)
        return;
    free(m->per_route);
    free(m->db_path);
    free(m);
}

void metrics_watch_work(server_metrics *m, work_pool *work)
{
    atomic_store(&m->work, work);
}

void metrics_begin(server_metrics *m)
{
    atomic_fetch_add_explicit(&m->in_flight, 1, memory_order_relaxed);
}

void metrics_end(server_metrics *m)
{
    atomic_fetch_sub_explicit(&m->in_flight, 1, memory_order_relaxed);
}

long metrics_in_flight(const server_metrics *m)
{
    return atomic_load_explicit(&m->in_flight, memory_order_relaxed);
}

void metrics_observe(server_metrics *m, int route, int status, double ms)
{
    if (route < 0 || route >= m->routes - 1)
        route = m->routes - 1;
    route_metrics *r = &m->per_route[route];
    size_t s = 0;
    while (s < STATUS_COUNT && statuses[s] != status)
        s++;
    atomic_fetch_add_explicit(&r->by_status[s], 1, memory_order_relaxed);
    double seconds = ms / 1000.0;
    size_t b = 0;
    while (b < BUCKET_COUNT && seconds > bounds[b])
        b++;
    atomic_fetch_add_explicit(&r->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->micros, (unsigned long)(ms * 1000.0),
                              memory_order_relaxed);
}

typedef struct {
    char *buf;
    size_t len, cap;
    int failed;
} text_buf;

static void put(text_buf *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(text_buf *t, const char *fmt, ...)
{
    for (int attempt = 0; attempt < 2 && !t->failed; attempt++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n + 1) * 2;
        char *b = realloc(t->buf, cap);
        if (!b) {
            t->failed = 1;
            return;
        }
        t->buf = b;
        t->cap = cap;
    }
}

static long long file_size(const char *path, const char *suffix)
{
    char p[1100];
    snprintf(p, sizeof p, "%s%s", path, suffix);
    struct stat st;
    return stat(p, &st) == 0 ? (long long)st.st_size : 0;
}

/* psinet_requests_total, by route and status. */
static void put_counts(text_buf *t, const server_metrics *m)
{
    put(t, "# HELP psinet_requests_total Requests answered, by route and "
           "status.\n# TYPE psinet_requests_total counter\n");
    for (int r = 0; r < m->routes; r++) {
        const route_metrics *rm = &m->per_route[r];
        for (size_t s = 0; s <= STATUS_COUNT; s++) {
            unsigned long n = atomic_load(&rm->by_status[s]);
            if (!n)
                continue;
            char status[8];
            if (s < STATUS_COUNT)
                snprintf(status, sizeof status, "%d", statuses[s]);
            else
                snprintf(status, sizeof status, "other");
            put(t, "psinet_requests_total{route=\"%s\",status=\"%s\"} %lu\n",
                api_route_name(r), status, n);
        }
    }
}

/* psinet_request_duration_seconds, a histogram by route. */
static void put_durations(text_buf *t, const server_metrics *m)
{
    put(t, "# HELP psinet_request_duration_seconds Time to answer a request, "
           "by route.\n# TYPE psinet_request_duration_seconds histogram\n");
    for (int r = 0; r < m->routes; r++) {
        const route_metrics *rm = &m->per_route[r];
        unsigned long total = 0;
        for (size_t b = 0; b <= BUCKET_COUNT; b++)
            total += atomic_load(&rm->buckets[b]);
        if (!total)
            continue;
        const char *name = api_route_name(r);
        unsigned long cumulative = 0;
        for (size_t b = 0; b < BUCKET_COUNT; b++) {
            cumulative += atomic_load(&rm->buckets[b]);
            put(t,
                "psinet_request_duration_seconds_bucket{route=\"%s\","
                "le=\"%g\"} %lu\n",
                name, bounds[b], cumulative);
        }
        put(t,
            "psinet_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"}"
            " %lu\n"
            "psinet_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
            "psinet_request_duration_seconds_count{route=\"%s\"} %lu\n",
            name, total, name, (double)atomic_load(&rm->micros) / 1e6, name,
            total);
    }
}

/* The gauges, and the count of database errors. */
static void put_gauges(text_buf *t, const server_metrics *m)
{
    unsigned long db_errors = 0;
    for (int r = 0; r < m->routes; r++)
        db_errors += atomic_load(&m->per_route[r].by_status[STATUS_COUNT - 1]);
    put(t,
        "# HELP psinet_requests_in_flight Requests being received or "
        "answered.\n# TYPE psinet_requests_in_flight gauge\n"
        "psinet_requests_in_flight %ld\n"
        "# HELP psinet_database_bytes Size of the database file and its "
        "write-ahead log.\n# TYPE psinet_database_bytes gauge\n"
        "psinet_database_bytes %lld\n"
        "# HELP psinet_database_errors_total Requests answered 503 because "
        "the database was busy, full, read-only or failing.\n"
        "# TYPE psinet_database_errors_total counter\n"
        "psinet_database_errors_total %lu\n",
        metrics_in_flight(m),
        file_size(m->db_path, "") + file_size(m->db_path, "-wal"), db_errors);
    work_pool *work = atomic_load(&m->work);
    if (work)
        put(t,
            "# HELP psinet_long_requests_waiting Long requests queued for "
            "a thread of their pool.\n"
            "# TYPE psinet_long_requests_waiting gauge\n"
            "psinet_long_requests_waiting %u\n"
            "# HELP psinet_long_requests_running Long requests being run "
            "by their pool.\n# TYPE psinet_long_requests_running gauge\n"
            "psinet_long_requests_running %u\n",
            work_waiting(work), work_running(work));
}

int metrics_render(void *arg, char **text, size_t *len)
{
    const server_metrics *m = arg;
    text_buf t = {malloc(8192), 0, 8192, 0};
    if (!t.buf)
        return -1;
    t.buf[0] = '\0';
    put_counts(&t, m);
    put_durations(&t, m);
    put_gauges(&t, m);
    if (t.failed) {
        free(t.buf);
        return -1;
    }
    *text = t.buf;
    *len = t.len;
    return 0;
}
