/* store/pg/experiment.c - the experiments and experiment_tags tables on
 * PostgreSQL (migrations/postgresql/0002): as store/experiment.c, with
 * params and results as json (kept as written: numbers and key order
 * unchanged) and time stamps compared in byte order (COLLATE "C"). */
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg.h"

/* true when params and result are what psinet writes: a JSON object or
 * array at the top. */
#define EXP_JSON_OK                                                            \
    "(json_typeof(params) IN ('object', 'array')"                             \
    " AND json_typeof(result) IN ('object', 'array'))"

static const char SQL_INSERT[] =
    "INSERT INTO experiments (id, name, kind, params, result, notes,"
    " created_at, updated_at, inputs) VALUES ($1::text, $2::text, $3::text,"
    " $4::json, $5::json, $6::text, $7::text, $7::text, $8::json)"
    " RETURNING seq";

static const char SQL_TAG_INSERT[] =
    "INSERT INTO experiment_tags (experiment_seq, position, tag)"
    " VALUES ($1::int8, $2::int8, $3::text)";

static const char SQL_TAGS[] =
    "SELECT tag FROM experiment_tags WHERE experiment_seq = $1::int8"
    " ORDER BY position";

/* The tags of a page of experiments at once: one round trip, not one per
 * experiment. */
static const char SQL_TAGS_OF[] =
    "SELECT experiment_seq, tag FROM experiment_tags"
    " WHERE experiment_seq = ANY ($1::int8[])"
    " ORDER BY experiment_seq, position";

static const char SQL_TAGS_DELETE[] =
    "DELETE FROM experiment_tags WHERE experiment_seq = $1::int8";

#define COLUMNS                                                                \
    "seq, id, name, kind, params, result, notes, created_at, updated_at, "    \
    EXP_JSON_OK

/* Column 10: inputs (migrations/postgresql/0006), and column 11: true
 * when it is NULL or a JSON array. */
static const char SQL_GET[] =
    "SELECT " COLUMNS ", inputs,"
    " (inputs IS NULL OR json_typeof(inputs) = 'array')"
    " FROM experiments WHERE id = $1::text";

/* The row a patch changes, locked until its transaction ends: two patches
 * of one experiment take turns. */
static const char SQL_LOCK_ROW[] =
    "SELECT seq FROM experiments WHERE id = $1::text FOR UPDATE";

static const char SQL_SET_NAME[] =
    "UPDATE experiments SET name = $2::text WHERE seq = $1::int8";

static const char SQL_SET_NOTES[] =
    "UPDATE experiments SET notes = $2::text WHERE seq = $1::int8";

static const char SQL_TOUCH[] =
    "UPDATE experiments SET updated_at = $2::text WHERE seq = $1::int8";

static const char SQL_DELETE[] = "DELETE FROM experiments WHERE id = $1::text";

#define IN_8(a, b, c, d, e, f, g, h)                                          \
    "$" #a "::text, $" #b "::text, $" #c "::text, $" #d "::text, $" #e        \
    "::text, $" #f "::text, $" #g "::text, $" #h "::text"

static const char SQL_LIST[] =
    "SELECT " COLUMNS " FROM experiments"
    " WHERE ($1::int8 = 0 OR seq < $1::int8)"
    " AND ($2::text IS NULL OR kind IN (" IN_8(2, 3, 4, 5, 6, 7, 8, 9) "))"
    " AND ($10::text IS NULL OR EXISTS (SELECT 1 FROM experiment_tags t"
    "      WHERE t.experiment_seq = experiments.seq AND t.tag IN ("
    IN_8(10, 11, 12, 13, 14, 15, 16, 17) ")))"
    " AND ($18::text IS NULL OR strpos(name, $18::text) > 0"
    "      OR strpos(name, $19::text) > 0 OR strpos(name, $20::text) > 0"
    "      OR strpos(name, $21::text) > 0 OR strpos(name, $22::text) > 0"
    "      OR strpos(name, $23::text) > 0 OR strpos(name, $24::text) > 0"
    "      OR strpos(name, $25::text) > 0)"
    " AND ($26::text IS NULL OR created_at > $26::text)"
    " AND ($27::text IS NULL OR created_at < $27::text)"
    " ORDER BY seq DESC LIMIT $28::int8";

static store_status write_tags(pg_conn *c, int64_t seq,
                               const char *const *tags, size_t n)
{
    pg_params q = {0};
    store_pg_int8(&q, seq);
    store_status result = store_pg_exec(c, SQL_TAGS_DELETE, &q, NULL);
    for (size_t i = 0; result == STORE_OK && i < n; i++) {
        pg_params t = {0};
        store_pg_int8(&t, seq);
        store_pg_int8(&t, (int64_t)i);
        store_pg_text(&t, tags[i]);
        result = store_pg_exec(c, SQL_TAG_INSERT, &t, NULL);
    }
    return result;
}

static store_status read_tags(pg_conn *c, store_experiment *e)
{
    pg_params q = {0};
    store_pg_int8(&q, e->seq);
    PGresult *r;
    store_status result = store_pg_run(c, SQL_TAGS, &q, &r);
    if (result != STORE_OK)
        return result;
    int rows = PQntuples(r);
    if (rows > 0 && !(e->tags = calloc((size_t)rows, sizeof *e->tags)))
        result = STORE_NOMEM;
    for (int i = 0; result == STORE_OK && i < rows; i++) {
        result = store_pg_col_text(r, i, 0, false, &e->tags[i]);
        if (result == STORE_OK)
            e->tag_count++;
    }
    PQclear(r);
    return result;
}

static store_status read_row(const PGresult *r, int row, store_experiment *e)
{
    bool json_ok = false;
    store_status s = store_pg_col_int8(r, row, 0, &e->seq);
    if (s == STORE_OK)
        s = store_pg_col_copy(r, row, 1, e->id, sizeof e->id);
    if (s == STORE_OK)
        s = store_pg_col_text(r, row, 2, false, &e->name);
    if (s == STORE_OK)
        s = store_pg_col_copy(r, row, 3, e->kind, sizeof e->kind);
    if (s == STORE_OK)
        s = store_pg_col_text(r, row, 4, false, &e->params_json);
    if (s == STORE_OK)
        s = store_pg_col_text(r, row, 5, false, &e->result_json);
    if (s == STORE_OK)
        s = store_pg_col_text(r, row, 6, true, &e->notes);
    if (s == STORE_OK)
        s = store_pg_col_copy(r, row, 7, e->created_at,
                              sizeof e->created_at);
    if (s == STORE_OK)
        s = store_pg_col_copy(r, row, 8, e->updated_at,
                              sizeof e->updated_at);
    if (s == STORE_OK)
        s = store_pg_col_bool(r, row, 9, &json_ok);
    if (s == STORE_OK && !json_ok)
        s = STORE_CORRUPT;
    return s;
}

store_status store_pg_experiment_create(store *st, store_experiment *e)
{
    store_new_id("exp", e->id);
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (c)
        result = store_pg_begin(st, c);
    if (result == STORE_OK)
        result = store_pg_lock_table(c, PG_LOCK_EXPERIMENTS);
    if (result == STORE_OK) {
        store_now(e->created_at); /* inside the lock: list order */
        memcpy(e->updated_at, e->created_at, sizeof e->updated_at);
        pg_params q = {0};
        store_pg_text(&q, e->id);
        store_pg_text(&q, e->name);
        store_pg_text(&q, e->kind);
        store_pg_text(&q, e->params_json);
        store_pg_text(&q, e->result_json);
        store_pg_text(&q, e->notes);
        store_pg_text(&q, e->created_at);
        store_pg_text(&q, e->inputs_json);
        PGresult *r;
        result = store_pg_run(c, SQL_INSERT, &q, &r);
        if (result == STORE_OK) {
            result = PQntuples(r) == 1 ? store_pg_col_int8(r, 0, 0, &e->seq)
                                       : STORE_ERROR;
            PQclear(r);
        }
    }
    if (result == STORE_OK)
        result = write_tags(c, e->seq, (const char *const *)e->tags,
                            e->tag_count);
    if (result == STORE_OK)
        result = store_pg_commit(c);
    return c ? store_pg_put(st, c, result) : result;
}

static store_status get_on(pg_conn *c, const char *id, store_experiment *out)
{
    pg_params q = {0};
    store_pg_text(&q, id);
    PGresult *r;
    store_status result = store_pg_run(c, SQL_GET, &q, &r);
    if (result != STORE_OK)
        return result;
    result = PQntuples(r) == 0 ? STORE_NOTFOUND : read_row(r, 0, out);
    bool inputs_ok = false;
    if (result == STORE_OK)
        result = store_pg_col_bool(r, 0, 11, &inputs_ok);
    if (result == STORE_OK)
        result = inputs_ok
                     ? store_pg_col_text(r, 0, 10, true, &out->inputs_json)
                     : STORE_CORRUPT;
    PQclear(r);
    if (result == STORE_OK)
        result = read_tags(c, out);
    return result;
}

store_status store_pg_experiment_get(store *st, const char *id,
                                     store_experiment *out)
{
    memset(out, 0, sizeof *out);
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (!c)
        return result;
    result = store_pg_begin_read(c);
    if (result == STORE_OK)
        result = get_on(c, id, out);
    store_pg_rollback(c);
    result = store_pg_put(st, c, result);
    if (result != STORE_OK)
        store_experiment_free(out);
    return result;
}

static store_status update_text(pg_conn *c, const char *sql, int64_t seq,
                                const char *value)
{
    pg_params q = {0};
    store_pg_int8(&q, seq);
    store_pg_text(&q, value);
    return store_pg_exec(c, sql, &q, NULL);
}

store_status store_pg_experiment_update(store *st, const char *id,
                                        const store_experiment_patch *patch,
                                        store_experiment *out)
{
    memset(out, 0, sizeof *out);
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (!c)
        return result;
    result = store_pg_begin(st, c);
    if (result == STORE_OK) {
        pg_params q = {0};
        store_pg_text(&q, id);
        PGresult *r;
        result = store_pg_run(c, SQL_LOCK_ROW, &q, &r);
        if (result == STORE_OK) {
            if (PQntuples(r) == 0)
                result = STORE_NOTFOUND;
            PQclear(r);
        }
    }
    if (result == STORE_OK)
        result = get_on(c, id, out);
    int64_t seq = out->seq;
    if (result == STORE_OK && patch->name)
        result = update_text(c, SQL_SET_NAME, seq, patch->name);
    if (result == STORE_OK && patch->set_notes)
        result = update_text(c, SQL_SET_NOTES, seq, patch->notes);
    if (result == STORE_OK && patch->set_tags)
        result = write_tags(c, seq, patch->tags, patch->tag_count);
    if (result == STORE_OK) {
        char now[STORE_TIME_MAX];
        store_now(now);
        result = update_text(c, SQL_TOUCH, seq, now);
    }
    if (result == STORE_OK) { /* read back what is now stored */
        store_experiment_free(out);
        result = get_on(c, id, out);
    }
    if (result == STORE_OK)
        result = store_pg_commit(c);
    result = store_pg_put(st, c, result);
    if (result != STORE_OK)
        store_experiment_free(out);
    return result;
}

store_status store_pg_experiment_delete(store *st, const char *id)
{
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (!c)
        return result;
    result = store_pg_begin(st, c);
    if (result == STORE_OK) {
        pg_params q = {0};
        store_pg_text(&q, id);
        long changed = 0;
        result = store_pg_exec(c, SQL_DELETE, &q, &changed);
        if (result == STORE_OK && changed == 0)
            result = STORE_NOTFOUND;
    }
    if (result == STORE_OK)
        result = store_pg_commit(c);
    return store_pg_put(st, c, result);
}

/* Appends tag to e's tags (cap: how many e->tags has room for). */
static store_status add_tag(store_experiment *e, size_t *cap, char *tag)
{
    if (e->tag_count == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 4;
        char **grown = realloc(e->tags, grown_cap * sizeof *grown);
        if (!grown) {
            free(tag);
            return STORE_NOMEM;
        }
        e->tags = grown;
        *cap = grown_cap;
    }
    e->tags[e->tag_count++] = tag;
    return STORE_OK;
}

/* Loads the tags of items[0 .. n-1] (newest first: seqs descending). */
static store_status read_tags_of(pg_conn *c, store_experiment *items,
                                 size_t n)
{
    if (n == 0)
        return STORE_OK;
    int64_t *seqs = malloc(n * sizeof *seqs);
    size_t *caps = calloc(n, sizeof *caps);
    unsigned char *buf = malloc(PG_INT8_ARRAY_SIZE(n));
    store_status result = seqs && caps && buf ? STORE_OK : STORE_NOMEM;
    PGresult *r = NULL;
    if (result == STORE_OK) {
        for (size_t i = 0; i < n; i++)
            seqs[i] = items[i].seq;
        pg_params q = {0};
        store_pg_int8_array(&q, seqs, n, buf);
        result = store_pg_run(c, SQL_TAGS_OF, &q, &r);
    }
    /* Rows by seq ascending; items by seq descending: walk back. */
    size_t at = n;
    int rows = result == STORE_OK ? PQntuples(r) : 0;
    for (int i = 0; result == STORE_OK && i < rows; i++) {
        int64_t seq;
        result = store_pg_col_int8(r, i, 0, &seq);
        while (result == STORE_OK && at > 0 && items[at - 1].seq < seq)
            at--;
        if (result == STORE_OK && (at == 0 || items[at - 1].seq != seq))
            result = STORE_CORRUPT; /* a tag of an experiment not asked */
        char *tag = NULL;
        if (result == STORE_OK)
            result = store_pg_col_text(r, i, 1, false, &tag);
        if (result == STORE_OK)
            result = add_tag(&items[at - 1], &caps[at - 1], tag);
    }
    PQclear(r);
    free(seqs);
    free(caps);
    free(buf);
    return result;
}

/* A filter's values on eight parameters (NULL where fewer are given). */
static void add_values(pg_params *q, const char *const *values, size_t count)
{
    for (size_t i = 0; i < STORE_FILTER_VALUES; i++)
        store_pg_text(q, i < count ? values[i] : NULL);
}

store_status store_pg_experiment_list(store *st,
                                      const store_experiment_filter *filter,
                                      int64_t after, size_t limit,
                                      store_experiment **items,
                                      size_t *count, int64_t *next_after)
{
    *items = calloc(limit ? limit : 1, sizeof **items);
    *count = 0;
    *next_after = 0;
    if (!*items)
        return STORE_NOMEM;
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (c) {
        result = store_pg_begin_read(c);
        PGresult *r = NULL;
        if (result == STORE_OK) {
            pg_params q = {0};
            store_pg_int8(&q, after);
            add_values(&q, filter->kind, filter->kind_count);
            add_values(&q, filter->tag, filter->tag_count);
            add_values(&q, filter->name_contains, filter->name_count);
            store_pg_text(&q, filter->created_after);
            store_pg_text(&q, filter->created_before);
            store_pg_int8(&q, (int64_t)limit + 1);
            result = store_pg_run(c, SQL_LIST, &q, &r);
        }
        if (result == STORE_OK) {
            int rows = PQntuples(r);
            for (int i = 0; result == STORE_OK && i < rows; i++) {
                if (*count == limit) {
                    *next_after = (*items)[limit - 1].seq;
                    break;
                }
                result = read_row(r, i, &(*items)[(*count)++]);
            }
            PQclear(r);
        }
        if (result == STORE_OK)
            result = read_tags_of(c, *items, *count);
        store_pg_rollback(c);
        result = store_pg_put(st, c, result);
    }
    if (result != STORE_OK) {
        store_experiment_array_free(*items, *count);
        *items = NULL;
        *count = 0;
    }
    return result;
}
