/*
 * What a dry run says about the assignment records: each save names the records
 * it would add, change or drop, against the file as it is (the first save) or as
 * the previous planned save left it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "assign/records.h"
#include "core/plan.h"

static const struct {
    unsigned int bit;
    const char *name;
} step_names[] = {
    { SRIOV_STEP_ENABLED_VFS, "enable_vfs" },   { SRIOV_STEP_AUTOPROBE, "autoprobe" },
    { SRIOV_STEP_L2, "l2" },                    { SRIOV_STEP_OVERRIDE, "driver_override" },
    { SRIOV_STEP_ASSIGNABLE, "assignable_add" }, { SRIOV_STEP_PCI, "pci_add" },
    { SRIOV_STEP_XS, "xenstore" },
};

static void steps_text(unsigned int steps, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(step_names) / sizeof(step_names[0]) && used < len; i++)
        if (steps & step_names[i].bit)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
                                     step_names[i].name);
}

/* "PF#INDEX" then a tab then the description: the key is what compares. */
static char *rec_line(const struct sriov_assignment *r)
{
    char done[128], pending[128];

    steps_text(r->steps, done, sizeof(done));
    steps_text(r->pending | r->ahead, pending, sizeof(pending)); /* as saved */
    return sriov__asprintf("%s#%u\tVF %u of %s (%s) for domain %s (%s): %s, done {%s}, "
                           "pending {%s}, mac %s",
                           r->pf, r->index, r->index, r->pf, r->vf[0] ? r->vf : "not yet made",
                           r->name, r->uuid, sriov__phase_name(r->phase), done, pending, r->mac);
}

static int lines_of(const struct sriov__recs *recs, char ***out, size_t *n)
{
    int rc = 0;

    *out = NULL;
    *n = 0;
    for (size_t i = 0; !rc && i < recs->n; i++)
        rc = sriov__strv_push(out, n, rec_line(&recs->v[i]));
    return rc;
}

static const char *find_key(char **lines, size_t n, const char *line)
{
    size_t klen = strcspn(line, "\t");

    for (size_t i = 0; i < n; i++)
        if (!strncmp(lines[i], line, klen) && lines[i][klen] == '\t')
            return lines[i];
    return NULL;
}

int sriov__recs_plan(struct sriov_ctx *ctx, const char *path, const struct sriov__recs *recs)
{
    struct sriov__recs disk = { 0 };
    char **now = NULL;
    size_t n_now = 0;
    int rc = 0;

    if (!ctx->plan_recs_known) {
        rc = sriov__recs_load(ctx, &disk);
        if (!rc)
            rc = lines_of(&disk, &ctx->plan_recs, &ctx->n_plan_recs);
        sriov__recs_dispose(&disk);
        if (rc)
            return rc;
        ctx->plan_recs_known = true;
    }
    rc = lines_of(recs, &now, &n_now);
    if (rc)
        goto out;
    for (size_t i = 0; i < n_now; i++) {
        const char *was = find_key(ctx->plan_recs, ctx->n_plan_recs, now[i]);

        if (!was || strcmp(was, now[i]))
            sriov__plan(ctx, "state", "%s: %s %s", path, was ? "change" : "add",
                        strchr(now[i], '\t') + 1);
    }
    for (size_t i = 0; i < ctx->n_plan_recs; i++)
        if (!find_key(now, n_now, ctx->plan_recs[i]))
            sriov__plan(ctx, "state", "%s: drop %s", path, strchr(ctx->plan_recs[i], '\t') + 1);
    sriov__strv_free(ctx->plan_recs, ctx->n_plan_recs);
    ctx->plan_recs = now;
    ctx->n_plan_recs = n_now;
    now = NULL;
out:
    sriov__strv_free(now, n_now);
    return rc;
}
