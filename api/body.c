/* api/body.c - parsing a request's JSON body (api/body.h). */
#include "api/body.h"

#include <stdio.h>
#include <stdlib.h>
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

/* What went wrong, in psinet's words, for each of jansson's error codes
 * that parsing a body can give (jansson's own text names its flags, such
 * as JSON_ALLOW_NUL, and is not repeated to clients). */
static const char *parse_problem(enum json_error_code jc)
{
    switch (jc) {
    case json_error_invalid_utf8: return "the request body is not valid UTF-8";
    case json_error_premature_end_of_input:
        return "the request body ends before its JSON value does";
    case json_error_end_of_input_expected:
        return "the request body goes on after its JSON value";
    case json_error_duplicate_key:
        return "an object in the request body has the same key twice";
    case json_error_null_character:
    case json_error_null_byte_in_key:
        return "a string in the request body holds \\u0000 (the NUL "
               "character), which psinet does not accept";
    case json_error_numeric_overflow:
        return "a number in the request body is beyond the range of a "
               "double (it overflows)";
    default: return "the request body is not valid JSON";
    }
}

/* The refusal of a body jansson could not parse. Well-formed JSON that
 * psinet cannot hold (a number beyond a double, a string with \u0000) is
 * a 422; running out of memory a 503; anything else a 400. The detail
 * says where: the text jansson quotes from the body, and the position. */
static api_code unparsed(const api_ctx *ctx, const json_error_t *jerr,
                         api_err *err)
{
    enum json_error_code jc = json_error_code(jerr);
    if (jc == json_error_stack_overflow)
        return too_deep(ctx, err);
    if (jc == json_error_out_of_memory)
        return api_no_memory(err);
    api_code code = jc == json_error_numeric_overflow ||
                            jc == json_error_null_character ||
                            jc == json_error_null_byte_in_key
                        ? API_EINVALID
                        : API_EBADJSON;
    /* jansson ends its text with " near 'what it read'" or " near end of
     * file": the body's own bytes, or its end. */
    const char *near = strstr(jerr->text, " near ");
    if (near && strcmp(near, " near end of file") == 0)
        near = " at the end of the body";
    return api_fail(err, code, "%s%s (line %d, column %d, byte %d)",
                    parse_problem(jc), near ? near : "", jerr->line,
                    jerr->column, jerr->position);
}

/* Whether the integer literal at p (n digits after an optional '-') is
 * beyond what jansson holds (int64). */
static bool beyond_int64(const char *p, size_t n)
{
    bool negative = *p == '-';
    const char *digits = p + negative;
    size_t len = n - negative;
    while (len > 1 && *digits == '0') {
        digits++;
        len--;
    }
    const char *limit = negative ? "9223372036854775808"
                                 : "9223372036854775807";
    return len > 19 || (len == 19 && memcmp(digits, limit, 19) > 0);
}

/* A copy of the JSON text (len bytes) in which every integer literal
 * beyond int64 has ".0" appended, so that jansson reads it as the double it
 * denotes; the copy's length in *out_len. NULL when out of memory. Strings
 * are skipped whole. */
static char *widen_big_integers(const char *text, size_t len,
                                size_t *out_len)
{
    size_t big = 0;
    for (int pass = 0; pass < 2; pass++) {
        char *out = pass ? malloc(len + 2 * big) : NULL;
        if (pass && !out)
            return NULL;
        size_t o = 0;
        for (size_t i = 0; i < len;) {
            size_t start = i;
            if (text[i] == '"') { /* to the quote no backslash escapes */
                for (i++; i < len && text[i] != '"'; i++)
                    if (text[i] == '\\')
                        i++;
                i = i < len ? i + 1 : len;
            } else if (text[i] == '-' || (text[i] >= '0' && text[i] <= '9')) {
                for (i++; i < len && text[i] && strchr("0123456789.eE+-",
                                                       text[i]);
                     i++)
                    ;
            } else {
                i++;
            }
            size_t n = i - start, sign = text[start] == '-', digits = 0;
            while (sign + digits < n && text[start + sign + digits] >= '0' &&
                   text[start + sign + digits] <= '9')
                digits++;
            /* (the body is not NUL-terminated: counted within n) */
            bool wide = n > 18 && digits == n - sign &&
                        beyond_int64(text + start, n);
            if (!pass) {
                big += wide;
                continue;
            }
            memcpy(out + o, text + start, n);
            o += n;
            if (wide) {
                memcpy(out + o, ".0", 2);
                o += 2;
            }
        }
        if (pass) {
            *out_len = o;
            return out;
        }
    }
    return NULL;
}

/* Parses text like json_loadb. JSON has one kind of number, and psinet
 * reads each as the double it denotes: an integer literal beyond int64,
 * which jansson refuses as an overflow, is read as that double, and only
 * a number beyond a double overflows. Integers jansson holds stay
 * integers, so shots, seeds and shapes read them exactly. */
static json_t *load_json(const char *text, size_t len, size_t flags,
                         json_error_t *jerr)
{
    json_t *v = json_loadb(text, len, flags, jerr);
    if (v || json_error_code(jerr) != json_error_numeric_overflow)
        return v;
    /* Read as doubles throughout, the text overflows or is not JSON at
     * all: that is the error, at its own position. */
    json_t *as_reals =
        json_loadb(text, len, flags | JSON_DECODE_INT_AS_REAL, jerr);
    if (!as_reals)
        return NULL;
    json_decref(as_reals);
    size_t wide_len = 0;
    char *wide = widen_big_integers(text, len, &wide_len);
    if (!wide) {
        snprintf(jerr->text, sizeof jerr->text, "out of memory");
        jerr->text[JSON_ERROR_TEXT_LENGTH - 1] = json_error_out_of_memory;
        return NULL;
    }
    v = json_loadb(wide, wide_len, flags, jerr);
    free(wide);
    return v;
}

/* The keys whose values psinet reads as vectors and matrices, and only
 * with api_read_vector, api_read_matrix and api_read_amplitudes (on the
 * routes marked API_ROUTE_LIFT_NUMBERS): their numeric arrays are read
 * before jansson parses the body (json/pjson.h). */
static const char *const NUMBER_KEYS[] = {"weights", "bias",       "input",
                                          "inputs",  "amplitudes", NULL};

api_code api_body_media(const api_request *req, unsigned flags,
                        api_err *err)
{
    if ((req->body_len == 0 && (flags & API_ROUTE_BODY_OPTIONAL)) ||
        is_json_media_type(req->content_type))
        return API_OK;
    return api_fail(err, API_EMEDIATYPE,
                    "the request body must be JSON, sent with "
                    "Content-Type: application/json (got %s)",
                    req->content_type ? "another type" : "none");
}

api_code api_body_parse(const api_ctx *ctx, const api_request *req,
                        unsigned flags, json_t **body, pjson_lifted *lifted,
                        api_err *err)
{
    *body = NULL;
    memset(lifted, 0, sizeof *lifted);
    if (api_body_media(req, flags, err) != API_OK)
        return err->code;
    if (req->body_len == 0 && (flags & API_ROUTE_BODY_OPTIONAL))
        return API_OK;
    if (req->body_len == 0)
        return api_fail(err, API_EBADJSON,
                        "the request body is empty; a JSON object is needed");
    /* Any JSON value parses (JSON_DECODE_ANY): a scalar body is well-formed,
     * and is refused below as not an object, like an array is. */
    const size_t jflags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY;
    const char *text = req->body; /* what jansson parses */
    size_t len = req->body_len;
    pjson_lift_what what = {(flags & API_ROUTE_LIFT_B64) != 0,
                            (flags & API_ROUTE_LIFT_NUMBERS) &&
                                    !ctx->plain_numbers
                                ? NUMBER_KEYS
                                : NULL};
    if ((what.b64 || what.number_keys) &&
        pjson_lift_with(text, len, api_random_seed(), &what, lifted)) {
        text = lifted->text;
        len = lifted->text_len;
    }
    json_error_t jerr;
    json_t *v = load_json(text, len, jflags, &jerr);
    if (!v && text != req->body) /* report positions in the body sent */
        json_decref(load_json(req->body, req->body_len, jflags, &jerr));
    if (!v)
        return unparsed(ctx, &jerr, err);
    if (!json_is_object(v)) {
        api_invalid(err, "", "the request body must be a JSON object, not %s",
                    api_json_kind(v));
        json_decref(v);
        return API_EINVALID;
    }
    /* With arrays lifted, the copy is shallower than the body as sent. */
    size_t depth = lifted->array_count ? lifted->depth
                                       : json_text_depth(text, len);
    if (depth > ctx->limits.max_depth) {
        json_decref(v);
        return too_deep(ctx, err);
    }
    *body = v;
    return API_OK;
}
