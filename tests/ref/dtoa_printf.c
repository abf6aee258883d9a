/* tests/ref/dtoa_printf.c - the printf-based writer (dtoa_printf.h). */
#include "tests/ref/dtoa_printf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t ref_dtoa_printf(double d, char *buf)
{
    int len = 0;
    for (int prec = 15; prec <= 17; prec++) {
        len = snprintf(buf, 32, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    if (!strpbrk(buf, ".eEn")) { /* integral: keep it visibly real */
        buf[len++] = '.';
        buf[len++] = '0';
        buf[len] = '\0';
    }
    return (size_t)len;
}
