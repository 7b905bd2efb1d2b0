/* Logging and the per-context last error: what every file of the library uses. */
#ifndef SRIOV_CORE_LOG_H
#define SRIOV_CORE_LOG_H

#include <syslog.h>

#include "sriov.h"

#define SRIOV_ERR_LEN 512

void sriov__log(struct sriov_ctx *ctx, int priority, const char *file, int line,
                const char *fn, const char *format, ...) SRIOV_PRINTF(6, 7);
#define sriov__dbg(ctx, ...) sriov__log(ctx, LOG_DEBUG, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define sriov__info(ctx, ...) sriov__log(ctx, LOG_INFO, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define sriov__notice(ctx, ...) \
    sriov__log(ctx, LOG_NOTICE, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define sriov__warn(ctx, ...) sriov__log(ctx, LOG_WARNING, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define sriov__errlog(ctx, ...) sriov__log(ctx, LOG_ERR, __FILE__, __LINE__, __func__, __VA_ARGS__)

/* Report the progress of a long operation to the caller's progress_fn, if any. */
void sriov__progress(struct sriov_ctx *ctx, unsigned long done, unsigned long total,
                     const char *format, ...) SRIOV_PRINTF(4, 5);

/* Record why a call fails and return rc (a negative errno) for `return sriov__fail(...)`.
 * The arguments may include ctx's own last error: the message is formatted first. */
int sriov__fail(struct sriov_ctx *ctx, int rc, const char *format, ...) SRIOV_PRINTF(3, 4);

/*
 * Cleanup after a failure must not replace the reason for the failure: keep it
 * while undoing, then put it back.  Failures of the cleanup itself are logged.
 *     struct sriov__saved_error e;
 *     sriov__error_save(ctx, &e);  ... undo ...  sriov__error_restore(ctx, &e);
 */
struct sriov__saved_error {
    char msg[SRIOV_ERR_LEN];
};
void sriov__error_save(const struct sriov_ctx *ctx, struct sriov__saved_error *e);
void sriov__error_restore(struct sriov_ctx *ctx, const struct sriov__saved_error *e);

#endif
