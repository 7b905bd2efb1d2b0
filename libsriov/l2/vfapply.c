/*
 * Reading, applying and restoring a VF's network settings.  Apply is
 * prepare/commit/rollback: validate everything, save the original settings
 * once, change one kind of setting at a time, and on failure put back what
 * was changed, in reverse order.  A per-PF lock keeps two tools from
 * interleaving their save and change steps.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "core/plan.h"
#include "core/statefile.h"
#include "l2/l2.h"
#include "l2/nl.h"

#define VLAN_GROUP (SRIOV_VF_VLAN | SRIOV_VF_QOS | SRIOV_VF_VLAN_PROTO)
#define RATE_GROUP (SRIOV_VF_MIN_TX_RATE | SRIOV_VF_MAX_TX_RATE)

/* The order settings are changed in; each is one rtnetlink request. */
static const unsigned int groups[] = {
    SRIOV_VF_MAC, SRIOV_VF_VLAN, SRIOV_VF_MAX_TX_RATE, SRIOV_VF_SPOOFCHK,
    SRIOV_VF_TRUST, SRIOV_VF_LINK_STATE, SRIOV_VF_QUERY_RSS,
};
#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

static unsigned int group_fields(unsigned int group)
{
    return group == SRIOV_VF_VLAN ? VLAN_GROUP : group == SRIOV_VF_MAX_TX_RATE ? RATE_GROUP
                                                                              : group;
}

static const char *group_name(unsigned int group, const struct sriov_vf_config *want)
{
    if (group == SRIOV_VF_VLAN)
        return want->vlan_proto == 0x88a8 ? "vlan (802.1ad)" : "vlan";
    if (group == SRIOV_VF_MAX_TX_RATE)
        return "rate";
    return sriov_vf_field_key(group);
}

static bool group_equal(unsigned int group, const struct sriov_vf_config *a,
                        const struct sriov_vf_config *b)
{
    switch (group) {
    case SRIOV_VF_MAC: return !memcmp(a->mac, b->mac, 6);
    case SRIOV_VF_VLAN:
        return a->vlan == b->vlan && a->qos == b->qos && a->vlan_proto == b->vlan_proto;
    case SRIOV_VF_MAX_TX_RATE:
        return a->min_tx_rate == b->min_tx_rate && a->max_tx_rate == b->max_tx_rate;
    case SRIOV_VF_SPOOFCHK: return a->spoofchk == b->spoofchk;
    case SRIOV_VF_TRUST: return a->trust == b->trust;
    case SRIOV_VF_LINK_STATE: return a->link_state == b->link_state;
    default: return a->query_rss == b->query_rss;
    }
}

/* The current settings of one VF, or why there are none. */
static int read_vf(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref,
                   struct sriov_vf_config *cfg, bool *readable)
{
    struct sriov__vf_list list;
    int rc;

    sriov_vf_config_init(cfg);
    *readable = false;
    rc = sriov__nl_vf_list(ctx, ref->pf_ifname, &list);
    if (rc)
        return rc;
    if (ref->index >= list.num_vfs && sriov__dry_run(ctx)) {
        /* The dry run's VF comes with the VFs it would enable: as the kernel makes it. */
        sriov__vf_config_fresh(cfg);
        *readable = true;
        goto out;
    }
    if (ref->index >= list.num_vfs) {
        rc = sriov__fail(ctx, -ENOENT, "%s/vf%u: %s has %u VFs", ref->pf_ifname, ref->index,
                         ref->pf_ifname, list.num_vfs);
        goto out;
    }
    *readable = list.readable[ref->index];
    if (*readable)
        *cfg = list.cfgs[ref->index];
    else if (list.n_read < list.num_vfs && list.n_read > 0)
        rc = sriov__fail(ctx, -ENODATA,
                         "%s/vf%u: not readable: the kernel truncated the VF list at %u VFs",
                         ref->pf_ifname, ref->index, list.n_read);
    else
        rc = sriov__fail(ctx, -ENODATA, "%s/vf%u: not readable: the kernel reported no settings",
                         ref->pf_ifname, ref->index);
out:
    sriov__vf_list_dispose(&list);
    return rc;
}

int sriov_vf_config_get(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref,
                        struct sriov_vf_config *cfg)
{
    bool readable;

    return read_vf(ctx, ref, cfg, &readable);
}

/* Why a setting failed, in words that name the setting and the driver. */
static int set_failed(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref, const char *what,
                      int rc)
{
    char driver[64];

    sriov__netdev_driver(ctx, ref->pf_ifname, driver, sizeof(driver));
    if (rc == -EOPNOTSUPP || rc == -EPROTONOSUPPORT)
        return sriov__fail(ctx, rc, "%s/vf%u: setting %s is not supported by %s",
                           ref->pf_ifname, ref->index, what, driver);
    return sriov__fail(ctx, rc, "%s/vf%u: cannot set %s: %s (driver %s)", ref->pf_ifname,
                       ref->index, what, strerror(-rc), driver);
}

/* Where the VF's record is, and the per-PF lock held while reading or changing it. */
static int lock_pf(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref, char *path, size_t len,
                   int *fd)
{
    char name[64];
    int rc = sriov__vf_record_path(ctx, ref, path, len);

    if (rc)
        return rc;
    snprintf(name, sizeof(name), "vf-config-%s", ref->pf_bdf[0] ? ref->pf_bdf : ref->pf_ifname);
    return sriov__lock(ctx, name, fd);
}

/* What the VF should look like: the current settings with cfg laid over them. */
static void merge(const struct sriov_vf_config *cur, const struct sriov_vf_config *cfg,
                  struct sriov_vf_config *want)
{
    *want = *cur;
    sriov__vf_config_overlay(want, cfg);
    if (cfg->present & SRIOV_VF_VLAN) {
        /* Like `ip link ... vlan N`: an omitted qos is 0, an omitted protocol 802.1Q. */
        if (!(cfg->present & SRIOV_VF_QOS))
            want->qos = 0;
        if (!(cfg->present & SRIOV_VF_VLAN_PROTO))
            want->vlan_proto = 0x8100;
    }
}

/* Put back the groups done, last first; drop a record this apply created once
 * every one is back. */
static void roll_back(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref,
                      const struct sriov_vf_config *cur, const unsigned int *done, size_t n_done,
                      bool created)
{
    bool clean = true;

    while (n_done > 0) {
        unsigned int g = done[--n_done];
        int r = sriov__nl_vf_set(ctx, ref->pf_ifname, ref->index, g, cur);
        if (r) {
            clean = false;
            sriov__errlog(ctx, "%s/vf%u: could not put %s back: %s", ref->pf_ifname,
                          ref->index, group_name(g, cur), strerror(-r));
        }
    }
    if (clean && created)
        sriov__vf_record_delete(ctx, ref);
}

int sriov_vf_config_apply(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref,
                          const struct sriov_vf_config *cfg, unsigned int *changed)
{
    struct sriov__vf_record rec;
    struct sriov_vf_config cur, want;
    unsigned int done[N_GROUPS];
    size_t n_done = 0;
    char path[PATH_MAX];
    bool readable, created = false;
    int lock = -1, rc;

    if (changed)
        *changed = 0;
    rc = sriov_vf_config_validate(ctx, cfg);
    if (rc)
        goto out;
    rc = lock_pf(ctx, ref, path, sizeof(path), &lock);
    if (rc)
        goto out;

    rc = read_vf(ctx, ref, &cur, &readable);
    if (rc && rc != -ENODATA)
        goto out;
    if (!readable) {
        /* Nothing to compare with: every requested setting is sent. */
        sriov__warn(ctx, "%s", sriov_ctx_last_error(ctx));
        sriov_vf_config_init(&cur);
    }
    merge(&cur, cfg, &want);
    if (want.max_tx_rate && want.min_tx_rate > want.max_tx_rate) {
        rc = sriov__fail(ctx, -EINVAL, "%s/vf%u: min_rate %u would be above max_rate %u",
                         ref->pf_ifname, ref->index, want.min_tx_rate, want.max_tx_rate);
        goto out;
    }

    /* Save the original settings once, before the first change. */
    rc = sriov__vf_record_load(ctx, path, &rec);
    if (rc == -ENOENT) {
        memset(&rec, 0, sizeof(rec));
        rec.ref = *ref;
        rec.readable = readable;
        rec.cfg = cur;
        rc = sriov__vf_record_save(ctx, &rec);
        if (rc)
            goto out;
        created = true;
    } else if (rc) {
        goto out;
    }

    for (size_t i = 0; i < N_GROUPS; i++) {
        unsigned int g = groups[i];

        if (!(cfg->present & group_fields(g)))
            continue;
        if (readable && group_equal(g, &cur, &want))
            continue;
        rc = sriov__nl_vf_set(ctx, ref->pf_ifname, ref->index, g, &want);
        if (rc) {
            rc = set_failed(ctx, ref, group_name(g, &want), rc);
            /* Without the old values (unreadable VF) the record and restore take over. */
            if (readable)
                roll_back(ctx, ref, &cur, done, n_done, created);
            if (changed)
                *changed = 0;
            goto out;
        }
        sriov__info(ctx, "%s/vf%u: set %s", ref->pf_ifname, ref->index, group_name(g, &want));
        done[n_done++] = g;
        if (changed)
            *changed |= group_fields(g) & cfg->present;
    }
    rc = 0;
out:
    sriov__unlock(lock);
    return rc;
}

/* The interface of a record's PF now: interface names can change across boots. */
static void current_ifname(struct sriov_ctx *ctx, struct sriov_vf_ref *ref)
{
    struct sriov__saved_error callers;
    struct sriov_pf *pf;

    if (!ref->pf_bdf[0])
        return;
    sriov__error_save(ctx, &callers);
    if (sriov_pf_find(ctx, ref->pf_bdf, &pf) == 0 && pf->dev.n_netdevs &&
        strlen(pf->dev.netdevs[0]) < sizeof(ref->pf_ifname))
        strcpy(ref->pf_ifname, pf->dev.netdevs[0]);
    sriov__error_restore(ctx, &callers);
}

int sriov_vf_config_restore(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref,
                            unsigned int *flags)
{
    struct sriov__vf_record rec;
    struct sriov_vf_config cur, want;
    char path[PATH_MAX];
    bool readable;
    int lock = -1, rc, first_rc = 0;

    if (flags)
        *flags = 0;
    rc = lock_pf(ctx, ref, path, sizeof(path), &lock);
    if (rc)
        goto out;
    rc = sriov__vf_record_load(ctx, path, &rec);
    if (rc == -ENOENT) {
        /* Nothing saved, so nothing changed; a save killed before its rename left
         * only its temp file (we hold the PF's lock, as every writer does). */
        sriov__state_clean_temps(ctx, path);
        rc = sriov__fail(ctx, -ENOENT, "%s/vf%u: no saved settings to restore (%s)",
                         ref->pf_ifname, ref->index, path);
        goto out;
    }
    if (rc)
        goto out;
    current_ifname(ctx, &rec.ref);

    if (rec.readable) {
        want = rec.cfg;
    } else {
        sriov__vf_config_fresh(&want);
        if (flags)
            *flags |= SRIOV_VF_RESTORED_DEFAULTS;
        sriov__warn(ctx, "%s/vf%u: its settings were not readable when saved; "
                    "applying the defaults of a new VF", rec.ref.pf_ifname, rec.ref.index);
    }
    rc = read_vf(ctx, &rec.ref, &cur, &readable);
    if (rc == -ENOENT) {
        /* The VF is gone (VFs were disabled): so are its settings. */
        sriov__info(ctx, "%s", sriov_ctx_last_error(ctx));
        rc = sriov__vf_record_delete(ctx, &rec.ref);
        goto out;
    }
    if (rc && rc != -ENODATA)
        goto out;

    for (size_t i = 0; i < N_GROUPS; i++) {
        unsigned int g = groups[i];
        int r;

        if (!(want.present & group_fields(g)))
            continue;
        if (readable && group_equal(g, &cur, &want))
            continue;
        r = sriov__nl_vf_set(ctx, rec.ref.pf_ifname, rec.ref.index, g, &want);
        if (r && !first_rc)
            first_rc = set_failed(ctx, &rec.ref, group_name(g, &want), r);
        else if (r)
            sriov__errlog(ctx, "%s/vf%u: cannot restore %s: %s", rec.ref.pf_ifname,
                          rec.ref.index, group_name(g, &want), strerror(-r));
    }
    /* Keep the record until every setting is back, so a retry can finish. */
    rc = first_rc ? first_rc : sriov__vf_record_delete(ctx, &rec.ref);
out:
    sriov__unlock(lock);
    return rc;
}
