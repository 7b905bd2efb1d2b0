/*
 * Host start-up (sriov_boot, sriov.h): the VF counts sriov.cfg declares, then
 * the guests of the autostart folders that have vf= entries, each with its VFs.
 * Debian's xendomains, which starts /etc/xen/auto with plain `xl create`,
 * skips a domain that already runs, so running this before it gives those
 * guests their VFs and leaves the rest to xendomains.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "config/network.h"
#include "config/xlcfg.h"
#include "core/report.h"
#include "hv/hv.h"

/* Every PF of a network that says numvfs= gets that many VFs, unless it has some. */
static int apply_vf_counts(struct sriov_ctx *ctx, struct sriov_report *report, int *first)
{
    const struct sriov_netcfg *nc;
    int rc = sriov__netcfg_load(ctx);

    if (!rc)
        rc = sriov__netcfg_resolve(ctx);
    if (rc)
        return rc;
    nc = ctx->netcfg;
    for (size_t i = 0; !rc && nc && i < nc->n; i++) {
        const struct sriov_network *net = &nc->v[i];
        for (size_t k = 0; !rc && net->numvfs_line && k < net->n_pfs; k++) {
            struct sriov_pf *pf = NULL;
            unsigned int want = net->numvfs;
            int r;
            if (!net->pf_bdfs[k][0] || sriov_pf_find(ctx, net->pf_bdfs[k], &pf)) {
                rc = sriov__report_add(report, "failed", net->pfs[k], "network %s: no such PF "
                                       "on this host", net->name);
                *first = *first ? *first : -ENODEV;
                continue;
            }
            if (sriov_pf_numvfs(pf))
                continue;
            r = sriov_pf_set_numvfs(ctx, pf, want, 0);
            rc = r ? sriov__report_add(report, "failed", net->pf_bdfs[k], "%s",
                                       sriov_ctx_last_error(ctx))
                   : sriov__report_add(report, "enabled", net->pf_bdfs[k],
                                       "%u VFs for network %s", want, net->name);
            *first = *first ? *first : r;
        }
    }
    return rc;
}

static bool has_vf_entries(struct sriov_ctx *ctx, const char *path, char *name, size_t len)
{
    struct sriov__xlcfg *c = NULL;
    const char *s;
    bool yes = false;

    if (sriov__xlcfg_load(ctx, path, NULL, 0, &c))
        return false;
    s = sriov__xlcfg_string(c, "name");
    if (s && *s && sriov__xlcfg_list_count(c, "vf") > 0) {
        snprintf(name, len, "%s", s);
        yes = true;
    }
    sriov__xlcfg_free(c);
    return yes;
}

/* One guest: started with its VFs, or why not. */
static int start_guest(struct sriov_ctx *ctx, const char *path, struct sriov_report *report,
                       int *first)
{
    struct sriov_hv_domain dom;
    struct sriov_hv *hv = NULL;
    char name[256], *uuid = NULL;
    int r;

    if (!has_vf_entries(ctx, path, name, sizeof(name)))
        return 0; /* no vf=, or unreadable: xendomains' to start and to complain about */
    r = sriov__hv(ctx, &hv); /* only now: a host without vf= guests needs no Xen here */
    if (r)
        return r;
    if (hv->ops->domain_by_name_or_id(hv, name, &dom) == 0)
        return sriov__report_add(report, "running", path, "domain %s already runs", name);
    r = sriov_domain_create(ctx, path, NULL, 0, 0, &uuid);
    if (r) {
        *first = *first ? *first : r;
        return sriov__report_add(report, "failed", path, "%s", sriov_ctx_last_error(ctx));
    }
    r = sriov__report_add(report, "started", path, "domain %s (%s)", name, uuid);
    free(uuid);
    return r;
}

static int start_folder(struct sriov_ctx *ctx, const char *dir, struct sriov_report *report,
                        int *first)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort), rc = 0;

    if (n < 0) {
        /* One folder that cannot be read (not a folder, no access) is one failed
         * item: the other folders are still tried, the report still returned. */
        int err = errno;
        if (err == ENOENT)
            return 0;
        *first = *first ? *first : -err;
        return sriov__report_add(report, "failed", dir, "cannot read the folder: %s",
                                 strerror(err));
    }
    /* In name order, as xendomains goes through its folder. */
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX];
        struct stat st;
        if (!rc && names[i]->d_name[0] != '.' &&
            (size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) < sizeof(path) &&
            stat(path, &st) == 0 && S_ISREG(st.st_mode))
            rc = start_guest(ctx, path, report, first);
        free(names[i]);
    }
    free(names);
    return rc;
}

int sriov_boot(struct sriov_ctx *ctx, const char *const *dirs, size_t n_dirs,
               struct sriov_report **ret)
{
    struct sriov_report *report = NULL;
    int rc, first = 0;

    *ret = NULL;
    rc = sriov__report_new(&report);
    if (!rc)
        rc = apply_vf_counts(ctx, report, &first);
    for (size_t i = 0; !rc && i < n_dirs; i++)
        rc = start_folder(ctx, dirs[i], report, &first);
    *ret = report; /* also on failure: what was done already is in it (sriov.h) */
    if (rc)
        return rc;
    if (first)
        return sriov__fail(ctx, first, "some of the host's VFs or guests could not be set up "
                           "(see the report)");
    return 0;
}
