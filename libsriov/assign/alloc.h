/* Choosing a free VF for a vf= entry (alloc.c). */
#ifndef SRIOV_ASSIGN_ALLOC_H
#define SRIOV_ASSIGN_ALLOC_H

#include "assign/records.h"
#include "config/vfreq.h"
#include "hv/hv.h"

/* Fills out's pf/index (and vf when it exists already); *numvfs_to_enable is
 * the VF count to set first when the chosen PF has none enabled. */
int sriov__alloc(struct sriov_ctx *ctx, struct sriov_hv *hv, const struct sriov__recs *recs,
                 const struct sriov__vf_req *req, int prefer_node,
                 struct sriov_assignment *out, unsigned int *numvfs_to_enable);

#endif
