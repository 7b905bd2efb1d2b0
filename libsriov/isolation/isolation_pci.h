/* What the checks that read PCI configuration space through libpci share
 * (isolation_pci.c sets libpci up; isolation_pci_path.c walks the bridges above
 * the VF; isolation_pci_function.c looks at the VF and its PF). */
#ifndef SRIOV_ISOLATION_PCI_H
#define SRIOV_ISOLATION_PCI_H

#include <pci/pci.h>

#include "internal.h"

struct sriov__pci_check {
    struct sriov_ctx *ctx;
    struct pci_access *pacc;
    const char *vf;               /* BDF, for sentences */
    struct sriov_isolation *r;
};

/* A libpci device for bdf, once its config file is known to be readable in full:
 * -EACCES when only the first 64 bytes are (not root), -EIO for a dead function. */
int sriov__pci_check_open(struct sriov__pci_check *p, const char *bdf, struct pci_dev **ret);
/* Why sriov__pci_check_open failed, for a sentence. */
const char *sriov__pci_unreadable_hint(int rc);
/* PCIe Device/Port Type, or -1 for a conventional PCI function; *exp its capability. */
int sriov__pcie_type(struct pci_dev *d, struct pci_cap **exp);

/* isolation_pci_path.c: ACS and requester-ID aliasing on the bridges above the VF. */
int sriov__isolation_check_path(struct sriov__pci_check *p);
/* isolation_pci_function.c: phantom functions of the VF and its PF, the VF's FLR. */
int sriov__isolation_check_function(struct sriov__pci_check *p, const struct sriov_vf *vf);

#endif
