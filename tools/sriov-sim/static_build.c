/*
 * "build": the node tree written out as real directories, files and relative
 * symlinks.
 *
 * Creating an inode costs a few hundred microseconds on a journalled disk
 * and is latency-, not CPU-bound, so a handful of threads each take one
 * directory at a time from a shared queue; a directory's subdirectories are
 * created by whoever writes the directory, then queued.  Rendering only
 * reads the model, so the workers need no lock but the queue's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim.h"

struct build {
    struct sim *sim;
    int root_fd;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    const struct node **queue;      /* directories that exist, to fill */
    size_t n_queued, cap, busy;
    bool failed;
};

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

static void enqueue(struct build *b, const struct node *dir)
{
    pthread_mutex_lock(&b->lock);
    if (b->n_queued == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 1024;
        b->queue = xrealloc(b->queue, b->cap * sizeof(*b->queue));
    }
    b->queue[b->n_queued++] = dir;
    pthread_cond_signal(&b->wake);
    pthread_mutex_unlock(&b->lock);
}

/* Fills one existing directory; its subdirectories are made and queued. */
static int fill_dir(struct build *b, const struct node *dir, struct strbuf *buf)
{
    struct strbuf path = { 0 };
    int fd, rc = 0;

    node_path(dir, &path);
    fd = path.len ? openat(b->root_fd, path.data + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                  : dup(b->root_fd);
    strbuf_free(&path);
    if (fd < 0)
        return fail(dir, "cannot open directory");
    for (const struct node *n = dir->first; n && !rc; n = n->next) {
        switch (n->type) {
        case NODE_DIR:
            if (mkdirat(fd, n->name, n->mode & 07777))
                rc = fail(n, "cannot create directory");
            else
                enqueue(b, n);
            break;
        case NODE_FILE:
            rc = write_file(b->sim, fd, n, buf);
            break;
        case NODE_LINK:
            if (symlinkat(n->target, fd, n->name))
                rc = fail(n, "cannot create symlink");
            break;
        }
    }
    close(fd);
    return rc;
}

static void *worker(void *arg)
{
    struct build *b = arg;
    struct strbuf buf = { 0 };

    pthread_mutex_lock(&b->lock);
    for (;;) {
        const struct node *dir;
        int rc;

        while (!b->n_queued && b->busy && !b->failed)
            pthread_cond_wait(&b->wake, &b->lock);
        if (b->failed || (!b->n_queued && !b->busy))
            break;
        dir = b->queue[--b->n_queued];
        b->busy++;
        pthread_mutex_unlock(&b->lock);
        rc = fill_dir(b, dir, &buf);
        pthread_mutex_lock(&b->lock);
        b->busy--;
        if (rc)
            b->failed = true;
        if (rc || (!b->n_queued && !b->busy))
            pthread_cond_broadcast(&b->wake);
    }
    pthread_mutex_unlock(&b->lock);
    strbuf_free(&buf);
    return NULL;
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

int static_build(struct sim *sim, const char *root, unsigned jobs)
{
    struct build b = { .sim = sim, .root_fd = -1 };
    pthread_t threads[64];
    unsigned started = 0;
    mode_t old_umask = umask(0);
    int rc = -1;

    pthread_mutex_init(&b.lock, NULL);
    pthread_cond_init(&b.wake, NULL);
    b.root_fd = open_root(root);
    if (b.root_fd < 0)
        goto out;
    if (jobs < 1)
        jobs = 1;
    if (jobs > sizeof(threads) / sizeof(threads[0]))
        jobs = sizeof(threads) / sizeof(threads[0]);
    enqueue(&b, sim->root);
    /* busy keeps idle workers waiting until the first directory is taken. */
    b.busy = 1;
    for (; started < jobs; started++)
        if (pthread_create(&threads[started], NULL, worker, &b))
            break;
    pthread_mutex_lock(&b.lock);
    b.busy--;
    pthread_cond_broadcast(&b.wake);
    pthread_mutex_unlock(&b.lock);
    if (!started)
        worker(&b);
    for (unsigned i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    rc = b.failed ? -1 : 0;
out:
    if (b.root_fd >= 0)
        close(b.root_fd);
    umask(old_umask);
    free(b.queue);
    pthread_cond_destroy(&b.wake);
    pthread_mutex_destroy(&b.lock);
    return rc;
}
