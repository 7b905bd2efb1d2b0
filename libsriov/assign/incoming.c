/*
 * A domain arriving with VFs to give it (sriov.h: sriov_incoming_*): the
 * destination half of a migration, post-migrate, and restore.  Reservation
 * comes first (before the source lets go of anything, so that a destination
 * without a free VF refuses while the guest still has its own), the rest only
 * once the domain runs here: applying the VF's MAC earlier would put the guest's
 * MAC on two VFs of one PF during a migration within a host.  The reservations
 * belong to this process's owner lock (owner.c), so if it dies they are given
 * back by the next command or gc, whether the domain came or not.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "assign/moves.h"
#include "assign/records.h"
#include "assign/steps.h"
#include "config/vfreq.h"
#include "config/xlcfg.h"
#include "core/plan.h"
#include "core/statefile.h"
#include "hv/hv.h"

#define POLL_MS 100

struct sriov_incoming {
    struct sriov_ctx *ctx;
    struct sriov__dom_id dom;
    struct sriov__vf_req *reqs;
    size_t n;
    char (*vfs)[SRIOV_BDF_LEN];  /* reserved VF per request, "" once given back */
    bool *attached;
};

size_t sriov_incoming_vf_count(const struct sriov_incoming *inc) { return inc->n; }

const char *sriov_incoming_vf(const struct sriov_incoming *inc, size_t i)
{
    return i < inc->n ? inc->vfs[i] : NULL;
}

/* The record of a VF this process reserved, if it is still ours. */
static ssize_t ours(const struct sriov_incoming *inc, const struct sriov__recs *recs, size_t k)
{
    ssize_t i = inc->vfs[k][0] ? sriov__recs_find_vf(recs, inc->vfs[k]) : -1;

    if (i < 0 || recs->v[i].phase != SRIOV_PHASE_RESERVED ||
        strcmp(recs->v[i].owner_id, inc->ctx->owner_id))
        return -1;
    return i;
}

/* Give back every reservation not attached (a failed prepare, abort, free). */
static void give_back(struct sriov_incoming *inc)
{
    struct sriov_ctx *ctx = inc->ctx;
    struct sriov__saved_error first;
    struct sriov__recs recs = { 0 };
    struct sriov_hv *hv = NULL;
    int lockfd = -1;

    sriov__error_save(ctx, &first);
    if (sriov__hv(ctx, &hv) || sriov__recs_lock(ctx, &lockfd) ||
        sriov__recs_load(ctx, &recs)) {
        sriov__errlog(ctx, "%s: cannot give back its reserved VFs now (gc will): %s",
                      inc->dom.name, ctx->last_error);
        goto out;
    }
    for (size_t k = 0; k < inc->n; k++) {
        ssize_t i = inc->attached[k] ? -1 : ours(inc, &recs, k);
        if (i >= 0 && sriov__assign_release(ctx, hv, &recs, (size_t)i, true))
            sriov__errlog(ctx, "%s: %s", inc->dom.name, ctx->last_error);
        if (!inc->attached[k])
            inc->vfs[k][0] = '\0';
    }
out:
    sriov__recs_dispose(&recs);
    sriov__recs_unlock(ctx, lockfd);
    sriov__error_restore(ctx, &first);
}

void sriov_incoming_free(struct sriov_incoming *inc)
{
    if (!inc)
        return;
    give_back(inc);
    for (size_t k = 0; k < inc->n; k++)
        sriov__vf_req_dispose(&inc->reqs[k]);
    free(inc->reqs);
    free(inc->vfs);
    free(inc->attached);
    free(inc);
}

static int reserve_all(struct sriov_incoming *inc)
{
    struct sriov_ctx *ctx = inc->ctx;
    struct sriov__recs recs = { 0 };
    struct sriov_hv *hv = NULL;
    int lockfd = -1, rc;
    size_t i;

    rc = sriov__hv(ctx, &hv);
    if (!rc)
        rc = sriov__recs_lock(ctx, &lockfd);
    if (!rc)
        rc = sriov__recs_load(ctx, &recs);
    if (rc)
        goto out;
    sriov__recover_quietly(ctx, hv, &recs);
    for (size_t k = 0; !rc && k < inc->n; k++) {
        inc->dom.slot = (unsigned int)k;
        rc = sriov__assign_reserve(ctx, hv, &recs, &inc->dom, &inc->reqs[k], -1, 0, &i);
        if (!rc)
            snprintf(inc->vfs[k], SRIOV_BDF_LEN, "%s", recs.v[i].vf);
    }
out:
    sriov__recs_dispose(&recs);
    sriov__recs_unlock(ctx, lockfd);
    return rc;
}

int sriov_incoming_prepare(struct sriov_ctx *ctx, const char *domain_uuid, const char *name,
                           char *const *specs, size_t n_specs, struct sriov_incoming **ret)
{
    struct sriov_incoming *inc;
    int rc = 0;

    *ret = NULL;
    inc = calloc(1, sizeof(*inc));
    if (!inc)
        return -ENOMEM;
    inc->ctx = ctx;
    inc->n = n_specs;
    inc->reqs = calloc(n_specs + 1, sizeof(*inc->reqs));
    inc->vfs = calloc(n_specs + 1, sizeof(*inc->vfs));
    inc->attached = calloc(n_specs + 1, sizeof(*inc->attached));
    if (!inc->reqs || !inc->vfs || !inc->attached)
        rc = -ENOMEM;
    if (!rc && sriov__uuid_parse(domain_uuid, inc->dom.uuid))
        rc = sriov__fail(ctx, -EINVAL, "'%s' is not a domain UUID", domain_uuid);
    if (!rc)
        sriov__utf8_copy(inc->dom.name, sizeof(inc->dom.name), name);
    /* Every entry is checked before the first VF is reserved. */
    for (size_t k = 0; !rc && k < n_specs; k++)
        rc = sriov__vf_req_parse(ctx, specs[k], "the incoming domain's VFs", &inc->reqs[k]);
    if (!rc)
        rc = reserve_all(inc);
    if (rc) {
        sriov_incoming_free(inc);
        return rc;
    }
    *ret = inc;
    return 0;
}

/* While xl moves a domain it is "NAME--incoming" here (and, within one host, the
 * old one "NAME--migratedaway"): only the domain under its own name is there. */
static bool arrived(const struct sriov_hv_domain *d, const uint8_t uuid[16])
{
    const char *dash = strstr(d->name, "--");

    return !memcmp(d->uuid, uuid, 16) &&
           !(dash && (!strcmp(dash, "--incoming") || !strcmp(dash, "--migratedaway")));
}

static int wait_arrival(struct sriov_incoming *inc, struct sriov_hv *hv, int timeout_ms,
                        struct sriov_hv_domain *out)
{
    long deadline = sriov__now_ms() + timeout_ms;
    struct timespec pause = { 0, POLL_MS * 1000000L };

    if (sriov__dry_run(inc->ctx)) {
        /* Nothing moves in a dry run: the domain stands for itself. */
        sriov__plan(inc->ctx, "note", "wait until domain %s runs here under its own name",
                    inc->dom.name);
        memset(out, 0, sizeof(*out));
        memcpy(out->uuid, inc->dom.uuid, 16);
        snprintf(out->name, sizeof(out->name), "%s", inc->dom.name);
        return 0;
    }
    for (;;) {
        struct sriov_hv_domain *doms = NULL;
        size_t n = 0;
        int rc = hv->ops->domain_list(hv, &doms, &n);

        for (size_t i = 0; !rc && i < n; i++) {
            if (arrived(&doms[i], inc->dom.uuid)) {
                *out = doms[i];
                free(doms);
                return 0;
            }
        }
        free(doms);
        if (rc)
            return rc;
        if (timeout_ms >= 0 && sriov__now_ms() >= deadline)
            return sriov__fail(inc->ctx, -ETIMEDOUT, "domain %s did not arrive within %d ms",
                               inc->dom.name, timeout_ms);
        nanosleep(&pause, NULL);
    }
}

/* The VFs could not be given to the domain that arrived: if it arrived with
 * passthrough disabled (recreated from a configuration that does not set it,
 * e.g. xl restore CONFIG or an orchestrator's), libxl's "no IOMMU?" is not the
 * reason to tell.  Keeps the error as it is otherwise. */
static void explain_attach_failure(struct sriov_ctx *ctx, struct sriov_hv *hv,
                                   const struct sriov_hv_domain *hd, int err)
{
    struct sriov__saved_error why;
    bool kept = true;
    int r;

    sriov__error_save(ctx, &why);
    r = hv->ops->domain_passthrough(hv, hd, &kept);
    sriov__error_restore(ctx, &why);
    if (!r && !kept)
        sriov__fail(ctx, err, "%s arrived with passthrough disabled: the configuration it "
                    "was built from does not set passthrough=\"enabled\", so it can take "
                    "no VF (%s)", hd->name, why.msg);
}

int sriov_incoming_attach(struct sriov_ctx *ctx, struct sriov_incoming *inc, int timeout_ms,
                          unsigned int *attached)
{
    struct sriov__saved_error first = { "" };
    struct sriov__recs recs = { 0 };
    struct sriov_hv_domain hd;
    struct sriov_hv *hv = NULL;
    int lockfd = -1, rc, err = 0;

    if (attached)
        *attached = 0;
    rc = sriov__hv(ctx, &hv);
    if (!rc)
        rc = wait_arrival(inc, hv, timeout_ms, &hd);
    if (!rc)
        rc = sriov__recs_lock(ctx, &lockfd);
    if (!rc)
        rc = sriov__recs_load(ctx, &recs);
    if (rc)
        goto out;
    inc->dom.domid = hd.domid;
    snprintf(inc->dom.name, sizeof(inc->dom.name), "%s", hd.name);
    for (size_t k = 0; k < inc->n; k++) {
        ssize_t i;
        int r;

        if (inc->attached[k])
            continue;
        i = ours(inc, &recs, k);
        inc->dom.slot = (unsigned int)k;
        /* A reservation that is gone (given back by someone who thought us dead)
         * is a VF the domain does not get: say so, never skip it quietly. */
        r = i < 0 ? sriov__fail(ctx, -ENOENT, "%s: the VF reserved for '%s' (%s) is no longer "
                                "reserved", inc->dom.name, inc->reqs[k].spec,
                                inc->vfs[k][0] ? inc->vfs[k] : "none")
                  : sriov__assign_complete(ctx, hv, &recs, (size_t)i, &inc->dom, &inc->reqs[k],
                                           true);
        if (!r) {
            inc->attached[k] = true;
            if (attached)
                (*attached)++;
        } else if (!err) {
            err = r;
            sriov__error_save(ctx, &first);
        }
    }
    if (err) {
        rc = err;
        sriov__error_restore(ctx, &first);
        explain_attach_failure(ctx, hv, &hd, err);
    }
out:
    sriov__recs_dispose(&recs);
    sriov__recs_unlock(ctx, lockfd);
    return rc;
}

/* restore's CONFIG (xl restore [options] [CONFIG] FILE), checked before
 * anything happens: libxl builds the domain from it, so it must set passthrough
 * or the domain could take no VF, and xl gives the domain the UUID it names, a
 * new one if none.  xl then reads the text checked here, from pin (with the
 * saved UUID added if it names none: config/xlcfg_uuid.c). */
static int check_restore_config(struct sriov_ctx *ctx, const char *config,
                                const struct sriov_hv_domain *saved,
                                struct sriov__xlcfg_pinned *pin)
{
    struct sriov__xlcfg *c = NULL;
    const char *pt;
    bool kept = false;
    int rc = sriov__xlcfg_load(ctx, config, NULL, 0, &c);

    pt = rc ? NULL : sriov__xlcfg_string(c, "passthrough");
    if (!rc && sriov__xlcfg_passthrough(pt, &kept))
        rc = sriov__fail(ctx, -EINVAL, "%s line %d: unknown passthrough=\"%s\"", config,
                         sriov__xlcfg_line(c, "passthrough", -1, -1), pt);
    if (!rc && !kept)
        rc = sriov__fail(ctx, -EINVAL, "%s does not set passthrough=\"enabled\": %s, "
                         "restored from it without its VFs, would have passthrough disabled "
                         "and could take none of the VFs saved for it; nothing was restored",
                         config, saved->name);
    /* A dry run only checks: the copy is for the xl that runs. */
    if (!rc)
        rc = sriov__dry_run(ctx) ? sriov__xlcfg_uuid_check(ctx, c, saved->uuid, &pin->had_uuid)
                                 : sriov__xlcfg_pin(ctx, c, saved->uuid, pin);
    sriov__xlcfg_free(c);
    return rc;
}

/* xl restore's operands, [CONFIG] FILE, as its getopt finds them: its options
 * take no value and may come anywhere before "--".  *config is -1 if there is
 * none; -EINVAL unless there are one or two. */
static int restore_operands(struct sriov_ctx *ctx, char *const *args, size_t n_args,
                            ssize_t *config, size_t *file)
{
    size_t ops[2], n = 0;
    bool options = true;

    for (size_t i = 0; i < n_args; i++) {
        if (options && !strcmp(args[i], "--"))
            options = false;
        else if (options && args[i][0] == '-' && args[i][1])
            continue;
        else if (n++ < 2)
            ops[n - 1] = i;
    }
    if (n < 1 || n > 2)
        return sriov__fail(ctx, -EINVAL, "restore: expected [CONFIG] FILE, got %zu operands", n);
    *config = n == 2 ? (ssize_t)ops[0] : -1;
    *file = ops[n - 1];
    return 0;
}

/* `xl restore ARGS`, with CONFIG (args[config], if any) replaced by pin's
 * copy of it as checked. */
static int run_restore(struct sriov_ctx *ctx, struct sriov_hv *hv, char *const *args,
                       size_t n_args, ssize_t config, const struct sriov__xlcfg_pinned *pin,
                       struct sriov_hv_domain *hd)
{
    char **copy = NULL;
    int rc;

    if (config >= 0 && sriov__dry_run(ctx))
        sriov__plan(ctx, "note", "xl reads %s as checked, from a copy%s", args[config],
                    pin->had_uuid ? "" : " that sets the saved domain's UUID");
    if (config < 0 || sriov__dry_run(ctx))
        return hv->ops->domain_restore(hv, args, n_args, hd);
    rc = sriov__xlcfg_pin_arg(pin, args, n_args, (size_t)config, &copy);
    if (rc)
        return rc;
    rc = hv->ops->domain_restore(hv, copy, n_args, hd);
    free(copy);
    return rc;
}

int sriov_domain_restore(struct sriov_ctx *ctx, char *const *args, size_t n_args,
                         char **uuid_out, unsigned int *attached)
{
    struct sriov_incoming *inc = NULL;
    struct sriov_hv_domain saved, hd;
    struct sriov_hv *hv = NULL;
    struct sriov__move j = { 0 };
    struct sriov__xlcfg_pinned pin = { .fd = -1 };
    char uuid[SRIOV_UUID_STR_LEN];
    ssize_t config = -1;
    size_t file = 0;
    int lockfd = -1, rc;

    *uuid_out = NULL;
    if (attached)
        *attached = 0;
    rc = restore_operands(ctx, args, n_args, &config, &file);
    /* Which domain the file holds is read before it is restored: its VFs are
     * recorded under the UUID saved in it, and a CONFIG must keep that one. */
    if (!rc)
        rc = sriov__hv(ctx, &hv);
    if (!rc)
        rc = hv->ops->saved_domain(hv, args[file], &saved);
    if (rc)
        return rc;
    sriov__uuid_format(saved.uuid, uuid);
    rc = sriov__move_load(ctx, uuid, &j);
    if (rc == -ENOENT) { /* saved without VFs, or by plain xl save */
        rc = hv->ops->domain_restore(hv, args, n_args, &hd);
        if (!rc && !sriov__dry_run(ctx))
            sriov__uuid_format(hd.uuid, uuid);
        if (!rc && !(*uuid_out = strdup(uuid)))
            rc = -ENOMEM;
        return rc;
    }
    if (!rc && j.phase != SRIOV_MOVE_SAVED)
        rc = sriov__fail(ctx, -EBUSY, "%s (%s): its journal says %s, not saved (a move "
                         "still under way, or cut short: xl-sriov gc finishes or undoes "
                         "one whose process is gone); nothing was restored", j.name, uuid,
                         sriov__move_phase_name(j.phase));
    if (!rc && config >= 0)
        rc = check_restore_config(ctx, args[config], &saved, &pin);
    if (!rc)
        rc = run_restore(ctx, hv, args, n_args, config, &pin, &hd);
    if (pin.path)
        sriov__xlcfg_pinned_dispose(&pin);
    if (rc) {
        sriov__move_dispose(&j);
        return rc;
    }
    if (sriov__dry_run(ctx))
        hd = saved;
    if (!(*uuid_out = strdup(uuid))) {
        sriov__move_dispose(&j);
        return -ENOMEM;
    }
    if (memcmp(hd.uuid, saved.uuid, 16)) {
        char got[SRIOV_UUID_STR_LEN];

        sriov__uuid_format(hd.uuid, got);
        memcpy(*uuid_out, got, sizeof(got));
        rc = sriov__fail(ctx, -EIO, "%s came back as UUID %s, not the saved %s: the VFs "
                         "saved for it stay kept for that UUID", hd.name, got, uuid);
        sriov__move_dispose(&j);
        return rc;
    }
    rc = sriov_incoming_prepare(ctx, uuid, hd.name, j.specs, j.n_specs, &inc);
    if (!rc)
        rc = sriov_incoming_attach(ctx, inc, 0, attached);
    sriov_incoming_free(inc);
    /* The save is used up: the domain runs, with its VFs or (reported) on netfront.
     * Its VFs, if it has them again, take over the journal's duties (those it
     * has on disk now: forget reads them). */
    if (!sriov__recs_lock(ctx, &lockfd)) {
        struct sriov__recs recs = { 0 };
        struct sriov__saved_error keep;
        int r;

        sriov__error_save(ctx, &keep);
        r = sriov__recs_load(ctx, &recs);
        if (!r)
            r = sriov__move_forget(ctx, &recs, &j);
        if (r)
            sriov__errlog(ctx, "%s: its move journal stays (gc ends it): %s", uuid,
                          ctx->last_error);
        sriov__error_restore(ctx, &keep);
        sriov__recs_dispose(&recs);
        sriov__recs_unlock(ctx, lockfd);
    }
    sriov__move_dispose(&j);
    return rc;
}

int sriov_domain_uuid(struct sriov_ctx *ctx, const char *domain, char *buf, size_t len)
{
    struct sriov_hv_domain hd;
    struct sriov_hv *hv = NULL;
    char uuid[SRIOV_UUID_STR_LEN];
    int rc;

    rc = sriov__hv(ctx, &hv);
    if (!rc)
        rc = hv->ops->domain_by_name_or_id(hv, domain, &hd);
    if (rc == -ENOENT)
        return sriov__fail(ctx, rc, "%s: no such domain", domain);
    if (rc)
        return rc;
    sriov__uuid_format(hd.uuid, uuid);
    if ((size_t)snprintf(buf, len, "%s", uuid) >= len)
        return sriov__fail(ctx, -ENOSPC, "no room for a UUID");
    return 0;
}
