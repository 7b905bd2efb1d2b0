/*
 * State files and locks.  A record is replaced atomically (temp file in the same
 * directory, fsync, rename, fsync of the directory) so a crash leaves either the
 * old or the new record, never half of one.  Cross-process exclusion is flock(2)
 * on a lock file under run_dir.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "core/plan.h"
#include "core/statefile.h"

int sriov__mkdir_p(const char *path, mode_t mode)
{
    char buf[PATH_MAX];
    size_t len = strlen(path);

    if (len == 0 || len >= sizeof(buf))
        return -ENAMETOOLONG;
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    if (mkdir(buf, mode) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

static int fsync_dir_of(const char *path)
{
    char dir[PATH_MAX];
    char *slash;
    int fd, rc = 0;

    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fsync(fd) < 0)
        rc = -errno;
    close(fd);
    return rc;
}

/* The pid of "<base>.tmp.<pid>", 0 if name is not a temp file of base. */
static pid_t temp_pid(const char *name, const char *base)
{
    size_t blen = strlen(base);
    const char *digits = name + blen + 5;
    long pid = 0;

    if (strncmp(name, base, blen) || strncmp(name + blen, ".tmp.", 5) || !*digits ||
        strlen(digits) > 7 || digits[0] == '0')
        return 0;
    for (const char *c = digits; *c; c++) {
        if (*c < '0' || *c > '9')
            return 0;
        pid = pid * 10 + (*c - '0');
    }
    return (pid_t)pid;
}

int sriov__state_clean_temps(struct sriov_ctx *ctx, const char *path)
{
    char dir[PATH_MAX];
    const char *base;
    struct dirent *de;
    int removed = 0;
    DIR *d = NULL;

    if (sriov__dry_run(ctx))
        return 0; /* tidying is a change too */
    if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
        return 0;
    base = strrchr(path, '/');
    if (base) {
        dir[base - path > 0 ? base - path : 1] = '\0';
        base++;
    } else {
        snprintf(dir, sizeof(dir), ".");
        base = path;
    }
    d = opendir(dir);
    if (!d) {
        if (errno != ENOENT)
            sriov__warn(ctx, "cannot read %s to remove stale temp files: %s", dir,
                        strerror(errno));
        goto out;
    }
    while ((de = readdir(d))) {
        pid_t pid = temp_pid(de->d_name, base);

        /* ESRCH is the only answer that proves the writer gone: EPERM means alive. */
        if (pid <= 0 || pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        if (unlinkat(dirfd(d), de->d_name, 0) < 0) {
            if (errno != ENOENT)
                sriov__warn(ctx, "cannot remove stale temp file %s/%s: %s", dir, de->d_name,
                            strerror(errno));
            continue;
        }
        sriov__info(ctx, "removed %s/%s, left by process %ld that is gone", dir, de->d_name,
                    (long)pid);
        removed++;
    }
out:
    if (d)
        closedir(d);
    return removed;
}

int sriov__state_write(struct sriov_ctx *ctx, const char *path, const void *data, size_t len)
{
    char tmp[PATH_MAX];
    const char *p = data;
    int fd = -1, rc = 0;

    if (sriov__dry_run(ctx)) {
        /* The callers that know what the file means plan it themselves. */
        sriov__plan(ctx, "state", "write %s (%zu bytes)", path, len);
        return 0;
    }
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
        return sriov__fail(ctx, -ENAMETOOLONG, "%s: path too long", path);
    sriov__state_clean_temps(ctx, path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return sriov__fail(ctx, -errno, "cannot create %s: %s", tmp, strerror(errno));
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = sriov__fail(ctx, -errno, "cannot write %s: %s", tmp, strerror(errno));
            goto out;
        }
        p += n;
        len -= (size_t)n;
    }
    if (fsync(fd) < 0) {
        rc = sriov__fail(ctx, -errno, "cannot fsync %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) < 0) {
        fd = -1;
        rc = sriov__fail(ctx, -errno, "cannot close %s: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        rc = sriov__fail(ctx, -errno, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        goto out;
    }
    rc = fsync_dir_of(path);
    if (rc)
        rc = sriov__fail(ctx, rc, "cannot fsync the directory of %s", path);
out:
    if (fd >= 0)
        close(fd);
    if (rc)
        unlink(tmp);
    return rc;
}

int sriov__read_file(struct sriov_ctx *ctx, const char *path, bool nofollow, size_t max,
                     const char *what, char **data, size_t *len)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    int fd, rc = 0;

    *data = NULL;
    *len = 0;
    /* O_NONBLOCK: a FIFO in the file's place must be refused below, not waited on
     * (perhaps while holding a lock; on a regular file the flag changes nothing). */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (nofollow ? O_NOFOLLOW : 0));
    if (fd < 0)
        return errno == ENOENT ? -ENOENT
                               : sriov__fail(ctx, -errno, "cannot open %s: %s", path,
                                             strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rc = sriov__fail(ctx, -EINVAL, "%s is not a regular file", path);
        goto out;
    }
    if ((unsigned long long)st.st_size > max) {
        rc = sriov__fail(ctx, -EFBIG, "%s: %lld bytes is too big for a %s", path,
                         (long long)st.st_size, what);
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        rc = -ENOMEM;
        goto out;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = sriov__fail(ctx, -errno, "cannot read %s: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return rc;
}

int sriov__state_read(struct sriov_ctx *ctx, const char *path, char **data, size_t *len)
{
    /* Nobody but us should have put a link in the state dir. */
    return sriov__read_file(ctx, path, true, SIZE_MAX, "state file", data, len);
}

/* A dry run creates no lock file: it waits for writers only where one exists
 * (a host where nothing ever wrote has nothing to wait for). */
static int lock_existing(struct sriov_ctx *ctx, const char *name, int *fd_out)
{
    char path[PATH_MAX];
    int fd;

    if (snprintf(path, sizeof(path), "%s/%s.lock", ctx->run_dir, name) >= (int)sizeof(path))
        return sriov__fail(ctx, -ENAMETOOLONG, "lock path too long");
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? 0 : sriov__fail(ctx, -errno, "cannot open %s: %s", path,
                                                 strerror(errno));
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            int rc = -errno;
            close(fd);
            return sriov__fail(ctx, rc, "cannot lock %s: %s", path, strerror(-rc));
        }
    }
    *fd_out = fd;
    return 0;
}

int sriov__lock(struct sriov_ctx *ctx, const char *name, int *fd_out)
{
    char path[PATH_MAX];
    int rc;

    *fd_out = -1;
    if (sriov__dry_run(ctx))
        return lock_existing(ctx, name, fd_out);
    rc = sriov__mkdir_p(ctx->run_dir, 0700);
    if (rc)
        return sriov__fail(ctx, rc, "cannot create %s: %s", ctx->run_dir, strerror(-rc));
    if (snprintf(path, sizeof(path), "%s/%s.lock", ctx->run_dir, name) >= (int)sizeof(path))
        return sriov__fail(ctx, -ENAMETOOLONG, "lock path too long");
    for (;;) {
        struct stat held, named;
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

        if (fd < 0)
            return sriov__fail(ctx, -errno, "cannot open %s: %s", path, strerror(errno));
        while (flock(fd, LOCK_EX) < 0) {
            if (errno != EINTR) {
                rc = -errno;
                close(fd);
                return sriov__fail(ctx, rc, "cannot lock %s: %s", path, strerror(-rc));
            }
        }
        /* Someone may have removed or replaced the file while we waited. */
        if (fstat(fd, &held) == 0 && stat(path, &named) == 0 && held.st_dev == named.st_dev &&
            held.st_ino == named.st_ino) {
            *fd_out = fd;
            return 0;
        }
        close(fd);
    }
}

void sriov__unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* closing the last descriptor releases the flock */
}
