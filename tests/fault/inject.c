/* tests/fault/inject.c - an LD_PRELOAD shim that makes writes fail on
 * demand, to test how psinet answers a full disk or a failing one without
 * root, a small filesystem or a broken drive.
 *
 *   FAULT_INJECT_DIR=/some/dir FAULT_INJECT_CONTROL=/elsewhere/fault \
 *   LD_PRELOAD=build/tests/fault_inject.so build/psinet ...
 *
 * While the control file exists, write, pwrite, pwrite64, fsync and
 * fdatasync on a file under FAULT_INJECT_DIR (the path of the descriptor,
 * as /proc/self/fd shows it) fail with the errno the control file names:
 * "ENOSPC", "EIO", "EDQUOT", "EROFS" or a number (EIO when it names none of
 * these). When its text also has the word "sync" ("EIO fsync"), only
 * fsync and fdatasync fail: the data is written, making it durable fails.
 * Remove the control file and the fault is gone. Every other
 * descriptor (sockets, the log, files elsewhere) is never touched, and
 * without both variables the shim does nothing but pass calls on. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*pwrite64_fn)(int, const void *, size_t, off64_t);
typedef int (*sync_fn)(int);

static write_fn real_write;
static pwrite_fn real_pwrite;
static pwrite64_fn real_pwrite64;
static sync_fn real_fsync, real_fdatasync;

/* Resolves the functions this shim stands in front of; called before
 * main, and again by a call that comes earlier (from another
 * constructor). */
__attribute__((constructor)) static void resolve(void)
{
    real_write = (write_fn)dlsym(RTLD_NEXT, "write");
    real_pwrite = (pwrite_fn)dlsym(RTLD_NEXT, "pwrite");
    real_pwrite64 = (pwrite64_fn)dlsym(RTLD_NEXT, "pwrite64");
    real_fsync = (sync_fn)dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = (sync_fn)dlsym(RTLD_NEXT, "fdatasync");
}

static int errno_named(const char *s)
{
    static const struct {
        const char *name;
        int value;
    } names[] = {{"ENOSPC", ENOSPC}, {"EIO", EIO}, {"EDQUOT", EDQUOT},
                 {"EROFS", EROFS}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strncmp(s, names[i].name, strlen(names[i].name)) == 0)
            return names[i].value;
    int n = atoi(s);
    return n > 0 ? n : EIO;
}

/* The errno a write to fd is to fail with now, or 0. Leaves errno as it
 * found it. */
static int fault_for(int fd, bool is_sync)
{
    const char *dir = getenv("FAULT_INJECT_DIR");
    const char *control = getenv("FAULT_INJECT_CONTROL");
    if (!dir || !*dir || !control || !*control || fd < 0)
        return 0;
    int saved = errno, fault = 0;
    int cfd = open(control, O_RDONLY | O_CLOEXEC);
    if (cfd >= 0) {
        char what[32] = "";
        ssize_t n = read(cfd, what, sizeof what - 1);
        close(cfd);
        what[n > 0 ? n : 0] = '\0';
        char link[64], path[PATH_MAX], root[PATH_MAX];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t len = readlink(link, path, sizeof path - 1);
        if (len > 0 && realpath(dir, root)) {
            path[len] = '\0';
            size_t rl = strlen(root);
            if (strncmp(path, root, rl) == 0 &&
                (path[rl] == '/' || root[rl - 1] == '/') &&
                (is_sync || !strstr(what, "sync")))
                fault = errno_named(what);
        }
    }
    errno = saved;
    return fault;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    int e = fault_for(fd, false);
    if (e) {
        errno = e;
        return -1;
    }
    if (!real_write)
        resolve();
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t offset)
{
    int e = fault_for(fd, false);
    if (e) {
        errno = e;
        return -1;
    }
    if (!real_pwrite)
        resolve();
    return real_pwrite(fd, buf, n, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t offset)
{
    int e = fault_for(fd, false);
    if (e) {
        errno = e;
        return -1;
    }
    if (!real_pwrite64)
        resolve();
    return real_pwrite64(fd, buf, n, offset);
}

int fsync(int fd)
{
    int e = fault_for(fd, true);
    if (e) {
        errno = e;
        return -1;
    }
    if (!real_fsync)
        resolve();
    return real_fsync(fd);
}

int fdatasync(int fd)
{
    int e = fault_for(fd, true);
    if (e) {
        errno = e;
        return -1;
    }
    if (!real_fdatasync)
        resolve();
    return real_fdatasync(fd);
}
