/*
 * The libxlutil glue (xlcfg.h).  A domain config is read the way
 * `xl create CFG KEY=VALUE...` reads it: the overrides are appended to the
 * file's text as extra lines, so the last assignment wins exactly as in xl.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxl.h>
#include <libxlutil.h>

#include "internal.h"
#include "config/xlcfg.h"
#include "core/statefile.h"
#include "hv/hv.h"

struct sriov__xlcfg {
    XLU_Config *cfg;
    char *path;
    char *text;                  /* file plus overrides, for line look-ups */
    FILE *report_stream;         /* libxlutil's warnings land in report */
    char *report;
    size_t report_len;
};

/* Bigger than any xl config; bounds what a wrong path (a device, a log) costs. */
#define CONFIG_MAX_BYTES (16u << 20)

/*
 * A user's config file.  Unlike a state file (core/statefile.c opens those with
 * O_NOFOLLOW, since nobody but us should have put a link there), it may be a
 * symlink: /etc/xen/auto/ holds links to the real configs.  It must be a regular
 * file of text: libxlutil's lexer asserts on a NUL byte, so one is refused here,
 * naming its line.
 */
static int read_config(struct sriov_ctx *ctx, const char *path, char **data, size_t *len)
{
    const char *nul;
    char *buf = NULL;
    size_t got = 0;
    int line = 1, rc;

    *data = NULL;
    *len = 0;
    rc = sriov__read_file(ctx, path, false, CONFIG_MAX_BYTES, "config file", &buf, &got);
    if (rc == -ENOENT)
        rc = sriov__fail(ctx, -ENOENT, "%s: no such config file", path);
    if (rc)
        goto out;
    nul = memchr(buf, '\0', got);
    if (nul) {
        for (const char *p = buf; p < nul; p++)
            line += *p == '\n';
        rc = sriov__fail(ctx, -EINVAL, "%s line %d: a NUL byte: not a text file", path, line);
        goto out;
    }
    *data = buf;
    *len = got;
    buf = NULL;
out:
    free(buf);
    return rc;
}

int sriov__xlcfg_load(struct sriov_ctx *ctx, const char *path, char *const *args, size_t n_args,
                      struct sriov__xlcfg **ret)
{
    struct sriov__xlcfg *c = NULL;
    char *data = NULL;
    size_t len = 0, tlen;
    int rc;

    *ret = NULL;
    rc = read_config(ctx, path, &data, &len);
    if (rc)
        return rc;
    c = calloc(1, sizeof(*c));
    tlen = len + 1;
    for (size_t i = 0; i < n_args; i++)
        tlen += strlen(args[i]) + 1;
    if (c)
        c->text = malloc(tlen + 1);
    if (!c || !c->text) {
        rc = -ENOMEM;
        goto out;
    }
    memcpy(c->text, data, len);
    c->text[len] = '\n';
    tlen = len + 1;
    for (size_t i = 0; i < n_args; i++) {
        if (!strchr(args[i], '='))
            continue; /* an xl create option such as -p, not a KEY=VALUE */
        tlen += (size_t)sprintf(c->text + tlen, "%s\n", args[i]);
    }
    c->text[tlen] = '\0';

    /* libxlutil reports syntax errors (with line numbers) on a stream: keep them. */
    c->report_stream = open_memstream(&c->report, &c->report_len);
    if (c->report_stream)
        c->cfg = xlu_cfg_init(c->report_stream, path);
    c->path = strdup(path);
    if (!c->cfg || !c->path) {
        rc = -ENOMEM;
        goto out;
    }
    if (xlu_cfg_readdata(c->cfg, c->text, (int)tlen)) {
        fflush(c->report_stream);
        rc = sriov__fail(ctx, -EINVAL, "%s: %s", path,
                         c->report && *c->report ? c->report : "syntax error");
        goto out;
    }
    *ret = c;
    c = NULL;
out:
    free(data);
    sriov__xlcfg_free(c);
    return rc;
}

void sriov__xlcfg_free(struct sriov__xlcfg *c)
{
    if (!c)
        return;
    if (c->cfg)
        xlu_cfg_destroy(c->cfg);
    if (c->report_stream)
        fclose(c->report_stream);
    free(c->report);
    free(c->text);
    free(c->path);
    free(c);
}

const char *sriov__xlcfg_path(const struct sriov__xlcfg *c)
{
    return c->path;
}

const char *sriov__xlcfg_text(const struct sriov__xlcfg *c)
{
    return c->text;
}

/* libxlutil's errno values (ESRCH: not defined) as the library's. */
static int from_xlu(int e)
{
    return e == ESRCH ? -ENOENT : -e;
}

const char *sriov__xlcfg_string(const struct sriov__xlcfg *c, const char *key)
{
    const char *v = NULL;

    return xlu_cfg_get_string(c->cfg, key, &v, 1) ? NULL : v;
}

int sriov__xlcfg_passthrough(const char *value, bool *set)
{
    libxl_passthrough pt;

    *set = false;
    if (!value)
        return 0;
    if (libxl_passthrough_from_string(value, &pt))
        return -EINVAL;
    *set = pt != LIBXL_PASSTHROUGH_DEFAULT && pt != LIBXL_PASSTHROUGH_DISABLED;
    return 0;
}

int sriov__xlcfg_long(const struct sriov__xlcfg *c, const char *key, long *out)
{
    long v;
    int e = xlu_cfg_get_long(c->cfg, key, &v, 1);

    if (e)
        return from_xlu(e);
    *out = v;
    return 0;
}

static int get_list(const struct sriov__xlcfg *c, const char *key, XLU_ConfigList **list,
                    int *n)
{
    int e = xlu_cfg_get_list(c->cfg, key, list, n, 1);

    return e ? from_xlu(e) : 0;
}

int sriov__xlcfg_list_count(const struct sriov__xlcfg *c, const char *key)
{
    XLU_ConfigList *list;
    int n = 0, rc = get_list(c, key, &list, &n);

    return rc ? rc : n;
}

const char *sriov__xlcfg_list_item(const struct sriov__xlcfg *c, const char *key, size_t i)
{
    XLU_ConfigList *list;
    int n = 0;

    if (get_list(c, key, &list, &n) || i >= (size_t)n)
        return NULL;
    return xlu_cfg_get_listitem(list, (int)i);
}

/* Item i of the list key, itself a list. */
static int get_sublist(const struct sriov__xlcfg *c, const char *key, size_t i,
                       XLU_ConfigList **items)
{
    XLU_ConfigList *list;
    XLU_ConfigValue *value;
    int n = 0;

    if (get_list(c, key, &list, &n) || i >= (size_t)n ||
        !(value = xlu_cfg_get_listitem2(list, (int)i)))
        return -ENOENT;
    if (xlu_cfg_value_type(value) != XLU_LIST || xlu_cfg_value_get_list(c->cfg, value, items, 1))
        return -EINVAL;
    return 0;
}

int sriov__xlcfg_sublist_count(const struct sriov__xlcfg *c, const char *key, size_t i)
{
    XLU_ConfigList *items;
    int n = 0, rc = get_sublist(c, key, i, &items);

    if (rc)
        return rc;
    while (xlu_cfg_get_listitem2(items, n))
        n++;
    return n;
}

const char *sriov__xlcfg_sublist_item(const struct sriov__xlcfg *c, const char *key, size_t i,
                                      size_t j)
{
    XLU_ConfigList *items;

    if (get_sublist(c, key, i, &items) || j > INT_MAX)
        return NULL;
    return xlu_cfg_get_listitem(items, (int)j);
}

/*
 * xlu_pci_parse_spec_string sets exactly the fields the spec names and leaves
 * the others as they were, so the spec is parsed twice, from opposite starting
 * values: a field that comes out the same both times was named.  That way
 * libxlutil stays the only parser of the options.
 *
 * libxlutil takes options only after a device: an options-only spec is handed
 * to it behind a placeholder device, whose address is then ignored.
 */
int sriov__xlcfg_pci_parse(const char *spec, char bdf[SRIOV_BDF_LEN],
                           struct sriov_hv_pci_opts *opts, char **why)
{
    libxl_device_pci a, b;
    XLU_Config *cfg = NULL;
    char *full = NULL, *report = NULL;
    size_t rlen = 0;
    FILE *f = NULL;
    int rc;

    if (why)
        *why = NULL;
    libxl_device_pci_init(&a);
    libxl_device_pci_init(&b);
    a.vdevfn = 0;
    a.permissive = a.seize = a.msitranslate = a.power_mgmt = false;
    a.rdm_policy = LIBXL_RDM_RESERVE_POLICY_INVALID;
    b.vdevfn = UINT32_MAX; /* never a parsed one: vslot is 0 to 0x1f */
    b.permissive = b.seize = b.msitranslate = b.power_mgmt = true;
    b.rdm_policy = LIBXL_RDM_RESERVE_POLICY_STRICT;

    f = open_memstream(&report, &rlen);
    cfg = f ? xlu_cfg_init(f, "pci") : NULL;
    if (!bdf)
        spec = full = sriov__asprintf("0000:00:00.0,%s", spec);
    if (!cfg || !spec) {
        rc = -ENOMEM;
        goto out;
    }
    if (xlu_pci_parse_spec_string(cfg, &a, spec) || xlu_pci_parse_spec_string(cfg, &b, spec)) {
        fflush(f);
        if (why)
            *why = strdup(report ? report : "");
        rc = -EINVAL;
        goto out;
    }
#define GIVEN(field) (a.field == b.field)
    opts->vdevfn = GIVEN(vdevfn) ? (int)a.vdevfn : -1;
    opts->permissive = GIVEN(permissive) ? a.permissive : -1;
    opts->seize = GIVEN(seize) ? a.seize : -1;
    opts->msitranslate = GIVEN(msitranslate) ? a.msitranslate : -1;
    opts->power_mgmt = GIVEN(power_mgmt) ? a.power_mgmt : -1;
    opts->rdm_policy = !GIVEN(rdm_policy) ? -1
                       : a.rdm_policy == LIBXL_RDM_RESERVE_POLICY_STRICT ? 0 : 1;
#undef GIVEN
    if (bdf)
        snprintf(bdf, SRIOV_BDF_LEN, "%04x:%02x:%02x.%x", (unsigned int)a.domain & 0xffff, a.bus,
                 a.dev, a.func & 7u);
    rc = 0;
out:
    if (cfg)
        xlu_cfg_destroy(cfg);
    if (f)
        fclose(f);
    free(report);
    free(full);
    libxl_device_pci_dispose(&a);
    libxl_device_pci_dispose(&b);
    return rc;
}
