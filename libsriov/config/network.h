/* Networks from sriov.cfg (network.c). */
#ifndef SRIOV_CONFIG_NETWORK_H
#define SRIOV_CONFIG_NETWORK_H

#include "internal.h"

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

#endif
