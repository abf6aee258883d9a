/* store/pg/conn.c - PostgreSQL connections: the pool, prepared statements
 * with binary parameters and results, transactions, errors mapped onto
 * store_status, and reading binary columns back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "store/pg/pg.h"

static const char SQL_BEGIN[] = "BEGIN ISOLATION LEVEL READ COMMITTED";
static const char SQL_BEGIN_READ[] =
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_LOCK[] =
    "SELECT pg_advisory_xact_lock($1::int4, $2::int4)";

/* ------------------------------------------------------------ parameters */

static void put_be64(unsigned char *out, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

static uint64_t get_be64(const unsigned char *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | in[i];
    return v;
}

static int next(pg_params *p)
{
    if (p->n == PG_MAX_PARAMS) /* a bug: statements have fewer */
        abort();
    p->formats[p->n] = 1;
    return p->n++;
}

void store_pg_int8(pg_params *p, int64_t v)
{
    int i = next(p);
    put_be64(p->scratch[i], (uint64_t)v);
    p->values[i] = (const char *)p->scratch[i];
    p->lengths[i] = 8;
}

void store_pg_float8(pg_params *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    int i = next(p);
    put_be64(p->scratch[i], bits);
    p->values[i] = (const char *)p->scratch[i];
    p->lengths[i] = 8;
}

void store_pg_text(pg_params *p, const char *s)
{
    int i = next(p);
    p->values[i] = s;
    p->lengths[i] = s ? (int)strlen(s) : 0;
}

void store_pg_bytes(pg_params *p, const void *b, size_t len)
{
    int i = next(p);
    p->values[i] = b;
    p->lengths[i] = (int)len;
}

void store_pg_int8_array(pg_params *p, const int64_t *v, size_t n,
                         unsigned char *buf)
{
    /* PostgreSQL's binary array: dimensions, a null flag, the element
     * type, then (size, lower bound) per dimension and each element as
     * its length and bytes; all big-endian. */
    static const uint32_t head[5] = {1, 0, PG_INT8, 0, 1};
    unsigned char *b = buf;
    for (int i = 0; i < 5; i++) {
        uint32_t x = i == 3 ? (uint32_t)n : head[i];
        b[0] = (unsigned char)(x >> 24);
        b[1] = (unsigned char)(x >> 16);
        b[2] = (unsigned char)(x >> 8);
        b[3] = (unsigned char)x;
        b += 4;
    }
    for (size_t i = 0; i < n; i++) {
        b[0] = b[1] = b[2] = 0;
        b[3] = 8;
        put_be64(b + 4, (uint64_t)v[i]);
        b += 12;
    }
    int i = next(p);
    p->values[i] = (const char *)buf;
    p->lengths[i] = (int)(b - buf);
}

void store_pg_null(pg_params *p)
{
    int i = next(p);
    p->values[i] = NULL;
    p->lengths[i] = 0;
}

/* ------------------------------------------------------------ errors */

store_status store_pg_status(pg_conn *c, const PGresult *res)
{
    if (!c->conn || PQstatus(c->conn) != CONNECTION_OK)
        return STORE_OFFLINE;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
                            : NULL;
    if (!state)
        return res ? STORE_ERROR : STORE_OFFLINE;
    if (strcmp(state, "55P03") == 0 || /* lock_not_available */
        strcmp(state, "40001") == 0 || /* serialization_failure */
        strcmp(state, "40P01") == 0 || /* deadlock_detected */
        strcmp(state, "57014") == 0 || /* query_canceled (a timeout) */
        strcmp(state, "53300") == 0)   /* too_many_connections */
        return STORE_BUSY;
    if (strcmp(state, "53100") == 0) /* disk_full */
        return STORE_FULL;
    if (strcmp(state, "53200") == 0) /* out_of_memory (the server's) */
        return STORE_BUSY;
    if (strcmp(state, "25006") == 0) /* read_only_sql_transaction */
        return STORE_READONLY;
    if (strncmp(state, "08", 2) == 0 || /* connection_exception */
        strncmp(state, "57P", 3) == 0)  /* shutdown, cannot_connect_now */
        return STORE_OFFLINE;
    if (strcmp(state, "58030") == 0) /* io_error */
        return STORE_IOERR;
    if (strncmp(state, "XX", 2) == 0 && strcmp(state, "XX000") != 0)
        return STORE_CORRUPT; /* data_corrupted, index_corrupted */
    return STORE_ERROR;
}

/* ------------------------------------------------------------ the pool */

static void conn_close(pg_conn *c)
{
    if (c->conn)
        PQfinish(c->conn);
    c->conn = NULL; /* conninfo and busy_ms stay, to connect again */
    free(c->prepared);
    c->prepared = NULL;
    c->count = c->cap = 0;
    c->in_txn = false;
}

/* Connects c (closed) with psinet's settings: synchronous commit, the
 * lock timeout, UTF-8. STORE_OFFLINE (libpq's words in errbuf, which
 * never hold a password) when the server cannot be reached. */
static store_status conn_open(pg_conn *c, const char *conninfo, int busy_ms,
                              char *errbuf, size_t errlen)
{
    /* Defaults first: the URI's own settings win; then what psinet needs. */
    const char *keys[] = {"connect_timeout", "application_name", "dbname",
                          "client_encoding", NULL};
    const char *values[] = {"5", "psinet", conninfo, "UTF8", NULL};
    c->conninfo = conninfo;
    c->busy_ms = busy_ms;
    c->conn = PQconnectdbParams(keys, values, 1);
    if (!c->conn || PQstatus(c->conn) != CONNECTION_OK) {
        snprintf(errbuf, errlen, "%s",
                 c->conn ? PQerrorMessage(c->conn) : "out of memory");
        char *nl = strchr(errbuf, '\n'); /* one line for the log */
        if (nl && nl[1] == '\0')
            *nl = '\0';
        for (char *ch = errbuf; *ch; ch++)
            if (*ch == '\n')
                *ch = ' ';
        conn_close(c);
        return STORE_OFFLINE;
    }
    char set[256];
    snprintf(set, sizeof set,
             "SET synchronous_commit = on; SET lock_timeout = %d;"
             " SET statement_timeout = 0; SET TIME ZONE 'UTC';"
             " SET client_min_messages = warning",
             busy_ms > 0 ? busy_ms : 1);
    PGresult *r = PQexec(c->conn, set);
    store_status result = PQresultStatus(r) == PGRES_COMMAND_OK
                              ? STORE_OK
                              : store_pg_status(c, r);
    if (result != STORE_OK)
        snprintf(errbuf, errlen, "%s", PQresultErrorMessage(r));
    PQclear(r);
    if (result != STORE_OK)
        conn_close(c);
    return result;
}

store_status store_pg_connect(pg_conn *c, const char *conninfo, int busy_ms,
                               char *errbuf, size_t errlen)
{
    return conn_open(c, conninfo, busy_ms, errbuf, errlen);
}

void store_pg_disconnect(pg_conn *c)
{
    conn_close(c);
}

pg_conn *store_pg_get(store *st, store_status *status)
{
    store_pg *pg = st->pg;
    pthread_mutex_lock(&pg->lock);
    while (pg->idle_count == 0)
        pthread_cond_wait(&pg->available, &pg->lock);
    pg_conn *c = &pg->conns[pg->idle[--pg->idle_count]];
    pthread_mutex_unlock(&pg->lock);
    *status = STORE_OK;
    if (c->conn && PQstatus(c->conn) == CONNECTION_OK)
        return c;
    /* Lost (or never made): connect again, its statements with it. */
    conn_close(c);
    char err[256];
    c->conninfo = pg->conninfo;
    *status = conn_open(c, pg->conninfo, pg->busy_ms, err, sizeof err);
    if (*status == STORE_OK)
        return c;
    store_pg_put(st, c, *status);
    return NULL;
}

store_status store_pg_put(store *st, pg_conn *c, store_status result)
{
    if (result == STORE_CORRUPT)
        atomic_store(&st->damaged, true);
    if (c->in_txn)
        store_pg_rollback(c);
    store_pg *pg = st->pg;
    pthread_mutex_lock(&pg->lock);
    pg->idle[pg->idle_count++] = (int)(c - pg->conns);
    pthread_cond_signal(&pg->available);
    pthread_mutex_unlock(&pg->lock);
    return result;
}

/* ------------------------------------------------------------ statements */

/* The name of sql's prepared statement on c, preparing it on first use;
 * NULL when it cannot be prepared (*status says why). */
static const char *prepared(pg_conn *c, const char *sql, char *name,
                            size_t len, store_status *status)
{
    *status = STORE_OK;
    for (size_t i = 0; i < c->count; i++) {
        if (c->prepared[i] == sql) {
            snprintf(name, len, "p%zu", i);
            return name;
        }
    }
    if (c->count == c->cap) { /* a few dozen: small */
        c->cap = c->cap ? 2 * c->cap : 32;
        c->prepared = mem_realloc(c->prepared, c->cap * sizeof *c->prepared);
    }
    snprintf(name, len, "p%zu", c->count);
    PGresult *r = PQprepare(c->conn, name, sql, 0, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        *status = store_pg_status(c, r);
        PQclear(r);
        return NULL;
    }
    PQclear(r);
    c->prepared[c->count++] = sql;
    return name;
}

/* One try of store_pg_run. */
static store_status run_once(pg_conn *c, const char *sql, const pg_params *p,
                             PGresult **res)
{
    *res = NULL;
    if (!c->conn)
        return STORE_OFFLINE;
    char name[24];
    store_status result;
    if (!prepared(c, sql, name, sizeof name, &result))
        return result;
    PGresult *r = PQexecPrepared(c->conn, name, p ? p->n : 0,
                                 p ? p->values : NULL, p ? p->lengths : NULL,
                                 p ? p->formats : NULL, 1);
    ExecStatusType s = PQresultStatus(r);
    if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
        *res = r;
        return STORE_OK;
    }
    result = store_pg_status(c, r);
    PQclear(r);
    return result;
}

store_status store_pg_run(pg_conn *c, const char *sql, const pg_params *p,
                          PGresult **res)
{
    store_status result = run_once(c, sql, p, res);
    /* A connection that broke while it sat idle (the server restarted, a
     * proxy timed it out) is only found so by its next statement. Outside
     * a transaction that statement is a BEGIN or a read alone, which is
     * safe to send again on a new connection, once. */
    if (result == STORE_OFFLINE && !c->in_txn && c->conninfo) {
        char err[256];
        conn_close(c);
        if (conn_open(c, c->conninfo, c->busy_ms, err, sizeof err) ==
            STORE_OK)
            result = run_once(c, sql, p, res);
    }
    return result;
}

store_status store_pg_exec(pg_conn *c, const char *sql, const pg_params *p,
                           long *changed)
{
    PGresult *r;
    store_status result = store_pg_run(c, sql, p, &r);
    if (result == STORE_OK && changed)
        *changed = atol(PQcmdTuples(r));
    PQclear(r);
    return result;
}

/* ------------------------------------------------------------ transactions */

store_status store_pg_begin(store *st, pg_conn *c)
{
    if (store_damaged(st))
        return STORE_CORRUPT;
    store_status result = store_pg_exec(c, SQL_BEGIN, NULL, NULL);
    c->in_txn = result == STORE_OK;
    return result;
}

store_status store_pg_begin_read(pg_conn *c)
{
    store_status result = store_pg_exec(c, SQL_BEGIN_READ, NULL, NULL);
    c->in_txn = result == STORE_OK;
    return result;
}

store_status store_pg_commit(pg_conn *c)
{
    PGresult *r;
    store_status result = store_pg_run(c, SQL_COMMIT, NULL, &r);
    if (result == STORE_OK) {
        /* COMMIT of a failed transaction answers ROLLBACK */
        if (strcmp(PQcmdStatus(r), "COMMIT") != 0)
            result = STORE_ERROR;
        PQclear(r);
        c->in_txn = false;
        return result;
    }
    if (result == STORE_OFFLINE) {
        /* COMMIT was sent, its answer lost: the server may have committed
         * before the connection broke. */
        c->in_txn = false;
        return STORE_UNCONFIRMED;
    }
    store_pg_rollback(c);
    return result;
}

void store_pg_rollback(pg_conn *c)
{
    if (c->in_txn && c->conn && PQstatus(c->conn) == CONNECTION_OK)
        store_pg_exec(c, SQL_ROLLBACK, NULL, NULL);
    c->in_txn = false;
}

store_status store_pg_lock_table(pg_conn *c, int key)
{
    pg_params p = {0};
    int i = next(&p);
    unsigned char *b = p.scratch[i];
    uint32_t v = PG_LOCK_CLASS;
    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
    p.values[i] = (const char *)b;
    p.lengths[i] = 4;
    i = next(&p);
    b = p.scratch[i];
    b[0] = b[1] = b[2] = 0;
    b[3] = (unsigned char)key;
    p.values[i] = (const char *)b;
    p.lengths[i] = 4;
    return store_pg_exec(c, SQL_LOCK, &p, NULL);
}

/* ------------------------------------------------------------ columns */

/* STORE_OK when column col of row holds a value of type `type` (NULL
 * allowed when nullable, *is_null then true). */
static store_status col_check(const PGresult *r, int row, int col,
                              unsigned type, bool nullable, bool *is_null)
{
    *is_null = false;
    if (col >= PQnfields(r) || PQftype(r, col) != type ||
        PQfformat(r, col) != 1)
        return STORE_CORRUPT;
    if (PQgetisnull(r, row, col)) {
        *is_null = true;
        return nullable ? STORE_OK : STORE_CORRUPT;
    }
    return STORE_OK;
}

store_status store_pg_col_int8(const PGresult *r, int row, int col,
                               int64_t *out)
{
    bool null;
    store_status s = col_check(r, row, col, PG_INT8, false, &null);
    if (s != STORE_OK || PQgetlength(r, row, col) != 8)
        return STORE_CORRUPT;
    *out = (int64_t)get_be64((const unsigned char *)PQgetvalue(r, row, col));
    return STORE_OK;
}

store_status store_pg_col_float8(const PGresult *r, int row, int col,
                                 bool nullable, bool *is_null, double *out)
{
    store_status s = col_check(r, row, col, PG_FLOAT8, nullable, is_null);
    *out = 0.0;
    if (s != STORE_OK || *is_null)
        return s;
    if (PQgetlength(r, row, col) != 8)
        return STORE_CORRUPT;
    uint64_t bits = get_be64((const unsigned char *)PQgetvalue(r, row, col));
    memcpy(out, &bits, 8);
    return STORE_OK;
}

store_status store_pg_col_bool(const PGresult *r, int row, int col,
                               bool *out)
{
    bool null;
    store_status s = col_check(r, row, col, PG_BOOL, false, &null);
    if (s != STORE_OK || PQgetlength(r, row, col) != 1)
        return STORE_CORRUPT;
    *out = PQgetvalue(r, row, col)[0] != 0;
    return STORE_OK;
}

/* Text or json at col: its bytes, or STORE_CORRUPT. */
static store_status col_text(const PGresult *r, int row, int col,
                             bool nullable, bool *is_null, const char **t,
                             size_t *len)
{
    unsigned type = col < PQnfields(r) ? PQftype(r, col) : 0;
    store_status s = col_check(r, row, col, type == PG_JSON ? PG_JSON
                                                             : PG_TEXT,
                               nullable, is_null);
    if (s != STORE_OK || *is_null)
        return s;
    *t = PQgetvalue(r, row, col);
    *len = (size_t)PQgetlength(r, row, col);
    return STORE_OK;
}

store_status store_pg_col_copy(const PGresult *r, int row, int col,
                               char *buf, size_t size)
{
    bool null;
    const char *t;
    size_t len;
    store_status s = col_text(r, row, col, false, &null, &t, &len);
    return s != STORE_OK ? s : store_text_copy(t, len, buf, size);
}

store_status store_pg_col_text(const PGresult *r, int row, int col,
                               bool nullable, char **out)
{
    *out = NULL;
    bool null;
    const char *t;
    size_t len;
    store_status s = col_text(r, row, col, nullable, &null, &t, &len);
    if (s != STORE_OK || null)
        return s;
    return store_text_dup(t, len, out);
}

store_status store_pg_col_bytes(const PGresult *r, int row, int col,
                                bool nullable, const unsigned char **bytes,
                                size_t *len)
{
    bool null;
    *bytes = NULL;
    *len = 0;
    store_status s = col_check(r, row, col, PG_BYTEA, nullable, &null);
    if (s != STORE_OK || null)
        return s;
    *bytes = (const unsigned char *)PQgetvalue(r, row, col);
    *len = (size_t)PQgetlength(r, row, col);
    return STORE_OK;
}
