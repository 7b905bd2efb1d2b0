/* VF L2 settings: values (vfconfig.c), which VF (vfref.c), the saved originals
 * (vfrecord.c) and applying/restoring them (vfapply.c) through the netlink seam
 * (nl.h). */
#ifndef SRIOV_L2_H
#define SRIOV_L2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* vfconfig.c: VF network settings as values (no I/O). */
/* The settings of a freshly created VF, applied when a saved VF was unreadable. */
void sriov__vf_config_fresh(struct sriov_vf_config *cfg);
/* The strict MAC syntax every caller shares: six pairs of hex digits and colons. */
int sriov__parse_mac(const char *s, uint8_t mac[6]);
/* A key sriov_vf_config_set_kv() knows. */
bool sriov__vf_config_key(const char *key);
/* Copy every field present in src over dst. */
void sriov__vf_config_overlay(struct sriov_vf_config *dst, const struct sriov_vf_config *src);
/* sriov_vf_config_set_kv() for a file's key: where names the origin in the error. */
int sriov__vf_config_set_kv_at(struct sriov_ctx *ctx, struct sriov_vf_config *cfg,
                               const char *where, const char *key, const char *val);
/* Append "key=value\n" for every present field. */
int sriov__vf_config_text(const struct sriov_vf_config *cfg, char *buf, size_t len);

/* The VFs of one PF as the kernel reports them (l2/nl.h reads them). */
struct sriov__vf_list {
    unsigned int num_vfs;         /* IFLA_NUM_VF: VFs the PF has */
    unsigned int n_read;          /* entries the kernel's VF list held */
    struct sriov_vf_config *cfgs; /* indexed by VF number, num_vfs entries */
    bool *readable;               /* num_vfs entries */
};
void sriov__vf_list_dispose(struct sriov__vf_list *list);

/* vfref.c */
/* The PF interface's driver ("ixgbe", "netdevsim"), or "its driver" when unknown. */
void sriov__netdev_driver(struct sriov_ctx *ctx, const char *ifname, char *buf, size_t len);

/* vfrecord.c: saved VF settings, <state_dir>/vf-config/<PF>-vf<N>. */
struct sriov__vf_record {
    struct sriov_vf_ref ref;
    bool readable;                /* false: the VF was past the kernel's truncated list */
    struct sriov_vf_config cfg;
};
int sriov__vf_record_path(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref, char *buf,
                          size_t len);
int sriov__vf_record_save(struct sriov_ctx *ctx, const struct sriov__vf_record *rec);
/* -ENOENT (nothing recorded) when there is no record. */
int sriov__vf_record_load(struct sriov_ctx *ctx, const char *path, struct sriov__vf_record *rec);
/* Whether the record at path exists (for a dry run: after its planned deletes). */
bool sriov__vf_record_exists(const struct sriov_ctx *ctx, const char *path);
int sriov__vf_record_delete(struct sriov_ctx *ctx, const struct sriov_vf_ref *ref);

#endif
