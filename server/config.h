/* server/config.h - the process configuration: flags, environment, defaults.
 *
 * Every setting has a long flag (--port 8080 or --port=8080) and an
 * environment variable (PSINET_PORT); a flag wins over the environment, which
 * wins over the default. The option table in config.c is the single source of
 * --help and of the README's configuration table. */
#ifndef PSINET_SERVER_CONFIG_H
#define PSINET_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"

typedef struct {
    char bind[64];
    unsigned port;
    char db_path[1024];
    unsigned threads;
    unsigned connection_timeout; /* seconds of idleness before a close */
    unsigned max_connections;
    unsigned max_connections_per_ip; /* 0: no limit */
    unsigned body_timeout; /* seconds to receive a whole request; 0: none */
    unsigned busy_timeout_ms; /* how long a write waits for the lock */
    size_t max_body_memory; /* bytes of bodies held at once, all requests */
    unsigned max_queue;     /* long requests waiting for a thread */
    bool group_commit;      /* rows of concurrent writes share a commit */
    api_limits limits;
    char cors_origins[4096];     /* "" (none), "*", or a comma list */
    char api_key_file[1024];     /* "" when none */
    char api_key[512];           /* from the file, or PSINET_API_KEY */
    bool auth_reads;             /* reads need the key too */
    bool show_help;
    bool show_version;
    bool healthcheck;            /* check a running server and exit */
} server_config;

/* Fills cfg from defaults, then the environment, then argv. Returns 0, or -1
 * after writing a message naming the bad flag or variable to errbuf. */
int config_load(server_config *cfg, int argc, char **argv, char *errbuf,
                size_t errlen);

/* Writes the --help text (from the option table) to f. */
void config_usage(const char *argv0, void *f);

#endif
