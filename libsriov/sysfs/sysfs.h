/* The kernel's PCI sysfs ABI (Documentation/ABI/testing/sysfs-bus-pci): paths,
 * attributes, devices and their discovery.  The sysfs root is a test seam: every
 * path below it is built in sysfs.c. */
#ifndef SRIOV_SYSFS_H
#define SRIOV_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

/*
 * sysfs.c: the layout below ctx->sysfs_root, known nowhere else.  Callers name a
 * device, driver or interface and an attribute; the helpers find where those live.
 * Reads strip the trailing newline; a write is one write(2), as the kernel expects.
 * All return 0 or a negative errno and record no error message unless they say so:
 * many calls are probes, and the caller knows which device a failure is about.
 * A BDF, driver or interface name that is not one path component is -EINVAL
 * (false for the _exists calls), so no selector can reach outside the root.
 */

/* A directory listing's callback: each entry's name until it returns non-zero,
 * which the listing returns. */
typedef int sriov__entry_fn(void *arg, const char *name);

/* PCI functions: attributes of bus/pci/devices/<BDF>. */
int sriov__pci_dev_read(struct sriov_ctx *ctx, const char *bdf, const char *attr, char *buf,
                        size_t len);
int sriov__pci_dev_read_uint(struct sriov_ctx *ctx, const char *bdf, const char *attr, int base,
                             unsigned long *out);
int sriov__pci_dev_read_int(struct sriov_ctx *ctx, const char *bdf, const char *attr, long *out);
/* Like sriov__pci_dev_read_uint, for attributes every device of its kind has: a
 * failure is recorded as "<BDF>: cannot read <attr>". */
int sriov__pci_dev_require_uint(struct sriov_ctx *ctx, const char *bdf, const char *attr,
                                int base, unsigned long *out);
int sriov__pci_dev_write(struct sriov_ctx *ctx, const char *bdf, const char *attr,
                         const char *value);
/* The last component of a link's target: "driver" gives the driver's name,
 * "physfn" the PF's BDF.  -ENOENT when there is no such link (an unbound device). */
int sriov__pci_dev_link(struct sriov_ctx *ctx, const char *bdf, const char *link, char *buf,
                        size_t len);
/* attr NULL: whether the function exists.  Links are followed. */
bool sriov__pci_dev_exists(struct sriov_ctx *ctx, const char *bdf, const char *attr);
/* A read-only descriptor on an attribute, for readers that need pread() or stdio
 * (config, resource); the caller closes it. */
int sriov__pci_dev_open(struct sriov_ctx *ctx, const char *bdf, const char *attr);
/* The entries of a subdirectory of the function ("net"). */
int sriov__pci_dev_list(struct sriov_ctx *ctx, const char *bdf, const char *subdir,
                        sriov__entry_fn *fn, void *arg);
/* The absolute path of the function's directory, for callers that resolve it
 * (its canonical path shows the bridges above it). */
int sriov__pci_dev_path(struct sriov_ctx *ctx, const char *bdf, char *buf, size_t len);
/* Write driver_override; driver "" clears it. */
int sriov__pci_dev_set_driver_override(struct sriov_ctx *ctx, const char *bdf,
                                       const char *driver);
/* Unbind the function from whatever driver it has, through its driver link as
 * libxl does, so that no rebind in between makes us name the wrong driver. */
int sriov__pci_dev_unbind(struct sriov_ctx *ctx, const char *bdf);

/* Every PCI function: a fresh listing of bus/pci/devices.  Unlike the calls above,
 * a failure to list is recorded, naming the directory. */
int sriov__pci_devs_list(struct sriov_ctx *ctx, sriov__entry_fn *fn, void *arg);
/* The absolute path of bus/pci, the sysfs.path libpci wants. */
int sriov__pci_bus_path(struct sriov_ctx *ctx, char *buf, size_t len);

/* A PF's VFs: its virtfnN links. */
/* follow: the link exists and so does the device it points at; otherwise whether
 * the link itself exists. */
bool sriov__pci_virtfn_exists(struct sriov_ctx *ctx, const char *pf_bdf, unsigned int index,
                              bool follow);
/* The links of a PF with numvfs VFs, in index order; its directory stays open for
 * reading them: each read is then one step from the PF, not a walk from the root. */
struct sriov__virtfns {
    int dirfd;
    unsigned int *index;          /* the N of each virtfnN, ascending */
    size_t n, cap;
    bool dense;                   /* exactly virtfn0 to virtfn<numvfs - 1> */
};
int sriov__pci_virtfns_open(struct sriov_ctx *ctx, const char *pf_bdf, unsigned int numvfs,
                            struct sriov__virtfns *v);
/* The BDF the link of index[i] points at. */
int sriov__pci_virtfns_bdf(const struct sriov__virtfns *v, size_t i, char *buf, size_t len);
void sriov__pci_virtfns_close(struct sriov__virtfns *v);

/*
 * The whole host at once, for discovery: one listing each instead of a driver
 * link and a net/ listing per function.  The kernel makes and removes each pair
 * together: <function>/driver with bus/pci/drivers/<driver>/<function>, and
 * <function>/net/<ifname> with class/net/<ifname>.  fn sees (function, name)
 * pairs in no particular order; -errno when the directory cannot be listed.
 */
typedef int sriov__pci_link_fn(void *arg, const char *bdf, const char *name);
/* Each bound function and its driver. */
int sriov__pci_drivers_list(struct sriov_ctx *ctx, sriov__pci_link_fn *fn, void *arg);
/* Each interface and the function it belongs to (not always a PCI address). */
int sriov__netifs_list(struct sriov_ctx *ctx, sriov__pci_link_fn *fn, void *arg);

/* PCI drivers: attributes of bus/pci/drivers/<driver> (bind, unbind, pciback's slots). */
bool sriov__pci_driver_exists(struct sriov_ctx *ctx, const char *driver);
int sriov__pci_driver_read(struct sriov_ctx *ctx, const char *driver, const char *attr,
                           char *buf, size_t len);
int sriov__pci_driver_write(struct sriov_ctx *ctx, const char *driver, const char *attr,
                            const char *value);
/* The absolute path of the driver's directory, as libxl remembers a driver. */
int sriov__pci_driver_path(struct sriov_ctx *ctx, const char *driver, char *buf, size_t len);

/* Network interfaces: class/net/<ifname>, and the device below it (its "device" link). */
bool sriov__netif_exists(struct sriov_ctx *ctx, const char *ifname);
int sriov__netif_device_read(struct sriov_ctx *ctx, const char *ifname, const char *attr,
                             char *buf, size_t len);
/* Like sriov__pci_dev_link, for the interface's device: "driver" names its driver. */
int sriov__netif_device_link(struct sriov_ctx *ctx, const char *ifname, const char *link,
                             char *buf, size_t len);

/* Close what the context keeps open (sriov_ctx_free). */
void sriov__sysfs_close(struct sriov_ctx *ctx);

/* True if a name is safe as one path component (no '/', not "." or ".."). */
bool sriov__safe_component(const char *name);

/* device.c */
/* Every function's driver and interfaces, from the host-wide listings above, for
 * a discovery of all PFs (one PF alone reads its functions' own).  Quickest when
 * functions are loaded in BDF order. */
struct sriov__dev_index;
int sriov__dev_index_load(struct sriov_ctx *ctx, struct sriov__dev_index **ret);
void sriov__dev_index_free(struct sriov__dev_index *ix);
/* ix NULL: the function's own driver link and net/ are read; otherwise its
 * interfaces are taken from ix (each function is loaded once per index). */
int sriov__dev_load(struct sriov_ctx *ctx, const char *bdf, struct sriov_dev *dev,
                    struct sriov__dev_index *ix);
/* Like sriov__dev_load but only driver and netdevs now: discovery of thousands of
 * VFs must not pay for attributes few callers read.  The caller presets the ids
 * with what the kernel derives from the PF; first use reads the real ones. */
int sriov__dev_load_lazy(struct sriov_ctx *ctx, const char *bdf, struct sriov_dev *dev,
                         struct sriov__dev_index *ix);
int sriov__dev_load_driver(struct sriov_ctx *ctx, struct sriov_dev *dev);
void sriov__dev_dispose(struct sriov_dev *dev);
void sriov__pci_names_free(struct sriov_ctx *ctx);

/* numvfs.c: sriov_pf_set_numvfs() without the assignments lock or the check of
 * the records (assign/pf.c does both); for callers that hold the lock. */
int sriov__pf_set_numvfs(struct sriov_ctx *ctx, struct sriov_pf *pf, unsigned int n,
                         unsigned int flags);

/* scan.c */
void sriov__pfs_free(struct sriov_ctx *ctx);
int sriov__pf_reload(struct sriov_ctx *ctx, struct sriov_pf *pf);
/* Dry run: the n VFs the PF would have, at the addresses the kernel would give them. */
int sriov__pf_predict_vfs(struct sriov_ctx *ctx, struct sriov_pf *pf, unsigned int n);

#endif
