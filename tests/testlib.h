/* tests/testlib.h - a very small test harness.
 *
 *   TEST(normalize_rejects_zero_vector) { ... CHECK(x == 1); ... }
 *
 * Every TEST registers itself; testlib's main runs them all in file order,
 * prints one line per failed check, and ends with "N passed, N failed".
 * A test fails when any of its checks fails; checks do not stop the test. */
#ifndef PSINET_TESTLIB_H
#define PSINET_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn);

/* Records the outcome of one check; returns ok. */
bool test_check(bool ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A new file name in this test program's own temporary directory, made at
 * the first call and removed with everything in it when the program ends:
 * DIR/<prefix><n>.db, n counting the calls. Written into path (len
 * bytes), which is returned. */
const char *test_tmp_path(char *path, size_t len, const char *prefix);

/* |a - b| <= tol * max(1, |b|)  (relative, absolute near zero). */
bool test_near(double a, double b, double tol);

#define TEST(name)                                                             \
    static void test_##name(void);                                             \
    __attribute__((constructor)) static void test_register_##name(void)        \
    {                                                                          \
        test_register(#name, test_##name);                                     \
    }                                                                          \
    static void test_##name(void)

#define CHECK(cond) test_check((cond), __FILE__, __LINE__, "%s", #cond)

/* Near-equality with a stated tolerance (relative, or absolute near 0). */
#define CHECK_NEAR(a, b, tol)                                                  \
    do {                                                                       \
        double a_ = (a), b_ = (b);                                             \
        test_check(test_near(a_, b_, (tol)), __FILE__, __LINE__,               \
                   "%s = %.17g, expected %s = %.17g (tol %g)", #a, a_, #b, b_, \
                   (double)(tol));                                             \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                     \
    do {                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        test_check(a_ == b_, __FILE__, __LINE__, "%s = %lld, expected %lld",   \
                   #a, a_, b_);                                                \
    } while (0)

#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        test_check(a_ && b_ && strcmp(a_, b_) == 0, __FILE__, __LINE__,        \
                   "%s = \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)",     \
                   b_ ? b_ : "(null)");                                        \
    } while (0)

#endif
