/*
 * Isolation checks that read PCI configuration space, through libpci only:
 * ACS on the bridges above the VF, requester-ID aliasing by those bridges,
 * phantom functions, and function-level reset.
 *
 * libpci reads <sysfs root>/bus/pci/devices/<BDF>/config.  Its default error
 * callback exits the process, so we only make calls that cannot reach it
 * (pci_get_dev, capability look-ups, config reads: never pci_scan_bus or the
 * fill flags that read mandatory sysfs attributes), and we check that a
 * device's config file is readable before handing the device to libpci,
 * which would otherwise read all-ones and find nonsense capabilities.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pci/pci.h>

#include "internal.h"
#include "isolation/isolation.h"
#include "sysfs/sysfs.h"

/* The ACS controls that make a port send peer-to-peer traffic up to the IOMMU,
 * as the kernel's REQ_ACS_FLAGS (drivers/pci/pci.c) and libvirt's
 * virPCIDeviceIsBehindSwitchLackingACS define "isolated". */
static const struct {
    uint16_t bit;
    const char *name;
} acs_required[] = {
    { PCI_ACS_CTRL_VALID, "Source Validation" },
    { PCI_ACS_CTRL_REQ_RED, "Request Redirect" },
    { PCI_ACS_CTRL_CMPLT_RED, "Completion Redirect" },
    { PCI_ACS_CTRL_FORWARD, "Upstream Forwarding" },
};

struct pci_ctx {
    struct sriov_ctx *ctx;
    struct pci_access *pacc;
    int devfd;                    /* <root>/bus/pci/devices */
    const char *vf;               /* BDF, for sentences */
    struct sriov_isolation *r;
};

static void pci_quiet(char *msg, ...)
{
    (void)msg;
}

/* Only reachable through a libpci call this file promises not to make. */
static void pci_fatal(char *msg, ...) __attribute__((noreturn));
static void pci_fatal(char *msg, ...)
{
    (void)msg;
    abort();
}

/* A readable config file: all of the standard header and capabilities, and the
 * extended space when the kernel shows one.  Unprivileged readers get only the
 * first 64 bytes, where libpci would find no capability at all. */
static int config_readable(int devfd, const char *bdf)
{
    char rel[PATH_MAX];
    struct stat st;
    uint8_t buf[12];
    int fd, rc = 0;

    snprintf(rel, sizeof(rel), "%s/config", bdf);
    fd = openat(devfd, rel, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0)
        rc = -errno;
    /* A VF's Vendor/Device ID registers read 0xFFFF by the SR-IOV spec, so a
     * dead function is one whose class code reads all ones too. */
    else if (pread(fd, buf, 12, 0) != 12 ||
             (buf[0] == 0xff && buf[1] == 0xff && buf[9] == 0xff && buf[10] == 0xff &&
              buf[11] == 0xff))
        rc = -EIO;
    else if (pread(fd, buf, 4, 0xfc) != 4 ||
             (st.st_size > 0x100 && pread(fd, buf, 4, 0x100) != 4))
        rc = -EACCES;
    close(fd);
    return rc;
}

static int open_dev(struct pci_ctx *p, const char *bdf, struct pci_dev **ret)
{
    unsigned int domain, bus, slot, func;
    int rc;

    *ret = NULL;
    rc = config_readable(p->devfd, bdf);
    if (rc)
        return rc;
    if (sscanf(bdf, "%x:%x:%x.%x", &domain, &bus, &slot, &func) != 4)
        return -EINVAL;
    *ret = pci_get_dev(p->pacc, (int)domain, (int)bus, (int)slot, (int)func);
    return *ret ? 0 : -ENOMEM;
}

static const char *unreadable_hint(int rc)
{
    return rc == -EACCES ? "only the first 64 bytes are readable (not running as root?)"
                         : strerror(-rc);
}

/* PCIe Device/Port Type, or -1 for a conventional PCI function. */
static int pcie_type(struct pci_dev *d, struct pci_cap **exp)
{
    *exp = pci_find_cap(d, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
    if (!*exp)
        return -1;
    return (pci_read_word(d, (*exp)->addr + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_TYPE) >> 4;
}

/* The VF's path from the root: the BDFs in its canonical sysfs path, which the
 * kernel nests below each bridge.  The VF itself is dropped. */
static int upstream_bridges(struct sriov_ctx *ctx, const char *bdf, char ***ret, size_t *n)
{
    char path[PATH_MAX], *real = NULL, *root = NULL, *save = NULL, **list = NULL;
    size_t root_len, count = 0;
    int rc;

    *ret = NULL;
    *n = 0;
    rc = sriov__sysfs_path(ctx, path, sizeof(path), "bus/pci/devices/%s", bdf);
    if (rc)
        goto out;
    /* errno right away: a successful realpath() may leave it changed. */
    real = realpath(path, NULL);
    if (!real) {
        rc = -errno;
        goto out;
    }
    root = realpath(ctx->sysfs_root, NULL);
    if (!root) {
        rc = -errno;
        goto out;
    }
    root_len = strlen(root);
    if (strncmp(real, root, root_len) != 0 || real[root_len] != '/') {
        rc = -EXDEV;
        goto out;
    }
    for (char *tok = strtok_r(real + root_len, "/", &save); tok;
         tok = strtok_r(NULL, "/", &save)) {
        char **nl;

        if (!sriov__is_bdf(tok))
            continue;
        nl = realloc(list, (count + 1) * sizeof(*nl));
        if (!nl) {
            rc = -ENOMEM;
            goto out;
        }
        list = nl;
        list[count] = strdup(tok);
        if (!list[count]) {
            rc = -ENOMEM;
            goto out;
        }
        count++;
    }
    if (count == 0 || strcmp(list[count - 1], bdf) != 0) {
        rc = -EPROTO;
        goto out;
    }
    free(list[--count]);
    *ret = list;
    *n = count;
    list = NULL;
    count = 0;
out:
    for (size_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
    free(real);
    free(root);
    return rc;
}

/* ACS on a root or downstream port.  As in the kernel's pci_acs_flags_enabled(),
 * a control the port does not implement counts as hard-wired on. */
static int check_port_acs(struct pci_ctx *p, struct pci_dev *d, const char *bdf, bool *clean)
{
    struct pci_cap *acs = pci_find_cap(d, PCI_EXT_CAP_ID_ACS, PCI_CAP_EXTENDED);
    char missing[128] = "";
    uint16_t cap, ctrl;

    if (!acs) {
        *clean = false;
        return sriov__isolation_add(p->r, "acs", SRIOV_ISOLATION_FAILED,
                                    "bridge %s above %s has no ACS capability, so devices "
                                    "below it can reach each other without the IOMMU",
                                    bdf, p->vf);
    }
    cap = pci_read_word(d, acs->addr + PCI_ACS_CAP);
    ctrl = pci_read_word(d, acs->addr + PCI_ACS_CTRL);
    for (size_t i = 0; i < sizeof(acs_required) / sizeof(acs_required[0]); i++) {
        if (!(cap & acs_required[i].bit) || (ctrl & acs_required[i].bit))
            continue;
        snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
                 missing[0] ? ", " : "", acs_required[i].name);
    }
    if (!missing[0])
        return 0;
    *clean = false;
    return sriov__isolation_add(p->r, "acs", SRIOV_ISOLATION_FAILED,
                                "ACS is not enabled on bridge %s above %s (missing: %s)",
                                bdf, p->vf, missing);
}

/* One bridge: its ACS (for ports where ACS applies) and whether it aliases
 * the requester IDs of everything behind it (PCIe 6.12.1, XSA-373). */
static int check_bridge(struct pci_ctx *p, const char *bdf, bool *acs_clean, bool *rid_clean)
{
    struct pci_dev *d = NULL;
    struct pci_cap *exp;
    const char *kind = NULL;
    int rc;

    rc = open_dev(p, bdf, &d);
    if (rc) {
        const char *why = unreadable_hint(rc);

        *acs_clean = *rid_clean = false;
        rc = sriov__isolation_add(p->r, "acs", SRIOV_ISOLATION_FAILED,
                                  "cannot read the configuration space of bridge %s above "
                                  "%s: %s", bdf, p->vf, why);
        if (!rc)
            rc = sriov__isolation_add(p->r, "requester-id", SRIOV_ISOLATION_FAILED,
                                      "cannot tell whether bridge %s above %s aliases its "
                                      "requester ID: %s", bdf, p->vf, why);
        goto out;
    }
    switch (pcie_type(d, &exp)) {
    case -1:
        kind = "conventional PCI bridge";
        break;
    case PCI_EXP_TYPE_PCI_BRIDGE:
        kind = "PCIe-to-PCI bridge";
        break;
    case PCI_EXP_TYPE_PCIE_BRIDGE:
        kind = "PCI-to-PCIe bridge";
        break;
    case PCI_EXP_TYPE_ROOT_PORT:
    case PCI_EXP_TYPE_DOWNSTREAM:
        rc = check_port_acs(p, d, bdf, acs_clean);
        goto out;
    default:
        /* Upstream switch ports: no ACS control applies (PCIe 6.12.1.3). */
        rc = 0;
        goto out;
    }
    /* Everything behind a PCI(-X) segment reaches the IOMMU under the bridge's
     * requester ID, and conventional PCI has no ACS to keep peers apart. */
    *acs_clean = *rid_clean = false;
    rc = sriov__isolation_add(p->r, "acs", SRIOV_ISOLATION_FAILED,
                              "the %s %s above %s cannot enforce ACS", kind, bdf, p->vf);
    if (!rc)
        rc = sriov__isolation_add(p->r, "requester-id", SRIOV_ISOLATION_FAILED,
                                  "%s has no requester ID of its own: the %s %s above it "
                                  "issues DMA for every device behind it (XSA-373)",
                                  p->vf, kind, bdf);
out:
    if (d)
        pci_free_dev(d);
    return rc;
}

static int check_path(struct pci_ctx *p)
{
    char **bridges = NULL;
    size_t n = 0;
    bool acs_clean = true, rid_clean = true;
    int rc;

    rc = upstream_bridges(p->ctx, p->vf, &bridges, &n);
    if (rc) {
        rc = sriov__fail(p->ctx, rc, "%s: cannot find the bridges above it in sysfs: %s",
                         p->vf, strerror(-rc));
        goto out;
    }
    /* Nearest bridge first, so the sentences read from the VF upwards. */
    for (size_t i = n; i-- > 0;) {
        rc = check_bridge(p, bridges[i], &acs_clean, &rid_clean);
        if (rc)
            goto out;
    }
    if (acs_clean)
        rc = sriov__isolation_add(p->r, "acs", SRIOV_ISOLATION_PASSED,
                                  n ? "ACS is enabled on every bridge above %s"
                                    : "%s sits on a root bus: no bridge needs ACS", p->vf);
    if (!rc && rid_clean)
        rc = sriov__isolation_add(p->r, "requester-id", SRIOV_ISOLATION_PASSED,
                                  "%s has its own requester ID: no PCI bridge above aliases it",
                                  p->vf);
out:
    for (size_t i = 0; i < n; i++)
        free(bridges[i]);
    free(bridges);
    return rc;
}

/*
 * Phantom functions (XSA-449).  We refuse when they are merely supported, not
 * only enabled: Xen sizes its IOMMU mappings from the supported field, a
 * guest with the device can set the enable bit, and the phantom requester IDs
 * are other functions' IDs.  The PF counts too: its phantom IDs are the IDs
 * of its VFs.  (VFs themselves must report 0; SR-IOV 1.1, 3.5.6.)
 */
static int check_phantom(struct pci_ctx *p, struct pci_dev *d, const char *bdf, const char *who,
                         bool *clean)
{
    struct pci_cap *exp;
    uint32_t devcap;
    uint16_t devctl;

    if (pcie_type(d, &exp) < 0)
        return 0;
    devcap = pci_read_long(d, exp->addr + PCI_EXP_DEVCAP);
    devctl = pci_read_word(d, exp->addr + PCI_EXP_DEVCTL);
    if (!(devcap & PCI_EXP_DEVCAP_PHANTOM))
        return 0;
    *clean = false;
    return sriov__isolation_add(p->r, "phantom-functions", SRIOV_ISOLATION_FAILED,
                                "%s%s supports phantom functions%s, so it can issue DMA "
                                "under other functions' requester IDs (XSA-449)", who, bdf,
                                devctl & PCI_EXP_DEVCTL_PHANTOM ? " and has them enabled" : "");
}

/* FLR from the PCIe capability, or from Advanced Features (conventional PCI). */
static int check_flr(struct pci_ctx *p, struct pci_dev *d)
{
    struct pci_cap *exp, *af;

    if (pcie_type(d, &exp) >= 0 &&
        (pci_read_long(d, exp->addr + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLRESET))
        return sriov__isolation_add(p->r, "flr", SRIOV_ISOLATION_PASSED,
                                    "%s has a function-level reset", p->vf);
    af = pci_find_cap(d, PCI_CAP_ID_AF, PCI_CAP_NORMAL);
    if (af && (pci_read_byte(d, af->addr + PCI_AF_CAP) & PCI_AF_CAP_FLR))
        return sriov__isolation_add(p->r, "flr", SRIOV_ISOLATION_PASSED,
                                    "%s has a function-level reset (Advanced Features)", p->vf);
    return sriov__isolation_add(p->r, "flr", SRIOV_ISOLATION_FAILED,
                                "%s has no function-level reset, so one domain's state "
                                "could reach the next owner", p->vf);
}

static int check_functions(struct pci_ctx *p, const struct sriov_vf *vf)
{
    struct pci_dev *d = NULL, *pf = NULL;
    bool clean = true;
    int rc;

    rc = open_dev(p, p->vf, &d);
    if (rc) {
        const char *why = unreadable_hint(rc);

        rc = sriov__isolation_add(p->r, "phantom-functions", SRIOV_ISOLATION_FAILED,
                                  "cannot read the configuration space of %s: %s", p->vf, why);
        if (!rc)
            rc = sriov__isolation_add(p->r, "flr", SRIOV_ISOLATION_FAILED,
                                      "cannot read the configuration space of %s: %s",
                                      p->vf, why);
        goto out;
    }
    rc = check_phantom(p, d, p->vf, "", &clean);
    if (rc)
        goto out;
    rc = open_dev(p, vf->pf->dev.bdf, &pf);
    if (rc) {
        clean = false;
        rc = sriov__isolation_add(p->r, "phantom-functions", SRIOV_ISOLATION_FAILED,
                                  "cannot read the configuration space of %s, the PF of %s: %s",
                                  vf->pf->dev.bdf, p->vf, unreadable_hint(rc));
    } else {
        rc = check_phantom(p, pf, vf->pf->dev.bdf, "the PF ", &clean);
    }
    if (!rc && clean)
        rc = sriov__isolation_add(p->r, "phantom-functions", SRIOV_ISOLATION_PASSED,
                                  "neither %s nor its PF supports phantom functions", p->vf);
    if (!rc)
        rc = check_flr(p, d);
out:
    if (pf)
        pci_free_dev(pf);
    if (d)
        pci_free_dev(d);
    return rc;
}

int sriov__isolation_check_pci(struct sriov_ctx *ctx, const struct sriov_vf *vf,
                               struct sriov_isolation *r)
{
    struct pci_ctx p = { .ctx = ctx, .devfd = -1, .vf = vf->dev.bdf, .r = r };
    char bus_pci[PATH_MAX];
    int rc;

    /* libpci builds names in 1024-byte buffers and calls error() on overflow. */
    rc = sriov__sysfs_path(ctx, bus_pci, sizeof(bus_pci), "bus/pci");
    if (!rc && strlen(bus_pci) > 900)
        rc = -ENAMETOOLONG;
    if (rc) {
        rc = sriov__fail(ctx, rc, "%s: sysfs root too long for libpci", vf->dev.bdf);
        goto out;
    }
    p.devfd = sriov__sysfs_open_dir(ctx, "bus/pci/devices");
    if (p.devfd < 0) {
        rc = sriov__fail(ctx, p.devfd, "cannot open %s/bus/pci/devices", ctx->sysfs_root);
        goto out;
    }
    p.pacc = pci_alloc();
    if (!p.pacc) {
        rc = -ENOMEM;
        goto out;
    }
    p.pacc->warning = pci_quiet;
    p.pacc->debug = pci_quiet;
    p.pacc->error = pci_fatal;
    p.pacc->method = PCI_ACCESS_SYS_BUS_PCI;
    pci_set_param(p.pacc, "sysfs.path", bus_pci);
    pci_init(p.pacc);

    rc = check_path(&p);
    if (!rc)
        rc = check_functions(&p, vf);
out:
    if (p.pacc)
        pci_cleanup(p.pacc);
    if (p.devfd >= 0)
        close(p.devfd);
    return rc;
}
