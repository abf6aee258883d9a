/* api/stream.h - bodies made part by part (api/api.h's api_stream): what
 * a kind of stream provides. */
#ifndef PSINET_API_STREAM_H
#define PSINET_API_STREAM_H

#include "api/api.h"

/* The head of every stream; a kind of stream embeds it first. */
struct api_stream {
    /* Makes the next part (API_STREAM_PART), or says the end; on failure
     * writes why into error. Called until it returns other than PART. */
    api_stream_state (*next)(api_stream *s, const char **data, size_t *len);
    void (*free)(api_stream *s); /* releases s itself too */
    api_stream_state state;      /* END or FAILED once reached */
    char error[200];
};

#endif
