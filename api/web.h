/* api/web.h - the lab page's files (web/), compiled into the binary by the
 * Makefile as openapi.yaml is (api/openapi.h). api/web.c serves them. */
#ifndef PSINET_API_WEB_H
#define PSINET_API_WEB_H

#include <stddef.h>

typedef struct {
    const char *name;  /* the file's name without its folder: "app.js" */
    const char *bytes; /* its contents, NUL-terminated */
    size_t len;
} api_web_file;

/* Ends with an entry whose name is NULL; it holds fewer than
 * API_WEB_MAX_FILES files. */
#define API_WEB_MAX_FILES 64
extern const api_web_file api_web_files[];

/* Whether the If-None-Match header `header` lists the entity tag `etag`
 * (a quoted string such as "\"0123abcd\""), by RFC 9110's weak comparison
 * (W/"x" and "x" match), or is "*". */
int api_web_none_match(const char *header, const char *etag);

#endif
