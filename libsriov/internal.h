/* libsriov internals: shared between the library's .c files, never installed. */
#ifndef SRIOV_INTERNAL_H
#define SRIOV_INTERNAL_H

#include <stdbool.h>
#include <syslog.h>

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

/* device.c */
int sriov__dev_load(struct sriov_ctx *ctx, int devfd, const char *bdf, struct sriov_dev *dev);
int sriov__dev_load_driver(int devfd, struct sriov_dev *dev);
void sriov__dev_dispose(struct sriov_dev *dev);
void sriov__pci_names_free(struct sriov_ctx *ctx);

/* scan.c */
void sriov__pfs_free(struct sriov_ctx *ctx);
int sriov__pf_reload(struct sriov_ctx *ctx, struct sriov_pf *pf);

#endif
