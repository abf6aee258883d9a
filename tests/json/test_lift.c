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
#include <stdint.h>
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

/* body after PAD_LEN spaces, so that it is long enough to be scanned for
 * numbers (PJSON_LIFT_NUMBERS_BODY): whether pjson_lift_with lifts it;
 * *l is the caller's to free. */
#define PAD_LEN PJSON_LIFT_NUMBERS_BODY
static bool lift_padded(const char *body, pjson_lifted *l)
{
    static char padded[PAD_LEN + 1024];
    size_t n = strlen(body);
    memset(padded, ' ', PAD_LEN);
    memcpy(padded + PAD_LEN, body, n);
    pjson_lift_what what = {false, NUMBER_KEYS};
    return pjson_lift_with(padded, PAD_LEN + n, NONCE, &what, l);
}

TEST(lift_leaves_numeric_arrays_it_is_unsure_of)
{
    pjson_lift_what what = {false, NUMBER_KEYS};
    const char *none[] = {
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}", /* short */
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,1e999]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,-1e999]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,01]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 ,]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,,16]}",
        "{\"x\":[,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}",
        "{\"x\":[1 2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16\f]}",
        "{\"x\":[1,2,\v3,4,5,6,7,8,9,10,11,12,13,14,15,16]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,-]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,+16]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,.5]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,1.5e,16]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16.]}",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,null]}",
        "{\"x\":[[1,2,3,4,5,6,7,8],[1,2,3,4,5,6,7,8,9]]}", /* ragged */
        "{\"x\":[[[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]]]}",
        "{\"z\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}",
        "[\"x\",[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]]",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
        "{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 ",
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        /* as they are (too short to be scanned), and long enough */
        pjson_lifted l;
        bool lifted = pjson_lift_with(none[i], strlen(none[i]), NONCE, &what,
                                      &l);
        test_check(!lifted, __FILE__, __LINE__, "lifted %s", none[i]);
        pjson_lifted_free(&l);
        lifted = lift_padded(none[i], &l);
        test_check(!lifted, __FILE__, __LINE__, "lifted (padded) %s",
                   none[i]);
        pjson_lifted_free(&l);
    }
    /* and the same padding does not stop a lift */
    pjson_lifted yes;
    CHECK(lift_padded("{\"x\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}",
                      &yes));
    pjson_lifted_free(&yes);
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

/* JSON's white space (space, tab, newline, carriage return) anywhere
 * between the numbers and brackets, as jansson takes it. */
TEST(lift_reads_white_space_between_numbers)
{
    pjson_lifted l;
    const char *flat = "{\"x\": [ 1 ,\t2 ,\n3,\r\n4 , 5,6,7,8,9,10,11,12,"
                       "13,14,-0.5 ,\t-0\n] }";
    CHECK(lift_padded(flat, &l));
    const pjson_numbers *a = l.array_count == 1 ? &l.arrays[0] : NULL;
    CHECK(a && a->rows == 16 && a->cols == 0);
    CHECK(a && a->x[0] == 1 && a->x[3] == 4 && a->x[13] == 14 &&
          a->x[14] == -0.5);
    CHECK(a && a->x[15] == 0 && !signbit(a->x[15]));
    pjson_lifted_free(&l);
    const char *rows = "{\"x\":[ [1, 2,3,4,5,6,7,8] ,\n [9,10,11,12,13,14,15,"
                       "16\t] \r\n]}";
    CHECK(lift_padded(rows, &l));
    a = l.array_count == 1 ? &l.arrays[0] : NULL;
    CHECK(a && a->rows == 2 && a->cols == 8 && a->x[8] == 9 &&
          a->x[15] == 16);
    pjson_lifted_free(&l);
}

/* xorshift64*: a fixed sequence */
static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}

/* Appends a random JSON number to s at *n: short decimals most often
 * (-0.21765), and integers, -0, leading zeros in fractions, exponents,
 * 17 significant digits, 20 digits and more. */
static void random_number(char *s, size_t *n)
{
    uint64_t r = next();
    const char *sign = r & 1 ? "-" : "";
    double x = (double)(next() >> 11) / 9007199254740992.0;
    switch ((r >> 1) % 10) {
    case 0:
        *n += (size_t)sprintf(s + *n, "%s%llu", sign,
                              (unsigned long long)(next() % 100000));
        break;
    case 1:
        *n += (size_t)sprintf(s + *n, "%s0", sign);
        break;
    case 2:
        *n += (size_t)sprintf(s + *n, "%s%.17g", sign, x);
        break;
    case 3:
        *n += (size_t)sprintf(s + *n, "%s%.6e", sign, x * 1e10);
        break;
    case 4:
        *n += (size_t)sprintf(s + *n, "%s0.000%u", sign,
                              (unsigned)(next() % 1000));
        break;
    case 5:
        *n += (size_t)sprintf(s + *n, "%s%.3f", sign, x * 1e7);
        break;
    case 6:
        *n += (size_t)sprintf(s + *n, "%s12345678901234567890.%u", sign,
                              (unsigned)(next() % 1000));
        break;
    default:
        *n += (size_t)sprintf(s + *n, "%s%.*g", sign, (int)(1 + next() % 7),
                              x * 2);
        break;
    }
}

/* Appends JSON white space, mostly none. */
static void random_space(char *s, size_t *n)
{
    static const char spaces[] = " \t\n\r";
    uint64_t r = next();
    for (unsigned k = r % 8 < 6 ? 0 : (unsigned)(r >> 3) % 3 + 1; k > 0; k--)
        s[(*n)++] = spaces[next() % 4];
}

/* Random arrays of numbers of every shape, flat and in rows, with white
 * space here and there: each is lifted, and its every number is the
 * double jansson reads from the body as sent, bit for bit. */
TEST(lift_reads_numbers_exactly_as_jansson_does)
{
    static char body[64 * 1024];
    size_t bodies = 300, bad = 0;
    for (size_t b = 0; b < bodies; b++) {
        size_t n = 0, rows = next() % 3 ? 0 : 2 + next() % 4,
               cols = 16 + next() % 200;
        n += (size_t)sprintf(body + n, "{\"x\":");
        random_space(body, &n);
        body[n++] = '[';
        for (size_t i = 0; i < (rows ? rows : 1); i++) {
            if (i)
                body[n++] = ',';
            random_space(body, &n);
            if (rows)
                body[n++] = '[';
            for (size_t j = 0; j < cols; j++) {
                if (j)
                    body[n++] = ',';
                random_space(body, &n);
                random_number(body, &n);
                random_space(body, &n);
            }
            if (rows)
                body[n++] = ']';
            random_space(body, &n);
        }
        body[n++] = ']';
        n += (size_t)sprintf(body + n, "}");
        pjson_lifted l;
        pjson_lift_what what = {false, NUMBER_KEYS};
        json_error_t jerr;
        json_t *v = json_loadb(body, n, 0, &jerr);
        bool lifted = pjson_lift_with(body, n, NONCE, &what, &l);
        const pjson_numbers *a = lifted && l.array_count == 1 ? &l.arrays[0]
                                                              : NULL;
        json_t *x = json_object_get(v, "x");
        bool ok = v && a && a->rows == (rows ? rows : cols) &&
                  a->cols == (rows ? cols : 0);
        for (size_t k = 0; ok && k < (rows ? rows : 1) * cols; k++) {
            json_t *e = rows ? json_array_get(json_array_get(x, k / cols),
                                              k % cols)
                             : json_array_get(x, k);
            double want = json_number_value(e);
            ok = json_is_number(e) && memcmp(&want, &a->x[k], sizeof want) == 0;
            if (!ok)
                test_check(false, __FILE__, __LINE__,
                           "number %zu: lifted %.17g, jansson %.17g", k,
                           a->x[k], want);
        }
        if (!ok && bad++ < 3)
            test_check(false, __FILE__, __LINE__, "body %zu: %.*s", b,
                       (int)(n < 400 ? n : 400), body);
        json_decref(v);
        pjson_lifted_free(&l);
    }
    test_check(bad == 0, __FILE__, __LINE__, "%zu of %zu bodies differ", bad,
               bodies);
}
