/* bench/store_rate.c - how fast psinet's store alone writes the experiment
 * that make bench's experiment-write posts: store_experiment_create in a
 * loop, with psinet's schema, statements and settings and no HTTP or JSON.
 * Between SQLite's bare commit (bench/sqlite_rate.c) and the whole request,
 * it says what the schema's pages cost and what the rest of psinet does.
 *
 *   bench/store_rate DIR SECONDS   prints "experiments_per_second N" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/clock.h"
#include "store/experiment.h"
#include "store/store.h"

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/store.db", argv[1]);
    store_status st;
    store *db = store_open(path, 1, 5000, &st, err, sizeof err);
    if (!db) {
        fprintf(stderr, "store_rate: %s\n", err);
        return 1;
    }
    /* what experiment-write's body makes of its params and result */
    char params[] = "{\"amplitudes\":[0.6,0.8],\"weights\":[[1,0],[0,1]],"
                    "\"activation\":\"sigmoid\"}";
    char result[] = "{\"neurons\":[{\"pre_activation\":0.6,\"activation\":"
                    "0.6456563062257954,\"overlap\":0.6,\"probability\":0.36},"
                    "{\"pre_activation\":0.8,\"activation\":0.6899744811276125,"
                    "\"overlap\":0.8,\"probability\":0.6400000000000001}],"
                    "\"metrics\":{\"activation_probability_correlation\":1.0}}";
    char name[] = "bench", tag[] = "bench";
    char *tags[] = {tag};
    double start = bench_now(), t;
    long n = 0;
    do {
        store_experiment e;
        memset(&e, 0, sizeof e);
        e.name = name;
        snprintf(e.kind, sizeof e.kind, "neuron_activation");
        e.params_json = params;
        e.result_json = result;
        e.tags = tags;
        e.tag_count = 1;
        if (store_experiment_create(db, &e) != STORE_OK) {
            fprintf(stderr, "store_rate: a write failed\n");
            store_close(db);
            return 1;
        }
        n++;
    } while ((t = bench_now() - start) < atof(argv[2]));
    printf("experiments_per_second %.0f\n", n / t);
    store_close(db);
    return 0;
}
