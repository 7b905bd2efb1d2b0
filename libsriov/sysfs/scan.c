/* Discovery: PFs are functions with sriov_totalvfs; their VFs are the virtfnN links. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sysfs/sysfs.h"

static void vf_free(struct sriov_vf *vf)
{
    if (!vf)
        return;
    sriov__dev_dispose(&vf->dev);
    free(vf);
}

static void pf_vfs_free(struct sriov_pf *pf)
{
    for (size_t i = 0; i < pf->n_vfs; i++)
        vf_free(pf->vfs[i]);
    free(pf->vfs);
    pf->vfs = NULL;
    pf->n_vfs = 0;
}

static void pf_free(struct sriov_pf *pf)
{
    if (!pf)
        return;
    pf_vfs_free(pf);
    sriov__dev_dispose(&pf->dev);
    free(pf);
}

void sriov__pfs_free(struct sriov_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_pfs; i++)
        pf_free(ctx->pfs[i]);
    free(ctx->pfs);
    ctx->pfs = NULL;
    ctx->n_pfs = 0;
    ctx->scanned = false;
}

static int cmp_pf(const void *a, const void *b)
{
    const struct sriov_pf *x = *(struct sriov_pf *const *)a, *y = *(struct sriov_pf *const *)b;
    return strcmp(x->dev.bdf, y->dev.bdf);
}

static int load_vf(struct sriov_ctx *ctx, struct sriov_pf *pf, unsigned int index,
                   struct sriov_vf **ret)
{
    char bdf[NAME_MAX + 1];
    struct sriov_vf *vf;
    int rc;

    rc = sriov__pci_virtfn(ctx, pf->dev.bdf, index, bdf, sizeof(bdf));
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot read virtfn%u", pf->dev.bdf, index);
    if (!sriov__is_bdf(bdf))
        return sriov__fail(ctx, -EPROTO, "%s: virtfn%u points at '%s', not a PCI address",
                           pf->dev.bdf, index, bdf);
    vf = calloc(1, sizeof(*vf));
    if (!vf)
        return -ENOMEM;
    vf->index = index;
    vf->pf = pf;
    /* What the kernel itself gives a new VF (drivers/pci/iov.c pci_iov_add_virtfn):
     * the PF's vendor, the SR-IOV capability's VF device ID; sysfs refines it. */
    vf->dev.vendor = pf->dev.vendor;
    vf->dev.device = pf->vf_device;
    vf->dev.class = pf->dev.class;
    vf->dev.numa_node = pf->dev.numa_node;
    rc = sriov__dev_load_lazy(ctx, bdf, &vf->dev);
    if (rc) {
        vf_free(vf);
        return rc;
    }
    *ret = vf;
    return 0;
}

/* The VFs in index order, as their virtfnN links show them. */
static int load_vfs(struct sriov_ctx *ctx, struct sriov_pf *pf)
{
    unsigned int *indexes = NULL;
    size_t n = 0;
    int rc;

    rc = sriov__pci_virtfn_indexes(ctx, pf->dev.bdf, &indexes, &n);
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot open its sysfs directory", pf->dev.bdf);
    if (n) {
        pf->vfs = calloc(n, sizeof(*pf->vfs));
        if (!pf->vfs) {
            rc = -ENOMEM;
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++) {
        rc = load_vf(ctx, pf, indexes[i], &pf->vfs[pf->n_vfs]);
        if (rc)
            goto out;
        pf->n_vfs++;
    }
out:
    free(indexes);
    return rc;
}

static int read_count(struct sriov_ctx *ctx, const char *bdf, const char *attr,
                      unsigned int *out)
{
    unsigned long v;
    int rc = sriov__pci_dev_require_uint(ctx, bdf, attr, 10, &v);

    if (!rc)
        *out = v;
    return rc;
}

static int load_pf_attrs(struct sriov_ctx *ctx, struct sriov_pf *pf)
{
    const char *bdf = pf->dev.bdf;
    unsigned long v;
    int rc;

    rc = read_count(ctx, bdf, "sriov_totalvfs", &pf->totalvfs);
    if (!rc)
        rc = read_count(ctx, bdf, "sriov_numvfs", &pf->numvfs);
    if (!rc)
        rc = read_count(ctx, bdf, "sriov_offset", &pf->vf_offset);
    if (!rc)
        rc = read_count(ctx, bdf, "sriov_stride", &pf->vf_stride);
    if (!rc)
        rc = sriov__pci_dev_require_uint(ctx, bdf, "sriov_vf_device", 16, &v);
    if (rc)
        return rc;
    pf->vf_device = v;

    /* Older kernels lack the knob; that is "unknown", not an error. */
    rc = sriov__pci_dev_read_uint(ctx, bdf, "sriov_drivers_autoprobe", 10, &v);
    pf->drivers_autoprobe = rc ? -1 : (v != 0);
    return 0;
}

static struct sriov__planned_numvfs *planned(struct sriov_ctx *ctx, const char *pf)
{
    for (size_t i = 0; i < ctx->n_plan_numvfs; i++)
        if (!strcmp(ctx->plan_numvfs[i].pf, pf))
            return &ctx->plan_numvfs[i];
    return NULL;
}

static int remember(struct sriov_ctx *ctx, const char *pf, unsigned int n)
{
    struct sriov__planned_numvfs *p = planned(ctx, pf), *v;

    if (!p) {
        v = realloc(ctx->plan_numvfs, (ctx->n_plan_numvfs + 1) * sizeof(*v));
        if (!v)
            return -ENOMEM;
        ctx->plan_numvfs = v;
        p = &v[ctx->n_plan_numvfs++];
        snprintf(p->pf, sizeof(p->pf), "%s", pf);
    }
    p->numvfs = n;
    return 0;
}

static int load_pf(struct sriov_ctx *ctx, struct sriov_pf *pf)
{
    const struct sriov__planned_numvfs *p;
    int rc;

    rc = load_pf_attrs(ctx, pf);
    if (!rc)
        rc = load_vfs(ctx, pf);
    /* A dry run sees the VF counts it would have set, not the host's. */
    if (!rc && ctx->n_plan_numvfs && (p = planned(ctx, pf->dev.bdf)))
        rc = sriov__pf_predict_vfs(ctx, pf, p->numvfs);
    return rc;
}

int sriov__pf_reload(struct sriov_ctx *ctx, struct sriov_pf *pf)
{
    int rc;

    pf_vfs_free(pf);
    rc = sriov__dev_load_driver(ctx, &pf->dev);
    if (!rc)
        rc = load_pf(ctx, pf);
    return rc;
}

/*
 * A dry run cannot make the VFs it would enable, so it predicts them the way the
 * kernel places them (drivers/pci/iov.c pci_iov_virtfn_bus/devfn): VF i has the
 * routing ID of the PF plus First VF Offset plus i times VF Stride.
 */
int sriov__pf_predict_vfs(struct sriov_ctx *ctx, struct sriov_pf *pf, unsigned int n)
{
    unsigned int domain, bus, dev, fn, rid;
    int rc;

    rc = remember(ctx, pf->dev.bdf, n);
    if (rc)
        return rc;
    pf_vfs_free(pf);
    pf->numvfs = n;
    if (!n)
        return 0;
    if (sscanf(pf->dev.bdf, "%x:%x:%x.%x", &domain, &bus, &dev, &fn) != 4)
        return sriov__fail(ctx, -EINVAL, "%s: not a PCI address", pf->dev.bdf);
    pf->vfs = calloc(n, sizeof(*pf->vfs));
    if (!pf->vfs)
        return -ENOMEM;
    rid = (bus << 8) | (dev << 3) | fn;
    for (unsigned int i = 0; i < n; i++) {
        unsigned int vrid = rid + pf->vf_offset + i * pf->vf_stride;
        struct sriov_vf *vf = calloc(1, sizeof(*vf));

        if (!vf) {
            rc = -ENOMEM;
            break;
        }
        vf->index = i;
        vf->pf = pf;
        vf->predicted = true;
        vf->dev.ctx = ctx;
        vf->dev.vendor = pf->dev.vendor;
        vf->dev.device = pf->vf_device;
        vf->dev.class = pf->dev.class;
        vf->dev.numa_node = pf->dev.numa_node;
        snprintf(vf->dev.bdf, sizeof(vf->dev.bdf), "%04x:%02x:%02x.%x", domain,
                 (vrid >> 8) & 0xff, (vrid >> 3) & 0x1f, vrid & 7);
        pf->vfs[pf->n_vfs++] = vf;
    }
    return rc;
}

static int add_pf(struct sriov_ctx *ctx, const char *bdf, size_t *cap)
{
    struct sriov_pf *pf;
    int rc;

    if (ctx->n_pfs == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        struct sriov_pf **n = realloc(ctx->pfs, ncap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        ctx->pfs = n;
        *cap = ncap;
    }
    pf = calloc(1, sizeof(*pf));
    if (!pf)
        return -ENOMEM;
    rc = sriov__dev_load(ctx, bdf, &pf->dev);
    if (!rc)
        rc = load_pf(ctx, pf);
    if (rc) {
        pf_free(pf);
        return rc;
    }
    ctx->pfs[ctx->n_pfs++] = pf;
    return 0;
}

int sriov_ctx_scan(struct sriov_ctx *ctx)
{
    struct dirent *de;
    DIR *dir = NULL;
    size_t cap = 0;
    int rc;

    sriov__pfs_free(ctx);
    rc = sriov__pci_devs_opendir(ctx, &dir);
    if (rc)
        return rc;
    while ((de = readdir(dir))) {
        /* A function is a PF exactly when the kernel gives it sriov_totalvfs. */
        if (!sriov__is_bdf(de->d_name) ||
            !sriov__pci_dev_exists(ctx, de->d_name, "sriov_totalvfs"))
            continue;
        rc = add_pf(ctx, de->d_name, &cap);
        if (rc)
            goto out;
    }
    if (ctx->n_pfs > 1)
        qsort(ctx->pfs, ctx->n_pfs, sizeof(*ctx->pfs), cmp_pf);
    ctx->scanned = true;
out:
    closedir(dir);
    if (rc)
        sriov__pfs_free(ctx);
    return rc;
}

size_t sriov_ctx_pf_count(const struct sriov_ctx *ctx) { return ctx->n_pfs; }

struct sriov_pf *sriov_ctx_pf(const struct sriov_ctx *ctx, size_t i)
{
    return i < ctx->n_pfs ? ctx->pfs[i] : NULL;
}

const struct sriov_dev *sriov_pf_dev(const struct sriov_pf *pf) { return &pf->dev; }
const struct sriov_dev *sriov_vf_dev(const struct sriov_vf *vf) { return &vf->dev; }
unsigned int sriov_pf_totalvfs(const struct sriov_pf *pf) { return pf->totalvfs; }
unsigned int sriov_pf_numvfs(const struct sriov_pf *pf) { return pf->numvfs; }
unsigned int sriov_pf_vf_offset(const struct sriov_pf *pf) { return pf->vf_offset; }
unsigned int sriov_pf_vf_stride(const struct sriov_pf *pf) { return pf->vf_stride; }
uint16_t sriov_pf_vf_device_id(const struct sriov_pf *pf) { return pf->vf_device; }
int sriov_pf_drivers_autoprobe(const struct sriov_pf *pf) { return pf->drivers_autoprobe; }
size_t sriov_pf_vf_count(const struct sriov_pf *pf) { return pf->n_vfs; }
unsigned int sriov_vf_index(const struct sriov_vf *vf) { return vf->index; }
struct sriov_pf *sriov_vf_pf(const struct sriov_vf *vf) { return vf->pf; }

struct sriov_vf *sriov_pf_vf(const struct sriov_pf *pf, size_t i)
{
    return i < pf->n_vfs ? pf->vfs[i] : NULL;
}
