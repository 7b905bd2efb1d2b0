/*
 * Reconcile: make assignments.json agree with the host again (sriov.h).  The
 * host is the truth: which domain holds a VF (the hypervisor), the VF's driver
 * and driver_override (sysfs), saved VF settings (l2 records) and our nodes
 * under /xen-sriov in xenstore.  A VF counts as ours only with one of our
 * marks on it: a /xen-sriov node, or driver_override "pciback" (libxl's own
 * assignable_add never writes driver_override, so `xl pci-assignable-add` by
 * hand leaves no such mark).  Everything runs under the assignments lock;
 * with a dry run the report says what would change and nothing does.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "core/plan.h"
#include "assign/records.h"
#include "assign/steps.h"
#include "core/report.h"
#include "core/statefile.h"
#include "hv/hv.h"
#include "hv/holders.h"
#include "l2/l2.h"
#include "sysfs/sysfs.h"

struct reconcile {
    struct sriov_ctx *ctx;
    struct sriov_hv *hv;
    struct sriov__recs recs;
    struct sriov_report *report;
    bool dry_run;                /* SRIOV_RECONCILE_DRY_RUN: decide, do nothing */
    bool would;                  /* that, or a planning context (which does it all,
                                    each change planned): the report says "would" */
    bool xs_read;                /* xs holds our nodes as check_vfs() began */
    struct sriov__xs_nodes xs;
};

/* What the host says about one VF. */
struct vf_facts {
    const struct sriov_vf *vf;
    bool override_pciback;
    bool bound_pciback;
    bool l2_saved;
    char xs_uuid[SRIOV_UUID_STR_LEN]; /* domain of a /xen-sriov node naming it, "" if none */
};

static const char *verb(const struct reconcile *rc, const char *done, const char *would)
{
    return rc->would ? would : done;
}

/* Whether domain uuid (a canonical UUID) has our node for this VF. */
static bool has_xs_node(struct reconcile *rc, const char *uuid, const char *bdf)
{
    char path[160], *value = NULL;
    uint8_t bin[16];
    bool yes;

    if (sriov__uuid_parse(uuid, bin))
        return false; /* not a node of ours: check_xenstore() removes it */
    sriov__xs_vf_path(uuid, bdf, path, sizeof(path));
    strncat(path, "/pf", sizeof(path) - strlen(path) - 1);
    yes = rc->hv->ops->xs_read(rc->hv, path, &value) == 0;
    free(value);
    return yes;
}

/* The domain UUID under /xen-sriov that has a node for this VF, if any, as the
 * nodes were when check_vfs() began: read once, since asking for each VF would
 * ask about every domain.  (So a release that removes a domain's whole node
 * does not hide the marks of its other VFs, which are judged next.) */
static int find_xs_node(struct reconcile *rc, const char *bdf, char out[SRIOV_UUID_STR_LEN])
{
    int r = 0;

    out[0] = '\0';
    if (!rc->xs_read) {
        rc->xs_read = true;
        r = sriov__xs_nodes_read(rc->hv, &rc->xs);
    }
    if (!r)
        sriov__xs_nodes_find(&rc->xs, bdf, out);
    return r;
}

static int gather(struct reconcile *rc, const struct sriov_vf *vf, struct vf_facts *f)
{
    const char *bdf = sriov_dev_bdf(sriov_vf_dev(vf));
    const char *drv = sriov_dev_driver(sriov_vf_dev(vf));
    char override[64] = "", path[PATH_MAX];
    struct sriov_vf_ref ref;

    memset(f, 0, sizeof(*f));
    f->vf = vf;
    f->bound_pciback = drv && !strcmp(drv, "pciback");
    if (sriov__pci_dev_read(rc->ctx, bdf, "driver_override", override, sizeof(override)) == 0)
        f->override_pciback = !strcmp(override, "pciback");
    if (sriov_vf_ref_from_vf(rc->ctx, vf, &ref) == 0 &&
        sriov__vf_record_path(rc->ctx, &ref, path, sizeof(path)) == 0)
        f->l2_saved = sriov__vf_record_exists(rc->ctx, path);
    return find_xs_node(rc, bdf, f->xs_uuid);
}

/* The steps a record must undo for what the host shows of this VF. */
static unsigned int steps_seen(const struct vf_facts *f, bool held)
{
    return (held ? SRIOV_STEP_PCI : 0) | (f->bound_pciback ? SRIOV_STEP_ASSIGNABLE : 0) |
           (f->override_pciback ? SRIOV_STEP_OVERRIDE : 0) | (f->l2_saved ? SRIOV_STEP_L2 : 0) |
           (f->xs_uuid[0] ? SRIOV_STEP_XS : 0);
}

static void fill_record(struct sriov_assignment *a, const struct vf_facts *f,
                        const struct sriov_hv_domain *dom)
{
    const struct sriov_vf *vf = f->vf;

    memset(a, 0, sizeof(*a));
    if (dom) {
        sriov__uuid_format(dom->uuid, a->uuid);
        a->domid = dom->domid;
        snprintf(a->name, sizeof(a->name), "%s", dom->name);
    } else {
        uint8_t u[16] = { 0 };
        if (f->xs_uuid[0] && sriov__uuid_parse(f->xs_uuid, u))
            memset(u, 0, sizeof(u));
        sriov__uuid_format(u, a->uuid); /* canonical, as a record must be */
    }
    snprintf(a->pf, sizeof(a->pf), "%s", sriov_dev_bdf(sriov_pf_dev(sriov_vf_pf(vf))));
    a->index = sriov_vf_index(vf);
    snprintf(a->vf, sizeof(a->vf), "%s", sriov_dev_bdf(sriov_vf_dev(vf)));
    a->phase = SRIOV_PHASE_ATTACHED;
    a->steps = steps_seen(f, dom != NULL);
}

static bool is_mac(const char *s)
{
    if (strlen(s) != 17)
        return false;
    for (size_t i = 0; i < 17; i++)
        if (i % 3 == 2 ? s[i] != ':' : !strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
            return false;
    return true;
}

/* What our xenstore node (of domain uuid) remembers of the entry: network and MAC. */
static int recall_from_xs(struct reconcile *rc, const char *uuid, struct sriov_assignment *a)
{
    char path[192], *value = NULL;
    size_t base;

    sriov__xs_vf_path(uuid, a->vf, path, sizeof(path));
    base = strlen(path);
    /* Only what a record may hold: anything else would make the record unsavable. */
    snprintf(path + base, sizeof(path) - base, "/mac");
    if (rc->hv->ops->xs_read(rc->hv, path, &value) == 0 && is_mac(value))
        snprintf(a->mac, sizeof(a->mac), "%s", value);
    free(value);
    value = NULL;
    snprintf(path + base, sizeof(path) - base, "/network");
    if (rc->hv->ops->xs_read(rc->hv, path, &value) == 0 && *value &&
        sriov__utf8_printable(value)) {
        a->network = value;
        value = NULL;
    }
    free(value);
    return 0;
}

/* A live domain holds a VF with our marks and no record: write the record again.
 * The node found may be another domain's (the VF given on by hand): the holder
 * gets its own.  A dry run keeps the record in memory too, so that what it
 * reports for the xenstore nodes is what a real run would do. */
static int rebuild(struct reconcile *rc, const struct vf_facts *f,
                   const struct sriov_hv_domain *dom)
{
    struct sriov_assignment a;
    bool own;
    int r;

    fill_record(&a, f, dom);
    own = has_xs_node(rc, a.uuid, a.vf);
    if (!own)
        a.steps &= ~SRIOV_STEP_XS;
    if (f->xs_uuid[0])
        recall_from_xs(rc, own ? a.uuid : f->xs_uuid, &a);
    r = sriov__report_add(rc->report, "rebuilt", a.vf, "%s by domain %s (%s): %s",
                          verb(rc, "held", "is held"), a.name, a.uuid,
                          verb(rc, "record rebuilt from the host", "the record would be rebuilt"));
    if (!r)
        r = sriov__recs_add(&rc->recs, &a);
    if (!r && !rc->dry_run && !own) {
        rc->recs.v[rc->recs.n - 1].steps |= SRIOV_STEP_XS;
        r = sriov__xs_publish(rc->hv, &rc->recs.v[rc->recs.n - 1]);
    }
    sriov__rec_dispose(&a);
    return r;
}

/* Undo what record i says was done; report it either way. */
static int release(struct reconcile *rc, size_t i, const char *why)
{
    char vf[SRIOV_BDF_LEN];
    int r;

    snprintf(vf, sizeof(vf), "%s", rc->recs.v[i].vf);
    if (rc->dry_run) {
        r = sriov__report_add(rc->report, "released", vf, "%s: would be given back", why);
        sriov__recs_remove(&rc->recs, i);
        return r;
    }
    r = sriov__assign_release(rc->ctx, rc->hv, &rc->recs, i, true);
    if (r)
        return sriov__report_add(rc->report, "kept", vf, "%s, but giving it back failed: %s",
                                 why, sriov_ctx_last_error(rc->ctx));
    return sriov__report_add(rc->report, "released", vf, "%s: %s", why,
                             verb(rc, "given back", "would be given back"));
}

/* Records first: their domain must exist and still hold their VF.  A VF another
 * domain holds now (given to it by hand after ours let go) is in use: its record
 * is dropped without touching the host, and check_vf() judges the VF afresh. */
static int check_records(struct reconcile *rc)
{
    struct sriov_hv_domain dom, holder;
    char why[192];
    int r = 0;

    for (size_t k = rc->recs.n; !r && k-- > 0;) {
        struct sriov_assignment *a = &rc->recs.v[k];
        uint8_t uuid[16];
        int lookup, owner;
        if (a->phase == SRIOV_PHASE_RESERVED)
            continue; /* being prepared, or its preparer's crash is gc's to undo */
        lookup = sriov__uuid_parse(a->uuid, uuid) ? -ENOENT
                                                  : sriov__hv_domain(rc->ctx, rc->hv, uuid, &dom);
        if (lookup && lookup != -ENOENT) {
            r = sriov__report_add(rc->report, "kept", a->vf, "cannot ask whether domain %s "
                                  "exists: %s", a->uuid, sriov_ctx_last_error(rc->ctx));
            continue;
        }
        owner = sriov__hv_holder(rc->ctx, rc->hv, a->vf, &holder);
        if (owner && owner != -ENOENT) {
            r = sriov__report_add(rc->report, "kept", a->vf, "cannot ask who holds it: %s",
                                  sriov_ctx_last_error(rc->ctx));
            continue;
        }
        if (owner == 0 && lookup == 0 && !memcmp(holder.uuid, dom.uuid, 16))
            continue;
        if (owner == 0) {
            sriov__recs_remove(&rc->recs, k);
            continue;
        }
        if (lookup == -ENOENT) {
            snprintf(why, sizeof(why), "domain %s (%s) is gone", a->name, a->uuid);
        } else {
            /* Detached behind our back (xl pci-detach): the domain no longer needs it. */
            a->steps &= ~SRIOV_STEP_PCI;
            snprintf(why, sizeof(why), "domain %s no longer holds it", a->name);
        }
        r = release(rc, k, why);
    }
    return r;
}

/* Then every VF no record names. */
static int check_vf(struct reconcile *rc, const struct sriov_vf *vf)
{
    const char *bdf = sriov_dev_bdf(sriov_vf_dev(vf));
    struct sriov_hv_domain holder;
    struct sriov_assignment a;
    struct vf_facts f;
    int owner, r;

    if (sriov__recs_find_vf(&rc->recs, bdf) >= 0)
        return 0;
    r = gather(rc, vf, &f);
    if (r)
        return r;
    owner = sriov__hv_holder(rc->ctx, rc->hv, bdf, &holder);
    if (owner && owner != -ENOENT)
        return sriov__report_add(rc->report, "kept", bdf, "cannot ask who holds it: %s",
                                 sriov_ctx_last_error(rc->ctx));
    if (!f.override_pciback && !f.xs_uuid[0]) {
        if (owner == 0 || f.bound_pciback)
            return sriov__report_add(rc->report, "kept", bdf, "%s by hand (no mark of "
                                     "xl-sriov on it): left alone",
                                     owner == 0 ? "given to a domain" : "made assignable");
        return 0;
    }
    if (owner == 0)
        return rebuild(rc, &f, &holder);
    fill_record(&a, &f, NULL);
    r = sriov__recs_add(&rc->recs, &a);
    sriov__rec_dispose(&a);
    return r ? r : release(rc, rc->recs.n - 1, "no domain holds it, yet it carries our marks");
}

static int check_vfs(struct reconcile *rc)
{
    int r = sriov_ctx_scan(rc->ctx);

    for (size_t p = 0; !r && p < sriov_ctx_pf_count(rc->ctx); p++) {
        const struct sriov_pf *pf = sriov_ctx_pf(rc->ctx, p);
        for (size_t v = 0; !r && v < sriov_pf_vf_count(pf); v++)
            r = check_vf(rc, sriov_pf_vf(pf, v));
    }
    return r;
}

/* Last, /xen-sriov nodes that no record explains. */
static int check_xenstore(struct reconcile *rc)
{
    char **uuids = NULL, **vfs = NULL, path[192];
    size_t nu = 0, nv = 0;
    int r = rc->hv->ops->xs_list(rc->hv, "/xen-sriov", &uuids, &nu);

    if (r == -ENOENT)
        return 0;
    for (size_t i = 0; !r && i < nu; i++) {
        bool any = false;
        for (size_t k = 0; k < rc->recs.n; k++)
            any |= !strcmp(rc->recs.v[k].uuid, uuids[i]);
        if (any)
            continue;
        if ((size_t)snprintf(path, sizeof(path), "/xen-sriov/%s", uuids[i]) >= sizeof(path)) {
            /* Cut short, the path would name another node: never remove that one. */
            r = sriov__report_add(rc->report, "kept", "/xen-sriov", "a node with a name of "
                                  "%zu bytes, too long to be ours: left alone", strlen(uuids[i]));
            continue;
        }
        r = sriov__report_add(rc->report, "removed", path, "no record is left for domain %s%s",
                              uuids[i], rc->would ? ": would be removed" : "");
        if (!r && !rc->dry_run)
            r = rc->hv->ops->xs_rm(rc->hv, path);
    }
    sriov__strv_free(uuids, nu);
    sriov__strv_free(vfs, nv);
    return r;
}

/* An unreadable state file is kept for the record, under another name. */
static int load_or_set_aside(struct reconcile *rc)
{
    char path[PATH_MAX], aside[PATH_MAX + 32];
    int r = sriov__recs_load(rc->ctx, &rc->recs);

    if (r != -EINVAL && r != -EBADMSG)
        return r;
    r = sriov__recs_path(rc->ctx, path, sizeof(path));
    if (r)
        return r;
    /* The pid too: two set aside within one second must not overwrite each other. */
    snprintf(aside, sizeof(aside), "%s.corrupt.%lld.%ld", path, (long long)time(NULL),
             (long)getpid());
    r = sriov__report_add(rc->report, "moved-aside", path, "unreadable (%s): %s %s",
                          sriov_ctx_last_error(rc->ctx), verb(rc, "renamed", "would be renamed"),
                          aside);
    if (!r && !rc->dry_run && sriov__dry_run(rc->ctx))
        sriov__plan(rc->ctx, "state", "rename %s to %s", path, aside);
    else if (!r && !rc->dry_run && rename(path, aside))
        r = sriov__fail(rc->ctx, -errno, "cannot rename %s: %s", path, strerror(errno));
    return r;
}

int sriov_reconcile(struct sriov_ctx *ctx, unsigned int flags, struct sriov_report **ret)
{
    struct reconcile rc = { .ctx = ctx,
                            .dry_run = (flags & SRIOV_RECONCILE_DRY_RUN) && !sriov__dry_run(ctx),
                            .would = (flags & SRIOV_RECONCILE_DRY_RUN) || sriov__dry_run(ctx) };
    int lockfd = -1, r;

    *ret = NULL;
    if (flags & ~SRIOV_RECONCILE_DRY_RUN)
        return sriov__fail(ctx, -EINVAL, "reconcile: unknown flags 0x%x", flags);
    r = sriov__report_new(&rc.report);
    if (!r)
        r = sriov__hv(ctx, &rc.hv);
    if (!r)
        r = sriov__recs_lock(ctx, &lockfd);
    if (!r)
        r = load_or_set_aside(&rc);
    if (!r)
        r = check_records(&rc);
    if (!r)
        r = check_vfs(&rc);
    if (!r)
        r = check_xenstore(&rc);
    if (!r && !rc.dry_run)
        r = sriov__recs_save(ctx, &rc.recs);
    if (!r) {
        *ret = rc.report;
        rc.report = NULL;
    }
    sriov__recs_dispose(&rc.recs);
    sriov__xs_nodes_dispose(&rc.xs);
    sriov__recs_unlock(ctx, lockfd);
    sriov_report_free(rc.report);
    return r;
}
