/* store/migrations.h - the SQL migrations compiled into the binary.
 *
 * The Makefile turns migrations/NNNN_name.sql into store_migrations[], in
 * file-name order, ending with an entry whose name is NULL. */
#ifndef PSINET_STORE_MIGRATIONS_H
#define PSINET_STORE_MIGRATIONS_H

#include <stddef.h>

typedef struct {
    const char *name; /* "0001_init.sql" */
    const char *sql;  /* NUL-terminated file contents */
    size_t len;
} store_migration;

extern const store_migration store_migrations[];
/* migrations/postgresql/NNNN_name.sql, the same versions (the Makefile
 * checks it). */
extern const store_migration store_pg_migrations[];

#endif
