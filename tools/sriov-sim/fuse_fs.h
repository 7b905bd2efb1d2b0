/*
 * The FUSE host: a low-level FUSE file system over a struct sim (fuse_fs.c),
 * what the kernel must forget when a write changes the tree (fuse_inval.c),
 * and the --faults injection (fuse_faults.c); mount.c runs it.
 */
#ifndef SRIOV_SIM_FUSE_FS_H
#define SRIOV_SIM_FUSE_FS_H

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
#include <pthread.h>

#include "sim.h"

/* What one write changed: the kernel forgets each entry that came or went,
 * each directory's listing (dirs: sorted, distinct) and the cached content
 * of each fixed attribute that went. */
struct inval_batch {
    struct inval_entry {
        fuse_ino_t dir;
        char *name;
    } *entries;
    size_t n_entries, cap_entries;
    fuse_ino_t *dirs, *files;
    size_t n_dirs, cap_dirs, n_files, cap_files;
};

struct inval_job;

/* Everything but the job queue belongs to the thread serving requests. */
struct simfs {
    struct sim *sim;
    struct fuse_session *se;
    /* The kernel takes ENOSYS from opendir as "never ask again": every
     * directory is then opened with its listing cached. */
    bool no_opendir;
    struct inval_batch pending;
    uint64_t first_new_ino;     /* nodes numbered from here are the write's own */
    /* The notifier thread: invalidates, then answers the write. */
    pthread_t notifier;
    bool notifier_running, stopping, notifier_done;
    pthread_mutex_t jobs_lock;
    pthread_cond_t jobs_cond;
    struct inval_job *jobs_head, *jobs_tail;
};

extern const struct fuse_lowlevel_ops sim_fuse_ops;

/* How long the kernel may trust an entry, attributes or a cached page without
 * asking: "until told otherwise", since every change is a write we handle and
 * invalidate for.  Finite only so that a bug here cannot outlive a day. */
#define CACHE_TIMEOUT 86400.0

/* fuse_inval.c */
int inval_start(struct simfs *fs);
int inval_stop(struct simfs *fs);
/* Around a write's store: collect what it changes. */
void inval_begin(struct simfs *fs);
void inval_take(struct simfs *fs, struct inval_batch *out);
/* Answers a write with rc (bytes or -errno) once the kernel has forgotten
 * batch (taken over) and, for a kill: fault, once kill_pid has been killed. */
void inval_finish_write(struct simfs *fs, fuse_req_t req, int rc, int kill_pid,
                        struct inval_batch *batch);

/* fuse_faults.c */
enum fault { FAULT_NONE, FAULT_FAIL, FAULT_KILL };
/* What the --faults file (or NULL) says about pid writing buf to an attribute
 * called name, and for FAULT_FAIL the errno in *err; counts the write. */
enum fault fault_check(const char *faults, int pid, const char *name, const char *buf,
                       size_t size, int *err);

#endif
