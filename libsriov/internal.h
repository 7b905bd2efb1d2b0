/*
 * libsriov internals: the objects every layer shares, never installed.
 * The layers, bottom up (each folder is one; libsriov/README has the picture):
 *   core/       context, logging and errors, state files, small utilities
 *   sysfs/      the kernel's PCI sysfs ABI: discovery, VF count, drivers
 *   l2/         VF L2 settings and their save/restore; the rtnetlink seam (nl.h)
 *   hv/         the hypervisor seam (hv.h), its libxl backend, backend modules
 *   isolation/  whether a VF may be given to a domain
 *   config/     xl-syntax files through libxlutil: networks and vf= entries
 *   assign/     records, allocation and the attach/detach steps; create, gc
 * A layer uses only the layers listed before it.
 */
#ifndef SRIOV_INTERNAL_H
#define SRIOV_INTERNAL_H

#include <stdbool.h>
#include <syslog.h>
#include <sys/types.h>

#include "sriov.h"
#include "core/log.h"
#include "core/timing.h"
#include "core/util.h"

struct pci_access;

struct sriov_dev {
    struct sriov_ctx *ctx;        /* for lazy name look-ups */
    char bdf[SRIOV_BDF_LEN];
    uint16_t vendor;
    uint16_t device;
    uint32_t class;
    int numa_node;
    char *driver;                 /* NULL when unbound */
    char **netdevs;
    size_t n_netdevs;
    bool ids_pending;             /* VFs: ids/class/NUMA read from sysfs on first use */
    char *vendor_name;            /* looked up on first use */
    char *device_name;
};

struct sriov_vf {
    struct sriov_dev dev;
    unsigned int index;
    struct sriov_pf *pf;
    bool predicted;               /* a dry run's VF that does not exist yet (scan.c) */
};

struct sriov_pf {
    struct sriov_dev dev;
    unsigned int totalvfs;
    unsigned int numvfs;
    unsigned int vf_offset;
    unsigned int vf_stride;
    uint16_t vf_device;
    int drivers_autoprobe;
    struct sriov_vf **vfs;        /* sorted by index */
    size_t n_vfs;
};

struct sriov_ctx {
    char *sysfs_root;
    int pci_devices_fd;           /* <sysfs_root>/bus/pci/devices, kept open once used
                                     (sysfs/sysfs.c); -1 until then */
    char *state_dir;
    char *run_dir;
    char *config_path;
    bool config_given;            /* config_path was an option, not the default: a
                                     missing file is then an error (config/network.c) */
    char *hypervisor;             /* "libxl" or "MODULE:ARG" */
    char *netlink;                /* "kernel" or "MODULE:ARG" */
    char *backend_dir;            /* where MODULE.so backends are looked for */
    struct sriov_hv *hv;          /* opened on first use (hv/hv.c) */
    struct sriov_nl *nl;          /* opened on first use (l2/nl.c) */
    struct sriov__modules *modules; /* backend modules loaded (hv/module.c) */
    struct sriov_netcfg *netcfg;  /* networks from config_path (config/network.c) */
    struct sriov__recs *recs;     /* assignments as last loaded (assign/list.c) */
    struct sriov__holders *holders; /* the hypervisor's answer of who holds what, while
                                     the assignments lock is held (hv/holders.c) */
    int owner_fd;                 /* flock held on <run_dir>/owner-<owner_id>.lock while
                                     this context may own reserved records; -1 until
                                     then (assign/owner.c) */
    char owner_id[17];
    unsigned int settle_timeout_ms;
    sriov_progress_fn progress_fn; /* core/log.c: sriov__progress() */
    void *progress_data;
    sriov_plan_fn plan_fn;        /* dry run when set (core/plan.c) */
    void *plan_data;
    char **plan_recs;             /* dry run: the records as last planned, one line
                                     each (assign/records.c) */
    size_t n_plan_recs;
    bool plan_recs_known;
    char *plan_recs_data;         /* dry run: the records file as it would be now */
    size_t plan_recs_len;
    struct sriov__planned_numvfs {
        char pf[SRIOV_BDF_LEN];
        unsigned int numvfs;
    } *plan_numvfs;               /* dry run: VF counts it would have set, so that a
                                     rescan sees them (sysfs/scan.c) */
    size_t n_plan_numvfs;
    char **plan_overlay;          /* dry run: what reads would see after its changes,
                                     key/value pairs (core/plan.h) */
    size_t n_plan_overlay;

    sriov_log_fn log_fn;
    void *log_data;
    int log_priority;
    struct sriov__timing timing;  /* where the time goes (core/timing.c) */
    char last_error[SRIOV_ERR_LEN];

    bool scanned;
    struct sriov_pf **pfs;        /* sorted by BDF */
    size_t n_pfs;

    struct pci_access *pacc;      /* libpci, created on first name look-up */
};

/* core/log.c: the default log callback and SRIOV_LOG. */
/* A printf-style function for the compilers' format checks (clang's
 * -Wformat-nonliteral asks for it before format is passed on to vfprintf). */
void sriov__log_stderr(void *data, int priority, const char *file, int line, const char *fn,
                       const char *format, va_list args) SRIOV_PRINTF(6, 0);
int sriov__log_priority_from_env(void);

#endif
