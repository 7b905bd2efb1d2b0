/* One vf= entry of a domain config, or a pci-attach SPEC (vfreq.c). */
#ifndef SRIOV_CONFIG_VFREQ_H
#define SRIOV_CONFIG_VFREQ_H

#include "internal.h"
#include "hv/hv.h"

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

#endif
