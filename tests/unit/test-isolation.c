/*
 * Isolation checks against the synthetic host: a static tree from sriov-sim
 * passes, and each way of breaking isolation (patched config space or
 * resource files, a fake hypervisor) gives the finding and sentence we
 * promise.  The patching is plain file I/O on the static tree's files.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "hv/hv.h"
#include "internal.h"
#include "isolation/isolation.h"
#include "sysfs/sysfs.h"

extern char **environ;

#define RP "0000:00:01.0"
#define PF "0000:01:00.0"
#define PF2 "0000:01:00.1"        /* the card's other port */
#define VF "0000:01:10.0"
#define EXT_CAP_ACS 0x000d

static char tmpdir[] = "/tmp/xen-sriov-iso.XXXXXX";
static char root[256];
static int case_no;

static int run(char *const argv[])
{
    pid_t pid;
    int status;

    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return 0;
}

/* A fresh static tree per case, so patches never leak between cases. */
static int fresh_tree(void)
{
    const char *sim = getenv("SRIOV_SIM");

    snprintf(root, sizeof(root), "%s/sys%d", tmpdir, ++case_no);
    char *argv[] = { (char *)sim, "build", "--host", "82599 x1 numvfs=4", root, NULL };
    return sim ? run(argv) : -1;
}

static void dev_path(char *buf, size_t len, const char *bdf, const char *attr)
{
    snprintf(buf, len, "%s/bus/pci/devices/%s/%s", root, bdf, attr);
}

static int cfg_rw(const char *bdf, size_t off, void *buf, size_t len, bool write)
{
    char path[PATH_MAX];
    ssize_t n;
    int fd;

    dev_path(path, sizeof(path), bdf, "config");
    fd = open(path, write ? O_RDWR : O_RDONLY);
    if (fd < 0)
        return -1;
    n = write ? pwrite(fd, buf, len, (off_t)off) : pread(fd, buf, len, (off_t)off);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

static uint32_t cfg_get(const char *bdf, size_t off, size_t width)
{
    uint8_t b[4] = { 0 };

    cfg_rw(bdf, off, b, width, false);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Clear then set bits in a little-endian register of `width` bytes. */
static int cfg_patch(const char *bdf, size_t off, size_t width, uint32_t clear, uint32_t set)
{
    uint32_t v = (cfg_get(bdf, off, width) & ~clear) | set;
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

    return cfg_rw(bdf, off, b, width, true);
}

static size_t find_cap(const char *bdf, uint8_t id)
{
    size_t pos = cfg_get(bdf, 0x34, 1);

    for (int ttl = 48; pos >= 0x40 && ttl--; pos = cfg_get(bdf, pos + 1, 1) & 0xfc)
        if (cfg_get(bdf, pos, 1) == id)
            return pos;
    return 0;
}

static size_t find_ext_cap(const char *bdf, uint16_t id)
{
    size_t pos = 0x100;

    for (int ttl = 480; pos >= 0x100 && ttl--;) {
        uint32_t h = cfg_get(bdf, pos, 4);
        if (!h || h == 0xffffffffu)
            break;
        if ((h & 0xffff) == id)
            return pos;
        pos = h >> 20;
    }
    return 0;
}

/* Rewrite line `line` of a device's resource file. */
static int set_resource(const char *bdf, int line, unsigned long long start,
                        unsigned long long end, unsigned long long flags)
{
    char path[PATH_MAX], lines[32][80];
    int n = 0, rc = 0;
    FILE *f;

    dev_path(path, sizeof(path), bdf, "resource");
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (n < 32 && fgets(lines[n], sizeof(lines[n]), f))
        n++;
    fclose(f);
    if (line >= n)
        return -1;
    snprintf(lines[line], sizeof(lines[line]), "0x%016llx 0x%016llx 0x%016llx\n", start, end,
             flags);
    f = fopen(path, "w");
    if (!f)
        return -1;
    for (int i = 0; i < n; i++)
        if (fputs(lines[i], f) == EOF)
            rc = -1;
    return fclose(f) ? -1 : rc;
}

/* Where line `line` of a device's resource file starts, or (end) ends. */
static unsigned long long resource_at(const char *bdf, int line, bool end)
{
    char path[PATH_MAX], buf[80];
    unsigned long long start = 0, last = 0;
    FILE *f;

    dev_path(path, sizeof(path), bdf, "resource");
    f = fopen(path, "r");
    for (int i = 0; f && i <= line && fgets(buf, sizeof(buf), f); i++)
        if (i == line)
            sscanf(buf, "%llx %llx", &start, &last);
    if (f)
        fclose(f);
    return end ? last : start;
}

static unsigned long long resource_start(const char *bdf, int line)
{
    return resource_at(bdf, line, false);
}

/* The BDF a PF's virtfn<index> link points at ("" if none). */
static void virtfn_bdf(const char *pf, int index, char bdf[SRIOV_BDF_LEN])
{
    char path[PATH_MAX], link[PATH_MAX];
    const char *base;
    ssize_t n;

    snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/virtfn%d", root, pf, index);
    n = readlink(path, link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = '\0';
    base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
    bdf[0] = '\0';
    if (strlen(base) < SRIOV_BDF_LEN)
        memcpy(bdf, base, strlen(base) + 1);
}

static unsigned long dev_ulong(const char *bdf, const char *attr)
{
    char path[PATH_MAX], buf[32] = "";
    FILE *f;

    dev_path(path, sizeof(path), bdf, attr);
    f = fopen(path, "r");
    if (f) {
        if (!fgets(buf, sizeof(buf), f))
            buf[0] = '\0';
        fclose(f);
    }
    return strtoul(buf, NULL, 10);
}

/* ---- fake hypervisor ---- */

struct fake_hv {
    struct sriov_hv hv;           /* first: the ops get &hv */
    struct sriov_hv_platform platform;
    const char *group[4];
    size_t n_group;
    const char *owned;            /* BDF owned by domain "web1" (3) */
};

static int fake_platform(struct sriov_hv *hv, struct sriov_hv_platform *out)
{
    *out = ((struct fake_hv *)hv)->platform;
    return 0;
}

static int fake_group(struct sriov_hv *hv, const char *bdf, char ***bdfs, size_t *n)
{
    struct fake_hv *f = (struct fake_hv *)hv;

    (void)bdf;
    *bdfs = calloc(f->n_group + 1, sizeof(**bdfs));
    for (size_t i = 0; i < f->n_group; i++)
        (*bdfs)[i] = strdup(f->group[i]);
    *n = f->n_group;
    return 0;
}

static int fake_owner(struct sriov_hv *hv, const char *bdf, struct sriov_hv_domain *out)
{
    struct fake_hv *f = (struct fake_hv *)hv;

    if (!f->owned || strcmp(bdf, f->owned))
        return -ENOENT;
    memset(out, 0, sizeof(*out));
    out->domid = 3;
    snprintf(out->name, sizeof(out->name), "web1");
    return 0;
}

static const struct sriov_hv_ops fake_ops = {
    .platform = fake_platform,
    .device_group = fake_group,
    .device_owner = fake_owner,
};

/* ---- running a case ---- */

/* A context on the current tree, with the given hypervisor (NULL: the default), and its VF. */
static int open_vf(struct sriov_ctx **ctx, const char *hypervisor, struct sriov_vf **vf)
{
    struct sriov_ctx_opts opts = { .sysfs_root = root, .hypervisor = hypervisor };
    int rc = sriov_ctx_new(ctx, &opts);

    return rc ? rc : sriov_vf_find(*ctx, VF, vf);
}

/* Check the VF, with hv or (NULL) without the Xen checks; *ctx_out keeps the
 * context alive for last_error. */
static struct sriov_isolation *check(struct sriov_ctx **ctx_out, struct sriov_hv *hv, int *rc)
{
    struct sriov_isolation *r = NULL;
    struct sriov_vf *vf = NULL;

    *ctx_out = NULL;
    *rc = open_vf(ctx_out, NULL, &vf);
    if (!*rc)
        *rc = sriov__isolation_check(*ctx_out, hv, vf, &r);
    return r;
}

static const char *finding(const struct sriov_isolation *r, const char *name,
                           enum sriov_isolation_result *result)
{
    for (size_t i = 0; r && i < sriov_isolation_count(r); i++)
        if (!strcmp(sriov_isolation_name(r, i), name)) {
            *result = sriov_isolation_result(r, i);
            return sriov_isolation_detail(r, i);
        }
    *result = SRIOV_ISOLATION_NOT_CHECKED;
    return "(no finding)";
}

/* One case: the named check fails with exactly `want`, and the report is not ok. */
static void expect_failure(const char *label, struct sriov_hv *hv, const char *name,
                           const char *want)
{
    enum sriov_isolation_result res;
    struct sriov_isolation *r;
    struct sriov_ctx *ctx;
    char what[256];
    int rc;

    r = check(&ctx, hv, &rc);
    snprintf(what, sizeof(what), "%s: checks ran", label);
    CHECK_INT(what, rc, 0);
    snprintf(what, sizeof(what), "%s: %s fails", label, name);
    CHECK_STR(what, finding(r, name, &res), want);
    snprintf(what, sizeof(what), "%s: result is FAILED", label);
    CHECK_INT(what, res, SRIOV_ISOLATION_FAILED);
    snprintf(what, sizeof(what), "%s: report not ok", label);
    CHECK(what, r && !sriov_isolation_ok(r));
    sriov_isolation_free(r);
    sriov_ctx_free(ctx);
}

static void test_clean_host(void)
{
    static const char *const pci_checks[] = { "acs", "requester-id", "phantom-functions",
                                              "bar-pages", "flr" };
    enum sriov_isolation_result res;
    struct sriov_isolation *r;
    struct sriov_ctx *ctx;
    char what[128];
    int rc;

    r = check(&ctx, NULL, &rc);
    CHECK_INT("clean host: checks ran", rc, 0);
    CHECK("clean host: ok", r && sriov_isolation_ok(r));
    CHECK_STR("report names the VF", r ? sriov_isolation_bdf(r) : NULL, VF);
    CHECK_INT("one finding per check", r ? sriov_isolation_count(r) : 0, 8);
    for (size_t i = 0; i < sizeof(pci_checks) / sizeof(pci_checks[0]); i++) {
        const char *detail = finding(r, pci_checks[i], &res);
        snprintf(what, sizeof(what), "clean host: %s passes (%s)", pci_checks[i], detail);
        CHECK_INT(what, res, SRIOV_ISOLATION_PASSED);
    }
    CHECK_STR("acs sentence", finding(r, "acs", &res),
              "ACS is enabled on every bridge above " VF);
    CHECK_STR("without a hypervisor the IOMMU is not checked", finding(r, "iommu", &res),
              "not checked for " VF ": no hypervisor");
    CHECK_INT("iommu result NOT_CHECKED", res, SRIOV_ISOLATION_NOT_CHECKED);
    finding(r, "device-group", &res);
    CHECK_INT("device-group NOT_CHECKED", res, SRIOV_ISOLATION_NOT_CHECKED);
    CHECK("out-of-range index", r && !sriov_isolation_name(r, 99) &&
                                    !sriov_isolation_detail(r, 99));
    sriov_isolation_free(r);
    sriov_isolation_free(NULL);
    sriov_ctx_free(ctx);
}

static void test_pci_failures(void)
{
    char want[256];
    size_t acs, exp;
    unsigned long long bar;

    if (!fresh_tree() && (acs = find_ext_cap(RP, EXT_CAP_ACS)) != 0) {
        cfg_patch(RP, acs + 6, 2, 0x0004 | 0x0008, 0);
        expect_failure("ACS RR/CR off", NULL, "acs",
                       "ACS is not enabled on bridge " RP " above " VF
                       " (missing: Request Redirect, Completion Redirect)");
    } else {
        CHECK("root port has an ACS capability to patch", false);
    }

    if (!fresh_tree() && (acs = find_ext_cap(RP, EXT_CAP_ACS)) != 0) {
        cfg_patch(RP, acs, 2, 0xffff, 0x0001);     /* now an AER header */
        expect_failure("no ACS capability", NULL, "acs",
                       "bridge " RP " above " VF " has no ACS capability, so devices below "
                       "it can reach each other without the IOMMU");
    }

    if (!fresh_tree() && (exp = find_cap(RP, 0x10)) != 0) {
        cfg_patch(RP, exp + 2, 2, 0x00f0, 0x7 << 4);  /* PCIe-to-PCI bridge */
        expect_failure("PCIe-to-PCI bridge", NULL, "requester-id",
                       VF " has no requester ID of its own: the PCIe-to-PCI bridge " RP
                       " above it issues DMA for every device behind it (XSA-373)");
    } else {
        CHECK("root port has a PCIe capability to patch", false);
    }

    if (!fresh_tree() && (exp = find_cap(VF, 0x10)) != 0) {
        cfg_patch(VF, exp + 4, 4, 0, 0x1u << 3);       /* Phantom Functions Supported */
        cfg_patch(VF, exp + 8, 2, 0, 0x0200);          /* Phantom Functions Enable */
        expect_failure("VF phantom functions", NULL, "phantom-functions",
                       VF " supports phantom functions and has them enabled, so it can "
                       "issue DMA under other functions' requester IDs (XSA-449)");
    } else {
        CHECK("VF has a PCIe capability to patch", false);
    }

    if (!fresh_tree() && (exp = find_cap(PF, 0x10)) != 0) {
        cfg_patch(PF, exp + 4, 4, 0, 0x2u << 3);
        expect_failure("PF phantom functions", NULL, "phantom-functions",
                       "the PF " PF " supports phantom functions, so it can issue DMA "
                       "under other functions' requester IDs (XSA-449)");
    }

    if (!fresh_tree() && (exp = find_cap(VF, 0x10)) != 0) {
        cfg_patch(VF, exp + 4, 4, 1u << 28, 0);        /* no FLR */
        expect_failure("no FLR", NULL, "flr",
                       VF " has no function-level reset, so one domain's state could reach "
                       "the next owner");
    }

    if (!fresh_tree() && (bar = resource_start(VF, 0)) != 0) {
        set_resource(VF, 0, bar + 0x800, bar + 0x3fff, 0x14220c);
        snprintf(want, sizeof(want), "BAR 0 of " VF " starts at 0x%llx, not on a 4 KiB page "
                 "boundary (XSA-461)", bar + 0x800);
        expect_failure("unaligned BAR", NULL, "bar-pages", want);
    } else {
        CHECK("VF has a BAR 0 to patch", false);
    }

    if (!fresh_tree() && (bar = resource_start(VF, 0)) != 0) {
        /* The PF's ROM lands in the last page of the VF's 16 KiB BAR. */
        set_resource(PF, 6, bar + 0x3800, bar + 0x38ff, 0x46200);
        snprintf(want, sizeof(want), "BAR 0 of " VF " shares the 4 KiB page at 0x%llx with "
                 "the ROM of " PF " (XSA-461)", bar + 0x3000);
        expect_failure("BAR page shared", NULL, "bar-pages", want);
    }

    if (!fresh_tree()) {
        char path[PATH_MAX];
        dev_path(path, sizeof(path), VF, "config");
        if (truncate(path, 64) == 0)
            expect_failure("config unreadable", NULL, "flr",
                           "cannot read the configuration space of " VF ": only the first "
                           "64 bytes are readable (not running as root?)");
    }
}

/*
 * Other VFs' BARs are compared through their PF's VF BAR regions (resource lines
 * 7-12, TotalVFs BARs each), which is where the kernel cuts them from: the
 * patches below touch only the PFs' files.  A region that does not divide by
 * TotalVFs is not the kernel's, and then the VFs' own files are read.
 */
static void test_vf_bar_regions(void)
{
    char want[256], sibling[SRIOV_BDF_LEN], other[SRIOV_BDF_LEN];
    unsigned long long bar, size, region, total;

    if (fresh_tree() || !(bar = resource_start(VF, 0)) || !(region = resource_start(PF, 7)) ||
        !(total = dev_ulong(PF, "sriov_totalvfs"))) {
        CHECK("PF has a VF BAR region to patch", false);
        return;
    }
    size = resource_at(VF, 0, true) - bar + 1;
    /* 2 KiB VF BARs: VF 0 and VF 1 of the PF share a page. */
    virtfn_bdf(PF, 1, sibling);
    set_resource(PF, 7, region, region + 0x800 * total - 1, 0x14220c);
    set_resource(VF, 0, region, region + 0x7ff, 0x14220c);
    snprintf(want, sizeof(want), "BAR 0 of " VF " shares the 4 KiB page at 0x%llx with BAR 0 "
             "of %s (XSA-461)", region, sibling);
    expect_failure("page shared with a VF of the same PF", NULL, "bar-pages", want);

    /* The other port's VF 0 starts in the last page of this VF's BAR 0. */
    if (fresh_tree() || !(total = dev_ulong(PF2, "sriov_totalvfs")))
        return;
    virtfn_bdf(PF2, 0, other);
    set_resource(PF2, 7, bar + size - 0x1000, bar + size - 0x1000 + size * total - 1, 0x14220c);
    snprintf(want, sizeof(want), "BAR 0 of " VF " shares the 4 KiB page at 0x%llx with BAR 0 "
             "of %s (XSA-461)", bar + size - 0x1000, other);
    expect_failure("page shared with a VF of another PF", NULL, "bar-pages", want);

    /* One byte more than TotalVFs BARs is not the kernel's region: the sibling's
     * own file says where its BAR is. */
    if (fresh_tree() || !(region = resource_start(PF, 7)))
        return;
    total = dev_ulong(PF, "sriov_totalvfs");
    set_resource(PF, 7, region, region + size * total, 0x14220c);
    set_resource(sibling, 0, bar + size - 0x1000, bar + size - 1, 0x14220c);
    snprintf(want, sizeof(want), "BAR 0 of " VF " shares the 4 KiB page at 0x%llx with BAR 0 "
             "of %s (XSA-461)", bar + size - 0x1000, sibling);
    expect_failure("region that is not the kernel's: the VF's own file", NULL, "bar-pages",
                   want);
}

/* A bridge whose config cannot be read fails both checks that need it. */
static void test_bridge_unreadable(void)
{
    char path[PATH_MAX];

    if (fresh_tree())
        return;
    dev_path(path, sizeof(path), RP, "config");
    if (unlink(path) != 0)
        return;
    expect_failure("bridge config missing", NULL, "acs",
                   "cannot read the configuration space of bridge " RP " above " VF
                   ": No such file or directory");
    expect_failure("bridge config missing", NULL, "requester-id",
                   "cannot tell whether bridge " RP " above " VF " aliases its requester ID: "
                   "No such file or directory");
}

static void test_hypervisor(void)
{
    struct fake_hv f = { .hv = { .ops = &fake_ops } };
    enum sriov_isolation_result res;
    struct sriov_isolation *r;
    struct sriov_ctx *ctx;
    char path[PATH_MAX];
    int rc;

    if (fresh_tree()) {
        CHECK("build tree for the hypervisor cases", false);
        return;
    }
    f.platform = (struct sriov_hv_platform){ .iommu_enabled = true, .quarantine_enabled = true };
    f.n_group = 0;                                /* the VF's group, the VF excluded */
    r = check(&ctx, &f.hv, &rc);
    CHECK_INT("with Xen: checks ran", rc, 0);
    CHECK("with Xen: ok", r && sriov_isolation_ok(r));
    CHECK_STR("iommu passes", finding(r, "iommu", &res), "Xen's IOMMU is on (directio) for " VF);
    CHECK_STR("alone in its group", finding(r, "device-group", &res),
              VF " is alone in its Xen device group");
    CHECK_INT("device-group PASSED", res, SRIOV_ISOLATION_PASSED);
    sriov_isolation_free(r);
    sriov_ctx_free(ctx);

    f.platform.iommu_enabled = false;
    expect_failure("IOMMU off", &f.hv, "iommu",
                   "Xen's IOMMU is off (no directio capability): a domain given " VF
                   " could reach all memory by DMA");
    f.platform = (struct sriov_hv_platform){ .iommu_enabled = true };
    expect_failure("quarantine off", &f.hv, "quarantine",
                   "Xen's PCI quarantine is off on its command line (iommu=no-quarantine or "
                   "iommu=quarantine=0): DMA in flight "
                   "from " VF " when it changes hands would reach dom0's memory "
                   "(XSA-302, XSA-306)");
    f.platform.quarantine_enabled = true;

    f.group[0] = PF;                              /* bound to ixgbe in the tree */
    f.n_group = 1;
    expect_failure("group member used by dom0", &f.hv, "device-group",
                   VF " shares its Xen device group with " PF ", which dom0 uses through "
                   "the driver ixgbe (XSA-373)");
    f.owned = PF;
    expect_failure("group member owned by a domain", &f.hv, "device-group",
                   VF " shares its Xen device group with " PF ", which is assigned to "
                   "domain web1 (3) (XSA-373)");
    f.owned = NULL;

    dev_path(path, sizeof(path), PF, "driver");
    unlink(path);
    if (symlink("../../../../bus/pci/drivers/pciback", path) == 0) {
        r = check(&ctx, &f.hv, &rc);
        CHECK_STR("a pciback member is fine", finding(r, "device-group", &res),
                  "no other device in the Xen device group of " VF " is in use");
        CHECK("with a pciback member: ok", r && sriov_isolation_ok(r));
        sriov_isolation_free(r);
        sriov_ctx_free(ctx);
    }
}

/* Through the public call, with a hypervisor that cannot be opened: the Xen
 * checks fail closed and say why. */
static void test_public_unreachable(void)
{
    enum sriov_isolation_result res;
    struct sriov_isolation *r = NULL;
    struct sriov_ctx *ctx = NULL;
    struct sriov_vf *vf = NULL;
    int rc;

    if (fresh_tree())
        return;
    rc = open_vf(&ctx, "bogus", &vf);
    if (!rc)
        rc = sriov_isolation_check(ctx, vf, &r);
    CHECK_INT("public call: checks ran", rc, 0);
    CHECK_STR("unreachable hypervisor: iommu fails", finding(r, "iommu", &res),
              "cannot reach the hypervisor to check " VF ": unknown hypervisor backend "
              "'bogus' (expected a built-in one or MODULE:ARG)");
    CHECK_INT("unreachable hypervisor: FAILED", res, SRIOV_ISOLATION_FAILED);
    finding(r, "device-group", &res);
    CHECK_INT("unreachable hypervisor: device-group FAILED", res, SRIOV_ISOLATION_FAILED);
    finding(r, "acs", &res);
    CHECK_INT("unreachable hypervisor: PCI checks still run", res, SRIOV_ISOLATION_PASSED);
    CHECK("unreachable hypervisor: not ok", r && !sriov_isolation_ok(r));
    sriov_isolation_free(r);
    sriov_ctx_free(ctx);
}

static void test_vf_gone(void)
{
    struct sriov_isolation *r = NULL;
    struct sriov_ctx *ctx = NULL;
    struct sriov_vf *vf = NULL;
    char path[PATH_MAX];
    int rc;

    if (fresh_tree())
        return;
    rc = open_vf(&ctx, "bogus", &vf);
    CHECK_INT("find VF before it goes", rc, 0);
    snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", root, VF);
    unlink(path);
    rc = vf ? sriov_isolation_check(ctx, vf, &r) : -1;
    CHECK_INT("VF gone: checks cannot run", rc, -ENOENT);
    CHECK("VF gone: no report", r == NULL);
    CHECK("VF gone: the error names the VF", strstr(sriov_ctx_last_error(ctx), VF) != NULL);
    sriov_ctx_free(ctx);
}

int main(void)
{
    char *rm[] = { "rm", "-rf", tmpdir, NULL };

    if (!getenv("SRIOV_SIM")) {
        printf("SKIP: test-isolation: $SRIOV_SIM not set (run through make check)\n");
        return 0;
    }
    if (!mkdtemp(tmpdir)) {
        printf("FAIL: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    if (fresh_tree()) {
        printf("FAIL: build static tree with $SRIOV_SIM\n");
        run(rm);
        return 1;
    }
    test_clean_host();
    test_pci_failures();
    test_vf_bar_regions();
    test_bridge_unreadable();
    test_hypervisor();
    test_public_unreachable();
    test_vf_gone();
    run(rm);
    return HARNESS_EXIT();
}
