/* json/pjson.h - psinet's JSON layer on top of jansson: exact number text,
 * numeric arrays as values, per-request memory, and long base64 strings
 * taken out of a body before jansson parses it. It knows nothing of HTTP,
 * of requests' meaning or of the store.
 *
 * Ownership of json_t, the one rule (stated once, as jq's jv.h does; every
 * function of psinet that handles a json_t follows it):
 *
 *   - a json_t * a function returns is a new reference: the caller owns it,
 *     and either releases it (json_decref) or hands it on;
 *   - a `const json_t *` parameter is borrowed: the function neither keeps
 *     nor releases it, and the caller's reference stays valid;
 *   - a `json_t *` parameter is taken, as by jansson's *_new functions: the
 *     function owns it from the call on, even when the call fails, and a
 *     NULL taken is a failure to pass on (an allocation that failed before).
 *
 * A function that builds a value returns NULL only when memory for a
 * request-sized part of it ran out (see PJSON_SMALL). */
#ifndef PSINET_JSON_PJSON_H
#define PSINET_JSON_PJSON_H

#include <jansson.h>
#include <stdbool.h>
#include <complex.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ writing
 * jansson prints reals with "%.17g", so 0.6 comes out as
 * 0.59999999999999998. psinet writes the shortest decimal that reads back
 * as the same double (0.6: codec/dtoa_shortest.h), which is what people
 * expect to see and still exact. */

/* v (borrowed) as compact JSON text: a malloc'd NUL-terminated buffer the
 * caller frees, its length in *len; NULL when out of memory. */
char *pjson_write(const json_t *v, size_t *len);

/* Appends value (taken) to the array *array. When that fails, or value is
 * NULL, releases *array and sets it to NULL: a loop of appends ends with a
 * whole array or none. With *array already NULL, only releases value. */
void pjson_push(json_t **array, json_t *value);

/* The same for key (copied) in the object *object. */
void pjson_set(json_t **object, const char *key, json_t *value);

/* ------------------------------------------------------------ numbers
 * Arrays of finite numbers as JSON values (callers check finiteness first:
 * core/vec.h), new references. With b64, the binary form that a request's
 * "encoding": "b64" asks for: {"b64": "<standard base64 of little-endian
 * doubles>", "shape": [n] or [rows, cols]}; complex amplitudes are
 * interleaved (re, im) pairs, shape [n]. */

/* [x0, x1, ...], or the binary form with shape [n]. */
json_t *pjson_reals(const double *x, size_t n, bool b64);

/* [[row 0], [row 1], ...] from rows x cols row-major, or the binary form
 * with shape [rows, cols]. */
json_t *pjson_matrix(const double *x, size_t rows, size_t cols, bool b64);

/* [[re, im], ...], or the binary form of the 2n doubles with shape [n]. */
json_t *pjson_amplitudes(const double complex *c, size_t n, bool b64);

/* [[[re, im], ...], ...] from rows x cols row-major, or the binary form of
 * the 2 rows cols doubles (interleaved) with shape [rows, cols]. */
json_t *pjson_amplitude_matrix(const double complex *c, size_t rows,
                               size_t cols, bool b64);

/* ------------------------------------------------------------ memory
 * While a request is handled, jansson allocates from the handling thread's
 * arena (json/arena.h): a layer of 784 inputs is 785 values, and each would
 * otherwise be its own malloc and free. jansson's allocation hooks are
 * process-wide and take no argument, so the arena in use is found through
 * a thread-local: the one piece of per-request state psinet does not pass
 * explicitly. Values allocated outside a begin/end pair go to malloc. */

/* Below this many bytes, a jansson allocation that fails aborts the
 * process, as core/mem.h's policy has psinet's own small allocations do:
 * a NULL from jansson means a request-sized string or array could not be
 * had. Equal to MEM_SMALL. */
#define PJSON_SMALL 4096

/* Points jansson at these hooks. Call once, before any thread uses
 * jansson; without it jansson uses malloc and free, also correct. */
void pjson_alloc_install(void);

/* Turns the calling thread's arena on (creating it the first time) for a
 * response about to be built. False when it could not be created:
 * allocation then goes to malloc, and there is nothing to end. */
bool pjson_arena_begin(void);

/* Turns it off; what was built stays until pjson_arena_end. */
void pjson_arena_pause(void);

/* One response built since a begin is done with; when it was the last,
 * the arena is reset. Every value allocated in it must be released, or
 * never looked at again, by then. */
void pjson_arena_end(void);

/* Whether every value built since the thread's outstanding responses
 * began is in the arena (none fell back to malloc). A whole tree can then
 * be dropped by not releasing it at all: the reset frees it. */
bool pjson_arena_holds_all(void);

/* ------------------------------------------------------------ lifting
 * jansson reads a string one byte at a time, at about 60 MB/s: the 2.8 MB
 * of base64 that carry a 512 x 512 layer would take 47 ms to parse, far
 * longer than anything psinet then does with them. So before a body is
 * parsed, every long string that is the value of a "b64" key and holds
 * nothing but base64 characters is decoded in one pass, kept aside, and
 * replaced in a copy of the body by a short tag. jansson parses the short
 * copy; the reader of a binary array takes a tag's bytes with
 * pjson_lifted_take. Anything else, including every string the scan is
 * unsure of (an escape in it, a character outside base64), is left for
 * jansson: the parsed document means exactly what the body meant.
 *
 * A tag is "\u0001b64:" + a nonce (64 random bits the caller draws) + ":"
 * + an index, so no string a client writes can be taken for one. */

/* Strings shorter than this stay in the body: lifting them gains nothing. */
#define PJSON_LIFT_MIN 64

typedef struct {
    unsigned char *bytes; /* decoded, owned; NULL when not base64 */
    size_t len;
} pjson_lifted_item;

typedef struct {
    char tag[40];         /* "\x01b64:<nonce>:", the prefix of every tag */
    size_t tag_len;
    pjson_lifted_item *items; /* owned */
    size_t count;
    char *text;           /* the body with tags in place of the strings */
    size_t text_len;
} pjson_lifted;

/* Scans body (len bytes, not NUL-terminated) and, when it holds strings to
 * lift, tags them with nonce, fills *out (free it with pjson_lifted_free)
 * and returns true. False, with *out empty, when there is nothing to lift
 * or no memory to do it in (the body is then parsed as it is). */
bool pjson_lift(const char *body, size_t len, uint64_t nonce,
                pjson_lifted *out);

void pjson_lifted_free(pjson_lifted *l);

/* The bytes a tag stands for, handed over: when s (n bytes) is one of l's
 * tags (l may be NULL: none), sets *bytes and *len and returns true.
 * *bytes is then the caller's to free (malloc'd, so aligned for doubles);
 * it is NULL when that string was not valid base64, or was taken before. */
bool pjson_lifted_take(pjson_lifted *l, const char *s, size_t n,
                       unsigned char **bytes, size_t *len);

/* ------------------------------------------------------------ comparing
 * Where two JSON values first differ, for a result that should have come
 * out the same twice. Two values are the same when psinet's writer
 * (pjson_write) gives them the same text; the walk finds where texts that
 * differ first part, in the order the writer writes:
 *
 *   - scalars are the same when their written text is (so an integer and
 *     a real are the same number only when they are written alike); values
 *     of different types differ at their own pointer;
 *   - arrays are walked index by index up to the shorter length; when
 *     those are all the same and the lengths differ, the difference is at
 *     the first index the shorter one lacks ("/3" for 3 against 4 items),
 *     where the shorter side has no value;
 *   - objects are walked member by member in a's order: a member b lacks
 *     differs at its own pointer, where b has no value; then b's members
 *     that a lacks, in b's order, where a has no value; two objects with
 *     the same members, each the same, in another order differ at the
 *     object's own pointer.
 *
 * Pointers are RFC 6901 JSON Pointers ("~" written "~0", "/" "~1"),
 * appended to base. */
typedef struct {
    char *pointer;        /* malloc'd, the caller frees it */
    const json_t *a, *b;  /* borrowed from a and b; NULL where that side
                             has no value at the pointer */
} pjson_difference;

/* 1 when a and b (borrowed) differ, with the first difference in *d; 0
 * when they are the same (*d zeroed); -1 when memory ran out. */
int pjson_first_difference(const json_t *a, const json_t *b,
                           const char *base, pjson_difference *d);

#endif
