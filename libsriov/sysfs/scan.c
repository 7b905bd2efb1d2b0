/* Discovery: PFs are functions with sriov_totalvfs; their VFs are the virtfnN links. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sysfs/sysfs.h"

/* A PF's VFs live in one block, vfs[0] its start: thousands of them are not
 * thousands of allocations. */
static int pf_vfs_alloc(struct sriov_pf *pf, size_t n)
{
    struct sriov_vf *block;

    if (!n)
        return 0;
    pf->vfs = calloc(n, sizeof(*pf->vfs));
    block = calloc(n, sizeof(*block));
    if (!pf->vfs || !block) {
        free(pf->vfs);
        free(block);
        pf->vfs = NULL;
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        pf->vfs[i] = &block[i];
    return 0;
}

static void pf_vfs_free(struct sriov_pf *pf)
{
    for (size_t i = 0; i < pf->n_vfs; i++)
        sriov__dev_dispose(&pf->vfs[i]->dev);
    if (pf->vfs)
        free(pf->vfs[0]);
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

/* What a discovery of every PF reads once for all of them. */
struct scan {
    struct function {
        char bdf[SRIOV_BDF_LEN];  /* first: a struct function compares as its BDF */
        bool vf;                  /* a VF of a PF already loaded */
    } *fns;                       /* bus/pci/devices, in BDF order */
    size_t n_fns, cap_fns;
    struct sriov__dev_index *ix;
};

static int cmp_bdf(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The PF's domain and routing ID (bus << 8 | devfn). */
static bool pf_rid(const struct sriov_pf *pf, unsigned int *domain, unsigned int *rid)
{
    unsigned int bus, dev, fn;

    if (sscanf(pf->dev.bdf, "%x:%x:%x.%x", domain, &bus, &dev, &fn) != 4)
        return false;
    *rid = (bus << 8) | (dev << 3) | fn;
    return true;
}

/* "%04x:%02x:%02x.%x" by hand: discovery makes one per VF, and snprintf would
 * cost more than the rest of the VF. */
static void vf_address(unsigned int domain, unsigned int rid, char bdf[SRIOV_BDF_LEN])
{
    const unsigned int field[4] = { domain & 0xffff, (rid >> 8) & 0xff, (rid >> 3) & 0x1f,
                                    rid & 7 };
    const int digits[4] = { 4, 2, 2, 1 };
    char *p = bdf;

    for (int f = 0; f < 4; f++) {
        for (int d = digits[f] - 1; d >= 0; d--)
            *p++ = "0123456789abcdef"[(field[f] >> (4 * d)) & 0xf];
        *p++ = "::.\0"[f];
    }
}

/* Where the kernel put a PF's VFs: VF 0's routing ID, or UINT_MAX when not known. */
struct vf_place {
    unsigned int domain, first;
};

/*
 * The address of the VF behind virtfn<index[i]>.  When the links are exactly
 * virtfn0 to virtfn<numvfs - 1>, the kernel made each at the address it computes
 * from the PF (drivers/pci/iov.c pci_iov_virtfn_bus/devfn, as a dry run predicts
 * them): VF 0's routing ID plus i times VF Stride.  A discovery takes that address
 * when bus/pci/devices lists it and no other PF has it, rather than read a link
 * per VF; otherwise the link is read.  Either way the function is marked a VF.
 */
static int vf_bdf(struct sriov_ctx *ctx, const struct sriov_pf *pf,
                  const struct sriov__virtfns *links, size_t i, const struct vf_place *place,
                  struct scan *s, char bdf[NAME_MAX + 1])
{
    unsigned int index = links->index[i];
    unsigned long rid = (unsigned long)place->first + (unsigned long)index * pf->vf_stride;
    struct function *fn = NULL;
    int rc;

    if (s && place->first != UINT_MAX && rid <= 0xffff) {
        vf_address(place->domain, (unsigned int)rid, bdf);
        fn = bsearch(bdf, s->fns, s->n_fns, sizeof(*s->fns), cmp_bdf);
        if (fn && fn->vf)
            fn = NULL;          /* another PF's: this PF's numbers are not the kernel's */
    }
    if (!fn) {
        rc = sriov__pci_virtfns_bdf(links, i, bdf, NAME_MAX + 1);
        if (rc)
            return sriov__fail(ctx, rc, "%s: cannot read virtfn%u", pf->dev.bdf, index);
        if (!sriov__is_bdf(bdf))
            return sriov__fail(ctx, -EPROTO, "%s: virtfn%u points at '%s', not a PCI address",
                               pf->dev.bdf, index, bdf);
        if (s)
            fn = bsearch(bdf, s->fns, s->n_fns, sizeof(*s->fns), cmp_bdf);
    }
    if (fn)
        fn->vf = true;
    return 0;
}

static int load_vf(struct sriov_ctx *ctx, struct sriov_pf *pf, const struct sriov__virtfns *links,
                   size_t i, const struct vf_place *place, struct scan *s, struct sriov_vf *vf)
{
    char bdf[NAME_MAX + 1];
    int rc;

    rc = vf_bdf(ctx, pf, links, i, place, s, bdf);
    if (rc)
        return rc;
    vf->index = links->index[i];
    vf->pf = pf;
    /* What the kernel itself gives a new VF (drivers/pci/iov.c pci_iov_add_virtfn):
     * the PF's vendor, the SR-IOV capability's VF device ID; sysfs refines it. */
    vf->dev.vendor = pf->dev.vendor;
    vf->dev.device = pf->vf_device;
    vf->dev.class = pf->dev.class;
    vf->dev.numa_node = pf->dev.numa_node;
    rc = sriov__dev_load_lazy(ctx, bdf, &vf->dev, s ? s->ix : NULL);
    if (rc)
        sriov__dev_dispose(&vf->dev);
    return rc;
}

/* The VFs in index order, as their virtfnN links show them; s NULL for one PF alone. */
static int load_vfs(struct sriov_ctx *ctx, struct sriov_pf *pf, struct scan *s)
{
    struct vf_place place = { .first = UINT_MAX };
    struct sriov__virtfns links;
    unsigned int rid;
    int rc;

    rc = sriov__pci_virtfns_open(ctx, pf->dev.bdf, pf->numvfs, &links);
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot open its sysfs directory", pf->dev.bdf);
    if (links.dense && pf_rid(pf, &place.domain, &rid))
        place.first = rid + pf->vf_offset;
    rc = pf_vfs_alloc(pf, links.n);
    for (size_t i = 0; i < links.n && !rc; i++) {
        rc = load_vf(ctx, pf, &links, i, &place, s, pf->vfs[i]);
        if (!rc)
            pf->n_vfs++;
    }
    sriov__pci_virtfns_close(&links);
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

static int load_pf(struct sriov_ctx *ctx, struct sriov_pf *pf, struct scan *s)
{
    const struct sriov__planned_numvfs *p;
    int rc;

    rc = load_pf_attrs(ctx, pf);
    if (!rc)
        rc = load_vfs(ctx, pf, s);
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
        rc = load_pf(ctx, pf, NULL);
    return rc;
}

/*
 * A dry run cannot make the VFs it would enable, so it predicts them the way the
 * kernel places them (drivers/pci/iov.c pci_iov_virtfn_bus/devfn): VF i has the
 * routing ID of the PF plus First VF Offset plus i times VF Stride.
 */
int sriov__pf_predict_vfs(struct sriov_ctx *ctx, struct sriov_pf *pf, unsigned int n)
{
    unsigned int domain, rid;
    int rc;

    rc = remember(ctx, pf->dev.bdf, n);
    if (rc)
        return rc;
    pf_vfs_free(pf);
    pf->numvfs = n;
    if (!n)
        return 0;
    if (!pf_rid(pf, &domain, &rid))
        return sriov__fail(ctx, -EINVAL, "%s: not a PCI address", pf->dev.bdf);
    rc = pf_vfs_alloc(pf, n);
    if (rc)
        return rc;
    for (unsigned int i = 0; i < n; i++) {
        unsigned int vrid = rid + pf->vf_offset + i * pf->vf_stride;
        struct sriov_vf *vf = pf->vfs[i];

        vf->index = i;
        vf->pf = pf;
        vf->predicted = true;
        vf->dev.ctx = ctx;
        vf->dev.vendor = pf->dev.vendor;
        vf->dev.device = pf->vf_device;
        vf->dev.class = pf->dev.class;
        vf->dev.numa_node = pf->dev.numa_node;
        vf_address(domain, vrid, vf->dev.bdf);
        pf->n_vfs++;
    }
    return 0;
}

static int add_pf(struct sriov_ctx *ctx, const char *bdf, size_t *cap, struct scan *s)
{
    struct sriov_pf *pf;
    int rc;

    if (sriov__grow(&ctx->pfs, cap, ctx->n_pfs, sizeof(*ctx->pfs), 8))
        return -ENOMEM;
    pf = calloc(1, sizeof(*pf));
    if (!pf)
        return -ENOMEM;
    rc = sriov__dev_load(ctx, bdf, &pf->dev, s->ix);
    if (!rc)
        rc = load_pf(ctx, pf, s);
    if (rc) {
        pf_free(pf);
        return rc;
    }
    ctx->pfs[ctx->n_pfs++] = pf;
    return 0;
}

static int add_function(void *arg, const char *name)
{
    struct scan *s = arg;

    if (strlen(name) >= SRIOV_BDF_LEN)
        return 0;               /* no PCI address is that long */
    if (sriov__grow(&s->fns, &s->cap_fns, s->n_fns, sizeof(*s->fns), 256))
        return -ENOMEM;
    memcpy(s->fns[s->n_fns].bdf, name, strlen(name) + 1);
    s->fns[s->n_fns++].vf = false;
    return 0;
}

/*
 * Functions are taken in BDF order, so that each PF comes before its VFs (their
 * routing IDs are the PF's plus First VF Offset, at least 1).  A VF has no SR-IOV
 * capability (the PCIe spec forbids it), so the VFs of the PFs loaded are not
 * asked whether they are PFs: on a big host that is most functions.
 */
int sriov_ctx_scan(struct sriov_ctx *ctx)
{
    struct scan s = { 0 };
    size_t cap = 0;
    int rc;

    sriov__pfs_free(ctx);
    rc = sriov__pci_devs_list(ctx, add_function, &s);
    if (rc)
        goto out;
    if (s.n_fns > 1)
        qsort(s.fns, s.n_fns, sizeof(*s.fns), cmp_bdf);
    for (size_t i = 0; i < s.n_fns; i++) {
        const char *bdf = s.fns[i].bdf;

        /* A function is a PF exactly when the kernel gives it sriov_totalvfs. */
        if (s.fns[i].vf || !sriov__is_bdf(bdf) ||
            !sriov__pci_dev_exists(ctx, bdf, "sriov_totalvfs"))
            continue;
        if (!s.ix)              /* a host without PFs need not be indexed */
            rc = sriov__dev_index_load(ctx, &s.ix);
        if (!rc)
            rc = add_pf(ctx, bdf, &cap, &s);
        if (rc)
            goto out;
    }
    ctx->scanned = true;        /* PFs in BDF order, as the functions are */
out:
    sriov__dev_index_free(s.ix);
    free(s.fns);
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
