/* libsriov internals: shared between the library's .c files, never installed. */
#ifndef SRIOV_INTERNAL_H
#define SRIOV_INTERNAL_H

#include <stdbool.h>
#include <syslog.h>
#include <sys/types.h>

#include "sriov.h"

#define SRIOV_BDF_LEN 13 /* "dddd:bb:ss.f" */
#define SRIOV_ERR_LEN 512

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
    char *state_dir;
    char *run_dir;
    char *config_path;
    char *hypervisor;             /* "libxl" or "sim:DIR" */
    struct sriov_hv *hv;          /* opened on first use (hv.c) */
    struct sriov_netcfg *netcfg;  /* networks from config_path (netcfg.c) */
    struct sriov__recs *recs;     /* assignments as last loaded (list.c) */
    unsigned int settle_timeout_ms;

    sriov_log_fn log_fn;
    void *log_data;
    int log_priority;
    char last_error[SRIOV_ERR_LEN];

    bool scanned;
    struct sriov_pf **pfs;        /* sorted by BDF */
    size_t n_pfs;

    struct pci_access *pacc;      /* libpci, created on first name look-up */
};

/* ctx.c: logging and errors */
void sriov__log(struct sriov_ctx *ctx, int priority, const char *file, int line,
                const char *fn, const char *format, ...) SRIOV_PRINTF(6, 7);
#define sriov__dbg(ctx, ...) sriov__log(ctx, LOG_DEBUG, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define sriov__info(ctx, ...) sriov__log(ctx, LOG_INFO, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define sriov__warn(ctx, ...) sriov__log(ctx, LOG_WARNING, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define sriov__errlog(ctx, ...) sriov__log(ctx, LOG_ERR, __FILE__, __LINE__, __func__, __VA_ARGS__)
/* Record why a call fails and return rc (a negative errno) for `return sriov__fail(...)`. */
int sriov__fail(struct sriov_ctx *ctx, int rc, const char *format, ...) SRIOV_PRINTF(3, 4);

/* bdf.c */
/* Parse "dddd:bb:ss.f" or "bb:ss.f" into canonical form; -EINVAL if malformed. */
int sriov__bdf_normalize(const char *in, char out[SRIOV_BDF_LEN]);
bool sriov__is_bdf(const char *s);

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

/* statefile.c: atomic, 0600 state records and flock-based locks. */
int sriov__mkdir_p(const char *path, mode_t mode);
int sriov__state_write(struct sriov_ctx *ctx, const char *path, const void *data, size_t len);
/* -ENOENT (without recording an error) when the record does not exist. */
int sriov__state_read(struct sriov_ctx *ctx, const char *path, char **data, size_t *len);
/* Exclusive lock on <run_dir>/<name>.lock; blocks until granted. */
int sriov__lock(struct sriov_ctx *ctx, const char *name, int *fd_out);
void sriov__unlock(int fd);

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

/* vfconfig.c: VF network settings as values (no I/O). */
/* The settings of a freshly created VF, applied when a saved VF was unreadable. */
void sriov__vf_config_defaults(struct sriov_vf_config *cfg);
/* The strict MAC syntax every caller shares: six pairs of hex digits and colons. */
int sriov__parse_mac(const char *s, uint8_t mac[6]);
/* A key sriov_vf_config_set_kv() knows. */
bool sriov__vf_config_key(const char *key);
/* Copy every field present in src over dst. */
void sriov__vf_config_overlay(struct sriov_vf_config *dst, const struct sriov_vf_config *src);
/* Append "key=value\n" for every present field. */
int sriov__vf_config_text(const struct sriov_vf_config *cfg, char *buf, size_t len);

/* rtnl.c: VF settings over rtnetlink through libnl-route-3. */
struct sriov__vf_list {
    unsigned int num_vfs;         /* IFLA_NUM_VF: VFs the PF has */
    unsigned int n_read;          /* entries the kernel's VF list held */
    struct sriov_vf_config *cfgs; /* indexed by VF number, num_vfs entries */
    bool *readable;               /* num_vfs entries */
};
/* Read every VF of a PF; -errno with the reason recorded. */
int sriov__rtnl_vf_list(struct sriov_ctx *ctx, const char *ifname, struct sriov__vf_list *list);
void sriov__vf_list_dispose(struct sriov__vf_list *list);
/* Set one group of settings (SRIOV_VF_MAC, _VLAN, _MAX_TX_RATE, _SPOOFCHK, _TRUST,
 * _LINK_STATE or _QUERY_RSS) from cfg; returns the kernel's -errno, records nothing. */
int sriov__rtnl_vf_set(struct sriov_ctx *ctx, const char *ifname, unsigned int index,
                       unsigned int group, const struct sriov_vf_config *cfg);

/* vfref.c */
/* The PF interface's driver ("ixgbe", "netdevsim"), or "its driver" when unknown. */
void sriov__netdev_driver(struct sriov_ctx *ctx, const char *ifname, char *buf, size_t len);

/* vfrecord.c: saved VF settings, <state_dir>/vf-config/<PF>-vf<N>. */
struct sriov__vf_record {
    struct sriov_vf_ref ref;
    bool readable;                /* false: the VF was past the kernel's truncated list */
    struct sriov_vf_config cfg;
};
int sriov__vf_record_path(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref, char *buf,
                          size_t len);
int sriov__vf_record_save(struct sriov_ctx *ctx, const struct sriov__vf_record *rec);
/* -ENOENT (nothing recorded) when there is no record. */
int sriov__vf_record_load(struct sriov_ctx *ctx, const char *path, struct sriov__vf_record *rec);
int sriov__vf_record_delete(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref);

/* isolation.c, isolation_pci.c, isolation_bars.c */
struct sriov_hv;
/* The checks behind sriov_isolation_check(); hv NULL: the Xen checks are not run. */
int sriov__isolation_check(struct sriov_ctx *ctx, struct sriov_hv *hv,
                           const struct sriov_vf *vf, struct sriov_isolation **ret);
/* Append a finding; -ENOMEM only. */
int sriov__isolation_add(struct sriov_isolation *r, const char *name,
                         enum sriov_isolation_result result, const char *format, ...)
    SRIOV_PRINTF(4, 5);
int sriov__isolation_check_pci(struct sriov_ctx *ctx, const struct sriov_vf *vf,
                               struct sriov_isolation *r);
int sriov__isolation_check_bars(struct sriov_ctx *ctx, const struct sriov_vf *vf,
                                struct sriov_isolation *r);

#endif
