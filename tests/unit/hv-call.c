/*
 * hv-call: one op of a hypervisor backend from the shell, for the tests of the
 * simulated hypervisor's ops that no xl-sriov command calls on its own
 * (tests/sim/test-sim-migrate.sh).  DOMAIN is a name, domid or UUID.
 *   hv-call HYPERVISOR nic-list DOMAIN              "MAC bridge=BRIDGE" lines
 *   hv-call HYPERVISOR nic-add DOMAIN MAC BRIDGE
 *   hv-call HYPERVISOR migrate|save ARGS...
 *   hv-call HYPERVISOR restore ARGS...              "NAME DOMID UUID" of the domain
 *   hv-call HYPERVISOR saved FILE                   "NAME 0 UUID" of the domain in FILE
 * Exits 0, or with the op's errno after printing its error on stderr.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/hv.h"
#include "internal.h"

static int usage(void)
{
    fprintf(stderr, "usage: hv-call HYPERVISOR nic-list DOMAIN | nic-add DOMAIN MAC BRIDGE | "
                    "migrate ARGS... | save ARGS... | restore ARGS... | saved FILE\n");
    return 64;
}

static int nics(struct sriov_hv *hv, char **argv, int argc)
{
    struct sriov_hv_domain dom;
    char **macs = NULL, **bridges = NULL;
    size_t n = 0;
    int rc;

    rc = hv->ops->domain_by_name_or_id(hv, argv[0], &dom);
    if (!rc && argc == 1)
        rc = hv->ops->nic_list(hv, &dom, &macs, &bridges, &n);
    else if (!rc)
        rc = hv->ops->nic_add(hv, &dom, argv[1], argv[2]);
    for (size_t i = 0; i < n; i++)
        printf("%s bridge=%s\n", macs[i], bridges[i]);
    sriov__strv_free(macs, n);
    sriov__strv_free(bridges, n);
    return rc;
}

int main(int argc, char **argv)
{
    struct sriov_ctx_opts opts = { 0 };
    struct sriov_hv_domain dom;
    struct sriov_ctx *ctx = NULL;
    struct sriov_hv *hv = NULL;
    char u[SRIOV_UUID_STR_LEN];
    const char *op;
    int rc;

    if (argc < 3)
        return usage();
    op = argv[2];
    opts.hypervisor = argv[1];
    rc = sriov_ctx_new(&ctx, &opts);
    if (!rc)
        rc = sriov__hv(ctx, &hv);
    if (rc)
        goto out;
    if (!strcmp(op, "nic-list") && argc == 4)
        rc = nics(hv, argv + 3, 1);
    else if (!strcmp(op, "nic-add") && argc == 6)
        rc = nics(hv, argv + 3, 3);
    else if (!strcmp(op, "migrate"))
        rc = hv->ops->domain_migrate(hv, argv + 3, (size_t)argc - 3);
    else if (!strcmp(op, "save"))
        rc = hv->ops->domain_save(hv, argv + 3, (size_t)argc - 3);
    else if (!strcmp(op, "restore")) {
        rc = hv->ops->domain_restore(hv, argv + 3, (size_t)argc - 3, &dom);
        sriov__uuid_format(dom.uuid, u);
        if (!rc)
            printf("%s %u %s\n", dom.name, dom.domid, u);
    } else if (!strcmp(op, "saved") && argc == 4) {
        rc = hv->ops->saved_domain(hv, argv[3], &dom);
        sriov__uuid_format(dom.uuid, u);
        if (!rc)
            printf("%s %u %s\n", dom.name, dom.domid, u);
    } else {
        sriov_ctx_free(ctx);
        return usage();
    }
out:
    if (rc)
        fprintf(stderr, "hv-call: %s (%s)\n", ctx ? sriov_ctx_last_error(ctx) : "",
                strerror(-rc));
    sriov_ctx_free(ctx);
    return rc ? -rc : 0;
}
