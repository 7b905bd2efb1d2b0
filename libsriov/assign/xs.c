/* Publishing assignments in xenstore, where other tools can see them:
 * /xen-sriov/<domain-uuid>/<vf>/{pf,index,network,mac,domid}. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "assign/records.h"
#include "hv/hv.h"
#include "assign/steps.h"

/* xenstore allows only [A-Za-z0-9-/_@] in paths, so the BDF is spelled as libxl
 * spells it under /libxl/pci: 0000:03:10.2 becomes 0000-03-10-2. */
void sriov__xs_vf_path(const char *uuid, const char *vf, char *path, size_t len)
{
    size_t n = (size_t)snprintf(path, len, "/xen-sriov/%s/", uuid);

    for (const char *c = vf; *c && n + 1 < len; c++)
        path[n++] = (*c == ':' || *c == '.') ? '-' : *c;
    path[n < len ? n : len - 1] = '\0';
}

static void xs_vf_dir(const struct sriov_assignment *r, char *path, size_t len)
{
    sriov__xs_vf_path(r->uuid, r->vf, path, len);
}

int sriov__xs_publish(struct sriov_hv *hv, const struct sriov_assignment *r)
{
    char dir[128], path[160], val[32];
    int rc;

    /* xenstore stores any bytes in a value, but its readers (xenstore-ls, reconcile,
     * the sim's one-line-per-node store) expect one line of text.  The other values
     * are numbers, a BDF and a MAC, checked with the record (records.c); network
     * names are checked when sriov.cfg is read, so this only guards that promise. */
    if (r->network && !sriov__utf8_printable(r->network))
        return sriov__fail(hv->ctx, -EINVAL, "%s: its network's name is not printable "
                           "UTF-8 and cannot be published in xenstore", r->vf);
    xs_vf_dir(r, dir, sizeof(dir));

    snprintf(path, sizeof(path), "%s/pf", dir);
    rc = hv->ops->xs_write(hv, path, r->pf);
    snprintf(path, sizeof(path), "%s/index", dir);
    snprintf(val, sizeof(val), "%u", r->index);
    if (!rc)
        rc = hv->ops->xs_write(hv, path, val);
    snprintf(path, sizeof(path), "%s/network", dir);
    if (!rc)
        rc = hv->ops->xs_write(hv, path, r->network ? r->network : "");
    snprintf(path, sizeof(path), "%s/mac", dir);
    if (!rc)
        rc = hv->ops->xs_write(hv, path, r->mac);
    snprintf(path, sizeof(path), "%s/domid", dir);
    snprintf(val, sizeof(val), "%u", r->domid);
    if (!rc)
        rc = hv->ops->xs_write(hv, path, val);
    return rc;
}

int sriov__xs_unpublish(struct sriov_hv *hv, const struct sriov__recs *recs, size_t i)
{
    const struct sriov_assignment *r = &recs->v[i];
    char path[160];
    int rc;

    xs_vf_dir(r, path, sizeof(path));
    rc = hv->ops->xs_rm(hv, path);
    if (rc)
        return rc;
    for (size_t k = 0; k < recs->n; k++)
        if (k != i && !strcmp(recs->v[k].uuid, r->uuid) &&
            ((recs->v[k].steps | recs->v[k].pending) & SRIOV_STEP_XS))
            return 0;
    snprintf(path, sizeof(path), "/xen-sriov/%s", r->uuid);
    return hv->ops->xs_rm(hv, path);
}
