/*
 * Keeping the kernel's caches true.  The FUSE host lets the kernel cache
 * entries (positive and negative), attributes, symlinks, directory listings
 * and fixed attributes' content with no expiry, so every name a write adds or
 * removes must be forgotten by the kernel before the write returns: a writer
 * that enables VFs and then lists the PF must see its virtfn links.
 *
 * Invalidating takes the directory's inode lock in the kernel, which a
 * process looking a name up there holds while it waits for us: the thread
 * serving requests would wait for itself.  So a write that changed the tree
 * is answered by a notifier thread, after its invalidations, and the request
 * loop goes on meanwhile (the model is already changed: what it serves is
 * new).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fuse_fs.h"

#define STOP_WAIT_S 2

struct inval_job {
    struct inval_job *next;
    fuse_req_t req;
    int rc, kill_pid;
    struct inval_batch batch;
};

static void batch_free(struct inval_batch *b)
{
    for (size_t i = 0; i < b->n_entries; i++)
        free(b->entries[i].name);
    free(b->entries);
    free(b->dirs);
    free(b->files);
    memset(b, 0, sizeof(*b));
}

static void push_ino(fuse_ino_t **v, size_t *n, size_t *cap, fuse_ino_t ino)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *v = xrealloc(*v, *cap * sizeof(**v));
    }
    (*v)[(*n)++] = ino;
}

/*
 * A name came or went in dir.  Directories born in this same write are
 * skipped: the kernel cannot have cached anything under them.
 */
static void watch_entry(void *data, struct node *dir, const char *name)
{
    struct simfs *fs = data;
    struct inval_batch *b = &fs->pending;

    if (dir->ino >= fs->first_new_ino)
        return;
    if (b->n_entries == b->cap_entries) {
        b->cap_entries = b->cap_entries ? b->cap_entries * 2 : 64;
        b->entries = xrealloc(b->entries, b->cap_entries * sizeof(*b->entries));
    }
    b->entries[b->n_entries++] = (struct inval_entry){ dir->ino, xstrdup(name) };
    /* Bursts name the same directory (a PF's virtfn links): keep one. */
    if (!b->n_dirs || b->dirs[b->n_dirs - 1] != dir->ino)
        push_ino(&b->dirs, &b->n_dirs, &b->cap_dirs, dir->ino);
}

/* A file left with its device: one held open must read -ENODEV like on
 * sysfs, not what the kernel cached (only fixed attributes are cached). */
static void watch_gone(void *data, const struct node *n)
{
    struct simfs *fs = data;
    struct inval_batch *b = &fs->pending;

    if (n->type == NODE_FILE && n->attr->fixed && n->ino < fs->first_new_ino)
        push_ino(&b->files, &b->n_files, &b->cap_files, n->ino);
}

void inval_begin(struct simfs *fs)
{
    fs->first_new_ino = node_next_ino(fs->sim->root);
}

static int cmp_ino(const void *a, const void *b)
{
    fuse_ino_t x = *(const fuse_ino_t *)a, y = *(const fuse_ino_t *)b;

    return x < y ? -1 : x > y;
}

void inval_take(struct simfs *fs, struct inval_batch *out)
{
    struct inval_batch *b = &fs->pending;
    size_t n = 0;

    if (b->n_dirs > 1)
        qsort(b->dirs, b->n_dirs, sizeof(*b->dirs), cmp_ino);
    for (size_t i = 0; i < b->n_dirs; i++)
        if (!n || b->dirs[n - 1] != b->dirs[i])
            b->dirs[n++] = b->dirs[i];
    b->n_dirs = n;
    *out = *b;
    memset(b, 0, sizeof(*b));
    /* Changes outside a write (none today) must not be skipped as "new". */
    fs->first_new_ino = UINT64_MAX;
}

static void answer(fuse_req_t req, int rc, int kill_pid)
{
    /* The writer dies on its way back from write(2): the kernel holds it until
     * this reply, so the write has taken effect and nothing after it has run. */
    if (kill_pid && rc >= 0)
        kill(kill_pid, SIGKILL);
    if (rc < 0)
        fuse_reply_err(req, -rc);
    else
        fuse_reply_write(req, (size_t)rc);
}

/* The kernel says ENOENT for what it never cached: nothing to forget then. */
static void invalidate(struct simfs *fs, const struct inval_batch *b)
{
    for (size_t i = 0; i < b->n_entries; i++)
        fuse_lowlevel_notify_inval_entry(fs->se, b->entries[i].dir, b->entries[i].name,
                                         strlen(b->entries[i].name));
    /* Drops the cached listing and attributes (the new mtime voids a listing
     * that a concurrent readdir was still filling in). */
    for (size_t i = 0; i < b->n_dirs; i++)
        fuse_lowlevel_notify_inval_inode(fs->se, b->dirs[i], 0, 0);
    for (size_t i = 0; i < b->n_files; i++)
        fuse_lowlevel_notify_inval_inode(fs->se, b->files[i], 0, 0);
}

static void *notifier(void *arg)
{
    struct simfs *fs = arg;
    struct inval_job *job;

    for (;;) {
        pthread_mutex_lock(&fs->jobs_lock);
        while (!fs->jobs_head && !fs->stopping)
            pthread_cond_wait(&fs->jobs_cond, &fs->jobs_lock);
        job = fs->jobs_head;
        if (!job) { /* stopping, and every write answered */
            fs->notifier_done = true;
            pthread_cond_broadcast(&fs->jobs_cond);
            pthread_mutex_unlock(&fs->jobs_lock);
            return NULL;
        }
        fs->jobs_head = job->next;
        if (!fs->jobs_head)
            fs->jobs_tail = NULL;
        pthread_mutex_unlock(&fs->jobs_lock);
        invalidate(fs, &job->batch);
        answer(job->req, job->rc, job->kill_pid);
        batch_free(&job->batch);
        free(job);
    }
}

void inval_finish_write(struct simfs *fs, fuse_req_t req, int rc, int kill_pid,
                        struct inval_batch *batch)
{
    struct inval_job *job;

    if (!batch->n_entries && !batch->n_files) {
        batch_free(batch);
        answer(req, rc, kill_pid);
        return;
    }
    job = xzalloc(sizeof(*job));
    *job = (struct inval_job){ NULL, req, rc, kill_pid, *batch };
    memset(batch, 0, sizeof(*batch));
    pthread_mutex_lock(&fs->jobs_lock);
    if (fs->jobs_tail)
        fs->jobs_tail->next = job;
    else
        fs->jobs_head = job;
    fs->jobs_tail = job;
    pthread_cond_broadcast(&fs->jobs_cond);
    pthread_mutex_unlock(&fs->jobs_lock);
}

/* After the fork to the background: threads do not survive it. */
int inval_start(struct simfs *fs)
{
    const struct node_watch w = { watch_entry, watch_gone, fs };

    fs->first_new_ino = UINT64_MAX;
    node_watch(fs->sim->root, &w);
    if (pthread_create(&fs->notifier, NULL, notifier, fs))
        return -1;
    fs->notifier_running = true;
    return 0;
}

/*
 * Answers what is queued, then stops watching; -1 if the notifier is still
 * waiting for a directory lock after a while.  That happens only when a
 * signal ended the request loop while a process looking a name up holds the
 * lock: its request will never be answered, and only closing the session
 * (at our exit, with the notifier left as it is) ends both.
 */
int inval_stop(struct simfs *fs)
{
    struct timespec deadline;

    if (fs->notifier_running) {
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += STOP_WAIT_S;
        pthread_mutex_lock(&fs->jobs_lock);
        fs->stopping = true;
        pthread_cond_broadcast(&fs->jobs_cond);
        while (!fs->notifier_done &&
               !pthread_cond_timedwait(&fs->jobs_cond, &fs->jobs_lock, &deadline))
            ;
        pthread_mutex_unlock(&fs->jobs_lock);
        if (!fs->notifier_done)
            return -1;
        pthread_join(fs->notifier, NULL);
        fs->notifier_running = false;
    }
    node_watch(fs->sim->root, NULL);
    batch_free(&fs->pending);
    return 0;
}
