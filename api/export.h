/* api/export.h - every stored experiment that passes a filter, as one
 * streamed body: NDJSON (one experiment per line, as the list shows it) or
 * CSV (RFC 4180: one row per experiment, its scalar parameters and metrics
 * in the columns its kind declares, api/experiment.h).
 *
 * The rows are read from the database in pages of the list's order
 * (newest first, by position), each page one short read made when the
 * client has taken the one before: memory stays that of one page however
 * many rows there are, and no thread waits on the client. Like the pages
 * of the list, the export continues below the last row it sent: a row
 * stored after the export began is not in it, a row deleted before its
 * page is read is not in it, and a row edited before its page is read is
 * in it as edited. */
#ifndef PSINET_API_EXPORT_H
#define PSINET_API_EXPORT_H

#include "api/handler.h"
#include "store/experiment.h"

typedef enum { API_EXPORT_NDJSON, API_EXPORT_CSV } api_export_format;

/* An experiment as the list shows it (a new reference, NULL when out of
 * memory). */
typedef json_t *(*api_export_json_fn)(const store_experiment *e);

/* Sets resp to a 200 whose body is the stream of every experiment that
 * passes filter (its strings are copied) in format. The first page is
 * read here: a failure to read it is an error like any other, in err. */
api_code api_export_experiments(const api_call *call,
                                const store_experiment_filter *filter,
                                api_export_format format,
                                api_export_json_fn to_json,
                                api_response *resp, api_err *err);

#endif
