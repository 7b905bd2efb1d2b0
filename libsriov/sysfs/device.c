/* What every PCI function has, PF or VF: ids, names, driver, netdevs, NUMA node. */
#include "config.h"

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

static int add_netdev(void *arg, const char *name)
{
    struct sriov_dev *dev = arg;

    if (name[0] == '.')
        return 0;
    return sriov__strv_push(&dev->netdevs, &dev->n_netdevs, strdup(name));
}

/* The interfaces under the function's net/, sorted; a function without one has no net/. */
static int load_netdevs(struct sriov_ctx *ctx, struct sriov_dev *dev)
{
    int rc;

    rc = sriov__pci_dev_list(ctx, dev->bdf, "net", add_netdev, dev);
    if (rc)
        return rc == -ENOENT ? 0 : rc;
    if (dev->n_netdevs > 1)
        qsort(dev->netdevs, dev->n_netdevs, sizeof(*dev->netdevs), cmp_str);
    return 0;
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

/* ---- discovery's index of the host's drivers and interfaces ---- */

/*
 * Each listing is sorted by function, and discovery asks for functions in BDF
 * order (PFs in order, each PF's VFs by index), so a look-up starts where the last
 * one ended: mostly the next entry, read in memory order, on any size of host.
 */
struct link {
    char bdf[SRIOV_BDF_LEN];
    char *name;                   /* drivers: in driver_names; interfaces: owned */
};

struct links {
    struct link *v;
    size_t n, cap;
    size_t finger;                /* where the last look-up ended */
    bool known;                   /* listed; otherwise each function's own is read */
};

struct sriov__dev_index {
    struct links drivers, netifs;
    char **driver_names;
    size_t n_driver_names;
};

/* bdf is shorter than SRIOV_BDF_LEN; name is not copied. */
static int links_add(struct links *l, const char *bdf, char *name)
{
    if (sriov__grow(&l->v, &l->cap, l->n, sizeof(*l->v), 256))
        return -ENOMEM;
    memcpy(l->v[l->n].bdf, bdf, strlen(bdf) + 1);
    l->v[l->n++].name = name;
    return 0;
}

static int add_driver(void *arg, const char *bdf, const char *driver)
{
    struct sriov__dev_index *ix = arg;
    size_t n = ix->n_driver_names;
    int rc;

    if (strlen(bdf) >= SRIOV_BDF_LEN)
        return 0;               /* no function discovery loads */
    /* A driver's functions come one after another: one copy of its name. */
    if (!n || strcmp(ix->driver_names[n - 1], driver)) {
        rc = sriov__strv_push(&ix->driver_names, &ix->n_driver_names, strdup(driver));
        if (rc)
            return rc;
    }
    return links_add(&ix->drivers, bdf, ix->driver_names[ix->n_driver_names - 1]);
}

static int add_netif(void *arg, const char *bdf, const char *ifname)
{
    struct sriov__dev_index *ix = arg;
    char *name;
    int rc;

    if (strlen(bdf) >= SRIOV_BDF_LEN)
        return 0;
    name = strdup(ifname);
    if (!name)
        return -ENOMEM;
    rc = links_add(&ix->netifs, bdf, name);
    if (rc)
        free(name);
    return rc;
}

/* By function, then name: a function's interfaces in load_netdevs' order. */
static int cmp_link(const void *a, const void *b)
{
    const struct link *x = a, *y = b;
    int c = strcmp(x->bdf, y->bdf);

    return c ? c : strcmp(x->name, y->name);
}

/* A listing counts when it was read in full; out of memory fails discovery. */
static int listed(struct links *l, int rc)
{
    l->known = rc == 0;
    if (l->known && l->n > 1)
        qsort(l->v, l->n, sizeof(*l->v), cmp_link);
    return rc == -ENOMEM ? rc : 0;
}

int sriov__dev_index_load(struct sriov_ctx *ctx, struct sriov__dev_index **ret)
{
    struct sriov__dev_index *ix;
    int rc = 0;

    *ret = NULL;
    ix = calloc(1, sizeof(*ix));
    if (!ix)
        return -ENOMEM;
    /* A dry run's drivers are what it planned: sriov__pci_dev_link knows those. */
    if (!ctx->n_plan_overlay)
        rc = listed(&ix->drivers, sriov__pci_drivers_list(ctx, add_driver, ix));
    if (!rc)
        rc = listed(&ix->netifs, sriov__netifs_list(ctx, add_netif, ix));
    if (rc) {
        sriov__dev_index_free(ix);
        return rc;
    }
    *ret = ix;
    return 0;
}

void sriov__dev_index_free(struct sriov__dev_index *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->netifs.n; i++)
        free(ix->netifs.v[i].name);
    free(ix->netifs.v);
    free(ix->drivers.v);
    sriov__strv_free(ix->driver_names, ix->n_driver_names);
    free(ix);
}

/* The first of bdf's links, *n of them: galloping on from the finger when bdf is
 * not before it, a binary search of the whole listing otherwise. */
static struct link *links_of(struct links *l, const char *bdf, size_t *n)
{
    size_t lo = 0, hi = l->n, step = 1;

    if (l->finger < l->n && strcmp(l->v[l->finger].bdf, bdf) < 0) {
        lo = l->finger + 1;
        while (lo + step <= l->n && strcmp(l->v[lo + step - 1].bdf, bdf) < 0) {
            lo += step;
            step *= 2;
        }
        hi = lo + step - 1 < l->n ? lo + step - 1 : l->n;
    }
    while (lo < hi) {           /* the first not before bdf */
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(l->v[mid].bdf, bdf) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (*n = 0; lo + *n < l->n && !strcmp(l->v[lo + *n].bdf, bdf); (*n)++)
        ;
    l->finger = lo;
    return l->v + lo;
}

static int index_driver(struct sriov__dev_index *ix, struct sriov_dev *dev)
{
    const struct link *l;
    size_t n;

    free(dev->driver);
    dev->driver = NULL;
    l = links_of(&ix->drivers, dev->bdf, &n);
    if (!n)
        return 0;
    dev->driver = strdup(l->name);
    return dev->driver ? 0 : -ENOMEM;
}

/* The function's interfaces, taken over from the index: a discovery loads each
 * function once.  -ENODATA if they are gone (then they are read). */
static int index_netdevs(struct sriov__dev_index *ix, struct sriov_dev *dev)
{
    struct link *l;
    size_t n;
    char **v;

    l = links_of(&ix->netifs, dev->bdf, &n);
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!l[i].name)
            return -ENODATA;
    v = realloc(dev->netdevs, (dev->n_netdevs + n) * sizeof(*v));
    if (!v)
        return -ENOMEM;
    dev->netdevs = v;
    for (size_t i = 0; i < n; i++) {
        v[dev->n_netdevs++] = l[i].name;
        l[i].name = NULL;
    }
    return 0;
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

/* ix NULL or not listed: the function's own driver link and net/. */
static int load_links(struct sriov_ctx *ctx, struct sriov_dev *dev, struct sriov__dev_index *ix)
{
    int rc;

    if (ix && ix->drivers.known)
        rc = index_driver(ix, dev);
    else
        rc = sriov__dev_load_driver(ctx, dev);
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot read its driver link", dev->bdf);
    rc = ix && ix->netifs.known ? index_netdevs(ix, dev) : -ENODATA;
    if (rc == -ENODATA)
        rc = load_netdevs(ctx, dev);
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot list its network interfaces", dev->bdf);
    return 0;
}

/* snprintf's cut without its cost: discovery sets one per VF. */
static void set_bdf(struct sriov_ctx *ctx, struct sriov_dev *dev, const char *bdf)
{
    size_t n = strnlen(bdf, sizeof(dev->bdf) - 1);

    dev->ctx = ctx;
    memcpy(dev->bdf, bdf, n);
    dev->bdf[n] = '\0';
}

int sriov__dev_load(struct sriov_ctx *ctx, const char *bdf, struct sriov_dev *dev,
                    struct sriov__dev_index *ix)
{
    int rc;

    set_bdf(ctx, dev, bdf);
    dev->numa_node = -1;
    rc = read_ids(ctx, dev);
    return rc ? rc : load_links(ctx, dev, ix);
}

int sriov__dev_load_lazy(struct sriov_ctx *ctx, const char *bdf, struct sriov_dev *dev,
                         struct sriov__dev_index *ix)
{
    set_bdf(ctx, dev, bdf);
    dev->ids_pending = true;
    return load_links(ctx, dev, ix);
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
