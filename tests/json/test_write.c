/* tests/json/test_write.c - the JSON writer (json/write.c): integers
 * exactly, reals in their shortest round-trip text, and the JSON of every
 * kind of value. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/pjson.h"
#include "tests/testlib.h"

TEST(integers_are_written_exactly)
{
    json_t *v = json_pack("[I, I, I, I, I]", (json_int_t)0, (json_int_t)7,
                          (json_int_t)-42, (json_int_t)INT64_MAX,
                          (json_int_t)INT64_MIN);
    size_t len;
    char *text = pjson_write(v, &len);
    CHECK_STR(text, "[0,7,-42,9223372036854775807,-9223372036854775808]");
    free(text);
    json_decref(v);
}
