/* server/metrics.h - counters for GET /metrics (Prometheus text format).
 *
 * Every request is counted by route and status, with a latency histogram per
 * route; in-flight requests are a gauge. All updates are lock-free atomics,
 * so observing a request costs a few relaxed increments. */
#ifndef PSINET_SERVER_METRICS_H
#define PSINET_SERVER_METRICS_H

#include <stddef.h>

typedef struct server_metrics server_metrics;

/* A new set of counters for the api's routes; db_path (copied) is measured
 * for psinet_database_bytes. */
server_metrics *metrics_new(const char *db_path);
void metrics_free(server_metrics *m);

/* A request has started / finished. */
void metrics_begin(server_metrics *m);
void metrics_end(server_metrics *m);
long metrics_in_flight(const server_metrics *m);

/* Counts one answered request of route (-1: none matched). */
void metrics_observe(server_metrics *m, int route, int status, double ms);

/* The long-request pool whose waiting and running requests are gauges
 * (NULL: none, e.g. before it starts and once it is stopped). */
struct work_pool;
void metrics_watch_work(server_metrics *m, struct work_pool *work);

/* An api_metrics_fn: renders m (arg) as Prometheus text. */
int metrics_render(void *arg, char **text, size_t *len);

#endif
