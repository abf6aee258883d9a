/* store/digest.c - content hashes of stored inputs (store/digest.h). */
#include "store/digest.h"

#include <string.h>

#include "codec/f64le.h"
#include "codec/sha256.h"

static void put_u64(sha256_ctx *c, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    sha256_update(c, b, sizeof b);
}

/* n doubles as f64, a block at a time. */
static void put_f64s(sha256_ctx *c, const double *x, size_t n)
{
    unsigned char b[8 * 64];
    while (n > 0) {
        size_t k = n < 64 ? n : 64;
        f64le_encode(x, k, b);
        sha256_update(c, b, 8 * k);
        x += k;
        n -= k;
    }
}

/* The text s with its NUL. */
static void put_text(sha256_ctx *c, const char *s)
{
    sha256_update(c, s, strlen(s) + 1);
}

void store_network_digest(const store_network *net,
                          char hex[STORE_DIGEST_HEX])
{
    static const double zero = 0.0;
    sha256_ctx c;
    sha256_init(&c);
    put_text(&c, "psinet-network-1");
    put_u64(&c, net->layer_count);
    for (size_t i = 0; i < net->layer_count; i++) {
        const store_layer *l = &net->layers[i];
        put_u64(&c, l->rows);
        put_u64(&c, l->cols);
        put_text(&c, l->activation);
        unsigned char has_alpha = l->has_alpha;
        sha256_update(&c, &has_alpha, 1);
        if (l->has_alpha)
            put_f64s(&c, &l->alpha, 1);
        put_f64s(&c, l->weights, l->rows * l->cols);
        if (l->bias)
            put_f64s(&c, l->bias, l->rows);
        else
            for (size_t r = 0; r < l->rows; r++)
                put_f64s(&c, &zero, 1);
    }
    unsigned char d[SHA256_SIZE];
    sha256_final(&c, d);
    sha256_hex(d, sizeof d, hex);
}

void store_superposition_digest(const store_superposition *s,
                                char hex[STORE_DIGEST_HEX])
{
    sha256_ctx c;
    sha256_init(&c);
    put_text(&c, "psinet-superposition-1");
    put_u64(&c, s->dimension);
    for (size_t i = 0; i < s->dimension; i++) {
        double re_im[2] = {creal(s->amplitudes[i]), cimag(s->amplitudes[i])};
        put_f64s(&c, re_im, 2);
    }
    unsigned char d[SHA256_SIZE];
    sha256_final(&c, d);
    sha256_hex(d, sizeof d, hex);
}
