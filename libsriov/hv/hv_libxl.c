/*
 * The production hypervisor: libxl for PCI assignment and domains, libxenctrl
 * for device groups, libxenstore for our records and @releaseDomain, and the
 * real `xl create` (exec with an argv, never a shell) for creating domains, so
 * that everything xl does with a config (bootloader, device model, console)
 * stays xl's job.  libxl's ERROR_* codes become -errno in from_libxl() only.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <libxl.h>
#include <libxl_utils.h>
#include <xenctrl.h>
#include <xenstore.h>
#include <xentoollog.h>

#include "internal.h"
#include "hv/hv.h"

extern char **environ;

struct lx_hv {
    struct sriov_hv hv;          /* first: casts between the two */
    xentoollog_logger_stdiostream *logger;
    libxl_ctx *lx;
    xc_interface *xch;
    struct xs_handle *xs;
    bool watching;
};

#define LX(hv) (((struct lx_hv *)(hv))->lx)

/* The one place that knows libxl's error codes. */
static int from_libxl(int lrc)
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
    case ERROR_DEVICE_EXISTS: return -EEXIST;
    case ERROR_ABORTED: return -ECANCELED;
    case ERROR_LOCK_FAIL: return -ENOLCK;
    default: return -EIO;
    }
}

static int fill_pci(const char *bdf, libxl_device_pci *pci)
{
    unsigned int d, b, s, f;

    libxl_device_pci_init(pci);
    if (sscanf(bdf, "%x:%x:%x.%x", &d, &b, &s, &f) != 4)
        return -EINVAL;
    pci->domain = (int)d;
    pci->bus = (uint8_t)b;
    pci->dev = (uint8_t)s;
    pci->func = (uint8_t)f;
    return 0;
}

static bool pci_is(const libxl_device_pci *p, const char *bdf)
{
    char buf[SRIOV_BDF_LEN];

    snprintf(buf, sizeof(buf), "%04x:%02x:%02x.%x", (unsigned int)p->domain & 0xffff, p->bus,
             p->dev & 0x1fu, p->func & 7u);
    return !strcmp(buf, bdf);
}

static void dom_from_info(struct sriov_hv *hv, const libxl_dominfo *di, struct sriov_hv_domain *out)
{
    char *name = libxl_domid_to_name(LX(hv), di->domid);

    memset(out, 0, sizeof(*out));
    memcpy(out->uuid, libxl_uuid_bytearray_const(&di->uuid), 16);
    out->domid = di->domid;
    snprintf(out->name, sizeof(out->name), "%s", name ? name : "");
    free(name);
}

static int lx_domain_list(struct sriov_hv *hv, struct sriov_hv_domain **doms, size_t *n)
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

static int lx_domain_by_uuid(struct sriov_hv *hv, const uint8_t uuid[16],
                             struct sriov_hv_domain *out)
{
    struct sriov_hv_domain *doms = NULL;
    size_t n = 0;
    int rc = lx_domain_list(hv, &doms, &n);

    if (rc)
        return rc;
    rc = -ENOENT;
    for (size_t i = 0; i < n; i++)
        if (!memcmp(doms[i].uuid, uuid, 16)) {
            *out = doms[i];
            rc = 0;
        }
    free(doms);
    return rc;
}

static int lx_domain_by_name_or_id(struct sriov_hv *hv, const char *spec,
                                   struct sriov_hv_domain *out)
{
    struct sriov_hv_domain *doms = NULL;
    uint8_t uuid[16];
    size_t n = 0;
    char *end;
    unsigned long id = strtoul(spec, &end, 10);
    bool numeric = *spec && !*end;
    int rc;

    if (sriov__uuid_parse(spec, uuid) == 0)
        return lx_domain_by_uuid(hv, uuid, out);
    rc = lx_domain_list(hv, &doms, &n);
    if (rc)
        return rc;
    rc = sriov__fail(hv->ctx, -ENOENT, "%s: no such domain", spec);
    for (size_t i = 0; i < n; i++)
        if (numeric ? doms[i].domid == id : !strcmp(doms[i].name, spec)) {
            *out = doms[i];
            rc = 0;
        }
    free(doms);
    return rc;
}

static int lx_platform(struct sriov_hv *hv, struct sriov_hv_platform *out)
{
    const libxl_version_info *vi = libxl_get_version_info(LX(hv));
    libxl_physinfo pi;
    int rc;

    libxl_physinfo_init(&pi);
    rc = from_libxl(libxl_get_physinfo(LX(hv), &pi));
    if (rc) {
        libxl_physinfo_dispose(&pi);
        return sriov__fail(hv->ctx, rc, "cannot read Xen's physinfo");
    }
    out->iommu_enabled = pi.cap_hvm_directio; /* xl info shows it as hvm_directio (and pv_directio) */
    /* Xen has no query for it: quarantine is on unless the command line says otherwise. */
    out->quarantine_enabled = !(vi && vi->commandline &&
                                strstr(vi->commandline, "no-quarantine"));
    libxl_physinfo_dispose(&pi);
    return 0;
}

static int lx_device_group(struct sriov_hv *hv, const char *bdf, char ***bdfs, size_t *n)
{
    struct lx_hv *h = (struct lx_hv *)hv;
    uint32_t sdevs[256], num = 0;
    unsigned int d, b, s, f;
    char **v = NULL;

    *bdfs = NULL;
    *n = 0;
    if (sscanf(bdf, "%x:%x:%x.%x", &d, &b, &s, &f) != 4)
        return -EINVAL;
    if (xc_get_device_group(h->xch, 0, d << 16 | b << 8 | s << 3 | f, 256, &num, sdevs) < 0)
        return sriov__fail(hv->ctx, -errno, "%s: cannot read its Xen device group: %s", bdf,
                           strerror(errno));
    v = calloc(num + 1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (uint32_t i = 0; i < num; i++) {
        /* Xen returns bus << 16 | devfn << 8 (segment d). */
        unsigned int gb = (sdevs[i] >> 16) & 0xff, devfn = (sdevs[i] >> 8) & 0xff;
        char buf[SRIOV_BDF_LEN];
        snprintf(buf, sizeof(buf), "%04x:%02x:%02x.%x", d, gb, devfn >> 3, devfn & 7);
        if (!strcmp(buf, bdf))
            continue;
        if (!(v[*n] = strdup(buf))) {
            sriov__strv_free(v, *n);
            *n = 0;
            return -ENOMEM;
        }
        (*n)++;
    }
    *bdfs = v;
    return 0;
}

static int lx_device_owner(struct sriov_hv *hv, const char *bdf, struct sriov_hv_domain *out)
{
    struct sriov_hv_domain *doms = NULL;
    size_t n = 0;
    int rc = lx_domain_list(hv, &doms, &n);

    if (rc)
        return rc;
    rc = -ENOENT;
    for (size_t i = 0; i < n && rc == -ENOENT; i++) {
        int num = 0;
        libxl_device_pci *pcis = libxl_device_pci_list(LX(hv), doms[i].domid, &num);
        for (int j = 0; j < num; j++)
            if (pci_is(&pcis[j], bdf)) {
                *out = doms[i];
                rc = 0;
            }
        libxl_device_pci_list_free(pcis, num);
    }
    free(doms);
    return rc;
}

static int lx_assignable_add(struct sriov_hv *hv, const char *bdf)
{
    libxl_device_pci pci;
    int rc = fill_pci(bdf, &pci);

    if (!rc)
        rc = from_libxl(libxl_device_pci_assignable_add(LX(hv), &pci, 1));
    libxl_device_pci_dispose(&pci);
    return rc ? sriov__fail(hv->ctx, rc, "%s: libxl_device_pci_assignable_add failed", bdf) : 0;
}

static int lx_assignable_remove(struct sriov_hv *hv, const char *bdf, bool rebind)
{
    libxl_device_pci pci;
    int rc = fill_pci(bdf, &pci);

    if (!rc)
        rc = from_libxl(libxl_device_pci_assignable_remove(LX(hv), &pci, rebind));
    libxl_device_pci_dispose(&pci);
    return rc ? sriov__fail(hv->ctx, rc, "%s: libxl_device_pci_assignable_remove failed", bdf)
              : 0;
}

static int lx_pci_add(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf,
                      const struct sriov_hv_pci_opts *o)
{
    libxl_device_pci pci;
    int rc = fill_pci(bdf, &pci);

    if (o->vdevfn >= 0) pci.vdevfn = (uint32_t)o->vdevfn;
    if (o->permissive >= 0) pci.permissive = o->permissive;
    if (o->seize >= 0) pci.seize = o->seize;
    if (o->msitranslate >= 0) pci.msitranslate = o->msitranslate;
    if (o->power_mgmt >= 0) pci.power_mgmt = o->power_mgmt;
    if (o->rdm_policy >= 0)
        pci.rdm_policy = o->rdm_policy ? LIBXL_RDM_RESERVE_POLICY_RELAXED
                                       : LIBXL_RDM_RESERVE_POLICY_STRICT;
    if (!rc)
        rc = from_libxl(libxl_device_pci_add(LX(hv), dom->domid, &pci, NULL));
    libxl_device_pci_dispose(&pci);
    return rc ? sriov__fail(hv->ctx, rc, "%s: libxl_device_pci_add to domain %s (%u) failed",
                            bdf, dom->name, dom->domid)
              : 0;
}

static int lx_pci_remove(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf)
{
    libxl_device_pci pci;
    int rc = fill_pci(bdf, &pci);

    if (!rc)
        rc = from_libxl(libxl_device_pci_remove(LX(hv), dom->domid, &pci, NULL));
    libxl_device_pci_dispose(&pci);
    return rc ? sriov__fail(hv->ctx, rc, "%s: libxl_device_pci_remove from domain %s failed",
                            bdf, dom->name)
              : 0;
}

/* xl create [OPTIONS] CFG [KEY=VALUE...]: options first, as xl's getopt wants. */
static int lx_domain_create(struct sriov_hv *hv, const char *cfg_path, char *const *args,
                            size_t n_args, const uint8_t uuid[16], struct sriov_hv_domain *out)
{
    char **argv = calloc(n_args + 4, sizeof(*argv));
    size_t k = 0;
    pid_t pid;
    int status, rc;

    if (!argv)
        return -ENOMEM;
    argv[k++] = (char *)"xl";
    argv[k++] = (char *)"create";
    for (size_t i = 0; i < n_args; i++)
        if (args[i][0] == '-')
            argv[k++] = args[i];
    argv[k++] = (char *)cfg_path;
    for (size_t i = 0; i < n_args; i++)
        if (args[i][0] != '-')
            argv[k++] = args[i];
    argv[k] = NULL;
    rc = posix_spawnp(&pid, "xl", NULL, NULL, argv, environ);
    free(argv);
    if (rc)
        return sriov__fail(hv->ctx, -rc, "cannot run xl create: %s", strerror(rc));
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return sriov__fail(hv->ctx, -errno, "waiting for xl create: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return sriov__fail(hv->ctx, -EIO, "xl create %s failed (status %d)", cfg_path,
                           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    rc = lx_domain_by_uuid(hv, uuid, out);
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

static int xs_ready(struct sriov_hv *hv)
{
    struct lx_hv *h = (struct lx_hv *)hv;

    if (!h->xs && !(h->xs = xs_open(0)))
        return sriov__fail(hv->ctx, -errno, "cannot connect to xenstore: %s", strerror(errno));
    return 0;
}

static int lx_xs_write(struct sriov_hv *hv, const char *path, const char *value)
{
    int rc = xs_ready(hv);

    if (!rc && !xs_write(((struct lx_hv *)hv)->xs, XBT_NULL, path, value, strlen(value)))
        rc = sriov__fail(hv->ctx, -errno, "cannot write xenstore %s: %s", path, strerror(errno));
    return rc;
}

static int lx_xs_rm(struct sriov_hv *hv, const char *path)
{
    int rc = xs_ready(hv);

    if (!rc && !xs_rm(((struct lx_hv *)hv)->xs, XBT_NULL, path) && errno != ENOENT)
        rc = sriov__fail(hv->ctx, -errno, "cannot remove xenstore %s: %s", path, strerror(errno));
    return rc;
}

static int lx_wait_release(struct sriov_hv *hv, int timeout_ms)
{
    struct lx_hv *h = (struct lx_hv *)hv;
    struct pollfd pfd;
    unsigned int num;
    char **ev;
    int rc = xs_ready(hv);

    if (rc)
        return rc;
    if (!h->watching) {
        if (!xs_watch(h->xs, "@releaseDomain", "xl-sriov"))
            return sriov__fail(hv->ctx, -errno, "cannot watch @releaseDomain: %s",
                               strerror(errno));
        h->watching = true;
    }
    pfd.fd = xs_fileno(h->xs);
    pfd.events = POLLIN;
    rc = poll(&pfd, 1, timeout_ms);
    if (rc < 0)
        return errno == EINTR ? 0 : -errno;
    if (rc == 0)
        return 0;
    ev = xs_read_watch(h->xs, &num);
    free(ev);
    return 1;
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
        xtl_logger_destroy((xentoollog_logger *)h->logger);
    free(h);
}

static const struct sriov_hv_ops libxl_ops = {
    .close = lx_close,
    .platform = lx_platform,
    .device_group = lx_device_group,
    .device_owner = lx_device_owner,
    .assignable_add = lx_assignable_add,
    .assignable_remove = lx_assignable_remove,
    .pci_add = lx_pci_add,
    .pci_remove = lx_pci_remove,
    .domain_by_uuid = lx_domain_by_uuid,
    .domain_by_name_or_id = lx_domain_by_name_or_id,
    .domain_list = lx_domain_list,
    .domain_create = lx_domain_create,
    .cpu_nodes = lx_cpu_nodes,
    .xs_write = lx_xs_write,
    .xs_rm = lx_xs_rm,
    .wait_release = lx_wait_release,
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
    /* libxl's own messages go to stderr like xl's; ours go through the context. */
    h->logger = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
    if (!h->logger || libxl_ctx_alloc(&h->lx, LIBXL_VERSION, 0, (xentoollog_logger *)h->logger)) {
        rc = sriov__fail(ctx, -ENXIO, "cannot talk to Xen through libxl (is this dom0 of a "
                         "running Xen, and are you root?)");
        goto out;
    }
    h->xch = xc_interface_open((xentoollog_logger *)h->logger, NULL, 0);
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
