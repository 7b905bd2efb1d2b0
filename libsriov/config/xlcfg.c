/*
 * Reading an xl domain config with libxlutil the way `xl create CFG KEY=VALUE...`
 * does: the overrides are appended to the file's text as extra lines, so the
 * last assignment wins exactly as in xl.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "config/xlcfg.h"
#include "core/statefile.h"

int sriov__xlcfg_load(struct sriov_ctx *ctx, const char *path, char *const *args, size_t n_args,
                      struct sriov_xlcfg *out)
{
    char *data = NULL, *text = NULL;
    size_t len = 0, tlen;
    FILE *report = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = sriov__state_read(ctx, path, &data, &len);
    if (rc == -ENOENT)
        return sriov__fail(ctx, rc, "%s: no such config file", path);
    if (rc)
        return rc;
    tlen = len + 1;
    for (size_t i = 0; i < n_args; i++)
        tlen += strlen(args[i]) + 1;
    text = malloc(tlen + 1);
    if (!text) {
        rc = -ENOMEM;
        goto out;
    }
    memcpy(text, data, len);
    text[len] = '\n';
    tlen = len + 1;
    for (size_t i = 0; i < n_args; i++) {
        if (!strchr(args[i], '='))
            continue; /* an xl create option such as -p, not a KEY=VALUE */
        tlen += (size_t)sprintf(text + tlen, "%s\n", args[i]);
    }
    text[tlen] = '\0';

    /* libxlutil reports syntax errors (with line numbers) on a stream: keep them. */
    report = open_memstream(&out->report, &out->report_len);
    if (!report) {
        rc = -ENOMEM;
        goto out;
    }
    out->report_stream = report;
    out->cfg = xlu_cfg_init(report, path);
    if (!out->cfg) {
        rc = -ENOMEM;
        goto out;
    }
    if (xlu_cfg_readdata(out->cfg, text, (int)tlen)) {
        fflush(report);
        rc = sriov__fail(ctx, -EINVAL, "%s: %s", path,
                         out->report && *out->report ? out->report : "syntax error");
        goto out;
    }
    out->text = text;
    text = NULL;
    out->path = strdup(path);
    if (!out->path)
        rc = -ENOMEM;
out:
    free(data);
    free(text);
    if (rc)
        sriov__xlcfg_dispose(out);
    return rc;
}

void sriov__xlcfg_dispose(struct sriov_xlcfg *c)
{
    if (c->cfg)
        xlu_cfg_destroy(c->cfg);
    if (c->report_stream)
        fclose(c->report_stream);
    free(c->report);
    free(c->text);
    free(c->path);
    memset(c, 0, sizeof(*c));
}

int sriov__xlcfg_line_of(const struct sriov_xlcfg *c, const char *needle)
{
    const char *hit;
    int line = 1;

    if (!c->text || !(hit = strstr(c->text, needle)))
        return 0;
    for (const char *p = c->text; p < hit; p++)
        line += *p == '\n';
    return line;
}

const char *sriov__xlcfg_string(const struct sriov_xlcfg *c, const char *key)
{
    const char *v = NULL;

    return xlu_cfg_get_string(c->cfg, key, &v, 1) ? NULL : v;
}
