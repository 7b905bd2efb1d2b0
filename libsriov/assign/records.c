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

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "internal.h"
#include "assign/records.h"
#include "core/statefile.h"

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
    recs->n = 0;
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

int sriov__recs_add(struct sriov__recs *recs, const struct sriov_assignment *r)
{
    struct sriov_assignment *v = realloc(recs->v, (recs->n + 1) * sizeof(*v));

    if (!v)
        return -ENOMEM;
    recs->v = v;
    if (sriov__rec_copy(&v[recs->n], r))
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

static const char *jstr(yajl_val obj, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(obj, path, yajl_t_string);

    return v ? YAJL_GET_STRING(v) : NULL;
}

static long long jint(yajl_val obj, const char *key)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_get(obj, path, yajl_t_number);

    return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : -1;
}

static int rec_from_json(yajl_val o, struct sriov_assignment *r)
{
    const char *uuid = jstr(o, "domain_uuid"), *pf = jstr(o, "pf"), *vf = jstr(o, "vf");
    const char *phase = jstr(o, "phase"), *name = jstr(o, "domain_name"), *mac = jstr(o, "mac");

    memset(r, 0, sizeof(*r));
    if (!uuid || !pf || !vf || !phase || strlen(uuid) >= sizeof(r->uuid) ||
        strlen(pf) >= sizeof(r->pf) || strlen(vf) >= sizeof(r->vf) || jint(o, "index") < 0)
        return -EINVAL;
    strcpy(r->uuid, uuid);
    strcpy(r->pf, pf);
    strcpy(r->vf, vf);
    snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
    snprintf(r->mac, sizeof(r->mac), "%s", mac ? mac : "");
    r->index = (unsigned int)jint(o, "index");
    r->domid = jint(o, "domid_hint") < 0 ? 0 : (uint32_t)jint(o, "domid_hint");
    r->phase = !strcmp(phase, "attached") ? SRIOV_PHASE_ATTACHED : SRIOV_PHASE_RESERVED;
    r->steps = jint(o, "steps") < 0 ? 0 : (unsigned int)jint(o, "steps");
    r->owner = jint(o, "owner_pid") < 0 ? 0 : (pid_t)jint(o, "owner_pid");
    if (dup_opt(&r->network, jstr(o, "network")) || dup_opt(&r->driver, jstr(o, "driver")) ||
        dup_opt(&r->spec, jstr(o, "spec"))) {
        sriov__rec_dispose(r);
        return -ENOMEM;
    }
    return 0;
}

int sriov__recs_load(struct sriov_ctx *ctx, struct sriov__recs *out)
{
    char path[PATH_MAX], err[256], *data = NULL;
    yajl_val root = NULL;
    size_t len;
    int rc;

    out->v = NULL;
    out->n = 0;
    rc = state_path(ctx, path, sizeof(path));
    if (rc)
        return sriov__fail(ctx, rc, "state directory path too long");
    rc = sriov__state_read(ctx, path, &data, &len);
    if (rc == -ENOENT)
        return 0;
    if (rc)
        return rc;
    root = yajl_tree_parse(data, err, sizeof(err));
    if (!root || !YAJL_IS_ARRAY(root)) {
        rc = sriov__fail(ctx, -EINVAL, "%s is corrupt: %s", path, root ? "not an array" : err);
        goto out;
    }
    for (size_t i = 0; i < YAJL_GET_ARRAY(root)->len; i++) {
        struct sriov_assignment r;
        rc = rec_from_json(YAJL_GET_ARRAY(root)->values[i], &r);
        if (rc) {
            rc = sriov__fail(ctx, rc, "%s: record %zu is corrupt", path, i + 1);
            goto out;
        }
        rc = sriov__recs_add(out, &r);
        sriov__rec_dispose(&r);
        if (rc)
            goto out;
    }
out:
    if (rc)
        sriov__recs_dispose(out);
    yajl_tree_free(root);
    free(data);
    return rc;
}

static void gen_str(yajl_gen g, const char *key, const char *val)
{
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
    if (val)
        yajl_gen_string(g, (const unsigned char *)val, strlen(val));
    else
        yajl_gen_null(g);
}

static void gen_int(yajl_gen g, const char *key, long long val)
{
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
    yajl_gen_integer(g, val);
}

int sriov__recs_save(struct sriov_ctx *ctx, const struct sriov__recs *recs)
{
    char path[PATH_MAX];
    const unsigned char *buf;
    size_t len;
    yajl_gen g;
    int rc;

    rc = sriov__mkdir_p(ctx->state_dir, 0700);
    if (rc)
        return sriov__fail(ctx, rc, "cannot create %s: %s", ctx->state_dir, strerror(-rc));
    rc = state_path(ctx, path, sizeof(path));
    if (rc)
        return sriov__fail(ctx, rc, "state directory path too long");
    g = yajl_gen_alloc(NULL);
    if (!g)
        return -ENOMEM;
    yajl_gen_config(g, yajl_gen_beautify, 1);
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
        gen_str(g, "phase", r->phase == SRIOV_PHASE_ATTACHED ? "attached" : "reserved");
        gen_int(g, "steps", r->steps);
        gen_int(g, "owner_pid", r->owner);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_get_buf(g, &buf, &len);
    rc = sriov__state_write(ctx, path, buf, len);
    yajl_gen_free(g);
    return rc;
}
