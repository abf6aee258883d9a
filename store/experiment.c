/* store/experiment.c - the experiments and experiment_tags tables.
 *
 * Tags keep the order they were given in (a position column). */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/pg/pg.h"
#include "store/experiment.h"

/* 1 when an experiment's params and result are what psinet writes: JSON
 * text whose top level is an object or an array (what jansson parses
 * without flags). json_type runs only on valid JSON, where it cannot fail. */
#define EXP_JSON_OK                                                            \
    "CASE WHEN typeof(params) = 'text' AND typeof(result) = 'text'"           \
    " AND json_valid(params) AND json_valid(result)"                           \
    " THEN json_type(params) IN ('object', 'array')"                           \
    " AND json_type(result) IN ('object', 'array') ELSE 0 END"

static const char SQL_INSERT[] =
    "INSERT INTO experiments (id, name, kind, params, result, notes,"
    " created_at, updated_at, inputs)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)";

static const char SQL_TAG_INSERT[] =
    "INSERT INTO experiment_tags (experiment_seq, position, tag)"
    " VALUES (?1, ?2, ?3)";

static const char SQL_TAGS[] =
    "SELECT tag FROM experiment_tags WHERE experiment_seq = ?1"
    " ORDER BY position";

static const char SQL_TAGS_DELETE[] =
    "DELETE FROM experiment_tags WHERE experiment_seq = ?1";

/* Column 10: inputs, and column 11: 1 when it is NULL or a JSON array. */
static const char SQL_GET[] =
    "SELECT seq, id, name, kind, params, result, notes, created_at,"
    " updated_at, " EXP_JSON_OK ", inputs,"
    " CASE WHEN inputs IS NULL THEN 1"
    " WHEN typeof(inputs) = 'text' AND json_valid(inputs)"
    " THEN json_type(inputs) = 'array' ELSE 0 END"
    " FROM experiments WHERE id = ?1";

static const char SQL_SET_NAME[] =
    "UPDATE experiments SET name = ?2 WHERE seq = ?1";

static const char SQL_SET_NOTES[] =
    "UPDATE experiments SET notes = ?2 WHERE seq = ?1";

static const char SQL_TOUCH[] =
    "UPDATE experiments SET updated_at = ?2 WHERE seq = ?1";

static const char SQL_DELETE[] =
    "DELETE FROM experiments WHERE id = ?1";

/* Eight placeholders, a filter's values (NULL where fewer are given):
 * IN_8(2) is "?2, ?3, ..., ?9". */
#define IN_8(a, b, c, d, e, f, g, h)                                          \
    "?" #a ", ?" #b ", ?" #c ", ?" #d ", ?" #e ", ?" #f ", ?" #g ", ?" #h

static const char SQL_LIST[] =
    "SELECT seq, id, name, kind, params, result, notes, created_at,"
    " updated_at, " EXP_JSON_OK " FROM experiments"
    " WHERE seq < ?1"
    " AND (?2 IS NULL OR kind IN (" IN_8(2, 3, 4, 5, 6, 7, 8, 9) "))"
    " AND (?10 IS NULL OR EXISTS (SELECT 1 FROM experiment_tags t"
    "      WHERE t.experiment_seq = experiments.seq AND t.tag IN ("
    IN_8(10, 11, 12, 13, 14, 15, 16, 17) ")))"
    " AND (?18 IS NULL OR instr(name, ?18) > 0 OR instr(name, ?19) > 0"
    "      OR instr(name, ?20) > 0 OR instr(name, ?21) > 0"
    "      OR instr(name, ?22) > 0 OR instr(name, ?23) > 0"
    "      OR instr(name, ?24) > 0 OR instr(name, ?25) > 0)"
    " AND (?26 IS NULL OR created_at > ?26)"
    " AND (?27 IS NULL OR created_at < ?27)"
    " ORDER BY seq DESC LIMIT ?28";

void store_experiment_free(store_experiment *e)
{
    if (!e)
        return;
    for (size_t i = 0; e->tags && i < e->tag_count; i++)
        free(e->tags[i]);
    free(e->tags);
    free(e->name);
    free(e->params_json);
    free(e->result_json);
    free(e->inputs_json);
    free(e->notes);
    memset(e, 0, sizeof *e);
}

void store_experiment_array_free(store_experiment *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++)
        store_experiment_free(&items[i]);
    free(items);
}

/* Replaces the tags of experiment row seq with tags[0..n-1] (in a
 * transaction the caller holds); fresh: the row was just inserted, and has
 * none to delete (seq is AUTOINCREMENT: never one of a deleted row). */
static store_status write_tags(store_conn *c, sqlite3_int64 seq,
                               const char *const *tags, size_t n, bool fresh)
{
    int rc;
    sqlite3_stmt *q;
    store_status result = STORE_OK;
    if (!fresh) {
        q = store_stmt(c, SQL_TAGS_DELETE, &rc);
        if (!q)
            return store_status_of(rc);
        sqlite3_bind_int64(q, 1, seq);
        result = store_exec(q);
    }
    for (size_t i = 0; result == STORE_OK && i < n; i++) {
        q = store_stmt(c, SQL_TAG_INSERT, &rc);
        if (!q)
            return store_status_of(rc);
        sqlite3_bind_int64(q, 1, seq);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)i);
        sqlite3_bind_text(q, 3, tags[i], -1, SQLITE_STATIC);
        result = store_exec(q);
    }
    return result;
}

/* Loads the tags of e (by e->seq). */
static store_status read_tags(store_conn *c, store_experiment *e)
{
    int rc;
    sqlite3_stmt *q = store_stmt(c, SQL_TAGS, &rc);
    if (!q)
        return store_status_of(rc);
    sqlite3_bind_int64(q, 1, e->seq);
    size_t cap = 0;
    store_status result = STORE_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (e->tag_count == cap) {
            size_t grown_cap = cap ? cap * 2 : 4;
            char **grown = realloc(e->tags, grown_cap * sizeof *grown);
            if (!grown) {
                result = STORE_NOMEM;
                break;
            }
            e->tags = grown;
            cap = grown_cap;
        }
        char *tag;
        result = store_column_text(q, 0, false, &tag);
        if (result != STORE_OK)
            break;
        e->tags[e->tag_count++] = tag;
    }
    if (result == STORE_OK && rc != SQLITE_DONE)
        result = store_status_of(rc);
    sqlite3_reset(q);
    return result;
}

/* Fills e from a row of SQL_GET / SQL_LIST; STORE_CORRUPT for a
 * row psinet could not have written (see store_column_text), or params and
 * results that are not JSON it wrote (column 9, EXP_JSON_OK). */
static store_status read_row(sqlite3_stmt *q, store_experiment *e)
{
    e->seq = sqlite3_column_int64(q, 0);
    store_status r = store_column_copy(q, 1, e->id, sizeof e->id);
    if (r == STORE_OK)
        r = store_column_text(q, 2, false, &e->name);
    if (r == STORE_OK)
        r = store_column_copy(q, 3, e->kind, sizeof e->kind);
    if (r == STORE_OK)
        r = store_column_text(q, 4, false, &e->params_json);
    if (r == STORE_OK)
        r = store_column_text(q, 5, false, &e->result_json);
    if (r == STORE_OK)
        r = store_column_text(q, 6, true, &e->notes);
    if (r == STORE_OK)
        r = store_column_copy(q, 7, e->created_at, sizeof e->created_at);
    if (r == STORE_OK)
        r = store_column_copy(q, 8, e->updated_at, sizeof e->updated_at);
    if (r == STORE_OK && sqlite3_column_int(q, 9) != 1)
        r = STORE_CORRUPT;
    return r;
}

/* Stamps e's created_at and updated_at (store_row's stamp). */
static void stamp_row(void *row)
{
    store_experiment *e = row;
    store_now(e->created_at);
    memcpy(e->updated_at, e->created_at, sizeof e->updated_at);
}

/* Inserts e and its tags on c, in the caller's transaction, and sets
 * e->seq (store_row's write). */
static store_status insert_row(store_conn *c, void *row)
{
    store_experiment *e = row;
    int rc;
    sqlite3_stmt *q = store_stmt(c, SQL_INSERT, &rc);
    if (!q)
        return store_status_of(rc);
    sqlite3_bind_text(q, 1, e->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, e->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, e->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, e->params_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, e->result_json, -1, SQLITE_STATIC);
    if (e->notes)
        sqlite3_bind_text(q, 6, e->notes, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, e->created_at, -1, SQLITE_STATIC);
    if (e->inputs_json)
        sqlite3_bind_text(q, 8, e->inputs_json, -1, SQLITE_STATIC);
    store_status result = store_exec(q);
    if (result != STORE_OK)
        return result;
    e->seq = sqlite3_last_insert_rowid(c->db);
    return write_tags(c, e->seq, (const char *const *)e->tags, e->tag_count,
                      true);
}

store_status store_experiment_create(store *st, store_experiment *e)
{
    if (st->pg)
        return store_pg_experiment_create(st, e);
    store_new_id("exp", e->id);
    /* Stamped inside the write lock, or in the writer's queue: created_at
     * follows list order either way. */
    store_row row = {insert_row, stamp_row, e, NULL};
    return store_batch_write(st, &row);
}

void store_experiment_submit(store *st, store_experiment *e,
                             store_done_fn done, void *arg)
{
    if (st->pg) { /* one commit per row (ARCHITECTURE.md) */
        done(arg, store_pg_experiment_create(st, e));
        return;
    }
    store_new_id("exp", e->id);
    store_row row = {insert_row, stamp_row, e, NULL};
    store_batch_submit(st, &row, done, arg);
}

/* Loads experiment id into out on c (inside the caller's transaction). */
static store_status get_on(store_conn *c, const char *id,
                           store_experiment *out)
{
    int rc;
    sqlite3_stmt *q = store_stmt(c, SQL_GET, &rc);
    if (!q)
        return store_status_of(rc);
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    store_status result;
    if (rc == SQLITE_ROW) {
        result = read_row(q, out);
        if (result == STORE_OK)
            result = sqlite3_column_int(q, 11) == 1
                         ? store_column_text(q, 10, true, &out->inputs_json)
                         : STORE_CORRUPT;
    } else if (rc == SQLITE_DONE)
        result = STORE_NOTFOUND;
    else
        result = store_status_of(rc);
    sqlite3_reset(q);
    if (result == STORE_OK)
        result = read_tags(c, out);
    return result;
}

store_status store_experiment_get(store *st, const char *id,
                                  store_experiment *out)
{
    if (st->pg)
        return store_pg_experiment_get(st, id, out);
    memset(out, 0, sizeof *out);
    store_conn *c = store_conn_get(st);
    store_status result = store_begin_read(c);
    if (result == STORE_OK)
        result = get_on(c, id, out);
    store_rollback(c);
    result = store_conn_put(st, c, result);
    if (result != STORE_OK)
        store_experiment_free(out);
    return result;
}

/* Runs an UPDATE of one column of row seq (text, or NULL). */
static store_status update_text(store_conn *c, const char *sql,
                                sqlite3_int64 seq, const char *value)
{
    int rc;
    sqlite3_stmt *q = store_stmt(c, sql, &rc);
    if (!q)
        return store_status_of(rc);
    sqlite3_bind_int64(q, 1, seq);
    if (value)
        sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    return store_exec(q);
}

store_status store_experiment_update(store *st, const char *id,
                                     const store_experiment_patch *patch,
                                     store_experiment *out)
{
    if (st->pg)
        return store_pg_experiment_update(st, id, patch, out);
    memset(out, 0, sizeof *out);
    store_conn *c = store_conn_get(st);
    store_status result = store_begin(st, c);
    if (result == STORE_OK)
        result = get_on(c, id, out);
    sqlite3_int64 seq = out->seq;
    if (result == STORE_OK && patch->name)
        result = update_text(c, SQL_SET_NAME, seq, patch->name);
    if (result == STORE_OK && patch->set_notes)
        result = update_text(c, SQL_SET_NOTES, seq, patch->notes);
    if (result == STORE_OK && patch->set_tags)
        result = write_tags(c, seq, patch->tags, patch->tag_count, false);
    if (result == STORE_OK) {
        char now[STORE_TIME_MAX];
        store_now(now);
        result = update_text(c, SQL_TOUCH, seq, now);
    }
    if (result == STORE_OK) { /* read back what is now stored */
        store_experiment_free(out);
        result = get_on(c, id, out);
    }
    result = store_write_end(st, c, result);
    if (result != STORE_OK)
        store_experiment_free(out);
    return result;
}

store_status store_experiment_delete(store *st, const char *id)
{
    if (st->pg)
        return store_pg_experiment_delete(st, id);
    return store_delete_by_id(st, SQL_DELETE, id);
}

/* Binds a filter's values to the eight placeholders from `first` on (the
 * first of them NULL, and so no filter, when there are none). */
static void bind_values(sqlite3_stmt *q, int first, const char *const *values,
                        size_t count)
{
    for (size_t i = 0; i < count && i < STORE_FILTER_VALUES; i++)
        sqlite3_bind_text(q, first + (int)i, values[i], -1, SQLITE_STATIC);
}

/* The bytes of text row e holds. */
static size_t row_bytes(const store_experiment *e)
{
    return strlen(e->name) + strlen(e->params_json) + strlen(e->result_json) +
           (e->notes ? strlen(e->notes) : 0);
}

store_status store_experiment_list(store *st,
                                   const store_experiment_filter *filter,
                                   int64_t after, size_t limit,
                                   store_experiment **items, size_t *count,
                                   int64_t *next_after)
{
    if (st->pg)
        return store_pg_experiment_list(st, filter, after, limit, items,
                                        count, next_after);
    return store_experiment_scan(st, filter, after, limit, SIZE_MAX, items,
                                 count, next_after);
}

store_status store_experiment_scan(store *st,
                                   const store_experiment_filter *filter,
                                   int64_t after, size_t limit,
                                   size_t max_bytes, store_experiment **items,
                                   size_t *count, int64_t *next_after)
{
    /* PostgreSQL's pages are bounded by rows only. */
    if (st->pg)
        return store_pg_experiment_list(st, filter, after, limit, items,
                                        count, next_after);
    size_t bytes = 0;
    *items = calloc(limit ? limit : 1, sizeof **items);
    *count = 0;
    *next_after = 0;
    if (!*items)
        return STORE_NOMEM;
    store_conn *c = store_conn_get(st);
    int rc = SQLITE_OK;
    store_status result = store_begin_read(c);
    sqlite3_stmt *q = result == STORE_OK ? store_stmt(c, SQL_LIST, &rc)
                                         : NULL;
    if (result == STORE_OK && !q)
        result = store_status_of(rc);
    if (q) {
        /* A plain range on seq (INT64_MAX: from the newest), so that SQLite
         * starts the page where the last one ended instead of scanning
         * every newer row again: reading every page is linear. */
        sqlite3_bind_int64(q, 1, after > 0 ? after : INT64_MAX);
        bind_values(q, 2, filter->kind, filter->kind_count);
        bind_values(q, 10, filter->tag, filter->tag_count);
        bind_values(q, 18, filter->name_contains, filter->name_count);
        if (filter->created_after)
            sqlite3_bind_text(q, 26, filter->created_after, -1, SQLITE_STATIC);
        if (filter->created_before)
            sqlite3_bind_text(q, 27, filter->created_before, -1,
                              SQLITE_STATIC);
        sqlite3_bind_int64(q, 28, (sqlite3_int64)limit + 1);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            if (*count == limit || (*count > 0 && bytes >= max_bytes)) {
                *next_after = (*items)[*count - 1].seq;
                break;
            }
            result = read_row(q, &(*items)[(*count)++]);
            if (result != STORE_OK)
                break;
            bytes += row_bytes(&(*items)[*count - 1]);
        }
        if (result == STORE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
            result = store_status_of(rc);
        sqlite3_reset(q);
        for (size_t i = 0; result == STORE_OK && i < *count; i++)
            result = read_tags(c, &(*items)[i]);
    }
    store_rollback(c);
    result = store_conn_put(st, c, result);
    if (result != STORE_OK) {
        store_experiment_array_free(*items, *count);
        *items = NULL;
        *count = 0;
    }
    return result;
}
