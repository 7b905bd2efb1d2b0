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
#include <stdbool.h>
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

/*
 * A change a dry run would make (sriov_ctx_opts.plan_fn).  seam names what it
 * would change: "sysfs" (a write below the sysfs root), "netlink" (a VF
 * setting), "hypervisor" (a libxl call, or `xl create`), "xenstore" or "state"
 * (the library's own files).  change is one line, e.g. "write
 * /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs <- 4".  Both strings are valid
 * only during the call.  What a dry run can only describe (VFs that do not exist
 * yet are predicted from the PF's SR-IOV offset and stride; their isolation is
 * judged once they exist) is said in the change text.
 */
typedef void (*sriov_plan_fn)(void *data, const char *seam, const char *change);

/*
 * Progress of a long operation (sriov_ctx_opts.progress_fn): enabling VFs and
 * waiting for them to appear, preparing a domain's VFs, starting it.  what names
 * the operation ("0000:03:00.0: enabling 64 VFs"); done of total steps, done ==
 * total when it ends.  Called from the calling thread, at most every few
 * milliseconds.  xl-sriov shows it on a terminal as xl does (xentoollog).
 */
typedef void (*sriov_progress_fn)(void *data, const char *what, unsigned long done,
                                  unsigned long total);

struct sriov_ctx_opts {
    /* Root of the sysfs tree; NULL means "/sys".  One of the two test seams. */
    const char *sysfs_root;
    /* Where VF records live; NULL means "/var/lib/xen-sriov". */
    const char *state_dir;
    /* Where lock files live; NULL means "/run/xen-sriov". */
    const char *run_dir;
    /* Network configuration; NULL means "/etc/xen/sriov.cfg", and then a missing
     * file means no networks.  A file named here must exist. */
    const char *config_path;
    /* How long sriov_pf_set_numvfs() waits for VF devices to appear, or
     * for the kernel to stop counting a VF as assigned; 0 means 10000 ms. */
    unsigned int settle_timeout_ms;
    /* The hypervisor: NULL or "libxl" for Xen, or "MODULE:ARG" for a backend
     * module loaded from $SRIOV_BACKEND_DIR (default PKGLIBDIR/backends), such
     * as the simulated host of the tests and the demo ("sim:DIR", built in the
     * source tree, not installed).  The second test seam. */
    const char *hypervisor;
    /* Where VF L2 settings go: NULL or "kernel" for rtnetlink, or "MODULE:ARG"
     * as above.  The third test seam. */
    const char *netlink;
    /* Dry run: when set, the context changes nothing on the host.  Every change a
     * call would make (sysfs write, netlink setting, hypervisor call, xenstore
     * node, state file) is passed to plan_fn instead, in the order the call would
     * make it, and the call goes on as if the change had been made.  See
     * sriov_plan_fn. */
    sriov_plan_fn plan_fn;
    void *plan_data;
    /* Long operations report their progress here when set (sriov_progress_fn). */
    sriov_progress_fn progress_fn;
    void *progress_data;
    /* Must be zero.  Options added later are carved from here, so that the
     * struct keeps the size and layout of LIBSRIOV_0.1. */
    void *reserved[4];
};

/*
 * Create a context.  opts may be NULL for defaults; -EINVAL if its reserved
 * space is not zero.  Does not touch sysfs: call sriov_ctx_scan() to discover
 * devices.
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
 *  - Runs under the lock that assigning VFs takes, and fails with -EBUSY (naming
 *    the VF and its domain) while any assignment record names this PF, even
 *    with SRIOV_NUMVFS_FORCE: give the VFs back first (pci-detach, or gc once the
 *    domain is gone).  Records a dead process left half done are finished or
 *    undone first, as by sriov_gc().
 *  - Waits up to settle_timeout_ms for every virtfnN to exist (-ETIMEDOUT).
 *  - A PF driver that refuses to remove its VFs because the kernel still counts
 *    one as assigned to a guest (-EPERM or -EBUSY: xen-pciback lets go of a VF a
 *    moment after the domain that had it died) is asked again for up to
 *    settle_timeout_ms, then its error is returned.
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

/* ---------------------------------------------------- VF network settings */

/*
 * The L2 settings a PF enforces on one of its VFs, set through rtnetlink on
 * the PF exactly as `ip link set dev PF vf N ...` does.  A VF is addressed by
 * its PF's network interface and its index; that also covers PFs without a
 * PCI function (netdevsim).
 */
struct sriov_vf_ref {
    char pf_ifname[16];           /* the PF's network interface ("enp3s0f0") */
    char pf_bdf[16];              /* the PF's PCI address, "" if it has none */
    unsigned int index;           /* VF number on the PF */
    uint32_t reserved[4];         /* zero; room to grow within LIBSRIOV_0 */
};

/* From a discovered VF: -EOPNOTSUPP if its PF has no network interface. */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3)
int sriov_vf_ref_from_vf(struct sriov_ctx *ctx, const struct sriov_vf *vf,
                         struct sriov_vf_ref *ref);

/*
 * From a selector: anything sriov_vf_find() accepts, or "IFNAME/N" where
 * IFNAME is a network interface that is not a PCI PF (netdevsim).
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3)
int sriov_vf_ref_parse(struct sriov_ctx *ctx, const char *selector, struct sriov_vf_ref *ref);

/* Which members of struct sriov_vf_config are present. */
enum {
    SRIOV_VF_MAC = 1u << 0,
    SRIOV_VF_VLAN = 1u << 1,
    SRIOV_VF_QOS = 1u << 2,
    SRIOV_VF_VLAN_PROTO = 1u << 3,
    SRIOV_VF_SPOOFCHK = 1u << 4,
    SRIOV_VF_TRUST = 1u << 5,
    SRIOV_VF_LINK_STATE = 1u << 6,
    SRIOV_VF_MIN_TX_RATE = 1u << 7,
    SRIOV_VF_MAX_TX_RATE = 1u << 8,
    SRIOV_VF_QUERY_RSS = 1u << 9,
    SRIOV_VF_ALL = (1u << 10) - 1,
};

/* IFLA_VF_LINK_STATE_* values. */
enum sriov_vf_link_state {
    SRIOV_VF_LINK_AUTO = 0,       /* follows the PF's link */
    SRIOV_VF_LINK_ENABLE = 1,
    SRIOV_VF_LINK_DISABLE = 2,
};

struct sriov_vf_config {
    unsigned int present;         /* SRIOV_VF_* bits */
    uint8_t mac[6];               /* 00:00:00:00:00:00 means "none assigned" */
    uint16_t vlan;                /* 0-4095, 0 means untagged */
    uint8_t qos;                  /* 802.1p priority 0-7 */
    uint16_t vlan_proto;          /* 0x8100 (802.1Q) or 0x88a8 (802.1ad) */
    uint8_t spoofchk;             /* 0 or 1 */
    uint8_t trust;
    uint8_t query_rss;
    enum sriov_vf_link_state link_state;
    uint32_t min_tx_rate;         /* Mbit/s, 0 means no limit */
    uint32_t max_tx_rate;
    /* Zero (sriov_vf_config_init).  Settings added later take room from here and
     * a new `present` bit, so that a program built against LIBSRIOV_0.1 neither
     * sees nor sets them. */
    uint32_t reserved[8];
};

/* An empty configuration (nothing present).  _dispose is safe to call twice. */
SRIOV_EXPORT SRIOV_NONNULL(1) void sriov_vf_config_init(struct sriov_vf_config *cfg);
SRIOV_EXPORT SRIOV_NONNULL(1) void sriov_vf_config_dispose(struct sriov_vf_config *cfg);

/*
 * Parse one setting as `xl-sriov vf-set` and the xl config spell it:
 *   mac=02:00:00:00:00:01  vlan=0..4095  qos=0..7  vlan_proto=802.1Q|802.1ad
 *   spoofchk=on|off  trust=on|off  state=auto|enable|disable
 *   rate=MBIT (= max_rate)  min_rate=MBIT  max_rate=MBIT  query_rss=on|off
 * A multicast MAC is rejected; the all-zero MAC means "none assigned".
 * -EINVAL with the reason in the last error; cfg is unchanged on failure.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3, 4)
int sriov_vf_config_set_kv(struct sriov_ctx *ctx, struct sriov_vf_config *cfg,
                           const char *key, const char *value);

/* Cross-field checks: qos and vlan_proto need vlan; min_rate <= max_rate. */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2)
int sriov_vf_config_validate(struct sriov_ctx *ctx, const struct sriov_vf_config *cfg);

/* The key of one SRIOV_VF_* bit ("mac", "vlan", ... "max_rate"), NULL if unknown. */
SRIOV_EXPORT const char *sriov_vf_field_key(unsigned int field);

/* Write the value of one present field as set_kv spells it; -ENOENT if absent. */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 3)
int sriov_vf_config_format(const struct sriov_vf_config *cfg, unsigned int field,
                           char *buf, size_t len);

/*
 * Read the VF's current settings from the kernel (one RTM_GETLINK for the PF
 * with RTEXT_FILTER_VF|RTEXT_FILTER_SKIP_STATS).  Fields the driver does not
 * report are absent.  -ENODATA ("not readable") when the kernel truncated the
 * PF's VF list before this VF; -ENOENT if the PF has no such VF.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3)
int sriov_vf_config_get(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref,
                        struct sriov_vf_config *cfg);

/*
 * Apply the present fields of cfg.  Everything is validated first.  Before
 * the first change to a VF its current settings are saved to
 * <state_dir>/vf-config/<PF>-vf<N> (0600, atomic), unless a record exists.
 * Settings are changed one at a time in a fixed order (mac, vlan, rate,
 * spoofchk, trust, state, query_rss), only where they differ; on failure the
 * ones already changed are put back and the error names the setting and the
 * PF's driver (-EOPNOTSUPP: "... not supported by netdevsim").  *changed
 * (may be NULL) receives the SRIOV_VF_* bits that were changed.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3)
int sriov_vf_config_apply(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref,
                          const struct sriov_vf_config *cfg, unsigned int *changed);

/* Flags returned by sriov_vf_config_restore(). */
enum {
    /* The VF was not readable when saved: the documented defaults were applied. */
    SRIOV_VF_RESTORED_DEFAULTS = 1u << 0,
};

/*
 * Put back the settings saved by the first sriov_vf_config_apply() and
 * delete the record after success.  -ENOENT if there is no record.  When the
 * VF was not readable at save time, applies the defaults of a new VF (no
 * MAC, no VLAN, spoofchk on, trust off, state auto, no rate limits,
 * query_rss off) and sets SRIOV_VF_RESTORED_DEFAULTS in *flags (may be NULL).
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2)
int sriov_vf_config_restore(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref,
                            unsigned int *flags);

/*
 * The VFs that have a saved record, i.e. changed and not yet restored (for
 * example after a crash).  *refs is an array of *n entries, freed with free().
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3)
int sriov_vf_config_pending(struct sriov_ctx *ctx, struct sriov_vf_ref **refs, size_t *n);

/*
 * A stable, locally administered, unicast MAC for a domain's VF: the first
 * six bytes of FNV-1a 64 over the 16 UUID bytes followed by slot as four
 * little-endian bytes, with the first byte's multicast bit cleared and its
 * locally-administered bit set (first byte & 0xfc | 0x02).
 */
SRIOV_EXPORT SRIOV_NONNULL(1, 3)
void sriov_mac_derive(const uint8_t uuid[16], unsigned int slot, uint8_t mac[6]);

/* -------------------------------------------------- isolation before assignment */

/*
 * Whether a VF is isolated enough to give to a domain, following Xen's
 * passthrough advisories.  Each finding has a stable check name:
 *   "iommu"             Xen's IOMMU is on (physinfo directio capability)
 *   "quarantine"        Xen's PCI quarantine is not disabled (XSA-302, XSA-306)
 *   "device-group"      nothing else in the VF's Xen device group is used by
 *                       dom0 (a host driver other than pciback) or a domain (XSA-373)
 *   "requester-id"      no PCI or PCIe-to-PCI bridge above aliases the VF's RID
 *   "acs"               every root/downstream port above has ACS Source Validation,
 *                       Request Redirect, Completion Redirect, Upstream Forwarding on
 *   "phantom-functions" neither the VF nor its PF supports phantom functions (XSA-449)
 *   "bar-pages"         every VF BAR is 4 KiB aligned and shares no 4 KiB page
 *                       with another device's BAR or ROM (XSA-461)
 *   "flr"               the VF has a function-level reset
 * Every check contributes one passed finding or one failed finding per problem
 * (so a name can repeat); the detail is a sentence naming the devices, e.g.
 * "ACS is not enabled on bridge 0000:00:01.0 above 0000:03:10.0 (missing:
 * Request Redirect, Completion Redirect)".  A check that cannot read what it
 * needs fails, saying why; so do the first three when the context's
 * hypervisor cannot be reached.
 */
struct sriov_isolation;

enum sriov_isolation_result {
    SRIOV_ISOLATION_PASSED,
    SRIOV_ISOLATION_FAILED,
    SRIOV_ISOLATION_NOT_CHECKED,
};

/*
 * Run every check on vf.  Returns 0 when the checks ran, whatever they found
 * (see sriov_isolation_ok()); -errno when they could not run at all (the VF
 * is gone from sysfs, out of memory).  Free *ret with sriov_isolation_free().
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3)
int sriov_isolation_check(struct sriov_ctx *ctx, const struct sriov_vf *vf,
                          struct sriov_isolation **ret);
SRIOV_EXPORT void sriov_isolation_free(struct sriov_isolation *r);

/* True when no finding failed.  (SRIOV_ISOLATION_NOT_CHECKED is for callers
 * inside the library that run the PCI checks alone.) */
SRIOV_EXPORT SRIOV_NONNULL(1) bool sriov_isolation_ok(const struct sriov_isolation *r);
/* The VF the report is about. */
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_isolation_bdf(const struct sriov_isolation *r);
/* Findings, in check order; out-of-range i gives NULL / NOT_CHECKED. */
SRIOV_EXPORT SRIOV_NONNULL(1) size_t sriov_isolation_count(const struct sriov_isolation *r);
SRIOV_EXPORT SRIOV_NONNULL(1)
const char *sriov_isolation_name(const struct sriov_isolation *r, size_t i);
SRIOV_EXPORT SRIOV_NONNULL(1)
enum sriov_isolation_result sriov_isolation_result(const struct sriov_isolation *r, size_t i);
SRIOV_EXPORT SRIOV_NONNULL(1)
const char *sriov_isolation_detail(const struct sriov_isolation *r, size_t i);

/* ------------------------------------------- networks and VF assignment */

/*
 * Networks name sets of PFs with L2 defaults; they come from config_path
 * (/etc/xen/sriov.cfg, xl syntax, see xl-sriov.cfg(5)).  A missing file means
 * no networks when config_path was left to its default; one named in the
 * options must exist (-ENOENT).  Loading also looks each PF up on the host: a
 * PF in two networks is an error (-EINVAL), a PF the host lacks is not (see
 * sriov_network_pf_bdf()); using its network is.  Handles stay valid until the
 * next load or the context's end.
 */
struct sriov_network;

SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1)
int sriov_ctx_load_networks(struct sriov_ctx *ctx);
SRIOV_EXPORT SRIOV_NONNULL(1) size_t sriov_ctx_network_count(const struct sriov_ctx *ctx);
SRIOV_EXPORT SRIOV_NONNULL(1)
const struct sriov_network *sriov_ctx_network(const struct sriov_ctx *ctx, size_t i);
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_network_name(const struct sriov_network *n);
/* PF selectors (netdev or BDF) as written in the file. */
SRIOV_EXPORT SRIOV_NONNULL(1) size_t sriov_network_pf_count(const struct sriov_network *n);
SRIOV_EXPORT SRIOV_NONNULL(1)
const char *sriov_network_pf(const struct sriov_network *n, size_t i);
/* The PCI address PF i was found at when the networks were loaded; NULL if the
 * host has no such PF. */
SRIOV_EXPORT SRIOV_NONNULL(1)
const char *sriov_network_pf_bdf(const struct sriov_network *n, size_t i);
/* Defaults; -1 (NULL for the bridge) when the network does not set them. */
SRIOV_EXPORT SRIOV_NONNULL(1) int sriov_network_vlan(const struct sriov_network *n);
SRIOV_EXPORT SRIOV_NONNULL(1) int sriov_network_qos(const struct sriov_network *n);
SRIOV_EXPORT SRIOV_NONNULL(1) long sriov_network_rate(const struct sriov_network *n);
SRIOV_EXPORT SRIOV_NONNULL(1) long sriov_network_min_rate(const struct sriov_network *n);
SRIOV_EXPORT SRIOV_NONNULL(1) int sriov_network_spoofchk(const struct sriov_network *n);
SRIOV_EXPORT SRIOV_NONNULL(1) int sriov_network_trust(const struct sriov_network *n);
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_network_bridge(const struct sriov_network *n);

/*
 * Assignments: which VF went to which domain, kept in <state_dir>/assignments.json
 * (atomic, under flock) and, once attached, in xenstore under
 * /xen-sriov/<domain-uuid>/<vf-bdf>/{pf,index,network,mac,domid}, with the BDF
 * spelt 0000-03-10-2 (xenstore paths allow no colon or dot).  Domains are
 * named by UUID; the domid is a hint.  Load takes a snapshot; handles stay
 * valid until the next load or the context's end.
 */
struct sriov_assignment;

SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1)
int sriov_ctx_load_assignments(struct sriov_ctx *ctx);
SRIOV_EXPORT SRIOV_NONNULL(1) size_t sriov_ctx_assignment_count(const struct sriov_ctx *ctx);
SRIOV_EXPORT SRIOV_NONNULL(1)
const struct sriov_assignment *sriov_ctx_assignment(const struct sriov_ctx *ctx, size_t i);
SRIOV_EXPORT SRIOV_NONNULL(1)
const char *sriov_assignment_domain_uuid(const struct sriov_assignment *a);
SRIOV_EXPORT SRIOV_NONNULL(1)
const char *sriov_assignment_domain_name(const struct sriov_assignment *a);
SRIOV_EXPORT SRIOV_NONNULL(1) uint32_t sriov_assignment_domid(const struct sriov_assignment *a);
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_assignment_pf(const struct sriov_assignment *a);
SRIOV_EXPORT SRIOV_NONNULL(1)
unsigned int sriov_assignment_vf_index(const struct sriov_assignment *a);
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_assignment_vf(const struct sriov_assignment *a);
/* NULL for pf= requests. */
SRIOV_EXPORT SRIOV_NONNULL(1)
const char *sriov_assignment_network(const struct sriov_assignment *a);
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_assignment_mac(const struct sriov_assignment *a);
/* The VF's host driver before assignment (restored on release), NULL if none. */
SRIOV_EXPORT SRIOV_NONNULL(1)
const char *sriov_assignment_driver(const struct sriov_assignment *a);
/* "reserved" (being prepared, or its domain being created), "attached", or
 * "releasing" (being given back; a release cut short is finished by the next
 * command or sriov_gc()). */
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_assignment_phase(const struct sriov_assignment *a);

/* Flags for the assigning calls. */
enum {
    /* Assign even when isolation checks fail (the override is logged). */
    SRIOV_ASSIGN_FORCE = 1u << 0,
};

/*
 * `xl create CFG ARGS...` with a VF for every vf= entry of CFG (see
 * xl-sriov.cfg(5)).  args are xl create options and KEY=VALUE overrides.  Each
 * VF is reserved, its PF's VFs enabled if needed, checked for isolation, given
 * its L2 settings and made assignable (libxl quarantine + pciback); then xl
 * creates the domain with the VFs merged into pci= and a UUID fixed in advance.
 * Any failure gives back everything done, and the error names the step; with
 * vf_optional = 1 in CFG a failure to prepare the VFs instead creates the domain
 * without them (logged as a warning).
 * *uuid_out (free()) is the new domain's UUID.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 6)
int sriov_domain_create(struct sriov_ctx *ctx, const char *cfg_path, char *const *args,
                        size_t n_args, unsigned int flags, char **uuid_out);

/* Give a running domain (name, domid or UUID) a VF described by spec, in the
 * syntax of one vf= entry.  *vf_out (free()) is the VF's BDF. */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3, 5)
int sriov_pci_attach(struct sriov_ctx *ctx, const char *domain, const char *spec,
                     unsigned int flags, char **vf_out);

/* Take back a VF (BDF or PF/N) given with create or pci-attach: every step undone in
 * reverse order, the original driver rebound.  On failure the record keeps the
 * steps still to undo, so the command can be repeated. */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3)
int sriov_pci_detach(struct sriov_ctx *ctx, const char *domain, const char *vf);

/*
 * What a repairing call did (or, with a dry run, would do): one item per VF or
 * xenstore node it looked at and found wrong, in the order handled.  action is
 * one word: "rebuilt" (a record made again from the host), "released" (our
 * steps undone), "removed" (a stale xenstore node), "kept" (left as it is,
 * with the reason), "moved-aside" (an unreadable state file).  subject is a
 * VF's BDF, a xenstore path or a file; detail is a sentence.
 */
struct sriov_report;
SRIOV_EXPORT SRIOV_NONNULL(1) size_t sriov_report_count(const struct sriov_report *r);
SRIOV_EXPORT SRIOV_NONNULL(1)
const char *sriov_report_action(const struct sriov_report *r, size_t i);
SRIOV_EXPORT SRIOV_NONNULL(1)
const char *sriov_report_subject(const struct sriov_report *r, size_t i);
SRIOV_EXPORT SRIOV_NONNULL(1)
const char *sriov_report_detail(const struct sriov_report *r, size_t i);
SRIOV_EXPORT void sriov_report_free(struct sriov_report *r);

/* Flags for sriov_reconcile(). */
enum {
    /* Report what would change; change nothing. */
    SRIOV_RECONCILE_DRY_RUN = 1u << 0,
};

/*
 * Make the assignment records agree with the host after they were lost,
 * emptied or corrupted, or the host changed behind our back.  What is true is
 * read from the host: which domain holds each VF (the hypervisor), the VF's
 * driver and driver_override (sysfs), saved VF settings (state dir) and our
 * xenstore nodes.
 *  - a VF a live domain holds, with our marks on it (a /xen-sriov node or
 *    driver_override "pciback") but no record: the record is rebuilt;
 *  - a record whose domain is gone, or no longer holds the VF: released;
 *  - a VF nobody holds but with our marks: released (driver rebound,
 *    override cleared, settings restored, node removed);
 *  - /xen-sriov nodes no record explains: removed;
 *  - VFs without our marks (given by hand with xl) and records still being
 *    prepared ("reserved"): left alone.
 * An unreadable assignments.json is renamed aside (its name in the report)
 * and rebuilt.  *ret (free with sriov_report_free()) lists each change.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 3)
int sriov_reconcile(struct sriov_ctx *ctx, unsigned int flags, struct sriov_report **ret);

/*
 * Host start-up, for the boot unit that runs before xendomains: every PF of a
 * network with numvfs= in sriov.cfg that has no VFs gets that many; then every
 * guest config in dirs (in name order; symlinks followed) that has vf= entries
 * and whose domain does not run yet is created with its VFs, as
 * sriov_domain_create() does.  Guests without vf= are left to xendomains.  A
 * guest whose VFs cannot be had is not started unless its config says
 * vf_optional = 1.  Everything is tried; *ret (sriov_report_free()) has one
 * item per PF or guest ("enabled", "started", "running", "failed"), and the
 * first failure's -errno is returned with *ret still set.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 4)
int sriov_boot(struct sriov_ctx *ctx, const char *const *dirs, size_t n_dirs,
               struct sriov_report **ret);

/* Give back the VFs of domains that no longer exist, and finish or undo what a
 * process that died left half done (a VF its domain already holds is recorded,
 * anything else given back); *released counts the VFs given back.  Only the
 * hypervisor's definite "no such domain" releases a domain's VFs: when it cannot
 * answer, the record is kept and the error returned. */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2)
int sriov_gc(struct sriov_ctx *ctx, unsigned int *released);

/* ---------------------------------------------------- migration, save, restore */

/*
 * Xen cannot migrate or save a domain that has a passthrough device (log-dirty
 * mode is refused), so a domain with VFs leaves a host in steps: each VF gets a
 * netfront partner with its MAC on its network's fallback bridge (sriov.cfg
 * bridge=; hot-added through libxl if the domain has none), the VFs are taken
 * back (the guest's bond fails over to netfront), xl moves the domain, and
 * where it arrives new VFs with the same MAC and settings are given to it
 * (sriov_incoming_*).  If xl fails, the domain gets its VFs here again.  Every
 * step is journalled first (<state_dir>/moves/<uuid>.json): a crash leaves what
 * sriov_gc() needs to give a domain still here its VFs back.  LIBSRIOV_0.2.
 */
struct sriov_move;

enum sriov_move_kind {
    SRIOV_MOVE_MIGRATE,          /* sriov_move_xl() runs `xl migrate` */
    SRIOV_MOVE_SAVE,             /* `xl save`; the specs stay for sriov_domain_restore() */
    SRIOV_MOVE_HAND_OVER,        /* an orchestrator moves the domain (pre-migrate) */
};

/*
 * The checks, changing nothing: every VF of domain (name, domid or UUID) is
 * attached, the domain is not moving already, each VF can fall back to
 * netfront (a vif with its MAC, or its network's bridge= to add one on), and,
 * unless kind is SRIOV_MOVE_HAND_OVER (the orchestrator builds the domain
 * itself), the configuration libxl will recreate the domain from sets
 * passthrough: libxl keeps it as given, and a domain whose passthrough was
 * implied by its pci= devices alone would arrive, without them, unable to take
 * a VF again (-EINVAL).  *ret (sriov_move_free()) names the VFs' specs, for the
 * destination.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 4)
int sriov_move_begin(struct sriov_ctx *ctx, const char *domain, enum sriov_move_kind kind,
                     struct sriov_move **ret);
/* The same, when xl is to recreate the domain from the xl configuration file
 * xl_config instead of its own (xl migrate -C, xl save's CONFIG): its
 * passthrough is the one checked, and a uuid= in it that is not the domain's is
 * refused (-EINVAL), also for a domain without VFs.  It is checked again by
 * sriov_move_leave(), and sriov_move_xl() hands xl a copy of the text checked
 * then, with the domain's uuid= added if it sets none, since xl would give the
 * domain a new UUID.  NULL:
 * the domain's own.  Not read for SRIOV_MOVE_HAND_OVER, which checks no
 * configuration.  LIBSRIOV_0.2. */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 5)
int sriov_move_begin_config(struct sriov_ctx *ctx, const char *domain,
                            enum sriov_move_kind kind, const char *xl_config,
                            struct sriov_move **ret);
/* Checked again under the lock, then journal, add the missing vifs and take
 * back every VF; a failure gives back what was taken.  VFs of a PF whose VFs
 * an assignment of ours enabled stay enabled: the journal holds them for the
 * domain until the move ends. */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2)
int sriov_move_leave(struct sriov_ctx *ctx, struct sriov_move *m);
/* A move begun earlier (pre-migrate, a crash): its journal, by the domain's
 * UUID or by the name it had.  -ENOENT if none.  A move of a domain without VFs
 * leaves no journal. */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3)
int sriov_move_open(struct sriov_ctx *ctx, const char *domain, struct sriov_move **ret);
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_move_domain_uuid(const struct sriov_move *m);
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_move_domain_name(const struct sriov_move *m);
/* One vf= entry per VF, its MAC fixed (mac=), as the destination must give it. */
SRIOV_EXPORT SRIOV_NONNULL(1) size_t sriov_move_vf_count(const struct sriov_move *m);
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_move_vf_spec(const struct sriov_move *m,
                                                               size_t i);
/* `xl migrate ARGS` or `xl save ARGS` (per kind; ARGS as xl takes them, the
 * domain and host or file included), exec'd with an argv.  The move's xl_config
 * (migrate's last -C operand, save's last operand) is replaced by a copy of the
 * text sriov_move_leave() checked, with the domain's uuid added if it sets none
 * (/proc/PID/fd/N, PID the caller's, for xl to open); xl never reads the file.
 * -EINVAL for a move with an xl_config that sriov_move_leave() has not left. */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2)
int sriov_move_xl(struct sriov_ctx *ctx, struct sriov_move *m, char *const *args, size_t n_args);
/*
 * The end: moved (xl succeeded) forgets a migration's journal and keeps a
 * save's for restore; !moved gives the domain, still here, its VFs again from
 * the specs (the first failure returned, every VF tried) and forgets the
 * journal, which is kept if a VF could not be had (sriov_gc() retries).
 * Forgetting it hands the VFs it kept enabled to their other users, or
 * disables them if there are none.
 * *reattached (may be NULL) counts the VFs given back.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2)
int sriov_move_end(struct sriov_ctx *ctx, struct sriov_move *m, bool moved,
                   unsigned int *reattached);
SRIOV_EXPORT void sriov_move_free(struct sriov_move *m);

/*
 * A domain arriving (the destination of a migration, or post-migrate): reserve
 * a VF for every spec (vf= entries with mac=) for the domain of that UUID,
 * which need not exist yet, checking isolation; the reservations belong to this
 * process and are given back if it dies.  No setting is applied before attach:
 * on one host a VF with the guest's MAC must not appear while the guest still
 * has its old one.
 */
struct sriov_incoming;
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3, 6)
int sriov_incoming_prepare(struct sriov_ctx *ctx, const char *domain_uuid, const char *name,
                           char *const *specs, size_t n_specs, struct sriov_incoming **ret);
SRIOV_EXPORT SRIOV_NONNULL(1) size_t sriov_incoming_vf_count(const struct sriov_incoming *inc);
SRIOV_EXPORT SRIOV_NONNULL(1) const char *sriov_incoming_vf(const struct sriov_incoming *inc,
                                                              size_t i);
/*
 * Wait (timeout_ms at most; -1: no limit) until the domain runs here under its
 * own name (not "--incoming"), then apply each VF's settings and give it the VF.
 * Every VF is tried; one that fails is given back.  The first error returned.
 */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2)
int sriov_incoming_attach(struct sriov_ctx *ctx, struct sriov_incoming *inc, int timeout_ms,
                          unsigned int *attached);
/* Give back the reservations not attached, and free. */
SRIOV_EXPORT void sriov_incoming_free(struct sriov_incoming *inc);

/* The UUID of a domain (name, domid or UUID) as text, into buf (at least 37
 * bytes); -ENOENT if there is no such domain here. */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 3)
int sriov_domain_uuid(struct sriov_ctx *ctx, const char *domain, char *buf, size_t len);

/* `xl restore ARGS`, then the VFs `sriov_move_*` saved for the restored domain
 * (SRIOV_MOVE_SAVE), each given as sriov_incoming_* does.  *uuid_out (free()) is
 * the restored domain's UUID; *attached counts its VFs.  ARGS are xl restore's:
 * options, then [CONFIG] FILE.  The domain FILE holds is read from it first; if
 * VFs were saved for it, a CONFIG that does not set passthrough, or sets another
 * domain's uuid=, fails with -EINVAL before anything is restored; xl reads a
 * copy of the text checked, with the saved uuid= added if it sets none (xl would
 * give the domain a new UUID).  -EINVAL for a FILE that is not a save file. */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1, 2, 4)
int sriov_domain_restore(struct sriov_ctx *ctx, char *const *args, size_t n_args,
                         char **uuid_out, unsigned int *attached);

/* Wait until a domain may have gone (xenstore @releaseDomain) or timeout_ms
 * (-1: forever): 1 on an event, 0 on timeout. */
SRIOV_EXPORT SRIOV_MUST_CHECK SRIOV_NONNULL(1)
int sriov_wait_release(struct sriov_ctx *ctx, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* SRIOV_H */
