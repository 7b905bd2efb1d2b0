/* xl domain configs read with libxlutil (xlcfg.c); internal. */
#ifndef SRIOV_XLCFG_H
#define SRIOV_XLCFG_H

#include <stdio.h>

#include <libxl.h>
#include <libxlutil.h>

struct sriov_ctx;

struct sriov_xlcfg {
    XLU_Config *cfg;
    char *path;
    char *text;                  /* file plus overrides, for line look-ups */
    FILE *report_stream;         /* libxlutil's warnings land in report */
    char *report;
    size_t report_len;
};

/* Read path and apply the KEY=VALUE items of args (others are skipped). */
int sriov__xlcfg_load(struct sriov_ctx *ctx, const char *path, char *const *args, size_t n_args,
                      struct sriov_xlcfg *out);
void sriov__xlcfg_dispose(struct sriov_xlcfg *c);
/* Line of the first occurrence of needle in the text, 0 if not found: libxlutil
 * does not tell where a value came from, and errors must name the line. */
int sriov__xlcfg_line_of(const struct sriov_xlcfg *c, const char *needle);
/* A string setting, or NULL if absent. */
const char *sriov__xlcfg_string(const struct sriov_xlcfg *c, const char *key);

#endif
