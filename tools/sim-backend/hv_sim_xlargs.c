/*
 * xl's side of the simulated `xl migrate`, `xl save` and `xl restore`
 * (hv_sim_migrate.c): their command lines, taken as xl 4.17 takes them, and
 * the checks xl and libxl make before a domain leaves or arrives.
 *
 * xl reads each command's options with GNU getopt_long (def_getopt in
 * tools/xl/xl_utils.c): options may come after the operands, "--" ends them,
 * a long option may be cut to an unambiguous prefix, -h or --help prints the
 * help and exits 0 on the spot, an unknown option or a missing argument exits
 * 2, and so do too few operands.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "config/xlcfg.h"
#include "hv_sim.h"

/* SWITCH_FOREACH_OPT's option strings and long options, Xen 4.17. */
static const char *const migrate_long[] = { "debug", "live", "help", NULL };
static const char *const save_long[] = { "help", NULL };
static const char *const restore_long[] = { "vncviewer", "vncviewer-autopass", "help", NULL };
const struct sim_xl_cmd sim_xl_migrate = { "migrate", "FC:s:epD", migrate_long, 2 };
const struct sim_xl_cmd sim_xl_save = { "save", "cpD", save_long, 2 };
const struct sim_xl_cmd sim_xl_restore = { "restore", "FcpdeVA", restore_long, 1 };

int sim_xl_failed(struct sriov_hv *hv, const char *verb, int status, const char *fmt, ...)
{
    char why[SRIOV_ERR_LEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    return sriov__fail(hv->ctx, -EIO, "xl %s failed (exit status %d): %s", verb, status, why);
}

/* --NAME[=VALUE] as getopt_long matches it: the name, or a prefix of only one;
 * none of xl's long options here takes a value. */
static const char *long_opt(const struct sim_xl_cmd *cmd, const char *arg)
{
    size_t len = strcspn(arg, "=");
    const char *found = NULL;
    int matches = 0;

    for (const char *const *o = cmd->longopts; *o; o++) {
        if (strncmp(*o, arg, len))
            continue;
        if (strlen(*o) == len) {
            found = *o;
            matches = 1;
            break;
        }
        found = *o;
        matches++;
    }
    return matches == 1 && !arg[len] ? found : NULL;
}

int sim_xl_parse(struct sriov_hv *hv, const struct sim_xl_cmd *cmd, char *const *args,
                 size_t n, struct sim_xl_args *a)
{
    memset(a, 0, sizeof(*a));
    a->ops = calloc(n + 1, sizeof(*a->ops));
    if (!a->ops)
        return -ENOMEM;
    for (size_t i = 0; i < n && !a->help; i++) {
        const char *s = args[i], *name;
        if (!strcmp(s, "--")) {
            while (++i < n)
                a->ops[a->n_ops++] = args[i];
            break;
        }
        if (s[0] != '-' || !s[1]) {
            a->ops[a->n_ops++] = args[i];
            continue;
        }
        if (s[1] == '-') {
            if (!(name = long_opt(cmd, s + 2)))
                return sim_xl_failed(hv, cmd->verb, 2, "option `%s' not supported.", s);
            a->help = !strcmp(name, "help");
            continue;
        }
        /* A cluster of short options; one that takes an argument ends it. */
        for (s++; *s && !a->help; s++) {
            const char *o = *s != ':' ? strchr(cmd->shortopts, *s) : NULL;
            if (*s == 'h') {
                a->help = true;
            } else if (!o || (o[1] == ':' && !s[1] && i + 1 == n)) {
                return sim_xl_failed(hv, cmd->verb, 2, "option `%c' not supported.", *s);
            } else if (o[1] == ':') {
                a->opt[(unsigned char)*s] = s[1] ? s + 1 : args[++i];
                break;
            } else {
                a->opt[(unsigned char)*s] = "";
            }
        }
    }
    if (!a->help && a->n_ops < cmd->reqargs)
        return sim_xl_failed(hv, cmd->verb, 2, "'xl %s' requires at least %zu argument%s.",
                             cmd->verb, cmd->reqargs, cmd->reqargs > 1 ? "s" : "");
    return 0;
}

int sim_xl_domain(struct sriov_hv *hv, const char *verb, const char *spec,
                  struct sriov_hv_domain *dom, struct sim_lines *lines)
{
    struct sim_hv *sim = (struct sim_hv *)hv;
    char file[PATH_MAX];
    int rc;

    lines->v = NULL;
    lines->n = 0;
    /* xl's find_domain(): a UUID, a domid or a name (the sim's lookup is the same). */
    rc = hv->ops->domain_by_name_or_id(hv, spec, dom);
    if (rc == -ENOENT)
        return sim_xl_failed(hv, verb, 1, "%s is an invalid domain identifier (rc=-6)", spec);
    if (!rc)
        rc = sim_domain_file(sim, dom->uuid, file, sizeof(file));
    if (!rc)
        rc = sim_lines_read(sim, file, lines);
    if (!rc && !lines->n)
        rc = sim_xl_failed(hv, verb, 1, "%s is an invalid domain identifier (rc=-6)", spec);
    /* Xen's paging_log_dirty_enable() refuses a domain with a passthrough device
     * (-EINVAL), and libxc says so. */
    for (size_t i = 0; i < lines->n && !rc; i++)
        if (!strncmp(lines->v[i], "pci ", 4))
            rc = sim_xl_failed(hv, verb, 1, "xc: error: Failed to enable logdirty: 22,0,22 "
                               "(22 = Invalid argument): Internal error (domain %s still has "
                               "PCI device %s)", dom->name, lines->v[i] + 4);
    if (rc)
        sim_lines_free(lines);
    return rc;
}

int sim_xl_config(struct sriov_hv *hv, const char *verb, const char *path,
                  struct sriov_hv_domain *dom, char pt[SIM_PT_LEN])
{
    struct sriov__xlcfg *c = NULL;
    const char *v;
    int rc;

    rc = sriov__xlcfg_load(hv->ctx, path, NULL, 0, &c);
    if (rc)
        return sim_xl_failed(hv, verb, 1, "unable to read overridden config file: %s",
                             hv->ctx->last_error);
    v = sriov__xlcfg_string(c, "name");
    if (v && (!*v || strlen(v) >= sizeof(dom->name) || !sriov__utf8_printable(v)))
        rc = sim_xl_failed(hv, verb, 1, "%s: bad name '%s'", path, v);
    else if (v)
        snprintf(dom->name, sizeof(dom->name), "%s", v);
    /* As xl's parse_config_data: a config that sets no uuid= gets a new one. */
    v = sriov__xlcfg_string(c, "uuid");
    if (!rc && v && sriov__uuid_parse(v, dom->uuid))
        rc = sim_xl_failed(hv, verb, 1, "Failed to parse UUID: %s", v);
    if (!rc && !v && sriov__uuid_generate(dom->uuid))
        rc = sim_xl_failed(hv, verb, 1, "no random UUID: %s", strerror(errno));
    v = sriov__xlcfg_string(c, "passthrough");
    pt[0] = '\0';
    if (!rc && v && !sim_passthrough_known(v))
        rc = sim_xl_failed(hv, verb, 1, "unknown passthrough option '%s'", v);
    else if (!rc && v)
        snprintf(pt, SIM_PT_LEN, "%s", v);
    sriov__xlcfg_free(c);
    return rc;
}

int sim_xl_clash(struct sriov_hv *hv, const char *verb, struct sim_hv *at,
                 const struct sriov_hv_domain *dom, bool domid_too, const uint8_t *ignore)
{
    struct sriov_hv_domain *doms = NULL;
    char u[SRIOV_UUID_STR_LEN];
    size_t n = 0;
    int rc;

    rc = at->hv.ops->domain_list(&at->hv, &doms, &n);
    for (size_t i = 0; i < n && !rc; i++) {
        const struct sriov_hv_domain *d = &doms[i];
        if (ignore && !memcmp(d->uuid, ignore, 16))
            continue;
        sriov__uuid_format(d->uuid, u);
        if (!memcmp(d->uuid, dom->uuid, 16))
            rc = sim_xl_failed(hv, verb, 1, "a domain with UUID %s is already running "
                               "(%s, domid %u)", u, d->name, d->domid);
        else if (!strcmp(d->name, dom->name))
            rc = sim_xl_failed(hv, verb, 1, "domain '%s' already exists with ID '%u'",
                               d->name, d->domid);
        else if (domid_too && d->domid == dom->domid)
            rc = sim_xl_failed(hv, verb, 1, "domain id %u is in use (%s)", d->domid,
                               d->name);
    }
    free(doms);
    return rc;
}

bool sim_passthrough_known(const char *value)
{
    bool set;

    return !sriov__xlcfg_passthrough(value, &set) && strlen(value) < SIM_PT_LEN;
}

int sim_passthrough_lines(struct sim_lines *l, const char *value, size_t n_pci)
{
    char line[SIM_PT_LEN + 16];
    bool set = false, disabled = false;
    int rc = 0;

    if (value && *value) {
        sriov__xlcfg_passthrough(value, &set);
        disabled = !set && strcasecmp(value, "default") != 0;
        snprintf(line, sizeof(line), "passthrough %s", value);
        rc = sim_lines_add(l, line);
    }
    /* libxl: what the config says, or else on only for a domain built with devices. */
    if (!rc && (disabled || (!set && n_pci == 0)))
        rc = sim_lines_add(l, "passthrough-off");
    return rc;
}

int sim_domain_lines(struct sim_lines *out, const uint32_t *domid, const char *name,
                     const struct sim_lines *from, const char *passthrough)
{
    const char *kept = NULL;
    char line[96];
    size_t n_pci = 0;
    int rc = 0;

    out->v = NULL;
    out->n = 0;
    if (domid) {
        snprintf(line, sizeof(line), "domid %u", *domid);
        rc = sim_lines_add(out, line);
    }
    snprintf(line, sizeof(line), "name %s", name);
    if (!rc)
        rc = sim_lines_add(out, line);
    for (size_t i = 0; i < from->n && !rc; i++) {
        const char *s = from->v[i];
        if (!strncmp(s, "passthrough ", 12))
            kept = s + 12;
        else if (!strncmp(s, "pci ", 4))
            n_pci++;
        if (strncmp(s, "domid ", 6) && strncmp(s, "name ", 5) && strncmp(s, "uuid ", 5) &&
            strncmp(s, "passthrough", 11))
            rc = sim_lines_add(out, s);
    }
    if (!rc)
        rc = sim_passthrough_lines(out, passthrough ? passthrough : kept, n_pci);
    if (rc)
        sim_lines_free(out);
    return rc;
}
