/* api/openapi.h - documents compiled into the binary (openapi.yaml). */
#ifndef PSINET_API_OPENAPI_H
#define PSINET_API_OPENAPI_H

#include <stddef.h>

typedef struct {
    const char *name; /* "openapi.yaml" */
    const char *text; /* NUL-terminated */
    size_t len;
} api_document;

/* Ends with an entry whose name is NULL. */
extern const api_document api_documents[];

#endif
