/* server/main.c - the psinet process: configuration, store, HTTP daemon,
 * signals. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__ /* defined by the headers above */
#include <malloc.h>
#endif

#include "api/api.h"
#include "server/config.h"
#include "server/healthcheck.h"
#include "server/http.h"
#include "server/log.h"
#include "server/metrics.h"

/* How long in-flight requests get to finish after SIGTERM or SIGINT. */
#define SHUTDOWN_GRACE_MS 5000

/* The stop signals are turned into a byte on this pipe, which main waits
 * on. A handler (rather than blocking the signals and sigwait) works even
 * for threads that libraries started before main, such as a BLAS pool,
 * which would otherwise take the default action and kill the process. */
static int stop_pipe[2] = {-1, -1};

static void on_stop_signal(int sig)
{
    unsigned char b = (unsigned char)sig;
    ssize_t n = write(stop_pipe[1], &b, 1);
    (void)n;
}

/* Installs on_stop_signal for SIGINT and SIGTERM; ignores SIGPIPE. */
static int install_signals(void)
{
    if (pipe(stop_pipe) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return -1;
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* Blocks until a stop signal arrives; returns it. */
static int wait_for_stop(void)
{
    unsigned char b = 0;
    while (read(stop_pipe[0], &b, 1) != 1)
        ;
    return b;
}

/* Whether argv asks for --healthcheck, which must exit 1 rather than 2 on
 * a bad configuration: a container runtime reserves a HEALTHCHECK's 2. */
static bool asks_for_healthcheck(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--healthcheck") == 0)
            return true;
    return false;
}

/* Sets up the process before any thread serves: the layers below
 * (api_init), glibc's allocator and the stop signals. False when the
 * signals cannot be installed. */
static bool set_up_process(void)
{
    /* jansson allocates from a per-request arena, and the BLAS keeps to
     * the calling thread: the server's worker threads are the parallelism,
     * and a BLAS spawning its own threads inside each of them would only
     * oversubscribe the cores. */
    api_init();
#ifdef __GLIBC__
    /* Bodies and their arrays run to megabytes. glibc would give each its
     * own mmap and unmap it on free, and every request would pay a page
     * fault per 4 KiB again (a third of the time of a 2.8 MB binary layer
     * request). Up to 32 MiB they come from the heap instead, and up to
     * 4 MiB of freed memory at the top of each thread's heap is kept for
     * the next request; more is given back as it is freed (glibc's
     * malloc_trim never trims the top of a thread's heap, so that bound is
     * what keeps a burst from leaving hundreds of megabytes resident:
     * server/reclaim.h gives back the rest once the burst is over). */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
#endif
    if (install_signals() != 0) {
        log_event("error", "signals", "cannot install signal handlers");
        return false;
    }
    return true;
}

/* Logs that psinet listens, and how it is set up. */
static void log_started(const server_config *cfg, const api_ctx *ctx,
                        const http_server *srv)
{
    log_line line;
    log_line_begin(&line, "info", "listening");
    log_line_str(&line, "bind", cfg->bind, sizeof cfg->bind);
    log_line_uint(&line, "port", http_port(srv));
    log_line_uint(&line, "threads", cfg->threads);
    log_line_str(&line, "version", PSINET_VERSION, 32);
    log_line_end(&line);
    char db[512];
    api_db_describe(cfg->db_path, db, sizeof db); /* no password */
    log_event("info", "database", "using %s (schema version %d)", db,
              api_db_schema_version());
    log_event("info", "security", "API key %s%s; CORS origins: %s",
              ctx->api_key ? "required for writes" : "off",
              ctx->api_key && ctx->auth_reads ? " and reads" : "",
              cfg->cors_origins[0] ? cfg->cors_origins : "none");
}

/* Opens the database, serves until SIGTERM or SIGINT, and closes it all
 * down; returns the exit status. */
static int serve(const server_config *cfg)
{
    int status = 1;
    char err[512];
    http_server *srv = NULL;
    server_metrics *metrics = metrics_new(cfg->db_path);
    api_ctx ctx = {.version = PSINET_VERSION,
                   .limits = cfg->limits,
                   .api_key = cfg->api_key[0] ? cfg->api_key : NULL,
                   .auth_reads = cfg->auth_reads,
                   .metrics = metrics_render,
                   .metrics_arg = metrics};
    /* A connection for each thread that serves connections and each that
     * runs long requests (server/work.h). The group-commit writer borrows
     * one for each batch: no thread holds one while it waits for the
     * writer, so the writer always gets one in turn. */
    if (!api_db_open(&ctx, cfg->db_path, 2 * (int)cfg->threads,
                     (int)cfg->busy_timeout_ms, err, sizeof err)) {
        char db[512];
        api_db_describe(cfg->db_path, db, sizeof db); /* no password */
        log_event("error", "database", "cannot use %s: %s", db, err);
        goto out;
    }
    if (cfg->group_commit && !api_db_group_commit(&ctx)) {
        log_event("error", "threads", "cannot start the group-commit writer");
        goto out;
    }
    if (!(srv = http_start(cfg, &ctx, metrics)))
        goto out;
    log_started(cfg, &ctx, srv);

    /* From here on, access lines are written in batches (server/log.h);
     * should the flusher not start, they are written one by one. */
    log_batch_start();
    int sig = wait_for_stop();
    log_event("info", "stopping", "%s received: finishing in-flight requests",
              sig == SIGTERM ? "SIGTERM" : "SIGINT");
    http_stop(srv, SHUTDOWN_GRACE_MS);
    log_batch_stop();
    status = 0;
out:
    api_db_close(&ctx);
    metrics_free(metrics);
    if (status == 0)
        log_event("info", "stopped", "psinet stopped cleanly");
    return status;
}

int main(int argc, char **argv)
{
    server_config cfg;
    char err[512];
    if (config_load(&cfg, argc, argv, err, sizeof err) != 0) {
        fprintf(stderr, "psinet: %s\n", err);
        return asks_for_healthcheck(argc, argv) ? 1 : 2;
    }
    if (cfg.show_help) {
        config_usage(argv[0], stdout);
        return 0;
    }
    if (cfg.show_version) {
        printf("psinet %s\n", PSINET_VERSION);
        return 0;
    }
    if (cfg.healthcheck) {
        if (healthcheck_run(&cfg, err, sizeof err) != 0) {
            fprintf(stderr, "psinet: healthcheck: %s\n", err);
            return 1;
        }
        return 0;
    }
    return set_up_process() ? serve(&cfg) : 1;
}
