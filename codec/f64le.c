/* codec/f64le.c - doubles as little-endian bytes and back. */
#include "codec/f64le.h"

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define F64LE_NATIVE 1
#else
#define F64LE_NATIVE 0
#endif

void f64le_encode(const double *x, size_t n, unsigned char *out)
{
    if (F64LE_NATIVE) {
        memcpy(out, x, n * 8);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        for (int b = 0; b < 8; b++)
            out[i * 8 + (size_t)b] = (unsigned char)(bits >> (8 * b));
    }
}

void f64le_decode(const unsigned char *in, size_t n, double *x)
{
    if (F64LE_NATIVE) {
        if ((const void *)in != (const void *)x)
            memcpy(x, in, n * 8);
        return;
    }
    for (size_t i = 0; i < n; i++) { /* each double read before written */
        uint64_t bits = 0;
        for (int b = 0; b < 8; b++)
            bits |= (uint64_t)in[i * 8 + (size_t)b] << (8 * b);
        memcpy(&x[i], &bits, sizeof bits);
    }
}
