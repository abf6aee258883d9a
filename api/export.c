/* api/export.c - the export of experiments as one streamed body
 * (api/export.h). */
#include "api/export.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/db.h"
#include "api/experiment.h"
#include "api/stream.h"
#include "codec/dtoa_shortest.h"

/* A page: at most this many rows, and no more rows once they hold this
 * many bytes of text (store_experiment_scan). */
#define PAGE_ROWS 256
#define PAGE_BYTES ((size_t)1 << 20)

/* The common columns of the CSV export, before the kinds' own. */
static const char CSV_COMMON[] =
    "id,name,kind,created_at,updated_at,tags,notes";

/* Text being written: a growable buffer; failed once memory ran out. */
typedef struct {
    char *b;
    size_t len, cap;
    bool failed;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->failed || n == 0)
        return;
    if (n > t->cap - t->len) {
        size_t cap = t->cap ? t->cap : 16384;
        while (cap - t->len < n)
            cap *= 2;
        char *b = realloc(t->b, cap);
        if (!b) {
            t->failed = true;
            return;
        }
        t->b = b;
        t->cap = cap;
    }
    memcpy(t->b + t->len, s, n);
    t->len += n;
}

static void put_str(text *t, const char *s)
{
    put(t, s, strlen(s));
}

/* One CSV field, quoted as RFC 4180 says when it holds a comma, a quote or
 * a line break (quotes inside doubled). */
static void put_field(text *t, const char *s, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        put(t, s, n);
        return;
    }
    put(t, "\"", 1);
    for (const char *p = s, *end = s + n; p < end;) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        size_t run = q ? (size_t)(q - p) + 1 : (size_t)(end - p);
        put(t, p, run);
        if (q)
            put(t, "\"", 1);
        p += run;
    }
    put(t, "\"", 1);
}

typedef struct {
    api_stream base;
    store *db;
    api_export_format format;
    api_export_json_fn to_json;
    store_experiment_filter filter; /* its strings in `strings` */
    char *strings;
    size_t kinds[64]; /* the kinds whose columns the CSV has, by index */
    size_t kind_count;
    int64_t after; /* the position of the last row read; 0: none yet */
    bool more;     /* rows may follow `after` */
    bool pending;  /* out holds the first page, not handed out yet */
    text out;
} export_stream;

/* Copies the strings of from into x->filter (one allocation). */
static bool copy_filter(export_stream *x, const store_experiment_filter *from)
{
    x->filter = *from;
    size_t total = 0;
    const char *const *lists[] = {from->kind, from->tag, from->name_contains};
    const size_t counts[] = {from->kind_count, from->tag_count,
                             from->name_count};
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; i < counts[l]; i++)
            total += strlen(lists[l][i]) + 1;
    const char *times[] = {from->created_after, from->created_before};
    for (size_t i = 0; i < 2; i++)
        if (times[i])
            total += strlen(times[i]) + 1;
    char *p = x->strings = malloc(total ? total : 1);
    if (!p)
        return false;
    const char **to[] = {x->filter.kind, x->filter.tag,
                         x->filter.name_contains};
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; i < counts[l]; i++) {
            size_t n = strlen(lists[l][i]) + 1;
            to[l][i] = memcpy(p, lists[l][i], n);
            p += n;
        }
    const char **time_to[] = {&x->filter.created_after,
                              &x->filter.created_before};
    for (size_t i = 0; i < 2; i++)
        if (times[i]) {
            size_t n = strlen(times[i]) + 1;
            *time_to[i] = memcpy(p, times[i], n);
            p += n;
        }
    return true;
}

/* The value at pointer (api_experiment_column's) in the params and result
 * of an experiment, or NULL. */
static const json_t *resolve(const json_t *params, const json_t *result,
                             const char *pointer)
{
    const json_t *v;
    const char *p;
    if (strncmp(pointer, "/params", 7) == 0) {
        v = params;
        p = pointer + 7;
    } else if (strncmp(pointer, "/result", 7) == 0) {
        v = result;
        p = pointer + 7;
    } else {
        return NULL;
    }
    while (v && *p == '/') {
        p++;
        size_t n = strcspn(p, "/");
        char key[64];
        if (n >= sizeof key)
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        p += n;
        if (json_is_object(v)) {
            v = json_object_get(v, key);
        } else if (json_is_array(v) && n > 0 &&
                   strspn(key, "0123456789") == n) {
            v = json_array_get(v, strtoul(key, NULL, 10));
        } else {
            v = NULL;
        }
    }
    return *p ? NULL : v;
}

/* A JSON value as the text of a CSV field: a string as itself, a number
 * as its shortest exact decimal, true/false, null as nothing, and an array
 * or object as compact JSON. */
static void put_value(text *t, const json_t *v)
{
    char buf[DTOA_SHORTEST_SIZE > 32 ? DTOA_SHORTEST_SIZE : 32];
    switch (json_typeof(v)) {
    case JSON_STRING:
        put_field(t, json_string_value(v), json_string_length(v));
        return;
    case JSON_INTEGER:
        put(t, buf,
            (size_t)snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT,
                             json_integer_value(v)));
        return;
    case JSON_REAL:
        put(t, buf, dtoa_shortest(json_real_value(v), buf));
        return;
    case JSON_TRUE:
        put_str(t, "true");
        return;
    case JSON_FALSE:
        put_str(t, "false");
        return;
    case JSON_NULL:
        return;
    case JSON_OBJECT:
    case JSON_ARRAY:
        break;
    }
    size_t n;
    char *s = pjson_write(v, &n);
    if (!s) {
        t->failed = true;
        return;
    }
    put_field(t, s, n);
    free(s);
}

static void put_header(export_stream *x)
{
    put_str(&x->out, CSV_COMMON);
    for (size_t k = 0; k < x->kind_count; k++) {
        size_t kind = x->kinds[k];
        const char *name = api_experiment_kind_name(kind);
        for (const api_experiment_column *c =
                 api_experiment_kind_columns(kind);
             c->name; c++) {
            put(&x->out, ",", 1);
            put_str(&x->out, name);
            put(&x->out, ".", 1);
            put_str(&x->out, c->name);
        }
    }
    put(&x->out, "\r\n", 2);
}

/* The kinds' columns of e: its own kind's values, the others' empty. */
static void put_kind_columns(export_stream *x, const store_experiment *e)
{
    json_t *params = NULL, *result = NULL;
    for (size_t k = 0; k < x->kind_count; k++) {
        size_t kind = x->kinds[k];
        bool own = strcmp(api_experiment_kind_name(kind), e->kind) == 0;
        if (own && !params) {
            /* stored by psinet and checked on reading (store/): they
             * parse, but for a shortage of memory */
            params = json_loads(e->params_json, 0, NULL);
            result = json_loads(e->result_json, 0, NULL);
            if (!params || !result)
                x->out.failed = true;
        }
        for (const api_experiment_column *c =
                 api_experiment_kind_columns(kind);
             c->name; c++) {
            put(&x->out, ",", 1);
            if (!own || x->out.failed)
                continue;
            const json_t *v = resolve(params, result, c->pointer);
            if (v)
                put_value(&x->out, v);
            else if (c->absent)
                put_field(&x->out, c->absent, strlen(c->absent));
        }
    }
    json_decref(params);
    json_decref(result);
}

static void put_csv_row(export_stream *x, const store_experiment *e)
{
    text *t = &x->out;
    put_field(t, e->id, strlen(e->id));
    put(t, ",", 1);
    put_field(t, e->name, strlen(e->name));
    put(t, ",", 1);
    put_field(t, e->kind, strlen(e->kind));
    put(t, ",", 1);
    put_str(t, e->created_at);
    put(t, ",", 1);
    put_str(t, e->updated_at);
    put(t, ",", 1);
    json_t *tags = json_array();
    for (size_t i = 0; tags && i < e->tag_count; i++)
        pjson_push(&tags, json_string(e->tags[i]));
    if (tags)
        put_value(t, tags);
    else
        t->failed = true;
    json_decref(tags);
    put(t, ",", 1);
    if (e->notes)
        put_field(t, e->notes, strlen(e->notes));
    put_kind_columns(x, e);
    put(t, "\r\n", 2);
}

static void put_json_line(export_stream *x, const store_experiment *e)
{
    json_t *v = x->to_json(e);
    size_t n;
    char *s = v ? pjson_write(v, &n) : NULL;
    json_decref(v);
    if (!s) {
        x->out.failed = true;
        return;
    }
    put(&x->out, s, n);
    put(&x->out, "\n", 1);
    free(s);
}

/* Reads the page after x->after and writes its rows into x->out (emptied
 * first). */
static store_status read_page(export_stream *x)
{
    store_experiment *items;
    size_t count;
    int64_t next;
    x->out.len = 0;
    store_status st =
        store_experiment_scan(x->db, &x->filter, x->after, PAGE_ROWS,
                              PAGE_BYTES, &items, &count, &next);
    if (st != STORE_OK)
        return st;
    for (size_t i = 0; i < count && !x->out.failed; i++) {
        if (x->format == API_EXPORT_CSV)
            put_csv_row(x, &items[i]);
        else
            put_json_line(x, &items[i]);
    }
    store_experiment_array_free(items, count);
    x->after = next;
    x->more = next > 0;
    return x->out.failed ? STORE_NOMEM : STORE_OK;
}

static api_stream_state export_next(api_stream *s, const char **data,
                                    size_t *len)
{
    export_stream *x = (export_stream *)s;
    if (x->pending) {
        x->pending = false;
        if (x->out.len > 0) {
            *data = x->out.b;
            *len = x->out.len;
            return API_STREAM_PART;
        }
    }
    while (x->more) {
        int64_t from = x->after;
        store_status st = read_page(x);
        if (st != STORE_OK) {
            snprintf(s->error, sizeof s->error,
                     "reading the experiments below position %" PRId64
                     " failed: %s",
                     from, store_status_str(st));
            return API_STREAM_FAILED;
        }
        if (x->out.len > 0) {
            *data = x->out.b;
            *len = x->out.len;
            return API_STREAM_PART;
        }
    }
    return API_STREAM_END;
}

static void export_free(api_stream *s)
{
    export_stream *x = (export_stream *)s;
    free(x->strings);
    free(x->out.b);
    free(x);
}

/* The kinds whose columns the CSV has: those the filter names, or all,
 * in the order of the table. */
static void choose_kinds(export_stream *x)
{
    size_t n = api_experiment_kind_count();
    for (size_t k = 0; k < n && x->kind_count < 64; k++) {
        bool named = x->filter.kind_count == 0;
        for (size_t i = 0; i < x->filter.kind_count && !named; i++)
            named = strcmp(x->filter.kind[i], api_experiment_kind_name(k)) ==
                    0;
        if (named)
            x->kinds[x->kind_count++] = k;
    }
}

api_code api_export_experiments(const api_call *call,
                                const store_experiment_filter *filter,
                                api_export_format format,
                                api_export_json_fn to_json,
                                api_response *resp, api_err *err)
{
    export_stream *x = calloc(1, sizeof *x);
    if (!x || !copy_filter(x, filter)) {
        free(x);
        return api_no_memory(err);
    }
    x->base.next = export_next;
    x->base.free = export_free;
    x->db = call->ctx->db;
    x->format = format;
    x->to_json = to_json;
    choose_kinds(x);
    /* The first page now: an error before the first byte is a problem. */
    store_status st = read_page(x);
    if (st == STORE_OK && format == API_EXPORT_CSV) {
        /* the header goes before the first page's rows */
        text rows = x->out;
        x->out = (text){0};
        put_header(x);
        put(&x->out, rows.b, rows.len);
        free(rows.b);
        if (x->out.failed)
            st = STORE_NOMEM;
    }
    if (st != STORE_OK) {
        export_free(&x->base);
        return api_fail_store(err, st, "experiment", "");
    }
    x->pending = true;
    resp->status = 200;
    resp->stream = &x->base;
    if (format == API_EXPORT_CSV) {
        resp->content_type = "text/csv; charset=utf-8; header=present";
        api_response_header(resp, "Content-Disposition",
                            "attachment; filename=\"experiments.csv\"");
    } else {
        resp->content_type = "application/x-ndjson";
        api_response_header(resp, "Content-Disposition",
                            "attachment; filename=\"experiments.ndjson\"");
    }
    return API_OK;
}
