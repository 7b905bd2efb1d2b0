/* State files: atomic, mode 0600, and flock-based locks (statefile.c). */
#ifndef SRIOV_CORE_STATEFILE_H
#define SRIOV_CORE_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sriov_ctx;

int sriov__mkdir_p(const char *path, mode_t mode);
/* temp file + fsync + rename + fsync of the directory.  The temp file is
 * <path>.tmp.<pid>; stale ones of path are removed first (sriov__state_clean_temps),
 * so the caller holds the lock that every writer of path holds. */
int sriov__state_write(struct sriov_ctx *ctx, const char *path, const void *data, size_t len);
/*
 * Remove the temp files <path>.tmp.<pid> a crashed writer left behind.  Only
 * the caller's holding the lock every writer of path takes makes this safe: no
 * writer is then between creating its temp file and renaming it.  As a second
 * guard a file is kept while its pid is alive (a zombie or a reused pid only
 * keeps a stale file longer).  Returns how many were removed; failures are
 * logged as warnings, never fail the caller.
 */
int sriov__state_clean_temps(struct sriov_ctx *ctx, const char *path);
/*
 * A whole regular file into *data (NUL-terminated; *len leaves the NUL out).
 * -ENOENT (without recording an error) when path does not exist; anything that
 * is not a regular file (a FIFO is refused, not waited on) is -EINVAL, and one
 * of more than max bytes -EFBIG ("too big for a <what>").  With nofollow a
 * symlink is refused (ELOOP).
 */
int sriov__read_file(struct sriov_ctx *ctx, const char *path, bool nofollow, size_t max,
                     const char *what, char **data, size_t *len);
/* -ENOENT (without recording an error) when the record does not exist. */
int sriov__state_read(struct sriov_ctx *ctx, const char *path, char **data, size_t *len);
/* Exclusive lock on <run_dir>/<name>.lock; blocks until granted. */
int sriov__lock(struct sriov_ctx *ctx, const char *name, int *fd_out);
void sriov__unlock(int fd);

#endif
