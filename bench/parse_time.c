/* bench/parse_time.c - how long jansson alone takes to parse each body, the
 * floor under psinet's time for a JSON-heavy request.
 *
 *   bench/parse_time FILE...   prints "FILE microseconds" per file */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f)
            return 1;
        static char buf[64 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        /* Repeat for about half a second; report the mean. */
        int reps = 0;
        double start = now(), t;
        do {
            json_error_t err;
            json_t *v = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &err);
            if (!v)
                return 1;
            json_decref(v);
            reps++;
        } while ((t = now() - start) < 0.5);
        printf("%s %.2f\n", argv[i], t / reps * 1e6);
    }
    return 0;
}
