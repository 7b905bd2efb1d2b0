/* What every PCI function has, PF or VF: ids, names, driver, netdevs, NUMA node. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include "internal.h"
#include "sysfs/sysfs.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The interfaces under <dev>/net, sorted; a function without one has no "net" dir. */
static int load_netdevs(int devfd, const char *bdf, struct sriov_dev *dev)
{
    char rel[PATH_MAX];
    struct dirent *de;
    DIR *dir = NULL;
    size_t cap = 0;
    int fd, rc = 0;

    snprintf(rel, sizeof(rel), "%s/net", bdf);
    fd = openat(devfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    dir = fdopendir(fd);
    if (!dir) {
        rc = -errno;
        close(fd);
        return rc;
    }
    while ((de = readdir(dir))) {
        if (de->d_name[0] == '.')
            continue;
        if (dev->n_netdevs == cap) {
            size_t ncap = cap ? cap * 2 : 2;
            char **n = realloc(dev->netdevs, ncap * sizeof(*n));
            if (!n) {
                rc = -ENOMEM;
                goto out;
            }
            dev->netdevs = n;
            cap = ncap;
        }
        dev->netdevs[dev->n_netdevs] = strdup(de->d_name);
        if (!dev->netdevs[dev->n_netdevs]) {
            rc = -ENOMEM;
            goto out;
        }
        dev->n_netdevs++;
    }
    if (dev->n_netdevs > 1)
        qsort(dev->netdevs, dev->n_netdevs, sizeof(*dev->netdevs), cmp_str);
out:
    closedir(dir);
    return rc;
}

int sriov__dev_load_driver(int devfd, struct sriov_dev *dev)
{
    char rel[PATH_MAX], name[NAME_MAX + 1];
    int rc;

    free(dev->driver);
    dev->driver = NULL;
    snprintf(rel, sizeof(rel), "%s/driver", dev->bdf);
    rc = sriov__readlink_base_at(devfd, rel, name, sizeof(name));
    if (rc == -ENOENT)
        return 0;
    if (rc)
        return rc;
    dev->driver = strdup(name);
    return dev->driver ? 0 : -ENOMEM;
}

static int read_ids(struct sriov_ctx *ctx, int devfd, struct sriov_dev *dev)
{
    const char *bdf = dev->bdf;
    char rel[PATH_MAX];
    unsigned long v;
    long numa;
    int rc;

#define READ_HEX(attr, field)                                               \
    do {                                                                    \
        snprintf(rel, sizeof(rel), "%s/" attr, bdf);                        \
        rc = sriov__read_uint_at(devfd, rel, 16, &v);                       \
        if (rc)                                                             \
            return sriov__fail(ctx, rc, "%s: cannot read %s", bdf, attr);   \
        dev->field = v;                                                     \
    } while (0)
    READ_HEX("vendor", vendor);
    READ_HEX("device", device);
    READ_HEX("class", class);
#undef READ_HEX

    /* numa_node is absent on kernels without NUMA: that means "unknown". */
    snprintf(rel, sizeof(rel), "%s/numa_node", bdf);
    if (sriov__read_int_at(devfd, rel, &numa) == 0 && numa >= -1 && numa < INT_MAX)
        dev->numa_node = (int)numa;
    return 0;
}

static int load_links(struct sriov_ctx *ctx, int devfd, struct sriov_dev *dev)
{
    int rc;

    rc = sriov__dev_load_driver(devfd, dev);
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot read its driver link", dev->bdf);
    rc = load_netdevs(devfd, dev->bdf, dev);
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot list its network interfaces", dev->bdf);
    return 0;
}

int sriov__dev_load(struct sriov_ctx *ctx, int devfd, const char *bdf, struct sriov_dev *dev)
{
    int rc;

    dev->ctx = ctx;
    snprintf(dev->bdf, sizeof(dev->bdf), "%s", bdf);
    dev->numa_node = -1;
    rc = read_ids(ctx, devfd, dev);
    return rc ? rc : load_links(ctx, devfd, dev);
}

int sriov__dev_load_lazy(struct sriov_ctx *ctx, int devfd, const char *bdf,
                         struct sriov_dev *dev)
{
    dev->ctx = ctx;
    snprintf(dev->bdf, sizeof(dev->bdf), "%s", bdf);
    dev->ids_pending = true;
    return load_links(ctx, devfd, dev);
}

/* Accessors are logically const; the first one to need the ids reads them.  If
 * that fails the kernel's own derivation from the PF, preset by the caller, stays. */
static const struct sriov_dev *ids(const struct sriov_dev *cdev)
{
    struct sriov_dev *dev = (struct sriov_dev *)cdev;
    char saved[SRIOV_ERR_LEN];
    int devfd;

    if (!dev->ids_pending)
        return dev;
    dev->ids_pending = false;
    snprintf(saved, sizeof(saved), "%s", dev->ctx->last_error);
    devfd = sriov__sysfs_open_dir(dev->ctx, "bus/pci/devices");
    if (devfd >= 0) {
        struct sriov_dev tmp = *dev;
        if (read_ids(dev->ctx, devfd, &tmp) == 0) {
            dev->vendor = tmp.vendor;
            dev->device = tmp.device;
            dev->class = tmp.class;
            dev->numa_node = tmp.numa_node;
        }
        close(devfd);
    }
    snprintf(dev->ctx->last_error, sizeof(dev->ctx->last_error), "%s", saved);
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
