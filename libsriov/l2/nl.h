/*
 * The rtnetlink interface for VF L2 settings: the library's third test seam.
 * Production talks to the kernel through libnl-route-3 (nl_kernel.c); tier-1
 * tests and the demo load a simulated backend from a module (core/backend.h),
 * which keeps the settings in files and can fail on demand.  Everything above
 * this interface (l2/vfapply.c: validate, save, apply, roll back, restore) is
 * the same code in both cases.
 *
 * Selected with sriov_ctx_opts.netlink: NULL or "kernel", or "MODULE:ARG".
 */
#ifndef SRIOV_L2_NL_H
#define SRIOV_L2_NL_H

#include "l2/l2.h"

struct sriov_nl;

struct sriov_nl_ops {
    void (*close)(struct sriov_nl *nl);
    /* Every VF of the PF with network interface ifname; -errno with the reason
     * recorded on the context. */
    int (*vf_list)(struct sriov_nl *nl, const char *ifname, struct sriov__vf_list *list);
    /* Set one group of settings (SRIOV_VF_MAC, _VLAN, _MAX_TX_RATE, _SPOOFCHK,
     * _TRUST, _LINK_STATE or _QUERY_RSS) from cfg; returns the kernel's -errno and
     * records nothing (the caller names the setting and the driver). */
    int (*vf_set)(struct sriov_nl *nl, const char *ifname, unsigned int index,
                  unsigned int group, const struct sriov_vf_config *cfg);
};

struct sriov_nl {
    const struct sriov_nl_ops *ops;
    struct sriov_ctx *ctx;
};

/* nl.c: the backend chosen by the context option, opened on first use. */
int sriov__nl(struct sriov_ctx *ctx, struct sriov_nl **ret);
void sriov__nl_close(struct sriov_ctx *ctx);
int sriov__nl_vf_list(struct sriov_ctx *ctx, const char *ifname, struct sriov__vf_list *list);
int sriov__nl_vf_set(struct sriov_ctx *ctx, const char *ifname, unsigned int index,
                     unsigned int group, const struct sriov_vf_config *cfg);

/* nl_kernel.c */
int sriov__nl_kernel_open(struct sriov_ctx *ctx, const char *arg, struct sriov_nl **ret);
/* nl_kernel_vf.c: one IFLA_VF_INFO entry of the RTM_GETLINK reply into list. */
struct nlattr;
void sriov__nl_kernel_read_vf(struct nlattr *entry, struct sriov__vf_list *list);

#endif
