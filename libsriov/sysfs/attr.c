/* Reading and writing one sysfs attribute (attr.h); sysfs.c knows the paths. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs/attr.h"
#include "sysfs/sysfs.h"

int sriov__attr_read_at(int dirfd, const char *name, char *buf, size_t len)
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

int sriov__attr_parse_uint(const char *value, int base, unsigned long *out)
{
    const char *first = base == 16 ? "0123456789abcdefABCDEF" : "0123456789";
    unsigned long v;
    char *end;

    /* The kernel writes digits first; strtoul would also skip blanks and take a
     * sign ("-1" as ULONG_MAX). */
    if (!value[0] || !strchr(first, value[0]))
        return -EPROTO;
    errno = 0;
    v = strtoul(value, &end, base);
    if (errno || end == value || *end != '\0')
        return -EPROTO;
    *out = v;
    return 0;
}

int sriov__attr_parse_int(const char *value, long *out)
{
    char *end;
    long v;

    if (!(value[0] >= '0' && value[0] <= '9') && !(value[0] == '-' && value[1] >= '0' &&
                                                   value[1] <= '9'))
        return -EPROTO; /* as above: no blanks, no '+' */
    errno = 0;
    v = strtol(value, &end, 10);
    if (errno || end == value || *end != '\0')
        return -EPROTO;
    *out = v;
    return 0;
}

int sriov__attr_readlink_base_at(int dirfd, const char *name, char *buf, size_t len)
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

int sriov__attr_write_at(int dirfd, const char *name, const char *value)
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

/* getdents64 straight into one buffer: a DIR would cost an fstat and two fcntls
 * more per directory, and discovery lists one per driver.  32 KiB is what
 * readdir() reads at a time too. */
#define LIST_BUF_LEN 32768

int sriov__attr_list_at(int dirfd, const char *name, sriov__entry_fn *fn, void *arg)
{
    ssize_t n;
    char *buf;
    int fd, rc = 0;

    fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    buf = malloc(LIST_BUF_LEN);
    if (!buf) {
        rc = -ENOMEM;
        goto out;
    }
    while ((n = getdents64(fd, buf, LIST_BUF_LEN)) > 0) {
        for (ssize_t off = 0; off < n;) {
            const struct dirent64 *de = (const struct dirent64 *)(buf + off);

            off += de->d_reclen;
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            rc = fn(arg, de->d_name);
            if (rc)
                goto out;
        }
    }
    if (n < 0)
        rc = -errno;
out:
    free(buf);
    close(fd);
    return rc;
}

bool sriov__safe_component(const char *name)
{
    return name[0] != '\0' && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
           strchr(name, '/') == NULL;
}
