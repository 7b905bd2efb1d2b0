/*
 * The libxl backend of hv.h, private to its files:
 *   hv_libxl.c     open/close, libxl's error codes, the platform, domains
 *   hv_libxl_pci.c PCI devices: Xen's device groups, owners, assignable, add/remove
 *   hv_libxl_dom.c vifs, and running xl: create, migrate, save, restore
 *   hv_libxl_xs.c  xenstore and the @releaseDomain watch
 *   hv_libxl_log.c libxl's messages through the context's log callback
 */
#ifndef SRIOV_HV_LIBXL_H
#define SRIOV_HV_LIBXL_H

#include <stdbool.h>

#include <libxl.h>
#include <xenctrl.h>
#include <xenstore.h>
#include <xentoollog.h>

#include "hv/hv.h"

struct lx_hv {
    struct sriov_hv hv;          /* first: casts between the two */
    xentoollog_logger *logger;   /* into the context's log (hv_libxl_log.c) */
    libxl_ctx *lx;
    xc_interface *xch;
    struct xs_handle *xs;        /* connected on first use (hv_libxl_xs.c) */
    bool watching;
};

#define LX(hv) (((struct lx_hv *)(hv))->lx)

/* hv_libxl_log.c: a logger for libxl that writes through the context's callback. */
xentoollog_logger *sriov__lx_logger_new(struct sriov_ctx *ctx);

/* hv_libxl.c */
/* libxl's ERROR_* as -errno: the one place that knows libxl's error codes. */
int sriov__lx_from_libxl(int lrc);
/* Every domain, by domid (libxl_list_domain): the domain_list op. */
int sriov__lx_domain_list(struct sriov_hv *hv, struct sriov_hv_domain **doms, size_t *n);
/* The domain for which match() holds, -ENOENT when none: with first the first
 * one listed, else the last (libxl lists domains by domid). */
int sriov__lx_domain_find(struct sriov_hv *hv,
                          bool (*match)(struct sriov_hv *hv, const struct sriov_hv_domain *dom,
                                        const void *arg),
                          const void *arg, bool first, struct sriov_hv_domain *out);

/* hv_libxl_pci.c: the PCI ops of hv.h. */
int sriov__lx_device_group(struct sriov_hv *hv, const char *bdf, char ***bdfs, size_t *n);
int sriov__lx_device_owner(struct sriov_hv *hv, const char *bdf, struct sriov_hv_domain *out);
int sriov__lx_assigned_devices(struct sriov_hv *hv, struct sriov_hv_assignment **out,
                               size_t *n);
int sriov__lx_assignable_add(struct sriov_hv *hv, const char *bdf);
int sriov__lx_assignable_remove(struct sriov_hv *hv, const char *bdf, bool rebind);
int sriov__lx_pci_add(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf,
                      const struct sriov_hv_pci_opts *o);
int sriov__lx_pci_remove(struct sriov_hv *hv, const struct sriov_hv_domain *dom,
                         const char *bdf);
int sriov__lx_pci_destroy(struct sriov_hv *hv, const struct sriov_hv_domain *dom,
                          const char *bdf);

/* hv_libxl_dom.c */
/* `xl [-v...] VERB ARGS...`, exec'd with an argv and waited for: 0 when xl exits 0,
 * else -EIO with its exit status in the error. */
int sriov__lx_run_xl(struct sriov_hv *hv, const char *verb, char *const *args, size_t n_args);
/* The vif, migration, save and restore ops of hv.h. */
int sriov__lx_nic_list(struct sriov_hv *hv, const struct sriov_hv_domain *dom, char ***macs,
                       char ***bridges, size_t *n);
int sriov__lx_domain_passthrough(struct sriov_hv *hv, const struct sriov_hv_domain *dom,
                                 bool *kept);
int sriov__lx_nic_add(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *mac,
                      const char *bridge);
int sriov__lx_domain_migrate(struct sriov_hv *hv, char *const *args, size_t n_args);
int sriov__lx_domain_save(struct sriov_hv *hv, char *const *args, size_t n_args);
int sriov__lx_domain_restore(struct sriov_hv *hv, char *const *args, size_t n_args,
                             struct sriov_hv_domain *out);

/* hv_libxl_savefile.c: the saved_domain op of hv.h. */
int sriov__lx_saved_domain(struct sriov_hv *hv, const char *path, struct sriov_hv_domain *out);

/* hv_libxl_xs.c: the xenstore ops of hv.h. */
int sriov__lx_xs_write(struct sriov_hv *hv, const char *path, const char *value);
int sriov__lx_xs_rm(struct sriov_hv *hv, const char *path);
int sriov__lx_xs_read(struct sriov_hv *hv, const char *path, char **value);
int sriov__lx_xs_list(struct sriov_hv *hv, const char *path, char ***names, size_t *n);
int sriov__lx_wait_release(struct sriov_hv *hv, int timeout_ms);

#endif
