/* server/healthcheck.c - one blocking GET /healthz, with timeouts. */
#include "server/healthcheck.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* The address to check (in *addr, *len) and its text for the Host header
 * (host, cap bytes): the loopback address when bind is the wildcard of its
 * family, else bind itself. Returns 0, or -1 when bind is no address. */
static int target_address(const char *bind, unsigned port,
                          struct sockaddr_storage *addr, socklen_t *len,
                          char *host, size_t cap)
{
    memset(addr, 0, sizeof *addr);
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    char text[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET, bind, &v4->sin_addr) == 1) {
        if (v4->sin_addr.s_addr == htonl(INADDR_ANY))
            v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof *v4;
        inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
        snprintf(host, cap, "%s:%u", text, port);
        return 0;
    }
    if (inet_pton(AF_INET6, bind, &v6->sin6_addr) == 1) {
        if (memcmp(&v6->sin6_addr, &in6addr_any, sizeof in6addr_any) == 0)
            v6->sin6_addr = in6addr_loopback;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
        inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
        snprintf(host, cap, "[%s]:%u", text, port);
        return 0;
    }
    return -1;
}

/* Writes all n bytes of data to fd. Returns 0, or -1 with errno set. */
static int send_all(int fd, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        data += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads into buf (cap bytes, NUL-terminated) until the status line is in
 * or the peer closes. Returns the bytes read, or -1 with errno set. */
static ssize_t read_status_line(int fd, char *buf, size_t cap)
{
    size_t got = 0;
    buf[0] = '\0';
    while (got + 1 < cap && !strstr(buf, "\r\n")) {
        ssize_t r = recv(fd, buf + got, cap - 1 - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
        buf[got] = '\0';
    }
    return (ssize_t)got;
}

int healthcheck_run(const server_config *cfg, char *err, size_t errlen)
{
    if (cfg->port == 0) {
        snprintf(err, errlen,
                 "--port is 0 (any free port): name the port "
                 "the server listens on");
        return 1;
    }
    struct sockaddr_storage addr;
    socklen_t addr_len;
    char host[INET6_ADDRSTRLEN + 16];
    if (target_address(cfg->bind, cfg->port, &addr, &addr_len, host,
                       sizeof host) != 0) {
        snprintf(err, errlen, "--bind %.64s is not an IPv4 or IPv6 address",
                 cfg->bind);
        return 1;
    }
    int fd = socket(addr.ss_family, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(err, errlen, "cannot make a socket: %s", strerror(errno));
        return 1;
    }
    /* On Linux SO_SNDTIMEO bounds connect() too. */
    struct timeval tv = {HEALTHCHECK_TIMEOUT_MS / 1000,
                         (HEALTHCHECK_TIMEOUT_MS % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    int status = 1;
    char request[160], answer[256];
    snprintf(request, sizeof request,
             "GET /healthz HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
             host);
    ssize_t got;
    int code;
    if (connect(fd, (struct sockaddr *)&addr, addr_len) != 0) {
        snprintf(err, errlen, "cannot connect to %s: %s", host,
                 strerror(errno));
    } else if (send_all(fd, request, strlen(request)) != 0) {
        snprintf(err, errlen, "cannot send to %s: %s", host, strerror(errno));
    } else if ((got = read_status_line(fd, answer, sizeof answer)) < 0) {
        snprintf(err, errlen, "no answer from %s: %s", host,
                 errno == EAGAIN || errno == EWOULDBLOCK ? "timed out"
                                                         : strerror(errno));
    } else if (sscanf(answer, "HTTP/1.%*1[01] %3d", &code) != 1) {
        snprintf(err, errlen, "%s did not answer HTTP/1.x (%zd bytes)", host,
                 got);
    } else if (code != 200) {
        snprintf(err, errlen, "%s answered GET /healthz with %d", host, code);
    } else {
        status = 0;
    }
    close(fd);
    return status;
}
