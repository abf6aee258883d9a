/* tests/slow/test_dtoa_shortest_sweep.c - tests/codec/test_dtoa_shortest.c
 * at full size: millions of doubles of every kind (that file says how
 * many). `make test` runs it once, in the release build; `make test-slow`
 * alone. */
#define DTOA_SWEEP 1
#include "tests/codec/test_dtoa_shortest.c"
