/*
 * The hypervisor of a dry run: questions go to the real one, changes are
 * described (as the libxl calls and the `xl create` they would be) and reported
 * done.  Wrapped around whichever backend the context chose (hv.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "core/plan.h"
#include "hv/hv.h"

struct plan_hv {
    struct sriov_hv hv;          /* first: the ops get &plan_hv.hv */
    struct sriov_hv *real;
};

static struct sriov_hv *real(struct sriov_hv *hv)
{
    return ((struct plan_hv *)hv)->real;
}

static void plan_close(struct sriov_hv *hv)
{
    struct sriov_hv *r = real(hv);

    r->ops->close(r);
    free(hv);
}

static int plan_platform(struct sriov_hv *hv, struct sriov_hv_platform *out)
{
    return real(hv)->ops->platform(real(hv), out);
}

static int plan_device_group(struct sriov_hv *hv, const char *bdf, char ***bdfs, size_t *n)
{
    return real(hv)->ops->device_group(real(hv), bdf, bdfs, n);
}

static int plan_device_owner(struct sriov_hv *hv, const char *bdf, struct sriov_hv_domain *out)
{
    return real(hv)->ops->device_owner(real(hv), bdf, out);
}

static int plan_driver(struct sriov_ctx *ctx, const char *bdf, const char *driver)
{
    char key[64];

    snprintf(key, sizeof(key), "driver:%s", bdf);
    return sriov__plan_put(ctx, key, driver);
}

static int plan_assignable_add(struct sriov_hv *hv, const char *bdf)
{
    sriov__plan(hv->ctx, "hypervisor", "libxl_device_pci_assignable_add %s rebind=1 "
                "(quarantine, bind to pciback)", bdf);
    return plan_driver(hv->ctx, bdf, "pciback");
}

static int plan_assignable_remove(struct sriov_hv *hv, const char *bdf, bool rebind)
{
    sriov__plan(hv->ctx, "hypervisor", "libxl_device_pci_assignable_remove %s rebind=%d%s", bdf,
                rebind, rebind ? " (give the VF back to its original driver)" : "");
    /* Off pciback: which driver libxl rebinds is libxl's to know. */
    return plan_driver(hv->ctx, bdf, "");
}

static int plan_pci_add(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf,
                        const struct sriov_hv_pci_opts *opts)
{
    char vdevfn[16] = "auto";

    if (opts && opts->vdevfn >= 0)
        snprintf(vdevfn, sizeof(vdevfn), "0x%02x", opts->vdevfn);
    sriov__plan(hv->ctx, "hypervisor", "libxl_device_pci_add domain %s (domid %u) %s vdevfn=%s",
                dom->name, dom->domid, bdf, vdevfn);
    return 0;
}

static int plan_pci_remove(struct sriov_hv *hv, const struct sriov_hv_domain *dom,
                           const char *bdf)
{
    sriov__plan(hv->ctx, "hypervisor", "libxl_device_pci_remove domain %s (domid %u) %s",
                dom->name, dom->domid, bdf);
    return 0;
}

static int plan_pci_destroy(struct sriov_hv *hv, const struct sriov_hv_domain *dom,
                            const char *bdf)
{
    sriov__plan(hv->ctx, "hypervisor", "libxl_device_pci_destroy domain %s (domid %u) %s",
                dom->name, dom->domid, bdf);
    return 0;
}

static int plan_domain_by_uuid(struct sriov_hv *hv, const uint8_t uuid[16],
                               struct sriov_hv_domain *out)
{
    return real(hv)->ops->domain_by_uuid(real(hv), uuid, out);
}

static int plan_domain_by_name_or_id(struct sriov_hv *hv, const char *spec,
                                     struct sriov_hv_domain *out)
{
    return real(hv)->ops->domain_by_name_or_id(real(hv), spec, out);
}

static int plan_domain_list(struct sriov_hv *hv, struct sriov_hv_domain **doms, size_t *n)
{
    return real(hv)->ops->domain_list(real(hv), doms, n);
}

/* The new domain has no domid yet: 0 stands for "the one xl create makes". */
static int plan_xl(struct sriov_hv *hv, const char *verb, char *const *args, size_t n_args);

/* The new domain has no domid yet: 0 stands for "the one xl create makes". */
static int plan_domain_create(struct sriov_hv *hv, const char *cfg_path, char *const *args,
                              size_t n_args, const uint8_t uuid[16], struct sriov_hv_domain *out)
{
    char **all = calloc(n_args + 1, sizeof(*all));
    int rc;

    if (!all)
        return -ENOMEM;
    all[0] = (char *)cfg_path;
    for (size_t i = 0; i < n_args; i++)
        all[i + 1] = args[i];
    rc = plan_xl(hv, "create", all, n_args + 1);
    free(all);
    memset(out, 0, sizeof(*out));
    memcpy(out->uuid, uuid, 16);
    return rc;
}

static int plan_cpu_nodes(struct sriov_hv *hv, int **nodes, size_t *n)
{
    return real(hv)->ops->cpu_nodes(real(hv), nodes, n);
}

static int plan_xs(struct sriov_ctx *ctx, const char *path, const char *value)
{
    char key[512];

    snprintf(key, sizeof(key), "xs:%s", path);
    return sriov__plan_put(ctx, key, value);
}

static int plan_xs_write(struct sriov_hv *hv, const char *path, const char *value)
{
    sriov__plan(hv->ctx, "xenstore", "write %s = \"%s\"", path, value);
    return plan_xs(hv->ctx, path, value);
}

static int plan_xs_rm(struct sriov_hv *hv, const char *path)
{
    sriov__plan(hv->ctx, "xenstore", "rm %s", path);
    return plan_xs(hv->ctx, path, NULL);
}

/* Reads see the nodes the dry run would have written or removed (the names a
 * list shows lose the removed ones; written ones are not added: nothing reads a
 * list back for a node it wrote itself). */
static int planned_xs(struct sriov_ctx *ctx, const char *path, const char **value)
{
    char key[512];

    snprintf(key, sizeof(key), "xs:%s", path);
    return sriov__plan_get_prefix(ctx, key, value);
}

static int plan_xs_read(struct sriov_hv *hv, const char *path, char **value)
{
    const char *planned;

    if (planned_xs(hv->ctx, path, &planned)) {
        if (!planned)
            return -ENOENT;
        *value = strdup(planned);
        return *value ? 0 : -ENOMEM;
    }
    return real(hv)->ops->xs_read(real(hv), path, value);
}

static int plan_xs_list(struct sriov_hv *hv, const char *path, char ***names, size_t *n)
{
    const char *planned;
    size_t kept = 0;
    int rc;

    if (planned_xs(hv->ctx, path, &planned) && !planned)
        return -ENOENT;
    rc = real(hv)->ops->xs_list(real(hv), path, names, n);
    for (size_t i = 0; !rc && i < *n; i++) {
        char *child = sriov__asprintf("%s/%s", path, (*names)[i]);

        if (!child)
            return -ENOMEM;
        if (planned_xs(hv->ctx, child, &planned) && !planned)
            free((*names)[i]);
        else
            (*names)[kept++] = (*names)[i];
        free(child);
    }
    if (!rc)
        *n = kept;
    return rc;
}

static int plan_wait_release(struct sriov_hv *hv, int timeout_ms)
{
    return real(hv)->ops->wait_release(real(hv), timeout_ms);
}

static int plan_assigned_devices(struct sriov_hv *hv, struct sriov_hv_assignment **out,
                                 size_t *n)
{
    return real(hv)->ops->assigned_devices(real(hv), out, n);
}

static int plan_nic_list(struct sriov_hv *hv, const struct sriov_hv_domain *dom, char ***macs,
                         char ***bridges, size_t *n)
{
    return real(hv)->ops->nic_list(real(hv), dom, macs, bridges, n);
}

static int plan_domain_passthrough(struct sriov_hv *hv, const struct sriov_hv_domain *dom,
                                   bool *kept)
{
    return real(hv)->ops->domain_passthrough(real(hv), dom, kept);
}

static int plan_nic_add(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *mac,
                        const char *bridge)
{
    sriov__plan(hv->ctx, "hypervisor", "libxl_device_nic_add domain %s (domid %u) mac=%s "
                "bridge=%s", dom->name, dom->domid, mac, bridge);
    return 0;
}

/* `xl VERB ARGS...` as one line, each argument quoted. */
static int plan_xl(struct sriov_hv *hv, const char *verb, char *const *args, size_t n_args)
{
    size_t len = 1;
    char *line, *p;

    for (size_t i = 0; i < n_args; i++)
        len += strlen(args[i]) + 3;
    line = malloc(len);
    if (!line)
        return -ENOMEM;
    p = line;
    *p = '\0';
    for (size_t i = 0; i < n_args; i++)
        p += sprintf(p, " '%s'", args[i]);
    sriov__plan(hv->ctx, "hypervisor", "xl %s%s", verb, line);
    free(line);
    return 0;
}

static int plan_domain_migrate(struct sriov_hv *hv, char *const *args, size_t n_args)
{
    return plan_xl(hv, "migrate", args, n_args);
}

static int plan_domain_save(struct sriov_hv *hv, char *const *args, size_t n_args)
{
    return plan_xl(hv, "save", args, n_args);
}

/* The restored domain does not exist: an empty one stands for it (domid 0). */
static int plan_domain_restore(struct sriov_hv *hv, char *const *args, size_t n_args,
                               struct sriov_hv_domain *out)
{
    memset(out, 0, sizeof(*out));
    return plan_xl(hv, "restore", args, n_args);
}

static int plan_saved_domain(struct sriov_hv *hv, const char *path, struct sriov_hv_domain *out)
{
    return real(hv)->ops->saved_domain(real(hv), path, out);
}

static const struct sriov_hv_ops plan_ops = {
    .close = plan_close,
    .platform = plan_platform,
    .device_group = plan_device_group,
    .device_owner = plan_device_owner,
    .assignable_add = plan_assignable_add,
    .assignable_remove = plan_assignable_remove,
    .pci_add = plan_pci_add,
    .pci_remove = plan_pci_remove,
    .pci_destroy = plan_pci_destroy,
    .domain_by_uuid = plan_domain_by_uuid,
    .domain_by_name_or_id = plan_domain_by_name_or_id,
    .domain_list = plan_domain_list,
    .domain_create = plan_domain_create,
    .cpu_nodes = plan_cpu_nodes,
    .xs_write = plan_xs_write,
    .xs_rm = plan_xs_rm,
    .xs_read = plan_xs_read,
    .xs_list = plan_xs_list,
    .wait_release = plan_wait_release,
    .assigned_devices = plan_assigned_devices,
    .nic_list = plan_nic_list,
    .domain_passthrough = plan_domain_passthrough,
    .nic_add = plan_nic_add,
    .domain_migrate = plan_domain_migrate,
    .domain_save = plan_domain_save,
    .domain_restore = plan_domain_restore,
    .saved_domain = plan_saved_domain,
};

int sriov__hv_plan_wrap(struct sriov_ctx *ctx, struct sriov_hv *inner, struct sriov_hv **ret)
{
    struct plan_hv *p = calloc(1, sizeof(*p));

    if (!p) {
        inner->ops->close(inner);
        return -ENOMEM;
    }
    p->hv.ops = &plan_ops;
    p->hv.ctx = ctx;
    p->real = inner;
    *ret = &p->hv;
    return 0;
}
