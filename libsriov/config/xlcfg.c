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
    struct stat st;
    const char *nul;
    char *buf = NULL;
    size_t got = 0;
    int fd = -1, line = 1, rc = 0;

    *data = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO is refused, not waited on */
    if (fd < 0) {
        rc = errno == ENOENT ? sriov__fail(ctx, -ENOENT, "%s: no such config file", path)
                             : sriov__fail(ctx, -errno, "cannot open %s: %s", path,
                                           strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rc = sriov__fail(ctx, -EINVAL, "%s is not a regular file", path);
        goto out;
    }
    if ((unsigned long long)st.st_size > CONFIG_MAX_BYTES) {
        rc = sriov__fail(ctx, -EFBIG, "%s: %lld bytes is too big for a config file", path,
                         (long long)st.st_size);
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        rc = -ENOMEM;
        goto out;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = sriov__fail(ctx, -errno, "cannot read %s: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
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
    if (fd >= 0)
        close(fd);
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

/*
 * Where a value stands in the text.  libxlutil keeps no positions of values, so
 * the text is scanned again with the lexer's rules as far as positions go
 * (libxlu_cfg_l.l): '#' comments to the end of the line, strings in '' or ""
 * with backslash escapes, lists in [ ], and settings NAME = VALUE at the top level,
 * each starting a line or following a ';'.  The text has parsed already, so it is
 * well formed.
 */
enum tok { T_END, T_NAME, T_ATOM, T_OPEN, T_CLOSE, T_COMMA, T_EQ, T_SEMI, T_NL };

struct lexer {
    const char *p;
    int line;
};

/* The next token: its type, and its start and line in *start and *line. */
static enum tok next_tok(struct lexer *lx, const char **start, int *line)
{
    const char *p = lx->p;
    enum tok t;

    for (;;) {
        if (*p == '#')
            p += strcspn(p, "\n");
        else if (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        else
            break;
    }
    *start = p;
    *line = lx->line;
    switch (*p) {
    case '\0':
        t = T_END;
        break;
    case '\n':
        lx->line++;
        p++;
        t = T_NL;
        break;
    case '[':
    case ']':
    case ',':
    case '=':
    case ';':
        t = *p == '[' ? T_OPEN : *p == ']' ? T_CLOSE : *p == ',' ? T_COMMA
          : *p == '=' ? T_EQ : T_SEMI;
        p++;
        break;
    case '\'':
    case '"': {
        char quote = *p++;
        while (*p && *p != quote && *p != '\n')
            p += *p == '\\' && p[1] && p[1] != '\n' ? 2 : 1;
        if (*p == quote)
            p++;
        t = T_ATOM;
        break;
    }
    default:
        t = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ? T_NAME : T_ATOM;
        p += strcspn(p, " \t\r\n#[],=;'\"");
        if (p == *start)
            p++; /* never stand still */
        break;
    }
    lx->p = p;
    return t;
}

/* The next token that is not a line break (they only end settings). */
static enum tok next_in_value(struct lexer *lx, const char **start, int *line)
{
    enum tok t;

    while ((t = next_tok(lx, start, line)) == T_NL)
        ;
    return t;
}

/* Past the ']' that closes the list whose '[' was just read. */
static void skip_list(struct lexer *lx)
{
    const char *start;
    int line, depth = 1;

    while (depth > 0) {
        enum tok t = next_in_value(lx, &start, &line);
        if (t == T_END)
            return;
        depth += t == T_OPEN ? 1 : t == T_CLOSE ? -1 : 0;
    }
}

/* The line of item want of the list whose '[' was just read; 0 if there is none.
 * With sub >= 0, item sub of that item, itself a list. */
static int item_line(struct lexer *lx, int want, int sub)
{
    const char *start;
    int line, i = 0;

    for (;;) {
        enum tok t = next_in_value(lx, &start, &line);
        if (t == T_END || t == T_CLOSE)
            return 0;
        if (t == T_COMMA) {
            i++;
            continue;
        }
        if (i == want)
            return sub < 0 ? line : t == T_OPEN ? item_line(lx, sub, -1) : 0;
        if (t == T_OPEN)
            skip_list(lx);
    }
}

int sriov__xlcfg_line(const struct sriov__xlcfg *c, const char *key, int i, int j)
{
    struct lexer lx = { c->text, 1 }, value = { NULL, 0 };
    const char *start;
    enum tok t, prev = T_NL;
    size_t klen = strlen(key);
    int line, key_line = 0, depth = 0;

    if (!c->text)
        return 0;
    /* The last assignment counts, as in xl. */
    while ((t = next_tok(&lx, &start, &line)) != T_END) {
        if (t == T_OPEN)
            depth++;
        else if (t == T_CLOSE && depth > 0)
            depth--;
        else if (t == T_NAME && depth == 0 && (prev == T_NL || prev == T_SEMI) &&
                 !strncmp(start, key, klen) && lx.p == start + klen) {
            struct lexer eq = lx;
            const char *s2;
            int l2;
            if (next_tok(&eq, &s2, &l2) == T_EQ) {
                value = eq;
                key_line = line;
            }
        }
        prev = t;
    }
    if (!key_line || i < 0)
        return key_line;
    return next_in_value(&value, &start, &line) == T_OPEN ? item_line(&value, i, j) : 0;
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
