/*
 * The bridges above a VF, from its canonical sysfs path: ACS on each port where
 * ACS applies, and whether a PCI(-X) bridge issues the VF's DMA under its own
 * requester ID (XSA-373).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "isolation/isolation.h"
#include "isolation/isolation_pci.h"
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

/* The VF's path from the root: the BDFs in its canonical sysfs path, which the
 * kernel nests below each bridge.  The VF itself is dropped. */
static int upstream_bridges(struct sriov_ctx *ctx, const char *bdf, char ***ret, size_t *n)
{
    char path[PATH_MAX], *real = NULL, *root = NULL, *save = NULL, **list = NULL;
    size_t root_len, count = 0;
    int rc;

    *ret = NULL;
    *n = 0;
    rc = sriov__pci_dev_path(ctx, bdf, path, sizeof(path));
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
static int check_port_acs(struct sriov__pci_check *p, struct pci_dev *d, const char *bdf,
                          bool *clean)
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
static int check_bridge(struct sriov__pci_check *p, const char *bdf, bool *acs_clean,
                        bool *rid_clean)
{
    struct pci_dev *d = NULL;
    struct pci_cap *exp;
    const char *kind = NULL;
    int rc;

    rc = sriov__pci_check_open(p, bdf, &d);
    if (rc) {
        const char *why = sriov__pci_unreadable_hint(rc);

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
    switch (sriov__pcie_type(d, &exp)) {
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

int sriov__isolation_check_path(struct sriov__pci_check *p)
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
