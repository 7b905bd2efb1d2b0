/*
 * Isolation checks that read PCI configuration space, through libpci only:
 * ACS on the bridges above the VF, requester-ID aliasing by those bridges
 * (isolation_pci_path.c), phantom functions and function-level reset
 * (isolation_pci_function.c).  This file sets libpci up and opens devices.
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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pci/pci.h>

#include "internal.h"
#include "isolation/isolation.h"
#include "isolation/isolation_pci.h"
#include "sysfs/sysfs.h"

static void pci_quiet(char *msg, ...)
{
    (void)msg;
}

/* Only reachable through a libpci call these files promise not to make. */
static void pci_fatal(char *msg, ...) __attribute__((noreturn));
static void pci_fatal(char *msg, ...)
{
    (void)msg;
    abort();
}

/* A readable config file: all of the standard header and capabilities, and the
 * extended space when the kernel shows one.  Unprivileged readers get only the
 * first 64 bytes, where libpci would find no capability at all. */
static int config_readable(struct sriov_ctx *ctx, const char *bdf)
{
    struct stat st;
    uint8_t buf[12];
    int fd, rc = 0;

    fd = sriov__pci_dev_open(ctx, bdf, "config");
    if (fd < 0)
        return fd;
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

int sriov__pci_check_open(struct sriov__pci_check *p, const char *bdf, struct pci_dev **ret)
{
    unsigned int domain, bus, slot, func;
    int rc;

    *ret = NULL;
    rc = config_readable(p->ctx, bdf);
    if (rc)
        return rc;
    if (sscanf(bdf, "%x:%x:%x.%x", &domain, &bus, &slot, &func) != 4)
        return -EINVAL;
    *ret = pci_get_dev(p->pacc, (int)domain, (int)bus, (int)slot, (int)func);
    return *ret ? 0 : -ENOMEM;
}

const char *sriov__pci_unreadable_hint(int rc)
{
    return rc == -EACCES ? "only the first 64 bytes are readable (not running as root?)"
                         : strerror(-rc);
}

int sriov__pcie_type(struct pci_dev *d, struct pci_cap **exp)
{
    *exp = pci_find_cap(d, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
    if (!*exp)
        return -1;
    return (pci_read_word(d, (*exp)->addr + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_TYPE) >> 4;
}

int sriov__isolation_check_pci(struct sriov_ctx *ctx, const struct sriov_vf *vf,
                               struct sriov_isolation *r)
{
    struct sriov__pci_check p = { .ctx = ctx, .vf = vf->dev.bdf, .r = r };
    char bus_pci[PATH_MAX];
    int rc;

    /* libpci builds names in 1024-byte buffers and calls error() on overflow. */
    rc = sriov__pci_bus_path(ctx, bus_pci, sizeof(bus_pci));
    if (!rc && strlen(bus_pci) > 900)
        rc = -ENAMETOOLONG;
    if (rc) {
        rc = sriov__fail(ctx, rc, "%s: sysfs root too long for libpci", vf->dev.bdf);
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

    rc = sriov__isolation_check_path(&p);
    if (!rc)
        rc = sriov__isolation_check_function(&p, vf);
out:
    if (p.pacc)
        pci_cleanup(p.pacc);
    return rc;
}
