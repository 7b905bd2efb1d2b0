/*
 * The duty to disable a PF's VFs that an assignment of ours enabled
 * (SRIOV_STEP_ENABLED_VFS): one user of the PF holds it, and the last user to
 * let go does it.  Users are the records of VFs of the PF, and the move
 * journals of domains whose VFs came from it: a domain leaving by save or
 * migration still needs them.  Disabling them under it would write
 * sriov_numvfs=0, which resets the PF (igb does), the uplink of the bridge its
 * netfront carries it on meanwhile, and leaves no VF to come back to.
 *
 * Order, for a crash at any instant: the new holder is written before the old
 * one lets go, so a crash leaves two holders, never none; a holder that finds
 * another user hands the duty on rather than disabling, so two converge.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "assign/moves.h"
#include "assign/records.h"
#include "sysfs/sysfs.h"

/* The journal of uuid, if it moves off pf, takes the duty.  *found: there is
 * one to read.  A journal that cannot be read (damaged, or from a newer
 * version) is passed over with a warning: nothing can act on it anyway, and
 * refusing would stop every last user of every PF from letting go. */
static int pass_to(struct sriov_ctx *ctx, const char *uuid, const char *pf,
                   enum sriov__duty_holder *to, bool *found)
{
    struct sriov__move j;
    int rc = sriov__move_load(ctx, uuid, &j);

    *found = rc != -ENOENT;
    if (rc == -ENOENT)
        return 0;
    if (rc) {
        sriov__errlog(ctx, "%s: passing over a move journal it cannot read: %s", pf,
                      ctx->last_error);
        return 0;
    }
    if (sriov__strv_has(j.pfs, j.n_pfs, pf)) {
        if (!sriov__strv_has(j.enabled_vfs, j.n_enabled_vfs, pf) &&
            sriov__strv_push(&j.enabled_vfs, &j.n_enabled_vfs, strdup(pf)))
            rc = sriov__fail(ctx, -ENOMEM, "%s: no memory to hand its VFs to %s's move",
                             pf, j.name);
        if (!rc)
            rc = sriov__move_save(ctx, &j);
        if (!rc)
            *to = SRIOV_DUTY_JOURNAL;
    }
    sriov__move_dispose(&j);
    return rc;
}

/* A moving domain off pf takes the duty: first own_uuid's (the domain giving the
 * VF back: its journal may exist only in a dry run's plan), then any other but
 * skip_uuid's. */
static int pass_to_journal(struct sriov_ctx *ctx, const char *own_uuid, const char *skip_uuid,
                           const char *pf, enum sriov__duty_holder *to)
{
    char **uuids = NULL;
    size_t n = 0;
    bool found;
    int rc = 0;

    if (own_uuid)
        rc = pass_to(ctx, own_uuid, pf, to, &found);
    if (rc || *to != SRIOV_DUTY_NONE)
        return rc;
    rc = sriov__moves_list(ctx, &uuids, &n);
    for (size_t i = 0; !rc && *to == SRIOV_DUTY_NONE && i < n; i++) {
        if ((skip_uuid && !strcmp(uuids[i], skip_uuid)) ||
            (own_uuid && !strcmp(uuids[i], own_uuid)))
            continue;
        /* One gone meanwhile, or deleted in a dry run's plan, is no user. */
        rc = pass_to(ctx, uuids[i], pf, to, &found);
    }
    sriov__strv_free(uuids, n);
    return rc;
}

int sriov__vfs_duty_pass(struct sriov_ctx *ctx, struct sriov__recs *recs, size_t self,
                         const char *skip_uuid, const char *pf, enum sriov__duty_holder *to)
{
    *to = SRIOV_DUTY_NONE;
    for (size_t k = 0; k < recs->n; k++) {
        if (k != self && !strcmp(recs->v[k].pf, pf)) {
            recs->v[k].steps |= SRIOV_STEP_ENABLED_VFS;
            *to = SRIOV_DUTY_RECORD;
            return 0;
        }
    }
    return pass_to_journal(ctx, self < recs->n ? recs->v[self].uuid : NULL, skip_uuid, pf, to);
}

int sriov__move_forget(struct sriov_ctx *ctx, struct sriov__recs *recs,
                       struct sriov__move *j)
{
    bool recs_changed = false;
    int rc = sriov__move_reload_duties(ctx, j);

    for (size_t i = 0; !rc && i < j->n_enabled_vfs; i++) {
        enum sriov__duty_holder to;
        struct sriov_pf *pf = NULL;

        rc = sriov__vfs_duty_pass(ctx, recs, SIZE_MAX, j->uuid, j->enabled_vfs[i], &to);
        if (rc || to != SRIOV_DUTY_NONE) {
            recs_changed |= to == SRIOV_DUTY_RECORD;
            continue;
        }
        sriov__info(ctx, "%s: the move of %s is over and no one uses the VFs it enabled: "
                    "disabling them", j->enabled_vfs[i], j->name);
        /* A PF that is gone (or no longer a PF) took its VFs with it; any other
         * failure keeps the journal, the duty's only holder, for the next try. */
        rc = sriov_pf_find(ctx, j->enabled_vfs[i], &pf);
        if (rc == -ENOENT || rc == -ENODEV) {
            sriov__info(ctx, "%s: %s", j->enabled_vfs[i], ctx->last_error);
            rc = 0;
            continue;
        }
        if (!rc)
            rc = sriov__pf_set_numvfs(ctx, pf, 0, 0);
    }
    /* The records first: a crash before the journal goes leaves two holders. */
    if (!rc && recs_changed)
        rc = sriov__recs_save(ctx, recs);
    if (!rc)
        rc = sriov__move_delete(ctx, j->uuid);
    return rc;
}

int sriov__move_reload_duties(struct sriov_ctx *ctx, struct sriov__move *j)
{
    struct sriov__move disk;
    int rc = sriov__move_load(ctx, j->uuid, &disk);

    if (rc == -ENOENT)
        return 0; /* no journal (a domain without VFs, or gone): j as it is */
    if (rc) {
        sriov__errlog(ctx, "%s: going on with the duties it knows: %s", j->name,
                      ctx->last_error);
        return 0;
    }
    for (size_t i = 0; !rc && i < disk.n_enabled_vfs; i++)
        if (!sriov__strv_has(j->enabled_vfs, j->n_enabled_vfs, disk.enabled_vfs[i]) &&
            sriov__strv_push(&j->enabled_vfs, &j->n_enabled_vfs, strdup(disk.enabled_vfs[i])))
            rc = sriov__fail(ctx, -ENOMEM, "%s: no memory for its move's duties", j->name);
    sriov__move_dispose(&disk);
    return rc;
}
