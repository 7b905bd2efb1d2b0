/*
 * The simulated hypervisor's side of moving a domain (hv_sim.c lists its files):
 * vifs as "nic MAC BRIDGE" lines of the domain file, its config's passthrough
 * as a "passthrough VALUE" line (written at creation), and `xl migrate`, `xl save`
 * and `xl restore`, their command lines taken as xl 4.17 takes them
 * (hv_sim_xlargs.c).  Whatever makes the real xl exit non-zero fails here as
 * the libxl backend reports it: -EIO, with the exit status and xl's reason.
 *
 * Like Xen, migration and save refuse a domain that still has a PCI device
 * (they need log-dirty mode).  A migration moves the domain file to the sim
 * directory DIR/peers names for HOST: the domain gets that directory's next
 * domid, keeps its UUID, name and vifs, and leaves this directory last.  A save
 * file is SAVE_MAGIC, "uuid U", and the domain file's lines (its "domid" only
 * with -D); restore gives it the next domid unless it has one.  A failure leaves
 * the domain where it was.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "config/xlcfg.h"
#include "core/statefile.h"
#include "l2/l2.h"
#include "hv_sim.h"

#define SAVE_MAGIC "xen-sriov-sim saved domain"

/* ------------------------------------------------------------------ vifs */

/* The lines of dom's file; -ENOENT when it has gone. */
static int read_domain(struct sriov_hv *hv, const struct sriov_hv_domain *dom,
                        struct sim_lines *l)
{
    char file[PATH_MAX];
    int rc = sim_domain_file((struct sim_hv *)hv, dom->uuid, file, sizeof(file));

    if (!rc)
        rc = sim_lines_read((struct sim_hv *)hv, file, l);
    if (!rc && !l->n)
        rc = sriov__fail(hv->ctx, -ENOENT, "domain %s (%u) no longer exists", dom->name,
                         dom->domid);
    return rc;
}

int sim_domain_passthrough(struct sriov_hv *hv, const struct sriov_hv_domain *dom, bool *kept)
{
    struct sim_lines l = { 0 };
    int rc;

    *kept = false;
    rc = sim_fault(hv, "domain_passthrough");
    if (!rc)
        rc = read_domain(hv, dom, &l);
    for (size_t i = 0; !rc && i < l.n; i++)
        if (!strncmp(l.v[i], "passthrough ", 12))
            rc = sriov__xlcfg_passthrough(l.v[i] + 12, kept);
    sim_lines_free(&l);
    return rc;
}

int sim_nic_list(struct sriov_hv *hv, const struct sriov_hv_domain *dom, char ***macs,
                 char ***bridges, size_t *n)
{
    struct sim_lines l = { 0 };
    size_t n_macs = 0, n_bridges = 0;
    int rc;

    *macs = *bridges = NULL;
    *n = 0;
    rc = sim_fault(hv, "nic_list");
    if (!rc)
        rc = read_domain(hv, dom, &l);
    for (size_t i = 0; i < l.n && !rc; i++) {
        char mac[32], bridge[32];
        if (sscanf(l.v[i], "nic %31s %31s", mac, bridge) != 2)
            continue;
        rc = sriov__strv_push(macs, &n_macs, strdup(mac));
        if (!rc)
            rc = sriov__strv_push(bridges, &n_bridges, strdup(strcmp(bridge, "-") ? bridge : ""));
    }
    sim_lines_free(&l);
    if (rc) {
        sriov__strv_free(*macs, n_macs);
        sriov__strv_free(*bridges, n_bridges);
        *macs = *bridges = NULL;
        return rc;
    }
    *n = n_macs;
    return 0;
}

/* A name the kernel would give a network device (dev_valid_name), "-" aside. */
static bool bridge_valid(const char *b)
{
    return strlen(b) < 16 && strcmp(b, ".") && strcmp(b, "..") && strcmp(b, "-") &&
           !b[strcspn(b, "/: \t\n")];
}

int sim_nic_add(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *mac,
                const char *bridge)
{
    struct sim_hv *sim = (struct sim_hv *)hv;
    struct sim_lines l = { 0 };
    char file[PATH_MAX], line[64], want[20];
    uint8_t m[6];
    int lockfd = -1, rc;

    rc = sim_begin(hv, "nic_add", &lockfd);
    if (rc)
        goto out;
    if (sriov__parse_mac(mac, m))
        rc = sriov__fail(hv->ctx, -EINVAL, "cannot add a vif to domain %s: bad MAC '%s'",
                         dom->name, mac);
    else if (!bridge_valid(bridge))
        rc = sriov__fail(hv->ctx, -EINVAL, "cannot add a vif to domain %s: bad bridge '%s'",
                         dom->name, bridge);
    else
        rc = read_domain(hv, dom, &l);
    if (rc)
        goto out;
    snprintf(want, sizeof(want), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
             m[5]);
    for (size_t i = 0; i < l.n && !rc; i++)
        if (!strncmp(l.v[i], "nic ", 4) && !strncmp(l.v[i] + 4, want, 17) && l.v[i][21] == ' ')
            rc = sriov__fail(hv->ctx, -EEXIST, "domain %s already has a vif with MAC %s",
                             dom->name, want);
    snprintf(line, sizeof(line), "nic %s %s", want, *bridge ? bridge : "-");
    if (!rc)
        rc = sim_lines_add(&l, line);
    if (!rc)
        rc = sim_domain_file(sim, dom->uuid, file, sizeof(file));
    if (!rc)
        rc = sim_lines_write(sim, file, &l);
out:
    sim_lines_free(&l);
    sim_unlock(sim, lockfd);
    if (!rc)
        sim_after(hv, "nic_add");
    return rc;
}

/* ------------------------------------------------------------- migration */

/* HOST's sim directory (malloc'd): the line of DIR/peers whose text after the
 * first word is exactly HOST; that word, relative to DIR unless absolute. */
static int peer_dir(struct sriov_hv *hv, const char *host, char **dir)
{
    struct sim_hv *sim = (struct sim_hv *)hv;
    struct sim_lines l;
    int rc;

    *dir = NULL;
    rc = sim_lines_read(sim, "peers", &l);
    for (size_t i = 0; i < l.n && !rc && !*dir; i++) {
        const char *line = l.v[i];
        size_t w = strcspn(line, " \t");
        if (!line[w] || strcmp(line + w + strspn(line + w, " \t"), host))
            continue;
        *dir = line[0] == '/' ? strndup(line, w)
                              : sriov__asprintf("%s/%.*s", sim->dir, (int)w, line);
        if (!*dir)
            rc = -ENOMEM;
    }
    sim_lines_free(&l);
    if (!rc && !*dir)
        rc = sim_xl_failed(hv, "migrate", 1, "%s: no such host (%s/peers has no line for it)",
                           host, sim->dir);
    return rc;
}

/* Lock this sim and the destination's, in the order of their real paths so that
 * two migrations in opposite directions cannot deadlock.  *to is peer, or this
 * sim itself for a migration to localhost (then locked once). */
static int lock_both(struct sriov_hv *hv, struct sim_hv *peer, struct sim_hv **to,
                     int *here_fd, int *peer_fd)
{
    struct sim_hv *sim = (struct sim_hv *)hv;
    char here[PATH_MAX], there[PATH_MAX], domains[PATH_MAX + 8];
    int cmp, rc;

    if (!realpath(sim->dir, here))
        return sriov__fail(hv->ctx, -errno, "sim: %s: %s", sim->dir, strerror(errno));
    if (!realpath(peer->dir, there))
        return sim_xl_failed(hv, "migrate", 1, "cannot reach the destination: %s: %s",
                             peer->dir, strerror(errno));
    snprintf(domains, sizeof(domains), "%s/domains", there);
    rc = sriov__mkdir_p(domains, 0755);
    if (rc)
        return sriov__fail(hv->ctx, rc, "sim: cannot create %s: %s", domains, strerror(-rc));
    cmp = strcmp(here, there);
    *to = cmp ? peer : sim;
    if (cmp > 0)
        rc = sim_lock(peer, peer_fd);
    if (!rc)
        rc = sim_lock(sim, here_fd);
    if (!rc && cmp < 0)
        rc = sim_lock(peer, peer_fd);
    return rc;
}

/* The domain as it arrives at to: with -C that config's name and UUID, and a
 * domid of to's (with -D its own, if free there). */
static int arrival(struct sriov_hv *hv, struct sim_hv *to, const struct sim_xl_args *a,
                   const struct sriov_hv_domain *dom, struct sriov_hv_domain *moved,
                   char pt[SIM_PT_LEN])
{
    bool localhost = to == (struct sim_hv *)hv;
    int rc = 0;

    *moved = *dom;
    if (a->opt['C'])
        rc = sim_xl_config(hv, "migrate", a->opt['C'], moved, pt);
    /* To localhost the domain is there twice for a while, both with its domid. */
    if (!rc)
        rc = sim_xl_clash(hv, "migrate", to, moved, a->opt['D'] != NULL,
                          localhost && !a->opt['D'] ? dom->uuid : NULL);
    if (!rc && !a->opt['D'])
        rc = sim_next_domid(to, &moved->domid);
    return rc;
}

/* Remove name from sim; on failure remove undo from to (if any), so that a
 * domain is never in two places. */
static int remove_file(struct sriov_hv *hv, struct sim_hv *sim, const char *name,
                       struct sim_hv *to, const char *undo)
{
    char path[PATH_MAX];
    int rc = 0;

    sim_path(sim, path, sizeof(path), name);
    if (unlink(path) < 0) {
        rc = sriov__fail(hv->ctx, -errno, "sim: cannot remove %s: %s", path, strerror(errno));
        if (undo && !sim_path(to, path, sizeof(path), undo))
            unlink(path);
    }
    return rc;
}

int sim_domain_migrate(struct sriov_hv *hv, char *const *args, size_t n_args)
{
    struct sim_hv *sim = (struct sim_hv *)hv, peer = { .hv = *hv, .lock_fd = -1 }, *to = sim;
    struct sim_lines from = { 0 }, lines = { 0 };
    struct sriov_hv_domain dom, moved;
    char old_file[PATH_MAX], new_file[PATH_MAX], pt[SIM_PT_LEN] = "";
    struct sim_xl_args a = { 0 };
    int here_fd = -1, peer_fd = -1, rc;

    rc = sim_fault(hv, "domain_migrate");
    if (!rc)
        rc = sim_xl_parse(hv, &sim_xl_migrate, args, n_args, &a);
    if (rc || a.help)
        goto out;
    /* As xl does it: the domain, the connection to HOST, then the stream. */
    rc = peer_dir(hv, a.ops[1], &peer.dir);
    if (!rc)
        rc = lock_both(hv, &peer, &to, &here_fd, &peer_fd);
    if (!rc)
        rc = sim_xl_domain(hv, "migrate", a.ops[0], &dom, &from);
    if (!rc)
        rc = arrival(hv, to, &a, &dom, &moved, pt);
    /* The receiving xl, which the destination's fail-at can make fail. */
    if (!rc)
        rc = sim_fails(hv->ctx, to->dir, "migrate_receive");
    if (!rc)
        rc = sim_domain_lines(&lines, &moved.domid, moved.name, &from,
                              a.opt['C'] ? pt : NULL);
    if (rc)
        goto out;
    sim_domain_file(sim, dom.uuid, old_file, sizeof(old_file));
    sim_domain_file(to, moved.uuid, new_file, sizeof(new_file));
    rc = sim_lines_write(to, new_file, &lines);
    if (!rc && (to != sim || strcmp(old_file, new_file)))
        rc = remove_file(hv, sim, old_file, to, new_file);
out:
    sim_unlock(&peer, peer_fd);
    sim_unlock(sim, here_fd);
    sim_lines_free(&from);
    sim_lines_free(&lines);
    free(a.ops);
    free(peer.dir);
    sim_index_free(peer.index); /* read if the walks went over the peer's domains */
    if (!rc)
        sim_after(hv, "domain_migrate");
    return rc;
}

/* ------------------------------------------------------- save and restore */

int sim_domain_save(struct sriov_hv *hv, char *const *args, size_t n_args)
{
    struct sim_hv *sim = (struct sim_hv *)hv;
    struct sim_lines from = { 0 }, lines = { 0 };
    struct sriov_hv_domain dom = { 0 }, saved;
    char file[PATH_MAX], u[SRIOV_UUID_STR_LEN], *buf = NULL, pt[SIM_PT_LEN] = "";
    struct sim_xl_args a = { 0 };
    int lockfd = -1, rc;
    size_t len = 0;
    FILE *f;

    rc = sim_fault(hv, "domain_save");
    if (!rc)
        rc = sim_xl_parse(hv, &sim_xl_save, args, n_args, &a);
    if (rc || a.help)
        goto out;
    if (a.n_ops > 3) {
        rc = sim_xl_failed(hv, "save", 1, "Usage: xl save [options] <Domain> <CheckpointFile> "
                           "[<ConfigFile>]");
        goto out;
    }
    rc = sim_lock(sim, &lockfd);
    if (!rc)
        rc = sim_xl_domain(hv, "save", a.ops[0], &dom, &from);
    saved = dom;
    if (!rc && a.n_ops == 3)
        rc = sim_xl_config(hv, "save", a.ops[2], &saved, pt);
    /* -D stores the domid in the saved configuration. */
    if (!rc)
        rc = sim_domain_lines(&lines, a.opt['D'] ? &saved.domid : NULL, saved.name, &from,
                              a.n_ops == 3 ? pt : NULL);
    if (rc)
        goto out;
    if (!(f = open_memstream(&buf, &len))) {
        rc = -ENOMEM;
        goto out;
    }
    sriov__uuid_format(saved.uuid, u);
    fprintf(f, SAVE_MAGIC "\nuuid %s\n", u);
    for (size_t i = 0; i < lines.n; i++)
        fprintf(f, "%s\n", lines.v[i]);
    fclose(f);
    rc = sriov__state_write(hv->ctx, a.ops[1], buf, len);
    if (rc) {
        rc = sim_xl_failed(hv, "save", 1, "Failed to open temp file %s for writing: %s",
                           a.ops[1], strerror(-rc));
        goto out;
    }
    /* -c and -p leave the domain running (-p paused, which the sim does not show). */
    if (!a.opt['c'] && !a.opt['p'] && !sim_domain_file(sim, dom.uuid, file, sizeof(file)))
        rc = remove_file(hv, sim, file, NULL, NULL);
out:
    sim_unlock(sim, lockfd);
    sim_lines_free(&from);
    sim_lines_free(&lines);
    free(a.ops);
    free(buf);
    if (!rc)
        sim_after(hv, "domain_save");
    return rc;
}

/* A save file: its domain (domid UINT32_MAX when the file has none) and lines.
 * Errors as reading it says them (xl's words, not yet "xl restore failed"):
 * -ENOENT and the like when it cannot be read, -EINVAL when it is not a save
 * file. */
static int read_save(struct sriov_hv *hv, const char *path, struct sriov_hv_domain *dom,
                     struct sim_lines *lines)
{
    char *data = NULL, *save = NULL, *line;
    bool uuid = false;
    size_t len;
    int rc;

    memset(dom, 0, sizeof(*dom));
    dom->domid = UINT32_MAX;
    rc = sriov__read_file(hv->ctx, path, false, 1 << 20, "saved domain", &data, &len);
    if (rc)
        return sriov__fail(hv->ctx, rc, "Can't open restore file: %s",
                           rc == -ENOENT ? strerror(ENOENT) : hv->ctx->last_error);
    line = strtok_r(data, "\n", &save);
    if (!line || strcmp(line, SAVE_MAGIC))
        rc = sriov__fail(hv->ctx, -EINVAL, "%s: File has wrong magic number - corrupt or "
                         "for a different tool?", path);
    while (!rc && (line = strtok_r(NULL, "\n", &save))) {
        if (!strncmp(line, "uuid ", 5))
            uuid = !sriov__uuid_parse(line + 5, dom->uuid);
        else if (!strncmp(line, "domid ", 6))
            dom->domid = (uint32_t)strtoul(line + 6, NULL, 10);
        else if (!strncmp(line, "name ", 5))
            snprintf(dom->name, sizeof(dom->name), "%s", line + 5);
        rc = sim_lines_add(lines, line);
    }
    if (!rc && (!uuid || !dom->name[0]))
        rc = sriov__fail(hv->ctx, -EINVAL, "%s: no domain configuration in it", path);
    free(data);
    return rc;
}

int sim_saved_domain(struct sriov_hv *hv, const char *path, struct sriov_hv_domain *out)
{
    struct sim_lines lines = { 0 };
    int rc = sim_fault(hv, "saved_domain");

    if (!rc)
        rc = read_save(hv, path, out, &lines);
    out->domid = 0;
    if (rc)
        memset(out, 0, sizeof(*out));
    sim_lines_free(&lines);
    return rc;
}

int sim_domain_restore(struct sriov_hv *hv, char *const *args, size_t n_args,
                       struct sriov_hv_domain *out)
{
    struct sim_hv *sim = (struct sim_hv *)hv;
    struct sim_lines from = { 0 }, lines = { 0 };
    struct sriov_hv_domain dom;
    struct sim_xl_args a = { 0 };
    char file[PATH_MAX], pt[SIM_PT_LEN] = "";
    int lockfd = -1, rc;

    memset(out, 0, sizeof(*out));
    rc = sim_fault(hv, "domain_restore");
    if (!rc)
        rc = sim_xl_parse(hv, &sim_xl_restore, args, n_args, &a);
    if (!rc && a.help) /* as the libxl backend finds it */
        rc = sriov__fail(hv->ctx, -ENOENT, "xl restore succeeded but started no domain");
    if (!rc && a.n_ops > 2)
        rc = sim_xl_failed(hv, "restore", 1, "Usage: xl restore [options] [<ConfigFile>] "
                           "<CheckpointFile>");
    if (!rc && read_save(hv, a.ops[a.n_ops - 1], &dom, &from))
        rc = sim_xl_failed(hv, "restore", 1, "%s", hv->ctx->last_error);
    if (!rc && a.n_ops == 2)
        rc = sim_xl_config(hv, "restore", a.ops[0], &dom, pt);
    if (!rc)
        rc = sim_lock(sim, &lockfd);
    if (!rc)
        rc = sim_xl_clash(hv, "restore", sim, &dom, dom.domid != UINT32_MAX, NULL);
    if (!rc && dom.domid == UINT32_MAX)
        rc = sim_next_domid(sim, &dom.domid);
    if (!rc)
        rc = sim_domain_lines(&lines, &dom.domid, dom.name, &from, a.n_ops == 2 ? pt : NULL);
    if (!rc)
        rc = sim_domain_file(sim, dom.uuid, file, sizeof(file));
    if (!rc)
        rc = sim_lines_write(sim, file, &lines);
    if (!rc)
        *out = dom;
    sim_unlock(sim, lockfd);
    sim_lines_free(&from);
    sim_lines_free(&lines);
    free(a.ops);
    if (!rc)
        sim_after(hv, "domain_restore");
    return rc;
}
