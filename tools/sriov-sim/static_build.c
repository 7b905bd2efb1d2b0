/*
 * "build": the node tree written out as real directories, files and relative
 * symlinks.  Everything goes through *at() calls on open directory fds so
 * the kernel never re-walks long paths.  The cost left is the filesystem's
 * inode creation (~35 per VF): a journalled disk is 10-20x slower than
 * tmpfs, and threads did not help on one (measured), so this stays simple.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim.h"

static int fail(const struct node *n, const char *what)
{
    struct strbuf path = { 0 };
    int err = errno;

    node_path(n, &path);
    fprintf(stderr, "sriov-sim: %s %s: %s\n", what, path.data ? path.data : "/",
            strerror(err));
    strbuf_free(&path);
    return -1;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_file(struct sim *sim, int dirfd, const struct node *n, struct strbuf *buf)
{
    int fd, rc = 0;

    strbuf_reset(buf);
    if (n->attr->show)
        n->attr->show(sim, n->obj, buf);
    fd = openat(dirfd, n->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, n->mode & 07777);
    if (fd < 0)
        return fail(n, "cannot create");
    if (buf->len && write_all(fd, buf->data, buf->len))
        rc = fail(n, "cannot write");
    if (close(fd) && !rc)
        rc = fail(n, "cannot close");
    return rc;
}

static int write_dir(struct sim *sim, int dirfd, const struct node *dir, struct strbuf *buf)
{
    for (const struct node *n = dir->first; n; n = n->next) {
        int fd, rc;

        switch (n->type) {
        case NODE_DIR:
            if (mkdirat(dirfd, n->name, n->mode & 07777))
                return fail(n, "cannot create directory");
            fd = openat(dirfd, n->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0)
                return fail(n, "cannot open directory");
            rc = write_dir(sim, fd, n, buf);
            close(fd);
            if (rc)
                return rc;
            break;
        case NODE_FILE:
            if (write_file(sim, dirfd, n, buf))
                return -1;
            break;
        case NODE_LINK:
            if (symlinkat(n->target, dirfd, n->name))
                return fail(n, "cannot create symlink");
            break;
        }
    }
    return 0;
}

/* Refuses a non-empty ROOT: mixing two hosts would make tests lie. */
static int open_root(const char *root)
{
    struct dirent *e;
    DIR *d;
    int fd;

    if (mkdir(root, 0755) && errno != EEXIST) {
        fprintf(stderr, "sriov-sim: cannot create %s: %s\n", root, strerror(errno));
        return -1;
    }
    fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "sriov-sim: cannot open %s: %s\n", root, strerror(errno));
        return -1;
    }
    d = fdopendir(dup(fd));
    if (!d) {
        close(fd);
        return -1;
    }
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            fprintf(stderr, "sriov-sim: %s is not empty\n", root);
            closedir(d);
            close(fd);
            return -1;
        }
    }
    closedir(d);
    return fd;
}

int static_build(struct sim *sim, const char *root)
{
    struct strbuf buf = { 0 };
    mode_t old_umask = umask(0);
    int fd = open_root(root), rc = -1;

    if (fd < 0)
        goto out;
    rc = write_dir(sim, fd, sim->root, &buf);
out:
    if (fd >= 0)
        close(fd);
    umask(old_umask);
    strbuf_free(&buf);
    return rc;
}
