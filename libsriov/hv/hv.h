/*
 * The hypervisor interface: the library's second test seam.  Production talks
 * to Xen through libxl/libxenctrl/libxenstore (hv_libxl*.c); tier-1 tests and
 * the demo load a simulated hypervisor from a backend module (core/backend.h;
 * tools/sim-backend) that keeps its domains and xenstore in files and changes
 * the (synthetic) sysfs exactly as libxl would, and fails on demand.
 * Everything above this interface is the same code in both cases.
 *
 * Every op returns 0 or a negative errno and records a sentence naming the
 * device or domain with sriov__fail() on the hv's context.  Only hv_libxl.c
 * knows libxl's ERROR_* codes (translated in one function there).
 *
 * Selected with sriov_ctx_opts.hypervisor: NULL or "libxl" for Xen, or
 * "MODULE:ARG" for a backend module.
 */
#ifndef SRIOV_HV_H
#define SRIOV_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sriov_ctx;
struct sriov_hv;

/* xen_cmdline.c: whether Xen's command line leaves the PCI quarantine on
 * (iommu=no-quarantine, iommu=quarantine=0 and the like turn it off). */
bool sriov__xen_quarantine_on(const char *cmdline);

/* What assignment needs to know about the platform. */
struct sriov_hv_platform {
    bool iommu_enabled;          /* physinfo: hvm_directio or pv_directio */
    bool quarantine_enabled;     /* not turned off on Xen's command line */
};

/* One domain, identified by UUID; the domid is only a hint that can be reused. */
struct sriov_hv_domain {
    uint8_t uuid[16];
    uint32_t domid;
    char name[64];
};

/* libxl's PCI options, as accepted in the xl config's pci= and vf= entries. */
struct sriov_hv_pci_opts {
    int vdevfn;                  /* -1: let libxl choose */
    int permissive;              /* -1: libxl's default, else 0/1 */
    int seize;
    int msitranslate;
    int power_mgmt;
    int rdm_policy;              /* -1: default, 0 strict, 1 relaxed */
};

/* One domain and the PCI devices it has (assigned_devices). */
struct sriov_hv_assignment {
    struct sriov_hv_domain dom;
    char **bdfs;                 /* malloc'd array of malloc'd strings */
    size_t n_bdfs;
};

struct sriov_hv_ops {
    void (*close)(struct sriov_hv *hv);
    int (*platform)(struct sriov_hv *hv, struct sriov_hv_platform *out);
    /* BDFs that share an IOMMU context with bdf (Xen's device group), bdf excluded.
     * *bdfs is a malloc'd array of malloc'd strings. */
    int (*device_group)(struct sriov_hv *hv, const char *bdf, char ***bdfs, size_t *n);
    /* The domain (if any) that has bdf assigned; -ENOENT when none. */
    int (*device_owner)(struct sriov_hv *hv, const char *bdf, struct sriov_hv_domain *out);
    /* Every domain with the PCI devices it has, in one call (*out malloc'd; free it
     * with sriov__hv_assignments_free(), hv/holders.h): device_owner for all devices
     * and domain_by_uuid for all domains at once, for a command that would
     * otherwise ask about each VF or record (libxl answers each of those by
     * listing every domain).  Domains without devices are listed too. */
    int (*assigned_devices)(struct sriov_hv *hv, struct sriov_hv_assignment **out,
                            size_t *n);
    /* libxl_device_pci_assignable_add(rebind=1)/remove: quarantine + pciback, the
     * original driver remembered by the hypervisor side (libxl: xenstore
     * /libxl/pci/<bdf>/driver_path) and rebound by remove when rebind.  remove
     * is idempotent: on a device that is not, or only partly, assignable (an add
     * cut short by a crash) it completes what is there and succeeds. */
    int (*assignable_add)(struct sriov_hv *hv, const char *bdf);
    int (*assignable_remove)(struct sriov_hv *hv, const char *bdf, bool rebind);
    /* libxl_device_pci_add/remove on a running domain. */
    int (*pci_add)(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf,
                   const struct sriov_hv_pci_opts *opts);
    /* pci_remove: -ETIMEDOUT when the device model did not let go of the device
     * within libxl's wait (10 s: the guest has not released it yet), which
     * leaves it assigned; -EBUSY when the device model refuses the request (QEMU
     * before 8.0 refuses a second unplug while one is pending); -ENODEV when the
     * device model no longer has it (a removal libxl stopped waiting for
     * finished after it), which libxl also leaves recorded and assigned until
     * pci_destroy (libxl_device_pci_destroy, the removal forced) finishes it. */
    int (*pci_remove)(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf);
    int (*pci_destroy)(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf);
    /* Look a domain up by UUID (-ENOENT if it no longer exists), by name or
     * domid (-ENOENT), or list all (*doms malloc'd). */
    int (*domain_by_uuid)(struct sriov_hv *hv, const uint8_t uuid[16],
                          struct sriov_hv_domain *out);
    int (*domain_by_name_or_id)(struct sriov_hv *hv, const char *spec,
                                struct sriov_hv_domain *out);
    int (*domain_list)(struct sriov_hv *hv, struct sriov_hv_domain **doms, size_t *n);
    /*
     * `xl create CFG ARGS...` where args are xl create options and KEY=VALUE
     * overrides (the last one wins, as in xl).  The config or the overrides
     * carry uuid=; out receives the new domain.  libxl: exec of xl with an argv;
     * sim: the sim's own domain creation, attaching every pci= device.
     */
    int (*domain_create)(struct sriov_hv *hv, const char *cfg_path, char *const *args,
                         size_t n_args, const uint8_t uuid[16], struct sriov_hv_domain *out);
    /* Host CPU -> NUMA node (*nodes malloc'd, one per CPU); -ENOENT if unknown. */
    int (*cpu_nodes)(struct sriov_hv *hv, int **nodes, size_t *n);
    /* xenstore, for recording assignments where other tools can see them. */
    int (*xs_write)(struct sriov_hv *hv, const char *path, const char *value);
    /* Removes path and everything below it; a missing path is not an error. */
    int (*xs_rm)(struct sriov_hv *hv, const char *path);
    /* A value (*value malloc'd), or the names below path (*names a malloc'd array
     * of malloc'd strings); -ENOENT when path does not exist.  For reconcile. */
    int (*xs_read)(struct sriov_hv *hv, const char *path, char **value);
    int (*xs_list)(struct sriov_hv *hv, const char *path, char ***names, size_t *n);
    /* Block until a domain may have gone (@releaseDomain) or timeout_ms passed:
     * 1 on an event, 0 on timeout. */
    int (*wait_release)(struct sriov_hv *hv, int timeout_ms);

    /* ---- migration, save and restore (assign/migrate.c) ---- */
    /* The domain's virtual NICs: n pairs of MAC ("00:16:3e:12:34:56", lower case)
     * and bridge ("" when it names none); *macs and *bridges malloc'd arrays of
     * malloc'd strings.  libxl_device_nic_list. */
    int (*nic_list)(struct sriov_hv *hv, const struct sriov_hv_domain *dom, char ***macs,
                    char ***bridges, size_t *n);
    /* Whether dom, when a migration, save or restore recreates it from its
     * configuration as libxl keeps it (as given at creation, its PCI devices
     * taken back), can take PCI devices again: *kept is true when that
     * configuration sets passthrough to enabled, sync_pt or share_pt.  Without
     * it libxl derives the setting from pci=, which is empty by then: disabled.
     * libxl_retrieve_domain_configuration. */
    int (*domain_passthrough)(struct sriov_hv *hv, const struct sriov_hv_domain *dom,
                              bool *kept);
    /* Hot-add a vif with this MAC, its backend on bridge: libxl_device_nic_add
     * (the hotplug script puts the backend on the bridge).  The guest sees a new
     * netfront, which then travels with the domain's configuration. */
    int (*nic_add)(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *mac,
                   const char *bridge);
    /*
     * `xl migrate ARGS` (ARGS: xl migrate's options, then DOMAIN and HOST),
     * `xl save ARGS` (options, DOMAIN, FILE), `xl restore ARGS` (options, FILE):
     * exec of xl with an argv, never a shell (xl itself runs its transport as
     * xl does).  0 when xl exits 0, else -EIO with xl's exit status in the error.
     * Xen refuses log-dirty mode, so migration and save, for a domain that still
     * has a passthrough device: the caller detaches every VF first.  restore's
     * out receives the domain it started.
     */
    int (*domain_migrate)(struct sriov_hv *hv, char *const *args, size_t n_args);
    int (*domain_save)(struct sriov_hv *hv, char *const *args, size_t n_args);
    int (*domain_restore)(struct sriov_hv *hv, char *const *args, size_t n_args,
                          struct sriov_hv_domain *out);
    /* The domain a save file holds, read from the configuration saved in it, as
     * `xl restore FILE` would start it: its UUID and name (domid 0).  -EINVAL for
     * a file that is not a save file.  Asked before a restore, since a CONFIG
     * given to xl restore names the UUID the domain gets (a new one if none). */
    int (*saved_domain)(struct sriov_hv *hv, const char *path, struct sriov_hv_domain *out);
};

struct sriov_hv {
    const struct sriov_hv_ops *ops;
    struct sriov_ctx *ctx;
};

/* hv.c: the hypervisor chosen by the context option, opened on first use. */
int sriov__hv(struct sriov_ctx *ctx, struct sriov_hv **ret);
void sriov__hv_close(struct sriov_ctx *ctx);
/* The built-in backend (hv_libxl.c). */
int sriov__hv_libxl_open(struct sriov_ctx *ctx, const char *arg, struct sriov_hv **ret);
/* hv_plan.c: a dry run's hypervisor around inner (which it owns from then on). */
int sriov__hv_plan_wrap(struct sriov_ctx *ctx, struct sriov_hv *inner, struct sriov_hv **ret);

#endif
