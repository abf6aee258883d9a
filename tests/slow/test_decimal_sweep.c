/* tests/slow/test_decimal_sweep.c - tests/codec/test_decimal.c at full
 * size: 10 million random strings (that file says what they are), or
 * PSINET_DECIMAL_STRINGS of them. `make test` runs it once, in the release
 * build; `make test-decimal-long` with 10^9 strings. */
#define DECIMAL_SWEEP 1
#include "tests/codec/test_decimal.c"
