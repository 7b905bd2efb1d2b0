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
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
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
static int read_mem_ranges(int devfd, const char *bdf, struct range out[RES_LINES])
{
    char rel[PATH_MAX], line[128];
    FILE *f;
    int fd;

    memset(out, 0, RES_LINES * sizeof(*out));
    snprintf(rel, sizeof(rel), "%s/resource", bdf);
    fd = openat(devfd, rel, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
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

static int compare_all(struct sriov_ctx *ctx, int devfd, const char *vf,
                       const struct range mine[RES_LINES], struct sriov_isolation *r,
                       bool *clean)
{
    struct range theirs[RES_LINES];
    struct dirent *de;
    DIR *dir;
    int fd, rc = 0;

    fd = dup(devfd);
    dir = fd < 0 ? NULL : fdopendir(fd);
    if (!dir) {
        if (fd >= 0)
            close(fd);
        return sriov__fail(ctx, -errno, "cannot list %s/bus/pci/devices", ctx->sysfs_root);
    }
    rewinddir(dir);
    while ((de = readdir(dir))) {
        if (!sriov__is_bdf(de->d_name) || !strcmp(de->d_name, vf))
            continue;
        rc = read_mem_ranges(devfd, de->d_name, theirs);
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
    int devfd = -1, rc;

    devfd = sriov__sysfs_open_dir(ctx, "bus/pci/devices");
    if (devfd < 0) {
        rc = sriov__fail(ctx, devfd, "cannot open %s/bus/pci/devices", ctx->sysfs_root);
        goto out;
    }
    rc = read_mem_ranges(devfd, bdf, mine);
    if (rc) {
        rc = sriov__isolation_add(r, "bar-pages", SRIOV_ISOLATION_FAILED,
                                  "cannot read the BARs of %s: %s", bdf, strerror(-rc));
        goto out;
    }
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
            goto out;
    }
    rc = compare_all(ctx, devfd, bdf, mine, r, &clean);
    if (rc)
        goto out;
    if (clean)
        rc = sriov__isolation_add(r, "bar-pages", SRIOV_ISOLATION_PASSED,
                                  any ? "every BAR of %s has its 4 KiB pages to itself"
                                      : "%s has no memory BAR", bdf);
out:
    if (devfd >= 0)
        close(devfd);
    return rc;
}
