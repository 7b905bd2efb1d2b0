/* pci-attach / pci-detach for running domains: the same steps as create, with
 * libxl_device_pci_add/remove in place of xl create, all under the assignments lock. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "assign/records.h"
#include "assign/steps.h"
#include "config/vfreq.h"
#include "core/statefile.h"
#include "hv/hv.h"

/* Slots of VFs attached at run time start here, after any vf= entry's. */
#define RUNTIME_SLOT_BASE 64

/* A domain's name is cut (at a character boundary, sriov__utf8_copy) only where it
 * enters one of these buffers from outside; steps.c copies between them with
 * snprintf, which cuts nothing as long as they are the same size. */
_Static_assert(sizeof(((struct sriov__dom_id *)0)->name) ==
                       sizeof(((struct sriov_assignment *)0)->name) &&
                   sizeof(((struct sriov_hv_domain *)0)->name) ==
                       sizeof(((struct sriov_assignment *)0)->name),
               "domain name buffers differ in size");

static unsigned int free_slot(const struct sriov__recs *recs, const char *uuid)
{
    unsigned int slot = RUNTIME_SLOT_BASE;

    for (size_t i = 0; i < recs->n; i++)
        if (!strcmp(recs->v[i].uuid, uuid))
            slot++;
    return slot;
}

static int domain_lookup(struct sriov_ctx *ctx, struct sriov_hv *hv, const char *spec,
                         struct sriov_hv_domain *out)
{
    int rc = hv->ops->domain_by_name_or_id(hv, spec, out);

    if (rc == -ENOENT)
        return sriov__fail(ctx, rc, "%s: no such domain", spec);
    return rc;
}

int sriov_pci_attach(struct sriov_ctx *ctx, const char *domain, const char *spec,
                     unsigned int flags, char **vf_out)
{
    struct sriov__recs recs = { 0 };
    struct sriov__vf_req req = { 0 };
    struct sriov_hv_domain hd;
    struct sriov__dom_id dom = { 0 };
    struct sriov_hv *hv = NULL;
    char uuid[SRIOV_UUID_STR_LEN];
    int lockfd = -1, rc;
    size_t i;

    *vf_out = NULL;
    rc = sriov__hv(ctx, &hv);
    if (!rc)
        rc = domain_lookup(ctx, hv, domain, &hd);
    if (!rc)
        rc = sriov__vf_req_parse(ctx, spec, "pci-attach", &req);
    if (rc)
        goto out;
    memcpy(dom.uuid, hd.uuid, 16);
    dom.domid = hd.domid;
    sriov__utf8_copy(dom.name, sizeof(dom.name), hd.name);
    sriov__uuid_format(hd.uuid, uuid);
    rc = sriov__recs_lock(ctx, &lockfd);
    if (!rc)
        rc = sriov__recs_load(ctx, &recs);
    if (rc)
        goto out;
    sriov__recover_quietly(ctx, hv, &recs); /* VFs a dead process held become free */
    dom.slot = free_slot(&recs, uuid);
    rc = sriov__assign_prepare(ctx, hv, &recs, &dom, &req, -1, flags, true, &i);
    if (rc)
        goto out;
    *vf_out = strdup(recs.v[i].vf);
    rc = *vf_out ? 0 : -ENOMEM;
out:
    sriov__recs_dispose(&recs);
    sriov__recs_unlock(ctx, lockfd);
    sriov__vf_req_dispose(&req);
    return rc;
}

int sriov_pci_detach(struct sriov_ctx *ctx, const char *domain, const char *vf_sel)
{
    struct sriov__recs recs = { 0 };
    struct sriov_hv_domain hd;
    struct sriov_hv *hv = NULL;
    struct sriov_vf *vf = NULL;
    char uuid[SRIOV_UUID_STR_LEN], bdf[SRIOV_BDF_LEN];
    int lockfd = -1, rc;
    ssize_t i;

    rc = sriov__hv(ctx, &hv);
    if (!rc)
        rc = domain_lookup(ctx, hv, domain, &hd);
    if (rc)
        return rc;
    sriov__uuid_format(hd.uuid, uuid);
    if (sriov__bdf_normalize(vf_sel, bdf)) {
        rc = sriov_vf_find(ctx, vf_sel, &vf);
        if (rc)
            return rc;
        snprintf(bdf, sizeof(bdf), "%s", sriov_dev_bdf(sriov_vf_dev(vf)));
    }
    rc = sriov__recs_lock(ctx, &lockfd);
    if (!rc)
        rc = sriov__recs_load(ctx, &recs);
    if (rc)
        goto out;
    i = sriov__recs_find_vf(&recs, bdf);
    if (i < 0 || strcmp(recs.v[i].uuid, uuid)) {
        rc = sriov__fail(ctx, -ENOENT, "%s is not a VF that xl-sriov gave to domain %s", bdf,
                         hd.name);
        goto out;
    }
    if (recs.v[i].phase == SRIOV_PHASE_RESERVED) {
        /* Its owner may be gone (then the release below undoes its steps); while it
         * lives it is still preparing the VF, and the VF is not ours to take. */
        rc = sriov__owner_alive(ctx, &recs.v[i]);
        if (rc > 0)
            rc = sriov__fail(ctx, -EBUSY, "%s is still being prepared for domain %s by "
                             "process %ld; try again when it is done", bdf, hd.name,
                             (long)recs.v[i].owner);
        if (rc)
            goto out;
    }
    rc = sriov__assign_release(ctx, hv, &recs, (size_t)i, false);
out:
    sriov__recs_dispose(&recs);
    sriov__recs_unlock(ctx, lockfd);
    return rc;
}
