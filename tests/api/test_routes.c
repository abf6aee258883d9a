/* tests/api/test_routes.c - the route tables (api/routes.c) and
 * openapi.yaml describe the same operations: every route is an operation
 * of the document with the route's operationId, and every operation of
 * the document but HEAD and OPTIONS (which psinet answers for every GET
 * and every path) is a route. The document read is the one compiled into
 * the binary. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/openapi.h"
#include "api/routes.h"
#include "tests/api/apitest.h"
#include "tests/testlib.h"

#define MAX_OPS 256

typedef struct {
    char path[96];
    char method[96];
    char operation[96];
} operation;

static operation ops[MAX_OPS];
static size_t op_count;

/* Reads the operations of openapi.yaml's paths: the path keys at two
 * spaces, the methods at four, the operationId at six. */
static void read_operations(const char *text)
{
    const char *line = strstr(text, "\npaths:\n");
    char path[96] = "", method[96] = "";
    for (line = line ? strchr(line + 1, '\n') : NULL; line && line[1];
         line = strchr(line + 1, '\n')) {
        const char *l = line + 1;
        if (*l != ' ' && *l != '\n')
            break; /* the next top-level key */
        char word[96];
        if (sscanf(l, "  %95[^:\n ]:\n", word) == 1 && l[2] == '/')
            snprintf(path, sizeof path, "%s", word);
        else if (strncmp(l, "    ", 4) == 0 && islower((unsigned char)l[4]) &&
                 sscanf(l + 4, "%95[a-z]:", word) == 1)
            snprintf(method, sizeof method, "%s", word);
        else if (sscanf(l, "      operationId: %95s", word) == 1 &&
                 op_count < MAX_OPS) {
            operation *o = &ops[op_count++];
            snprintf(o->path, sizeof o->path, "%s", path);
            snprintf(o->method, sizeof o->method, "%s", method);
            snprintf(o->operation, sizeof o->operation, "%s", word);
        }
    }
}

static const operation *operation_of(const char *path, const char *method)
{
    for (size_t i = 0; i < op_count; i++)
        if (strcmp(ops[i].path, path) == 0 &&
            strcasecmp(ops[i].method, method) == 0)
            return &ops[i];
    return NULL;
}

__attribute__((constructor(101))) static void setup(void)
{
    for (const api_document *d = api_documents; d->name; d++)
        if (strcmp(d->name, "openapi.yaml") == 0)
            read_operations(d->text);
}

TEST(the_document_has_operations_to_compare)
{
    /* 18 paths, each with OPTIONS, and HEAD beside every GET */
    CHECK(op_count >= 50);
    CHECK(operation_of("/healthz", "get") != NULL);
}

TEST(every_route_is_an_operation_with_its_id)
{
    CHECK(api_route_count() > 20);
    for (int i = 0; i < api_route_count(); i++) {
        const api_route *r = api_route_at(i);
        const operation *o = operation_of(r->pattern, r->method);
        test_check(o && strcmp(o->operation, r->operation) == 0, __FILE__,
                   __LINE__, "route %s %s (%s): openapi.yaml has %s",
                   r->method, r->pattern, r->operation,
                   o ? o->operation : "no such operation");
    }
}

TEST(every_operation_but_head_and_options_is_a_route)
{
    for (size_t i = 0; i < op_count; i++) {
        const operation *o = &ops[i];
        if (strcmp(o->method, "head") == 0 ||
            strcmp(o->method, "options") == 0)
            continue;
        bool found = false;
        for (int k = 0; k < api_route_count() && !found; k++) {
            const api_route *r = api_route_at(k);
            found = strcmp(r->pattern, o->path) == 0 &&
                    strcasecmp(r->method, o->method) == 0;
        }
        test_check(found, __FILE__, __LINE__,
                   "openapi.yaml's %s %s (%s) has no route", o->method,
                   o->path, o->operation);
    }
}

TEST(route_names_are_distinct_and_index_in_order)
{
    for (int i = 0; i < api_route_count(); i++) {
        CHECK_STR(api_route_name(i), api_route_at(i)->name);
        for (int k = 0; k < i; k++)
            test_check(strcmp(api_route_at(i)->name, api_route_at(k)->name),
                       __FILE__, __LINE__, "route name %s twice",
                       api_route_name(i));
    }
    CHECK_STR(api_route_name(-1), "none");
    CHECK_STR(api_route_name(api_route_count()), "none");
}

/* Whether pattern matches path, and the segment it takes (or "" for none). */
static bool matches(const char *pattern, const char *path, const char *seg)
{
    const char *id;
    size_t n;
    if (!api_route_match(pattern, path, &id, &n))
        return false;
    return strlen(seg) == n && (n == 0 || strncmp(id, seg, n) == 0);
}

TEST(a_named_segment_matches_one_whole_nonempty_segment)
{
    CHECK(matches("/v1/superpositions/{id}", "/v1/superpositions/sup_x",
                  "sup_x"));
    CHECK(matches("/v1/superpositions/{id}/measure",
                  "/v1/superpositions/sup_x/measure", "sup_x"));
    CHECK(matches("/ui/{file}", "/ui/app.js", "app.js"));
    CHECK(matches("/", "/", ""));
    CHECK(matches("/healthz", "/healthz", ""));
    CHECK(!matches("/ui/{file}", "/ui/", ""));
    CHECK(!matches("/ui/{file}", "/ui", ""));
    CHECK(!matches("/ui/{file}", "/ui/a/b", ""));
    CHECK(!matches("/ui/{file}", "/ui/a/", ""));
    CHECK(!matches("/v1/superpositions/{id}", "/v1/superpositions//", ""));
    CHECK(!matches("/v1/superpositions/{id}/measure",
                   "/v1/superpositions/x/normalize", ""));
    CHECK(!matches("/", "/ui", ""));
    CHECK(!matches("/", "", ""));
}

/* Whether route i is among the candidates of path, and matches it from
 * its skip on with the same {id}. */
static bool candidate(const char *path, int i)
{
    const api_candidate *list;
    int count = api_route_candidates(path, &list);
    const char *pattern = api_route_at(i)->pattern, *id, *id2;
    size_t len, len2;
    api_route_match(pattern, path, &id, &len);
    for (int c = 0; c < count; c++)
        if (list[c].index == i)
            return strncmp(pattern, path, list[c].skip) == 0 &&
                   api_route_match(pattern + list[c].skip,
                                   path + list[c].skip, &id2, &len2) &&
                   id == id2 && len == len2;
    return false;
}

/* Whether each candidate of path is its route, counts the {name}s of its
 * pattern, and matches path (api_candidate_match) exactly when its route
 * does from its skip on, with the same {id}. */
static bool candidates_agree(const char *path)
{
    const api_candidate *list;
    int count = api_route_candidates(path, &list);
    for (int c = 0; c < count; c++) {
        const char *pattern = api_route_at(list[c].index)->pattern, *id, *id2;
        size_t len, len2, skip = list[c].skip;
        int params = 0;
        for (const char *q = pattern; *q; q++)
            params += *q == '{';
        if (list[c].route != api_route_at(list[c].index) ||
            list[c].params != params)
            return false;
        int whole = strncmp(pattern, path, skip) == 0 &&
                    api_route_match(pattern + skip, path + skip, &id, &len);
        int quick = api_candidate_match(&list[c], path, &id2, &len2);
        if (!whole != !quick || (whole && (id != id2 || len != len2)))
            return false;
    }
    return true;
}

/* Whether the candidates of path are in table order. */
static bool in_order(const char *path)
{
    const api_candidate *list;
    int count = api_route_candidates(path, &list);
    for (int c = 1; c < count; c++)
        if (list[c].index <= list[c - 1].index)
            return false;
    return true;
}

TEST(every_route_that_matches_a_path_is_among_its_candidates)
{
    /* Paths made from every pattern (each {name} a segment, or two, or
     * none), their prefixes and other paths: every route that matches one
     * of them is among its candidates, which the router tries alone. */
    static const char *const fills[] = {"x", "sup_1", "a/b", "", "v1"};
    static const char *const others[] = {
        "",   "/",    "//",   "/v1",    "/v1/",   "/v2/superpositions",
        "/ui", "/ui/", "/ui/app.js", "/healthz/", "/x/y/z/w", "/v1//x"};
    char paths[MAX_OPS * 8][160];
    size_t n = 0;
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        snprintf(paths[n++], sizeof paths[0], "%s", others[i]);
    for (int i = 0; i < api_route_count(); i++) {
        const char *p = api_route_at(i)->pattern;
        for (size_t f = 0; f < sizeof fills / sizeof fills[0]; f++) {
            char *out = paths[n++];
            size_t o = 0;
            for (const char *c = p; *c && o + 8 < sizeof paths[0]; c++) {
                if (*c == '{') {
                    o += (size_t)snprintf(out + o, sizeof paths[0] - o, "%s",
                                          fills[f]);
                    c = strchr(c, '}');
                } else {
                    out[o++] = *c;
                }
            }
            out[o] = '\0';
            snprintf(paths[n++], sizeof paths[0], "%.*s", (int)(o / 2), out);
        }
    }
    bool matched_some = false;
    for (size_t k = 0; k < n; k++) {
        CHECK(in_order(paths[k]));
        test_check(candidates_agree(paths[k]), __FILE__, __LINE__,
                   "a candidate of %s is not its route", paths[k]);
        for (int i = 0; i < api_route_count(); i++) {
            const char *id;
            size_t len;
            if (!api_route_match(api_route_at(i)->pattern, paths[k], &id,
                                 &len))
                continue;
            matched_some = true;
            test_check(candidate(paths[k], i), __FILE__, __LINE__,
                       "%s matches %s %s but is not among its candidates",
                       paths[k], api_route_at(i)->method,
                       api_route_at(i)->pattern);
        }
    }
    CHECK(matched_some);
    /* and the index narrows: a stored superposition's path is not tried
     * against the networks' routes */
    const api_candidate *list;
    CHECK(api_route_candidates("/v1/superpositions/x", &list) <
          api_route_count() / 2);
}
