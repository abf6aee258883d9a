/* api/json_write.h - JSON text for responses.
 *
 * jansson prints reals with "%.17g", so 0.6 comes out as
 * 0.59999999999999998. psinet writes the shortest decimal that reads back as
 * the same double (0.6), which is what people expect to see and still exact. */
#ifndef PSINET_API_JSON_WRITE_H
#define PSINET_API_JSON_WRITE_H

#include <jansson.h>
#include <stddef.h>

/* Serialises v compactly. Returns a malloc'd NUL-terminated buffer the
 * caller frees, with its length in *len; NULL when out of memory. */
char *api_json_write(const json_t *v, size_t *len);

#endif
