/* api/web.c - the lab: psinet's own page at / and its files under /ui/,
 * served from web/ as compiled into the binary (api/web.h).
 *
 * The page is built on the public JSON API alone and needs no build step:
 * plain ES modules, a stylesheet and a vendored chart library. Every answer
 * says what it is (Content-Type), carries a strong ETag (a hash of the
 * bytes, computed once) that If-None-Match turns into a 304, asks the
 * browser to revalidate before each use (the names of the files do not
 * change when their contents do), and a Content-Security-Policy that lets
 * the page load and call psinet's own origin only, with no inline script
 * or style. The routes are public: the page holds no data, and asks for
 * the API key itself when psinet has one. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "api/handler.h"
#include "api/web.h"

/* The policy every file is served with: scripts, styles, images and calls
 * from psinet's own origin only, nothing inline, no plugins, no framing. */
static const char CSP[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

static char etags[API_WEB_MAX_FILES][20]; /* "\"<16 hex digits>\"" */
static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

/* FNV-1a, 64 bits: enough to tell one build's file from another's. */
static unsigned long long fnv1a(const char *bytes, size_t len)
{
    unsigned long long h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)bytes[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void hash_files(void)
{
    for (int i = 0; i < API_WEB_MAX_FILES && api_web_files[i].name; i++)
        snprintf(etags[i], sizeof etags[i], "\"%016llx\"",
                 fnv1a(api_web_files[i].bytes, api_web_files[i].len));
}

/* The media type of a file, by the end of its name. */
static const char *media_type(const char *name)
{
    static const struct {
        const char *ext;
        const char *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
    };
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t e = strlen(types[i].ext);
        if (n > e && strcmp(name + n - e, types[i].ext) == 0)
            return types[i].type;
    }
    return "application/octet-stream";
}

int api_web_none_match(const char *header, const char *etag)
{
    size_t n = strlen(etag);
    const char *p = header;
    while (*p) {
        p += strspn(p, " \t,");
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, n) == 0 && strchr(" \t,", p[n]))
            return 1;    /* p[n] == '\0' is in the set too */
        if (*p == '"') { /* another tag: skip it whole, commas and all */
            const char *close = strchr(p + 1, '"');
            p = close ? close + 1 : p + strlen(p);
        } else {
            p += strcspn(p, ",");
        }
    }
    return 0;
}

/* Answers file `name` of web/ (200, or 304 when the request's
 * If-None-Match names its ETag); 404 when there is no such file. */
static api_code serve(const api_call *call, const char *name,
                      api_response *resp, api_err *err)
{
    pthread_once(&etags_once, hash_files);
    int i = 0;
    while (i < API_WEB_MAX_FILES && api_web_files[i].name &&
           strcmp(api_web_files[i].name, name) != 0)
        i++;
    if (i == API_WEB_MAX_FILES || !api_web_files[i].name)
        return api_fail(err, API_ENOTFOUND, "the lab has no file %.64s", name);
    api_response_header(resp, "ETag", "%s", etags[i]);
    api_response_header(resp, "Cache-Control", "no-cache");
    api_response_header(resp, "Content-Security-Policy", "%s", CSP);
    api_response_header(resp, "Referrer-Policy", "no-referrer");
    const char *inm = call->req->if_none_match;
    if (inm && api_web_none_match(inm, etags[i])) {
        resp->status = 304;
        return API_OK;
    }
    resp->status = 200;
    resp->content_type = media_type(name);
    resp->raw = api_web_files[i].bytes;
    resp->raw_len = api_web_files[i].len;
    return API_OK;
}

static api_code page(const api_call *call, api_response *resp, api_err *err)
{
    return serve(call, "index.html", resp, err);
}

/* The page's own files; the page itself is only at /. */
static api_code asset(const api_call *call, api_response *resp, api_err *err)
{
    if (strcmp(call->id, "index.html") == 0)
        return api_fail(err, API_ENOTFOUND, "the lab's page is at /");
    return serve(call, call->id, resp, err);
}

const api_route api_web_routes[] = {
    {"GET", "/", page, API_ROUTE_PUBLIC, "lab", "getLab", NULL, NULL},
    {"GET", "/ui/{file}", asset, API_ROUTE_PUBLIC, "lab_file", "getLabFile",
     NULL, NULL},
    {0},
};
