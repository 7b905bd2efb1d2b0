/*
 * Giving a VF to a domain and taking it back, as prepare/commit/rollback
 * (virhostdev.c does the same for libvirt).  The steps, in order:
 *
 *   reserve         pick a free VF and record it (phase "reserved")
 *   enable_vfs      write sriov_numvfs when the PF has no VFs yet
 *   isolation       sriov__isolation_check(); a failure refuses unless forced
 *   l2              MAC/VLAN/rate/... over rtnetlink (vfconfig), saved first
 *   driver_override "pciback" in the VF's driver_override: with the PF's
 *                   sriov_drivers_autoprobe off the kernel refuses pciback's bind
 *                   otherwise (ENODEV); never new_id, which would catch every VF
 *   assignable_add  libxl_device_pci_assignable_add(rebind=1): quarantine + pciback
 *   pci_add         libxl_device_pci_add (pci-attach; `xl create` does it for create)
 *   record          phase "attached", domid hint, xenstore /xen-sriov/<uuid>/<vf>/
 *
 * Write-ahead: before each side effect its bit is saved in the record's
 * "pending" mask; after it, the bit moves to "steps" (saved with the next
 * step's intent, or at the end).  So at every instant a crash leaves a record
 * naming everything that may have changed on the host, and since every undo is
 * idempotent (release.c: undoing what was never done, or is undone already,
 * succeeds) rollback, pci-detach, gc and the next command treat pending steps
 * like done ones.  A kill before the reservation is saved changes nothing.
 * The file holds every domain's records, so the steps that follow each other
 * under one lock hold (driver_override, assignable_add, pci_add) have their
 * intent saved at once, with the first of them or with l2's: a crash before
 * one began leaves it pending, which is what a crash right after its own save
 * left, and undoing it succeeds.  A failure undoes only what began.
 *
 * What "finish or undo" means for a record whose process is gone, decided by
 * sriov__recover() (gc.c) under the assignments lock, which every command takes:
 *   reserved   its owner's lock (owner.c) is free: the preparing process died.
 *              If its domain exists and holds the VF (xl create or pci_add got
 *              that far), taking it away would pull a device out from under a
 *              running guest: finish, i.e. commit (phase attached, xenstore).
 *              If the domain definitely does not exist, or definitely does not
 *              hold the VF: undo every step, done or pending.  If the
 *              hypervisor cannot say: keep the record, report, try next time.
 *              While the owner lives (create drops the lock during xl create):
 *              leave it alone.
 *   attached   keep while the domain exists; steps still pending (a commit cut
 *              short) are finished.  gc gives the VF back once the hypervisor
 *              says definitely "no such domain" (-ENOENT); any other answer
 *              keeps the record and is reported.
 *   releasing  saved before the first undo (release.c) and undone under the
 *              lock throughout, so whoever sees one finishes the release.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "core/plan.h"
#include "assign/records.h"
#include "config/vfreq.h"
#include "hv/hv.h"
#include "hv/holders.h"
#include "assign/alloc.h"
#include "assign/steps.h"
#include "config/network.h"
#include "isolation/isolation.h"
#include "l2/l2.h"
#include "sysfs/sysfs.h"

/* Prefix the recorded reason with the VF and the step that failed. */
int sriov__step_failed(struct sriov_ctx *ctx, int rc, const struct sriov_assignment *r,
                       const char *step)
{
    char why[SRIOV_ERR_LEN];

    snprintf(why, sizeof(why), "%s", ctx->last_error[0] ? ctx->last_error : strerror(-rc));
    if (r && r->vf[0])
        return sriov__fail(ctx, rc, "%s (VF %u of %s): step '%s' failed: %s", r->vf, r->index,
                           r->pf, step, why);
    return sriov__fail(ctx, rc, "step '%s' failed: %s", step, why);
}

static const struct sriov_vf *find_vf(struct sriov_ctx *ctx, const char *bdf)
{
    struct sriov_vf *vf = NULL;

    return sriov_vf_find(ctx, bdf, &vf) ? NULL : vf;
}

/* Write-ahead: the intent to do steps is saved before their side effect, and
 * with it that of the steps more, which begin later in this lock hold without
 * a save of their own (they are "ahead": records.h). */
static int step_begin(struct sriov_ctx *ctx, struct sriov__recs *recs, size_t i,
                      unsigned int steps, unsigned int more)
{
    struct sriov_assignment *r = &recs->v[i];
    bool saved = (steps & ~r->ahead) == 0;

    r->pending |= steps;
    r->ahead &= ~steps;
    if (saved)
        return 0;
    r->ahead |= more & ~(r->pending | r->steps);
    return sriov__recs_save(ctx, recs);
}

/* done is finished; begun (a superset) has nothing left to undo beyond done.  Saved
 * with the next step_begin() or at the end: until then pending still covers it. */
static void step_end(struct sriov__recs *recs, size_t i, unsigned int done, unsigned int begun)
{
    recs->v[i].steps |= done;
    recs->v[i].pending &= ~begun;
}

static int enable_vfs(struct sriov_ctx *ctx, struct sriov__recs *recs, size_t i, unsigned int n)
{
    struct sriov_assignment *r = &recs->v[i];
    unsigned int begun = SRIOV_STEP_ENABLED_VFS;
    struct sriov_pf *pf = NULL;
    const struct sriov_vf *vf;
    int rc;

    rc = sriov_pf_find(ctx, r->pf, &pf);
    if (!rc)
        rc = sriov__pf_reload(ctx, pf);
    if (rc)
        return rc;
    /* Enabling clears sriov_drivers_autoprobe for a moment: a crash then must set it
     * back, since nothing else remembers it was on. */
    if (pf->drivers_autoprobe == 1)
        begun |= SRIOV_STEP_AUTOPROBE;
    rc = step_begin(ctx, recs, i, begun, 0);
    if (!rc)
        rc = sriov__pf_set_numvfs(ctx, pf, n, 0);
    if (rc)
        return rc;
    step_end(recs, i, SRIOV_STEP_ENABLED_VFS, begun);
    for (size_t k = 0; k < sriov_pf_vf_count(pf); k++) {
        vf = sriov_pf_vf(pf, k);
        if (sriov_vf_index(vf) == r->index) {
            snprintf(r->vf, sizeof(r->vf), "%s", sriov_dev_bdf(sriov_vf_dev(vf)));
            return 0;
        }
    }
    return sriov__fail(ctx, -ENODEV, "%s: VF %u did not appear", r->pf, r->index);
}

static int check_isolation(struct sriov_ctx *ctx, struct sriov_hv *hv,
                           const struct sriov_assignment *r, unsigned int flags)
{
    struct sriov_isolation *iso = NULL;
    const struct sriov_vf *vf = find_vf(ctx, r->vf);
    char why[SRIOV_ERR_LEN] = "";
    size_t used = 0;
    int rc;

    if (!vf)
        return sriov__fail(ctx, -ENODEV, "%s: no such VF", r->vf);
    if (vf->predicted) {
        sriov__plan(ctx, "note", "%s does not exist before the VFs are enabled: its isolation "
                    "is judged then, and a failure undoes the steps above", r->vf);
        return 0;
    }
    rc = sriov__isolation_check(ctx, hv, vf, &iso);
    if (rc)
        return rc;
    for (size_t i = 0; i < sriov_isolation_count(iso); i++) {
        if (sriov_isolation_result(iso, i) != SRIOV_ISOLATION_FAILED)
            continue;
        used += (size_t)snprintf(why + used, used < sizeof(why) ? sizeof(why) - used : 0,
                                 "%s%s: %s", used ? "; " : "", sriov_isolation_name(iso, i),
                                 sriov_isolation_detail(iso, i));
        if (used >= sizeof(why))
            used = sizeof(why) - 1;
    }
    if (!sriov_isolation_ok(iso)) {
        if (flags & SRIOV_ASSIGN_FORCE) {
            sriov__warn(ctx, "%s: isolation checks failed, assigning anyway (--force): %s",
                        r->vf, why);
        } else {
            rc = sriov__fail(ctx, -EPERM, "%s is not isolated enough to assign (override with "
                             "--force): %s", r->vf, why);
        }
    }
    sriov_isolation_free(iso);
    return rc;
}

/* The network's defaults, the entry's own keys over them, then the safe defaults for
 * a guest's VF (xl-sriov.cfg(5)): the guest cannot forge its source MAC, is not
 * trusted, and its link follows the PF's. */
static int build_l2(struct sriov_ctx *ctx, const struct sriov__vf_req *req,
                    const struct sriov_assignment *r, struct sriov_vf_config *cfg)
{
    const struct sriov_network *net = req->network ? sriov__network_get(ctx, req->network)
                                                   : NULL;
    int rc;

    if (net)
        sriov__vf_config_overlay(cfg, &net->l2);
    sriov__vf_config_overlay(cfg, &req->l2);
    rc = sriov_vf_config_set_kv(ctx, cfg, "mac", r->mac);
    if (!rc && !(cfg->present & SRIOV_VF_SPOOFCHK))
        rc = sriov_vf_config_set_kv(ctx, cfg, "spoofchk", "on");
    if (!rc && !(cfg->present & SRIOV_VF_TRUST))
        rc = sriov_vf_config_set_kv(ctx, cfg, "trust", "off");
    if (!rc && !(cfg->present & SRIOV_VF_LINK_STATE))
        rc = sriov_vf_config_set_kv(ctx, cfg, "state", "auto");
    if (!rc)
        rc = sriov_vf_config_validate(ctx, cfg);
    return rc;
}

static int apply_l2(struct sriov_ctx *ctx, const struct sriov__vf_req *req,
                    struct sriov__recs *recs, size_t i, unsigned int more)
{
    struct sriov_assignment *r = &recs->v[i];
    const struct sriov_vf *vf = find_vf(ctx, r->vf);
    struct sriov_vf_config cfg;
    struct sriov_vf_ref ref;
    int rc;

    sriov_vf_config_init(&cfg);
    rc = build_l2(ctx, req, r, &cfg);
    if (rc)
        goto out;
    if (!vf || sriov_vf_ref_from_vf(ctx, vf, &ref)) {
        /* A PF without a network interface (NVMe, ...): nothing to configure, unless
         * the entry asked for L2 settings explicitly. */
        if (req->l2.present)
            rc = sriov__fail(ctx, -EOPNOTSUPP, "%s has no network interface: cannot apply "
                             "the L2 settings of '%s'", r->pf, req->spec);
        else
            sriov__info(ctx, "%s: PF has no network interface, no L2 settings applied", r->vf);
        goto out;
    }
    rc = step_begin(ctx, recs, i, SRIOV_STEP_L2, more);
    if (!rc)
        rc = sriov_vf_config_apply(ctx, &ref, &cfg, NULL);
    if (!rc)
        step_end(recs, i, SRIOV_STEP_L2, SRIOV_STEP_L2);
out:
    sriov_vf_config_dispose(&cfg);
    return rc;
}

int sriov__vf_driver_override(struct sriov_ctx *ctx, const char *vf, const char *value)
{
    int rc = sriov__pci_dev_set_driver_override(ctx, vf, value);

    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot write '%s' to driver_override: %s", vf, value,
                           strerror(-rc));
    return 0;
}

/* Pick the MAC: the entry's, else derived from the domain UUID and slot. */
static void choose_mac(const struct sriov__dom_id *dom, const struct sriov__vf_req *req,
                       unsigned int slot, char out[18])
{
    uint8_t m[6];

    if (req->l2.present & SRIOV_VF_MAC)
        memcpy(m, req->l2.mac, 6);
    else
        sriov_mac_derive(dom->uuid, slot, m);
    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* Record the VF as reserved by this process before anything on the host changes. */
static int reserve(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                   const struct sriov__dom_id *dom, const struct sriov__vf_req *req,
                   int prefer_node, unsigned int *numvfs)
{
    struct sriov_assignment r = { 0 };
    const char *owner_id = NULL;
    enum sriov__timed was;
    int rc;

    rc = sriov__owner_claim(ctx, &owner_id);
    was = sriov__time_in(ctx, SRIOV_T_SCAN);
    if (!rc)
        rc = sriov_ctx_scan(ctx);
    sriov__time_in(ctx, SRIOV_T_ALLOC);
    if (!rc)
        rc = sriov__alloc(ctx, hv, recs, req, prefer_node, &r, numvfs);
    sriov__time_in(ctx, was);
    if (rc)
        return rc;
    sriov__uuid_format(dom->uuid, r.uuid);
    r.domid = dom->domid;
    snprintf(r.name, sizeof(r.name), "%s", dom->name);
    r.network = req->network;
    r.spec = req->spec;
    r.phase = SRIOV_PHASE_RESERVED;
    r.owner = getpid();
    snprintf(r.owner_id, sizeof(r.owner_id), "%s", owner_id);
    choose_mac(dom, req, dom->slot, r.mac);
    return sriov__recs_add(recs, &r); /* copies network and spec */
}

/* A step failed on record i (or before it existed): name the step, undo what was
 * done, keep the first error. */
static int step_failed_undo(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                            size_t i, int rc, const char *step)
{
    struct sriov__saved_error why;

    if (i >= recs->n)
        return sriov__step_failed(ctx, rc, NULL, step);
    rc = sriov__step_failed(ctx, rc, &recs->v[i], step);
    sriov__error_save(ctx, &why);
    if (sriov__assign_release(ctx, hv, recs, i, true))
        sriov__errlog(ctx, "rollback incomplete: %s", ctx->last_error);
    sriov__error_restore(ctx, &why);
    return rc;
}

/* The first half; with keep, the record is saved at its end, for a second half
 * that may come from another lock hold.  Without (prepare: the second half
 * follows under this hold), the second half's first save is the next one:
 * what this half changed after its last save (the VF's address and driver, the
 * VFs enabled) has no side effect of its own for a crash to leave behind, and
 * every step of the second half saves its intent before acting. */
static int reserve_half(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                        const struct sriov__dom_id *dom, const struct sriov__vf_req *req,
                        int prefer_node, unsigned int flags, bool keep, size_t *rec_index)
{
    struct sriov_assignment *r;
    const struct sriov_vf *vf;
    enum sriov__timed was;
    unsigned int numvfs = 0;
    const char *step = "reserve";
    size_t i = recs->n;
    int rc;

    rc = reserve(ctx, hv, recs, dom, req, prefer_node, &numvfs);
    if (rc)
        goto out;
    rc = sriov__recs_save(ctx, recs);
    if (rc)
        goto out;
    r = &recs->v[i];

    if (numvfs) {
        step = "enable_vfs";
        was = sriov__time_in(ctx, SRIOV_T_ENABLE);
        rc = enable_vfs(ctx, recs, i, numvfs);
        sriov__time_in(ctx, was);
        if (rc)
            goto out;
    }
    vf = find_vf(ctx, r->vf);
    if (vf && sriov_dev_driver(sriov_vf_dev(vf)) &&
        !(r->driver = strdup(sriov_dev_driver(sriov_vf_dev(vf))))) {
        rc = -ENOMEM;
        goto out;
    }

    step = "isolation";
    was = sriov__time_in(ctx, SRIOV_T_ISOLATION);
    rc = check_isolation(ctx, hv, r, flags);
    sriov__time_in(ctx, was);
    /* The second half may come from another lock hold: what is done must be on disk. */
    if (!rc && keep)
        rc = sriov__recs_save(ctx, recs);
out:
    if (rc)
        return step_failed_undo(ctx, hv, recs, i, rc, step);
    *rec_index = i;
    return 0;
}

int sriov__assign_reserve(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                          const struct sriov__dom_id *dom, const struct sriov__vf_req *req,
                          int prefer_node, unsigned int flags, size_t *rec_index)
{
    return reserve_half(ctx, hv, recs, dom, req, prefer_node, flags, true, rec_index);
}

int sriov__assign_complete(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                           size_t i, const struct sriov__dom_id *dom,
                           const struct sriov__vf_req *req, bool attach)
{
    struct sriov_hv_domain hd = { .domid = dom->domid };
    struct sriov_assignment *r = &recs->v[i];
    const char *step = "l2";
    enum sriov__timed was = sriov__time_in(ctx, SRIOV_T_L2);
    /* What follows l2 under this hold, saved ahead with the first intent. */
    unsigned int more = SRIOV_STEP_OVERRIDE | SRIOV_STEP_ASSIGNABLE |
                        (attach ? SRIOV_STEP_PCI : 0);
    int rc;

    rc = apply_l2(ctx, req, recs, i, more);
    sriov__time_in(ctx, SRIOV_T_ASSIGNABLE);
    if (rc)
        goto out;

    step = "driver_override";
    rc = step_begin(ctx, recs, i, SRIOV_STEP_OVERRIDE, more);
    if (!rc)
        rc = sriov__vf_driver_override(ctx, r->vf, "pciback");
    if (rc)
        goto out;
    step_end(recs, i, SRIOV_STEP_OVERRIDE, SRIOV_STEP_OVERRIDE);

    /* libxl leaves a half-done assignable_add as it is; the pending bit has the
     * rollback's assignable_remove cope with that and give the driver back. */
    step = "assignable_add";
    rc = step_begin(ctx, recs, i, SRIOV_STEP_ASSIGNABLE, more);
    if (!rc)
        rc = hv->ops->assignable_add(hv, r->vf);
    if (rc)
        goto out;
    step_end(recs, i, SRIOV_STEP_ASSIGNABLE, SRIOV_STEP_ASSIGNABLE);
    sriov__time_in(ctx, was);
    if (!attach) {
        rc = sriov__recs_save(ctx, recs);
        goto out;
    }

    memcpy(hd.uuid, dom->uuid, 16);
    snprintf(hd.name, sizeof(hd.name), "%s", dom->name);
    step = "pci_add";
    rc = step_begin(ctx, recs, i, SRIOV_STEP_PCI, more);
    if (!rc)
        rc = hv->ops->pci_add(hv, &hd, r->vf, &req->pci);
    sriov__holders_stale(ctx); /* failed or not: it may have taken effect */
    if (rc)
        goto out;
    step_end(recs, i, SRIOV_STEP_PCI, SRIOV_STEP_PCI);
    step = "record";
    rc = sriov__assign_commit(ctx, hv, recs, i, &hd);
out:
    sriov__time_in(ctx, was);
    return rc ? step_failed_undo(ctx, hv, recs, i, rc, step) : 0;
}

int sriov__assign_prepare(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                          const struct sriov__dom_id *dom, const struct sriov__vf_req *req,
                          int prefer_node, unsigned int flags, bool attach, size_t *rec_index)
{
    int rc = reserve_half(ctx, hv, recs, dom, req, prefer_node, flags, false, rec_index);

    return rc ? rc : sriov__assign_complete(ctx, hv, recs, *rec_index, dom, req, attach);
}

/* The steps that pci_add (or xl create) follows; not autoprobe, which is only
 * ever pending until enable_vfs puts it back. */
#define BEFORE_PCI (SRIOV_STEP_ENABLED_VFS | SRIOV_STEP_L2 | SRIOV_STEP_OVERRIDE | \
                    SRIOV_STEP_ASSIGNABLE)

int sriov__assign_commit(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                         size_t i, const struct sriov_hv_domain *dom)
{
    struct sriov_assignment *r = &recs->v[i];
    int rc;

    /* The domain has the VF (the caller's pci_add or xl create, or what recovery
     * found), so PCI is done; xenstore is written ahead as pending, and the record
     * stays "reserved" until the publish is complete: a crash in between is
     * finished by the next command (gc.c), a failure undone by the caller. */
    r->domid = dom->domid;
    snprintf(r->name, sizeof(r->name), "%s", dom->name);
    r->steps |= SRIOV_STEP_PCI;
    r->pending &= ~SRIOV_STEP_PCI;
    /* Every step before PCI came before it: with the VF in the domain they are
     * done, even if a crash left them pending (saved ahead, steps.c's top). */
    r->steps |= r->pending & BEFORE_PCI;
    r->pending &= ~BEFORE_PCI;
    rc = step_begin(ctx, recs, i, SRIOV_STEP_XS, 0);
    if (!rc) {
        enum sriov__timed was = sriov__time_in(ctx, SRIOV_T_XS);
        rc = sriov__xs_publish(hv, r);
        sriov__time_in(ctx, was);
    }
    if (rc)
        return rc;
    step_end(recs, i, SRIOV_STEP_XS, SRIOV_STEP_XS);
    r->phase = SRIOV_PHASE_ATTACHED;
    r->owner = 0;
    r->owner_id[0] = '\0';
    return sriov__recs_save(ctx, recs);
}
