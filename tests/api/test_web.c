/* tests/api/test_web.c - the lab (api/web.c): psinet's own page at / and
 * its files under /ui/, as compiled into the binary from web/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/web.h"
#include "tests/api/apitest.h"
#include "tests/testlib.h"

static const char CSP[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

/* Handles method on path with an If-None-Match header (or NULL). */
static void handle(const api_ctx *ctx, const char *method, const char *path,
                   const char *if_none_match, api_response *resp)
{
    api_request req = {
        .method = method, .path = path, .if_none_match = if_none_match};
    api_handle(ctx, &req, resp);
}

static const api_web_file *file_named(const char *name)
{
    for (const api_web_file *f = api_web_files; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static int ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), e = strlen(end);
    return n >= e && strcmp(s + n - e, end) == 0;
}

TEST(web_holds_the_page_its_modules_and_the_chart_library_once_each)
{
    size_t n = 0;
    for (const api_web_file *f = api_web_files; f->name; f++) {
        n++;
        CHECK(f->len > 0 && f->bytes[f->len] == '\0');
        for (const api_web_file *g = api_web_files; g != f; g++)
            test_check(strcmp(f->name, g->name) != 0, __FILE__, __LINE__,
                       "two files of web/ are called %s", f->name);
    }
    CHECK(n < API_WEB_MAX_FILES);
    const char *needed[] = {"index.html",      "app.js",    "psinet.js",
                            "ui.js",           "state.js",  "layer.js",
                            "experiments.js",  "style.css", "icon.svg",
                            "chart.umd.min.js"};
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
        test_check(file_named(needed[i]) != NULL, __FILE__, __LINE__,
                   "web/ has no %s", needed[i]);
}

TEST(the_page_has_no_inline_script_or_style)
{
    /* What the Content-Security-Policy would refuse: every <script> loads
     * a file, and no element carries a style or an event handler. */
    const api_web_file *page = file_named("index.html");
    if (!CHECK(page != NULL))
        return;
    int scripts = 0;
    for (const char *p = page->bytes; (p = strstr(p, "<script")) != NULL; p++) {
        const char *end = strchr(p, '>');
        CHECK(end != NULL);
        const char *src = strstr(p, " src=");
        test_check(src && end && src < end, __FILE__, __LINE__,
                   "an inline <script> in index.html");
        scripts++;
    }
    CHECK(scripts == 2); /* the chart library and app.js */
    CHECK(strstr(page->bytes, "<style") == NULL);
    CHECK(strstr(page->bytes, " style=") == NULL);
    CHECK(strstr(page->bytes, " onclick=") == NULL);
    CHECK(strstr(page->bytes, " onload=") == NULL);
    CHECK(strstr(page->bytes, "javascript:") == NULL);
}

TEST(the_page_is_served_at_the_root_with_its_headers)
{
    api_ctx ctx = apitest_ctx(NULL);
    api_response r;
    handle(&ctx, "GET", "/", NULL, &r);
    const api_web_file *page = file_named("index.html");
    CHECK_EQ_INT(r.status, 200);
    CHECK_STR(r.content_type, "text/html; charset=utf-8");
    CHECK(page && r.raw_len == page->len &&
          memcmp(r.raw, page->bytes, page->len) == 0);
    CHECK_STR(api_response_get_header(&r, "Cache-Control"), "no-cache");
    CHECK_STR(api_response_get_header(&r, "Content-Security-Policy"), CSP);
    CHECK_STR(api_response_get_header(&r, "Referrer-Policy"), "no-referrer");
    const char *etag = api_response_get_header(&r, "ETag");
    CHECK(etag && strlen(etag) == 18 && etag[0] == '"' && etag[17] == '"' &&
          strspn(etag + 1, "0123456789abcdef") == 16);
    CHECK_STR(api_route_name(r.route), "lab");
    api_response_free(&r);
}

TEST(every_file_is_served_under_ui_with_the_type_of_its_name)
{
    api_ctx ctx = apitest_ctx(NULL);
    char path[128];
    for (const api_web_file *f = api_web_files; f->name; f++) {
        if (strcmp(f->name, "index.html") == 0)
            continue;
        snprintf(path, sizeof path, "/ui/%s", f->name);
        api_response r;
        handle(&ctx, "GET", path, NULL, &r);
        const char *want =
            ends_with(f->name, ".js")    ? "text/javascript; charset=utf-8"
            : ends_with(f->name, ".css") ? "text/css; charset=utf-8"
            : ends_with(f->name, ".svg") ? "image/svg+xml"
                                         : "?";
        test_check(r.status == 200 && r.raw_len == f->len &&
                       memcmp(r.raw, f->bytes, f->len) == 0,
                   __FILE__, __LINE__, "%s: status %d, %zu bytes", path,
                   r.status, r.raw_len);
        test_check(r.content_type && strcmp(r.content_type, want) == 0,
                   __FILE__, __LINE__, "%s: type %s, expected %s", path,
                   r.content_type ? r.content_type : "(none)", want);
        CHECK_STR(api_route_name(r.route), "lab_file");
        api_response_free(&r);
    }
}

TEST(each_file_has_its_own_etag_and_keeps_it)
{
    api_ctx ctx = apitest_ctx(NULL);
    api_response a, b, c;
    handle(&ctx, "GET", "/ui/app.js", NULL, &a);
    handle(&ctx, "GET", "/ui/app.js", NULL, &b);
    handle(&ctx, "GET", "/ui/style.css", NULL, &c);
    const char *ea = api_response_get_header(&a, "ETag");
    const char *eb = api_response_get_header(&b, "ETag");
    const char *ec = api_response_get_header(&c, "ETag");
    CHECK(ea && eb && ec);
    CHECK(ea && eb && strcmp(ea, eb) == 0);
    CHECK(ea && ec && strcmp(ea, ec) != 0);
    api_response_free(&a);
    api_response_free(&b);
    api_response_free(&c);
}

TEST(if_none_match_naming_the_etag_is_a_304_without_a_body)
{
    api_ctx ctx = apitest_ctx(NULL);
    api_response first;
    handle(&ctx, "GET", "/", NULL, &first);
    char etag[32], weak[40], list[96];
    snprintf(etag, sizeof etag, "%s", api_response_get_header(&first, "ETag"));
    api_response_free(&first);
    snprintf(weak, sizeof weak, "W/%s", etag);
    snprintf(list, sizeof list, "\"0000000000000000\", %s", etag);
    const char *matching[] = {etag, weak, list, "*"};
    for (size_t i = 0; i < 4; i++) {
        for (int head = 0; head < 2; head++) {
            api_response r;
            handle(&ctx, head ? "HEAD" : "GET", "/", matching[i], &r);
            test_check(r.status == 304, __FILE__, __LINE__,
                       "If-None-Match: %s gave %d", matching[i], r.status);
            CHECK(r.raw == NULL && r.json == NULL && r.content_type == NULL);
            CHECK_STR(api_response_get_header(&r, "ETag"), etag);
            CHECK_STR(api_response_get_header(&r, "Cache-Control"), "no-cache");
            CHECK_STR(api_response_get_header(&r, "Content-Security-Policy"),
                      CSP);
            api_response_free(&r);
        }
    }
    /* Another file's tag, or a changed one, gets the file. */
    api_response other;
    handle(&ctx, "GET", "/ui/style.css", NULL, &other);
    const char *others[] = {api_response_get_header(&other, "ETag"),
                            "\"0000000000000000\"", "", "W/"};
    for (size_t i = 0; i < 4; i++) {
        api_response r;
        handle(&ctx, "GET", "/", others[i], &r);
        test_check(r.status == 200 && r.raw_len > 0, __FILE__, __LINE__,
                   "If-None-Match: %s gave %d", others[i], r.status);
        api_response_free(&r);
    }
    api_response_free(&other);
}

TEST(none_match_compares_entity_tags_weakly_and_whole)
{
    const char *tag = "\"abc\"";
    CHECK(api_web_none_match("\"abc\"", tag));
    CHECK(api_web_none_match("W/\"abc\"", tag));
    CHECK(api_web_none_match("  \"x\" ,W/\"abc\"  ", tag));
    CHECK(api_web_none_match("\"x\",\"abc\"", tag));
    CHECK(api_web_none_match("*", tag));
    CHECK(!api_web_none_match("\"abcd\"", tag));
    CHECK(!api_web_none_match("\"ab\"", tag));
    CHECK(!api_web_none_match("abc", tag));
    CHECK(!api_web_none_match("", tag));
    CHECK(!api_web_none_match(",,, ,", tag));
    /* A comma inside another tag does not start a new one. */
    CHECK(!api_web_none_match("\"x, \"abc\"", "\"x\""));
    CHECK(!api_web_none_match("\"a,\"abc\"\"", "\"abc\""));
    /* Unterminated: nothing matches, and the scan ends. */
    CHECK(!api_web_none_match("\"abc", tag));
    CHECK(!api_web_none_match("W/", tag));
}

TEST(unknown_files_and_the_page_under_ui_are_404)
{
    api_ctx ctx = apitest_ctx(NULL);
    const char *paths[] = {"/ui/nothing.js", "/ui/index.html",
                           "/ui/",           "/ui/vendor/chart.umd.min.js",
                           "/ui/..",         "/ui/app.js/",
                           "/index.html",    "/ui"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        apitest_result r = apitest_call(&ctx, "GET", paths[i], NULL, NULL);
        test_check(r.resp.status == 404, __FILE__, __LINE__, "%s gave %d",
                   paths[i], r.resp.status);
        CHECK_STR(r.resp.content_type, "application/problem+json");
        CHECK(api_response_get_header(&r.resp, "ETag") == NULL);
        apitest_free(&r);
    }
}

TEST(other_methods_are_405_naming_get_and_head)
{
    api_ctx ctx = apitest_ctx(NULL);
    const char *paths[] = {"/", "/ui/app.js"};
    for (size_t i = 0; i < 2; i++) {
        apitest_result r = apitest_post(&ctx, paths[i], "{}");
        CHECK_EQ_INT(r.resp.status, 405);
        CHECK_STR(api_response_get_header(&r.resp, "Allow"),
                  "GET, HEAD, OPTIONS");
        apitest_free(&r);
    }
}

TEST(the_page_needs_no_api_key_even_when_reads_do)
{
    /* It holds no data, and asks for the key itself. */
    api_ctx ctx = apitest_ctx(NULL);
    ctx.api_key = "0123456789abcdef0123";
    ctx.auth_reads = true;
    apitest_result page = apitest_call(&ctx, "GET", "/", NULL, NULL);
    apitest_result file =
        apitest_call(&ctx, "GET", "/ui/psinet.js", NULL, NULL);
    apitest_result data = apitest_call(&ctx, "GET", "/version", NULL, NULL);
    CHECK_EQ_INT(page.resp.status, 200);
    CHECK_EQ_INT(file.resp.status, 200);
    CHECK_EQ_INT(data.resp.status, 401);
    apitest_free(&page);
    apitest_free(&file);
    apitest_free(&data);
}

TEST(a_path_asked_again_from_another_buffer_or_with_another_method)
{
    /* The router remembers its last answer on each thread (api/dispatch.c):
     * the same path in another buffer is served from that buffer, another
     * method or path is routed anew. */
    api_ctx ctx = apitest_ctx(NULL);
    char *one = strdup("/ui/app.js"), *two = strdup("/ui/app.js");
    const api_web_file *f = file_named("app.js");
    api_response a, b, c, d, e;
    handle(&ctx, "GET", one, NULL, &a);
    free(one); /* under ASan, a read of the old buffer is an error */
    handle(&ctx, "GET", two, NULL, &b);
    two[4] = 'u'; /* "/ui/upp.js" */
    handle(&ctx, "GET", two, NULL, &c);
    handle(&ctx, "DELETE", two, NULL, &d);
    handle(&ctx, "HEAD", "/ui/style.css", NULL, &e);
    CHECK_EQ_INT(a.status, 200);
    CHECK(f && b.status == 200 && b.raw_len == f->len);
    CHECK_EQ_INT(c.status, 404);
    CHECK_EQ_INT(d.status, 405);
    CHECK_EQ_INT(e.status, 200);
    CHECK_STR(e.content_type, "text/css; charset=utf-8");
    free(two);
    api_response_free(&a);
    api_response_free(&b);
    api_response_free(&c);
    api_response_free(&d);
    api_response_free(&e);
}
