/* server/config.c - the option table and its parsing. */
#include "server/config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* OPT_SWITCH: a bool given as "on" or "off". */
typedef enum {
    OPT_STRING,
    OPT_UINT,
    OPT_SIZE,
    OPT_U64,
    OPT_FLAG,
    OPT_SWITCH
} opt_type;

typedef struct {
    const char *flag; /* without the leading "--" */
    const char *env;  /* NULL when the setting has no variable */
    opt_type type;
    size_t offset;    /* into server_config */
    size_t size;      /* of a string field; range max for numbers */
    uint64_t min;     /* range min for numbers */
    const char *help;
} option;

#define FIELD(f) offsetof(server_config, f), sizeof(((server_config *)0)->f)
#define LIMIT(f) offsetof(server_config, limits.f)

static const option options[] = {
    {"port", "PSINET_PORT", OPT_UINT, offsetof(server_config, port), 65535, 0,
     "TCP port to listen on (0: any free port)"},
    {"bind", "PSINET_BIND", OPT_STRING, FIELD(bind), 0,
     "address to listen on (IPv4 or IPv6)"},
    {"db", "PSINET_DB", OPT_STRING, FIELD(db_path), 0,
     "SQLite database file (created if missing), or a PostgreSQL "
     "database as a postgresql:// URI or a conninfo (\"host=... dbname=...\")"},
    {"threads", "PSINET_THREADS", OPT_UINT, offsetof(server_config, threads),
     1024, 1, "threads that serve connections, and as many again that run "
     "long requests (each thread has a database connection)"},
    {"max-body", "PSINET_MAX_BODY", OPT_SIZE, LIMIT(max_body), SIZE_MAX / 2,
     1, "largest request body in bytes (suffix K, M or G allowed)"},
    {"max-body-memory", "PSINET_MAX_BODY_MEMORY", OPT_SIZE,
     offsetof(server_config, max_body_memory), SIZE_MAX / 2, 1,
     "most bytes of request bodies held in memory at once, all requests "
     "together (at least --max-body); a body that would pass it is "
     "answered 503 with Retry-After before it is read"},
    {"max-queue", "PSINET_MAX_QUEUE", OPT_UINT,
     offsetof(server_config, max_queue), 100000, 1,
     "most long requests (large bodies, stored arrays, measurements, "
     "experiments) waiting for a thread; more are answered 503 with "
     "Retry-After"},
    {"max-dimension", "PSINET_MAX_DIMENSION", OPT_SIZE, LIMIT(max_dimension),
     SIZE_MAX / 16, 1, "most entries of one vector"},
    {"max-matrix", "PSINET_MAX_MATRIX", OPT_SIZE, LIMIT(max_matrix),
     SIZE_MAX / 16, 1, "most weights (rows x cols) of one layer, and most "
     "outputs (inputs x neurons, over all layers) of one forward pass"},
    {"max-layers", "PSINET_MAX_LAYERS", OPT_SIZE, LIMIT(max_layers), 1u << 16,
     1, "most layers of one network"},
    {"max-batch", "PSINET_MAX_BATCH", OPT_SIZE, LIMIT(max_batch), 1u << 24,
     1, "most inputs of one batch"},
    {"max-shots", "PSINET_MAX_SHOTS", OPT_U64, LIMIT(max_shots),
     UINT64_C(1) << 40, 1, "most samples of one measurement"},
    {"max-memory", "PSINET_MAX_MEMORY", OPT_U64, LIMIT(max_memory),
     UINT64_C(1) << 32, 1,
     "most shots whose outcomes one measurement lists, in order"},
    {"max-operations", "PSINET_MAX_OPERATIONS", OPT_SIZE,
     LIMIT(max_operations), 1u << 20, 1, "most gates of one request"},
    {"max-collapse-work", "PSINET_MAX_COLLAPSE_WORK", OPT_U64,
     LIMIT(max_collapse_work), UINT64_C(1) << 50, 1,
     "most multiply-adds of the shots of one collapse_propagation "
     "experiment (shots x the work of one shot)"},
    {"max-page", "PSINET_MAX_PAGE", OPT_SIZE, LIMIT(max_page), 100000, 1,
     "most items of one page of a list"},
    {"max-depth", "PSINET_MAX_DEPTH", OPT_SIZE, LIMIT(max_depth), 1000, 2,
     "deepest nesting of arrays and objects in a body"},
    {"connection-timeout", "PSINET_CONNECTION_TIMEOUT", OPT_UINT,
     offsetof(server_config, connection_timeout), 86400, 1,
     "seconds an idle connection is kept"},
    {"max-connections", "PSINET_MAX_CONNECTIONS", OPT_UINT,
     offsetof(server_config, max_connections), 1000000, 1,
     "most simultaneous connections"},
    {"max-connections-per-ip", "PSINET_MAX_CONNECTIONS_PER_IP", OPT_UINT,
     offsetof(server_config, max_connections_per_ip), 1000000, 0,
     "most simultaneous connections from one address (0: no limit, for "
     "use behind a proxy)"},
    {"body-timeout", "PSINET_BODY_TIMEOUT", OPT_UINT,
     offsetof(server_config, body_timeout), 86400, 0,
     "seconds a client has to send a request's body once its headers are "
     "in; the headers get the longer of this and --connection-timeout, "
     "from when the connection opens or the previous answer is sent, "
     "however slowly their bytes trickle in (0: no limit)"},
    {"busy-timeout", "PSINET_BUSY_TIMEOUT", OPT_UINT,
     offsetof(server_config, busy_timeout_ms), 600000, 1,
     "milliseconds a write waits for the database lock before a 503"},
    {"group-commit", "PSINET_GROUP_COMMIT", OPT_SWITCH,
     offsetof(server_config, group_commit), 0, 0,
     "on: the rows that concurrent requests create (experiments, "
     "superpositions, networks) are committed together, one transaction "
     "and one fsync for all that wait, each answered once its row is "
     "durable; off: one commit per row (SQLite; PostgreSQL commits each "
     "row on its own either way)"},
    {"cors-origins", "PSINET_CORS_ORIGINS", OPT_STRING, FIELD(cors_origins),
     0, "origins whose pages may call psinet, comma-separated, or * for "
     "any (default: none)"},
    {"api-key-file", "PSINET_API_KEY_FILE", OPT_STRING, FIELD(api_key_file),
     0, "file holding the API key that writes need as Authorization: "
     "Bearer KEY (PSINET_API_KEY may hold the key itself)"},
    {"auth-reads", "PSINET_AUTH_READS", OPT_FLAG,
     offsetof(server_config, auth_reads), 0, 0,
     "require the API key for reads too (not /healthz, /readyz)"},
    {"healthcheck", NULL, OPT_FLAG, offsetof(server_config, healthcheck), 0,
     0, "GET /healthz from the server on --port of this machine (at "
     "127.0.0.1, or --bind when it names one address) and exit: 0 on a 200, "
     "1 otherwise (for a container's HEALTHCHECK)"},
    {"help", NULL, OPT_FLAG, offsetof(server_config, show_help), 0, 0,
     "print this help and exit"},
    {"version", NULL, OPT_FLAG, offsetof(server_config, show_version), 0, 0,
     "print the version and exit"},
};
#define OPTION_COUNT (sizeof options / sizeof options[0])

static void set_defaults(server_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->bind, sizeof cfg->bind, "0.0.0.0");
    cfg->port = 8080;
    snprintf(cfg->db_path, sizeof cfg->db_path, "./psinet.db");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->threads = cores > 0 ? (unsigned)cores : 1;
    cfg->connection_timeout = 30;
    cfg->max_connections = 1024;
    cfg->busy_timeout_ms = 5000;
    cfg->max_connections_per_ip = 64;
    cfg->body_timeout = 30;
    cfg->max_body_memory = (size_t)256 << 20;
    cfg->max_queue = 32;
    cfg->group_commit = true;
    api_limits_default(&cfg->limits);
}

/* Parses "123", "16M", "2G" (binary multiples) into *out. */
static int parse_number(const char *s, int allow_suffix, uint64_t *out)
{
    if (!*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    unsigned shift = 0;
    if (allow_suffix && *end) {
        switch (*end) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        default: return -1;
        }
        end++;
        if (*end == 'i' || *end == 'B')
            end++;
        if (*end == 'B')
            end++;
    }
    if (*end || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

/* Stores value into the field of opt; `source` names it in messages. */
static int apply(server_config *cfg, const option *opt, const char *value,
                 const char *source, char *errbuf, size_t errlen)
{
    char *field = (char *)cfg + opt->offset;
    uint64_t v;
    switch (opt->type) {
    case OPT_STRING:
        if (strlen(value) >= opt->size || !*value) {
            snprintf(errbuf, errlen, "%s: must be 1 to %zu characters",
                     source, opt->size - 1);
            return -1;
        }
        memcpy(field, value, strlen(value) + 1);
        return 0;
    case OPT_FLAG:
        *(bool *)field = strcmp(value, "0") != 0 &&
                         strcasecmp(value, "false") != 0 &&
                         strcasecmp(value, "no") != 0;
        return 0;
    case OPT_SWITCH:
        if (strcasecmp(value, "on") != 0 && strcasecmp(value, "off") != 0) {
            snprintf(errbuf, errlen, "%s: \"%.40s\" is neither on nor off",
                     source, value);
            return -1;
        }
        *(bool *)field = strcasecmp(value, "on") == 0;
        return 0;
    case OPT_UINT:
    case OPT_SIZE:
    case OPT_U64:
        if (parse_number(value, opt->type != OPT_UINT, &v) != 0 ||
            v < opt->min || v > opt->size) {
            snprintf(errbuf, errlen,
                     "%s: \"%.40s\" is not a whole number from %llu to %llu",
                     source, value, (unsigned long long)opt->min,
                     (unsigned long long)opt->size);
            return -1;
        }
        if (opt->type == OPT_UINT)
            *(unsigned *)field = (unsigned)v;
        else if (opt->type == OPT_U64)
            *(uint64_t *)field = v;
        else
            *(size_t *)field = (size_t)v;
        return 0;
    }
    return -1;
}

/* Reads the API key from --api-key-file (first line, surrounding white
 * space dropped), or takes PSINET_API_KEY. The key itself is never
 * printed. */
static int load_api_key(server_config *cfg, char *errbuf, size_t errlen)
{
    const char *env = getenv("PSINET_API_KEY");
    const size_t cap = sizeof cfg->api_key;
    char raw[sizeof cfg->api_key + 2]; /* room to notice one that is longer */
    size_t n;
    if (cfg->api_key_file[0]) {
        FILE *f = fopen(cfg->api_key_file, "r");
        if (!f) {
            snprintf(errbuf, errlen, "--api-key-file: cannot read %.200s",
                     cfg->api_key_file);
            return -1;
        }
        n = fread(raw, 1, sizeof raw - 1, f);
        fclose(f);
    } else if (env) {
        n = strnlen(env, sizeof raw - 1);
        memcpy(raw, env, n);
    } else {
        cfg->api_key[0] = '\0';
        return 0;
    }
    raw[n] = '\0';
    /* Surrounding white space (the file's final newline) is not the key. */
    while (n && strchr(" \t\r\n", raw[n - 1]))
        raw[--n] = '\0';
    size_t lead = strspn(raw, " \t\r\n");
    const char *k = raw + lead;
    n -= lead;
    if (n >= cap) {
        snprintf(errbuf, errlen, "the API key is longer than %zu characters",
                 cap - 1);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)k[i] <= ' ' || k[i] == 0x7f) {
            snprintf(errbuf, errlen, "the API key must be one word of "
                                     "printable characters (no spaces or "
                                     "line breaks inside)");
            return -1;
        }
    }
    if (n < 16) {
        snprintf(errbuf, errlen, "the API key must be at least 16 characters");
        return -1;
    }
    memcpy(cfg->api_key, k, n + 1);
    return 0;
}

int config_load(server_config *cfg, int argc, char **argv, char *errbuf,
                size_t errlen)
{
    set_defaults(cfg);
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        const char *v = options[i].env ? getenv(options[i].env) : NULL;
        if (v && *v && apply(cfg, &options[i], v, options[i].env, errbuf,
                             errlen) != 0)
            return -1;
    }
    for (int a = 1; a < argc; a++) {
        const char *arg = argv[a];
        if (strncmp(arg, "--", 2) != 0) {
            snprintf(errbuf, errlen, "unexpected argument \"%.60s\" (try --help)",
                     arg);
            return -1;
        }
        arg += 2;
        size_t name_len = strcspn(arg, "=");
        const option *opt = NULL;
        for (size_t i = 0; i < OPTION_COUNT && !opt; i++)
            if (strlen(options[i].flag) == name_len &&
                strncmp(options[i].flag, arg, name_len) == 0)
                opt = &options[i];
        if (!opt) {
            snprintf(errbuf, errlen, "unknown option --%.*s (try --help)",
                     (int)(name_len > 60 ? 60 : name_len), arg);
            return -1;
        }
        char source[64];
        snprintf(source, sizeof source, "--%s", opt->flag);
        const char *value;
        if (opt->type == OPT_FLAG) {
            if (arg[name_len] == '=') {
                snprintf(errbuf, errlen, "%s takes no value", source);
                return -1;
            }
            value = "";
        } else if (arg[name_len] == '=') {
            value = arg + name_len + 1;
        } else if (a + 1 < argc) {
            value = argv[++a];
        } else {
            snprintf(errbuf, errlen, "%s needs a value", source);
            return -1;
        }
        if (apply(cfg, opt, value, source, errbuf, errlen) != 0)
            return -1;
    }
    if (cfg->max_body_memory < cfg->limits.max_body) {
        snprintf(errbuf, errlen,
                 "--max-body-memory (%zu) must be at least --max-body (%zu): "
                 "a body of --max-body bytes could never be held",
                 cfg->max_body_memory, cfg->limits.max_body);
        return -1;
    }
    return load_api_key(cfg, errbuf, errlen);
}

/* The value of opt's field in cfg as text, for --help: sizes in K, M or G
 * when they are whole multiples (as they may be given), "none" for an
 * empty string, "off" for a flag, and the thread count as what it is. */
static void format_value(const server_config *cfg, const option *opt,
                         char *buf, size_t len)
{
    const char *field = (const char *)cfg + opt->offset;
    switch (opt->type) {
    case OPT_STRING: snprintf(buf, len, "%s", *field ? field : "none"); break;
    case OPT_UINT:
        if (strcmp(opt->flag, "threads") == 0)
            snprintf(buf, len, "the number of cores (%u here)",
                     *(const unsigned *)field);
        else
            snprintf(buf, len, "%u", *(const unsigned *)field);
        break;
    case OPT_SIZE: {
        size_t v = *(const size_t *)field;
        unsigned shift = v && v % ((size_t)1 << 30) == 0   ? 30
                         : v && v % ((size_t)1 << 20) == 0 ? 20
                         : v && v % ((size_t)1 << 10) == 0 && v >= 4096
                             ? 10
                             : 0;
        if (shift && opt->offset != LIMIT(max_dimension) &&
            opt->offset != LIMIT(max_matrix))
            snprintf(buf, len, "%zu%c", v >> shift,
                     shift == 30 ? 'G' : shift == 20 ? 'M' : 'K');
        else
            snprintf(buf, len, "%zu", v);
        break;
    }
    case OPT_U64:
        snprintf(buf, len, "%llu",
                 (unsigned long long)*(const uint64_t *)field);
        break;
    case OPT_FLAG: snprintf(buf, len, "off"); break;
    case OPT_SWITCH:
        snprintf(buf, len, "%s", *(const bool *)field ? "on" : "off");
        break;
    }
}

/* What --help shows for opt's value: N for numbers, and for strings what
 * they hold. */
static const char *metavar(const option *opt)
{
    if (opt->type == OPT_SWITCH)
        return "on|off";
    if (opt->type != OPT_STRING)
        return "N";
    if (strcmp(opt->flag, "db") == 0 || strcmp(opt->flag, "api-key-file") == 0)
        return strcmp(opt->flag, "db") == 0 ? "PATH|URI" : "PATH";
    if (strcmp(opt->flag, "cors-origins") == 0)
        return "LIST";
    return "ADDR";
}

void config_usage(const char *argv0, void *stream)
{
    FILE *f = stream;
    server_config d;
    set_defaults(&d);
    fprintf(f,
            "usage: %s [options]\n\n"
            "psinet serves the quantum-state / neural-network analogy over "
            "HTTP/JSON.\nEvery option can also be set by its environment "
            "variable; a flag wins.\n\n",
            argv0);
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        const option *o = &options[i];
        char left[64], def[1100];
        if (o->type == OPT_FLAG)
            snprintf(left, sizeof left, "--%s", o->flag);
        else
            snprintf(left, sizeof left, "--%s %s", o->flag, metavar(o));
        format_value(&d, o, def, sizeof def);
        fprintf(f, "  %-26s %s\n", left, o->help);
        if (o->env)
            fprintf(f, "  %-26s   env %s, default %s\n", "", o->env, def);
    }
}
