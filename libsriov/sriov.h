/*
 * libsriov: SR-IOV discovery, VF lifecycle and Xen assignment.
 *
 * Conventions used by every call below:
 *  - Fallible calls return 0 or a negative errno (-EINVAL, -ENOENT, -EBUSY, ...).
 *    A sentence naming the device and the step that failed is then available from
 *    sriov_ctx_last_error() until the next failing call on the same context.
 *  - A context is not thread-safe; use one per thread.  Nothing is global.
 *  - Strings returned as `const char *` are borrowed: valid while their handle
 *    lives.  Objects returned through an out-parameter are owned by the caller
 *    and freed with the matching _free(); _free(NULL) is a no-op.
 *  - PF and VF handles are owned by the context.  sriov_ctx_scan() replaces
 *    them all; sriov_pf_set_numvfs() replaces that PF's VF handles.
 */
#ifndef SRIOV_H
#define SRIOV_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SRIOV_EXPORT __attribute__((visibility("default")))
#define SRIOV_MUST_CHECK __attribute__((warn_unused_result))
#define SRIOV_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#define SRIOV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SRIOV_EXPORT
#define SRIOV_MUST_CHECK
#define SRIOV_NONNULL(...)
#define SRIOV_PRINTF(f, a)
#endif

struct sriov_ctx;
struct sriov_dev;
struct sriov_pf;
struct sriov_vf;

/* ------------------------------------------------------------------ context */

/*
 * Log callback.  priority is a syslog priority (LOG_ERR .. LOG_DEBUG).
 * The default writes errors to stderr; SRIOV_LOG=debug|info|err in the
 * environment (read with secure_getenv) sets the initial threshold.
 */
typedef void (*sriov_log_fn)(void *data, int priority, const char *file, int line,
                             const char *fn, const char *format, va_list args);

struct sriov_ctx_opts {
    /* Root of the sysfs tree; NULL means "/sys".  One of the two test seams. */
    const char *sysfs_root;
    /* Where VF records live; NULL means "/var/lib/xen-sriov". */
    const char *state_dir;
    /* Where lock files live; NULL means "/run/xen-sriov". */
    const char *run_dir;
    /* Network configuration; NULL means "/etc/xen/sriov.cfg". */
    const char *config_path;
    /* How long sriov_pf_set_numvfs() waits for VF devices to appear;
     * 0 means 10000 ms. */
    unsigned int settle_timeout_ms;
};

/*
 * Create a context.  opts may be NULL for defaults.  Does not touch sysfs:
 * call sriov_ctx_scan() to discover devices.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1)
int sriov_ctx_new(struct sriov_ctx **ret, const struct sriov_ctx_opts *opts);

/* Free a context and every PF/VF handle it gave out. */
SRIOV_EXPORT void sriov_ctx_free(struct sriov_ctx *ctx);

/* Why the last failing call on ctx failed; "" if none has. Never NULL. */
SRIOV_EXPORT SRIOV_NONNULL(1)
const char *sriov_ctx_last_error(const struct sriov_ctx *ctx);

/* Replace the log callback (NULL restores the stderr default). */
SRIOV_EXPORT SRIOV_NONNULL(1)
void sriov_ctx_set_log_fn(struct sriov_ctx *ctx, sriov_log_fn fn, void *data);

/* Messages above this syslog priority are dropped before the callback. */
SRIOV_EXPORT SRIOV_NONNULL(1)
void sriov_ctx_set_log_priority(struct sriov_ctx *ctx, int priority);
SRIOV_EXPORT SRIOV_NONNULL(1)
int sriov_ctx_get_log_priority(const struct sriov_ctx *ctx);

/* The sysfs root in use ("/sys" unless overridden). */
SRIOV_EXPORT SRIOV_NONNULL(1)
const char *sriov_ctx_sysfs_root(const struct sriov_ctx *ctx);

/* ---------------------------------------------------------------- discovery */

/*
 * (Re)discover every SR-IOV physical function under the sysfs root and its
 * virtual functions.  Invalidates all PF and VF handles from earlier scans.
 * A host without any PF is not an error.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1)
int sriov_ctx_scan(struct sriov_ctx *ctx);

/* Number of PFs found by the last scan, sorted by BDF. */
SRIOV_EXPORT SRIOV_NONNULL(1)
size_t sriov_ctx_pf_count(const struct sriov_ctx *ctx);

/* The i-th PF (borrowed), or NULL when i is out of range. */
SRIOV_EXPORT SRIOV_NONNULL(1)
struct sriov_pf *sriov_ctx_pf(const struct sriov_ctx *ctx, size_t i);

/*
 * Find a PF by selector: a BDF ("0000:03:00.0", or "03:00.0" meaning domain
 * 0000) or the name of one of its network interfaces ("enp3s0f0").  Scans
 * first if no scan was done.  -ENOENT if nothing matches, -EINVAL for a
 * malformed selector, -ENODEV if the BDF exists but has no SR-IOV capability.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3)
int sriov_pf_find(struct sriov_ctx *ctx, const char *selector, struct sriov_pf **ret);

/*
 * Find a VF by selector: its BDF, or "PF/INDEX" with PF a PF selector
 * ("enp3s0f0/3", "0000:03:00.0/3").  Errors as sriov_pf_find(); -ENOENT for a
 * BDF that is not a VF or an index beyond the PF's enabled VFs.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3)
int sriov_vf_find(struct sriov_ctx *ctx, const char *selector, struct sriov_vf **ret);

/* ------------------------------------------------------------ PCI functions */

/* Properties every PCI function has; shared by PFs and VFs. */
SRIOV_EXPORT SRIOV_NONNULL(1) const struct sriov_dev *sriov_pf_dev(const struct sriov_pf *pf);
SRIOV_EXPORT SRIOV_NONNULL(1) const struct sriov_dev *sriov_vf_dev(const struct sriov_vf *vf);

/* "dddd:bb:ss.f" */
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_dev_bdf(const struct sriov_dev *dev);
SRIOV_EXPORT SRIOV_NONNULL(1) uint16_t sriov_dev_vendor_id(const struct sriov_dev *dev);
SRIOV_EXPORT SRIOV_NONNULL(1) uint16_t sriov_dev_device_id(const struct sriov_dev *dev);
/* 24-bit class code, e.g. 0x020000 for Ethernet. */
SRIOV_EXPORT SRIOV_NONNULL(1) uint32_t sriov_dev_class(const struct sriov_dev *dev);
/*
 * Names from the PCI ID database (libpci's pci.ids), looked up on first use;
 * a hex fallback such as "Device 10ed" when the database does not know them.
 */
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_dev_vendor_name(const struct sriov_dev *dev);
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_dev_device_name(const struct sriov_dev *dev);
/* Bound kernel driver ("ixgbevf", "pciback"), or NULL when unbound. */
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_dev_driver(const struct sriov_dev *dev);
/* Network interfaces of the function, sorted by name; most have 0 or 1. */
SRIOV_EXPORT SRIOV_NONNULL(1) size_t sriov_dev_netdev_count(const struct sriov_dev *dev);
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_dev_netdev(const struct sriov_dev *dev, size_t i);
/* NUMA node, or -1 when the platform does not say. */
SRIOV_EXPORT SRIOV_NONNULL(1) int sriov_dev_numa_node(const struct sriov_dev *dev);

/* ------------------------------------------------------------------- PFs */

SRIOV_EXPORT SRIOV_NONNULL(1) unsigned int sriov_pf_totalvfs(const struct sriov_pf *pf);
SRIOV_EXPORT SRIOV_NONNULL(1) unsigned int sriov_pf_numvfs(const struct sriov_pf *pf);
/* Routing-ID offset of VF 0 and stride between VFs (SR-IOV capability). */
SRIOV_EXPORT SRIOV_NONNULL(1) unsigned int sriov_pf_vf_offset(const struct sriov_pf *pf);
SRIOV_EXPORT SRIOV_NONNULL(1) unsigned int sriov_pf_vf_stride(const struct sriov_pf *pf);
/* Device ID the VFs carry. */
SRIOV_EXPORT SRIOV_NONNULL(1) uint16_t sriov_pf_vf_device_id(const struct sriov_pf *pf);
/* 1 if new VFs are probed by host drivers, 0 if not, -1 if the kernel lacks the knob. */
SRIOV_EXPORT SRIOV_NONNULL(1) int sriov_pf_drivers_autoprobe(const struct sriov_pf *pf);

/* Enabled VFs in index order (virtfn10 after virtfn9); sriov_pf_vf(pf, i) is the
 * i-th of them, or NULL when i is out of range.  Use sriov_vf_index() for N. */
SRIOV_EXPORT SRIOV_NONNULL(1) size_t sriov_pf_vf_count(const struct sriov_pf *pf);
SRIOV_EXPORT SRIOV_NONNULL(1) struct sriov_vf *sriov_pf_vf(const struct sriov_pf *pf, size_t i);

/* Flags for sriov_pf_set_numvfs(). */
enum {
    /* Let host drivers probe the new VFs (default: they stay unbound for assignment). */
    SRIOV_NUMVFS_HOST_PROBE = 1u << 0,
    /* Remove VFs even if one is held by pciback (assigned or assignable to a domain). */
    SRIOV_NUMVFS_FORCE = 1u << 1,
};

/*
 * Set the number of enabled VFs to n, the way the kernel requires:
 *  - n above sriov_totalvfs: -EINVAL.
 *  - n equal to the current count: nothing to do.
 *  - Changing a non-zero count first goes through 0.
 *  - Unless SRIOV_NUMVFS_HOST_PROBE, sriov_drivers_autoprobe is cleared while
 *    the VFs are created (so they stay unbound) and restored afterwards.
 *  - Removing VFs (any change from a non-zero count) while one is bound to
 *    pciback fails with -EBUSY unless SRIOV_NUMVFS_FORCE.
 *  - Waits up to settle_timeout_ms for every virtfnN to exist (-ETIMEDOUT).
 * On failure the previous count and autoprobe setting are put back where
 * possible, and the error says which step failed.  The PF's VF handles are
 * replaced: earlier sriov_vf pointers of this PF become invalid.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2)
int sriov_pf_set_numvfs(struct sriov_ctx *ctx, struct sriov_pf *pf, unsigned int n,
                        unsigned int flags);

/* ------------------------------------------------------------------- VFs */

SRIOV_EXPORT SRIOV_NONNULL(1) unsigned int sriov_vf_index(const struct sriov_vf *vf);
SRIOV_EXPORT SRIOV_NONNULL(1) struct sriov_pf *sriov_vf_pf(const struct sriov_vf *vf);

#ifdef __cplusplus
}
#endif

#endif /* SRIOV_H */
