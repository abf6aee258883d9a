/* tests/core/test_timing.c - core/timing.c: differences worked out by hand,
 * and deadlines that land where they should on a clock that only goes
 * forward. */
#include <time.h>

#include "core/timing.h"
#include "tests/testlib.h"

TEST(ms_between_borrows_across_the_second)
{
    struct timespec a = {1, 999999999}, b = {2, 1};
    CHECK_NEAR(timing_ms_between(&a, &b), 2e-6, 1e-9); /* 2 ns */
    CHECK_NEAR(timing_ms_between(&b, &a), -2e-6, 1e-9);
    struct timespec c = {100, 250000000}, d = {103, 0};
    CHECK_NEAR(timing_ms_between(&c, &d), 2750.0, 1e-12);
    CHECK(timing_ms_between(&c, &c) == 0.0);
}

TEST(after_ms_is_that_far_ahead_and_normalised)
{
    /* On CLOCK_MONOTONIC the deadline ms from now is at least ms after
     * a reading taken before the call and at most ms after one taken
     * after it, however long the call took. */
    for (unsigned long ms = 0; ms <= 3000; ms += 37) {
        struct timespec before, after;
        clock_gettime(CLOCK_MONOTONIC, &before);
        struct timespec t = timing_after_ms(CLOCK_MONOTONIC, ms);
        clock_gettime(CLOCK_MONOTONIC, &after);
        CHECK(t.tv_nsec >= 0 && t.tv_nsec < 1000000000L);
        CHECK(timing_ms_between(&before, &t) >= (double)ms - 1e-6);
        CHECK(timing_ms_between(&after, &t) <= (double)ms + 1e-6);
    }
}
