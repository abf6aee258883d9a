/* server/main.c - the psinet process: configuration, store, HTTP daemon,
 * signals. */
#include <cblas.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "server/config.h"
#include "server/http.h"
#include "server/log.h"
#include "store/store.h"

/* How long in-flight requests get to finish after SIGTERM or SIGINT. */
#define SHUTDOWN_GRACE_MS 5000

int main(int argc, char **argv)
{
    server_config cfg;
    char err[512];
    if (config_load(&cfg, argc, argv, err, sizeof err) != 0) {
        fprintf(stderr, "psinet: %s\n", err);
        return 2;
    }
    if (cfg.show_help) {
        config_usage(argv[0], stdout);
        return 0;
    }
    if (cfg.show_version) {
        printf("psinet %s\n", PSINET_VERSION);
        return 0;
    }

    /* The server's worker threads are the parallelism; a BLAS spawning its
     * own threads inside each of them would only oversubscribe the cores. */
    openblas_set_num_threads(1);

    /* Block the stop signals before any thread starts, so that every thread
     * inherits the mask and only sigwait below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    api_ctx ctx = {.version = PSINET_VERSION, .limits = cfg.limits, .db = NULL};
    store_status st;
    ctx.db = store_open(cfg.db_path, (int)cfg.threads, &st, err, sizeof err);
    if (!ctx.db) {
        log_event("error", "database", "cannot use %s: %s", cfg.db_path, err);
        return 1;
    }

    http_server *srv = http_start(&cfg, &ctx);
    if (!srv) {
        store_close(ctx.db);
        return 1;
    }
    char fields[256];
    snprintf(fields, sizeof fields,
             "\"level\":\"info\",\"event\":\"listening\",\"bind\":\"%s\","
             "\"port\":%u,\"threads\":%u,\"version\":\"%s\"",
             cfg.bind, http_port(srv), cfg.threads, PSINET_VERSION);
    log_json(fields);
    log_event("info", "database", "using %s (schema version %d)",
              cfg.db_path, store_known_schema_version());

    int sig = 0;
    sigwait(&stop, &sig);
    log_event("info", "stopping", "%s received: finishing in-flight requests",
              sig == SIGTERM ? "SIGTERM" : "SIGINT");
    http_stop(srv, SHUTDOWN_GRACE_MS);
    store_close(ctx.db);
    log_event("info", "stopped", "psinet stopped cleanly");
    return 0;
}
