/* server/healthcheck.h - `psinet --healthcheck`: whether the server on this
 * machine answers. A container's HEALTHCHECK runs it, so the image needs no
 * HTTP client of its own. */
#ifndef PSINET_SERVER_HEALTHCHECK_H
#define PSINET_SERVER_HEALTHCHECK_H

#include <stddef.h>

#include "server/config.h"

/* How long connecting, sending and receiving may each take. */
#define HEALTHCHECK_TIMEOUT_MS 2000

/* Sends GET /healthz (HTTP/1.1) to the server that cfg configures: port
 * cfg->port on the loopback address, or on cfg->bind when that names one
 * address rather than all of them. Returns 0 when the answer is a 200;
 * otherwise writes why to err (errlen bytes) and returns 1. */
int healthcheck_run(const server_config *cfg, char *err, size_t errlen);

#endif
