/* Discovery: PFs are functions with sriov_totalvfs; their VFs are the virtfnN links. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "sysfs/sysfs.h"

#define PCI_DEVICES_DIR "bus/pci/devices"

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

static int cmp_vf(const void *a, const void *b)
{
    const struct sriov_vf *x = *(struct sriov_vf *const *)a, *y = *(struct sriov_vf *const *)b;
    return (x->index > y->index) - (x->index < y->index);
}

static int cmp_pf(const void *a, const void *b)
{
    const struct sriov_pf *x = *(struct sriov_pf *const *)a, *y = *(struct sriov_pf *const *)b;
    return strcmp(x->dev.bdf, y->dev.bdf);
}

/* Parse "virtfnN"; false for any other entry. */
static bool virtfn_index(const char *name, unsigned int *index)
{
    char *end;
    unsigned long v;

    if (strncmp(name, "virtfn", 6) != 0 || name[6] < '0' || name[6] > '9')
        return false;
    v = strtoul(name + 6, &end, 10);
    if (*end != '\0' || v > 0xffff)
        return false;
    *index = (unsigned int)v;
    return true;
}

static int load_vf(struct sriov_ctx *ctx, int devfd, struct sriov_pf *pf, unsigned int index,
                   struct sriov_vf **ret)
{
    char rel[PATH_MAX], bdf[NAME_MAX + 1];
    struct sriov_vf *vf;
    int rc;

    snprintf(rel, sizeof(rel), "%s/virtfn%u", pf->dev.bdf, index);
    rc = sriov__readlink_base_at(devfd, rel, bdf, sizeof(bdf));
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
    rc = sriov__dev_load_lazy(ctx, devfd, bdf, &vf->dev);
    if (rc) {
        vf_free(vf);
        return rc;
    }
    *ret = vf;
    return 0;
}

static int load_vfs(struct sriov_ctx *ctx, int devfd, struct sriov_pf *pf)
{
    char rel[PATH_MAX];
    struct dirent *de;
    DIR *dir;
    size_t cap = 0;
    int fd, rc = 0;

    snprintf(rel, sizeof(rel), "%s", pf->dev.bdf);
    fd = openat(devfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return sriov__fail(ctx, -errno, "%s: cannot open its sysfs directory", pf->dev.bdf);
    dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return -ENOMEM;
    }
    while ((de = readdir(dir))) {
        unsigned int index;

        if (!virtfn_index(de->d_name, &index))
            continue;
        if (pf->n_vfs == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct sriov_vf **n = realloc(pf->vfs, ncap * sizeof(*n));
            if (!n) {
                rc = -ENOMEM;
                goto out;
            }
            pf->vfs = n;
            cap = ncap;
        }
        rc = load_vf(ctx, devfd, pf, index, &pf->vfs[pf->n_vfs]);
        if (rc)
            goto out;
        pf->n_vfs++;
    }
    if (pf->n_vfs > 1)
        qsort(pf->vfs, pf->n_vfs, sizeof(*pf->vfs), cmp_vf);
out:
    closedir(dir);
    return rc;
}

static int load_pf_attrs(struct sriov_ctx *ctx, int devfd, struct sriov_pf *pf)
{
    const char *bdf = pf->dev.bdf;
    char rel[PATH_MAX];
    unsigned long v;
    int rc;

#define READ_NUM(attr, base, field)                                         \
    do {                                                                    \
        snprintf(rel, sizeof(rel), "%s/" attr, bdf);                        \
        rc = sriov__read_uint_at(devfd, rel, base, &v);                     \
        if (rc)                                                             \
            return sriov__fail(ctx, rc, "%s: cannot read %s", bdf, attr);   \
        pf->field = v;                                                      \
    } while (0)
    READ_NUM("sriov_totalvfs", 10, totalvfs);
    READ_NUM("sriov_numvfs", 10, numvfs);
    READ_NUM("sriov_offset", 10, vf_offset);
    READ_NUM("sriov_stride", 10, vf_stride);
    READ_NUM("sriov_vf_device", 16, vf_device);
#undef READ_NUM

    /* Older kernels lack the knob; that is "unknown", not an error. */
    snprintf(rel, sizeof(rel), "%s/sriov_drivers_autoprobe", bdf);
    rc = sriov__read_uint_at(devfd, rel, 10, &v);
    pf->drivers_autoprobe = rc ? -1 : (v != 0);
    return 0;
}

static int load_pf(struct sriov_ctx *ctx, int devfd, struct sriov_pf *pf)
{
    int rc;

    rc = load_pf_attrs(ctx, devfd, pf);
    if (!rc)
        rc = load_vfs(ctx, devfd, pf);
    return rc;
}

int sriov__pf_reload(struct sriov_ctx *ctx, struct sriov_pf *pf)
{
    int devfd, rc;

    devfd = sriov__sysfs_open_dir(ctx, PCI_DEVICES_DIR);
    if (devfd < 0)
        return sriov__fail(ctx, devfd, "cannot open %s/%s", ctx->sysfs_root, PCI_DEVICES_DIR);
    pf_vfs_free(pf);
    rc = sriov__dev_load_driver(devfd, &pf->dev);
    if (!rc)
        rc = load_pf(ctx, devfd, pf);
    close(devfd);
    return rc;
}

/* A function is a PF exactly when the kernel gives it sriov_totalvfs. */
static bool is_pf(int devfd, const char *bdf)
{
    char rel[PATH_MAX];

    snprintf(rel, sizeof(rel), "%s/sriov_totalvfs", bdf);
    return faccessat(devfd, rel, F_OK, 0) == 0;
}

static int add_pf(struct sriov_ctx *ctx, int devfd, const char *bdf, size_t *cap)
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
    rc = sriov__dev_load(ctx, devfd, bdf, &pf->dev);
    if (!rc)
        rc = load_pf(ctx, devfd, pf);
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
    int devfd = -1, rc = 0;

    sriov__pfs_free(ctx);
    devfd = sriov__sysfs_open_dir(ctx, PCI_DEVICES_DIR);
    if (devfd < 0)
        return sriov__fail(ctx, devfd, "cannot open %s/%s", ctx->sysfs_root, PCI_DEVICES_DIR);
    dir = fdopendir(dup(devfd));
    if (!dir) {
        rc = sriov__fail(ctx, -errno, "cannot list %s/%s", ctx->sysfs_root, PCI_DEVICES_DIR);
        goto out;
    }
    while ((de = readdir(dir))) {
        if (!sriov__is_bdf(de->d_name) || !is_pf(devfd, de->d_name))
            continue;
        rc = add_pf(ctx, devfd, de->d_name, &cap);
        if (rc)
            goto out;
    }
    if (ctx->n_pfs > 1)
        qsort(ctx->pfs, ctx->n_pfs, sizeof(*ctx->pfs), cmp_pf);
    ctx->scanned = true;
out:
    if (dir)
        closedir(dir);
    close(devfd);
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
