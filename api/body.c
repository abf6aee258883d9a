/* api/body.c - parsing a request's JSON body (api/body.h). */
#include "api/body.h"

#include <string.h>
#include <strings.h>

/* Whether the Content-Type names JSON: application/json or any
 * application/<x>+json, with or without parameters such as charset. */
static int is_json_media_type(const char *ct)
{
    if (!ct)
        return 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strcspn(ct, "; \t");
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return 1;
    return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
           strncasecmp(ct + n - 5, "+json", 5) == 0;
}

/* The depth of the deepest array or object in text, a JSON document that
 * jansson has parsed (so brackets pair up): brackets inside strings do not
 * count. A pass over the bytes costs less than a walk over the values. */
static size_t json_text_depth(const char *text, size_t len)
{
    size_t depth = 0, deepest = 0;
    for (const char *p = text, *end = text + len; p < end; p++) {
        switch (*p) {
        case '"': /* skip the string: to the quote no backslash escapes */
            for (p++; p < end && *p != '"'; p++)
                if (*p == '\\')
                    p++;
            break;
        case '[':
        case '{':
            if (++depth > deepest)
                deepest = depth;
            break;
        case ']':
        case '}': depth--; break;
        default: break;
        }
    }
    return deepest;
}

/* The refusal of a body nested deeper than max_depth: jansson's own limit
 * (2048 levels) is reported the same way. */
static api_code too_deep(const api_ctx *ctx, api_err *err)
{
    return api_fail(err, API_EINVALID,
                    "the request body nests arrays and objects deeper than "
                    "the limit of %zu levels (max_depth)",
                    ctx->limits.max_depth);
}

/* The refusal of a body jansson could not parse. Well-formed JSON that
 * psinet cannot hold (a number beyond a double, a string with \u0000) is
 * a 422; anything else a 400. */
static api_code unparsed(const api_ctx *ctx, const json_error_t *jerr,
                         api_err *err)
{
    enum json_error_code jc = json_error_code(jerr);
    if (jc == json_error_stack_overflow)
        return too_deep(ctx, err);
    api_code code = jc == json_error_numeric_overflow ||
                            jc == json_error_null_character
                        ? API_EINVALID
                        : API_EBADJSON;
    return api_fail(err, code, "%s (line %d, column %d, byte %d)", jerr->text,
                    jerr->line, jerr->column, jerr->position);
}

api_code api_body_parse(const api_ctx *ctx, const api_request *req,
                        unsigned flags, json_t **body, pjson_lifted *lifted,
                        api_err *err)
{
    *body = NULL;
    memset(lifted, 0, sizeof *lifted);
    if (req->body_len == 0 && (flags & API_ROUTE_BODY_OPTIONAL))
        return API_OK;
    if (!is_json_media_type(req->content_type))
        return api_fail(err, API_EMEDIATYPE,
                        "the request body must be JSON, sent with "
                        "Content-Type: application/json (got %s)",
                        req->content_type ? "another type" : "none");
    if (req->body_len == 0)
        return api_fail(err, API_EBADJSON,
                        "the request body is empty; a JSON object is needed");
    /* Any JSON value parses (JSON_DECODE_ANY): a scalar body is well-formed,
     * and is refused below as not an object, like an array is. */
    const size_t jflags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY;
    const char *text = req->body; /* what jansson parses */
    size_t len = req->body_len;
    if ((flags & API_ROUTE_LIFT_B64) &&
        pjson_lift(text, len, api_random_seed(), lifted)) {
        text = lifted->text;
        len = lifted->text_len;
    }
    json_error_t jerr;
    json_t *v = json_loadb(text, len, jflags, &jerr);
    if (!v && text != req->body) /* report positions in the body sent */
        json_decref(json_loadb(req->body, req->body_len, jflags, &jerr));
    if (!v)
        return unparsed(ctx, &jerr, err);
    if (!json_is_object(v)) {
        api_invalid(err, "", "the request body must be a JSON object, not %s",
                    api_json_kind(v));
        json_decref(v);
        return API_EINVALID;
    }
    if (json_text_depth(text, len) > ctx->limits.max_depth) {
        json_decref(v);
        return too_deep(ctx, err);
    }
    *body = v;
    return API_OK;
}
