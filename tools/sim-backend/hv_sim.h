/* The simulated host's backends, shared between hv_sim.c (domains, xenstore,
 * faults), hv_sim_pci.c (what libxl does to sysfs and to its assignable list),
 * hv_sim_holders.c (who has which device), hv_sim_create.c (xl create),
 * hv_sim_migrate.c (vifs, xl migrate, save and restore, over hv_sim_xlargs.c's
 * xl command lines) and nl_sim.c (VF L2 settings). */
#ifndef SRIOV_HV_SIM_H
#define SRIOV_HV_SIM_H

struct sriov_nl;

#include "sriov.h"
#include "hv/hv.h"

struct sim_hv {
    struct sriov_hv hv;          /* first: hv_sim.c casts between the two */
    char *dir;
    int lock_fd;                 /* held while lock_depth > 0 */
    int lock_depth;              /* re-entrant: ops call each other under the lock */
    struct sim_index *index;     /* DIR/domains.index, once read (hv_sim_index.c) */
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
/* The next domid of sim (DIR/next-domid), taken; the caller holds sim's lock. */
int sim_next_domid(struct sim_hv *sim, uint32_t *domid);
/* xenstore (hv_sim.c) */
int sim_xs_write(struct sriov_hv *hv, const char *path, const char *value);
int sim_xs_read(struct sim_hv *sim, const char *path, char **value);
int sim_xs_rm(struct sriov_hv *hv, const char *path);
/* domains (hv_sim.c) */
int sim_domain_file(struct sim_hv *sim, const uint8_t uuid[16], char *name, size_t len);
/* A domain's file (uuid_str its name): -ENOENT when there is none. */
int sim_domain_load(struct sim_hv *sim, const char *uuid_str, struct sriov_hv_domain *out,
                    struct sim_lines *lines);
/* The same from DIR/domains open as dirfd, for walks over every domain: de its
 * entry; lines may point into w (sim_walk_lines_free frees what does not).
 * Good for one domain at a time: the next call reuses w. */
struct dirent;
struct sim_walk {
    char buf[4096];
    char *v[64];
};
int sim_domain_load_at(struct sim_hv *sim, int dirfd, const struct dirent *de,
                       struct sim_walk *w, struct sriov_hv_domain *out,
                       struct sim_lines *lines);
/* fn(dom, its lines, arg) for every domain, in readdir's order, until fn returns
 * non-zero (returned): each domain's file read once. */
int sim_each_domain(struct sim_hv *sim,
                    int (*fn)(const struct sriov_hv_domain *dom, const struct sim_lines *l,
                              void *arg),
                    void *arg);
/* hv_sim_index.c: what the domain files of the last walks said.  The content
 * of file name (st->st_size bytes, not NUL-terminated), if the index has it
 * for the file as st finds it (then marked seen by this walk); NULL if not. */
struct stat;
struct sim_index;
const char *sim_index_get(struct sim_hv *sim, const char *name, const struct stat *st);
/* What name held (st: the file as it was read), kept when it is old enough. */
void sim_index_put(struct sim_hv *sim, const char *name, const struct stat *st,
                   const char *data, size_t len);
/* A walk is over (complete: it listed every file, and what it did not see is
 * gone): write DIR/domains.index when it changed. */
void sim_index_walked(struct sim_hv *sim, bool complete);
void sim_index_free(struct sim_index *ix);
void sim_walk_lines_free(struct sim_walk *w, struct sim_lines *lines);
/* hv_sim_pci.c */
int sim_assignable_add(struct sriov_hv *hv, const char *bdf);
int sim_assignable_remove(struct sriov_hv *hv, const char *bdf, bool rebind);
int sim_is_assignable(struct sriov_hv *hv, const char *bdf);
int sim_pci_add(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf,
                const struct sriov_hv_pci_opts *opts);
int sim_pci_remove(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf);
int sim_pci_destroy(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf);
int sim_pci_add_locked(struct sim_hv *sim, const struct sriov_hv_domain *dom, const char *bdf);
/* hv_sim_holders.c: the ops device_owner and assigned_devices; sim_holder() is
 * the sim's own check (no fault point, no trace line): 0, or -ENOENT. */
int sim_device_owner(struct sriov_hv *hv, const char *bdf, struct sriov_hv_domain *out);
int sim_assigned_devices(struct sriov_hv *hv, struct sriov_hv_assignment **out, size_t *n);
int sim_holder(struct sim_hv *sim, const char *bdf, struct sriov_hv_domain *out);

/* hv_sim_migrate.c: the vif, migration, save and restore ops of hv.h. */
int sim_domain_passthrough(struct sriov_hv *hv, const struct sriov_hv_domain *dom, bool *kept);
int sim_nic_list(struct sriov_hv *hv, const struct sriov_hv_domain *dom, char ***macs,
                 char ***bridges, size_t *n);
int sim_nic_add(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *mac,
                const char *bridge);
int sim_domain_migrate(struct sriov_hv *hv, char *const *args, size_t n_args);
int sim_domain_save(struct sriov_hv *hv, char *const *args, size_t n_args);
int sim_domain_restore(struct sriov_hv *hv, char *const *args, size_t n_args,
                       struct sriov_hv_domain *out);
int sim_saved_domain(struct sriov_hv *hv, const char *path, struct sriov_hv_domain *out);

/* hv_sim_xlargs.c: xl's command lines and checks, for hv_sim_migrate.c. */
struct sim_xl_cmd {
    const char *verb;
    const char *shortopts;       /* as getopt takes them; -h is every command's */
    const char *const *longopts; /* none takes an argument */
    size_t reqargs;              /* fewer operands: xl exits 2 */
};
extern const struct sim_xl_cmd sim_xl_migrate, sim_xl_save, sim_xl_restore;
struct sim_xl_args {
    const char *opt[128];        /* a short option's argument, "" for a flag, NULL if absent */
    char **ops;                  /* the operands in order (malloc'd array; the caller frees it) */
    size_t n_ops;
    bool help;                   /* -h/--help: xl prints its help and exits 0, doing nothing */
};
/* args as xl's getopt_long takes them: 0 (also for -h), or xl's exit status 2. */
int sim_xl_parse(struct sriov_hv *hv, const struct sim_xl_cmd *cmd, char *const *args,
                 size_t n, struct sim_xl_args *a);
/* xl exiting with status after printing why: -EIO, as the libxl backend reports it. */
int sim_xl_failed(struct sriov_hv *hv, const char *verb, int status, const char *fmt, ...)
    SRIOV_PRINTF(4, 5);
/* The domain spec names, as xl's find_domain() takes it, with its file's lines;
 * refused as by Xen when it still has a PCI device. */
int sim_xl_domain(struct sriov_hv *hv, const char *verb, const char *spec,
                  struct sriov_hv_domain *dom, struct sim_lines *lines);
/* A config given instead of the domain's own (migrate -C, save's and restore's
 * config operand): the sim takes its name=, uuid= and passthrough= (into pt,
 * "" when it sets none), and nothing else. */
#define SIM_PT_LEN 32
int sim_xl_config(struct sriov_hv *hv, const char *verb, const char *path,
                  struct sriov_hv_domain *dom, char pt[SIM_PT_LEN]);
/* dom cannot arrive at sim at if its UUID or name (or, with domid_too, its domid)
 * is taken there, not counting the domain whose UUID is ignore. */
int sim_xl_clash(struct sriov_hv *hv, const char *verb, struct sim_hv *at,
                 const struct sriov_hv_domain *dom, bool domid_too, const uint8_t *ignore);
/* A domain file's lines: "domid N" (unless domid is NULL), "name NAME", then
 * from's other lines but any "uuid" (what the domain takes along: its vifs),
 * "passthrough VALUE" (passthrough, or from's when NULL; none for "") and, as
 * libxl decides when it builds the domain from that config, "passthrough-off"
 * when VALUE does not turn passthrough on and the domain has no PCI device. */
int sim_domain_lines(struct sim_lines *out, const uint32_t *domid, const char *name,
                     const struct sim_lines *from, const char *passthrough);
/* value is a passthrough= that xl knows and the sim can keep (shorter than
 * SIM_PT_LEN). */
bool sim_passthrough_known(const char *value);
/* The "passthrough" and "passthrough-off" lines for a domain built from a config
 * whose passthrough= is value (NULL or "": none; checked by the caller), with
 * n_pci devices. */
int sim_passthrough_lines(struct sim_lines *l, const char *value, size_t n_pci);

#endif
