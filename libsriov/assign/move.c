/*
 * A domain with VFs leaving the host: migration, save, or an orchestrator's
 * pre-migrate (sriov.h, "migration, save, restore").  The order, and why:
 *
 *   check     every VF can fall back to netfront: a vif with its MAC exists,
 *             or its network names a bridge= to hot-add one on; and the config
 *             xl recreates the domain from sets passthrough (check_config).
 *             Nothing has changed yet, so a refusal leaves the domain as it was.
 *   journal   moves/<uuid>.json (moves.c) with each VF's vf= entry, its MAC
 *             fixed, before the first change: whoever finds it after a crash
 *             can give a domain still here its VFs again (gc.c).
 *   vifs      libxl_device_nic_add for the missing partners: the guest's bond
 *             gets its backup before it loses its primary.
 *   detach    every VF taken back, as pci-detach does (settings restored,
 *             original driver rebound): Xen refuses log-dirty mode otherwise.
 *   xl        `xl migrate` / `xl save` (sriov_move_xl), or the orchestrator.
 *   end       moved: forget (migration) or keep for restore (save); not moved:
 *             the domain is still here, so it gets its VFs back.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"
#include "assign/moves.h"
#include "assign/records.h"
#include "assign/steps.h"
#include "config/network.h"
#include "config/xlcfg.h"
#include "core/plan.h"
#include "core/statefile.h"
#include "hv/hv.h"

struct sriov_move {
    struct sriov__move j;
    enum sriov_move_kind kind;
    char *xl_config;             /* what xl recreates the domain from, if not its own */
    struct sriov__xlcfg_pinned pin; /* xl_config as checked, for xl (path NULL: none) */
    struct sriov_hv_domain hd;
    char **bridges;              /* per spec: the bridge to add its vif on, or NULL */
    size_t n_bridges;
};

void sriov_move_free(struct sriov_move *m)
{
    if (!m)
        return;
    sriov__strv_free(m->bridges, m->n_bridges);
    sriov__move_dispose(&m->j);
    free(m->xl_config);
    if (m->pin.path)
        sriov__xlcfg_pinned_dispose(&m->pin);
    free(m);
}

struct sriov__move *sriov__move_journal(struct sriov_move *m)
{
    return &m->j;
}

bool sriov__move_is_save(const struct sriov_move *m)
{
    return m->kind == SRIOV_MOVE_SAVE;
}

const char *sriov_move_domain_uuid(const struct sriov_move *m) { return m->j.uuid; }
const char *sriov_move_domain_name(const struct sriov_move *m) { return m->j.name; }
size_t sriov_move_vf_count(const struct sriov_move *m) { return m->j.n_specs; }

const char *sriov_move_vf_spec(const struct sriov_move *m, size_t i)
{
    return i < m->j.n_specs ? m->j.specs[i] : NULL;
}

/* The record's vf= entry with its MAC fixed: the VF where the domain arrives must
 * have the MAC its netfront partner has (the bond never changes a MAC).  A VF
 * that is no network device keeps its entry as it is: a MAC there would be an
 * L2 setting its PF cannot apply. */
static char *spec_with_mac(const struct sriov_assignment *r, bool network)
{
    const char *spec = r->spec ? r->spec : "";
    size_t len = strlen(spec) + 32;
    char *out = malloc(len), *p = out;
    const char *item = spec;

    if (!out)
        return NULL;
    *p = '\0';
    if (!r->spec && r->network)
        p += snprintf(p, len, "network=%s", r->network);
    else if (!r->spec)
        p += snprintf(p, len, "pf=%s,vf=%u", r->pf, r->index);
    while (r->spec && *item) {
        size_t n = strcspn(item, ",");
        if (n && strncmp(item, "mac=", 4))
            p += sprintf(p, "%s%.*s", p == out ? "" : ",", (int)n, item);
        item += n + (item[n] == ',');
    }
    if (network)
        sprintf(p, "%smac=%s", p == out ? "" : ",", r->mac);
    return out;
}

/* The records that leave with the domain: its attached VFs.  A reservation for
 * the same UUID is not one of them: it is a destination's, on a migration within
 * one host (incoming.c), or a pci-attach in progress, which keeps its own. */
static bool leaving(const struct sriov_assignment *r, const char *uuid)
{
    return !strcmp(r->uuid, uuid) && r->phase != SRIOV_PHASE_RESERVED;
}

static bool has_mac(char **macs, size_t n, const char *mac)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(macs[i], mac))
            return true;
    return false;
}

/* A VF of a PF without a network interface (storage, accelerators) has no
 * traffic for netfront to carry: it just leaves and comes back. */
static bool carries_network(struct sriov_ctx *ctx, const struct sriov_assignment *r)
{
    struct sriov__saved_error keep;
    struct sriov_pf *pf = NULL;
    bool yes = true;

    sriov__error_save(ctx, &keep);
    if (sriov_pf_find(ctx, r->pf, &pf) == 0)
        yes = sriov_dev_netdev_count(sriov_pf_dev(pf)) > 0;
    sriov__error_restore(ctx, &keep);
    return yes;
}

/* Before anything changes: the bridge each VF without a netfront partner needs. */
static int check_fallback(struct sriov_ctx *ctx, const struct sriov__recs *recs,
                          const char *uuid, char **macs, size_t n_macs, char ***bridges)
{
    size_t k = 0;
    int rc = 0;

    for (size_t i = 0; !rc && i < recs->n; i++) {
        const struct sriov_assignment *r = &recs->v[i];
        const struct sriov_network *net;

        if (!leaving(r, uuid))
            continue;
        (*bridges)[k] = NULL;
        if (!carries_network(ctx, r)) {
            sriov__info(ctx, "%s: VF %s is no network device: nothing to fall back to",
                        r->name, r->vf);
        } else if (!has_mac(macs, n_macs, r->mac)) {
            net = r->network ? sriov__network_get(ctx, r->network) : NULL;
            if (!net || !net->bridge || !*net->bridge)
                rc = sriov__fail(ctx, -EINVAL, "%s: VF %s (MAC %s) cannot fall back to "
                                 "netfront: the domain has no vif with its MAC and %s",
                                 r->name, r->vf, r->mac,
                                 net ? "its network has no bridge= in sriov.cfg"
                                     : "it belongs to no network of sriov.cfg");
            else if (!((*bridges)[k] = strdup(net->bridge)))
                rc = -ENOMEM;
        }
        k++;
    }
    return rc;
}

static int domain_records(struct sriov_ctx *ctx, const struct sriov__recs *recs,
                          const char *uuid, const char *name, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < recs->n; i++) {
        if (!leaving(&recs->v[i], uuid))
            continue;
        if (recs->v[i].phase != SRIOV_PHASE_ATTACHED)
            return sriov__fail(ctx, -EBUSY, "%s: VF %s is %s, not attached: wait for the "
                               "command handling it, or run gc", name,
                               recs->v[i].vf[0] ? recs->v[i].vf : recs->v[i].pf,
                               sriov__phase_name(recs->v[i].phase));
        (*n)++;
    }
    return 0;
}

/* Take back every VF of the domain; on a failure give back those taken so far. */
static int detach_all(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                      const char *uuid)
{
    int rc = 0;

    for (size_t i = recs->n; !rc && i-- > 0;)
        if (leaving(&recs->v[i], uuid))
            rc = sriov__assign_release(ctx, hv, recs, i, false);
    return rc;
}

/* libxl recreates a moved domain from its configuration as given (or from the
 * one xl migrate -C or xl save's CONFIG names), with the VFs taken back: one
 * that had only pci= to imply passthrough arrives with it disabled, and would
 * stay on netfront for good.  Refused before any change.  Not for a hand-over:
 * the orchestrator (xapi's xenopsd, say) builds the domain there itself.  A
 * configuration of the user's must also keep the domain's UUID (xl would give
 * it a new one from a config that sets none, config/xlcfg_uuid.c); with pin
 * (the check just before the VFs leave) the text checked is kept in m->pin for
 * xl, which never reads the file itself.  has_vfs: passthrough is needed. */
static int check_config(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov_move *m,
                        bool has_vfs, bool pin)
{
    struct sriov__xlcfg *c = NULL;
    const char *pt;
    bool kept = false;
    int rc;

    if (m->kind == SRIOV_MOVE_HAND_OVER)
        return 0;
    if (!m->xl_config) {
        rc = has_vfs ? hv->ops->domain_passthrough(hv, &m->hd, &kept) : 0;
        if (rc || kept || !has_vfs)
            return rc;
        return sriov__fail(ctx, -EINVAL, "%s was created without passthrough=\"enabled\": "
                           "recreated from that configuration after the move, without its "
                           "VFs, it would have passthrough disabled and could not take a VF "
                           "again; create it with passthrough=\"enabled\" (xl-sriov create "
                           "adds it), or give xl a configuration that sets it (migrate -C, "
                           "save's CONFIG)", m->j.name);
    }
    rc = sriov__xlcfg_load(ctx, m->xl_config, NULL, 0, &c);
    pt = rc ? NULL : sriov__xlcfg_string(c, "passthrough");
    if (!rc && sriov__xlcfg_passthrough(pt, &kept))
        rc = sriov__fail(ctx, -EINVAL, "%s line %d: unknown passthrough=\"%s\"", m->xl_config,
                         sriov__xlcfg_line(c, "passthrough", -1, -1), pt);
    if (!rc && has_vfs && !kept)
        rc = sriov__fail(ctx, -EINVAL, "%s does not set passthrough=\"enabled\": %s, "
                         "recreated from it after the move without its VFs, would have "
                         "passthrough disabled and could not take a VF again",
                         m->xl_config, m->j.name);
    if (!rc)
        rc = pin && !sriov__dry_run(ctx) ? sriov__xlcfg_pin(ctx, c, m->hd.uuid, &m->pin)
                 : sriov__xlcfg_uuid_check(ctx, c, m->hd.uuid, &m->pin.had_uuid);
    sriov__xlcfg_free(c);
    return rc;
}

/* Everything that can be known before a change: the domain's VFs are all
 * attached, it is not moving already, it can take VFs again once moved, and
 * each VF has, or can get, a netfront partner.  Fills the specs and the bridge
 * to add a vif on, per spec. */
static int check_locked(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov_move *m,
                        const struct sriov__recs *recs, bool pin)
{
    char **macs = NULL, **nbridges = NULL;
    size_t n_macs = 0, n = 0;
    struct sriov__move old;
    int rc;

    rc = sriov__move_load(ctx, m->j.uuid, &old);
    if (rc == 0) {
        rc = sriov__fail(ctx, -EBUSY, "%s is already moving (%s, journal of process %ld); "
                         "finish that first (post-migrate, restore or gc)", m->j.name,
                         sriov__move_phase_name(old.phase), (long)old.owner);
        sriov__move_dispose(&old);
        return rc;
    }
    if (rc != -ENOENT)
        return rc;
    rc = domain_records(ctx, recs, m->j.uuid, m->j.name, &n);
    if (!rc)
        rc = check_config(ctx, hv, m, n > 0, pin);
    if (!rc)
        rc = sriov__netcfg_load(ctx);
    if (!rc)
        rc = hv->ops->nic_list(hv, &m->hd, &macs, &nbridges, &n_macs);
    if (!rc && n && !(m->bridges = calloc(n, sizeof(*m->bridges))))
        rc = -ENOMEM;
    if (!rc)
        m->n_bridges = n;
    if (!rc)
        rc = check_fallback(ctx, recs, m->j.uuid, macs, n_macs, &m->bridges);
    for (size_t i = 0; !rc && i < recs->n; i++) {
        const struct sriov_assignment *r = &recs->v[i];

        if (!leaving(r, m->j.uuid))
            continue;
        rc = sriov__strv_push(&m->j.specs, &m->j.n_specs,
                              spec_with_mac(r, carries_network(ctx, r)));
        if (!rc && !sriov__strv_has(m->j.pfs, m->j.n_pfs, r->pf))
            rc = sriov__strv_push(&m->j.pfs, &m->j.n_pfs, strdup(r->pf));
    }
    sriov__strv_free(macs, n_macs);
    sriov__strv_free(nbridges, n_macs);
    return rc;
}

/* Journal, then the changes: vifs added, VFs taken back. */
static int leave_locked(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov_move *m,
                        struct sriov__recs *recs)
{
    const char *owner_id;
    int rc;

    rc = check_locked(ctx, hv, m, recs, true); /* again: the host may have changed since */
    if (rc || !m->j.n_specs)
        return rc; /* no VF: nothing to journal or take back */
    rc = sriov__owner_claim(ctx, &owner_id);
    if (rc)
        return rc;
    snprintf(m->j.owner_id, sizeof(m->j.owner_id), "%s", owner_id);
    m->j.owner = getpid();
    m->j.phase = SRIOV_MOVE_LEAVING;
    m->j.save = m->kind == SRIOV_MOVE_SAVE;
    rc = sriov__move_save(ctx, &m->j);
    for (size_t k = 0; !rc && k < m->j.n_specs; k++) {
        char mac[18];

        if (!m->bridges[k])
            continue;
        sriov__spec_mac(m->j.specs[k], mac);
        rc = hv->ops->nic_add(hv, &m->hd, mac, m->bridges[k]);
        if (rc)
            rc = sriov__fail(ctx, rc, "%s: cannot add a vif with MAC %s on %s: %s", m->j.name,
                             mac, m->bridges[k], ctx->last_error);
    }
    if (!rc)
        rc = detach_all(ctx, hv, recs, m->j.uuid);
    /* A VF released above that enabled its PF's VFs handed its duty to the journal
     * on disk (vfs_duty.c): the domain still uses them. */
    if (!rc)
        rc = sriov__move_reload_duties(ctx, &m->j);
    if (!rc && m->kind == SRIOV_MOVE_HAND_OVER) {
        m->j.phase = SRIOV_MOVE_HANDED_OVER;
        rc = sriov__move_save(ctx, &m->j);
    }
    return rc;
}

/* Under the assignments lock, with the records (recovered first). */
static int locked(struct sriov_ctx *ctx, struct sriov_move *m,
                  int (*fn)(struct sriov_ctx *, struct sriov_hv *, struct sriov_move *,
                            struct sriov__recs *))
{
    struct sriov__recs recs = { 0 };
    struct sriov_hv *hv = NULL;
    int lockfd = -1, rc;

    rc = sriov__hv(ctx, &hv);
    if (!rc)
        rc = sriov__lock(ctx, "assignments", &lockfd);
    if (!rc)
        rc = sriov__recs_load(ctx, &recs);
    if (!rc) {
        sriov__recover_quietly(ctx, hv, &recs);
        rc = fn(ctx, hv, m, &recs);
    }
    sriov__recs_dispose(&recs);
    sriov__unlock(lockfd);
    return rc;
}

static int check_fn(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov_move *m,
                    struct sriov__recs *recs)
{
    return check_locked(ctx, hv, m, recs, false);
}

int sriov_move_begin(struct sriov_ctx *ctx, const char *domain, enum sriov_move_kind kind,
                     struct sriov_move **ret)
{
    return sriov_move_begin_config(ctx, domain, kind, NULL, ret);
}

int sriov_move_begin_config(struct sriov_ctx *ctx, const char *domain,
                            enum sriov_move_kind kind, const char *xl_config,
                            struct sriov_move **ret)
{
    struct sriov_move *m = NULL;
    struct sriov_hv *hv = NULL;
    int rc;

    *ret = NULL;
    if ((unsigned int)kind > SRIOV_MOVE_HAND_OVER)
        return sriov__fail(ctx, -EINVAL, "unknown kind of move %d", (int)kind);
    m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->kind = kind;
    if (xl_config && !(m->xl_config = strdup(xl_config))) {
        free(m);
        return -ENOMEM;
    }
    rc = sriov__hv(ctx, &hv);
    if (!rc)
        rc = hv->ops->domain_by_name_or_id(hv, domain, &m->hd);
    if (rc == -ENOENT)
        rc = sriov__fail(ctx, rc, "%s: no such domain", domain);
    if (!rc) {
        sriov__uuid_format(m->hd.uuid, m->j.uuid);
        sriov__utf8_copy(m->j.name, sizeof(m->j.name), m->hd.name);
        rc = locked(ctx, m, check_fn);
    }
    if (rc) {
        sriov_move_free(m);
        return rc;
    }
    *ret = m;
    return 0;
}

int sriov_move_leave(struct sriov_ctx *ctx, struct sriov_move *m)
{
    struct sriov__saved_error why;
    unsigned int back = 0;
    int rc;

    if (m->j.owner_id[0])
        return sriov__fail(ctx, -EINVAL, "%s: already left", m->j.name);
    sriov__move_dispose(&m->j);
    sriov__strv_free(m->bridges, m->n_bridges);
    m->bridges = NULL;
    m->n_bridges = 0;
    if (m->pin.path)
        sriov__xlcfg_pinned_dispose(&m->pin);
    rc = locked(ctx, m, leave_locked);
    if (rc && m->j.owner_id[0]) {
        /* Journalled, then failed: what was taken goes back, as after a failed xl. */
        sriov__error_save(ctx, &why);
        if (sriov_move_end(ctx, m, false, &back))
            sriov__errlog(ctx, "%s: giving its VFs back failed too: %s", m->j.name,
                          ctx->last_error);
        sriov__error_restore(ctx, &why);
    }
    return rc;
}

/* The journal of the domain named name (a domain that left has no UUID to look
 * up but its journal's). */
static int find_by_name(struct sriov_ctx *ctx, const char *name, struct sriov__move *j)
{
    char **uuids = NULL;
    size_t n = 0;
    int rc = sriov__moves_list(ctx, &uuids, &n);

    for (size_t i = 0; !rc && i < n; i++) {
        if (sriov__move_load(ctx, uuids[i], j))
            continue;
        if (!strcmp(j->name, name))
            goto out;
        sriov__move_dispose(j);
    }
    if (!rc)
        rc = sriov__fail(ctx, -ENOENT, "%s: no move journal names this domain", name);
out:
    sriov__strv_free(uuids, n);
    return rc;
}

int sriov_move_open(struct sriov_ctx *ctx, const char *domain, struct sriov_move **ret)
{
    struct sriov_move *m = calloc(1, sizeof(*m));
    uint8_t bin[16];
    int rc;

    *ret = NULL;
    if (!m)
        return -ENOMEM;
    rc = sriov__uuid_parse(domain, bin) ? find_by_name(ctx, domain, &m->j)
                                        : sriov__move_load(ctx, domain, &m->j);
    if (rc) {
        free(m);
        return rc;
    }
    m->kind = m->j.phase == SRIOV_MOVE_SAVED ? SRIOV_MOVE_SAVE : SRIOV_MOVE_HAND_OVER;
    *ret = m;
    return 0;
}

/* xl with the move's own configuration as checked (config/xlcfg_uuid.c): in
 * args, migrate's -C operand or save's last one is replaced by m->pin's copy. */
static int run_xl_pinned(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov_move *m,
                         char *const *args, size_t n_args)
{
    char **copy = NULL;
    size_t i = n_args;
    int rc;

    /* From the end: xl takes the last -C, as the caller's m->xl_config is. */
    while (i > 0 && !(!strcmp(args[i - 1], m->xl_config) &&
                      (m->kind == SRIOV_MOVE_SAVE ? i == n_args
                                                  : i > 1 && !strcmp(args[i - 2], "-C"))))
        i--;
    if (i == 0)
        return sriov__fail(ctx, -EINVAL, "%s: not among xl's arguments", m->xl_config);
    i--;
    rc = sriov__xlcfg_pin_arg(&m->pin, args, n_args, i, &copy);
    if (rc)
        return rc;
    rc = m->kind == SRIOV_MOVE_SAVE ? hv->ops->domain_save(hv, copy, n_args)
                                    : hv->ops->domain_migrate(hv, copy, n_args);
    free(copy);
    return rc;
}

int sriov_move_xl(struct sriov_ctx *ctx, struct sriov_move *m, char *const *args, size_t n_args)
{
    struct sriov_hv *hv = NULL;
    int rc = sriov__hv(ctx, &hv);

    if (rc)
        return rc;
    if (m->kind == SRIOV_MOVE_HAND_OVER)
        return sriov__fail(ctx, -EINVAL, "%s: handed over, xl is the orchestrator's", m->j.name);
    if (m->pin.path && !sriov__dry_run(ctx))
        return run_xl_pinned(ctx, hv, m, args, n_args);
    /* The copy is made by sriov_move_leave's check: without it xl would read the
     * user's file unchecked. */
    if (m->xl_config && !sriov__dry_run(ctx))
        return sriov__fail(ctx, -EINVAL, "%s: sriov_move_leave() has not checked %s yet",
                           m->j.name, m->xl_config);
    if (m->xl_config)
        sriov__plan(ctx, "note", "xl reads %s as checked just before the VFs leave, from a "
                    "copy%s%s", m->xl_config, m->pin.had_uuid ? "" : " that sets the domain's "
                    "UUID, ", m->pin.had_uuid ? "" : m->j.uuid);
    return m->kind == SRIOV_MOVE_SAVE ? hv->ops->domain_save(hv, args, n_args)
                                      : hv->ops->domain_migrate(hv, args, n_args);
}
