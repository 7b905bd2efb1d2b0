/*
 * BAR pages (XSA-461): Xen maps a passed-through device's MMIO into the guest
 * a 4 KiB page at a time, so a VF BAR that does not start on a page boundary,
 * or a page it shares with another device's BAR, hands the guest a window on
 * something that is not its device.  Xen does not security-support that.
 *
 * The addresses come from the kernel's view, <dev>/resource ("start end flags"
 * per line): lines 0-5 are the BARs and line 6 the expansion ROM.  On a PF, lines
 * 7-12 are its VF BAR regions: VF BAR j of every VF, one after another, TotalVFs
 * of them, where the kernel puts VF i's BAR j (drivers/pci/iov.c
 * pci_iov_add_virtfn).  The VFs of the PFs discovered are compared through those,
 * one resource file per PF rather than one per VF: thousands on a big host.  A
 * bridge's windows (lines 13-16) contain other devices' BARs by design and are
 * not compared.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "isolation/isolation.h"
#include "sysfs/sysfs.h"

#define PAGE_SIZE_4K 0x1000ull
#define RES_LINES 7               /* BARs 0-5 and the ROM */
#define PF_RES_LINES 13           /* and the VF BAR regions */
#define IORESOURCE_MEM 0x00000200ull

struct range {
    uint64_t start, end;          /* end inclusive; start == end == 0 when unused */
};

/* Memory ranges of the first n lines of a device's resource file; unused and I/O
 * ones left empty. */
static int read_mem_ranges(struct sriov_ctx *ctx, const char *bdf, struct range *out, int n)
{
    char line[128];
    FILE *f;
    int fd;

    memset(out, 0, n * sizeof(*out));
    fd = sriov__pci_dev_open(ctx, bdf, "resource");
    if (fd < 0)
        return fd;
    f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return -ENOMEM;
    }
    for (int i = 0; i < n && fgets(line, sizeof(line), f); i++) {
        unsigned long long start, end, flags;

        if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) != 3) {
            fclose(f);
            return -EPROTO;
        }
        if ((flags & IORESOURCE_MEM) && end > start)
            out[i] = (struct range){ start, end };
    }
    fclose(f);
    return 0;
}

static const char *res_name(int i, char *buf, size_t len)
{
    if (i == RES_LINES - 1)
        return "the ROM";
    snprintf(buf, len, "BAR %d", i);
    return buf;
}

/* Report every BAR of `other` that touches a page of one of the VF's BARs. */
static int compare_device(const char *vf, const struct range mine[RES_LINES], const char *other,
                          const struct range theirs[RES_LINES], struct sriov_isolation *r,
                          bool *clean)
{
    char a[16], b[16];
    int rc;

    for (int i = 0; i < RES_LINES - 1; i++) {
        uint64_t first, last;

        if (!mine[i].end)
            continue;
        first = mine[i].start & ~(PAGE_SIZE_4K - 1);
        last = mine[i].end | (PAGE_SIZE_4K - 1);
        for (int j = 0; j < RES_LINES; j++) {
            uint64_t page;

            if (!theirs[j].end || theirs[j].start > last || theirs[j].end < first)
                continue;
            page = theirs[j].start > first ? theirs[j].start & ~(PAGE_SIZE_4K - 1) : first;
            *clean = false;
            rc = sriov__isolation_add(r, "bar-pages", SRIOV_ISOLATION_FAILED,
                                      "%s of %s shares the 4 KiB page at 0x%" PRIx64 " with "
                                      "%s of %s (XSA-461)", res_name(i, a, sizeof(a)), vf,
                                      page, res_name(j, b, sizeof(b)), other);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* A failure to read another device's BARs is a finding: it was not compared. */
static int unreadable(struct sriov_isolation *r, const char *other, const char *vf, int rc,
                      bool *clean)
{
    *clean = false;
    return sriov__isolation_add(r, "bar-pages", SRIOV_ISOLATION_FAILED,
                                "cannot read the BARs of %s to compare them with %s: %s",
                                other, vf, strerror(-rc));
}

/*
 * The size of one VF's BAR j in each of a PF's VF BAR regions (lines 7-12), each
 * TotalVFs BARs of one size.  False when a region does not divide by TotalVFs:
 * then it is not what the kernel made, and the VFs' own files are read instead.
 */
static bool vf_bar_sizes(const struct range regions[RES_LINES - 1], unsigned int totalvfs,
                         uint64_t size[RES_LINES - 1])
{
    for (int j = 0; j < RES_LINES - 1; j++) {
        uint64_t len = regions[j].end - regions[j].start + 1;

        size[j] = 0;
        if (!regions[j].end)
            continue;
        if (!totalvfs || len % totalvfs)
            return false;
        size[j] = len / totalvfs;
    }
    return true;
}

/* VF index's BARs as the kernel cuts them from the regions; it has no ROM. */
static void vf_ranges(const struct range regions[RES_LINES - 1],
                      const uint64_t size[RES_LINES - 1], unsigned int index,
                      struct range out[RES_LINES])
{
    memset(out, 0, RES_LINES * sizeof(*out));
    for (int j = 0; j < RES_LINES - 1; j++)
        if (size[j] > 1)
            out[j] = (struct range){ regions[j].start + index * size[j],
                                     regions[j].start + (index + 1) * size[j] - 1 };
}

/* The functions of bus/pci/devices, sorted; done: compared already. */
struct functions {
    struct function {
        char bdf[SRIOV_BDF_LEN];  /* first: a struct function compares as its BDF */
        bool done;
    } *v;
    size_t n, cap;
};

static int add_function(void *arg, const char *name)
{
    struct functions *f = arg;

    if (!sriov__is_bdf(name))
        return 0;
    if (sriov__grow(&f->v, &f->cap, f->n, sizeof(*f->v), 256))
        return -ENOMEM;
    snprintf(f->v[f->n].bdf, SRIOV_BDF_LEN, "%s", name);
    f->v[f->n++].done = false;
    return 0;
}

static int cmp_bdf(const void *a, const void *b)
{
    return strcmp(a, b);
}

static struct function *function(const struct functions *f, const char *bdf)
{
    return bsearch(bdf, f->v, f->n, sizeof(*f->v), cmp_bdf);
}

/* A discovered PF: its BARs and ROM, and through its regions those of its VFs
 * that are still there, each marked done. */
static int compare_pf(struct sriov_ctx *ctx, const char *vf, const struct range mine[RES_LINES],
                      const struct sriov_pf *pf, struct functions *f,
                      struct sriov_isolation *r, bool *clean)
{
    struct range res[PF_RES_LINES], theirs[RES_LINES];
    struct function *fn = function(f, pf->dev.bdf);
    uint64_t size[RES_LINES - 1];
    int rc;

    if (!fn)
        return 0;               /* removed since discovery */
    fn->done = true;
    rc = read_mem_ranges(ctx, pf->dev.bdf, res, PF_RES_LINES);
    if (rc == -ENOENT)
        return 0;
    if (rc)
        return unreadable(r, pf->dev.bdf, vf, rc, clean);
    if (strcmp(pf->dev.bdf, vf)) {
        rc = compare_device(vf, mine, pf->dev.bdf, res, r, clean);
        if (rc)
            return rc;
    }
    if (!vf_bar_sizes(res + RES_LINES, pf->totalvfs, size))
        return 0;
    for (size_t i = 0; i < pf->n_vfs; i++) {
        const struct sriov_vf *other = pf->vfs[i];

        if (other->predicted || other->index >= pf->totalvfs ||
            !(fn = function(f, other->dev.bdf)))
            continue;
        fn->done = true;
        if (!strcmp(other->dev.bdf, vf))
            continue;
        vf_ranges(res + RES_LINES, size, other->index, theirs);
        rc = compare_device(vf, mine, other->dev.bdf, theirs, r, clean);
        if (rc)
            return rc;
    }
    return 0;
}

static int compare_all(struct sriov_ctx *ctx, const char *vf, const struct range mine[RES_LINES],
                       struct sriov_isolation *r, bool *clean)
{
    struct range theirs[RES_LINES];
    struct functions f = { 0 };
    int rc;

    rc = sriov__pci_devs_list(ctx, add_function, &f);
    if (rc)
        goto out;
    if (f.n > 1)
        qsort(f.v, f.n, sizeof(*f.v), cmp_bdf);
    for (size_t i = 0; i < ctx->n_pfs && !rc; i++)
        rc = compare_pf(ctx, vf, mine, ctx->pfs[i], &f, r, clean);
    /* Everything else, and VFs no discovered PF accounts for, one file each. */
    for (size_t i = 0; i < f.n && !rc; i++) {
        if (f.v[i].done || !strcmp(f.v[i].bdf, vf))
            continue;
        rc = read_mem_ranges(ctx, f.v[i].bdf, theirs, RES_LINES);
        if (rc == -ENOENT)
            rc = 0;             /* removed while we looked */
        else if (rc)
            rc = unreadable(r, f.v[i].bdf, vf, rc, clean);
        else
            rc = compare_device(vf, mine, f.v[i].bdf, theirs, r, clean);
    }
out:
    free(f.v);
    return rc;
}

int sriov__isolation_check_bars(struct sriov_ctx *ctx, const struct sriov_vf *vf,
                                struct sriov_isolation *r)
{
    const char *bdf = vf->dev.bdf;
    struct range mine[RES_LINES];
    bool clean = true, any = false;
    int rc;

    rc = read_mem_ranges(ctx, bdf, mine, RES_LINES);
    if (rc)
        return sriov__isolation_add(r, "bar-pages", SRIOV_ISOLATION_FAILED,
                                    "cannot read the BARs of %s: %s", bdf, strerror(-rc));
    mine[RES_LINES - 1] = (struct range){ 0, 0 };     /* VFs have no ROM */
    for (int i = 0; i < RES_LINES - 1; i++) {
        if (!mine[i].end)
            continue;
        any = true;
        if (!(mine[i].start & (PAGE_SIZE_4K - 1)))
            continue;
        clean = false;
        rc = sriov__isolation_add(r, "bar-pages", SRIOV_ISOLATION_FAILED,
                                  "BAR %d of %s starts at 0x%" PRIx64 ", not on a 4 KiB page "
                                  "boundary (XSA-461)", i, bdf, mine[i].start);
        if (rc)
            return rc;
    }
    rc = compare_all(ctx, bdf, mine, r, &clean);
    if (!rc && clean)
        rc = sriov__isolation_add(r, "bar-pages", SRIOV_ISOLATION_PASSED,
                                  any ? "every BAR of %s has its 4 KiB pages to itself"
                                      : "%s has no memory BAR", bdf);
    return rc;
}
