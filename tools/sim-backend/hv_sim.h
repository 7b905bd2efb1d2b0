/* The simulated host's backends, shared between hv_sim.c (domains, xenstore,
 * faults), hv_sim_pci.c (what libxl does to sysfs and to its assignable list),
 * hv_sim_create.c (xl create) and nl_sim.c (VF L2 settings). */
#ifndef SRIOV_HV_SIM_H
#define SRIOV_HV_SIM_H

struct sriov_nl;

#include "hv/hv.h"

struct sim_hv {
    struct sriov_hv hv;          /* first: hv_sim.c casts between the two */
    char *dir;
    int lock_fd;                 /* held while lock_depth > 0 */
    int lock_depth;              /* re-entrant: ops call each other under the lock */
};

/* A text file as lines; missing files read as empty. */
struct sim_lines {
    char **v;
    size_t n;
};

int sim_path(struct sim_hv *sim, char *buf, size_t len, const char *name);
int sim_lines_read(struct sim_hv *sim, const char *name, struct sim_lines *out);
int sim_lines_write(struct sim_hv *sim, const char *name, const struct sim_lines *l);
int sim_lines_add(struct sim_lines *l, const char *line);
bool sim_lines_remove(struct sim_lines *l, const char *line);
bool sim_lines_has(const struct sim_lines *l, const char *line);
void sim_lines_free(struct sim_lines *l);
/* flock on DIR/lock around every read-modify-write of the sim's files. */
int sim_lock(struct sim_hv *sim, int *fd);
void sim_unlock(struct sim_hv *sim, int fd);
/* An operation's start: fail if fail-at names it, else take the lock. */
int sim_begin(struct sriov_hv *hv, const char *op, int *lockfd);
/* -EIO, with the reason recorded, when DIR/fail-at names step. */
int sim_fails(struct sriov_ctx *ctx, const char *dir, const char *step);
int sim_fault(struct sriov_hv *hv, const char *step);
/* After step took effect: SIGKILL this process if fail-at has "kill-after:step". */
void sim_crash_after(struct sriov_ctx *ctx, const char *dir, const char *step);
void sim_after(struct sriov_hv *hv, const char *step);
/* The backends' entry points (module.c exports them). */
int sim_hv_open(struct sriov_ctx *ctx, const char *arg, struct sriov_hv **ret);
int sim_nl_open(struct sriov_ctx *ctx, const char *arg, struct sriov_nl **ret);
int sim_domain_create(struct sriov_hv *hv, const char *cfg_path, char *const *args,
                      size_t n_args, const uint8_t uuid[16], struct sriov_hv_domain *out);
/* xenstore (hv_sim.c) */
int sim_xs_write(struct sriov_hv *hv, const char *path, const char *value);
int sim_xs_read(struct sim_hv *sim, const char *path, char **value);
int sim_xs_rm(struct sriov_hv *hv, const char *path);
/* domains (hv_sim.c) */
int sim_domain_file(struct sim_hv *sim, const uint8_t uuid[16], char *name, size_t len);
int sim_device_owner(struct sriov_hv *hv, const char *bdf, struct sriov_hv_domain *out);
/* hv_sim_pci.c */
int sim_assignable_add(struct sriov_hv *hv, const char *bdf);
int sim_assignable_remove(struct sriov_hv *hv, const char *bdf, bool rebind);
int sim_is_assignable(struct sriov_hv *hv, const char *bdf);
int sim_pci_add(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf,
                const struct sriov_hv_pci_opts *opts);
int sim_pci_remove(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf);
int sim_pci_add_locked(struct sim_hv *sim, const struct sriov_hv_domain *dom, const char *bdf);

#endif
