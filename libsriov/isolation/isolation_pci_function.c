/*
 * The VF and its PF themselves: phantom functions, which let a function use
 * other functions' requester IDs (XSA-449), and function-level reset.
 */
#include "config.h"

#include <stdbool.h>

#include "internal.h"
#include "isolation/isolation.h"
#include "isolation/isolation_pci.h"

/*
 * Phantom functions (XSA-449).  We refuse when they are merely supported, not
 * only enabled: Xen sizes its IOMMU mappings from the supported field, a
 * guest with the device can set the enable bit, and the phantom requester IDs
 * are other functions' IDs.  The PF counts too: its phantom IDs are the IDs
 * of its VFs.  (VFs themselves must report 0; SR-IOV 1.1, 3.5.6.)
 */
static int check_phantom(struct sriov__pci_check *p, struct pci_dev *d, const char *bdf,
                         const char *who, bool *clean)
{
    struct pci_cap *exp;
    uint32_t devcap;
    uint16_t devctl;

    if (sriov__pcie_type(d, &exp) < 0)
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
static int check_flr(struct sriov__pci_check *p, struct pci_dev *d)
{
    struct pci_cap *exp, *af;

    if (sriov__pcie_type(d, &exp) >= 0 &&
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

int sriov__isolation_check_function(struct sriov__pci_check *p, const struct sriov_vf *vf)
{
    struct pci_dev *d = NULL, *pf = NULL;
    bool clean = true;
    int rc;

    rc = sriov__pci_check_open(p, p->vf, &d);
    if (rc) {
        const char *why = sriov__pci_unreadable_hint(rc);

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
    rc = sriov__pci_check_open(p, vf->pf->dev.bdf, &pf);
    if (rc) {
        clean = false;
        rc = sriov__isolation_add(p->r, "phantom-functions", SRIOV_ISOLATION_FAILED,
                                  "cannot read the configuration space of %s, the PF of %s: %s",
                                  vf->pf->dev.bdf, p->vf, sriov__pci_unreadable_hint(rc));
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
