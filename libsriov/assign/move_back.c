/*
 * The end of a move, and its undo: a domain that is still here after all (xl
 * failed, or a crash cut the move short) gets a VF again for every spec of its
 * journal that no record of it covers (the journal's MAC identifies the VF:
 * a spec whose VF was never taken back is not given twice).  Used by
 * sriov_move_end() and by gc for journals whose owner died.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "assign/moves.h"
#include "assign/records.h"
#include "assign/steps.h"
#include "config/vfreq.h"
#include "core/statefile.h"
#include "hv/hv.h"

/* Slots for VFs given back after a move: after create's and pci-attach's. */
#define MOVE_SLOT_BASE 128

const char *sriov__spec_mac(const char *spec, char out[18])
{
    const char *p = strstr(spec, "mac=");

    while (p && p != spec && p[-1] != ',')
        p = strstr(p + 1, "mac=");
    out[0] = '\0';
    if (p)
        snprintf(out, 18, "%.17s", p + 4);
    return out;
}

/* The spec's VF is the domain's already (not merely reserved for it: on a
 * migration within one host the destination's reservation has the MAC too):
 * the same MAC, or for a VF that is no network device (no mac= in its spec)
 * the same entry. */
static bool covered(const struct sriov__recs *recs, const char *uuid, const char *spec)
{
    char mac[18];

    sriov__spec_mac(spec, mac);
    for (size_t i = 0; i < recs->n; i++) {
        const struct sriov_assignment *r = &recs->v[i];

        if (strcmp(r->uuid, uuid) || r->phase == SRIOV_PHASE_RESERVED)
            continue;
        if (mac[0] ? !strcasecmp(r->mac, mac) : (r->spec && !strcmp(r->spec, spec)))
            return true;
    }
    return false;
}

/* Caller holds the assignments lock.  Every spec is tried; the first error kept. */
int sriov__move_reattach(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                         const struct sriov__move *j, const struct sriov_hv_domain *hd,
                         unsigned int *reattached)
{
    struct sriov__dom_id dom = { 0 };
    struct sriov__saved_error first = { "" };
    int rc = 0;

    memcpy(dom.uuid, hd->uuid, 16);
    dom.domid = hd->domid;
    snprintf(dom.name, sizeof(dom.name), "%s", hd->name);
    for (size_t k = 0; k < j->n_specs; k++) {
        struct sriov__vf_req req = { 0 };
        size_t i;
        int r;

        if (covered(recs, j->uuid, j->specs[k]))
            continue;
        dom.slot = MOVE_SLOT_BASE + (unsigned int)k;
        r = sriov__vf_req_parse(ctx, j->specs[k], "the move journal", &req);
        if (!r)
            r = sriov__assign_prepare(ctx, hv, recs, &dom, &req, -1, 0, true, &i);
        sriov__vf_req_dispose(&req);
        if (r && !rc) {
            rc = r;
            sriov__error_save(ctx, &first);
        } else if (r) {
            sriov__errlog(ctx, "%s: %s", j->name, ctx->last_error);
        } else if (reattached) {
            (*reattached)++;
        }
    }
    if (rc)
        sriov__error_restore(ctx, &first);
    return rc;
}

int sriov_move_end(struct sriov_ctx *ctx, struct sriov_move *m, bool moved,
                   unsigned int *reattached)
{
    struct sriov__move *j = sriov__move_journal(m);
    struct sriov__recs recs = { 0 };
    struct sriov_hv_domain hd;
    struct sriov_hv *hv = NULL;
    uint8_t uuid[16];
    int lockfd = -1, rc;

    if (reattached)
        *reattached = 0;
    rc = sriov__hv(ctx, &hv);
    if (!rc)
        rc = sriov__recs_lock(ctx, &lockfd);
    if (!rc)
        rc = sriov__recs_load(ctx, &recs);
    /* Another command may have handed this journal a duty since it was read. */
    if (!rc)
        rc = sriov__move_reload_duties(ctx, j);
    if (rc)
        goto out;
    if (moved) {
        if (j->phase == SRIOV_MOVE_LEAVING && sriov__move_is_save(m)) {
            j->phase = SRIOV_MOVE_SAVED;
            j->owner_id[0] = '\0';
            j->owner = 0;
            rc = sriov__move_save(ctx, j);
        } else {
            rc = sriov__move_forget(ctx, &recs, j);
        }
        goto out;
    }
    rc = sriov__uuid_parse(j->uuid, uuid);
    if (!rc)
        rc = hv->ops->domain_by_uuid(hv, uuid, &hd);
    if (rc == -ENOENT)
        rc = sriov__fail(ctx, rc, "%s (%s) is not on this host: its VFs cannot be given "
                         "back here", j->name, j->uuid);
    if (!rc)
        rc = sriov__move_reattach(ctx, hv, &recs, j, &hd, reattached);
    /* Kept when a VF could not be had again: gc retries once this process is
     * gone (a VF may be free by then), and nothing of the domain is lost. */
    if (!rc)
        rc = sriov__move_forget(ctx, &recs, j);
out:
    sriov__recs_dispose(&recs);
    sriov__recs_unlock(ctx, lockfd);
    return rc;
}

/* One journal whose owner is gone: finish or undo, as moves.h says. */
static int recover_one(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                       struct sriov__move *j)
{
    struct sriov_assignment owner = { 0 };
    struct sriov_hv_domain hd;
    uint8_t uuid[16];
    int rc;

    snprintf(owner.owner_id, sizeof(owner.owner_id), "%s", j->owner_id);
    owner.owner = j->owner;
    if (j->phase == SRIOV_MOVE_LEAVING && j->owner_id[0] && sriov__owner_alive(ctx, &owner))
        return 0; /* still moving it (or cannot tell: leave it) */
    rc = sriov__uuid_parse(j->uuid, uuid);
    if (!rc)
        rc = hv->ops->domain_by_uuid(hv, uuid, &hd);
    if (rc == -ENOENT) {
        if (j->phase == SRIOV_MOVE_SAVED)
            return 0; /* kept for restore */
        if (j->save) {
            /* Its mover died after xl save took the domain away: saved. */
            sriov__info(ctx, "%s (%s) was saved: keeping its VFs for restore", j->name,
                        j->uuid);
            j->phase = SRIOV_MOVE_SAVED;
            j->owner_id[0] = '\0';
            j->owner = 0;
            rc = sriov__move_reload_duties(ctx, j);
            return rc ? rc : sriov__move_save(ctx, j);
        }
        sriov__info(ctx, "%s (%s) left this host: forgetting its move", j->name, j->uuid);
        return sriov__move_forget(ctx, recs, j);
    }
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot tell whether domain %s (%s) is here, keeping "
                           "its move journal: %s", j->name, j->name, j->uuid, ctx->last_error);
    if (j->phase == SRIOV_MOVE_HANDED_OVER)
        return 0; /* the orchestrator's, until post-migrate */
    /* Still (or again: restored by plain xl) here: it gets its VFs back. */
    sriov__info(ctx, "%s (%s) is here after an unfinished %s: giving its VFs back", j->name,
                j->uuid, j->phase == SRIOV_MOVE_SAVED ? "save" : "move");
    rc = sriov__move_reattach(ctx, hv, recs, j, &hd, NULL);
    return rc ? rc : sriov__move_forget(ctx, recs, j);
}

int sriov__moves_recover(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs)
{
    struct sriov__saved_error first_error = { "" };
    char **uuids = NULL;
    size_t n = 0;
    int first = 0, rc;

    rc = sriov__moves_list(ctx, &uuids, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        struct sriov__move j;
        int r = sriov__move_load(ctx, uuids[i], &j);

        if (!r) {
            r = recover_one(ctx, hv, recs, &j);
            sriov__move_dispose(&j);
        }
        if (r && !first) {
            first = r;
            sriov__error_save(ctx, &first_error);
        } else if (r) {
            sriov__errlog(ctx, "%s", ctx->last_error);
        }
    }
    sriov__strv_free(uuids, n);
    if (first)
        sriov__error_restore(ctx, &first_error);
    return rc ? rc : first;
}
