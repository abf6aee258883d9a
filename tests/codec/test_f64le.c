/* tests/codec/test_f64le.c - doubles as little-endian bytes
 * (codec/f64le.c): the bytes of known values (Python's
 * struct.pack('<d', x)) and decoding in place. */
#include <math.h>
#include <string.h>

#include "codec/f64le.h"
#include "tests/testlib.h"

TEST(known_values_have_their_ieee_bytes_lowest_first)
{
    const double x[3] = {1.0, -2.0, 0.1};
    const unsigned char want[24] = {
        0, 0, 0, 0, 0, 0, 0xf0, 0x3f,                      /* 1.0 */
        0, 0, 0, 0, 0, 0, 0, 0xc0,                         /* -2.0 */
        0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f,    /* 0.1 */
    };
    unsigned char out[24];
    f64le_encode(x, 3, out);
    CHECK(memcmp(out, want, sizeof want) == 0);
    double back[3];
    f64le_decode(want, 3, back);
    CHECK(memcmp(back, x, sizeof x) == 0);
}

TEST(decoding_in_place_keeps_every_bit)
{
    const double x[4] = {-0.0, 5e-324, INFINITY, 1.7976931348623157e308};
    union {
        unsigned char bytes[32];
        double values[4];
    } u;
    f64le_encode(x, 4, u.bytes);
    f64le_decode(u.bytes, 4, u.values);
    CHECK(memcmp(u.values, x, sizeof x) == 0);
    CHECK(signbit(u.values[0]));
}
