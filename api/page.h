/* api/page.h - pages of a list: ?limit= and ?cursor= in, {"items",
 * "next_cursor"} out.
 *
 * A cursor is "c2.<position>.<signature>", 16 hex digits each. The
 * signature is the database's HMAC (store_sign) of the list it was made
 * for: the route and the canonical form of its filter, and the position.
 * So a cursor edited by hand, or passed to another list or to the same
 * list under another filter, is a 400 rather than a page of something
 * else. */
#ifndef PSINET_API_PAGE_H
#define PSINET_API_PAGE_H

#include <stdint.h>

#include "api/handler.h"
#include "codec/sha256.h"

/* What a list's cursor is bound to: its route and its filter. */
typedef struct {
    sha256_ctx hash;
} api_page_scope;

/* Starts a scope for call's route; add each filter with
 * api_page_scope_add (in a fixed order, values in a canonical order). */
void api_page_scope_init(api_page_scope *s, const api_call *call);
void api_page_scope_add(api_page_scope *s, const char *key, const char *value);

/* A page request: ?limit= (1..max_page, default 50) and ?cursor= (from a
 * previous page's next_cursor under the same scope). */
typedef struct {
    size_t limit;
    int64_t after; /* 0: from the newest */
    unsigned char scope[SHA256_SIZE];
} api_page;

/* Reads ?limit= and ?cursor=; scope is finished here (a NULL scope: the
 * route alone). */
api_code api_page_read(const api_call *call, api_page_scope *scope,
                       api_page *page, api_err *err);

/* {"items": items (taken), "next_cursor": the cursor of next_after in
 * page's scope, or null}; a new reference. */
json_t *api_page_json(const api_call *call, const api_page *page,
                      json_t *items, int64_t next_after);

#endif
