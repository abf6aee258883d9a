/* tests/json/test_lift.c - the lift (json/lift.c): nothing lifted that is
 * not a long "b64" value made of base64 characters, and a tag's bytes
 * handed over once, only with the lifted strings it belongs to.
 *
 * W16 is the 16 doubles 1..16 as base64 (172 characters, above
 * PJSON_LIFT_MIN), X4 the 4 doubles 0.5, -1, 2, 0.25 (44 characters,
 * below it); both written by Python's base64 and struct modules. */
#include <jansson.h>
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
