/*
 * Sysfs access.  Every path into sysfs is built here, below the context's
 * sysfs root, so that the root stays the library's single filesystem seam.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "sysfs/sysfs.h"

int sriov__sysfs_path(const struct sriov_ctx *ctx, char *buf, size_t len,
                      const char *format, ...)
{
    va_list args;
    int root_len, n;

    root_len = snprintf(buf, len, "%s/", ctx->sysfs_root);
    if (root_len < 0 || (size_t)root_len >= len)
        return -ENAMETOOLONG;
    va_start(args, format);
    n = vsnprintf(buf + root_len, len - (size_t)root_len, format, args);
    va_end(args);
    if (n < 0 || (size_t)n >= len - (size_t)root_len)
        return -ENAMETOOLONG;
    return 0;
}

int sriov__sysfs_open_dir(const struct sriov_ctx *ctx, const char *rel)
{
    char path[PATH_MAX];
    int rc, fd;

    rc = sriov__sysfs_path(ctx, path, sizeof(path), "%s", rel);
    if (rc)
        return rc;
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int sriov__read_attr_at(int dirfd, const char *name, char *buf, size_t len)
{
    ssize_t n;
    int fd, rc = 0;

    fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    n = read(fd, buf, len - 1);
    if (n < 0) {
        rc = -errno;
        goto out;
    }
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
out:
    close(fd);
    return rc;
}

int sriov__read_uint_at(int dirfd, const char *name, int base, unsigned long *out)
{
    char buf[64], *end;
    unsigned long v;
    int rc;

    rc = sriov__read_attr_at(dirfd, name, buf, sizeof(buf));
    if (rc)
        return rc;
    errno = 0;
    v = strtoul(buf, &end, base);
    if (errno || end == buf || *end != '\0' || buf[0] == '-')
        return -EPROTO;
    *out = v;
    return 0;
}

int sriov__read_int_at(int dirfd, const char *name, long *out)
{
    char buf[64], *end;
    long v;
    int rc;

    rc = sriov__read_attr_at(dirfd, name, buf, sizeof(buf));
    if (rc)
        return rc;
    errno = 0;
    v = strtol(buf, &end, 10);
    if (errno || end == buf || *end != '\0')
        return -EPROTO;
    *out = v;
    return 0;
}

int sriov__readlink_base_at(int dirfd, const char *name, char *buf, size_t len)
{
    char target[PATH_MAX];
    const char *base;
    ssize_t n;

    n = readlinkat(dirfd, name, target, sizeof(target) - 1);
    if (n < 0)
        return -errno;
    target[n] = '\0';
    base = strrchr(target, '/');
    base = base ? base + 1 : target;
    if (strlen(base) >= len)
        return -ENAMETOOLONG;
    strcpy(buf, base);
    return 0;
}

int sriov__write_attr_at(int dirfd, const char *name, const char *value)
{
    size_t len = strlen(value);
    ssize_t n;
    int fd, rc = 0;

    fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    n = write(fd, value, len);
    if (n < 0)
        rc = -errno;
    else if ((size_t)n != len)
        rc = -EIO;
    if (close(fd) < 0 && !rc)
        rc = -errno;
    return rc;
}

bool sriov__safe_component(const char *name)
{
    return name[0] != '\0' && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
           strchr(name, '/') == NULL;
}
