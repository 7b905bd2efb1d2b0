/* State files: atomic, mode 0600, and flock-based locks (statefile.c). */
#ifndef SRIOV_CORE_STATEFILE_H
#define SRIOV_CORE_STATEFILE_H

#include <stddef.h>
#include <sys/types.h>

struct sriov_ctx;

int sriov__mkdir_p(const char *path, mode_t mode);
/* temp file + fsync + rename + fsync of the directory. */
int sriov__state_write(struct sriov_ctx *ctx, const char *path, const void *data, size_t len);
/* -ENOENT (without recording an error) when the record does not exist. */
int sriov__state_read(struct sriov_ctx *ctx, const char *path, char **data, size_t *len);
/* Exclusive lock on <run_dir>/<name>.lock; blocks until granted. */
int sriov__lock(struct sriov_ctx *ctx, const char *name, int *fd_out);
void sriov__unlock(int fd);

#endif
