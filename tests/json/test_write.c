/* tests/json/test_write.c - the JSON writer (json/write.c): integers
 * exactly, reals in their shortest round-trip text, and the JSON of every
 * kind of value; numeric arrays written straight from doubles, as the
 * arrays of jansson reals they were before. */
#include <complex.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/pjson.h"
#include "tests/testlib.h"

TEST(integers_are_written_exactly)
{
    json_t *v = json_pack("[I, I, I, I, I]", (json_int_t)0, (json_int_t)7,
                          (json_int_t)-42, (json_int_t)INT64_MAX,
                          (json_int_t)INT64_MIN);
    size_t len;
    char *text = pjson_write(v, &len);
    CHECK_STR(text, "[0,7,-42,9223372036854775807,-9223372036854775808]");
    free(text);
    json_decref(v);
}

/* The jansson arrays pjson_reals, pjson_matrix and pjson_amplitudes built
 * before they wrote their text straight from the doubles: the reference
 * their text must equal. */
static json_t *reference_reals(const double *x, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_real(x[i]));
    return a;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* Doubles of every kind: any bit pattern that is finite, small integers,
 * zeros of both signs, subnormals, values in [-1, 1). */
static double any_double(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    uint64_t r = rng * 0x2545f4914f6cdd1dULL;
    double d;
    switch (r % 5) {
    case 0:
        memcpy(&d, &r, sizeof d);
        return isfinite(d) ? d : 1.5;
    case 1: return (double)((int64_t)(r >> 40) - (1 << 23));
    case 2: return r & 256 ? -0.0 : 0.0;
    case 3: {
        uint64_t b = (r >> 12) | ((r & 1) << 63); /* exponent 0 */
        memcpy(&d, &b, sizeof d);
        return d;
    }
    default: return ((double)(r >> 11) / 9007199254740992.0) * 2 - 1;
    }
}

static void check_same_text(json_t *fast, json_t *reference)
{
    json_t *a = json_pack("{s:o, s:i}", "x", fast, "n", 1);
    json_t *b = json_pack("{s:o, s:i}", "x", reference, "n", 1);
    size_t la, lb;
    char *ta = pjson_write(a, &la), *tb = pjson_write(b, &lb);
    test_check(ta && tb && la == lb && memcmp(ta, tb, la) == 0, __FILE__,
               __LINE__, "%.200s\n  differs from\n%.200s", ta, tb);
    free(ta);
    free(tb);
    json_decref(a);
    json_decref(b);
}

TEST(numeric_arrays_write_as_arrays_of_reals_do)
{
    static double x[4096];
    for (int round = 0; round < 400; round++) {
        size_t rows = (size_t)round % 9, cols = 1 + (size_t)round % 13;
        size_t n = rows * cols + (size_t)round % 3;
        for (size_t i = 0; i < n; i++)
            x[i] = any_double();
        check_same_text(pjson_reals(x, n, false), reference_reals(x, n));
        json_t *m = json_array();
        for (size_t j = 0; j < rows; j++)
            json_array_append_new(m, reference_reals(x + j * cols, cols));
        check_same_text(pjson_matrix(x, rows, cols, false), m);
        json_t *amps = json_array();
        for (size_t i = 0; i < n / 2; i++)
            json_array_append_new(amps, reference_reals(x + 2 * i, 2));
        check_same_text(pjson_amplitudes((const double complex *)x, n / 2,
                                         false),
                        amps);
    }
    /* a non-finite number: no array, as json_real refuses it */
    x[0] = 1;
    x[1] = NAN;
    CHECK(pjson_reals(x, 2, false) == NULL);
    x[1] = -INFINITY;
    CHECK(pjson_matrix(x, 1, 2, false) == NULL);
    CHECK(pjson_amplitudes((const double complex *)x, 1, false) == NULL);
}

TEST(a_string_from_outside_is_never_raw_text)
{
    /* "\u0000raw:" is what a client would have to send; psinet's parse
     * refuses it, and a string without the NUL is only text */
    json_t *v = json_pack("[s, s#]", "raw:[1]", "\0ra", (size_t)3);
    size_t len;
    char *text = pjson_write(v, &len);
    CHECK_STR(text, "[\"raw:[1]\",\"\\u0000ra\"]");
    free(text);
    json_decref(v);
}
