/* api/page.h - pages of a list: ?limit= and ?cursor= in, {"items",
 * "next_cursor"} out. */
#ifndef PSINET_API_PAGE_H
#define PSINET_API_PAGE_H

#include <stdint.h>

#include "api/handler.h"

/* A page request: ?limit= (1..max_page, default 50) and ?cursor= (from a
 * previous page's next_cursor). */
typedef struct {
    size_t limit;
    int64_t after; /* 0: from the newest */
} api_page;

api_code api_page_read(const api_call *call, api_page *page, api_err *err);

/* {"items": items (taken), "next_cursor": the cursor of next_after, or
 * null}; a new reference. */
json_t *api_page_json(json_t *items, int64_t next_after);

#endif
