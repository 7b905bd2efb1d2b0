/* The kernel's PCI sysfs ABI (Documentation/ABI/testing/sysfs-bus-pci): paths,
 * attributes, devices and their discovery.  The sysfs root is a test seam: every
 * path below it is built in sysfs.c. */
#ifndef SRIOV_SYSFS_H
#define SRIOV_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

/* sysfs.c: every sysfs path is built here, below ctx->sysfs_root. */
int sriov__sysfs_path(const struct sriov_ctx *ctx, char *buf, size_t len,
                      const char *format, ...) SRIOV_PRINTF(4, 5);
/* Open a directory below the sysfs root (O_DIRECTORY); -errno on failure. */
int sriov__sysfs_open_dir(const struct sriov_ctx *ctx, const char *rel);
/* Read an attribute relative to dirfd, trailing newline stripped. */
int sriov__read_attr_at(int dirfd, const char *name, char *buf, size_t len);
int sriov__read_uint_at(int dirfd, const char *name, int base, unsigned long *out);
int sriov__read_int_at(int dirfd, const char *name, long *out);
/* Last path component of a symlink's target ("../0000:03:10.0" -> "0000:03:10.0"). */
int sriov__readlink_base_at(int dirfd, const char *name, char *buf, size_t len);
/* Write value to an attribute in one write(2), as the kernel expects. */
int sriov__write_attr_at(int dirfd, const char *name, const char *value);
/* True if a name is safe as one path component (no '/', not "." or ".."). */
bool sriov__safe_component(const char *name);

/* device.c */
int sriov__dev_load(struct sriov_ctx *ctx, int devfd, const char *bdf, struct sriov_dev *dev);
/* Like sriov__dev_load but only driver and netdevs now: discovery of thousands of
 * VFs must not pay for attributes few callers read.  The caller presets the ids
 * with what the kernel derives from the PF; first use reads the real ones. */
int sriov__dev_load_lazy(struct sriov_ctx *ctx, int devfd, const char *bdf,
                         struct sriov_dev *dev);
int sriov__dev_load_driver(int devfd, struct sriov_dev *dev);
void sriov__dev_dispose(struct sriov_dev *dev);
void sriov__pci_names_free(struct sriov_ctx *ctx);

/* scan.c */
void sriov__pfs_free(struct sriov_ctx *ctx);
int sriov__pf_reload(struct sriov_ctx *ctx, struct sriov_pf *pf);

#endif
