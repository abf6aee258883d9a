/* tests/testlib.c - registry and runner for TEST() functions. */
#include "tests/testlib.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_MAX 1024

static struct {
    const char *name;
    test_fn fn;
} tests[TEST_MAX];
static size_t test_count;
static int current_failures;
static const char *current_name;

void test_register(const char *name, test_fn fn)
{
    if (test_count == TEST_MAX) {
        fprintf(stderr, "testlib: more than %d tests\n", TEST_MAX);
        exit(2);
    }
    tests[test_count].name = name;
    tests[test_count].fn = fn;
    test_count++;
}

bool test_check(bool ok, const char *file, int line, const char *fmt, ...)
{
    if (ok)
        return true;
    current_failures++;
    fprintf(stderr, "  FAIL %s (%s:%d): ", current_name, file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return false;
}

bool test_near(double a, double b, double tol)
{
    if (isnan(a) || isnan(b))
        return false;
    if (isinf(a) || isinf(b))
        return a == b;
    double scale = fabs(b) > 1.0 ? fabs(b) : 1.0;
    return fabs(a - b) <= tol * scale;
}

static char tmp_dir[64];

static void remove_tmp_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmp_dir);
}

const char *test_tmp_path(char *path, size_t len, const char *prefix)
{
    static int n;
    if (!tmp_dir[0]) {
        snprintf(tmp_dir, sizeof tmp_dir, "/tmp/psinet-test-XXXXXX");
        if (!mkdtemp(tmp_dir))
            abort();
        atexit(remove_tmp_dir);
    }
    snprintf(path, len, "%s/%s%d.db", tmp_dir, prefix, n++);
    return path;
}

int main(int argc, char **argv)
{
    /* Constructors run in an unspecified order across files but in
     * declaration order within one, which is the order we want. */
    const char *only = argc > 1 ? argv[1] : NULL;
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < test_count; i++) {
        if (only && !strstr(tests[i].name, only))
            continue;
        current_name = tests[i].name;
        current_failures = 0;
        tests[i].fn();
        if (current_failures) {
            failed++;
            fprintf(stderr, "not ok %s\n", tests[i].name);
        } else {
            passed++;
        }
    }
    printf("%s: %zu passed, %zu failed\n", argv[0], passed, failed);
    return failed ? 1 : 0;
}
