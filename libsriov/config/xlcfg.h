/*
 * The libxlutil glue (xlcfg.c): xl-syntax files (domain configs, sriov.cfg) and
 * PCI_SPEC_STRINGs read by libxlutil, handed on in the library's own types.
 * xlcfg.c is the only file besides hv/hv_libxl*.c that includes libxl.h or
 * libxlutil.h; nothing here shows their types.
 *
 * Settings are looked up by name; values are borrowed from the config and valid
 * until sriov__xlcfg_free().  Where a key is set more than once, the last one
 * counts, as in xl.
 */
#ifndef SRIOV_CONFIG_XLCFG_H
#define SRIOV_CONFIG_XLCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

struct sriov_ctx;
struct sriov_hv_pci_opts;
struct sriov__xlcfg;

/* Read path and apply the KEY=VALUE items of args (others are skipped), as
 * `xl create path args...` does.  Syntax errors fail with libxlutil's report.
 * path may be a symlink; a file holding a NUL byte is refused (libxlutil would
 * abort on it). */
int sriov__xlcfg_load(struct sriov_ctx *ctx, const char *path, char *const *args, size_t n_args,
                      struct sriov__xlcfg **ret);
void sriov__xlcfg_free(struct sriov__xlcfg *c);
/* The path it was read from, for messages. */
const char *sriov__xlcfg_path(const struct sriov__xlcfg *c);
/* The line of the setting KEY (i < 0), of item i of its list (j < 0), or of item
 * j of the list that is item i; 0 if there is none.  libxlutil does not tell where
 * a value came from, and errors must name the line.  Where KEY is set more than
 * once, the last one counts. */
int sriov__xlcfg_line(const struct sriov__xlcfg *c, const char *key, int i, int j);
/* The text that was parsed: the file plus the override lines (xlcfg_lines.c
 * scans it for sriov__xlcfg_line). */
const char *sriov__xlcfg_text(const struct sriov__xlcfg *c);

/* KEY = "string": the string, or NULL if absent or a list. */
const char *sriov__xlcfg_string(const struct sriov__xlcfg *c, const char *key);
/* KEY = NUMBER (also written "NUMBER"): 0, -ENOENT if absent, -EINVAL or -ERANGE
 * if it is not a number. */
int sriov__xlcfg_long(const struct sriov__xlcfg *c, const char *key, long *out);
/* A passthrough= value as libxl reads it (libxl_passthrough_from_string, any
 * case): *set is true for one that turns passthrough on by itself (enabled,
 * sync_pt, share_pt), false for NULL, default or disabled; -EINVAL for a
 * value libxl does not know. */
int sriov__xlcfg_passthrough(const char *value, bool *set);

/* The domain's UUID through a move with a configuration of its own
 * (xlcfg_uuid.c): xl gives a domain it builds from CONFIG (save's CONFIG,
 * migrate -C, restore's CONFIG) a new random UUID unless CONFIG sets uuid=.
 * check: -EINVAL if c sets a uuid= that is not uuid (or no UUID at all); *sets
 * says whether it sets one.  pin: the same check, then a private copy of c's
 * text as parsed, with uuid = "UUID" added unless it sets it (had_uuid), for
 * xl to read at out->path (/proc/PID/fd/N of out->fd, PID ours: a child such
 * as xl opens it while we wait for it), until sriov__xlcfg_pinned_dispose(). */
struct sriov__xlcfg_pinned {
    int fd;
    char *path;
    bool had_uuid;
};
int sriov__xlcfg_uuid_check(struct sriov_ctx *ctx, const struct sriov__xlcfg *c,
                            const uint8_t uuid[16], bool *sets);
int sriov__xlcfg_pin(struct sriov_ctx *ctx, const struct sriov__xlcfg *c,
                     const uint8_t uuid[16], struct sriov__xlcfg_pinned *out);
void sriov__xlcfg_pinned_dispose(struct sriov__xlcfg_pinned *p);
/* args of an xl command line with args[i] replaced by pin->path: *copy (free()
 * it; its strings are args' and pin's). */
int sriov__xlcfg_pin_arg(const struct sriov__xlcfg_pinned *pin, char *const *args,
                         size_t n_args, size_t i, char ***copy);

/* KEY = [ ... ]: the number of items; -ENOENT if absent, -EINVAL if not a list. */
int sriov__xlcfg_list_count(const struct sriov__xlcfg *c, const char *key);
/* Item i of the list KEY; NULL if it is not a string or there is no such item. */
const char *sriov__xlcfg_list_item(const struct sriov__xlcfg *c, const char *key, size_t i);
/* KEY = [ [ ... ], ... ]: the number of items of the list that is item i of KEY;
 * -ENOENT if there is no such item, -EINVAL if it is not a list. */
int sriov__xlcfg_sublist_count(const struct sriov__xlcfg *c, const char *key, size_t i);
/* Item j of the list that is item i of KEY; NULL if it is not a string or there
 * is no such item. */
const char *sriov__xlcfg_sublist_item(const struct sriov__xlcfg *c, const char *key, size_t i,
                                      size_t j);

/*
 * One PCI_SPEC_STRING as written in pci= ("BDF[@VSLOT][,KEY=VALUE...]"), read by
 * libxlutil's xlu_pci_parse_spec_string: the device into bdf (canonical form) and
 * the options into *opts, -1 for each option the spec does not give.  With bdf
 * NULL, spec is only the options ("KEY=VALUE,...", as a vf= entry has them before
 * a VF is chosen).  -EINVAL if libxlutil refuses it, then *why (if why is not
 * NULL) gets libxlutil's complaint, NULL or "" when it gave none; free() it.
 */
int sriov__xlcfg_pci_parse(const char *spec, char bdf[SRIOV_BDF_LEN],
                           struct sriov_hv_pci_opts *opts, char **why);

#endif
