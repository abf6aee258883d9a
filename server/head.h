/* server/head.h - what psinet checks in a request's head before it routes
 * it: bytes and headers libmicrohttpd 0.9.75 passes on as they came.
 *
 * libmicrohttpd keeps the request line and header lines in its read
 * buffer and hands psinet C strings into it, so a raw NUL byte ends a
 * value early: `DELETE /v1/experiments/ID\0garbage` would reach
 * experiment ID, `Authorization: Bearer KEY\0junk` would be the key, and
 * `Content-Length: 20\0 999` would frame the body as 20 bytes, the rest
 * read as the next request. head_check finds such bytes by where the
 * strings lie in the buffer: the target must run up to the space before
 * the version, and each header's value up to its line's end. It also
 * holds a request to RFC 9110 and 9112 where libmicrohttpd does not:
 * exactly one Host (HTTP/1.1), at most one Authorization, no empty header
 * name, no line folding, and framing that cannot be read two ways. */
#ifndef PSINET_SERVER_HEAD_H
#define PSINET_SERVER_HEAD_H

#include <microhttpd.h>
#include <stddef.h>

/* What one request's head is checked against (libmicrohttpd's strings of
 * its first call to the access handler, and the target as it arrived). */
typedef struct {
    const char *method, *url, *version;
    const char *target;   /* the request target before it was decoded
                             (libmicrohttpd's URI log callback) */
    size_t target_len;    /* strlen(target) then: a raw NUL ends it early */
} head_request;

/* The headers psinet reads, as libmicrohttpd keeps them: the first of
 * each name, or NULL. */
typedef struct {
    const char *request_id, *origin, *content_type, *authorization,
        *if_none_match, *content_length, *transfer_encoding;
} head_fields;

/* NULL when the head of conn's request may go on; else why it is
 * refused (400, and its connection closed), as a sentence for the
 * problem's detail. In the same one walk over the headers, *fields gets
 * the headers psinet reads (also when the head is refused: its answer
 * still carries the request's X-Request-Id). */
const char *head_check(struct MHD_Connection *conn, const head_request *h,
                       head_fields *fields);

/* value with the optional white space around it (RFC 9110 section 5.5)
 * left out, copied into buf (cap bytes, cut short when longer); NULL when
 * value is NULL (no such header). */
const char *head_trim(const char *value, char *buf, size_t cap);

#endif
