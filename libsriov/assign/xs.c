/* Publishing assignments in xenstore, where other tools can see them:
 * /xen-sriov/<domain-uuid>/<vf>/{pf,index,network,mac,domid}; and reading all
 * of them back at once. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

static int cmp_node(const void *a, const void *b)
{
    const struct sriov__xs_node *x = a, *y = b;
    int c = strcmp(x->vf, y->vf);

    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The nodes of domain uuid that are ours: they have a pf. */
static int read_domain(struct sriov_hv *hv, const char *uuid, struct sriov__xs_nodes *out)
{
    char **vfs = NULL, path[192], *value = NULL;
    struct sriov__xs_node *v;
    uint8_t bin[16];
    size_t n = 0;
    int rc;

    if (strlen(uuid) >= SRIOV_UUID_STR_LEN || sriov__uuid_parse(uuid, bin))
        return 0; /* not a node of ours (reconcile removes it) */
    snprintf(path, sizeof(path), "/xen-sriov/%s", uuid);
    rc = hv->ops->xs_list(hv, path, &vfs, &n);
    if (rc == -ENOENT)
        return 0;
    for (size_t i = 0; !rc && i < n; i++) {
        if (strlen(vfs[i]) >= SRIOV_BDF_LEN)
            continue; /* no VF's name */
        snprintf(path, sizeof(path), "/xen-sriov/%s/%s/pf", uuid, vfs[i]);
        if (hv->ops->xs_read(hv, path, &value) != 0)
            continue;
        free(value);
        value = NULL;
        v = realloc(out->v, (out->n + 1) * sizeof(*v));
        if (!v) {
            rc = -ENOMEM;
            break;
        }
        out->v = v;
        v += out->n;
        snprintf(v->vf, sizeof(v->vf), "%s", vfs[i]);
        snprintf(v->uuid, sizeof(v->uuid), "%s", uuid);
        v->order = out->n++;
    }
    sriov__strv_free(vfs, n);
    return rc;
}

int sriov__xs_nodes_read(struct sriov_hv *hv, struct sriov__xs_nodes *out)
{
    char **uuids = NULL;
    size_t n = 0;
    int rc;

    out->v = NULL;
    out->n = 0;
    rc = hv->ops->xs_list(hv, "/xen-sriov", &uuids, &n);
    if (rc == -ENOENT)
        return 0;
    for (size_t i = 0; !rc && i < n; i++)
        rc = read_domain(hv, uuids[i], out);
    sriov__strv_free(uuids, n);
    if (rc) {
        sriov__xs_nodes_dispose(out);
        return rc;
    }
    if (out->n) /* qsort() wants a real array even for none */
        qsort(out->v, out->n, sizeof(*out->v), cmp_node);
    return 0;
}

void sriov__xs_nodes_find(const struct sriov__xs_nodes *nodes, const char *vf,
                          char out[SRIOV_UUID_STR_LEN])
{
    char path[64];
    const char *name;
    size_t lo = 0, hi = nodes->n;

    /* The node's name as publishing spells it. */
    sriov__xs_vf_path("-", vf, path, sizeof(path));
    name = path + strlen("/xen-sriov/-/");
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(nodes->v[mid].vf, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    out[0] = '\0';
    if (lo < nodes->n && !strcmp(nodes->v[lo].vf, name))
        snprintf(out, SRIOV_UUID_STR_LEN, "%s", nodes->v[lo].uuid);
}

void sriov__xs_nodes_dispose(struct sriov__xs_nodes *nodes)
{
    free(nodes->v);
    nodes->v = NULL;
    nodes->n = 0;
}
