/* tests/api/test_read.c - reading request values (api/read.c): pointers,
 * seeds, and objects read from tables of fields. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/read.h"
#include "tests/api/apitest.h"
#include "tests/testlib.h"

TEST(pointer_keys_escape_tilde_and_slash)
{
    char p[API_PTR_MAX];
    api_ptr_key(p, "/params", "a/b~c");
    CHECK_STR(p, "/params/a~1b~0c");
    api_ptr_index(p, "/weights", 12);
    CHECK_STR(p, "/weights/12");
}

/* What the pointers were when snprintf made them: the reference. */
static void ref_key(char out[API_PTR_MAX], const char *base, const char *key)
{
    size_t n = (size_t)snprintf(out, API_PTR_MAX, "%s/", base);
    for (const char *k = key; *k && n + 3 < API_PTR_MAX; k++) {
        if (*k == '~' || *k == '/') {
            out[n++] = '~';
            out[n++] = *k == '~' ? '0' : '1';
        } else {
            out[n++] = *k;
        }
    }
    out[n < API_PTR_MAX ? n : API_PTR_MAX - 1] = '\0';
}

static void ref_index(char out[API_PTR_MAX], const char *base, size_t index)
{
    size_t len = strnlen(base, API_PTR_MAX - 24);
    memmove(out, base, len);
    snprintf(out + len, API_PTR_MAX - len, "/%zu", index);
}

TEST(pointers_of_every_length_are_what_snprintf_made)
{
    char base[3 * API_PTR_MAX], key[2 * API_PTR_MAX];
    for (size_t b = 0; b < sizeof base - 1; b++) {
        memset(base, 'b', b);
        base[b] = '\0';
        if (b > 0)
            base[0] = '/';
        for (size_t k = 0; k < sizeof key - 1; k += 7) {
            for (size_t i = 0; i < k; i++)
                key[i] = "k~/x"[i % 4];
            key[k] = '\0';
            char got[API_PTR_MAX], want[API_PTR_MAX];
            api_ptr_key(got, base, key);
            ref_key(want, base, key);
            CHECK_STR(got, want);
        }
        static const size_t indices[] = {0, 7, 10, 12345, SIZE_MAX};
        for (size_t i = 0; i < 5; i++) {
            char got[API_PTR_MAX], want[API_PTR_MAX];
            api_ptr_index(got, base, indices[i]);
            ref_index(want, base, indices[i]);
            CHECK_STR(got, want);
        }
    }
}

TEST(random_seeds_fit_in_53_bits)
{
    for (int i = 0; i < 100; i++)
        CHECK(api_random_seed() <= API_MAX_SEED);
}


/* The object the last read_text read: strings read from it are borrowed,
 * so it lives until the next read_text (and the last one until exit). */
static json_t *last_read;

__attribute__((destructor)) static void release_last_read(void)
{
    json_decref(last_read);
}

/* Reads text (a JSON object) with fields into a fresh error. */
static bool read_text(const char *text, const api_field *fields,
                      api_err *err)
{
    api_limits limits;
    api_limits_default(&limits);
    api_err_init(err);
    json_decref(last_read);
    last_read = json_loads(text, 0, NULL);
    api_in in = {&limits, NULL, err};
    return api_read_object(&in, last_read, "", fields);
}

/* The JSON Pointer of error item i of err, or "". */
static const char *pointer_at(const api_err *err, size_t i)
{
    const json_t *item = json_array_get(err->errors, i);
    const char *p = json_string_value(json_object_get(item, "pointer"));
    return p ? p : "";
}

TEST(unknown_fields_are_each_refused_and_nothing_is_read)
{
    const char *name = NULL;
    api_field fields[] = {API_STRING("name", &name, 10, 0), API_END};
    api_err err;
    CHECK(!read_text("{\"name\":\"x\",\"nmae\":1,\"a/b\":2}", fields, &err));
    CHECK_EQ_INT(json_array_size(err.errors), 2);
    CHECK_STR(pointer_at(&err, 0), "/nmae");
    CHECK_STR(pointer_at(&err, 1), "/a~1b");
    CHECK(name == NULL); /* not read once a field is unknown */
    api_err_clear(&err);
    CHECK(!read_text("[1]", fields, &err)); /* not an object */
    CHECK_STR(pointer_at(&err, 0), "");
    api_err_clear(&err);
}

TEST(fields_are_read_in_table_order_and_every_error_is_reported)
{
    const char *name = NULL;
    uint64_t shots = 0;
    bool flag = true;
    api_field fields[] = {
        API_STRING("name", &name, 3, 0),
        API_FIELD("shots", api_read_shots, &shots, NULL, 0),
        API_FIELD("flag", api_read_bool, &flag, NULL, API_OPTIONAL),
        API_END,
    };
    api_err err;
    CHECK(!read_text("{\"flag\":1,\"name\":\"long\"}", fields, &err));
    CHECK_EQ_INT(err.code, API_EINVALID);
    CHECK_EQ_INT(json_array_size(err.errors), 3);
    CHECK_STR(pointer_at(&err, 0), "/name");  /* too long */
    CHECK_STR(pointer_at(&err, 1), "/shots"); /* required */
    CHECK_STR(pointer_at(&err, 2), "/flag");  /* not a boolean */
    api_err_clear(&err);
    CHECK(read_text("{\"name\":\"abc\",\"shots\":7}", fields, &err));
    CHECK_STR(name, "abc");
    CHECK_EQ_INT(shots, 7);
    CHECK(flag); /* optional and absent: untouched */
    api_err_clear(&err);
}

/* The message of error item i of err, or "". */
static const char *message_at(const api_err *err, size_t i)
{
    const json_t *item = json_array_get(err->errors, i);
    const char *m = json_string_value(json_object_get(item, "message"));
    return m ? m : "";
}

TEST(whole_numbers_are_whole_however_they_are_written)
{
    /* JSON has one kind of number: 7, 7.0 and 7e0 are all seven shots,
     * and a seed of 2^53 - 1 written as a double is still that seed. */
    uint64_t shots = 0, seed = 0;
    api_field fields[] = {
        API_FIELD("shots", api_read_shots, &shots, NULL, 0),
        API_FIELD("seed", api_read_seed, &seed, NULL, API_OPTIONAL),
        API_END,
    };
    api_err err;
    const char *sevens[] = {"{\"shots\":7}", "{\"shots\":7.0}",
                            "{\"shots\":7e0}", "{\"shots\":0.7e1}"};
    for (size_t i = 0; i < 4; i++) {
        shots = 0;
        CHECK(read_text(sevens[i], fields, &err));
        CHECK_EQ_INT(shots, 7);
        api_err_clear(&err);
    }
    CHECK(read_text("{\"shots\":1,\"seed\":9007199254740991.0}", fields,
                    &err));
    CHECK(seed == API_MAX_SEED);
    api_err_clear(&err);
}

TEST(whole_numbers_out_of_range_are_named_with_their_digits)
{
    uint64_t shots = 0, seed = 0;
    api_field fields[] = {
        API_FIELD("shots", api_read_shots, &shots, NULL, 0),
        API_FIELD("seed", api_read_seed, &seed, NULL, API_OPTIONAL),
        API_END,
    };
    api_err err;
    /* 2^64 as a double (what "18446744073709551616" is read as) */
    CHECK(!read_text("{\"shots\":1.8446744073709552e19,"
                     "\"seed\":1.8446744073709552e19}",
                     fields, &err));
    CHECK_STR(pointer_at(&err, 0), "/shots");
    CHECK_STR(message_at(&err, 0),
              "is 18446744073709551616 shots; the limit is 1000000 "
              "(max_shots)");
    CHECK_STR(pointer_at(&err, 1), "/seed");
    CHECK_STR(message_at(&err, 1), "must be between 0 and 9007199254740991, "
                                   "not 18446744073709551616");
    api_err_clear(&err);
    CHECK(!read_text("{\"shots\":9223372036854775807}", fields, &err));
    CHECK_STR(message_at(&err, 0), "is 9223372036854775807 shots; the limit "
                                   "is 1000000 (max_shots)");
    api_err_clear(&err);
    CHECK(!read_text("{\"shots\":-1e20}", fields, &err));
    CHECK_STR(message_at(&err, 0),
              "must be between 1 and 1000000, not -100000000000000000000");
    api_err_clear(&err);
    CHECK(!read_text("{\"shots\":1.5}", fields, &err));
    CHECK_STR(message_at(&err, 0), "must be an integer, not a fraction");
    api_err_clear(&err);
    CHECK(!read_text("{\"shots\":\"7\"}", fields, &err));
    CHECK_STR(message_at(&err, 0), "must be an integer, not a string");
    api_err_clear(&err);
}

TEST(null_is_absent_only_where_the_table_says_so)
{
    const char *name = "kept";
    uint64_t seed = 5;
    api_field fields[] = {
        API_STRING("name", &name, 10, API_NULL_ABSENT),
        API_FIELD("seed", api_read_seed, &seed, NULL, API_OPTIONAL),
        API_END,
    };
    api_err err;
    CHECK(read_text("{\"name\":null}", fields, &err));
    CHECK_STR(name, "kept");
    api_err_clear(&err);
    CHECK(!read_text("{\"seed\":null}", fields, &err));
    CHECK_STR(pointer_at(&err, 0), "/seed");
    CHECK_EQ_INT(seed, 5);
    api_err_clear(&err);
}

TEST(later_fields_are_known_but_left_to_the_caller)
{
    api_field fields[] = {
        API_FIELD("input", NULL, NULL, NULL, API_LATER),
        API_END,
    };
    api_err err;
    CHECK(read_text("{\"input\":\"anything\"}", fields, &err));
    CHECK(read_text("{}", fields, &err)); /* not required here either */
    CHECK(!read_text("{\"inputs\":1}", fields, &err));
    api_err_clear(&err);
}

TEST(either_of_two_fields_says_which_or_what_is_wrong)
{
    api_limits limits;
    api_limits_default(&limits);
    api_err err;
    api_err_init(&err);
    api_in in = {&limits, NULL, &err};
    json_t *one = json_pack("{s:i}", "b", 1);
    json_t *both = json_pack("{s:i, s:i}", "a", 1, "b", 2);
    json_t *none = json_object();
    CHECK_EQ_INT(api_read_either(&in, one, "/p", "a", "b", "b", "a", "hint"),
                 2);
    CHECK_EQ_INT(err.code, API_OK);
    CHECK_EQ_INT(api_read_either(&in, both, "/p", "a", "b", "b", "a", "hint"),
                 0);
    CHECK_EQ_INT(api_read_either(&in, none, "/p", "a", "b", "b", "a",
                                 "for a reason"),
                 0);
    CHECK_STR(pointer_at(&err, 0), "/p/b");
    CHECK_STR(pointer_at(&err, 1), "/p/a");
    const json_t *item = json_array_get(err.errors, 1);
    CHECK_STR(json_string_value(json_object_get(item, "message")),
              "is required (or b, for a reason)");
    json_decref(one);
    json_decref(both);
    json_decref(none);
    api_err_clear(&err);
}

TEST(choices_name_every_choice_when_refused)
{
    static const char *const three[] = {"x", "y", "z", NULL};
    int which = -1;
    api_field fields[] = {
        API_FIELD("pick", api_read_choice, &which, three, 0),
        API_END,
    };
    api_err err;
    CHECK(read_text("{\"pick\":\"z\"}", fields, &err));
    CHECK_EQ_INT(which, 2);
    CHECK(!read_text("{\"pick\":\"w\"}", fields, &err));
    const json_t *item = json_array_get(err.errors, 0);
    CHECK_STR(json_string_value(json_object_get(item, "message")),
              "must be \"x\", \"y\" or \"z\"");
    api_err_clear(&err);
}
