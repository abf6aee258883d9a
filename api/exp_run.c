/* api/exp_run.c - what every experiment kind shares around its run: the
 * stored inputs its params name and their content hashes, recorded when
 * it runs, and the rerun that recomputes a stored experiment and says
 * whether it came out the same (api/experiment.h). */
#include <stdlib.h>
#include <string.h>

#include "api/db.h"
#include "api/experiment.h"
#include "store/digest.h"

/* The hash of the stored input `id` into hex; STORE_NOTFOUND when there
 * is none. */
typedef store_status (*digest_fn)(const api_ctx *ctx, const char *id,
                                  char hex[STORE_DIGEST_HEX]);

static store_status network_digest(const api_ctx *ctx, const char *id,
                                   char hex[STORE_DIGEST_HEX])
{
    const store_network *net;
    store_status st = store_network_acquire(ctx->db, id, &net);
    if (st == STORE_OK) {
        store_network_digest(net, hex);
        store_network_release(ctx->db, net);
    }
    return st;
}

static store_status superposition_digest(const api_ctx *ctx, const char *id,
                                         char hex[STORE_DIGEST_HEX])
{
    store_superposition s;
    store_status st = store_superposition_get(ctx->db, id, &s);
    if (st == STORE_OK) {
        store_superposition_digest(&s, hex);
        store_superposition_free(&s);
    }
    return st;
}

/* The members of params that name a stored input, whatever the kind: a
 * kind that takes a stored input takes it by one of these names, at the
 * top of its params. `changes` is whether psinet can change the input in
 * place (POST /v1/superpositions/{id}/normalize does); a network never
 * changes under its id, and ids are never reused. */
static const struct {
    const char *field, *type;
    digest_fn digest;
    bool changes;
} inputs[] = {
    {"network_id", "network", network_digest, false},
    {"superposition_id", "superposition", superposition_digest, true},
};

#define INPUT_COUNT (sizeof inputs / sizeof inputs[0])

/* The longest id a kind reads (its API_STRING limit). */
#define ID_MAX_LEN 64

/* {"pointer", "type", "id", "sha256"} for each stored input params names,
 * as it is now; sha256 null when there is none by that id. Members that
 * are not ids are left to the kind to refuse. only_changing: just the
 * inputs psinet can change in place. NULL with err set when the store
 * fails. */
static json_t *scan_inputs(const api_ctx *ctx, const json_t *params,
                           bool only_changing, api_err *err)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < INPUT_COUNT; i++) {
        const json_t *v = json_object_get(params, inputs[i].field);
        if (!json_is_string(v) || json_string_length(v) == 0 ||
            json_string_length(v) > ID_MAX_LEN ||
            (only_changing && !inputs[i].changes))
            continue;
        if (api_need_store(ctx, err) != API_OK) {
            json_decref(list);
            return NULL;
        }
        const char *id = json_string_value(v);
        char hex[STORE_DIGEST_HEX];
        store_status st = inputs[i].digest(ctx, id, hex);
        if (st != STORE_OK && st != STORE_NOTFOUND) {
            api_fail_store(err, st, inputs[i].type, id);
            json_decref(list);
            return NULL;
        }
        char pointer[API_PTR_MAX];
        snprintf(pointer, sizeof pointer, "/params/%s", inputs[i].field);
        pjson_push(&list,
                   json_pack("{s:s, s:s, s:s, s:o}", "pointer", pointer,
                             "type", inputs[i].type, "id", id, "sha256",
                             st == STORE_OK ? json_string(hex)
                                            : json_null()));
    }
    if (!list)
        api_no_memory(err);
    return list;
}

/* Whether the changing inputs of after are as in before (same pointer,
 * same sha256). */
static bool unchanged(const json_t *before, const json_t *after,
                      const char **what)
{
    size_t i;
    const json_t *a;
    json_array_foreach(after, i, a) {
        const char *pointer = json_string_value(json_object_get(a, "pointer"));
        size_t k;
        const json_t *b;
        json_array_foreach(before, k, b) {
            if (strcmp(pointer,
                       json_string_value(json_object_get(b, "pointer"))) !=
                0)
                continue;
            if (!json_equal((json_t *)json_object_get(a, "sha256"),
                            (json_t *)json_object_get(b, "sha256"))) {
                *what = json_string_value(json_object_get(a, "id"));
                return false;
            }
        }
    }
    return true;
}

json_t *api_experiment_kept(const api_in *in, const json_t *params,
                            bool drawn, uint64_t seed)
{
    json_t *kept = json_deep_copy(params);
    if (kept && drawn &&
        json_object_set_new(kept, "seed", json_integer((json_int_t)seed))) {
        json_decref(kept);
        kept = NULL;
    }
    if (!kept)
        api_no_memory(in->err);
    return kept;
}

api_code api_experiment_run(const api_ctx *ctx, const api_in *in,
                            const char *kind, const json_t *params,
                            json_t **stored, json_t **result,
                            json_t **used)
{
    api_err *err = in->err;
    api_experiment_fn run = api_experiment_find(kind);
    json_t *after = NULL;
    *stored = *result = NULL;
    if (!(*used = scan_inputs(ctx, params, false, err)))
        return err->code;
    if (!run)
        return api_fail(err, API_EINVALID,
                        "kind \"%.64s\" is not one this server runs; it "
                        "runs: %s",
                        kind, api_experiment_kinds());
    if (run(ctx, in, params, stored, result) != API_OK ||
        !(after = scan_inputs(ctx, params, true, err)))
        goto out;
    const char *changed = NULL;
    if (!unchanged(*used, after, &changed)) {
        err->retry_after = 1;
        api_fail(err, API_EUNAVAILABLE,
                 "%.64s was changed while the experiment ran, so it is not "
                 "known which version it ran on: send the request again",
                 changed);
    }
out:
    json_decref(after);
    if (err->code != API_OK) {
        json_decref(*stored);
        json_decref(*result);
        *stored = *result = NULL;
    }
    return err->code;
}

/* ------------------------------------------------------------ rerun */

/* The recorded sha256 of the input at pointer in recorded (an array, or
 * NULL: none recorded), or NULL. */
static const json_t *recorded_hash(const json_t *recorded,
                                   const char *pointer)
{
    size_t i;
    const json_t *r;
    json_array_foreach(recorded, i, r) {
        const json_t *p = json_object_get(r, "pointer");
        const json_t *h = json_object_get(r, "sha256");
        if (json_is_string(p) && strcmp(json_string_value(p), pointer) == 0)
            return json_is_string(h) ? h : NULL;
    }
    return NULL;
}

/* What became of each input: {"pointer", "type", "id", "recorded_sha256",
 * "current_sha256", "status"}; *worst is the first whose status is not
 * "same" (borrowed from the array), or NULL. */
static json_t *input_checks(const json_t *current, const json_t *recorded,
                            const json_t **worst)
{
    json_t *checks = json_array();
    size_t i;
    const json_t *c;
    *worst = NULL;
    json_array_foreach(current, i, c) {
        const char *pointer =
            json_string_value(json_object_get(c, "pointer"));
        const json_t *then = recorded_hash(recorded, pointer);
        const json_t *now = json_object_get(c, "sha256");
        const char *status =
            json_is_null(now) ? "deleted"
            : !then           ? "unknown"
            : strcmp(json_string_value(then), json_string_value(now)) == 0
                ? "same"
                : "differs";
        json_t *check = json_pack(
            "{s:O, s:O, s:O, s:o, s:O, s:s}", "pointer",
            json_object_get(c, "pointer"), "type", json_object_get(c, "type"),
            "id", json_object_get(c, "id"), "recorded_sha256",
            then ? json_incref((json_t *)then) : json_null(),
            "current_sha256", now, "status", status);
        if (check && !*worst && strcmp(status, "same") != 0)
            *worst = check;
        pjson_push(&checks, check);
    }
    return checks;
}

/* The sentence that sums a rerun up: what became of the first input that
 * is not the same (worst, or NULL), then the verdict. why: the detail of
 * the error that kept it from being recomputed. */
static json_t *summary(const json_t *worst, bool recomputed, bool identical,
                       const char *pointer, const char *why)
{
    char input[256] = "";
    if (!recomputed && worst &&
        strcmp(json_string_value(json_object_get(worst, "status")),
               "deleted") == 0)
        return json_sprintf(
            "not recomputed: the %s %.64s it ran on has been deleted",
            json_string_value(json_object_get(worst, "type")),
            json_string_value(json_object_get(worst, "id")));
    if (worst) {
        const char *type = json_string_value(json_object_get(worst, "type"));
        const char *id = json_string_value(json_object_get(worst, "id"));
        const char *status =
            json_string_value(json_object_get(worst, "status"));
        if (strcmp(status, "deleted") == 0)
            snprintf(input, sizeof input,
                     "the %s %.64s it ran on has been deleted; ", type, id);
        else if (strcmp(status, "differs") == 0)
            snprintf(input, sizeof input,
                     "the %s %.64s differs from the one it ran on "
                     "(recomputed with the %s as it is now); ",
                     type, id, type);
        else
            snprintf(input, sizeof input,
                     "the hash of the %s %.64s was not recorded when it "
                     "ran; ",
                     type, id);
    }
    if (!recomputed)
        return json_sprintf("%snot recomputed: %s", input, why ? why : "");
    if (identical)
        return json_sprintf("%sidentical: the result recomputed from the "
                            "stored params and seed is the stored one, "
                            "byte for byte",
                            input);
    return json_sprintf("%sdifferent: the recomputed result first differs "
                        "from the stored one at %s",
                        input, pointer);
}

/* The first difference of the stored result text and the recomputed
 * result, as {"pointer", "stored"?, "recomputed"?}; json_null() when the
 * texts are the same (*identical then true). NULL when memory ran out. */
static json_t *difference(const char *stored_text, const json_t *result,
                          bool *identical)
{
    size_t len;
    char *text = pjson_write(result, &len);
    json_t *stored = NULL, *recomputed = NULL, *d = NULL;
    pjson_difference where = {0};
    *identical = false;
    if (!text)
        goto out;
    if (strcmp(text, stored_text) == 0) {
        *identical = true;
        d = json_null();
        goto out;
    }
    /* Both as their texts read: a result's numeric arrays are text until
     * written (json/pjson.h), and the walk compares values. */
    stored = json_loads(stored_text, JSON_DECODE_ANY, NULL);
    recomputed = json_loads(text, JSON_DECODE_ANY, NULL);
    int found = stored && recomputed
                    ? pjson_first_difference(stored, recomputed, "/result",
                                             &where)
                    : -1;
    if (found < 0)
        goto out;
    if (found == 0) { /* the same values written otherwise: the whole */
        where.pointer = strdup("/result");
        where.a = stored;
        where.b = recomputed;
        if (!where.pointer)
            goto out;
    }
    d = json_pack("{s:s}", "pointer", where.pointer);
    if (where.a)
        pjson_set(&d, "stored", json_incref((json_t *)where.a));
    if (where.b)
        pjson_set(&d, "recomputed", json_incref((json_t *)where.b));
out:
    free(text);
    free(where.pointer);
    json_decref(stored);
    json_decref(recomputed);
    return d;
}

api_code api_experiment_rerun(const api_ctx *ctx, const api_in *in,
                              const store_experiment *e, json_t **answer)
{
    api_err *err = in->err, run_err;
    api_err_init(&run_err);
    api_in run_in = *in;
    run_in.err = &run_err;
    json_t *params = json_loads(e->params_json, 0, NULL);
    json_t *recorded =
        e->inputs_json ? json_loads(e->inputs_json, 0, NULL) : NULL;
    json_t *stored = NULL, *result = NULL, *current = NULL, *checks = NULL;
    json_t *diff = NULL;
    *answer = NULL;
    if (!params || (e->inputs_json && !recorded)) {
        api_no_memory(err);
        goto out;
    }
    api_code code = api_experiment_run(ctx, &run_in, e->kind, params, &stored,
                                       &result, &current);
    /* A stored experiment that does not run again (an input deleted, a
     * limit lowered since) is an answer; a server that cannot run it now
     * (503) or a bug (500) is not. */
    bool recomputed = code == API_OK;
    if (!recomputed && code != API_EINVALID && code != API_ETOOLARGE) {
        api_err_clear(err);
        *err = run_err;
        api_err_init(&run_err);
        goto out;
    }
    const json_t *worst;
    bool identical = false;
    if (!(checks = input_checks(current, recorded, &worst)) ||
        (recomputed && !(diff = difference(e->result_json, result,
                                           &identical)))) {
        api_no_memory(err);
        goto out;
    }
    json_t *problem = recomputed ? NULL : api_problem(&run_err);
    json_t *line = summary(
        worst, recomputed, identical,
        json_string_value(json_object_get(diff, "pointer")),
        json_string_value(json_object_get(problem, "detail")));
    *answer = json_pack("{s:s, s:s, s:b, s:b, s:o, s:O, s:o}", "experiment_id",
                        e->id, "kind", e->kind, "recomputed", recomputed,
                        "identical", identical, "difference",
                        diff ? diff : json_null(), "inputs", checks,
                        "summary", line);
    diff = NULL;
    if (!recomputed)
        pjson_set(answer, "error", problem);
    if (!*answer)
        api_no_memory(err);
out:
    api_err_clear(&run_err);
    json_decref(params);
    json_decref(recorded);
    json_decref(stored);
    json_decref(result);
    json_decref(current);
    json_decref(checks);
    json_decref(diff);
    return err->code;
}
