/* api/experiments.c - analogy experiments: run-and-store, list with
 * filters, get, patch (name, notes, tags), delete. */
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/experiment_run.h"
#include "api/json_write.h"
#include "api/parse.h"

#define NAME_MAX_LEN 200
#define NOTES_MAX_LEN 10000
#define TAG_MAX_LEN 64
#define TAGS_MAX 32

/* The representation of a stored experiment, with its params and result
 * (both taken: new references or NULL). */
static json_t *experiment_json_with(const store_experiment *e, json_t *params,
                                    json_t *result)
{
    json_t *tags = json_array();
    for (size_t i = 0; tags && i < e->tag_count; i++)
        json_array_append_new(tags, json_string(e->tags[i]));
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

/* The representation of a stored experiment. Params and result are stored
 * as JSON text written by psinet itself; they parse back exactly. */
static json_t *experiment_json(const store_experiment *e)
{
    return experiment_json_with(e, json_loads(e->params_json, 0, NULL),
                                json_loads(e->result_json, 0, NULL));
}

/* Reads "tags": up to TAGS_MAX distinct strings; fills tags[] (borrowed). */
static bool read_tags(const json_t *v, const char *ptr, const char **tags,
                      size_t *count, api_err *err)
{
    *count = 0;
    if (!json_is_array(v))
        return api_invalid(err, ptr, "must be an array of strings, not %s",
                           api_json_kind(v));
    size_t n = json_array_size(v);
    if (n > TAGS_MAX)
        return api_invalid(err, ptr, "has %zu tags; the limit is %d (fixed)",
                           n, TAGS_MAX);
    for (size_t i = 0; i < n; i++) {
        char p[API_PTR_MAX];
        api_ptr_index(p, ptr, i);
        if (!api_read_string(json_array_get(v, i), p, TAG_MAX_LEN, &tags[i],
                             err))
            return false;
        for (size_t k = 0; k < i; k++)
            if (strcmp(tags[k], tags[i]) == 0)
                return api_invalid(err, p, "repeats the tag \"%s\"", tags[i]);
    }
    *count = n;
    return true;
}

/* Reads "notes": a string (possibly empty) or null. */
static bool read_notes(const json_t *v, const char **notes, api_err *err)
{
    *notes = NULL;
    if (json_is_null(v))
        return true;
    if (json_is_string(v) && json_string_length(v) == 0) {
        *notes = "";
        return true;
    }
    return api_read_string(v, "/notes", NOTES_MAX_LEN, notes, err);
}

api_code api_experiment_create(const api_call *call, api_response *resp,
                               api_err *err)
{
    static const char *const fields[] = {"name", "kind", "params", "tags",
                                         "notes", NULL};
    const json_t *body = call->body;
    if (api_need_store(call, err) != API_OK ||
        !api_check_object(body, "", fields, err))
        return err->code;
    store_experiment e = {0};
    const char *name = NULL, *kind = NULL, *notes = NULL;
    const char *tags[TAGS_MAX];
    size_t tag_count = 0;
    const json_t *v = json_object_get(body, "name");
    if (!v)
        api_invalid(err, "/name", "is required");
    else
        api_read_string(v, "/name", NAME_MAX_LEN, &name, err);
    v = json_object_get(body, "kind");
    if (!v)
        api_invalid(err, "/kind", "is required");
    else if (api_read_string(v, "/kind", 64, &kind, err) &&
             !api_experiment_kind_known(kind))
        api_invalid(err, "/kind", "is not a known kind; use one of: %s",
                    api_experiment_kinds());
    v = json_object_get(body, "tags");
    if (v)
        read_tags(v, "/tags", tags, &tag_count, err);
    v = json_object_get(body, "notes");
    if (v)
        read_notes(v, &notes, err);
    const json_t *params = json_object_get(body, "params");
    if (!params)
        api_invalid(err, "/params", "is required");
    else if (!json_is_object(params))
        api_invalid(err, "/params", "must be an object, not %s",
                    api_json_kind(params));
    if (err->code != API_OK)
        return err->code;

    json_t *stored = NULL, *result = NULL;
    api_code code =
        api_experiment_run(call->ctx, kind, params, &stored, &result, err);
    if (code != API_OK)
        return code;
    size_t len;
    e.params_json = api_json_write(stored, &len);
    e.result_json = api_json_write(result, &len);
    if (!e.params_json || !e.result_json) {
        code = api_fail(err, API_EINTERNAL, "out of memory");
    } else {
        e.name = (char *)name;
        snprintf(e.kind, sizeof e.kind, "%s", kind);
        e.tags = (char **)tags;
        e.tag_count = tag_count;
        e.notes = notes && *notes ? (char *)notes : NULL;
        store_status st = store_experiment_create(call->ctx->db, &e);
        if (st != STORE_OK) {
            code = api_store_fail(err, st, "experiment", "");
        } else {
            /* The trees just written are what the stored text reads back
             * as: no need to parse it again. */
            code = api_reply(resp, 201,
                             experiment_json_with(&e, json_incref(stored),
                                                  json_incref(result)),
                             err);
            api_response_header(resp, "Location", "/v1/experiments/%s", e.id);
        }
    }
    json_decref(stored);
    json_decref(result);
    free(e.params_json);
    free(e.result_json);
    return code;
}

/* Reads a time filter from the query into out (canonical form); round_up
 * for an exclusive upper bound (api_parse_time). */
static api_code read_time_filter(const api_call *call, const char *key,
                                 bool round_up, char *out,
                                 const char **filter, api_err *err)
{
    int present;
    const char *v = api_query_get(call->req, key, &present);
    *filter = NULL;
    if (!present)
        return API_OK;
    if (!api_parse_time(v, round_up, out))
        return api_fail(err, API_EBADREQUEST,
                        "%s must be an RFC 3339 date-time such as "
                        "2026-11-24T23:40:00Z",
                        key);
    *filter = out;
    return API_OK;
}

/* Reads a plain string filter (non-empty when present). */
static api_code read_text_filter(const api_call *call, const char *key,
                                 const char **filter, api_err *err)
{
    int present;
    *filter = api_query_get(call->req, key, &present);
    if (present && (!*filter || !**filter))
        return api_fail(err, API_EBADREQUEST, "%s must not be empty", key);
    return API_OK;
}

api_code api_experiment_list(const api_call *call, api_response *resp,
                             api_err *err)
{
    api_page page;
    store_experiment_filter f = {0};
    char after[STORE_TIME_MAX], before[STORE_TIME_MAX];
    if (api_need_store(call, err) != API_OK ||
        api_page_read(call, &page, err) != API_OK ||
        read_text_filter(call, "kind", &f.kind, err) != API_OK ||
        read_text_filter(call, "tag", &f.tag, err) != API_OK ||
        read_text_filter(call, "name", &f.name_contains, err) != API_OK ||
        read_time_filter(call, "created_after", false, after, &f.created_after,
                         err) != API_OK ||
        read_time_filter(call, "created_before", true, before, &f.created_before,
                         err) != API_OK)
        return err->code;
    if (f.kind && !api_experiment_kind_known(f.kind))
        return api_fail(err, API_EBADREQUEST,
                        "kind must be one of: %s", api_experiment_kinds());
    store_experiment *items;
    size_t count;
    int64_t next;
    store_status st = store_experiment_list(call->ctx->db, &f, page.after,
                                            page.limit, &items, &count, &next);
    if (st != STORE_OK)
        return api_store_fail(err, st, "experiment", "");
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        json_array_append_new(list, experiment_json(&items[i]));
    store_experiment_array_free(items, count);
    return api_reply(resp, 200, list ? api_page_json(list, next) : NULL, err);
}

api_code api_experiment_get(const api_call *call, api_response *resp,
                            api_err *err)
{
    if (api_need_store(call, err) != API_OK)
        return err->code;
    store_experiment e;
    store_status st = store_experiment_get(call->ctx->db, call->id, &e);
    if (st != STORE_OK)
        return api_store_fail(err, st, "experiment", call->id);
    api_code code = api_reply(resp, 200, experiment_json(&e), err);
    store_experiment_free(&e);
    return code;
}

api_code api_experiment_patch(const api_call *call, api_response *resp,
                              api_err *err)
{
    static const char *const fields[] = {"name", "notes", "tags", NULL};
    const json_t *body = call->body;
    if (api_need_store(call, err) != API_OK)
        return err->code;
    if (!api_check_object(body, "", fields, err)) {
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)body, key, value) {
            if (strcmp(key, "params") == 0 || strcmp(key, "result") == 0 ||
                strcmp(key, "kind") == 0) {
                api_err_clear(err);
                char p[API_PTR_MAX];
                api_ptr_key(p, "", key);
                api_invalid(err, p,
                            "cannot change: an experiment's kind, params and "
                            "result are fixed when it runs (only name, notes "
                            "and tags can be edited)");
                break;
            }
        }
        return err->code;
    }
    store_experiment_patch patch = {0};
    const char *tags[TAGS_MAX];
    const json_t *v = json_object_get(body, "name");
    if (v)
        api_read_string(v, "/name", NAME_MAX_LEN, &patch.name, err);
    v = json_object_get(body, "notes");
    if (v && read_notes(v, &patch.notes, err)) {
        patch.set_notes = true;
        if (patch.notes && !*patch.notes)
            patch.notes = NULL;
    }
    v = json_object_get(body, "tags");
    if (v && read_tags(v, "/tags", tags, &patch.tag_count, err)) {
        patch.set_tags = true;
        patch.tags = tags;
    }
    if (err->code != API_OK)
        return err->code;
    store_experiment e;
    store_status st =
        store_experiment_update(call->ctx->db, call->id, &patch, &e);
    if (st != STORE_OK)
        return api_store_fail(err, st, "experiment", call->id);
    api_code code = api_reply(resp, 200, experiment_json(&e), err);
    store_experiment_free(&e);
    return code;
}

api_code api_experiment_delete(const api_call *call, api_response *resp,
                               api_err *err)
{
    if (api_need_store(call, err) != API_OK)
        return err->code;
    store_status st = store_experiment_delete(call->ctx->db, call->id);
    if (st != STORE_OK)
        return api_store_fail(err, st, "experiment", call->id);
    resp->status = 204;
    return API_OK;
}
