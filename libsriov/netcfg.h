/* Networks from sriov.cfg (netcfg.c) and vf= requests (vfspec.c); internal. */
#ifndef SRIOV_NETCFG_H
#define SRIOV_NETCFG_H

#include <stdbool.h>
#include <stdint.h>

#include "hv.h"
#include "sriov.h"

struct sriov_network {
    char *name;
    char **pfs;                  /* PF selectors as written (netdev or BDF) */
    size_t n_pfs;
    struct sriov_vf_config l2;   /* defaults for its VFs, parsed like vf-set's */
    char *bridge;                /* netfront fallback */
    unsigned int numvfs;         /* VFs to enable on a PF that has none; 0: all */
};

struct sriov_netcfg {
    struct sriov_network *v;
    size_t n;
};

int sriov__netcfg_load(struct sriov_ctx *ctx);
void sriov__netcfg_free(struct sriov_ctx *ctx);
const struct sriov_network *sriov__network_get(struct sriov_ctx *ctx, const char *name);

/* One vf= entry. */
struct sriov__vf_req {
    char *spec;                  /* as written: part of the stable-MAC key */
    char *network;
    char *pf;
    int vf_index;                /* -1: any */
    struct sriov_vf_config l2;   /* the entry's own L2 keys, mac included */
    struct sriov_hv_pci_opts pci;
    char *pci_opts;              /* the libxl PCI options, as text for pci= */
};

/* where names the origin in errors ("guest.cfg line 12"); may be NULL. */
int sriov__vf_req_parse(struct sriov_ctx *ctx, const char *spec, const char *where,
                        struct sriov__vf_req *out);
void sriov__vf_req_dispose(struct sriov__vf_req *req);
/* Shared value parser: -EINVAL on a bad value. */
int sriov__parse_long(const char *s, long min, long max, long *out);
/* One L2 key of a vf= entry or network, validated exactly as vf-set does;
 * where names the origin in the error.  Networks take no mac. */
int sriov__l2_set(struct sriov_ctx *ctx, struct sriov_vf_config *l2, const char *where,
                  const char *key, const char *val);

#endif
