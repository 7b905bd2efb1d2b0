/*
 * Giving back the VFs of domains that are gone, and finishing or undoing what a
 * process that died left half done (the rules per phase are in steps.c's top
 * comment).  A domain is gone only when the hypervisor says so for its UUID
 * (-ENOENT; domids are reused, so they prove nothing): any other answer keeps
 * the record, since releasing a VF a running guest still has would hand it out
 * twice.  A "reserved" record belongs to an xl-sriov that is preparing it (or
 * creating the domain) for as long as that process holds its owner lock
 * (owner.c); it is left alone until then.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "assign/moves.h"
#include "assign/records.h"
#include "assign/steps.h"
#include "core/statefile.h"
#include "hv/hv.h"
#include "hv/holders.h"

enum verdict { KEEP, FINISH, RELEASE };

/* "0000:01:10.0", or "VF 2 of 0000:01:00.0" before the VF existed. */
static const char *vf_label(const struct sriov_assignment *r, char *buf, size_t len)
{
    if (r->vf[0])
        return r->vf;
    snprintf(buf, len, "VF %u of %s", r->index, r->pf);
    return buf;
}

/* A reserved record whose owner is gone, or an attached one with steps pending:
 * does its domain hold the VF?  FINISH if so, RELEASE if definitely not. */
static int judge_held(struct sriov_ctx *ctx, struct sriov_hv *hv,
                      const struct sriov_assignment *r, const uint8_t uuid[16],
                      const struct sriov_hv_domain *dom, enum verdict *v)
{
    struct sriov_hv_domain holder;
    char label[64];
    int rc;

    if (!r->vf[0]) {
        *v = r->phase == SRIOV_PHASE_ATTACHED ? KEEP : RELEASE;
        return 0;
    }
    rc = sriov__hv_holder(ctx, hv, r->vf, &holder);
    if (rc == -ENOENT) {
        *v = r->phase == SRIOV_PHASE_ATTACHED ? KEEP : RELEASE;
        return 0;
    }
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot tell whether domain %s (%s) holds it, keeping "
                           "its record: %s", vf_label(r, label, sizeof(label)), dom->name,
                           r->uuid, ctx->last_error);
    if (memcmp(holder.uuid, uuid, 16))
        return sriov__fail(ctx, -EBUSY, "%s is held by domain %s, not by %s (%s) that its "
                           "record names; keeping the record", r->vf, holder.name, r->name,
                           r->uuid);
    *v = FINISH;
    return 0;
}

static int judge(struct sriov_ctx *ctx, struct sriov_hv *hv, const struct sriov_assignment *r,
                 bool gc, enum verdict *v, struct sriov_hv_domain *dom)
{
    char label[64];
    uint8_t uuid[16];
    int rc;

    *v = KEEP;
    if (r->phase == SRIOV_PHASE_RELEASING) {
        /* Releases run under the lock from start to end: this one's process died
         * or failed.  Its undo of the PCI step asks the hypervisor itself. */
        *v = RELEASE;
        return 0;
    }
    if (r->phase == SRIOV_PHASE_RESERVED) {
        rc = sriov__owner_alive(ctx, r);
        if (rc != 0)
            return rc < 0 ? rc : 0;
        /* Its owner died, maybe with its xl create still making the domain (owner.c):
         * what the hypervisor said before may no longer hold for this one. */
        sriov__holders_stale(ctx);
    } else if (!gc && !r->pending) {
        return 0;
    }
    if (sriov__uuid_parse(r->uuid, uuid))
        return sriov__fail(ctx, -EINVAL, "%s: its record names no valid domain UUID ('%s')",
                           vf_label(r, label, sizeof(label)), r->uuid);
    rc = sriov__hv_domain(ctx, hv, uuid, dom);
    if (rc == -ENOENT) {
        *v = RELEASE;
        return 0;
    }
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot tell whether domain %s (%s) still exists, "
                           "keeping its record: %s", vf_label(r, label, sizeof(label)),
                           r->name, r->uuid, ctx->last_error);
    if (r->phase == SRIOV_PHASE_ATTACHED && !r->pending)
        return 0;
    return judge_held(ctx, hv, r, uuid, dom, v);
}

int sriov__recover(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                   bool gc, unsigned int *released)
{
    struct sriov__saved_error first_error = { "" };
    int first = 0, rc;

    if (released)
        *released = 0;
    for (size_t k = recs->n; k-- > 0;) {
        struct sriov_assignment *r = &recs->v[k];
        struct sriov_hv_domain dom;
        enum verdict v;
        char label[64];

        rc = judge(ctx, hv, r, gc, &v, &dom);
        if (!rc && v == FINISH) {
            sriov__info(ctx, "%s: domain %s (%s) holds it: finishing its record", r->vf,
                        dom.name, r->uuid);
            rc = sriov__assign_commit(ctx, hv, recs, k, &dom);
            if (rc)
                rc = sriov__step_failed(ctx, rc, &recs->v[k], "record");
        } else if (!rc && v == RELEASE) {
            sriov__info(ctx, "%s: giving it back: %s", vf_label(r, label, sizeof(label)),
                        r->phase == SRIOV_PHASE_RELEASING ? "its release was cut short"
                        : r->phase == SRIOV_PHASE_RESERVED ? "the process preparing it is gone"
                        : "its domain is gone");
            rc = sriov__assign_release(ctx, hv, recs, k, true);
            if (!rc && released)
                (*released)++;
        }
        if (rc && !first) {
            first = rc;
            sriov__error_save(ctx, &first_error);
        } else if (rc) {
            sriov__errlog(ctx, "%s", ctx->last_error);
        }
    }
    if (first)
        sriov__error_restore(ctx, &first_error);
    return first;
}

void sriov__recover_quietly(struct sriov_ctx *ctx, struct sriov_hv *hv,
                            struct sriov__recs *recs)
{
    struct sriov__saved_error callers;

    sriov__error_save(ctx, &callers);
    if (sriov__recover(ctx, hv, recs, false, NULL))
        sriov__warn(ctx, "left as it is for now: %s", ctx->last_error);
    sriov__error_restore(ctx, &callers);
}

int sriov_gc(struct sriov_ctx *ctx, unsigned int *released)
{
    struct sriov__recs recs = { 0 };
    struct sriov_hv *hv = NULL;
    int lockfd = -1, rc;

    *released = 0;
    rc = sriov__hv(ctx, &hv);
    if (!rc)
        rc = sriov__recs_lock(ctx, &lockfd);
    if (!rc)
        rc = sriov__recs_load(ctx, &recs);
    if (!rc)
        rc = sriov__recover(ctx, hv, &recs, true, released);
    if (!rc)
        rc = sriov__moves_recover(ctx, hv, &recs);
    sriov__recs_dispose(&recs);
    sriov__recs_unlock(ctx, lockfd);
    return rc;
}

int sriov_wait_release(struct sriov_ctx *ctx, int timeout_ms)
{
    struct sriov_hv *hv = NULL;
    int rc = sriov__hv(ctx, &hv);

    return rc ? rc : hv->ops->wait_release(hv, timeout_ms);
}
