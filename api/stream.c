/* api/stream.c - bodies made part by part (api/api.h, api/stream.h). */
#include "api/stream.h"

api_stream_state api_stream_next(api_stream *s, const char **data,
                                 size_t *len)
{
    *data = NULL;
    *len = 0;
    if (s->state != API_STREAM_PART)
        return s->state;
    s->state = s->next(s, data, len);
    if (s->state != API_STREAM_PART) {
        *data = NULL;
        *len = 0;
    }
    return s->state;
}

const char *api_stream_error(const api_stream *s)
{
    return s->state == API_STREAM_FAILED ? s->error : "";
}

void api_stream_free(api_stream *s)
{
    if (s)
        s->free(s);
}
