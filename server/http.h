/* server/http.h - the libmicrohttpd daemon: connections in, api_handle out.
 *
 * http.c owns everything about HTTP: reading bodies under a hard cap,
 * collecting the query, turning an api_response into an MHD response, the
 * headers every response carries, and the access log. */
#ifndef PSINET_SERVER_HTTP_H
#define PSINET_SERVER_HTTP_H

#include "api/api.h"
#include "server/config.h"
#include "server/metrics.h"

typedef struct http_server http_server;

/* Starts the daemon on cfg's address with its thread pool; requests go to
 * api_handle(ctx, ...) and are counted in metrics. ctx and metrics must
 * outlive the server. Returns NULL after logging why (address in use, bad
 * bind address, ...). */
http_server *http_start(const server_config *cfg, const api_ctx *ctx,
                        server_metrics *metrics);

/* The port actually bound (differs from cfg->port when that was 0). */
unsigned http_port(const http_server *srv);

/* Stops accepting, lets in-flight requests finish (up to grace_ms), then
 * stops the daemon and frees srv. */
void http_stop(http_server *srv, unsigned grace_ms);

#endif
