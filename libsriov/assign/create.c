/*
 * `xl-sriov create CFG [ARGS]`: read CFG as xl would (with the KEY=VALUE
 * overrides), prepare a VF for every vf= entry, then `xl create` with the VFs
 * merged into pci= and the domain's UUID fixed beforehand, so that the VFs are
 * recorded by UUID before the domain exists.  If xl create fails, every VF is
 * given back.  Guests also get passthrough="enabled" (PV ones e820_host=1 too)
 * unless the config says otherwise, which is reported, or libxl would refuse it
 * (passthrough_settings): libxl keeps the config as given, so a domain that had
 * only the VFs' pci= to imply passthrough comes back from a migration, save or
 * restore with passthrough disabled, and can no longer take a VF; and without
 * e820_host pcifront cannot map one attached later.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "assign/records.h"
#include "assign/steps.h"
#include "config/vfreq.h"
#include "config/xlcfg.h"
#include "core/statefile.h"
#include "hv/hv.h"
#include "hv/holders.h"

struct plan {
    struct sriov__vf_req *reqs;
    size_t n;
    char **vfs;                  /* prepared VFs, in entry order */
    size_t n_vfs;
    char **args;                 /* overrides handed to xl create */
    size_t n_args;
};

static void plan_dispose(struct plan *p)
{
    for (size_t i = 0; i < p->n; i++)
        sriov__vf_req_dispose(&p->reqs[i]);
    free(p->reqs);
    sriov__strv_free(p->vfs, p->n_vfs);
    sriov__strv_free(p->args, p->n_args);
}

/* The NUMA node all of the domain's vCPUs are pinned to (cpus="2-3,6"), or -1. */
static int preferred_node(struct sriov_hv *hv, const struct sriov__xlcfg *c)
{
    const char *cpus = sriov__xlcfg_string(c, "cpus");
    int *nodes = NULL, node = -1, found = -1;
    size_t n = 0;
    const char *p;

    if (!cpus || hv->ops->cpu_nodes(hv, &nodes, &n))
        return -1;
    for (p = cpus; *p;) {
        char *end;
        long a = strtol(p, &end, 10), b = a;
        if (end == p)
            goto out;
        if (*end == '-')
            b = strtol(end + 1, &end, 10);
        for (long cpu = a; cpu <= b; cpu++) {
            if (cpu < 0 || (size_t)cpu >= n || (node >= 0 && nodes[cpu] != node))
                goto out;
            node = nodes[cpu];
        }
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            goto out;
    }
    found = node;
out:
    free(nodes);
    return found;
}

static int parse_entries(struct sriov_ctx *ctx, const struct sriov__xlcfg *c, struct plan *p)
{
    const char *path = sriov__xlcfg_path(c);
    int n = sriov__xlcfg_list_count(c, "vf"), rc;

    if (n == -ENOENT)
        return 0;
    if (n < 0)
        return sriov__fail(ctx, -EINVAL, "%s line %d: vf= must be a list", path,
                           sriov__xlcfg_line(c, "vf", -1, -1));
    p->reqs = calloc((size_t)n + 1, sizeof(*p->reqs));
    if (!p->reqs)
        return -ENOMEM;
    for (size_t i = 0; i < (size_t)n; i++) {
        const char *spec = sriov__xlcfg_list_item(c, "vf", i);
        char where[300];
        if (!spec)
            return sriov__fail(ctx, -EINVAL, "%s line %d: vf entry %zu is not a string", path,
                               sriov__xlcfg_line(c, "vf", (int)i, -1), i + 1);
        snprintf(where, sizeof(where), "%s line %d: vf entry %zu", path,
                 sriov__xlcfg_line(c, "vf", (int)i, -1), i + 1);
        rc = sriov__vf_req_parse(ctx, spec, where, &p->reqs[i]);
        if (rc)
            return rc;
        p->n++;
    }
    return 0;
}

/* What a domain needs to take VFs attached later, also after it moved.  Errors
 * if the config forbids VFs.  Not where libxl 4.17 refuses passthrough: PVH
 * guests, a host without an IOMMU (vf= entries are refused there by the
 * isolation checks; vf_optional ones fall back to a create without them), and
 * HVM guests with populate-on-demand memory (maxmem above memory). */
static int passthrough_settings(struct sriov_ctx *ctx, struct sriov_hv *hv,
                                const struct sriov__xlcfg *c, struct plan *p)
{
    const char *type = sriov__xlcfg_string(c, "type");
    const char *builder = sriov__xlcfg_string(c, "builder");
    const char *pt = sriov__xlcfg_string(c, "passthrough");
    struct sriov_hv_platform plat;
    long e820 = -1, mem = 0, maxmem = 0;
    bool set = false, pv;
    int rc;

    if (sriov__xlcfg_passthrough(pt, &set))
        return sriov__fail(ctx, -EINVAL, "%s line %d: unknown passthrough=\"%s\"",
                           sriov__xlcfg_path(c), sriov__xlcfg_line(c, "passthrough", -1, -1),
                           pt);
    if (pt && !set && strcasecmp(pt, "default") != 0)            /* disabled */
        return p->n ? sriov__fail(ctx, -EINVAL,
                                  "%s: passthrough=\"disabled\" forbids the vf= devices",
                                  sriov__xlcfg_path(c))
                    : 0;
    if (type && !strcasecmp(type, "pvh"))
        return p->n ? sriov__fail(ctx, -EINVAL, "%s: PVH guests cannot take VFs (libxl 4.17 "
                                  "has no passthrough for them); use type=\"hvm\"",
                                  sriov__xlcfg_path(c))
                    : 0;
    pv = type ? !strcasecmp(type, "pv") : !(builder && !strcmp(builder, "hvm"));
    if (!set) {
        rc = hv->ops->platform(hv, &plat);
        if (rc)
            return sriov__fail(ctx, rc, "cannot tell whether the host has an IOMMU, which "
                               "passthrough needs: %s", ctx->last_error);
        if (!plat.iommu_enabled) {
            sriov__info(ctx, "%s: no IOMMU: passthrough not set, the domain cannot take VFs",
                        sriov__xlcfg_path(c));
            return 0;
        }
        if (!pv && sriov__xlcfg_long(c, "memory", &mem) == 0 &&
            sriov__xlcfg_long(c, "maxmem", &maxmem) == 0 && maxmem > mem) {
            if (p->n)
                return sriov__fail(ctx, -EINVAL, "%s: maxmem above memory (populate-on-demand): "
                                   "libxl allows no passthrough with it, so no VFs; set maxmem "
                                   "to memory", sriov__xlcfg_path(c));
            sriov__warn(ctx, "%s: maxmem above memory (populate-on-demand): libxl allows no "
                        "passthrough with it, so this domain cannot take VFs",
                        sriov__xlcfg_path(c));
            return 0;
        }
        rc = sriov__strv_push(&p->args, &p->n_args, strdup("passthrough=\"enabled\""));
        if (rc)
            return rc;
    }
    if (!pv)
        return 0;                /* e820_host is PV's */
    if (sriov__xlcfg_long(c, "e820_host", &e820) == 0) {
        if (!e820)
            sriov__warn(ctx, "%s: e820_host=0: pcifront cannot map VF BARs, so VFs cannot "
                        "be attached to this PV guest at run time or after a restore",
                        sriov__xlcfg_path(c));
        return 0;
    }
    return sriov__strv_push(&p->args, &p->n_args, strdup("e820_host=1"));
}

/* Append sep and then item as an xl string to the text *s of length *len: in
 * double quotes, with '"' and '\\' escaped (libxlutil's lexer takes backslash
 * escapes in both kinds of quotes).  No xl string can hold a line break: -EINVAL. */
static int append_quoted(char **s, size_t *len, const char *sep, const char *item)
{
    char *n;

    if (strpbrk(item, "\n\r"))
        return -EINVAL;
    n = realloc(*s, *len + strlen(sep) + 2 * strlen(item) + 3);
    if (!n)
        return -ENOMEM;
    *s = n;
    n += *len;
    n = stpcpy(n, sep);
    *n++ = '"';
    for (const char *p = item; *p; p++) {
        if (*p == '"' || *p == '\\')
            *n++ = '\\';
        *n++ = *p;
    }
    *n++ = '"';
    *n = '\0';
    *len = (size_t)(n - *s);
    return 0;
}

/* pci=[...] with the config's own entries followed by the VFs.  Like xl, the
 * config's entries end at the first one that is not a string.  libxlutil hands
 * the entries back unquoted, so each is quoted again for the override line: an
 * entry holding a quote must come out as the same entry. */
static int pci_override(struct sriov_ctx *ctx, const struct sriov__xlcfg *c, struct plan *p)
{
    const char *item;
    char *s = strdup("pci=["), *vf = NULL, *n;
    size_t len = 5, k = 0;
    int rc = s ? 0 : -ENOMEM;

    for (; !rc && (item = sriov__xlcfg_list_item(c, "pci", k)); k++) {
        rc = append_quoted(&s, &len, k ? "," : "", item);
        if (rc == -EINVAL)
            rc = sriov__fail(ctx, rc, "%s line %d: pci entry %zu holds a line break",
                             sriov__xlcfg_path(c), sriov__xlcfg_line(c, "pci", (int)k, -1),
                             k + 1);
    }
    for (size_t i = 0; !rc && i < p->n_vfs; i++) {
        vf = sriov__asprintf("%s%s%s", p->vfs[i], p->reqs[i].pci_opts ? "," : "",
                             p->reqs[i].pci_opts ? p->reqs[i].pci_opts : "");
        rc = vf ? append_quoted(&s, &len, k || i ? "," : "", vf) : -ENOMEM;
        free(vf);
    }
    if (!rc) {
        n = realloc(s, len + 2);
        rc = n ? 0 : -ENOMEM;
        if (n)
            s = strcat(n, "]");
    }
    if (!rc) {
        rc = sriov__strv_push(&p->args, &p->n_args, s);
        s = NULL;
    }
    free(s);
    return rc;
}

/* The records, under the assignments lock; recs_close() them whatever recs_open()
 * returned. */
static int recs_open(struct sriov_ctx *ctx, int *lockfd, struct sriov__recs *recs)
{
    int rc = sriov__recs_lock(ctx, lockfd);

    return rc ? rc : sriov__recs_load(ctx, recs);
}

static void recs_close(struct sriov_ctx *ctx, int lockfd, struct sriov__recs *recs)
{
    sriov__recs_dispose(recs);
    sriov__recs_unlock(ctx, lockfd);
}

/* Give back every VF of the plan (after a failed prepare or xl create). */
static void release_all(struct sriov_ctx *ctx, struct sriov_hv *hv, struct plan *p)
{
    struct sriov__saved_error first;
    struct sriov__recs recs = { 0 };
    int lockfd = -1;

    sriov__error_save(ctx, &first);
    if (recs_open(ctx, &lockfd, &recs))
        goto out;
    for (size_t k = p->n_vfs; k-- > 0;) {
        ssize_t i = sriov__recs_find_vf(&recs, p->vfs[k]);
        if (i >= 0 && sriov__assign_release(ctx, hv, &recs, (size_t)i, true))
            sriov__errlog(ctx, "rollback: %s", ctx->last_error);
    }
out:
    recs_close(ctx, lockfd, &recs);
    sriov__error_restore(ctx, &first);
}

static int prepare_all(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__dom_id *dom,
                       int node, unsigned int flags, const struct sriov__xlcfg *c,
                       struct plan *p)
{
    struct sriov__recs recs = { 0 };
    int lockfd = -1, rc;

    rc = recs_open(ctx, &lockfd, &recs);
    if (!rc && p->n)
        sriov__recover_quietly(ctx, hv, &recs); /* VFs a dead process held become free */
    for (size_t k = 0; !rc && k < p->n; k++) {
        size_t i;
        dom->slot = (unsigned int)k;
        sriov__progress(ctx, k, p->n, "%s: preparing its VFs", dom->name);
        rc = sriov__assign_prepare(ctx, hv, &recs, dom, &p->reqs[k], node, flags, false, &i);
        if (rc) {
            char why[SRIOV_ERR_LEN];
            snprintf(why, sizeof(why), "%s", ctx->last_error);
            rc = sriov__fail(ctx, rc, "%s line %d: vf entry %zu: %s",
                             sriov__xlcfg_path(c),
                             sriov__xlcfg_line(c, "vf", (int)k, -1), k + 1, why);
        }
        if (!rc)
            rc = sriov__strv_push(&p->vfs, &p->n_vfs, strdup(recs.v[i].vf));
    }
    if (!rc && p->n)
        sriov__progress(ctx, p->n, p->n, "%s: preparing its VFs", dom->name);
    recs_close(ctx, lockfd, &recs);
    return rc;
}

static int commit_all(struct sriov_ctx *ctx, struct sriov_hv *hv,
                      const struct sriov_hv_domain *dom, struct plan *p)
{
    struct sriov__recs recs = { 0 };
    int lockfd = -1, rc;

    rc = recs_open(ctx, &lockfd, &recs);
    for (size_t k = 0; !rc && k < p->n_vfs; k++) {
        ssize_t i = sriov__recs_find_vf(&recs, p->vfs[k]);
        rc = i < 0 ? sriov__fail(ctx, -ENOENT, "%s: its reservation disappeared", p->vfs[k])
                   : sriov__assign_commit(ctx, hv, &recs, (size_t)i, dom);
    }
    recs_close(ctx, lockfd, &recs);
    return rc;
}

/* vf_optional = 1: start the domain without its VFs rather than not at all. */
static bool vfs_optional(const struct sriov__xlcfg *c)
{
    long v = 0;

    return sriov__xlcfg_long(c, "vf_optional", &v) == 0 && v == 1;
}

int sriov_domain_create(struct sriov_ctx *ctx, const char *cfg_path, char *const *args,
                        size_t n_args, unsigned int flags, char **uuid_out)
{
    struct sriov__xlcfg *c = NULL;
    struct plan p = { 0 };
    struct sriov__dom_id dom = { 0 };
    struct sriov_hv_domain created;
    struct sriov_hv *hv = NULL;
    char uuid[SRIOV_UUID_STR_LEN], **all = NULL;
    const char *s;
    size_t n_all = 0;
    int node, rc;

    *uuid_out = NULL;
    rc = sriov__hv(ctx, &hv);
    if (!rc)
        rc = sriov__xlcfg_load(ctx, cfg_path, args, n_args, &c);
    if (rc)
        goto out;
    s = sriov__xlcfg_string(c, "name");
    if (!s || !*s) {
        rc = sriov__fail(ctx, -EINVAL, "%s: the domain has no name=", cfg_path);
        goto out;
    }
    /* A longer name is cut at a character boundary: the record must stay valid text. */
    sriov__utf8_copy(dom.name, sizeof(dom.name), s);
    s = sriov__xlcfg_string(c, "uuid");
    rc = s ? sriov__uuid_parse(s, dom.uuid) : sriov__uuid_generate(dom.uuid);
    if (rc) {
        rc = sriov__fail(ctx, -EINVAL, "%s: bad uuid \"%s\"", cfg_path, s ? s : "");
        goto out;
    }
    sriov__uuid_format(dom.uuid, uuid);
    rc = parse_entries(ctx, c, &p);
    if (!rc)
        rc = passthrough_settings(ctx, hv, c, &p);
    if (rc)
        goto out;
    node = preferred_node(hv, c);
    rc = prepare_all(ctx, hv, &dom, node, flags, c, &p);
    if (rc) {
        release_all(ctx, hv, &p);
        if (!vfs_optional(c))
            goto out;
        /* The config asks for the guest to run even without its VFs (a host
         * booting with a VF gone bad must still bring up the guest). */
        sriov__warn(ctx, "%s: starting %s without its VFs (vf_optional = 1): %s", cfg_path,
                    dom.name, ctx->last_error);
        sriov__strv_free(p.vfs, p.n_vfs);
        p.vfs = NULL;
        p.n_vfs = 0;
        rc = 0;
    }
    rc = pci_override(ctx, c, &p);
    if (!rc)
        rc = sriov__strv_push(&p.args, &p.n_args, sriov__asprintf("uuid=\"%s\"", uuid));
    for (size_t i = 0; !rc && i < n_args; i++)
        rc = sriov__strv_push(&all, &n_all, strdup(args[i]));
    for (size_t i = 0; !rc && i < p.n_args; i++)
        rc = sriov__strv_push(&all, &n_all, strdup(p.args[i]));
    if (rc) {
        release_all(ctx, hv, &p);
        goto out;
    }
    for (size_t i = 0; i < p.n_args; i++)
        sriov__info(ctx, "xl create %s: %s", cfg_path, p.args[i]);
    rc = hv->ops->domain_create(hv, cfg_path, all, n_all, dom.uuid, &created);
    sriov__holders_stale(ctx); /* a new domain, holding devices (hv/holders.h) */
    if (rc) {
        rc = sriov__fail(ctx, rc, "xl create %s failed, VFs given back: %s", cfg_path,
                         ctx->last_error);
        release_all(ctx, hv, &p);
        goto out;
    }
    if (!created.name[0]) /* a dry run's domain, not created */
        snprintf(created.name, sizeof(created.name), "%s", dom.name);
    rc = commit_all(ctx, hv, &created, &p);
    if (rc) {
        /* The domain runs with its VFs: taking them away now would pull devices from
         * under a guest.  The records stay (reserved); gc gives the VFs back once the
         * domain is destroyed. */
        rc = sriov__fail(ctx, rc, "domain %s (%s) was created with its VFs, but recording "
                         "them failed; they are returned by 'xl-sriov gc' after the domain "
                         "is destroyed: %s", dom.name, uuid, ctx->last_error);
        goto out;
    }
    *uuid_out = strdup(uuid);
    rc = *uuid_out ? 0 : -ENOMEM;
out:
    sriov__timing_report(ctx, rc ? "create (failed)" : "create");
    sriov__strv_free(all, n_all);
    plan_dispose(&p);
    sriov__xlcfg_free(c);
    return rc;
}
