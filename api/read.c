/* api/read.c - reading objects from tables of fields, and the readers of
 * scalar values (api/read.h). */
#include "api/read.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/clayer.h"
#include "core/entropy.h"

/* Pointers are made for every field a body is read with, error or not:
 * with bytes copied, not snprintf (which took 5% of an experiment-write's
 * instructions). */
void api_ptr_key(char out[API_PTR_MAX], const char *base, const char *key)
{
    size_t n = strnlen(base, API_PTR_MAX - 1);
    memcpy(out, base, n);
    if (n < API_PTR_MAX - 1)
        out[n++] = '/';
    for (const char *k = key; *k && n + 3 < API_PTR_MAX; k++) {
        if (*k == '~' || *k == '/') {
            out[n++] = '~';
            out[n++] = *k == '~' ? '0' : '1';
        } else {
            out[n++] = *k;
        }
    }
    out[n] = '\0';
}

void api_ptr_index(char out[API_PTR_MAX], const char *base, size_t index)
{
    /* Room for "/" and 20 digits is kept after the (truncated) base. */
    size_t len = strnlen(base, API_PTR_MAX - 24);
    memmove(out, base, len);
    char digits[20];
    size_t d = 0;
    do {
        digits[d++] = (char)('0' + index % 10);
        index /= 10;
    } while (index);
    out[len++] = '/';
    while (d)
        out[len++] = digits[--d];
    out[len] = '\0';
}

const char *api_json_kind(const json_t *v)
{
    if (!v)
        return "missing";
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* The entry of fields named key, or NULL. */
static const api_field *field_named(const api_field *fields, const char *key)
{
    for (const api_field *f = fields; f->name; f++)
        if (strcmp(f->name, key) == 0)
            return f;
    return NULL;
}

bool api_read_known(const api_in *in, const json_t *obj, const char *ptr,
                    const api_field *fields)
{
    if (!json_is_object(obj))
        return api_invalid(in->err, ptr, "must be an object, not %s",
                           api_json_kind(obj));
    bool known = true;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        if (!field_named(fields, key)) {
            char p[API_PTR_MAX];
            api_ptr_key(p, ptr, key);
            known = api_invalid(in->err, p, "is not a field of this object");
        }
    }
    return known;
}

bool api_read_fields(const api_in *in, const json_t *obj, const char *ptr,
                     const api_field *fields)
{
    bool ok = true;
    for (const api_field *f = fields; f->name; f++) {
        if (f->flags & API_LATER)
            continue;
        const json_t *v = json_object_get(obj, f->name);
        if (v && json_is_null(v) && (f->flags & API_NULL_ABSENT))
            v = NULL;
        if (!v && (f->flags & (API_OPTIONAL | API_NULL_ABSENT)))
            continue;
        char p[API_PTR_MAX];
        api_ptr_key(p, ptr, f->name);
        if (!v)
            ok = api_invalid(in->err, p, "is required");
        else if (!f->read(in, v, p, f))
            ok = false;
    }
    return ok;
}

bool api_read_object(const api_in *in, const json_t *obj, const char *ptr,
                     const api_field *fields)
{
    return api_read_known(in, obj, ptr, fields) &&
           api_read_fields(in, obj, ptr, fields);
}

bool api_read_number(const api_in *in, const json_t *v, const char *ptr,
                     const api_field *f)
{
    if (!json_is_number(v))
        return api_invalid(in->err, ptr, "must be a number, not %s",
                           api_json_kind(v));
    double d = json_number_value(v);
    if (!isfinite(d))
        return api_invalid(in->err, ptr, "must be a finite number");
    *(double *)f->out = d;
    return true;
}

bool api_read_bool(const api_in *in, const json_t *v, const char *ptr,
                   const api_field *f)
{
    if (!json_is_boolean(v))
        return api_invalid(in->err, ptr, "must be true or false, not %s",
                           api_json_kind(v));
    *(bool *)f->out = json_is_true(v);
    return true;
}

bool api_json_whole(const json_t *v, double *out)
{
    double d;
    if (json_is_integer(v))
        d = (double)json_integer_value(v);
    else if (json_is_real(v))
        d = json_real_value(v);
    else
        return false;
    *out = d;
    return json_is_integer(v) || (isfinite(d) && d == floor(d));
}

/* An integer in [min, max] (max < 2^63) into *out. A JSON number is the
 * number it denotes: 10, 10.0 and 1e1 are all ten. One whose digits
 * jansson cannot hold as an integer is read as a double (api/body.c), and
 * is out of range here, said with its digits. */
static bool read_uint_in(const api_in *in, const json_t *v, const char *ptr,
                         uint64_t min, uint64_t max, uint64_t *out)
{
    double d;
    if (!api_json_whole(v, &d))
        return api_invalid(in->err, ptr, "must be an integer, not %s",
                           json_is_number(v) ? "a fraction"
                                             : api_json_kind(v));
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
            return api_invalid(in->err, ptr,
                               "must be between %llu and %llu, not %lld",
                               (unsigned long long)min,
                               (unsigned long long)max, (long long)i);
        *out = (uint64_t)i;
        return true;
    }
    if (d < (double)min || d >= 0x1p64 || (uint64_t)d > max)
        return api_invalid(in->err, ptr,
                           "must be between %llu and %llu, not %.0f",
                           (unsigned long long)min, (unsigned long long)max,
                           d);
    *out = (uint64_t)d;
    return true;
}

bool api_read_uint(const api_in *in, const json_t *v, const char *ptr,
                   const api_field *f)
{
    const uint64_t *range = f->arg;
    return read_uint_in(in, v, ptr, range[0], range[1], f->out);
}

bool api_read_shots(const api_in *in, const json_t *v, const char *ptr,
                    const api_field *f)
{
    uint64_t max = in->limits->max_shots;
    double d;
    if (json_is_integer(v) && json_integer_value(v) > 0 &&
        (uint64_t)json_integer_value(v) > max)
        return api_invalid(in->err, ptr,
                           "is %lld shots; the limit is %llu (max_shots)",
                           (long long)json_integer_value(v),
                           (unsigned long long)max);
    if (json_is_real(v) && api_json_whole(v, &d) && d > (double)max)
        return api_invalid(in->err, ptr,
                           "is %.0f shots; the limit is %llu (max_shots)", d,
                           (unsigned long long)max);
    return read_uint_in(in, v, ptr, 1, max, f->out);
}

bool api_read_seed(const api_in *in, const json_t *v, const char *ptr,
                   const api_field *f)
{
    return read_uint_in(in, v, ptr, 0, API_MAX_SEED, f->out);
}

uint64_t api_random_seed(void)
{
    return entropy_u64() >> 11; /* 53 bits */
}

bool api_read_string(const api_in *in, const json_t *v, const char *ptr,
                     const api_field *f)
{
    size_t max_len = *(const size_t *)f->arg;
    if (!json_is_string(v))
        return api_invalid(in->err, ptr, "must be a string, not %s",
                           api_json_kind(v));
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0)
        return api_invalid(in->err, ptr, "must not be empty");
    if (n > max_len)
        return api_invalid(in->err, ptr, "is %zu bytes long; the limit is %zu",
                           n, max_len);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return api_invalid(in->err, ptr,
                               "must not contain control characters");
    *(const char **)f->out = s;
    return true;
}

bool api_read_value(const api_in *in, const json_t *v, const char *ptr,
                    const api_field *f)
{
    (void)in;
    (void)ptr;
    *(const json_t **)f->out = v;
    return true;
}

bool api_read_any_object(const api_in *in, const json_t *v, const char *ptr,
                         const api_field *f)
{
    if (!json_is_object(v))
        return api_invalid(in->err, ptr, "must be an object, not %s",
                           api_json_kind(v));
    *(const json_t **)f->out = v;
    return true;
}

bool api_read_choice(const api_in *in, const json_t *v, const char *ptr,
                     const api_field *f)
{
    const char *const *names = f->arg;
    const char *s = json_string_value(v);
    for (int i = 0; s && names[i]; i++) {
        if (strcmp(s, names[i]) == 0) {
            *(int *)f->out = i;
            return true;
        }
    }
    char list[160] = "";
    size_t len = 0;
    for (int i = 0; names[i] && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s\"%s\"",
                                i == 0 ? ""
                                : names[i + 1] ? ", "
                                               : " or ",
                                names[i]);
    return api_invalid(in->err, ptr, "must be %s", list);
}

bool api_read_encoding(const api_in *in, const json_t *v, const char *ptr,
                       const api_field *f)
{
    static const char *const encodings[] = {"json", "b64", NULL};
    int which = 0;
    api_field choice = {f->name, api_read_choice, &which, encodings, 0};
    if (!api_read_choice(in, v, ptr, &choice))
        return false;
    *(bool *)f->out = which == 1;
    return true;
}

bool api_read_refused(const api_in *in, const json_t *v, const char *ptr,
                      const api_field *f)
{
    (void)v;
    return api_invalid(in->err, ptr, "%s", (const char *)f->arg);
}

bool api_read_activation(const api_in *in, const json_t *name,
                         const char *ptr_name, const json_t *params,
                         const char *ptr_params, act_spec *out)
{
    if (!json_is_string(name))
        return api_invalid(in->err, ptr_name,
                           "must be the name of an activation (%s), not %s",
                           act_all_names(), api_json_kind(name));
    act_kind kind;
    clayer_act ckind;
    if (!act_from_name(json_string_value(name), &kind))
        return clayer_act_from_name(json_string_value(name), &ckind)
                   ? api_invalid(in->err, ptr_name,
                                 "%s is an activation of complex layers "
                                 "(\"complex\": true, where they run); a "
                                 "real layer takes one of: %s",
                                 json_string_value(name), act_all_names())
                   : api_invalid(in->err, ptr_name,
                                 "is not a known activation; use one of: %s",
                                 act_all_names());
    *out = act_default(kind);
    if (!params || json_is_null(params))
        return true;
    api_field with_alpha[] = {
        API_FIELD("alpha", api_read_number, &out->alpha, NULL, API_OPTIONAL),
        API_END,
    };
    return api_read_object(in, params, ptr_params,
                           act_takes_alpha(kind) ? with_alpha
                                                 : with_alpha + 1);
}

int api_read_either(const api_in *in, const json_t *obj, const char *ptr,
                    const char *first, const char *second,
                    const char *at_both, const char *at_neither,
                    const char *hint)
{
    bool one = json_object_get(obj, first) != NULL;
    bool two = json_object_get(obj, second) != NULL;
    if (one != two)
        return one ? 1 : 2;
    char p[API_PTR_MAX];
    if (one) {
        api_ptr_key(p, ptr, at_both);
        api_invalid(in->err, p, "give either %s or %s, not both", first,
                    second);
    } else {
        api_ptr_key(p, ptr, at_neither);
        api_invalid(in->err, p, "is required (or %s, %s)",
                    strcmp(at_neither, first) == 0 ? second : first, hint);
    }
    return 0;
}
