/* tests/codec/test_decimal.c - decimal_parse against glibc's strtod, bit
 * for bit: the known hard cases, then random decimal strings of every
 * length and exponent, and the exact midpoints between neighbouring
 * doubles cut at every length (the strings nearest a rounding boundary).
 *
 * Every string is read three ways: decimal_parse with end just after it;
 * decimal_parse with more text after it (a byte that ends it, then digits:
 * the next number of an array), which is where its inline path for the
 * common shapes runs; and decimal_parse_any, the general reader, alone.
 * Random numbers of those common shapes (a few digits, a point, a few
 * more) are swept beside the others, and the shapes' edges (digit counts
 * at the 8-byte words the inline path reads, every end) one by one.
 *
 * Here 200,000 random strings; tests/slow/test_decimal_sweep.c, which
 * `make test` runs once in the release build, 10 million; and
 * `make test-decimal-long` 10^9 (PSINET_DECIMAL_STRINGS sets the count of
 * the sweep), each count with as many short ones beside them. The strings
 * come from a fixed seed (PSINET_DECIMAL_SEED changes it). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/decimal.h"
#include "tests/testlib.h"

#ifndef DECIMAL_SWEEP
#define RANDOM_STRINGS 200000ULL
#else
#define RANDOM_STRINGS 10000000ULL
#endif

static uint64_t failures_shown;

/* What may follow a number without extending it; then digits, as the next
 * number of an array would. */
static const char *const followers[] = {
    ",", "]", " ", "\n", "\t", "\r", "}", ",-", ".,", "e,", "E+]", "e-x",
    "x", "-", "+", "\"", ".]", ":", "/", ".:", "./", "\x80", "\xba", "\xff",
};
#define DIGITS_AFTER "12345678901234567890"

/* One reading of s (n bytes) as the whole of text (len bytes): true when
 * it read n bytes, strtod's double bit for bit, and the right integral. */
static bool read_agrees(const char *what, bool any, const char *text,
                        size_t len, const char *s, size_t n, double slow,
                        bool integral_expected)
{
    double fast = 0;
    bool integral = !integral_expected;
    size_t used = any ? decimal_parse_any(text, text + len, &fast, &integral)
                      : decimal_parse(text, text + len, &fast, &integral);
    bool ok = used == n && memcmp(&fast, &slow, sizeof fast) == 0 &&
              integral == integral_expected;
    if (!ok && failures_shown++ < 20)
        test_check(false, __FILE__, __LINE__,
                   "%s (%s): %.17g (%zu bytes, integral %d), strtod %.17g "
                   "(%zu bytes)",
                   s, what, fast, used, integral, slow, n);
    return ok;
}

/* Parses s (n bytes, then a NUL) with decimal_parse and decimal_parse_any,
 * alone and with text after it, and compares each with strtod; true when
 * all agree. */
static bool same_as_strtod(const char *s, size_t n)
{
    static uint64_t calls;
    static char padded[1400];
    char *end;
    double slow = strtod(s, &end);
    bool integral = strpbrk(s, ".eE") == NULL;
    if ((size_t)(end - s) != n || n + 40 > sizeof padded) {
        test_check(false, __FILE__, __LINE__, "%s: not a whole number", s);
        return false;
    }
    const char *after = followers[calls++ % (sizeof followers /
                                             sizeof *followers)];
    size_t m = (size_t)snprintf(padded, sizeof padded, "%s%s" DIGITS_AFTER,
                                s, after);
    bool ok = read_agrees("to its end", false, s, n, s, n, slow, integral);
    ok &= read_agrees("text after", false, padded, m, s, n, slow, integral);
    ok &= read_agrees("any, to its end", true, s, n, s, n, slow, integral);
    ok &= read_agrees("any, text after", true, padded, m, s, n, slow,
                      integral);
    return ok;
}

static bool check_text(const char *s)
{
    return same_as_strtod(s, strlen(s));
}

TEST(known_hard_cases)
{
    static const char *const cases[] = {
        "0",
        "-0",
        "0.0",
        "-0.0",
        "0e0",
        "-0e-5",
        "0.000",
        "1",
        "-1",
        "9",
        "0.1",
        "0.2",
        "0.3",
        "0.6",
        "1e23",
        "8.98846567431158e307",
        "9007199254740992",
        "9007199254740993",
        "9007199254740994",
        "9007199254740995",
        "9007199254740993.0000000000000001",
        "18014398509481993",
        "72057594037927933",
        "7.2057594037927933e16",
        "2.2250738585072011e-308",
        "2.2250738585072012e-308",
        "2.2250738585072014e-308",
        "2.225073858507201136057409796709131975934819546351645648e-308",
        "4.9406564584124654e-324",
        "5e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "2."
        "4703282292062327208828439643411068618252990130716238221279284125033775"
        "3635104375932649918180817996189898282347722858865463328355177969898199"
        "3873980053909390631503565951557022639229085839244910518443593180284993"
        "6536152500319370457678249219365623669863658480757001585769269903706311"
        "9282795585513329278343384093519780155312465972635795746227664652728272"
        "2005637400648549997709659947045402082816622623785739345073633900796776"
        "1930577506740176324673600968951340535537458516661134223766678604162159"
        "6804619144672918403005300575308490487653917113865916462395249126236538"
        "8187963623937328042389101867234849766823508986338858792562830275599565"
        "7524455507255189313690836254779186948667994968324049705821028513185451"
        "3962138377228261454376934125320985913276672363281255e-324",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "1e308",
        "1e309",
        "-1e309",
        "1e999",
        "1e-999",
        "1e-400",
        "123456789012345678901234567890",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "0.500000000000000166533453693773481063544750213623046875",
        "3.0540276966788450e-1",
        "1e-5",
        "1E+5",
        "1e+22",
        "1e22",
        "1e-22",
        "4294967295",
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "99999999999999999999",
        "0.0000000000000000000000000000001234567890123456789012",
        "1234567890123456789",
        "12345678901234567890",
        "1e-342",
        "1e-343",
        "1e308",
        "1797693134862315807937289714053034150799341327100378269361737789804449"
        "6829276475094664901797758720709633028641669288791094655554785194040263"
        "0657488671505820681908902000708383676273854845817711531764475730270069"
        "8555713669596228429148198608349364752927190741684443655107043427115596"
        "99508093042880177904174497791",
        "179769313486231580793728971405301e276",
        "0.000000000000000000000000000000000000000000001e300",
        "1e0000000000000000000000000000000000000000000001",
        "1e-00000000000000000000000000000000000000000000",
        "7.7e-310",
        "1.8e308",
        "3e-324",
        "2.5e-324",
        "2.4e-324"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        CHECK(check_text(cases[i]));
}

TEST(only_the_strict_form_is_read)
{
    static const struct {
        const char *text;
        size_t used;
    } cases[] = {
        {"", 0},       {"-", 0},     {"+1", 0},   {".5", 0},  {"-.5", 0},
        {"inf", 0},    {"nan", 0},   {"0x10", 1}, {"01", 1},  {"-01", 2},
        {"1.", 1},     {"1.e5", 1},  {"1e", 1},   {"1e+", 1}, {"1e-x", 1},
        {"1.5e3x", 5}, {"12,", 2},   {"1 ", 1},   {"1]", 1},  {"-0.0e-0", 7},
        {"00", 1},     {"1.2.3", 3}, {"1ee5", 1}, {" 1", 0},
        {"/.5", 0},    {":.5", 0},   {"-:.5", 0}, {"-/1", 0}, {"1:2", 1},
        {"1/2", 1},    {"0.5:", 3},  {"0.5/", 3}, {"5.:", 1}, {"5./", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double d;
        bool integral;
        const char *t = cases[i].text;
        size_t used = decimal_parse(t, t + strlen(t), &d, &integral);
        test_check(used == cases[i].used, __FILE__, __LINE__,
                   "\"%s\": read %zu bytes, expected %zu", t, used,
                   cases[i].used);
        /* and with an array's next numbers after it */
        char after[64];
        int n = snprintf(after, sizeof after, "%s,1.5,-0.25,7,8,9", t);
        used = decimal_parse(after, after + n, &d, &integral);
        test_check(used == cases[i].used, __FILE__, __LINE__,
                   "\"%s\": read %zu bytes, expected %zu", after, used,
                   cases[i].used);
    }
    /* the end given is respected: "12" of "123" */
    double d;
    bool integral;
    const char *t = "123";
    CHECK(decimal_parse(t, t + 2, &d, &integral) == 2 && d == 12.0);
}

TEST(integers_zero_and_sign)
{
    double d;
    bool integral;
    /* each alone, then with more text after it (the inline path) */
    const char *t = "-0";
    CHECK(decimal_parse(t, t + 2, &d, &integral) == 2 && integral && d == 0 &&
          signbit(d)); /* as strtod: the sign is kept */
    t = "-0,1.25,-3.5,0,0,0,0,0";
    CHECK(decimal_parse(t, t + strlen(t), &d, &integral) == 2 && integral &&
          d == 0 && signbit(d));
    t = "-0.0";
    CHECK(decimal_parse(t, t + 4, &d, &integral) == 4 && !integral &&
          signbit(d));
    t = "-0.0,1.25,-3.5,0,0,0,0,0";
    CHECK(decimal_parse(t, t + strlen(t), &d, &integral) == 4 && !integral &&
          d == 0 && signbit(d));
    t = "0.0,1.25,-3.5,0,0,0,0,0";
    CHECK(decimal_parse(t, t + strlen(t), &d, &integral) == 3 && !integral &&
          d == 0 && !signbit(d));
    t = "1e2";
    CHECK(decimal_parse(t, t + 3, &d, &integral) == 3 && !integral && d == 100);
    t = "1e2,1.25,-3.5,0,0,0,0,0";
    CHECK(decimal_parse(t, t + strlen(t), &d, &integral) == 3 && !integral &&
          d == 100);
    t = "1234567,1.25,-3.5,0,0,0,0";
    CHECK(decimal_parse(t, t + strlen(t), &d, &integral) == 7 && integral &&
          d == 1234567);
    t = "-7.,1.25,-3.5,0,0,0,0,0,0";
    CHECK(decimal_parse(t, t + strlen(t), &d, &integral) == 2 && integral &&
          d == -7);
}

/* The length of the longest prefix of s (n bytes) in the strict form of
 * codec/decimal.h, worked out here on its own, byte by byte. */
static size_t strict_length(const char *s, size_t n)
{
#define DIGIT_AT(i) ((i) < n && s[i] >= '0' && s[i] <= '9')
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (!DIGIT_AT(i))
        return 0;
    if (s[i++] != '0')
        while (DIGIT_AT(i))
            i++;
    if (i < n && s[i] == '.' && DIGIT_AT(i + 1))
        for (i++; DIGIT_AT(i); i++)
            ;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (DIGIT_AT(j)) {
            while (DIGIT_AT(j))
                j++;
            i = j;
        }
    }
    return i;
#undef DIGIT_AT
}

/* decimal_parse and decimal_parse_any on text with end at every byte of
 * it (0 .. len), against strtod on the prefix strict_length finds; true
 * when all agree. */
static bool every_end_agrees(const char *text, size_t len)
{
    bool ok = true;
    char prefix[128];
    for (size_t k = 0; k <= len; k++) {
        size_t n = strict_length(text, k);
        memcpy(prefix, text, n);
        prefix[n] = '\0';
        double slow = n ? strtod(prefix, NULL) : 0;
        bool integral = strpbrk(prefix, ".eE") == NULL;
        /* a copy of k bytes alone, so that the sanitizers see any read
         * past end */
        char *copy = malloc(k ? k : 1);
        if (!copy)
            return false;
        memcpy(copy, text, k);
        for (int any = 0; any <= 1; any++) {
            double fast = 0;
            bool fast_integral = integral;
            size_t used =
                any ? decimal_parse_any(copy, copy + k, &fast, &fast_integral)
                    : decimal_parse(copy, copy + k, &fast, &fast_integral);
            bool same = used == n &&
                        (n == 0 || (memcmp(&fast, &slow, sizeof fast) == 0 &&
                                    fast_integral == integral));
            if (!same && failures_shown++ < 20)
                test_check(false, __FILE__, __LINE__,
                           "\"%.*s\"%s: %.17g (%zu bytes), strtod \"%s\" "
                           "%.17g",
                           (int)k, text, any ? " (any)" : "", fast, used,
                           prefix, slow);
            ok &= same;
        }
        free(copy);
    }
    return ok;
}

/* The shapes decimal_parse reads inline and their edges: integer and
 * fraction digits at and past the 8-byte words it reads (one digit and
 * 6 or 7 in the fraction; 7 or 8 in either part), leading zeros, a bare
 * point, 19 and 20 digits, 2^53, exponents and their first bytes; each
 * signed and not, with each follower after it, read with end at every
 * byte, so also ending exactly at end, and within 17 bytes of it. */
TEST(common_shapes_at_every_end)
{
    static const char *const ints[] = {
        "0", "5", "10", "123", "1234567", "12345678", "90071992547409"};
    static const char *const fractions[] = {
        "",          ".",         ".0",        ".5",        ".05",
        ".000123",   ".123456",   ".999999",   ".1234567",  ".12345678",
        ".123456789", ".0000000", ".0000001",  ".9999999999999999999"};
    static const char *const exponents[] = {"", "e5", "E-3", "e+22", "e",
                                            "E+", "e-400"};
    static const char *const edges[] = {
        "1234567890123456789",    "12345678901234567890",
        "0.1234567890123456789",  "0.12345678901234567890",
        "9007199254740992",       "9007199254740993",
        "9007199254740992.5",     "900719925474099.3",
        "0.9007199254740993",     "1.7976931348623157e308",
        "4.9406564584124654e-324", "0.000123",
        "1234567.1234567",        "1234567.12345678",
        "12345678.1",             "99999999"};
    char text[128];
    size_t shapes = 0, bad = 0;
    for (int neg = 0; neg <= 1; neg++)
        for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
            for (size_t f = 0; f < sizeof fractions / sizeof *fractions; f++)
                for (size_t e = 0; e < sizeof exponents / sizeof *exponents;
                     e++) {
                    const char *after =
                        followers[shapes++ % (sizeof followers /
                                              sizeof *followers)];
                    int n = snprintf(text, sizeof text,
                                     "%s%s%s%s%s" DIGITS_AFTER,
                                     neg ? "-" : "", ints[i], fractions[f],
                                     exponents[e], after);
                    bad += !every_end_agrees(text, (size_t)n);
                }
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
        for (size_t a = 0; a < sizeof followers / sizeof *followers; a++)
            for (int neg = 0; neg <= 1; neg++) {
                int n = snprintf(text, sizeof text, "%s%s%s" DIGITS_AFTER,
                                 neg ? "-" : "", edges[i], followers[a]);
                bad += !every_end_agrees(text, (size_t)n);
                shapes++;
            }
    test_check(bad == 0, __FILE__, __LINE__, "%zu of %zu shapes differ", bad,
               shapes);
}

/* xorshift64*: a fixed sequence */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A random number in the strict form into buf (NUL-terminated): 1 to 40
 * significant digits (mostly up to 20), a point anywhere or none, an
 * exponent making the value anything from below the smallest subnormal
 * to beyond the largest double, or none. */
static size_t random_decimal(char *buf)
{
    uint64_t r = next();
    size_t n = 0, digits;
    switch (r & 7) {
    case 0: digits = 1 + (r >> 8) % 40; break;
    case 1: digits = 15 + (r >> 8) % 6; break;
    default: digits = 1 + (r >> 8) % 20; break;
    }
    if ((r >> 16) & 1)
        buf[n++] = '-';
    char d[48];
    for (size_t i = 0; i < digits; i++)
        d[i] = (char)('0' + next() % 10);
    if (d[0] == '0' && digits > 1)
        d[0] = (char)('1' + next() % 9);
    uint64_t s = next();
    size_t point = s % (digits + 1); /* digits before the point */
    if (point == 0 && (s >> 8) % 2) {
        /* 0.000ddd */
        buf[n++] = '0';
        buf[n++] = '.';
        size_t zeros = (s >> 16) % 8;
        for (size_t i = 0; i < zeros; i++)
            buf[n++] = '0';
        memcpy(buf + n, d, digits);
        n += digits;
    } else if (point == 0 || point == digits) {
        memcpy(buf + n, d, digits);
        n += digits;
    } else {
        memcpy(buf + n, d, point);
        n += point;
        buf[n++] = '.';
        memcpy(buf + n, d + point, digits - point);
        n += digits - point;
    }
    uint64_t e = next();
    if (e % 5 != 0) {
        int x = (int)((e >> 8) % 700) - 360;
        n += (size_t)sprintf(buf + n, "%s%s%d", (e >> 20) & 1 ? "e" : "E",
                             x >= 0 && ((e >> 21) & 1) ? "+" : "", x);
    }
    buf[n] = '\0';
    return n;
}

/* A random number of the shapes clients send most, into buf
 * (NUL-terminated): -?D.F, D one digit (mostly) or up to 9, F none or up
 * to 9 digits, sometimes with leading zeros (0.000123), seldom an
 * exponent: what decimal_parse reads inline, and its edges. */
static size_t random_short(char *buf)
{
    uint64_t r = next();
    size_t n = 0;
    if (r & 1)
        buf[n++] = '-';
    size_t int_digits = (r >> 1) % 4 ? 1 : 1 + (r >> 3) % 9;
    buf[n++] = (char)('0' + (int_digits > 1 ? 1 + next() % 9 : next() % 10));
    for (size_t i = 1; i < int_digits; i++)
        buf[n++] = (char)('0' + next() % 10);
    size_t fraction = (r >> 8) % 10, zeros = (r >> 12) % 3 ? 0 : (r >> 14) % 6;
    if (fraction) {
        buf[n++] = '.';
        for (size_t i = 0; i < fraction; i++)
            buf[n++] = (char)('0' + (i < zeros ? 0 : next() % 10));
    }
    if ((r >> 20) % 16 == 0)
        n += (size_t)sprintf(buf + n, "e%d", (int)((r >> 24) % 40) - 20);
    buf[n] = '\0';
    return n;
}

/* How many random strings: RANDOM_STRINGS, or PSINET_DECIMAL_STRINGS. */
static uint64_t string_count(void)
{
    const char *env = getenv("PSINET_DECIMAL_STRINGS");
    const char *seed = getenv("PSINET_DECIMAL_SEED");
    if (seed)
        rng_state ^= strtoull(seed, NULL, 0) * 0x9e3779b97f4a7c15ULL + 1;
    return env ? strtoull(env, NULL, 0) : RANDOM_STRINGS;
}

TEST(random_decimals_read_as_strtod_reads_them)
{
    uint64_t count = string_count(), bad = 0;
    char buf[128];
    for (uint64_t i = 0; i < count; i++) {
        size_t n = random_decimal(buf);
        bad += !same_as_strtod(buf, n);
        n = random_short(buf);
        bad += !same_as_strtod(buf, n);
    }
    test_check(bad == 0, __FILE__, __LINE__,
               "%" PRIu64 " of %" PRIu64 " random strings differ", bad,
               2 * count);
    printf("decimal: %" PRIu64 " random strings (half of them short) read "
           "as strtod reads them\n",
           2 * count - bad);
}

/* The exact midpoint between a random double and the next one up (a long
 * double holds it exactly), written out in full and cut at lengths from 16
 * digits on: the strings whose rounding the 19 leading digits cannot
 * always decide. */
TEST(midpoints_and_their_neighbours)
{
    uint64_t count = string_count() / 40 + 1000, bad = 0;
    static char full[1200];
    char cut[64];
    for (uint64_t i = 0; i < count; i++) {
        uint64_t bits = next() & ~(UINT64_C(1) << 63);
        if ((bits >> 52) >= 0x7FE) /* keep the next one up finite */
            bits &= ~(UINT64_C(0x400) << 52);
        double lo, hi;
        memcpy(&lo, &bits, sizeof lo);
        hi = nextafter(lo, INFINITY);
        long double mid = ((long double)lo + (long double)hi) / 2;
        int n = snprintf(full, sizeof full, "%.780Le", mid);
        bad += !same_as_strtod(full, (size_t)n);
        /* d.ddd...: cut the digits at 16 to 40 of them, then +-1 on the
         * last digit kept */
        char *e = strchr(full, 'e');
        for (int keep = 16; keep <= 40; keep += 1 + (int)(next() % 4)) {
            int m = snprintf(cut, sizeof cut, "%.*s%s", keep + 1, full, e);
            bad += !same_as_strtod(cut, (size_t)m);
        }
    }
    test_check(bad == 0, __FILE__, __LINE__,
               "%" PRIu64 " midpoint strings differ", bad);
}
