/*
 * Who owns a reserved record, and whether it still lives.
 *
 * A pid says neither: kill(pid, 0) succeeds for a zombie and for whichever
 * process got the pid next.  Instead an owner holds an exclusive flock(2) on
 * <run_dir>/owner-<id>.lock from its first reservation until its context is
 * freed, with <id> random, so never reused.  The kernel drops the lock when the
 * last descriptor closes: at exit, at kill -9, before the process is a zombie.
 * Anyone else tests it with LOCK_NB: held means alive; not held, or no file
 * (removed at exit, or run_dir emptied by a reboot), means gone.
 *
 * The descriptor is O_CLOEXEC on purpose: `xl create` (and the daemon it leaves
 * behind for the domain) must not inherit the lock, or a dead owner would look
 * alive for the domain's whole life.  The price: when an owner dies while xl
 * create runs, gc may give the VFs back before xl gets to attach them, and then
 * xl create fails (the VF is no longer assignable) and destroys the domain.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include "internal.h"
#include "core/plan.h"
#include "assign/records.h"
#include "core/statefile.h"

static int lock_path(struct sriov_ctx *ctx, const char *id, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/owner-%s.lock", ctx->run_dir, id);

    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Only ids we could have made name a lock file: nothing read from the state file
 * may reach outside run_dir. */
static bool id_valid(const char *id)
{
    return strlen(id) == SRIOV__OWNER_ID_LEN - 1 &&
           strspn(id, "0123456789abcdef") == SRIOV__OWNER_ID_LEN - 1;
}

int sriov__owner_claim(struct sriov_ctx *ctx, const char **id)
{
    char path[PATH_MAX];
    uint8_t rnd[(SRIOV__OWNER_ID_LEN - 1) / 2];
    int fd = -1, rc;

    *id = NULL;
    if (ctx->owner_fd >= 0 || (sriov__dry_run(ctx) && ctx->owner_id[0])) {
        *id = ctx->owner_id;
        return 0;
    }
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return sriov__fail(ctx, -errno, "cannot make an owner id: getrandom: %s",
                           strerror(errno));
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(ctx->owner_id + 2 * i, 3, "%02x", rnd[i]);
    if (sriov__dry_run(ctx)) {
        /* Nothing is saved, so nothing needs a lock to say its owner lives. */
        *id = ctx->owner_id;
        return 0;
    }
    rc = sriov__mkdir_p(ctx->run_dir, 0700);
    if (!rc)
        rc = lock_path(ctx, ctx->owner_id, path, sizeof(path));
    if (rc)
        return sriov__fail(ctx, rc, "cannot create the owner lock in %s: %s", ctx->run_dir,
                           strerror(-rc));
    /* O_EXCL: the id is new, so nobody can test this file before the record naming
     * it is saved, which happens only after the lock below is held. */
    fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return sriov__fail(ctx, -errno, "cannot create %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        rc = sriov__fail(ctx, -errno, "cannot lock %s: %s", path, strerror(errno));
        unlink(path);
        close(fd);
        return rc;
    }
    ctx->owner_fd = fd;
    *id = ctx->owner_id;
    return 0;
}

int sriov__owner_alive(struct sriov_ctx *ctx, const struct sriov_assignment *r)
{
    char path[PATH_MAX];
    int fd, rc;

    if (!r->owner_id[0]) {
        /* A record saved before owners had locks: the pid is all there is. */
        return r->owner > 0 && (kill(r->owner, 0) == 0 || errno == EPERM);
    }
    if ((ctx->owner_fd >= 0 || sriov__dry_run(ctx)) && ctx->owner_id[0] &&
        !strcmp(r->owner_id, ctx->owner_id))
        return 1;
    if (!id_valid(r->owner_id) || lock_path(ctx, r->owner_id, path, sizeof(path)))
        return 0;
    fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return sriov__fail(ctx, -errno, "%s: cannot tell whether the owner (pid %ld) of its "
                           "reservation lives: %s: %s", r->vf[0] ? r->vf : r->pf,
                           (long)r->owner, path, strerror(errno));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        /* Its owner is gone for good (ids are never reused): tidy up its file. */
        if (!sriov__dry_run(ctx))
            unlink(path);
        rc = 0;
    } else if (errno == EWOULDBLOCK) {
        rc = 1;
    } else {
        rc = sriov__fail(ctx, -errno, "%s: cannot test the lock %s of its owner (pid %ld): %s",
                         r->vf[0] ? r->vf : r->pf, path, (long)r->owner, strerror(errno));
    }
    close(fd);
    return rc;
}

void sriov__owner_release(struct sriov_ctx *ctx)
{
    char path[PATH_MAX];

    if (ctx->owner_fd < 0)
        return;
    /* Unlink first: whoever opens the name from now on finds us gone. */
    if (lock_path(ctx, ctx->owner_id, path, sizeof(path)) == 0)
        unlink(path);
    close(ctx->owner_fd);
    ctx->owner_fd = -1;
    ctx->owner_id[0] = '\0';
}
