/*
 * The production hypervisor: libxl for PCI assignment and domains, libxenctrl
 * for device groups, libxenstore for our records and @releaseDomain, and the
 * real `xl create` (exec with an argv, never a shell) for creating domains, so
 * that everything xl does with a config (bootloader, device model, console)
 * stays xl's job.  This file opens and closes it, and has the platform and the
 * domains; PCI devices are in hv_libxl_pci.c, xenstore in hv_libxl_xs.c, vifs
 * and running xl in hv_libxl_dom.c (hv_libxl.h).  libxl's ERROR_* codes become
 * -errno in sriov__lx_from_libxl() only.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxl_utils.h>

#include "internal.h"
#include "hv/hv_libxl.h"

/* The one place that knows libxl's error codes. */
int sriov__lx_from_libxl(int lrc)
{
    switch (lrc) {
    case 0: return 0;
    case ERROR_NOMEM: return -ENOMEM;
    case ERROR_INVAL: return -EINVAL;
    case ERROR_NOTFOUND: return -ENOENT;
    case ERROR_DOMAIN_NOTFOUND: return -ENOENT;
    case ERROR_NOPARAVIRT: return -EOPNOTSUPP;
    case ERROR_FEATURE_REMOVED: return -EOPNOTSUPP;
    case ERROR_NOT_READY: return -EAGAIN;
    case ERROR_TIMEDOUT: return -ETIMEDOUT;
    case ERROR_QMP_DEVICE_NOT_FOUND: return -ENODEV;
    case ERROR_DEVICE_EXISTS: return -EEXIST;
    case ERROR_ABORTED: return -ECANCELED;
    case ERROR_LOCK_FAIL: return -ENOLCK;
    default: return -EIO;
    }
}

static void dom_from_info(struct sriov_hv *hv, const libxl_dominfo *di, struct sriov_hv_domain *out)
{
    char *name = libxl_domid_to_name(LX(hv), di->domid);

    memset(out, 0, sizeof(*out));
    memcpy(out->uuid, libxl_uuid_bytearray_const(&di->uuid), 16);
    out->domid = di->domid;
    /* Cut at a character boundary: the name reaches assignments.json. */
    sriov__utf8_copy(out->name, sizeof(out->name), name ? name : "");
    free(name);
}

int sriov__lx_domain_list(struct sriov_hv *hv, struct sriov_hv_domain **doms, size_t *n)
{
    libxl_dominfo *info;
    int nb = 0;

    *doms = NULL;
    *n = 0;
    info = libxl_list_domain(LX(hv), &nb);
    if (!info)
        return sriov__fail(hv->ctx, -EIO, "cannot list the domains (libxl_list_domain)");
    *doms = calloc((size_t)nb + 1, sizeof(**doms));
    if (!*doms) {
        libxl_dominfo_list_free(info, nb);
        return -ENOMEM;
    }
    for (int i = 0; i < nb; i++)
        dom_from_info(hv, &info[i], &(*doms)[i]);
    *n = (size_t)nb;
    libxl_dominfo_list_free(info, nb);
    return 0;
}

int sriov__lx_domain_find(struct sriov_hv *hv,
                          bool (*match)(struct sriov_hv *hv, const struct sriov_hv_domain *dom,
                                        const void *arg),
                          const void *arg, bool first, struct sriov_hv_domain *out)
{
    struct sriov_hv_domain *doms = NULL;
    size_t n = 0;
    int rc = sriov__lx_domain_list(hv, &doms, &n);

    if (rc)
        goto out;
    rc = -ENOENT;
    for (size_t i = 0; i < n && !(first && rc == 0); i++)
        if (match(hv, &doms[i], arg)) {
            *out = doms[i];
            rc = 0;
        }
out:
    free(doms);
    return rc;
}

static bool has_uuid(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const void *uuid)
{
    (void)hv;
    return !memcmp(dom->uuid, uuid, 16);
}

static int lx_domain_by_uuid(struct sriov_hv *hv, const uint8_t uuid[16],
                             struct sriov_hv_domain *out)
{
    return sriov__lx_domain_find(hv, has_uuid, uuid, false, out);
}

struct name_or_id {
    const char *spec;
    bool numeric;
    unsigned long id;
};

static bool has_name_or_id(struct sriov_hv *hv, const struct sriov_hv_domain *dom,
                           const void *arg)
{
    const struct name_or_id *want = arg;

    (void)hv;
    return want->numeric ? dom->domid == want->id : !strcmp(dom->name, want->spec);
}

static int lx_domain_by_name_or_id(struct sriov_hv *hv, const char *spec,
                                   struct sriov_hv_domain *out)
{
    struct name_or_id want = { .spec = spec };
    uint8_t uuid[16];
    char *end;
    int rc;

    want.id = strtoul(spec, &end, 10);
    want.numeric = *spec && !*end;
    if (sriov__uuid_parse(spec, uuid) == 0)
        return lx_domain_by_uuid(hv, uuid, out);
    rc = sriov__lx_domain_find(hv, has_name_or_id, &want, false, out);
    return rc == -ENOENT ? sriov__fail(hv->ctx, rc, "%s: no such domain", spec) : rc;
}

static int lx_platform(struct sriov_hv *hv, struct sriov_hv_platform *out)
{
    const libxl_version_info *vi = libxl_get_version_info(LX(hv));
    libxl_physinfo pi;
    int rc;

    libxl_physinfo_init(&pi);
    rc = sriov__lx_from_libxl(libxl_get_physinfo(LX(hv), &pi));
    if (rc) {
        libxl_physinfo_dispose(&pi);
        return sriov__fail(hv->ctx, rc, "cannot read Xen's physinfo");
    }
    out->iommu_enabled = pi.cap_hvm_directio; /* xl info shows it as hvm_directio (and pv_directio) */
    /* Xen has no query for it: quarantine is on unless the command line says otherwise. */
    out->quarantine_enabled = sriov__xen_quarantine_on(vi ? vi->commandline : NULL);
    libxl_physinfo_dispose(&pi);
    return 0;
}

/* xl create [OPTIONS] CFG [KEY=VALUE...]: options first, as xl's getopt wants. */
static int lx_domain_create(struct sriov_hv *hv, const char *cfg_path, char *const *args,
                            size_t n_args, const uint8_t uuid[16], struct sriov_hv_domain *out)
{
    char **argv = calloc(n_args + 1, sizeof(*argv));
    enum sriov__timed was;
    size_t k = 0;
    int rc;

    if (!argv)
        return -ENOMEM;
    for (size_t i = 0; i < n_args; i++)
        if (args[i][0] == '-')
            argv[k++] = args[i];
    argv[k++] = (char *)cfg_path;
    for (size_t i = 0; i < n_args; i++)
        if (args[i][0] != '-')
            argv[k++] = args[i];
    was = sriov__time_in(hv->ctx, SRIOV_T_XL);
    rc = sriov__lx_run_xl(hv, "create", argv, k);
    free(argv);
    if (rc) {
        sriov__time_in(hv->ctx, was);
        return rc;
    }
    sriov__time_in(hv->ctx, SRIOV_T_HV);
    rc = lx_domain_by_uuid(hv, uuid, out);
    sriov__time_in(hv->ctx, was);
    return rc ? sriov__fail(hv->ctx, rc, "xl create %s succeeded but the domain is gone",
                            cfg_path)
              : 0;
}

static int lx_cpu_nodes(struct sriov_hv *hv, int **nodes, size_t *n)
{
    int nb = 0;
    libxl_cputopology *topo = libxl_get_cpu_topology(LX(hv), &nb);

    *nodes = NULL;
    *n = 0;
    if (!topo || nb <= 0)
        return -ENOENT;
    *nodes = calloc((size_t)nb, sizeof(**nodes));
    if (*nodes) {
        for (int i = 0; i < nb; i++)
            (*nodes)[i] = topo[i].node == LIBXL_CPUTOPOLOGY_INVALID_ENTRY ? -1 : (int)topo[i].node;
        *n = (size_t)nb;
    }
    libxl_cputopology_list_free(topo, nb);
    return *nodes ? 0 : -ENOMEM;
}

static void lx_close(struct sriov_hv *hv)
{
    struct lx_hv *h = (struct lx_hv *)hv;

    if (h->xs)
        xs_close(h->xs);
    if (h->xch)
        xc_interface_close(h->xch);
    if (h->lx)
        libxl_ctx_free(h->lx);
    if (h->logger)
        xtl_logger_destroy(h->logger);
    free(h);
}

static const struct sriov_hv_ops libxl_ops = {
    .close = lx_close,
    .platform = lx_platform,
    .device_group = sriov__lx_device_group,
    .device_owner = sriov__lx_device_owner,
    .assigned_devices = sriov__lx_assigned_devices,
    .assignable_add = sriov__lx_assignable_add,
    .assignable_remove = sriov__lx_assignable_remove,
    .pci_add = sriov__lx_pci_add,
    .pci_remove = sriov__lx_pci_remove,
    .pci_destroy = sriov__lx_pci_destroy,
    .domain_by_uuid = lx_domain_by_uuid,
    .domain_by_name_or_id = lx_domain_by_name_or_id,
    .domain_list = sriov__lx_domain_list,
    .domain_create = lx_domain_create,
    .cpu_nodes = lx_cpu_nodes,
    .xs_write = sriov__lx_xs_write,
    .xs_rm = sriov__lx_xs_rm,
    .xs_read = sriov__lx_xs_read,
    .xs_list = sriov__lx_xs_list,
    .wait_release = sriov__lx_wait_release,
    .nic_list = sriov__lx_nic_list,
    .domain_passthrough = sriov__lx_domain_passthrough,
    .nic_add = sriov__lx_nic_add,
    .domain_migrate = sriov__lx_domain_migrate,
    .domain_save = sriov__lx_domain_save,
    .domain_restore = sriov__lx_domain_restore,
    .saved_domain = sriov__lx_saved_domain,
};

int sriov__hv_libxl_open(struct sriov_ctx *ctx, const char *arg, struct sriov_hv **ret)
{
    struct lx_hv *h = calloc(1, sizeof(*h));
    int rc = 0;

    (void)arg;
    *ret = NULL;
    if (!h)
        return -ENOMEM;
    h->hv.ops = &libxl_ops;
    h->hv.ctx = ctx;
    h->logger = sriov__lx_logger_new(ctx);
    if (!h->logger || libxl_ctx_alloc(&h->lx, LIBXL_VERSION, 0, h->logger)) {
        rc = sriov__fail(ctx, -ENXIO, "cannot talk to Xen through libxl (is this dom0 of a "
                         "running Xen, and are you root?)");
        goto out;
    }
    h->xch = xc_interface_open(h->logger, NULL, 0);
    if (!h->xch) {
        rc = sriov__fail(ctx, -ENXIO, "cannot open the Xen control interface");
        goto out;
    }
    *ret = &h->hv;
    h = NULL;
out:
    if (h)
        lx_close(&h->hv);
    return rc;
}
