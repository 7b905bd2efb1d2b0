/* What every PCI function has, PF or VF: ids, names, driver, netdevs, NUMA node. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "internal.h"
#include "sysfs/sysfs.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The interfaces under the function's net/, sorted; a function without one has no net/. */
static int load_netdevs(struct sriov_ctx *ctx, struct sriov_dev *dev)
{
    struct dirent *de;
    DIR *dir = NULL;
    int rc;

    rc = sriov__pci_dev_opendir(ctx, dev->bdf, "net", &dir);
    if (rc)
        return rc == -ENOENT ? 0 : rc;
    while ((de = readdir(dir))) {
        if (de->d_name[0] == '.')
            continue;
        rc = sriov__strv_push(&dev->netdevs, &dev->n_netdevs, strdup(de->d_name));
        if (rc)
            goto out;
    }
    if (dev->n_netdevs > 1)
        qsort(dev->netdevs, dev->n_netdevs, sizeof(*dev->netdevs), cmp_str);
out:
    closedir(dir);
    return rc;
}

int sriov__dev_load_driver(struct sriov_ctx *ctx, struct sriov_dev *dev)
{
    char name[NAME_MAX + 1];
    int rc;

    free(dev->driver);
    dev->driver = NULL;
    rc = sriov__pci_dev_link(ctx, dev->bdf, "driver", name, sizeof(name));
    if (rc == -ENOENT)
        return 0;
    if (rc)
        return rc;
    dev->driver = strdup(name);
    return dev->driver ? 0 : -ENOMEM;
}

static int read_ids(struct sriov_ctx *ctx, struct sriov_dev *dev)
{
    const char *bdf = dev->bdf;
    unsigned long vendor, device, class;
    long numa;
    int rc;

    rc = sriov__pci_dev_require_uint(ctx, bdf, "vendor", 16, &vendor);
    if (!rc)
        rc = sriov__pci_dev_require_uint(ctx, bdf, "device", 16, &device);
    if (!rc)
        rc = sriov__pci_dev_require_uint(ctx, bdf, "class", 16, &class);
    if (rc)
        return rc;
    dev->vendor = vendor;
    dev->device = device;
    dev->class = class;

    /* numa_node is absent on kernels without NUMA: that means "unknown". */
    if (sriov__pci_dev_read_int(ctx, bdf, "numa_node", &numa) == 0 && numa >= -1 &&
        numa < INT_MAX)
        dev->numa_node = (int)numa;
    return 0;
}

static int load_links(struct sriov_ctx *ctx, struct sriov_dev *dev)
{
    int rc;

    rc = sriov__dev_load_driver(ctx, dev);
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot read its driver link", dev->bdf);
    rc = load_netdevs(ctx, dev);
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot list its network interfaces", dev->bdf);
    return 0;
}

int sriov__dev_load(struct sriov_ctx *ctx, const char *bdf, struct sriov_dev *dev)
{
    int rc;

    dev->ctx = ctx;
    snprintf(dev->bdf, sizeof(dev->bdf), "%s", bdf);
    dev->numa_node = -1;
    rc = read_ids(ctx, dev);
    return rc ? rc : load_links(ctx, dev);
}

int sriov__dev_load_lazy(struct sriov_ctx *ctx, const char *bdf, struct sriov_dev *dev)
{
    dev->ctx = ctx;
    snprintf(dev->bdf, sizeof(dev->bdf), "%s", bdf);
    dev->ids_pending = true;
    return load_links(ctx, dev);
}

/* Accessors are logically const; the first one to need the ids reads them.  If
 * that fails the kernel's own derivation from the PF, preset by the caller, stays,
 * and so does the context's last error: a getter is not a failed call. */
static const struct sriov_dev *ids(const struct sriov_dev *cdev)
{
    struct sriov_dev *dev = (struct sriov_dev *)cdev;
    struct sriov__saved_error saved;
    struct sriov_dev tmp;

    if (!dev->ids_pending)
        return dev;
    dev->ids_pending = false;
    sriov__error_save(dev->ctx, &saved);
    tmp = *dev;
    if (read_ids(dev->ctx, &tmp) == 0) {
        dev->vendor = tmp.vendor;
        dev->device = tmp.device;
        dev->class = tmp.class;
        dev->numa_node = tmp.numa_node;
    }
    sriov__error_restore(dev->ctx, &saved);
    return dev;
}

void sriov__dev_dispose(struct sriov_dev *dev)
{
    for (size_t i = 0; i < dev->n_netdevs; i++)
        free(dev->netdevs[i]);
    free(dev->netdevs);
    free(dev->driver);
    free(dev->vendor_name);
    free(dev->device_name);
    dev->netdevs = NULL;
    dev->n_netdevs = 0;
    dev->driver = dev->vendor_name = dev->device_name = NULL;
}

/* libpci's default error handler exits the process; a library must not. */
static void pci_quiet(char *msg, ...)
{
    (void)msg;
}

static struct pci_access *names_db(struct sriov_ctx *ctx)
{
    if (!ctx->pacc) {
        ctx->pacc = pci_alloc();
        if (!ctx->pacc)
            return NULL;
        ctx->pacc->warning = pci_quiet;
        ctx->pacc->debug = pci_quiet;
    }
    return ctx->pacc;
}

void sriov__pci_names_free(struct sriov_ctx *ctx)
{
    if (ctx->pacc)
        pci_cleanup(ctx->pacc);
    ctx->pacc = NULL;
}

/* Look a name up once and keep it; the accessors are logically const. */
static const char *lookup(const struct sriov_dev *cdev, bool vendor)
{
    struct sriov_dev *dev = (struct sriov_dev *)cdev;
    char **slot = vendor ? &dev->vendor_name : &dev->device_name;
    struct pci_access *pacc;
    char buf[256];
    const char *name = NULL;

    if (*slot)
        return *slot;
    ids(cdev);
    pacc = names_db(dev->ctx);
    if (pacc) {
        if (vendor)
            name = pci_lookup_name(pacc, buf, sizeof(buf), PCI_LOOKUP_VENDOR, dev->vendor);
        else
            name = pci_lookup_name(pacc, buf, sizeof(buf), PCI_LOOKUP_DEVICE, dev->vendor,
                                   dev->device);
    }
    if (!name) {
        snprintf(buf, sizeof(buf), "%s %04x", vendor ? "Vendor" : "Device",
                 vendor ? dev->vendor : dev->device);
        name = buf;
    }
    *slot = strdup(name);
    return *slot ? *slot : "";
}

const char *sriov_dev_vendor_name(const struct sriov_dev *dev) { return lookup(dev, true); }
const char *sriov_dev_device_name(const struct sriov_dev *dev) { return lookup(dev, false); }
const char *sriov_dev_bdf(const struct sriov_dev *dev) { return dev->bdf; }
uint16_t sriov_dev_vendor_id(const struct sriov_dev *dev) { return ids(dev)->vendor; }
uint16_t sriov_dev_device_id(const struct sriov_dev *dev) { return ids(dev)->device; }
uint32_t sriov_dev_class(const struct sriov_dev *dev) { return ids(dev)->class; }
const char *sriov_dev_driver(const struct sriov_dev *dev) { return dev->driver; }
size_t sriov_dev_netdev_count(const struct sriov_dev *dev) { return dev->n_netdevs; }
int sriov_dev_numa_node(const struct sriov_dev *dev) { return ids(dev)->numa_node; }

const char *sriov_dev_netdev(const struct sriov_dev *dev, size_t i)
{
    return i < dev->n_netdevs ? dev->netdevs[i] : NULL;
}
