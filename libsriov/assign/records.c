/*
 * The assignments file, <state_dir>/assignments.json: one JSON array of records,
 * replaced atomically (sriov__state_write) while holding the "assignments" lock.
 * A record is keyed by its VF (PF BDF + index) and names its domain by UUID;
 * the domid is kept only as a hint.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "core/plan.h"
#include "assign/records.h"
#include "assign/records_check.h"
#include "core/json.h"
#include "core/statefile.h"
#include "hv/holders.h"

#define STATE_NAME "assignments.json"

static int state_path(struct sriov_ctx *ctx, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s", ctx->state_dir, STATE_NAME);

    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

void sriov__rec_dispose(struct sriov_assignment *r)
{
    free(r->network);
    free(r->driver);
    free(r->spec);
    r->network = r->driver = r->spec = NULL;
}

void sriov__recs_dispose(struct sriov__recs *recs)
{
    for (size_t i = 0; i < recs->n; i++)
        sriov__rec_dispose(&recs->v[i]);
    free(recs->v);
    recs->v = NULL;
    recs->n = recs->cap = 0;
}

static int dup_opt(char **dst, const char *src)
{
    *dst = NULL;
    return src && !(*dst = strdup(src)) ? -ENOMEM : 0;
}

int sriov__rec_copy(struct sriov_assignment *dst, const struct sriov_assignment *src)
{
    *dst = *src;
    if (dup_opt(&dst->network, src->network) || dup_opt(&dst->driver, src->driver) ||
        dup_opt(&dst->spec, src->spec)) {
        sriov__rec_dispose(dst);
        return -ENOMEM;
    }
    return 0;
}

/* Room for one more record. */
static int room(struct sriov__recs *recs)
{
    return sriov__grow(&recs->v, &recs->cap, recs->n, sizeof(*recs->v), 16);
}

int sriov__recs_add(struct sriov__recs *recs, const struct sriov_assignment *r)
{
    if (room(recs) || sriov__rec_copy(&recs->v[recs->n], r))
        return -ENOMEM;
    recs->n++;
    return 0;
}

void sriov__recs_remove(struct sriov__recs *recs, size_t i)
{
    sriov__rec_dispose(&recs->v[i]);
    memmove(&recs->v[i], &recs->v[i + 1], (recs->n - i - 1) * sizeof(*recs->v));
    recs->n--;
}

const char *sriov__phase_name(enum sriov__phase phase)
{
    return phase == SRIOV_PHASE_ATTACHED ? "attached"
         : phase == SRIOV_PHASE_RELEASING ? "releasing" : "reserved";
}

ssize_t sriov__recs_find(const struct sriov__recs *recs, const char *pf, unsigned int index)
{
    for (size_t i = 0; i < recs->n; i++)
        if (!strcmp(recs->v[i].pf, pf) && recs->v[i].index == index)
            return (ssize_t)i;
    return -1;
}

ssize_t sriov__recs_find_vf(const struct sriov__recs *recs, const char *vf)
{
    for (size_t i = 0; i < recs->n; i++)
        if (recs->v[i].vf[0] && !strcmp(recs->v[i].vf, vf))
            return (ssize_t)i;
    return -1;
}

static int recs_load(struct sriov_ctx *ctx, struct sriov__recs *out)
{
    char path[PATH_MAX], *data = NULL;
    size_t len;
    int rc;

    out->v = NULL;
    out->n = out->cap = 0;
    rc = state_path(ctx, path, sizeof(path));
    if (rc)
        return sriov__fail(ctx, rc, "state directory path too long");
    /* A dry run reads back what it would have written. */
    if (ctx->plan_recs_data)
        return sriov__recs_parse(ctx, path, ctx->plan_recs_data, ctx->plan_recs_len, out);
    /* The caller holds the lock every writer holds: no temp file is being written. */
    sriov__state_clean_temps(ctx, path);
    rc = sriov__state_read(ctx, path, &data, &len);
    if (rc == -ENOENT)
        return 0;
    if (!rc)
        rc = sriov__recs_parse(ctx, path, data, len, out);
    free(data);
    return rc;
}

int sriov__recs_load(struct sriov_ctx *ctx, struct sriov__recs *out)
{
    enum sriov__timed was = sriov__time_in(ctx, SRIOV_T_STATE);
    int rc = recs_load(ctx, out);

    sriov__time_in(ctx, was);
    return rc;
}

static void gen_str(yajl_gen g, const char *key, const char *val)
{
    sriov__json_gen_bytes(g, key, val);
}

/* The digits yajl_gen_integer would print, without its sprintf: five numbers a
 * record, a thousand records a save, several saves a command. */
static void gen_int(yajl_gen g, const char *key, unsigned long long val)
{
    char digits[24], *p = digits + sizeof(digits);

    do
        *--p = (char)('0' + val % 10);
    while (val /= 10);
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
    yajl_gen_number(g, p, (size_t)(digits + sizeof(digits) - p));
}

/* What yajl prints, straight into the document: no buffer of yajl's to grow
 * by doubling and then copy out. */
struct out {
    char *data;
    size_t len, cap;
    bool failed;
};

static void out_grow(struct out *o, const char *s, size_t n)
{
    size_t cap = o->cap;
    char *d;

    if (o->failed)
        return;
    while (o->len + n + 1 > cap)
        cap *= 2;
    d = realloc(o->data, cap);
    if (!d) {
        o->failed = true;
        return;
    }
    o->data = d;
    o->cap = cap;
    memcpy(o->data + o->len, s, n);
    o->len += n;
}

/* Called for every piece, down to each level's indent: the room is checked once. */
static void out_print(void *arg, const char *s, size_t n)
{
    struct out *o = arg;

    if (o->cap - o->len <= n) {
        out_grow(o, s, n);
        return;
    }
    memcpy(o->data + o->len, s, n);
    o->len += n;
}

/* A record takes some 460 bytes: room for them all, so that one allocation
 * is the rule. */
#define REC_BYTES 512

int sriov__recs_format(struct sriov_ctx *ctx, const char *what, const struct sriov__recs *recs,
                       char **data, size_t *data_len)
{
    char why[SRIOV_JSON_WHY];
    struct out o = { 0 };
    yajl_gen g = NULL;
    int rc;

    *data = NULL;
    *data_len = 0;
    /* Refuse what load would refuse, before anything is written. */
    for (size_t i = 0; i < recs->n; i++) {
        rc = sriov__rec_check(&recs->v[i], why);
        if (rc)
            return sriov__fail(ctx, rc, "%s: record %zu (VF %u of PF %s) cannot be saved: %s",
                               what, i + 1, recs->v[i].index, recs->v[i].pf, why);
    }
    rc = sriov__recs_check_unique(ctx, what, recs);
    if (rc)
        return rc;
    o.cap = (recs->n + 1) * REC_BYTES;
    o.data = malloc(o.cap);
    g = o.data ? yajl_gen_alloc(NULL) : NULL;
    if (!g) {
        free(o.data);
        return -ENOMEM;
    }
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_config(g, yajl_gen_print_callback, out_print, &o);
    yajl_gen_array_open(g);
    for (size_t i = 0; i < recs->n; i++) {
        const struct sriov_assignment *r = &recs->v[i];
        yajl_gen_map_open(g);
        gen_str(g, "domain_uuid", r->uuid);
        gen_int(g, "domid_hint", r->domid);
        gen_str(g, "domain_name", r->name);
        gen_str(g, "pf", r->pf);
        gen_int(g, "index", r->index);
        gen_str(g, "vf", r->vf);
        gen_str(g, "network", r->network);
        gen_str(g, "mac", r->mac);
        gen_str(g, "driver", r->driver);
        gen_str(g, "spec", r->spec);
        gen_str(g, "phase", sriov__phase_name(r->phase));
        gen_int(g, "steps", r->steps);
        gen_int(g, "pending", r->pending | r->ahead);
        /* rec_check has refused a negative pid */
        gen_int(g, "owner_pid", (unsigned long long)r->owner);
        gen_str(g, "owner", r->owner_id);
        yajl_gen_map_close(g);
    }
    if (yajl_gen_array_close(g) != yajl_gen_status_ok || o.failed) {
        free(o.data);
        rc = o.failed ? -ENOMEM : sriov__fail(ctx, -ENOMEM, "%s: cannot encode the records",
                                              what);
        goto out;
    }
    o.data[o.len] = '\0';
    *data = o.data;
    *data_len = o.len;
out:
    yajl_gen_free(g);
    return rc;
}

static int recs_save(struct sriov_ctx *ctx, const struct sriov__recs *recs)
{
    char path[PATH_MAX], *data = NULL;
    size_t len;
    int rc;

    rc = sriov__dry_run(ctx) ? 0 : sriov__mkdir_p(ctx->state_dir, 0700);
    if (rc)
        return sriov__fail(ctx, rc, "cannot create %s: %s", ctx->state_dir, strerror(-rc));
    rc = state_path(ctx, path, sizeof(path));
    if (rc)
        return sriov__fail(ctx, rc, "state directory path too long");
    /* Formatted in a dry run too: it checks every field, as a real save would. */
    rc = sriov__recs_format(ctx, path, recs, &data, &len);
    if (!rc && sriov__dry_run(ctx)) {
        rc = sriov__recs_plan(ctx, path, recs);
        if (!rc) {
            free(ctx->plan_recs_data);
            ctx->plan_recs_data = data;
            ctx->plan_recs_len = len;
            data = NULL;
        }
    } else if (!rc) {
        rc = sriov__state_write(ctx, path, data, len);
    }
    free(data);
    return rc;
}

int sriov__recs_save(struct sriov_ctx *ctx, const struct sriov__recs *recs)
{
    enum sriov__timed was = sriov__time_in(ctx, SRIOV_T_STATE);
    int rc = recs_save(ctx, recs);

    sriov__time_in(ctx, was);
    return rc;
}

int sriov__recs_lock(struct sriov_ctx *ctx, int *lockfd)
{
    enum sriov__timed was = sriov__time_in(ctx, SRIOV_T_STATE);
    int rc = sriov__lock(ctx, "assignments", lockfd);

    sriov__time_in(ctx, was);

    if (!rc)
        rc = sriov__holders_begin(ctx);
    if (rc) {
        sriov__recs_unlock(ctx, *lockfd);
        *lockfd = -1;
    }
    return rc;
}

void sriov__recs_unlock(struct sriov_ctx *ctx, int lockfd)
{
    /* What the hypervisor said is only known to stay true while we hold the lock. */
    sriov__holders_end(ctx);
    sriov__unlock(lockfd);
}

int sriov__recs_path(struct sriov_ctx *ctx, char *buf, size_t len)
{
    return state_path(ctx, buf, len);
}
