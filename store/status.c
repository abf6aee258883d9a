/* store/status.c - store_status values: their text, and SQLite's result
 * codes mapped onto them. */
#include "store/internal.h"

const char *store_status_str(store_status st)
{
    switch (st) {
    case STORE_OK: return "ok";
    case STORE_NOTFOUND: return "not found";
    case STORE_BUSY: return "database is locked";
    case STORE_FULL: return "disk is full";
    case STORE_READONLY: return "database is read-only";
    case STORE_IOERR: return "disk I/O error";
    case STORE_UNCONFIRMED: return "the disk did not confirm the write";
    case STORE_OFFLINE: return "the database server cannot be reached";
    case STORE_CORRUPT: return "database file is damaged or not a database";
    case STORE_SCHEMA: return "database schema is newer than this psinet";
    case STORE_NOMEM: return "out of memory";
    case STORE_ERROR: return "database error";
    }
    return "database error";
}

store_status store_status_of(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW: return STORE_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return STORE_BUSY;
    case SQLITE_FULL: return STORE_FULL;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN: return STORE_READONLY;
    case SQLITE_IOERR: return STORE_IOERR;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return STORE_CORRUPT;
    case SQLITE_NOMEM: return STORE_NOMEM;
    default: return STORE_ERROR;
    }
}

