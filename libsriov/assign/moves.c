/* Move journals: <state_dir>/moves/<uuid>.json (moves.h says what and why). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "assign/moves.h"
#include "core/json.h"
#include "core/plan.h"
#include "core/statefile.h"

#define MOVES_DIR "moves"
/* 2: "save", "pfs" and "enabled_vfs" (vfs_duty.c).  A version that knows only 1 refuses
 * the file rather than drop the duty to disable VFs it does not know of. */
#define MOVE_FORMAT 2
#define MAX_SPEC 4096
#define MAX_SPECS 256
#define MAX_PID 4194304

static const char *const phase_names[] = { "leaving", "handed-over", "saved" };

const char *sriov__move_phase_name(enum sriov__move_phase p)
{
    return (unsigned int)p < 3 ? phase_names[p] : "?";
}

static int move_path(struct sriov_ctx *ctx, const char *uuid, char *buf, size_t len)
{
    uint8_t bin[16];

    /* The name comes from a UUID we format ourselves: nothing else may pick a path. */
    if (sriov__uuid_parse(uuid, bin))
        return sriov__fail(ctx, -EINVAL, "'%s' is not a domain UUID", uuid);
    if ((size_t)snprintf(buf, len, "%s/" MOVES_DIR "/%s.json", ctx->state_dir, uuid) >= len)
        return sriov__fail(ctx, -ENAMETOOLONG, "state directory path too long");
    return 0;
}

void sriov__move_dispose(struct sriov__move *m)
{
    sriov__strv_free(m->specs, m->n_specs);
    sriov__strv_free(m->pfs, m->n_pfs);
    sriov__strv_free(m->enabled_vfs, m->n_enabled_vfs);
    m->specs = m->pfs = m->enabled_vfs = NULL;
    m->n_specs = m->n_pfs = m->n_enabled_vfs = 0;
}

/* A string member into a fixed buffer: missing or too long is refused, never cut. */
static int get_fixed(yajl_val o, const char *key, char *buf, size_t size,
                     char why[SRIOV_JSON_WHY])
{
    char *s = NULL;
    int rc = sriov__json_get_bytes(o, key, size - 1, &s, why);

    if (!rc && !s) {
        snprintf(why, SRIOV_JSON_WHY, "%s is missing", key);
        rc = -EINVAL;
    }
    if (!rc)
        memcpy(buf, s, strlen(s) + 1);
    free(s);
    return rc;
}

static int get_phase(yajl_val o, enum sriov__move_phase *out, char why[SRIOV_JSON_WHY])
{
    char phase[16];
    int rc = get_fixed(o, "phase", phase, sizeof(phase), why);

    for (unsigned int i = 0; !rc && i < 3; i++) {
        if (!strcmp(phase, phase_names[i])) {
            *out = (enum sriov__move_phase)i;
            return 0;
        }
    }
    if (!rc)
        snprintf(why, SRIOV_JSON_WHY, "phase '%s' is unknown", phase);
    return -EINVAL;
}

static int get_specs(yajl_val o, struct sriov__move *m, char why[SRIOV_JSON_WHY])
{
    yajl_val specs = sriov__json_get(o, "specs");
    int rc = 0;

    if (!YAJL_IS_ARRAY(specs) || specs->u.array.len > MAX_SPECS) {
        snprintf(why, SRIOV_JSON_WHY, "specs is not a list of at most %d", MAX_SPECS);
        return -EINVAL;
    }
    for (size_t i = 0; !rc && i < specs->u.array.len; i++) {
        yajl_val item = specs->u.array.values[i];

        if (!YAJL_IS_STRING(item) || strlen(item->u.string) > MAX_SPEC) {
            snprintf(why, SRIOV_JSON_WHY, "spec %zu is not a string of at most %d bytes", i + 1,
                     MAX_SPEC);
            return -EINVAL;
        }
        rc = sriov__strv_push(&m->specs, &m->n_specs, strdup(item->u.string));
    }
    return rc;
}

/* A list of PF addresses, each as we write them (normalized); absent in journals
 * written before the PFs were kept: none. */
static int get_pfs(yajl_val o, const char *key, char ***v, size_t *n, char why[SRIOV_JSON_WHY])
{
    yajl_val list = sriov__json_get(o, key);
    int rc = 0;

    if (!list)
        return 0;
    if (!YAJL_IS_ARRAY(list) || list->u.array.len > MAX_SPECS) {
        snprintf(why, SRIOV_JSON_WHY, "%s is not a list of at most %d", key, MAX_SPECS);
        return -EINVAL;
    }
    for (size_t i = 0; !rc && i < list->u.array.len; i++) {
        yajl_val item = list->u.array.values[i];
        char bdf[SRIOV_BDF_LEN];

        if (!YAJL_IS_STRING(item) || strlen(item->u.string) >= SRIOV_BDF_LEN ||
            sriov__bdf_normalize(item->u.string, bdf) || strcmp(bdf, item->u.string)) {
            snprintf(why, SRIOV_JSON_WHY, "%s: item %zu is not a PCI address", key, i + 1);
            return -EINVAL;
        }
        rc = sriov__strv_push(v, n, strdup(bdf));
    }
    return rc;
}

/* "save": true or false; absent in older journals: false. */
static int get_save(yajl_val o, bool *out, char why[SRIOV_JSON_WHY])
{
    yajl_val v = sriov__json_get(o, "save");

    *out = v && YAJL_IS_TRUE(v);
    if (v && !YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v)) {
        snprintf(why, SRIOV_JSON_WHY, "save is not true or false");
        return -EINVAL;
    }
    return 0;
}

static void gen_strings(yajl_gen g, const char *key, char **v, size_t n)
{
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
    yajl_gen_array_open(g);
    for (size_t i = 0; i < n; i++)
        yajl_gen_string(g, (const unsigned char *)v[i], strlen(v[i]));
    yajl_gen_array_close(g);
}

static int parse(struct sriov_ctx *ctx, const char *path, const char *data, size_t len,
                 struct sriov__move *m)
{
    char why[SRIOV_JSON_WHY] = "";
    yajl_val root = NULL;
    long long fmt = 0, pid = 0;
    int rc;

    rc = sriov__json_parse(data, len, &root, why);
    if (!rc && !YAJL_IS_OBJECT(root)) {
        snprintf(why, sizeof(why), "not an object");
        rc = -EINVAL;
    }
    if (!rc)
        rc = sriov__json_object_check(root, why);
    if (!rc)
        rc = sriov__json_get_int(root, "format", 1, MOVE_FORMAT, &fmt, why);
    if (!rc)
        rc = sriov__json_get_int(root, "owner_pid", 0, MAX_PID, &pid, why);
    if (!rc)
        rc = get_fixed(root, "uuid", m->uuid, sizeof(m->uuid), why);
    if (!rc)
        rc = get_fixed(root, "name", m->name, sizeof(m->name), why);
    if (!rc)
        rc = get_fixed(root, "owner", m->owner_id, sizeof(m->owner_id), why);
    if (!rc)
        rc = get_phase(root, &m->phase, why);
    if (!rc)
        rc = get_specs(root, m, why);
    if (!rc)
        rc = get_save(root, &m->save, why);
    if (!rc)
        rc = get_pfs(root, "pfs", &m->pfs, &m->n_pfs, why);
    if (!rc)
        rc = get_pfs(root, "enabled_vfs", &m->enabled_vfs, &m->n_enabled_vfs, why);
    m->owner = (pid_t)pid;
    yajl_tree_free(root);
    if (rc) {
        sriov__move_dispose(m);
        return sriov__fail(ctx, rc == -ENOMEM ? rc : -EINVAL, "%s: %s", path,
                           why[0] ? why : strerror(-rc));
    }
    return 0;
}

int sriov__move_load(struct sriov_ctx *ctx, const char *uuid, struct sriov__move *m)
{
    char path[PATH_MAX], *data = NULL, key[PATH_MAX + 8];
    const char *planned;
    size_t len;
    int rc;

    memset(m, 0, sizeof(*m));
    rc = move_path(ctx, uuid, path, sizeof(path));
    if (rc)
        return rc;
    snprintf(key, sizeof(key), "file:%s", path);
    if (sriov__plan_get(ctx, key, &planned)) {
        /* A dry run reads what it would have written. */
        return planned ? parse(ctx, path, planned, strlen(planned), m) : -ENOENT;
    }
    rc = sriov__state_read(ctx, path, &data, &len);
    if (rc == -ENOENT)
        return rc;
    if (rc)
        return sriov__fail(ctx, rc, "cannot read %s: %s", path, strerror(-rc));
    rc = parse(ctx, path, data, len, m);
    free(data);
    if (!rc && strcmp(m->uuid, uuid)) {
        sriov__move_dispose(m);
        rc = sriov__fail(ctx, -EINVAL, "%s names domain %s", path, m->uuid);
    }
    return rc;
}

int sriov__move_save(struct sriov_ctx *ctx, const struct sriov__move *m)
{
    char path[PATH_MAX], dir[PATH_MAX], key[PATH_MAX + 8];
    const unsigned char *buf;
    yajl_gen g = NULL;
    size_t len;
    int rc;

    rc = move_path(ctx, m->uuid, path, sizeof(path));
    if (rc)
        return rc;
    g = yajl_gen_alloc(NULL);
    if (!g)
        return -ENOMEM;
    yajl_gen_map_open(g);
    yajl_gen_string(g, (const unsigned char *)"format", 6);
    yajl_gen_integer(g, MOVE_FORMAT);
    sriov__json_gen_bytes(g, "uuid", m->uuid);
    sriov__json_gen_bytes(g, "name", m->name);
    sriov__json_gen_bytes(g, "phase", sriov__move_phase_name(m->phase));
    sriov__json_gen_bytes(g, "owner", m->owner_id);
    yajl_gen_string(g, (const unsigned char *)"owner_pid", 9);
    yajl_gen_integer(g, m->owner);
    yajl_gen_string(g, (const unsigned char *)"save", 4);
    yajl_gen_bool(g, m->save);
    gen_strings(g, "specs", m->specs, m->n_specs);
    gen_strings(g, "pfs", m->pfs, m->n_pfs);
    gen_strings(g, "enabled_vfs", m->enabled_vfs, m->n_enabled_vfs);
    yajl_gen_map_close(g);
    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
        rc = sriov__fail(ctx, -ENOMEM, "%s: cannot encode the journal", path);
        goto out;
    }
    if (sriov__dry_run(ctx)) {
        sriov__plan(ctx, "state", "%s: domain %s %s, VFs %zu", path, m->name,
                    sriov__move_phase_name(m->phase), m->n_specs);
        snprintf(key, sizeof(key), "file:%s", path);
        rc = sriov__plan_put(ctx, key, (const char *)buf);
        goto out;
    }
    snprintf(dir, sizeof(dir), "%s/" MOVES_DIR, ctx->state_dir);
    rc = sriov__mkdir_p(dir, 0700);
    if (rc) {
        rc = sriov__fail(ctx, rc, "cannot create %s: %s", dir, strerror(-rc));
        goto out;
    }
    rc = sriov__state_write(ctx, path, buf, len);
out:
    yajl_gen_free(g);
    return rc;
}

int sriov__move_delete(struct sriov_ctx *ctx, const char *uuid)
{
    char path[PATH_MAX], key[PATH_MAX + 8];
    int rc = move_path(ctx, uuid, path, sizeof(path));

    if (rc)
        return rc;
    if (sriov__dry_run(ctx)) {
        sriov__plan(ctx, "state", "delete %s", path);
        snprintf(key, sizeof(key), "file:%s", path);
        return sriov__plan_put(ctx, key, NULL);
    }
    if (unlink(path) < 0 && errno != ENOENT)
        return sriov__fail(ctx, -errno, "cannot delete %s: %s", path, strerror(errno));
    sriov__state_clean_temps(ctx, path);
    return 0;
}

int sriov__moves_list(struct sriov_ctx *ctx, char ***uuids, size_t *n)
{
    char dir[PATH_MAX];
    struct dirent *de;
    uint8_t bin[16];
    DIR *d;
    int rc = 0;

    *uuids = NULL;
    *n = 0;
    snprintf(dir, sizeof(dir), "%s/" MOVES_DIR, ctx->state_dir);
    d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : sriov__fail(ctx, -errno, "cannot read %s: %s", dir,
                                                 strerror(errno));
    while (!rc && (de = readdir(d))) {
        size_t len = strlen(de->d_name);
        char uuid[SRIOV_UUID_STR_LEN];

        if (len != SRIOV_UUID_STR_LEN - 1 + 5 || strcmp(de->d_name + len - 5, ".json"))
            continue;
        snprintf(uuid, sizeof(uuid), "%.*s", (int)(len - 5), de->d_name);
        if (!sriov__uuid_parse(uuid, bin))
            rc = sriov__strv_push(uuids, n, strdup(uuid));
    }
    closedir(d);
    return rc;
}
