/* tests/api/test_lifted_numbers.c - numeric arrays read before jansson
 * parses the body (json/lift.c, codec/decimal.c), through api_handle: every
 * answer, success or error, is byte for byte the one of the same request
 * with every array read by jansson (ctx.plain_numbers), for a corpus of
 * bodies on every route that lifts numbers: numbers in every form JSON
 * allows and some it does not, arrays of every shape, limits and nesting
 * depths set low enough to be met, and thousands of bodies with a byte
 * changed, inserted or taken out. tests/json/test_lift.c tests the lift
 * itself. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "json/pjson.h"
#include "tests/api/apitest.h"
#include "tests/testlib.h"

static api_ctx fast, plain;
static size_t compared, lifted_bodies;

/* The keys api/body.c lifts, to count the bodies the fast path took. */
static const char *const KEYS[] = {"weights", "bias",       "input",
                                   "inputs",  "amplitudes", NULL};

__attribute__((constructor(101))) static void setup(void)
{
    fast = apitest_ctx(NULL);
    plain = fast;
    plain.plain_numbers = true;
}

/* The status, headers and body bytes of one request. */
static char *answer(const api_ctx *ctx, const char *path, const char *body,
                    size_t len, int *status, size_t *out_len)
{
    api_request req = {.method = "POST",
                       .path = path,
                       .content_type = "application/json",
                       .body = body,
                       .body_len = len};
    api_response resp;
    api_handle(ctx, &req, &resp);
    char *bytes = api_response_body(&resp, out_len);
    *status = resp.status;
    char *all = malloc(*out_len + 1024);
    size_t n = 0;
    for (size_t i = 0; i < resp.header_count; i++)
        n += (size_t)sprintf(all + n, "%s: %s\n", resp.headers[i].name,
                             resp.headers[i].value);
    n += (size_t)sprintf(all + n, "%s\n\n",
                         resp.content_type ? resp.content_type : "-");
    if (bytes)
        memcpy(all + n, bytes, *out_len);
    *out_len += n;
    free(bytes);
    api_response_free(&resp);
    return all;
}

/* Sends body (len bytes) to path both ways and checks the answers are
 * the same bytes; true when they are. */
static bool same_answer(const api_ctx *with, const api_ctx *without,
                        const char *path, const char *body, size_t len)
{
    int s1, s2;
    size_t n1, n2;
    char *a = answer(with, path, body, len, &s1, &n1);
    char *b = answer(without, path, body, len, &s2, &n2);
    bool same = s1 == s2 && n1 == n2 && memcmp(a, b, n1) == 0;
    if (!same)
        test_check(false, __FILE__, __LINE__,
                   "%s %.300s\n  fast  %d %.*s\n  plain %d %.*s", path, body,
                   s1, (int)(n1 < 400 ? n1 : 400), a, s2,
                   (int)(n2 < 400 ? n2 : 400), b);
    free(a);
    free(b);
    pjson_lifted l;
    pjson_lift_what what = {true, KEYS};
    if (pjson_lift_with(body, len, 1, &what, &l)) {
        lifted_bodies += l.array_count > 0;
        pjson_lifted_free(&l);
    }
    compared++;
    return same;
}

static bool same(const char *path, const char *body)
{
    return same_answer(&fast, &plain, path, body, strlen(body));
}

/* xorshift64*: a fixed sequence */
static uint64_t state = 0x2545f4914f6cdd1dULL;

static uint64_t next(void)
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dULL;
}

/* One number in one of the forms JSON allows, into buf. */
static int number(char *buf)
{
    static const char *const odd[] = {
        "0", "-0", "0.0", "-0.0", "1", "-1", "0e0", "-0E-0", "1e-400",
        "-1e-400", "5e-324", "2.2250738585072011e-308",
        "1.7976931348623157e308", "9007199254740993",
        "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "-9223372036854775809",
        "123456789012345678901234567890", "1E+2", "1e+0", "0.1", "1.5e-7",
        "3.0000000000000000000000000001",
        "0.30000000000000004440892098500626161694526672363281250001"};
    uint64_t r = next();
    switch (r % 4) {
    case 0: return sprintf(buf, "%s", odd[(r >> 8) % (sizeof odd / sizeof *odd)]);
    case 1: return sprintf(buf, "%d", (int)((r >> 8) % 2001) - 1000);
    case 2: {
        double d = ((double)(r >> 11) / 9007199254740992.0) * 2 - 1;
        return sprintf(buf, "%.17g", d);
    }
    default: {
        double d = ((double)(r >> 11) / 9007199254740992.0) * 2 - 1;
        return sprintf(buf, "%.6e", d * pow(10, (int)(next() % 40) - 20));
    }
    }
}

/* A flat array of n numbers into buf, with spaces here and there. */
static int flat(char *buf, size_t n)
{
    int o = sprintf(buf, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            o += sprintf(buf + o, "%s", next() % 8 ? "," : " ,\n\t");
        o += number(buf + o);
    }
    return o + sprintf(buf + o, "%s", next() % 8 ? "]" : " ]");
}

/* rows arrays of cols numbers. */
static int rows_of(char *buf, size_t rows, size_t cols)
{
    int o = sprintf(buf, "[");
    for (size_t j = 0; j < rows; j++) {
        if (j)
            o += sprintf(buf + o, ",");
        o += flat(buf + o, cols);
    }
    return o + sprintf(buf + o, "]");
}

static char body[1 << 16];

TEST(valid_arrays_give_the_same_answers)
{
    char w[1 << 14], x[1 << 12], a[1 << 14];
    for (int k = 0; k < 300; k++) {
        size_t n = 1 + next() % 24, m = 1 + next() % 24;
        rows_of(w, m, n);
        flat(x, n);
        snprintf(body, sizeof body,
                 "{\"weights\": %s, \"bias\": %s, \"activation\": \"tanh\", "
                 "\"input\": %s}",
                 w, (flat(a, m), a), x);
        same("/v1/layers/forward", body);
        rows_of(x, 1 + next() % 4, n);
        snprintf(body, sizeof body,
                 "{\"weights\":%s,\"activation\":\"identity\",\"inputs\":%s}",
                 w, x);
        same("/v1/layers/forward", body);
        if (k % 2)
            rows_of(a, m * 2, 2);
        else
            flat(a, m * 2);
        snprintf(body, sizeof body, "{\"amplitudes\":%s}", a);
        same("/v1/superpositions/normalize", body);
        snprintf(body, sizeof body,
                 "{\"state\":{\"amplitudes\":%s},\"operations\":[{\"gate\":"
                 "\"h\",\"qubits\":[0]}],\"store\":false}",
                 a);
        same("/v1/superpositions/apply", body);
    }
}

TEST(arrays_the_fast_path_leaves_give_the_same_errors)
{
    static const char *const arrays[] = {
        /* not numbers, or not in JSON's form */
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,1e999]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,-1e400000]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,"
        "1" "000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,NaN]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,Infinity]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,01]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,1.]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,.5]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,+5]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,1e]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,0x10]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 16]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,\"16\"]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,null]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,true]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,[16]]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,{}]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16\f]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
        "[]", "[[]]", "[[],[]]", "[1]",
        /* shapes a reader refuses */
        "[[1,2,3,4,5,6,7,8],[1,2,3,4,5,6,7,8,9]]",
        "[[1,2,3,4,5,6,7,8,9],[1,2,3,4,5,6,7,8]]",
        "[[[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]]]",
        "[[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],1]",
        "[1,[2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]]",
        "[[1,2,3],[4,5,6],[7,8,9],[10,11,12],[13,14,15],[16,17,18]]",
        "[[1,2],[3,4],[5,6],[7,8],[9,10],[11,12],[13,14],[15,16]]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]",
        "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,"
        "25,26,27,28,29,30,31,32]",
        "[[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]]",
        "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]",
        "[-0,-0,-0,-0,-0,-0,-0,-0,-0,-0,-0,-0,-0,-0,-0,-0]",
        "[1e308,1e308,1e308,1e308,1e308,1e308,1e308,1e308,1e308,1e308,"
        "1e308,1e308,1e308,1e308,1e308,1e308]",
    };
    /* a path, then a body: text, the first array, text, the second
     * array, text */
    static const char *const templates[][4] = {
        {"/v1/layers/forward", "{\"weights\":",
         ",\"activation\":\"identity\",\"input\":", "}"},
        {"/v1/layers/forward", "{\"weights\":",
         ",\"activation\":\"identity\",\"inputs\":", "}"},
        {"/v1/layers/forward", "{\"weights\":", ",\"bias\":",
         ",\"activation\":\"relu\",\"input\":[1]}"},
        {"/v1/layers/forward", "{\"weights\":", ",\"weights\":",
         ",\"activation\":\"relu\"}"},
        {"/v1/layers/forward", "{\"complex\":true,\"weights\":",
         ",\"activation\":\"identity\",\"input\":", "}"},
        {"/v1/layers/forward", "{\"complex\":true,\"weights\":",
         ",\"activation\":\"identity\",\"inputs\":", "}"},
        {"/v1/layers/forward", "{\"complex\":true,\"weights\":",
         ",\"bias\":", ",\"activation\":\"identity\",\"input\":[1]}"},
        {"/v1/superpositions/normalize", "{\"amplitudes\":", ", \"x\": ",
         "}"},
        {"/v1/superpositions/normalize", "[{\"amplitudes\":", "}, ", "]"},
        {"/v1/superpositions/normalize", "{\"amplitudes\":", "} ", ""},
        {"/v1/superpositions/apply", "{\"state\":{\"amplitudes\":",
         "},\"operations\":[{\"gate\":\"x\",\"qubits\":[0],\"params\":",
         "}]}"},
        {"/v1/superpositions/compare", "{\"a\":{\"amplitudes\":",
         "},\"b\":{\"amplitudes\":", "}}"},
        {"/v1/superpositions/tensor", "{\"a\":{\"amplitudes\":",
         "},\"b\":{\"amplitudes\":", "},\"store\":false}"},
    };
    size_t count = sizeof arrays / sizeof *arrays;
    /* limits met by the arrays here, and the depth of a 2-D array in an
     * object in an object */
    api_ctx small_fast = fast, small_plain = plain;
    small_fast.limits.max_dimension = small_plain.limits.max_dimension = 16;
    small_fast.limits.max_matrix = small_plain.limits.max_matrix = 16;
    small_fast.limits.max_batch = small_plain.limits.max_batch = 1;
    api_ctx shallow_fast = fast, shallow_plain = plain;
    shallow_fast.limits.max_depth = shallow_plain.limits.max_depth = 2;
    for (size_t t = 0; t < sizeof templates / sizeof *templates; t++) {
        for (size_t i = 0; i < count; i++) {
            for (size_t j = 0; j < count; j += 1 + (i + t) % 3) {
                snprintf(body, sizeof body, "%s%s%s%s%s", templates[t][1],
                         arrays[i], templates[t][2], arrays[j],
                         templates[t][3]);
                size_t len = strlen(body);
                same_answer(&fast, &plain, templates[t][0], body, len);
                same_answer(&small_fast, &small_plain, templates[t][0], body,
                            len);
                same_answer(&shallow_fast, &shallow_plain, templates[t][0],
                            body, len);
            }
        }
    }
}

TEST(changed_bytes_give_the_same_answers)
{
    static const char alphabet[] = "0123456789-+.eE,[]{} \"\n:x\\\x01";
    char w[1 << 12], x[1 << 10], a[1 << 12];
    char mutated[1 << 14];
    for (int k = 0; k < 3000; k++) {
        size_t n = 4 + next() % 12, m = 1 + next() % 6;
        rows_of(w, m, n);
        flat(x, n);
        rows_of(a, n, 2);
        int len;
        if (k % 2)
            len = snprintf(mutated, sizeof mutated,
                           "{\"weights\":%s,\"activation\":\"identity\","
                           "\"input\":%s}",
                           w, x);
        else
            len = snprintf(mutated, sizeof mutated, "{\"amplitudes\":%s}", a);
        for (int edits = 1 + (int)(next() % 3); edits > 0; edits--) {
            size_t at = next() % (size_t)len;
            char c = alphabet[next() % (sizeof alphabet - 1)];
            switch (next() % 3) {
            case 0: mutated[at] = c; break;
            case 1:
                memmove(mutated + at + 1, mutated + at, (size_t)len - at);
                mutated[at] = c;
                len++;
                break;
            default:
                memmove(mutated + at, mutated + at + 1, (size_t)len - at - 1);
                len--;
            }
        }
        same_answer(&fast, &plain,
                    k % 2 ? "/v1/layers/forward"
                          : "/v1/superpositions/normalize",
                    mutated, (size_t)len);
    }
}

TEST(the_corpus_took_the_fast_path)
{
    printf("lifted numbers: %zu bodies compared, %zu with arrays lifted\n",
           compared, lifted_bodies);
    CHECK(compared > 10000);
    CHECK(lifted_bodies > compared / 5);
}
