/* bench/parse_time.c - how long jansson alone takes to parse each body, the
 * floor under psinet's time for a JSON-heavy request.
 *
 *   bench/parse_time FILE...   prints "FILE microseconds" per file */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/clock.h"

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
        double start = bench_now(), t;
        do {
            json_error_t err;
            json_t *v = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &err);
            if (!v)
                return 1;
            json_decref(v);
            reps++;
        } while ((t = bench_now() - start) < 0.5);
        printf("%s %.2f\n", argv[i], t / reps * 1e6);
    }
    return 0;
}
