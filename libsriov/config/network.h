/* Networks from sriov.cfg (network.c). */
#ifndef SRIOV_CONFIG_NETWORK_H
#define SRIOV_CONFIG_NETWORK_H

#include "internal.h"

struct sriov_network {
    char *name;
    int line;                    /* of its name= item, for messages */
    char **pfs;                  /* PF selectors as written (netdev or BDF) */
    int *pf_lines;
    char (*pf_bdfs)[SRIOV_BDF_LEN]; /* where each PF is on the host, "" if nowhere
                                       (sriov__netcfg_resolve) */
    size_t n_pfs;
    struct sriov_vf_config l2;   /* defaults for its VFs, parsed like vf-set's */
    char *bridge;                /* netfront fallback */
    unsigned int numvfs;         /* VFs to enable on a PF that has none; 0: all */
    int numvfs_line;
};

struct sriov_netcfg {
    struct sriov_network *v;
    size_t n;
    bool resolved;
};

/* Read config_path (once): every rule that needs no host. */
int sriov__netcfg_load(struct sriov_ctx *ctx);
/* Look each PF up on the host (once per load): a PF in two networks, however
 * spelt, is an error naming both lines.  A missing PF is not (see below). */
int sriov__netcfg_resolve(struct sriov_ctx *ctx);
/* Before taking a VF from net: each of its PFs exists and can have numvfs VFs;
 * errors name the line. */
int sriov__network_check_use(struct sriov_ctx *ctx, const struct sriov_network *net);
void sriov__netcfg_free(struct sriov_ctx *ctx);
const struct sriov_network *sriov__network_get(struct sriov_ctx *ctx, const char *name);

#endif
