/*
 * Giving back the VFs of domains that are gone.  A domain is gone when no
 * domain has its UUID (domids are reused, so they prove nothing).  A record
 * still "reserved" belongs to an xl-sriov that is preparing it (or creating the
 * domain); it is left alone while that process lives.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "assign/records.h"
#include "assign/steps.h"
#include "core/statefile.h"
#include "hv/hv.h"

static bool owner_alive(pid_t pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

int sriov_gc(struct sriov_ctx *ctx, unsigned int *released)
{
    struct sriov__recs recs = { 0 };
    struct sriov_hv_domain dom;
    struct sriov_hv *hv = NULL;
    struct sriov__saved_error first_error = { "" };
    int lockfd = -1, rc, first = 0;

    *released = 0;
    rc = sriov__hv(ctx, &hv);
    if (!rc)
        rc = sriov__lock(ctx, "assignments", &lockfd);
    if (!rc)
        rc = sriov__recs_load(ctx, &recs);
    if (rc)
        goto out;
    for (size_t k = recs.n; k-- > 0;) {
        struct sriov_assignment *r = &recs.v[k];
        uint8_t uuid[16];
        if (sriov__uuid_parse(r->uuid, uuid) == 0 && hv->ops->domain_by_uuid(hv, uuid, &dom) == 0)
            continue;
        if (r->phase == SRIOV_PHASE_RESERVED && owner_alive(r->owner))
            continue;
        sriov__info(ctx, "%s: domain %s (%s) is gone, giving its VF back", r->vf, r->name,
                    r->uuid);
        rc = sriov__assign_release(ctx, hv, &recs, k, true);
        if (rc && !first) {
            first = rc;
            sriov__error_save(ctx, &first_error);
        }
        if (!rc)
            (*released)++;
    }
    rc = first;
    if (rc)
        sriov__error_restore(ctx, &first_error);
out:
    sriov__recs_dispose(&recs);
    sriov__unlock(lockfd);
    return rc;
}

int sriov_wait_release(struct sriov_ctx *ctx, int timeout_ms)
{
    struct sriov_hv *hv = NULL;
    int rc = sriov__hv(ctx, &hv);

    return rc ? rc : hv->ops->wait_release(hv, timeout_ms);
}
