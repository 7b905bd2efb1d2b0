/*
 * Backend modules: a hypervisor or netlink backend other than the built-in
 * ones ("libxl", "kernel") is named "MODULE:ARG" and loaded from
 * <backend dir>/MODULE.so (SRIOV_BACKEND_DIR, else PKGLIBDIR/backends).  This is
 * how the simulated host of the tests and the demo plugs in without shipping
 * inside the library.  A module is built from this source tree against the same
 * internal headers, so it may use the context's internals; the ABI stamp below
 * refuses a module built from another tree.
 */
#ifndef SRIOV_CORE_BACKEND_H
#define SRIOV_CORE_BACKEND_H

#include <stddef.h>

struct sriov_ctx;
struct sriov_hv;
struct sriov_nl;

#define SRIOV__BACKEND_ABI 1u

/* What a module exports under the name "sriov_backend".  Either open may be NULL. */
struct sriov__backend {
    unsigned int abi;             /* SRIOV__BACKEND_ABI */
    size_t ctx_size;              /* sizeof(struct sriov_ctx) it was built with */
    int (*hv_open)(struct sriov_ctx *ctx, const char *arg, struct sriov_hv **ret);
    int (*nl_open)(struct sriov_ctx *ctx, const char *arg, struct sriov_nl **ret);
};

/*
 * The backend an option names: *ret NULL for the built-in one (spec equal to
 * builtin), else the module of "MODULE:ARG" (loaded once per context), which
 * must have the open function at open_offset in struct sriov__backend; *arg
 * points into spec.
 */
int sriov__backend_resolve(struct sriov_ctx *ctx, const char *what, const char *spec,
                           const char *builtin, size_t open_offset,
                           const struct sriov__backend **ret, const char **arg);
void sriov__backends_unload(struct sriov_ctx *ctx);

#endif
