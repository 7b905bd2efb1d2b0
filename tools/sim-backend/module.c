/* The simulated host as a libsriov backend module: "sim:DIR" names it for the
 * hypervisor (hv_sim*.c) and for netlink (nl_sim.c). */
#include "config.h"

#include "internal.h"
#include "core/backend.h"
#include "hv_sim.h"

SRIOV_EXPORT const struct sriov__backend sriov_backend = {
    .abi = SRIOV__BACKEND_ABI,
    .ctx_size = sizeof(struct sriov_ctx),
    .hv_open = sim_hv_open,
    .nl_open = sim_nl_open,
};
