/*
 * Saved VF settings: one record per VF, <state_dir>/vf-config/<PF>-vf<N>,
 * where <PF> is the PF's BDF, or its interface name when it has none.  The
 * record is plain text, one key=value per line, the settings spelled as
 * sriov_vf_config_set_kv() reads them:
 *
 *   # xen-sriov: settings of a VF before xen-sriov first changed them.
 *   format=1
 *   pf_ifname=enp3s0f0
 *   pf_bdf=0000:03:00.0
 *   vf=3
 *   readable=yes
 *   mac=00:00:00:00:00:00
 *   vlan=0
 *   ...
 *
 * readable=no means the kernel's VF list ended before this VF, so nothing
 * could be saved; restore then applies the documented defaults.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "core/plan.h"
#include "core/statefile.h"
#include "l2/l2.h"
#include "sysfs/sysfs.h"

#define RECORD_FORMAT 1
#define RECORD_DIR "vf-config"
#define TEXT_MAX 2048

int sriov__vf_record_path(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref, char *buf,
                          size_t len)
{
    const char *key = ref->pf_bdf[0] ? ref->pf_bdf : ref->pf_ifname;
    int n;

    if (!sriov__safe_component(key))
        return sriov__fail(ctx, -EINVAL, "'%s' cannot name a record", key);
    n = snprintf(buf, len, "%s/" RECORD_DIR "/%s-vf%u", ctx->state_dir, key, ref->index);
    if (n < 0 || (size_t)n >= len)
        return sriov__fail(ctx, -ENAMETOOLONG, "state directory path too long");
    return 0;
}

/*
 * What the kernel accepts as an interface name (dev_valid_name: no '/', ':' or
 * white space) and this file can hold on one line.  Other bytes, UTF-8 or not,
 * are kept as they are: the record is bytes, not text for a JSON reader.
 */
static bool ifname_ok(const char *name)
{
    struct sriov_vf_ref ref;

    if (!sriov__safe_component(name) || strlen(name) >= sizeof(ref.pf_ifname))
        return false;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        if (*c <= ' ' || *c == 0x7f || *c == ':')
            return false;
    return true;
}

/* A dry run says which settings it would save: the record's lines after its header. */
static void plan_record(struct sriov_ctx *ctx, const struct sriov__vf_record *rec,
                        const char *path, const char *text)
{
    char settings[TEXT_MAX], *p = settings;
    const char *line = strstr(text, "readable=");

    settings[0] = '\0';
    for (line = line ? strchr(line, '\n') : NULL; line && line[1]; line = strchr(line + 1, '\n')) {
        const char *end = strchr(line + 1, '\n');
        size_t n = end ? (size_t)(end - line - 1) : strlen(line + 1);

        p += snprintf(p, sizeof(settings) - (size_t)(p - settings), "%s%.*s",
                      p == settings ? "" : " ", (int)n, line + 1);
        if (p >= settings + sizeof(settings))
            break;
    }
    sriov__plan(ctx, "state", "save the settings of %s/vf%u before changing them, in %s: %s",
                rec->ref.pf_ifname, rec->ref.index, path,
                rec->readable ? settings : "(not readable: restored as a new VF's defaults)");
}

int sriov__vf_record_save(struct sriov_ctx *ctx, const struct sriov__vf_record *rec)
{
    char path[PATH_MAX], dir[PATH_MAX], text[TEXT_MAX];
    int rc, n;

    if (!ifname_ok(rec->ref.pf_ifname))
        return sriov__fail(ctx, -EINVAL, "VF %u: its PF's interface name is not one the kernel "
                           "gives, so its settings are not saved", rec->ref.index);
    rc = sriov__vf_record_path(ctx, &rec->ref, path, sizeof(path));
    if (rc)
        return rc;
    snprintf(dir, sizeof(dir), "%s/" RECORD_DIR, ctx->state_dir);
    rc = sriov__dry_run(ctx) ? 0 : sriov__mkdir_p(dir, 0700);
    if (rc)
        return sriov__fail(ctx, rc, "cannot create %s: %s", dir, strerror(-rc));
    n = snprintf(text, sizeof(text),
                 "# xen-sriov: settings of a VF before xen-sriov first changed them.\n"
                 "# `xl-sriov vf-restore` puts them back and deletes this file.\n"
                 "format=%d\npf_ifname=%s\n%s%s%svf=%u\nreadable=%s\n",
                 RECORD_FORMAT, rec->ref.pf_ifname, rec->ref.pf_bdf[0] ? "pf_bdf=" : "",
                 rec->ref.pf_bdf, rec->ref.pf_bdf[0] ? "\n" : "", rec->ref.index,
                 rec->readable ? "yes" : "no");
    if (n < 0 || (size_t)n >= sizeof(text))
        return sriov__fail(ctx, -ENOSPC, "%s: record too long", path);
    if (rec->readable && sriov__vf_config_text(&rec->cfg, text, sizeof(text)))
        return sriov__fail(ctx, -ENOSPC, "%s: record too long", path);
    if (sriov__dry_run(ctx)) {
        plan_record(ctx, rec, path, text);
        return 0;
    }
    return sriov__state_write(ctx, path, text, strlen(text));
}

static int header_kv(struct sriov_ctx *ctx, const char *path, struct sriov__vf_record *rec,
                     const char *key, const char *value, bool *is_header)
{
    unsigned long v;
    char *end;

    *is_header = true;
    if (!strcmp(key, "format")) {
        if (strcmp(value, "1"))
            return sriov__fail(ctx, -EPROTO, "%s: record format %s is not known to this version",
                               path, value);
    } else if (!strcmp(key, "pf_ifname")) {
        if (!ifname_ok(value))
            return sriov__fail(ctx, -EPROTO, "%s: bad pf_ifname", path);
        strcpy(rec->ref.pf_ifname, value);
    } else if (!strcmp(key, "pf_bdf")) {
        char bdf[SRIOV_BDF_LEN];
        if (sriov__bdf_normalize(value, bdf))
            return sriov__fail(ctx, -EPROTO, "%s: bad pf_bdf", path);
        snprintf(rec->ref.pf_bdf, sizeof(rec->ref.pf_bdf), "%s", bdf);
    } else if (!strcmp(key, "vf")) {
        errno = 0;
        v = strtoul(value, &end, 10);
        if (errno || *end || end == value || v > 0xffff)
            return sriov__fail(ctx, -EPROTO, "%s: bad vf", path);
        rec->ref.index = (unsigned int)v;
    } else if (!strcmp(key, "readable")) {
        rec->readable = !strcmp(value, "yes");
    } else {
        *is_header = false;
    }
    return 0;
}

int sriov__vf_record_load(struct sriov_ctx *ctx, const char *path, struct sriov__vf_record *rec)
{
    char *data = NULL, *line, *save = NULL;
    size_t len;
    int rc;

    memset(rec, 0, sizeof(*rec));
    rc = sriov__state_read(ctx, path, &data, &len);
    if (rc)
        goto out;
    for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        bool is_header;

        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!eq) {
            rc = sriov__fail(ctx, -EPROTO, "%s: line '%s' is not key=value", path, line);
            goto out;
        }
        *eq = '\0';
        rc = header_kv(ctx, path, rec, line, eq + 1, &is_header);
        if (!rc && !is_header)
            rc = sriov_vf_config_set_kv(ctx, &rec->cfg, line, eq + 1);
        if (rc) {
            char why[SRIOV_ERR_LEN];
            snprintf(why, sizeof(why), "%s", sriov_ctx_last_error(ctx));
            rc = sriov__fail(ctx, -EPROTO, "%s: %s", path, why);
            goto out;
        }
    }
    if (!rec->ref.pf_ifname[0]) {
        rc = sriov__fail(ctx, -EPROTO, "%s: record names no interface", path);
        goto out;
    }
    rc = 0;
out:
    free(data);
    return rc;
}

bool sriov__vf_record_exists(const struct sriov_ctx *ctx, const char *path)
{
    char key[PATH_MAX + 8];
    const char *planned;

    snprintf(key, sizeof(key), "file:%s", path);
    if (sriov__plan_get(ctx, key, &planned))
        return planned != NULL;
    return access(path, F_OK) == 0;
}

int sriov__vf_record_delete(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref)
{
    char path[PATH_MAX];
    int rc;

    rc = sriov__vf_record_path(ctx, ref, path, sizeof(path));
    if (rc)
        return rc;
    if (sriov__dry_run(ctx)) {
        char key[PATH_MAX + 8];

        if (!sriov__vf_record_exists(ctx, path))
            return 0;
        sriov__plan(ctx, "state", "delete %s (settings restored)", path);
        snprintf(key, sizeof(key), "file:%s", path);
        return sriov__plan_put(ctx, key, NULL);
    }
    if (unlink(path) < 0 && errno != ENOENT)
        return sriov__fail(ctx, -errno, "cannot delete %s: %s", path, strerror(errno));
    /* The record is gone for good: so is any temp file a crashed save left (the
     * caller holds the PF's lock, as every writer of this record does). */
    sriov__state_clean_temps(ctx, path);
    return 0;
}

int sriov_vf_config_pending(struct sriov_ctx *ctx, struct sriov_vf_ref **refs, size_t *n)
{
    char dir[PATH_MAX], path[PATH_MAX];
    struct sriov_vf_ref *out = NULL;
    struct sriov__vf_record rec;
    size_t count = 0;
    struct dirent *de;
    DIR *d = NULL;
    int rc = 0;

    *refs = NULL;
    *n = 0;
    snprintf(dir, sizeof(dir), "%s/" RECORD_DIR, ctx->state_dir);
    d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        return sriov__fail(ctx, -errno, "cannot read %s: %s", dir, strerror(errno));
    }
    while ((de = readdir(d))) {
        struct sriov_vf_ref *grown;

        /* Skip dot files and temp files a crash left behind mid-write. */
        if (de->d_name[0] == '.' || strstr(de->d_name, ".tmp."))
            continue;
        if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
            continue;
        rc = sriov__vf_record_load(ctx, path, &rec);
        if (rc)
            goto out;
        grown = realloc(out, (count + 1) * sizeof(*out));
        if (!grown) {
            rc = -ENOMEM;
            goto out;
        }
        out = grown;
        out[count++] = rec.ref;
    }
    *refs = out;
    *n = count;
    out = NULL;
out:
    free(out);
    closedir(d);
    return rc;
}
