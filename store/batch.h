/* store/batch.h - group commit: the rows that many requests create,
 * written by one thread in one transaction, with one fsync.
 *
 * With synchronous=FULL every COMMIT waits for the disk, and a write that
 * commits alone spends most of its time there: a request that creates a row
 * used to hold its thread through that wait, and the rows of N concurrent
 * requests cost N fsyncs. Once store_batch_start has run, a row created
 * with a table's *_submit function (store_experiment_submit,
 * store_superposition_submit, store_network_submit) goes into a queue
 * instead; one writer thread takes every row waiting, writes them in
 * one BEGIN IMMEDIATE ... COMMIT, and then tells each row's caller, through
 * its done callback, how its row fared. While one batch commits, the next
 * one gathers: no timer, no added wait when the queue holds a single row.
 *
 * What a caller can rely on:
 * - done(arg, STORE_OK) is called only after the COMMIT that holds the row
 *   returned OK: the row is durable.
 * - A batch whose rows or COMMIT fail is rolled back and its rows are
 *   written again one per transaction, so one bad row fails alone and no
 *   row is reported written that was not committed. (A COMMIT the disk did
 *   not confirm is STORE_UNCONFIRMED for each of its rows, not retried:
 *   they may be there already. A BEGIN that fails, the database busy or
 *   damaged, fails each row of the batch with its status.)
 * - A row keeps the id and created_at it was given when it was submitted:
 *   created_at is stamped under the queue's lock and rows are written in
 *   the order they were queued, so created_at follows list order (seq) as
 *   it does for a row committed alone.
 * - done is called exactly once for every row, from the writer thread, or
 *   from the submitting thread before *_submit returns when no writer runs
 *   (never started, drained, or a PostgreSQL store, which commits each row
 *   on its own: see ARCHITECTURE.md).
 *
 * The synchronous creates (store_experiment_create,
 * store_superposition_create, store_network_create) go through the same
 * queue while the writer runs, and wait for their row's answer. */
#ifndef PSINET_STORE_BATCH_H
#define PSINET_STORE_BATCH_H

#include <stdbool.h>

#include "store/store.h"

/* How a submitted row fared; arg is the caller's. */
typedef void (*store_done_fn)(void *arg, store_status status);

/* Starts st's writer thread. Nothing (true) for a PostgreSQL store, or
 * when it runs already; false when the thread cannot start. */
bool store_batch_start(store *st);

/* Whether st's writer runs (started and not drained). */
bool store_batch_running(store *st);

/* Stops taking rows into the queue, writes every row in it (each one's
 * done is called) and stops the writer thread. Rows submitted from then on
 * are written on their caller's thread, one per transaction. Nothing when
 * no writer runs. store_close drains too. */
void store_batch_drain(store *st);

/* Rows the writer has committed in batches of more than one row, and the
 * batches: their ratio is the rows a COMMIT carried on average. */
void store_batch_counts(store *st, unsigned long long *rows,
                        unsigned long long *batches);

#endif
