/* tests/json/test_lift.c - the lift (json/lift.c): nothing lifted that is
 * not a long "b64" value made of base64 characters, and a tag's bytes
 * handed over once, only with the lifted strings it belongs to; numeric
 * arrays lifted only under the keys named, only when every number is read
 * exactly as jansson reads it.
 *
 * W16 is the 16 doubles 1..16 as base64 (172 characters, above
 * PJSON_LIFT_MIN), X4 the 4 doubles 0.5, -1, 2, 0.25 (44 characters,
 * below it); both written by Python's base64 and struct modules. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/pjson.h"
#include "tests/testlib.h"

#define W16                                                                    \
    "AAAAAAAA8D8AAAAAAAAAQAAAAAAAAAhAAAAAAAAAEEAAAAAAAAAUQAAAAAAAABhAAAAAAAAA" \
    "HEAAAAAAAAAgQAAAAAAAACJAAAAAAAAAJEAAAAAAAAAmQAAAAAAAAChAAAAAAAAAKkAAAAAA" \
    "AAAsQAAAAAAAAC5AAAAAAAAAMEA="
#define X4 "AAAAAAAA4D8AAAAAAADwvwAAAAAAAABAAAAAAAAA0D8="

/* Any nonce: the tests read tags back from the lifted text. */
#define NONCE 0x0123456789abcdefu

TEST(lift_takes_only_b64_values)
{
    pjson_lifted l;
    const char *none[] = {
        "{\"notes\":\"" W16 "\"}",                /* another key */
        "{\"b64\":[\"" W16 "\"]}",                /* inside an array */
        "{\"b64\":\"" X4 "\"}",                   /* short */
        "{\"b64\":\"" W16 "!\"}",                 /* not base64 */
        "{\"x\":\"b64\",\"y\":\"" W16 "\"}",      /* "b64" as a value */
        "{\"b64\":\"" W16,                        /* never closed */
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        bool lifted = pjson_lift(none[i], strlen(none[i]), NONCE, &l);
        test_check(!lifted, __FILE__, __LINE__, "lifted %s", none[i]);
        pjson_lifted_free(&l);
    }
    const char *two = "{\"a\":{\"b64\" :\t\"" W16 "\"},\"b\":{\"b64\":\"" W16
                      "\",\"note\":\"\\\"b64\\\":\"}}";
    CHECK(pjson_lift(two, strlen(two), NONCE, &l));
    CHECK_EQ_INT(l.count, 2);
    CHECK_EQ_INT(l.items[1].len, 128);
    CHECK(l.text_len < strlen(two) - 2 * 100);
    json_error_t jerr;
    json_t *v = json_loadb(l.text, l.text_len, 0, &jerr);
    CHECK(v != NULL);
    const char *tag =
        json_string_value(json_object_get(json_object_get(v, "b"), "b64"));
    unsigned char *bytes = NULL;
    size_t n = 0;
    /* a tag means nothing without the lifted strings it belongs to */
    CHECK(tag && !pjson_lifted_take(NULL, tag, strlen(tag), &bytes, &n));
    CHECK(tag && pjson_lifted_take(&l, tag, strlen(tag), &bytes, &n));
    CHECK(n == 128 && bytes && bytes[6] == 0xf0 && bytes[7] == 0x3f); /* 1.0 */
    free(bytes); /* taken: the caller's */
    unsigned char *again = NULL;
    CHECK(tag && pjson_lifted_take(&l, tag, strlen(tag), &again, &n));
    CHECK(again == NULL); /* handed over once */
    CHECK_STR(json_string_value(
                  json_object_get(json_object_get(v, "b"), "note")),
              "\"b64\":");
    json_decref(v);
    pjson_lifted_free(&l);
}

static const char *const NUMBER_KEYS[] = {"w", "x", NULL};

TEST(lift_reads_numeric_arrays_under_the_keys_named)
{
    pjson_lifted l;
    pjson_lift_what what = {false, NUMBER_KEYS};
    const char *body =
        "{\"w\": [[-0, 1, 2.5, 3e0], [4, 5, 6, 7], [8, 9, 10, 11],"
        " [12, 13, 14, 18446744073709551617]],"
        " \"y\": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"
        " \"x\": [-0.0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16e-400],"
        " \"note\": \"\\\"x\\\": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]\"}";
    CHECK(pjson_lift_with(body, strlen(body), NONCE, &what, &l));
    CHECK_EQ_INT(l.array_count, 2);
    CHECK_EQ_INT(l.count, 0);
    CHECK_EQ_INT(l.depth, 3); /* the object and w's rows, as sent */
    json_error_t jerr;
    json_t *v = json_loadb(l.text, l.text_len, 0, &jerr);
    CHECK(v != NULL);
    const pjson_numbers *w = pjson_lifted_numbers(&l, json_object_get(v, "w"));
    const pjson_numbers *x = pjson_lifted_numbers(&l, json_object_get(v, "x"));
    CHECK(w && w->rows == 4 && w->cols == 4);
    CHECK(x && x->rows == 17 && x->cols == 0);
    /* the integer -0 is +0 as jansson holds it; the real -0.0 keeps its
     * sign; an integer beyond int64 is its nearest double; 16e-400 is 0 */
    CHECK(w && w->x[0] == 0 && !signbit(w->x[0]) && w->x[2] == 2.5);
    CHECK(w && w->x[15] == 18446744073709551616.0);
    CHECK(x && signbit(x->x[0]) && x->x[16] == 0);
    /* an array under another key, and text in a string, stay */
    CHECK(json_is_array(json_object_get(v, "y")));
    CHECK(strstr(json_string_value(json_object_get(v, "note")), "[1,2,3"));
    /* a tag means nothing without its lifted arrays */
    CHECK(pjson_lifted_numbers(NULL, json_object_get(v, "w")) == NULL);
    json_t *again = pjson_lifted_value(w);
    CHECK(json_array_size(again) == 4 &&
          json_real_value(json_array_get(json_array_get(again, 3), 1)) == 13);
    json_decref(again);
    json_decref(v);
    pjson_lifted_free(&l);
}

/* The tags and placeholders are exactly what the old snprintf wrote:
 * "\x01num:<16 hex digits>:<index>" in quotes for the 13th array (index
 * 12: two digits, in order), for nonces of every size. */
TEST(lift_tags_are_the_nonce_in_hex_and_the_index_in_decimal)
{
    static const unsigned long long nonces[] = {0, 0xa, NONCE,
                                                0xffffffffffffffffu};
    char body[2048], want[64], placeholder[80];
    size_t n = (size_t)snprintf(body, sizeof body, "{");
    for (int a = 0; a < 13; a++)
        n += (size_t)snprintf(body + n, sizeof body - n,
                              "%s\"x%d\": [1,2,3,4,5,6,7,8,9,10,11,12,13,"
                              "14,15,16]", a ? ", " : "", a);
    snprintf(body + n, sizeof body - n, "}");
    static const char *const keys[] = {
        "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
        "x11", "x12", NULL};
    pjson_lift_what what = {false, keys};
    for (size_t i = 0; i < sizeof nonces / sizeof *nonces; i++) {
        pjson_lifted l;
        CHECK(pjson_lift_with(body, strlen(body), nonces[i], &what, &l));
        CHECK_EQ_INT(l.array_count, 13);
        snprintf(want, sizeof want, "\001num:%016llx:", nonces[i]);
        CHECK_STR(l.num_tag, want);
        CHECK_EQ_INT((int)l.num_tag_len, (int)strlen(want));
        snprintf(want, sizeof want, "\001b64:%016llx:", nonces[i]);
        CHECK_STR(l.tag, want);
        CHECK_EQ_INT((int)l.tag_len, (int)strlen(want));
        snprintf(placeholder, sizeof placeholder,
                 "\"x12\": \"\\u0001num:%016llx:12\"}", nonces[i]);
        CHECK(l.text_len >= strlen(placeholder) &&
              memcmp(l.text + l.text_len - strlen(placeholder), placeholder,
                     strlen(placeholder)) == 0);
        pjson_lifted_free(&l);
    }
}

TEST(lift_leaves_numeric_arrays_it_is_unsure_of)
{
    pjson_lift_what what = {false, NUMBER_KEYS};
    const char *none[] = {
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}", /* short */
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,1e999]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,01]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,null]}",
        "{\"x\":[[1,2,3,4,5,6,7,8],[1,2,3,4,5,6,7,8,9]]}", /* ragged */
        "{\"x\":[[[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]]]}",
        "{\"z\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}",
        "[\"x\",[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]]",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        pjson_lifted l;
        bool lifted = pjson_lift_with(none[i], strlen(none[i]), NONCE, &what,
                                      &l);
        test_check(!lifted, __FILE__, __LINE__, "lifted %s", none[i]);
        pjson_lifted_free(&l);
    }
    /* nested deeper than PJSON_LIFT_MAX_DEPTH: nothing lifted */
    size_t deep = PJSON_LIFT_MAX_DEPTH + 1, n = 0;
    char *body = malloc(2 * deep + 64);
    for (size_t i = 0; i < deep; i++)
        body[n++] = '[';
    n += (size_t)sprintf(body + n,
                         "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}");
    for (size_t i = 0; i < deep; i++)
        body[n++] = ']';
    pjson_lifted l;
    CHECK(!pjson_lift_with(body, n, NONCE, &what, &l));
    pjson_lifted_free(&l);
    free(body);
}
