/*
 * Sysfs access.  Every path into sysfs is built here, below the context's
 * sysfs root, so that the root stays the library's single filesystem seam and
 * the kernel's layout (Documentation/ABI/testing/sysfs-bus-pci, sysfs-class-net)
 * is written down once.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "core/plan.h"
#include "sysfs/attr.h"
#include "sysfs/sysfs.h"

#define PCI_BUS_DIR "bus/pci"
#define PCI_DEVICES_DIR PCI_BUS_DIR "/devices"
#define PCI_DRIVERS_DIR PCI_BUS_DIR "/drivers"
#define NET_CLASS_DIR "class/net"
#define VIRTFN_PREFIX "virtfn"

/* ---- paths ---- */

static int format_path(char *buf, size_t len, const char *format, ...) SRIOV_PRINTF(3, 4);
static int format_path(char *buf, size_t len, const char *format, ...)
{
    va_list args;
    int n;

    va_start(args, format);
    n = vsnprintf(buf, len, format, args);
    va_end(args);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* <root>/<rel>/<name>[/<tail>], after checking that name is one component. */
static int root_path(const struct sriov_ctx *ctx, char *buf, size_t len, const char *rel,
                     const char *name, const char *tail)
{
    if (name && !sriov__safe_component(name))
        return -EINVAL;
    if (!name)
        return format_path(buf, len, "%s/%s", ctx->sysfs_root, rel);
    if (!tail)
        return format_path(buf, len, "%s/%s/%s", ctx->sysfs_root, rel, name);
    return format_path(buf, len, "%s/%s/%s/%s", ctx->sysfs_root, rel, name, tail);
}

/* Open <root>/<rel> as a directory; -errno. */
static int open_root_dir(const struct sriov_ctx *ctx, const char *rel)
{
    char path[PATH_MAX];
    int fd, rc;

    rc = root_path(ctx, path, sizeof(path), rel, NULL, NULL);
    if (rc)
        return rc;
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

/*
 * bus/pci/devices, opened once per context and kept: a context reads the
 * attributes of many functions, and openat() below this descriptor spares each
 * read the walk from the root.  A failure is not kept,
 * so a root that appears later is found.
 */
static int pci_devices_fd(struct sriov_ctx *ctx)
{
    int fd;

    if (ctx->pci_devices_fd >= 0)
        return ctx->pci_devices_fd;
    fd = open_root_dir(ctx, PCI_DEVICES_DIR);
    if (fd >= 0)
        ctx->pci_devices_fd = fd;
    return fd;
}

void sriov__sysfs_close(struct sriov_ctx *ctx)
{
    if (ctx->pci_devices_fd >= 0)
        close(ctx->pci_devices_fd);
    ctx->pci_devices_fd = -1;
}

/* The devices directory, with rel set to <BDF>[/<attr>] below it; or -errno. */
static int pci_dev_at(struct sriov_ctx *ctx, const char *bdf, const char *attr, char *rel,
                      size_t len)
{
    int rc;

    if (!sriov__safe_component(bdf))
        return -EINVAL;
    rc = attr ? format_path(rel, len, "%s/%s", bdf, attr) : format_path(rel, len, "%s", bdf);
    return rc ? rc : pci_devices_fd(ctx);
}

/* ---- PCI functions ---- */

/* What a dry run would have made of one device's attribute or link: 1 if planned. */
static int planned_value(const struct sriov_ctx *ctx, const char *kind, const char *bdf,
                         const char *attr, const char **value)
{
    char key[PATH_MAX];

    snprintf(key, sizeof(key), "%s:%s%s%s", kind, bdf, attr ? "/" : "", attr ? attr : "");
    return sriov__plan_get(ctx, key, value);
}

int sriov__pci_dev_read(struct sriov_ctx *ctx, const char *bdf, const char *attr, char *buf,
                        size_t len)
{
    const char *planned;
    char rel[PATH_MAX];
    int dirfd;

    if (ctx->n_plan_overlay && planned_value(ctx, "attr", bdf, attr, &planned))
        return (size_t)snprintf(buf, len, "%s", planned) < len ? 0 : -ENAMETOOLONG;
    dirfd = pci_dev_at(ctx, bdf, attr, rel, sizeof(rel));
    return dirfd < 0 ? dirfd : sriov__attr_read_at(dirfd, rel, buf, len);
}

int sriov__pci_dev_read_uint(struct sriov_ctx *ctx, const char *bdf, const char *attr, int base,
                             unsigned long *out)
{
    char value[64];
    int rc;

    rc = sriov__pci_dev_read(ctx, bdf, attr, value, sizeof(value));
    return rc ? rc : sriov__attr_parse_uint(value, base, out);
}

int sriov__pci_dev_require_uint(struct sriov_ctx *ctx, const char *bdf, const char *attr,
                                int base, unsigned long *out)
{
    int rc = sriov__pci_dev_read_uint(ctx, bdf, attr, base, out);

    return rc ? sriov__fail(ctx, rc, "%s: cannot read %s", bdf, attr) : 0;
}

int sriov__pci_dev_read_int(struct sriov_ctx *ctx, const char *bdf, const char *attr, long *out)
{
    char value[64];
    int rc;

    rc = sriov__pci_dev_read(ctx, bdf, attr, value, sizeof(value));
    return rc ? rc : sriov__attr_parse_int(value, out);
}

/* A dry run names the file it would write and what it would write there; reads of
 * a device attribute then see the value (driver_override as the kernel shows an
 * empty one). */
static int plan_write(struct sriov_ctx *ctx, const char *dir, const char *name,
                      const char *attr, const char *value)
{
    char path[PATH_MAX], key[PATH_MAX];
    int rc = root_path(ctx, path, sizeof(path), dir, name, attr);

    if (rc)
        return rc;
    sriov__plan(ctx, "sysfs", "write %s <- %s", path, *value == '\n' ? "(newline)" : value);
    if (strcmp(dir, PCI_DEVICES_DIR))
        return 0;
    snprintf(key, sizeof(key), "attr:%s/%s", name, attr);
    return sriov__plan_put(ctx, key, *value == '\n' ? "(null)" : value);
}

int sriov__pci_dev_write(struct sriov_ctx *ctx, const char *bdf, const char *attr,
                         const char *value)
{
    char rel[PATH_MAX];
    int dirfd;

    if (sriov__dry_run(ctx))
        return plan_write(ctx, PCI_DEVICES_DIR, bdf, attr, value);
    dirfd = pci_dev_at(ctx, bdf, attr, rel, sizeof(rel));
    return dirfd < 0 ? dirfd : sriov__attr_write_at(dirfd, rel, value);
}

int sriov__pci_dev_link(struct sriov_ctx *ctx, const char *bdf, const char *link, char *buf,
                        size_t len)
{
    const char *planned;
    char rel[PATH_MAX];
    int dirfd;

    if (ctx->n_plan_overlay && !strcmp(link, "driver") && planned_value(ctx, "driver", bdf, NULL,
                                                                          &planned)) {
        if (!planned || !*planned)
            return -ENOENT;
        return (size_t)snprintf(buf, len, "%s", planned) < len ? 0 : -ENAMETOOLONG;
    }
    dirfd = pci_dev_at(ctx, bdf, link, rel, sizeof(rel));

    return dirfd < 0 ? dirfd : sriov__attr_readlink_base_at(dirfd, rel, buf, len);
}

bool sriov__pci_dev_exists(struct sriov_ctx *ctx, const char *bdf, const char *attr)
{
    char rel[PATH_MAX];
    int dirfd = pci_dev_at(ctx, bdf, attr, rel, sizeof(rel));

    return dirfd >= 0 && faccessat(dirfd, rel, F_OK, 0) == 0;
}

int sriov__pci_dev_open(struct sriov_ctx *ctx, const char *bdf, const char *attr)
{
    char rel[PATH_MAX];
    int dirfd, fd;

    dirfd = pci_dev_at(ctx, bdf, attr, rel, sizeof(rel));
    if (dirfd < 0)
        return dirfd;
    fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int sriov__pci_dev_list(struct sriov_ctx *ctx, const char *bdf, const char *subdir,
                        sriov__entry_fn *fn, void *arg)
{
    char rel[PATH_MAX];
    int dirfd;

    dirfd = pci_dev_at(ctx, bdf, subdir, rel, sizeof(rel));
    return dirfd < 0 ? dirfd : sriov__attr_list_at(dirfd, rel, fn, arg);
}

int sriov__pci_dev_path(struct sriov_ctx *ctx, const char *bdf, char *buf, size_t len)
{
    return root_path(ctx, buf, len, PCI_DEVICES_DIR, bdf, NULL);
}

int sriov__pci_dev_set_driver_override(struct sriov_ctx *ctx, const char *bdf,
                                       const char *driver)
{
    /* The kernel takes a lone newline as "no override". */
    return sriov__pci_dev_write(ctx, bdf, "driver_override", *driver ? driver : "\n");
}

int sriov__pci_dev_unbind(struct sriov_ctx *ctx, const char *bdf)
{
    return sriov__pci_dev_write(ctx, bdf, "driver/unbind", bdf);
}

int sriov__pci_devs_list(struct sriov_ctx *ctx, sriov__entry_fn *fn, void *arg)
{
    int fd, rc;

    fd = pci_devices_fd(ctx);
    if (fd < 0)
        return sriov__fail(ctx, fd, "cannot open %s/" PCI_DEVICES_DIR, ctx->sysfs_root);
    /* A descriptor of its own ("."): the kept one's read position is shared. */
    rc = sriov__attr_list_at(fd, ".", fn, arg);
    if (rc < 0)
        return sriov__fail(ctx, rc, "cannot list %s/" PCI_DEVICES_DIR, ctx->sysfs_root);
    return rc;
}

int sriov__pci_bus_path(struct sriov_ctx *ctx, char *buf, size_t len)
{
    return root_path(ctx, buf, len, PCI_BUS_DIR, NULL, NULL);
}

/* ---- a PF's virtfnN links ---- */

static int virtfn_name(char *buf, size_t len, unsigned int index)
{
    return format_path(buf, len, VIRTFN_PREFIX "%u", index);
}

/* Parse "virtfnN"; false for any other entry. */
static bool virtfn_index(const char *name, unsigned int *index)
{
    const size_t plen = strlen(VIRTFN_PREFIX);
    unsigned long v;
    char *end;

    if (strncmp(name, VIRTFN_PREFIX, plen) != 0 || name[plen] < '0' || name[plen] > '9')
        return false;
    v = strtoul(name + plen, &end, 10);
    if (*end != '\0' || v > 0xffff)
        return false;
    *index = (unsigned int)v;
    return true;
}

bool sriov__pci_virtfn_exists(struct sriov_ctx *ctx, const char *pf_bdf, unsigned int index,
                              bool follow)
{
    char name[32], rel[PATH_MAX];
    int dirfd;

    if (virtfn_name(name, sizeof(name), index))
        return false;
    dirfd = pci_dev_at(ctx, pf_bdf, name, rel, sizeof(rel));
    return dirfd >= 0 && faccessat(dirfd, rel, F_OK, follow ? 0 : AT_SYMLINK_NOFOLLOW) == 0;
}

static int cmp_uint(const void *a, const void *b)
{
    unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;
    return (x > y) - (x < y);
}

static int add_virtfn(void *arg, const char *name)
{
    struct sriov__virtfns *v = arg;
    unsigned int index;

    if (!virtfn_index(name, &index))
        return 0;
    if (sriov__grow(&v->index, &v->cap, v->n, sizeof(*v->index), 64))
        return -ENOMEM;
    v->index[v->n++] = index;
    return 0;
}

static bool virtfn_at(int dirfd, unsigned int index)
{
    char name[32];

    return virtfn_name(name, sizeof(name), index) == 0 &&
           faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/*
 * The kernel makes a PF's links virtfn0 to virtfn<numvfs - 1> together, and
 * removes them together (drivers/pci/iov.c sriov_add_vfs, sriov_del_vfs).  So when
 * the last of them is there and the one after it is not, the indexes are known
 * without listing the PF's directory (some 300 entries with 256 VFs).  Anything
 * else, a change under way or a dry run's planned count, gets the listing.
 */
static int virtfns_dense(struct sriov__virtfns *v, unsigned int numvfs)
{
    if (virtfn_at(v->dirfd, numvfs) || (numvfs && !virtfn_at(v->dirfd, numvfs - 1)))
        return -ESRCH;
    v->index = malloc((numvfs ? numvfs : 1) * sizeof(*v->index));
    if (!v->index)
        return -ENOMEM;
    for (v->n = 0; v->n < numvfs; v->n++)
        v->index[v->n] = v->n;
    v->cap = v->n;
    v->dense = true;
    return 0;
}

int sriov__pci_virtfns_open(struct sriov_ctx *ctx, const char *pf_bdf, unsigned int numvfs,
                            struct sriov__virtfns *v)
{
    char rel[PATH_MAX];
    int dirfd, rc;

    *v = (struct sriov__virtfns){ .dirfd = -1 };
    dirfd = pci_dev_at(ctx, pf_bdf, NULL, rel, sizeof(rel));
    if (dirfd < 0)
        return dirfd;
    v->dirfd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (v->dirfd < 0)
        return -errno;
    rc = virtfns_dense(v, numvfs);
    if (rc == -ESRCH)
        rc = sriov__attr_list_at(v->dirfd, ".", add_virtfn, v);
    if (rc) {
        sriov__pci_virtfns_close(v);
        return rc;
    }
    if (v->n > 1)
        qsort(v->index, v->n, sizeof(*v->index), cmp_uint);
    return 0;
}

int sriov__pci_virtfns_bdf(const struct sriov__virtfns *v, size_t i, char *buf, size_t len)
{
    char name[32];
    int rc;

    rc = virtfn_name(name, sizeof(name), v->index[i]);
    return rc ? rc : sriov__attr_readlink_base_at(v->dirfd, name, buf, len);
}

void sriov__pci_virtfns_close(struct sriov__virtfns *v)
{
    if (v->dirfd >= 0)
        close(v->dirfd);
    free(v->index);
    *v = (struct sriov__virtfns){ .dirfd = -1 };
}

/* ---- PCI drivers ---- */

bool sriov__pci_driver_exists(struct sriov_ctx *ctx, const char *driver)
{
    char path[PATH_MAX];

    return root_path(ctx, path, sizeof(path), PCI_DRIVERS_DIR, driver, NULL) == 0 &&
           access(path, F_OK) == 0;
}

int sriov__pci_driver_read(struct sriov_ctx *ctx, const char *driver, const char *attr,
                           char *buf, size_t len)
{
    char path[PATH_MAX];
    int rc;

    rc = root_path(ctx, path, sizeof(path), PCI_DRIVERS_DIR, driver, attr);
    return rc ? rc : sriov__attr_read_at(AT_FDCWD, path, buf, len);
}

int sriov__pci_driver_write(struct sriov_ctx *ctx, const char *driver, const char *attr,
                            const char *value)
{
    char path[PATH_MAX];
    int rc;

    if (sriov__dry_run(ctx))
        return plan_write(ctx, PCI_DRIVERS_DIR, driver, attr, value);
    rc = root_path(ctx, path, sizeof(path), PCI_DRIVERS_DIR, driver, attr);
    return rc ? rc : sriov__attr_write_at(AT_FDCWD, path, value);
}

int sriov__pci_driver_path(struct sriov_ctx *ctx, const char *driver, char *buf, size_t len)
{
    return root_path(ctx, buf, len, PCI_DRIVERS_DIR, driver, NULL);
}

struct host_walk {
    int fd;                       /* the directory listed */
    const char *driver;           /* drivers: the one being listed */
    sriov__pci_link_fn *fn;
    void *arg;
};

/* In a driver's directory the functions bound to it are the links named by their
 * address; the rest (bind, new_id, module...) has no ':'. */
static int driver_entry(void *arg, const char *name)
{
    struct host_walk *w = arg;

    if (strlen(name) >= SRIOV_BDF_LEN || !strchr(name, ':'))
        return 0;
    return w->fn(w->arg, name, w->driver);
}

static int drivers_entry(void *arg, const char *name)
{
    struct host_walk *w = arg;
    int rc;

    w->driver = name;
    rc = sriov__attr_list_at(w->fd, name, driver_entry, w);
    return rc == -ENOENT || rc == -ENOTDIR ? 0 : rc;  /* unregistered meanwhile */
}

/* Calls entry(w, name) for each entry of DIR (under the sysfs root), with
 * w->fd open on DIR meanwhile. */
static int walk_root_dir(struct sriov_ctx *ctx, const char *dir, sriov__pci_link_fn *fn,
                         void *arg, sriov__entry_fn *entry)
{
    struct host_walk w = { .fn = fn, .arg = arg };
    int rc;

    w.fd = open_root_dir(ctx, dir);
    if (w.fd < 0)
        return w.fd;
    rc = sriov__attr_list_at(w.fd, ".", entry, &w);
    close(w.fd);
    return rc;
}

int sriov__pci_drivers_list(struct sriov_ctx *ctx, sriov__pci_link_fn *fn, void *arg)
{
    return walk_root_dir(ctx, PCI_DRIVERS_DIR, fn, arg, drivers_entry);
}

/* ---- network interfaces ---- */

/*
 * class/net/<ifname> points at <device>/net/<ifname>: the device is the component
 * before "net".  An interface whose device is not a PCI function (a virtio NIC's
 * sits below virtio<N>) is in no <function>/net/ either, and names none here.
 * Names starting with '.' are skipped, as a listing of <function>/net/ skips them.
 */
static int netif_entry(void *arg, const char *name)
{
    struct host_walk *w = arg;
    char target[PATH_MAX], *p;
    ssize_t n;

    if (name[0] == '.')
        return 0;
    n = readlinkat(w->fd, name, target, sizeof(target) - 1);
    if (n < 0)
        return errno == ENOENT || errno == EINVAL ? 0 : -errno;  /* gone; not a link */
    target[n] = '\0';
    p = strrchr(target, '/');
    if (!p || strcmp(p + 1, name) || p - target < 4 || strncmp(p - 4, "/net", 4))
        return 0;
    p[-4] = '\0';
    p = strrchr(target, '/');
    return w->fn(w->arg, p ? p + 1 : target, name);
}

int sriov__netifs_list(struct sriov_ctx *ctx, sriov__pci_link_fn *fn, void *arg)
{
    return walk_root_dir(ctx, NET_CLASS_DIR, fn, arg, netif_entry);
}

bool sriov__netif_exists(struct sriov_ctx *ctx, const char *ifname)
{
    char path[PATH_MAX];

    return root_path(ctx, path, sizeof(path), NET_CLASS_DIR, ifname, NULL) == 0 &&
           access(path, F_OK) == 0;
}

/* class/net/<ifname>/device/<attr>: the device the interface belongs to. */
static int netif_device_path(struct sriov_ctx *ctx, const char *ifname, const char *attr,
                             char *buf, size_t len)
{
    char tail[NAME_MAX + 16];
    int rc;

    rc = format_path(tail, sizeof(tail), "device/%s", attr);
    return rc ? rc : root_path(ctx, buf, len, NET_CLASS_DIR, ifname, tail);
}

/* An attribute's value, or a link's last component, below the interface's device. */
static int netif_device_get(struct sriov_ctx *ctx, const char *ifname, const char *name,
                            bool link, char *buf, size_t len)
{
    char path[PATH_MAX];
    int rc = netif_device_path(ctx, ifname, name, path, sizeof(path));

    if (rc)
        return rc;
    return link ? sriov__attr_readlink_base_at(AT_FDCWD, path, buf, len)
                : sriov__attr_read_at(AT_FDCWD, path, buf, len);
}

int sriov__netif_device_read(struct sriov_ctx *ctx, const char *ifname, const char *attr,
                             char *buf, size_t len)
{
    return netif_device_get(ctx, ifname, attr, false, buf, len);
}

int sriov__netif_device_link(struct sriov_ctx *ctx, const char *ifname, const char *link,
                             char *buf, size_t len)
{
    return netif_device_get(ctx, ifname, link, true, buf, len);
}
