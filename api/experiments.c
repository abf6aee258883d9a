/* api/experiments.c - analogy experiments: run-and-store, list with
 * filters, export (api/export.h), get, patch (name, notes, tags), delete. The experiments
 * themselves are api/experiment.h's. */
#include <stdlib.h>
#include <string.h>

#include "api/db.h"
#include "api/experiment.h"
#include "api/export.h"
#include "api/handler.h"
#include "api/hold.h"
#include "api/page.h"
#include "codec/rfc3339.h"
#include "core/utf8.h"
#include "store/experiment.h"

#define NAME_MAX_LEN 200
#define NOTES_MAX_LEN 10000
#define TAG_MAX_LEN 64
#define TAGS_MAX 32

/* An experiment's params and result are fixed when it runs. */
#define FIXED                                                                  \
    "cannot change: an experiment's kind, params and result are fixed when "  \
    "it runs (only name, notes and tags can be edited)"

/* The representation of a stored experiment, with its params and result
 * (both taken: new references or NULL). */
static json_t *experiment_json_with(const store_experiment *e, json_t *params,
                                    json_t *result)
{
    json_t *tags = json_array();
    for (size_t i = 0; tags && i < e->tag_count; i++)
        pjson_push(&tags, json_string(e->tags[i]));
    if (!params || !result || !tags) {
        json_decref(params);
        json_decref(result);
        json_decref(tags);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s}", "id",
                     e->id, "name", e->name, "kind", e->kind, "params", params,
                     "result", result, "tags", tags, "notes",
                     e->notes ? json_string(e->notes) : json_null(),
                     "created_at", e->created_at, "updated_at", e->updated_at);
}

/* Stored params or a stored result as the answer shows it: the JSON text
 * psinet wrote when the experiment ran, which parsed and written again is
 * the same text, spliced in without parsing it (the store hands over only
 * rows whose texts SQLite finds to be JSON objects or arrays). Text that is
 * not UTF-8, which psinet never wrote, is parsed, and refused, as any. */
static json_t *stored_json(const char *text)
{
    size_t n = strlen(text);
    return utf8_valid(text, n) ? pjson_raw(text, n)
                               : json_loads(text, 0, NULL);
}

/* The representation of a stored experiment. */
static json_t *experiment_json(const store_experiment *e)
{
    return experiment_json_with(e, stored_json(e->params_json),
                                stored_json(e->result_json));
}

/* "tags": up to TAGS_MAX distinct strings, borrowed. */
typedef struct {
    const char *tags[TAGS_MAX];
    size_t count;
} tag_list;

/* Reads "tags". out: tag_list. */
static bool read_tags(const api_in *in, const json_t *v, const char *ptr,
                      const api_field *f)
{
    tag_list *t = f->out;
    t->count = 0;
    if (!json_is_array(v))
        return api_invalid(in->err, ptr, "must be an array of strings, not %s",
                           api_json_kind(v));
    size_t n = json_array_size(v);
    if (n > TAGS_MAX)
        return api_invalid(in->err, ptr,
                           "has %zu tags; the limit is %d (fixed)", n,
                           TAGS_MAX);
    for (size_t i = 0; i < n; i++) {
        char p[API_PTR_MAX];
        api_ptr_index(p, ptr, i);
        api_field tag = API_STRING(NULL, &t->tags[i], TAG_MAX_LEN, 0);
        if (!api_read_string(in, json_array_get(v, i), p, &tag))
            return false;
        for (size_t k = 0; k < i; k++)
            if (strcmp(t->tags[k], t->tags[i]) == 0)
                return api_invalid(in->err, p, "repeats the tag \"%s\"",
                                   t->tags[i]);
    }
    t->count = n;
    return true;
}

/* Reads "notes": a string, possibly empty, or null (none). out: const char
 * * (NULL for none). */
static bool read_notes(const api_in *in, const json_t *v, const char *ptr,
                       const api_field *f)
{
    const char **notes = f->out;
    *notes = NULL;
    if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
        return true;
    api_field text = API_STRING(NULL, notes, NOTES_MAX_LEN, 0);
    return api_read_string(in, v, ptr, &text);
}

/* Reads "kind": the name of a kind this build runs. out: const char *. */
static bool read_kind(const api_in *in, const json_t *v, const char *ptr,
                      const api_field *f)
{
    api_field name = API_STRING(NULL, f->out, 64, 0);
    if (!api_read_string(in, v, ptr, &name))
        return false;
    if (!api_experiment_find(*(const char **)f->out))
        return api_invalid(in->err, ptr, "is not a known kind; use one of: %s",
                           api_experiment_kinds());
    return true;
}

/* An experiment waiting in the group-commit queue (api/hold.h): a copy of
 * everything the store writes, since the body it came from is gone by the
 * time the row is written. */
static void held_release(void *row)
{
    store_experiment_free(row);
    free(row);
}

/* A malloc'd copy of e whose strings are all its own (the JSON texts are
 * taken: e's become NULL), or NULL when memory runs out. */
static store_experiment *held_copy(store_experiment *e)
{
    store_experiment *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    memcpy(h->kind, e->kind, sizeof h->kind);
    h->name = strdup(e->name);
    h->notes = e->notes ? strdup(e->notes) : NULL;
    h->tags = e->tag_count ? calloc(e->tag_count, sizeof *h->tags) : NULL;
    bool ok = h->name && (!e->notes || h->notes) &&
              (!e->tag_count || h->tags);
    for (size_t i = 0; ok && i < e->tag_count; i++) {
        h->tags[i] = strdup(e->tags[i]);
        h->tag_count = i + 1;
        ok = h->tags[i] != NULL;
    }
    if (!ok) {
        held_release(h);
        return NULL;
    }
    h->params_json = e->params_json;
    h->result_json = e->result_json;
    h->inputs_json = e->inputs_json;
    e->params_json = e->result_json = e->inputs_json = NULL;
    return h;
}

/* Writes e: at once, or, when the answer can wait for group commit
 * (api_hold_useful), into the writer's queue with a hold on it in *hold.
 * *row is the experiment the answer shows: e, or the queued copy. */
static api_code write_experiment(const api_call *call, store_experiment *e,
                                 store_experiment **row, api_hold **hold,
                                 api_err *err)
{
    *row = e;
    *hold = NULL;
    if (!api_hold_useful(call->ctx, call->req))
        return api_fail_store(err, store_experiment_create(call->ctx->db, e),
                              "experiment", "");
    store_experiment *queued = held_copy(e);
    if (!queued)
        return api_no_memory(err);
    *hold = api_hold_new("experiment", queued,
                         held_release);
    /* The id and created_at are set when submit returns, and the hold keeps
     * the row alive until it is ended, however soon it is written. */
    store_experiment_submit(call->ctx->db, queued, api_hold_done, *hold);
    *row = queued;
    return API_OK;
}

static api_code create(const api_call *call, api_response *resp,
                       api_err *err)
{
    const char *name = NULL, *kind = NULL, *notes = NULL;
    const json_t *params = NULL;
    tag_list tags = {.count = 0};
    api_field fields[] = {
        API_STRING("name", &name, NAME_MAX_LEN, 0),
        API_FIELD("kind", read_kind, &kind, NULL, 0),
        API_FIELD("tags", read_tags, &tags, NULL, API_OPTIONAL),
        API_FIELD("notes", read_notes, &notes, NULL, API_OPTIONAL),
        API_FIELD("params", api_read_any_object, &params, NULL, 0),
        API_END,
    };
    json_t *stored = NULL, *result = NULL, *used = NULL;
    store_experiment e = {0};
    if (api_need_store(call->ctx, err) != API_OK ||
        !api_read_object(call->in, call->body, "", fields) ||
        api_experiment_run(call->ctx, call->in, kind, params, &stored,
                           &result, &used) != API_OK)
        goto out;
    size_t len;
    e.params_json = pjson_write(stored, &len);
    e.result_json = pjson_write(result, &len);
    e.inputs_json = pjson_write(used, &len);
    if (!e.params_json || !e.result_json || !e.inputs_json) {
        api_no_memory(err);
        goto out;
    }
    e.name = (char *)name;
    snprintf(e.kind, sizeof e.kind, "%s", kind);
    e.tags = (char **)tags.tags;
    e.tag_count = tags.count;
    e.notes = (char *)notes;
    store_experiment *row;
    api_hold *hold;
    if (write_experiment(call, &e, &row, &hold, err) != API_OK)
        goto out;
    /* The trees just written are what the stored text reads back as: no
     * need to parse it again. */
    api_reply_created(resp,
                      experiment_json_with(row, json_incref(stored),
                                           json_incref(result)),
                      "experiment", "experiments", row->id, err);
    resp->hold = hold; /* sent once the row is durable */
out:
    json_decref(stored);
    json_decref(result);
    json_decref(used);
    free(e.params_json);
    free(e.result_json);
    free(e.inputs_json);
    return err->code;
}

/* Reads a time filter from the query into out (canonical form); round_up
 * for an exclusive upper bound (codec/rfc3339.h). */
static api_code read_time_filter(const api_call *call, const char *key,
                                 bool round_up, char *out,
                                 const char **filter, api_page_scope *scope,
                                 api_err *err)
{
    int present;
    const char *v = api_query_get(call->req, key, &present);
    *filter = NULL;
    if (!present)
        return API_OK;
    if (!rfc3339_parse(v, round_up, out))
        return api_fail(err, API_EBADREQUEST,
                        "%s must be an RFC 3339 date-time such as "
                        "2026-11-24T23:40:00Z",
                        key);
    *filter = out;
    api_page_scope_add(scope, key, out);
    return API_OK;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads the values of a repeatable text filter (each non-empty, at most
 * STORE_FILTER_VALUES) into values, and adds them to the cursor's scope in
 * sorted order, so that the order they were given in does not matter. */
static api_code read_text_filter(const api_call *call, const char *key,
                                 const char **values, size_t *count,
                                 api_page_scope *scope, api_err *err)
{
    *count = api_query_all(call->req, key, values, STORE_FILTER_VALUES);
    if (*count > STORE_FILTER_VALUES)
        return api_fail(err, API_EBADREQUEST,
                        "%s is given %zu times; at most %d values", key,
                        *count, STORE_FILTER_VALUES);
    for (size_t i = 0; i < *count; i++)
        if (!values[i] || !*values[i])
            return api_fail(err, API_EBADREQUEST, "%s must not be empty",
                            key);
    const char *sorted[STORE_FILTER_VALUES];
    memcpy(sorted, values, *count * sizeof *sorted);
    qsort(sorted, *count, sizeof *sorted, compare_strings);
    for (size_t i = 0; i < *count; i++)
        api_page_scope_add(scope, key, sorted[i]);
    return API_OK;
}

/* The list's filters from the query, into f (values borrowed from the
 * query; the times in after and before), each added to scope. */
static api_code read_filter(const api_call *call, store_experiment_filter *f,
                            char after[RFC3339_SIZE],
                            char before[RFC3339_SIZE], api_page_scope *scope,
                            api_err *err)
{
    if (read_text_filter(call, "kind", f->kind, &f->kind_count, scope, err) ||
        read_text_filter(call, "tag", f->tag, &f->tag_count, scope, err) ||
        read_text_filter(call, "name", f->name_contains, &f->name_count,
                         scope, err) ||
        read_time_filter(call, "created_after", false, after,
                         &f->created_after, scope, err) ||
        read_time_filter(call, "created_before", true, before,
                         &f->created_before, scope, err))
        return err->code;
    for (size_t i = 0; i < f->kind_count; i++)
        if (!api_experiment_find(f->kind[i]))
            return api_fail(err, API_EBADREQUEST, "kind must be one of: %s",
                            api_experiment_kinds());
    return API_OK;
}

static api_code list(const api_call *call, api_response *resp, api_err *err)
{
    api_page page;
    api_page_scope scope;
    store_experiment_filter f = {0};
    char after[RFC3339_SIZE], before[RFC3339_SIZE];
    api_page_scope_init(&scope, call);
    if (api_need_store(call->ctx, err) ||
        read_filter(call, &f, after, before, &scope, err) ||
        api_page_read(call, &scope, &page, err))
        return err->code;
    store_experiment *items;
    size_t count;
    int64_t next;
    store_status st = store_experiment_list(call->ctx->db, &f, page.after,
                                            page.limit, &items, &count, &next);
    if (st != STORE_OK)
        return api_fail_store(err, st, "experiment", "");
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        pjson_push(&list, experiment_json(&items[i]));
    store_experiment_array_free(items, count);
    return api_reply(resp, 200,
                     list ? api_page_json(call, &page, list, next) : NULL,
                     err);
}

/* Every experiment that passes the list's filters, streamed
 * (api/export.h): ?format=ndjson (the default) or csv. */
static api_code export(const api_call *call, api_response *resp,
                       api_err *err)
{
    api_page_scope scope; /* not used: an export has no cursor */
    store_experiment_filter f = {0};
    char after[RFC3339_SIZE], before[RFC3339_SIZE];
    api_page_scope_init(&scope, call);
    if (api_need_store(call->ctx, err) ||
        read_filter(call, &f, after, before, &scope, err))
        return err->code;
    int present;
    const char *format = api_query_get(call->req, "format", &present);
    api_export_format fmt = API_EXPORT_NDJSON;
    if (present && format && strcmp(format, "csv") == 0)
        fmt = API_EXPORT_CSV;
    else if (present && (!format || strcmp(format, "ndjson") != 0))
        return api_fail(err, API_EBADREQUEST,
                        "format must be ndjson or csv");
    return api_export_experiments(call, &f, fmt, experiment_json, resp, err);
}

static api_code get(const api_call *call, api_response *resp, api_err *err)
{
    if (api_need_store(call->ctx, err) != API_OK)
        return err->code;
    store_experiment e;
    store_status st = store_experiment_get(call->ctx->db, call->id, &e);
    if (st != STORE_OK)
        return api_fail_store(err, st, "experiment", call->id);
    api_code code = api_reply(resp, 200, experiment_json(&e), err);
    store_experiment_free(&e);
    return code;
}

static api_code patch(const api_call *call, api_response *resp,
                      api_err *err)
{
    store_experiment_patch patch = {0};
    tag_list tags = {.count = 0};
    api_field fields[] = {
        API_STRING("name", &patch.name, NAME_MAX_LEN, API_OPTIONAL),
        API_FIELD("notes", read_notes, &patch.notes, NULL, API_OPTIONAL),
        API_FIELD("tags", read_tags, &tags, NULL, API_OPTIONAL),
        API_FIELD("kind", api_read_refused, NULL, FIXED, API_OPTIONAL),
        API_FIELD("params", api_read_refused, NULL, FIXED, API_OPTIONAL),
        API_FIELD("result", api_read_refused, NULL, FIXED, API_OPTIONAL),
        API_END,
    };
    if (api_need_store(call->ctx, err) != API_OK ||
        !api_read_object(call->in, call->body, "", fields))
        return err->code;
    patch.set_notes = json_object_get(call->body, "notes") != NULL;
    patch.set_tags = json_object_get(call->body, "tags") != NULL;
    patch.tags = tags.tags;
    patch.tag_count = tags.count;
    store_experiment e;
    store_status st =
        store_experiment_update(call->ctx->db, call->id, &patch, &e);
    if (st != STORE_OK)
        return api_fail_store(err, st, "experiment", call->id);
    api_code code = api_reply(resp, 200, experiment_json(&e), err);
    store_experiment_free(&e);
    return code;
}

static api_code delete(const api_call *call, api_response *resp,
                       api_err *err)
{
    if (api_need_store(call->ctx, err) != API_OK)
        return err->code;
    store_status st = store_experiment_delete(call->ctx->db, call->id);
    if (st != STORE_OK)
        return api_fail_store(err, st, "experiment", call->id);
    resp->status = 204;
    return API_OK;
}

/* Recomputes a stored experiment and says whether it is the same
 * (api_experiment_rerun). It writes nothing, so it needs the API key only
 * where reads do, as a forward pass does. */
static api_code rerun(const api_call *call, api_response *resp,
                      api_err *err)
{
    if (api_need_store(call->ctx, err) != API_OK)
        return err->code;
    store_experiment e;
    store_status st = store_experiment_get(call->ctx->db, call->id, &e);
    if (st != STORE_OK)
        return api_fail_store(err, st, "experiment", call->id);
    json_t *answer;
    if (api_experiment_rerun(call->ctx, call->in, &e, &answer) == API_OK)
        api_reply(resp, 200, answer, err);
    store_experiment_free(&e);
    return err->code;
}

const api_route api_experiment_routes[] = {
    {"POST", "/v1/experiments", create,
     API_ROUTE_BODY | API_ROUTE_WRITES | API_ROUTE_LONG,
     "experiments.create", "createExperiment", NULL, NULL},
    {"GET", "/v1/experiments", list, API_ROUTE_LONG, "experiments.list",
     "listExperiments",
     "limit cursor kind* tag* name* created_after created_before", NULL},
    {"GET", "/v1/experiments/export", export, API_ROUTE_LONG,
     "experiments.export", "exportExperiments",
     "format kind* tag* name* created_after created_before", NULL},
    {"GET", "/v1/experiments/{id}", get, API_ROUTE_LONG, "experiments.get",
     "getExperiment", NULL, NULL},
    {"PATCH", "/v1/experiments/{id}", patch,
     API_ROUTE_BODY | API_ROUTE_WRITES | API_ROUTE_LONG,
     "experiments.patch", "updateExperiment", NULL, NULL},
    {"DELETE", "/v1/experiments/{id}", delete, API_ROUTE_WRITES,
     "experiments.delete", "deleteExperiment", NULL, NULL},
    {"POST", "/v1/experiments/{id}/rerun", rerun, API_ROUTE_LONG,
     "experiments.rerun", "rerunExperiment", NULL, NULL},
    {0},
};
