/*
 * BAR pages (XSA-461): Xen maps a passed-through device's MMIO into the guest
 * a 4 KiB page at a time, so a VF BAR that does not start on a page boundary,
 * or a page it shares with another device's BAR, hands the guest a window on
 * something that is not its device.  Xen does not security-support that.
 *
 * The addresses come from the kernel's view, <dev>/resource ("start end flags"
 * per line): lines 0-5 are the BARs and line 6 the expansion ROM; later lines
 * are a PF's VF BAR regions or a bridge's windows, which contain other
 * devices' BARs by design and are not compared.
 */
#include "config.h"

#include <dirent.h>
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
#define IORESOURCE_MEM 0x00000200ull

struct range {
    uint64_t start, end;          /* end inclusive; start == end == 0 when unused */
};

/* Memory ranges of a device's BARs and ROM; unused and I/O ones left empty. */
static int read_mem_ranges(struct sriov_ctx *ctx, const char *bdf, struct range out[RES_LINES])
{
    char line[128];
    FILE *f;
    int fd;

    memset(out, 0, RES_LINES * sizeof(*out));
    fd = sriov__pci_dev_open(ctx, bdf, "resource");
    if (fd < 0)
        return fd;
    f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return -ENOMEM;
    }
    for (int i = 0; i < RES_LINES && fgets(line, sizeof(line), f); i++) {
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

static int compare_all(struct sriov_ctx *ctx, const char *vf, const struct range mine[RES_LINES],
                       struct sriov_isolation *r, bool *clean)
{
    struct range theirs[RES_LINES];
    struct dirent *de;
    DIR *dir;
    int rc;

    rc = sriov__pci_devs_opendir(ctx, &dir);
    if (rc)
        return rc;
    while ((de = readdir(dir))) {
        if (!sriov__is_bdf(de->d_name) || !strcmp(de->d_name, vf))
            continue;
        rc = read_mem_ranges(ctx, de->d_name, theirs);
        if (rc == -ENOENT)
            continue;           /* removed while we looked */
        if (rc) {
            *clean = false;
            rc = sriov__isolation_add(r, "bar-pages", SRIOV_ISOLATION_FAILED,
                                      "cannot read the BARs of %s to compare them with %s: %s",
                                      de->d_name, vf, strerror(-rc));
        } else {
            rc = compare_device(vf, mine, de->d_name, theirs, r, clean);
        }
        if (rc)
            break;
    }
    closedir(dir);
    return rc;
}

int sriov__isolation_check_bars(struct sriov_ctx *ctx, const struct sriov_vf *vf,
                                struct sriov_isolation *r)
{
    const char *bdf = vf->dev.bdf;
    struct range mine[RES_LINES];
    bool clean = true, any = false;
    int rc;

    rc = read_mem_ranges(ctx, bdf, mine);
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
