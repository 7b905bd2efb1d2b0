/* Giving a VF to a domain and taking it back, step by step with rollback
 * (steps.c, release.c; xenstore publishing in xs.c). */
#ifndef SRIOV_ASSIGN_STEPS_H
#define SRIOV_ASSIGN_STEPS_H

#include <stdbool.h>

#include "assign/records.h"
#include "config/vfreq.h"
#include "hv/hv.h"

struct sriov__dom_id {
    uint8_t uuid[16];
    uint32_t domid;
    char name[64];
    unsigned int slot;           /* which of the domain's VFs: keys the stable MAC */
};

/* Reserve, enable VFs, check isolation, apply L2, make assignable, and with
 * attach also pci_add + record.  On failure everything done is undone and the
 * error names the step.  Caller holds the assignments lock and passes the
 * loaded records, which are saved as steps complete. */
int sriov__assign_prepare(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                          const struct sriov__dom_id *dom, const struct sriov__vf_req *req,
                          int prefer_node, unsigned int flags, bool attach, size_t *rec_index);
/* The same in two halves, for a domain that is not there yet (arriving by
 * migration or restore): reserve (reserve, enable VFs, isolation: what can be
 * known, and refused, before anything is set on the VF), then complete (L2,
 * driver_override, assignable_add, with attach pci_add + record).  Either half
 * undoes everything on failure.  The caller holds the assignments lock during
 * each half (not necessarily between them: its owner lock keeps the reservation). */
int sriov__assign_reserve(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                          const struct sriov__dom_id *dom, const struct sriov__vf_req *req,
                          int prefer_node, unsigned int flags, size_t *rec_index);
int sriov__assign_complete(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                           size_t i, const struct sriov__dom_id *dom,
                           const struct sriov__vf_req *req, bool attach);
/* Mark attached to dom and publish in xenstore. */
int sriov__assign_commit(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                         size_t i, const struct sriov_hv_domain *dom);
/* Undo every completed step of record i in reverse order and drop it.  best_effort
 * (rollback, gc): carry on past failures; else stop at the first and keep the
 * record with the steps still done. */
int sriov__assign_release(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                          size_t i, bool best_effort);

/* gc.c: finish or undo what processes that are gone left behind (steps.c's top
 * comment says what, per phase); with gc also give back the VFs of domains that
 * definitely no longer exist.  Caller holds the assignments lock.  A record the
 * hypervisor cannot decide on is kept and reported; the first error is returned,
 * and *released (may be NULL) counts the records given back. */
int sriov__recover(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                   bool gc, unsigned int *released);
/* The same for commands that only tidy up before their own work: failures are
 * logged as warnings, never the command's error. */
void sriov__recover_quietly(struct sriov_ctx *ctx, struct sriov_hv *hv,
                            struct sriov__recs *recs);

/* For steps.c and release.c: prefix the recorded reason with the VF and the step
 * that failed (r may be NULL before the VF is known). */
int sriov__step_failed(struct sriov_ctx *ctx, int rc, const struct sriov_assignment *r,
                       const char *step);
/* "pciback", or "" to clear the override. */
int sriov__vf_driver_override(struct sriov_ctx *ctx, const char *vf, const char *value);

/* xs.c: /xen-sriov/<uuid>/<vf>/{pf,index,network,mac,domid}. */
int sriov__xs_publish(struct sriov_hv *hv, const struct sriov_assignment *r);
/* /xen-sriov/<uuid>/<vf as 0000-03-10-2>: xenstore allows no ':' or '.' in paths. */
void sriov__xs_vf_path(const char *uuid, const char *vf, char *path, size_t len);
/* Remove the VF's node, and the domain's when no other record of it is published. */
int sriov__xs_unpublish(struct sriov_hv *hv, const struct sriov__recs *recs, size_t i);
/* Every VF node of ours, /xen-sriov/<uuid>/<vf> with a pf under it, read at once
 * (for reconcile, which looks up every VF of the host). */
struct sriov__xs_node {
    char vf[SRIOV_BDF_LEN];      /* as the node is named: 0000-03-10-2 */
    char uuid[SRIOV_UUID_STR_LEN];
    size_t order;                /* xenstore's order */
};
struct sriov__xs_nodes {
    struct sriov__xs_node *v;    /* sorted by vf, then order */
    size_t n;
};
int sriov__xs_nodes_read(struct sriov_hv *hv, struct sriov__xs_nodes *out);
/* The domain (UUID) listed first with a node for vf (a BDF), "" if none. */
void sriov__xs_nodes_find(const struct sriov__xs_nodes *nodes, const char *vf,
                          char out[SRIOV_UUID_STR_LEN]);
void sriov__xs_nodes_dispose(struct sriov__xs_nodes *nodes);

#endif
