/*
 * The simulated hypervisor: what tier-1 tests and `make demo` use instead of Xen
 * (hypervisor "sim:DIR", loaded from this module; libsriov ships none of it).
 * Its whole state is plain files in one directory DIR ("sim:DIR"), so tests can
 * look at it and change it with shell tools:
 *
 *   DIR/domains/<uuid>   one file per running domain: "domid N", "name NAME",
 *                        "pci BDF" lines, and a "nic MAC BRIDGE" line per vif
 *                        (BRIDGE "-" when it names none); "passthrough VALUE"
 *                        when its config sets one (what a move rebuilds it
 *                        from), "passthrough-off" when libxl built it without
 *                        (no hot-added device then).  Deleting the file is
 *                        `xl destroy`.
 *   DIR/domains.index    what the domain files said, a cache checked against each
 *                        file's inode, size and times (hv_sim_index.c); may be
 *                        removed at any time.
 *   DIR/peers            optional, for `xl migrate`: "DESTDIR HOST" lines, the
 *                        first word the sim directory (relative to DIR unless
 *                        absolute) that receives the domains sent to HOST, the
 *                        rest of the line exactly the HOST argument.
 *   DIR/assignable       the assignable list, one BDF per line.
 *   DIR/xenstore         "PATH VALUE" lines.
 *   DIR/fail-at          operations (one per line) that fail with EIO: the hv ops
 *                        (platform, device_owner, assignable_add, pci_add,
 *                        domain_create, domain_by_uuid, xs_write, nic_add,
 *                        domain_migrate, domain_save, domain_restore, ...) and
 *                        the netlink ones (vf_list, vf_set, vf_set:KEY;
 *                        nl_sim.c).  "migrate_receive" in the destination's
 *                        fail-at fails the receiving side of a migration.
 *                        Crash points for the kill -9 tests, in the same file:
 *                        "kill:OP" SIGKILLs the calling process just before OP,
 *                        "kill-after:OP" right after OP took effect, "stop:OP"
 *                        SIGSTOPs it before OP (alive, holding its locks, until
 *                        the test kills it); "OP#N" means the Nth time this
 *                        process reaches OP (calls the sim makes itself count),
 *                        also for plain failures.  "trace:PATH" appends a line
 *                        "hv:OP#N" to PATH whenever this process reaches OP
 *                        (the point to name here to fail or kill exactly
 *                        there; vf_set:KEY, a second name of a vf_set, is left
 *                        out), with tools/sriov-sim's "sysfs:..." lines.
 *   DIR/dm-slow          optional "BDF late" / "BDF never" lines: a guest slow
 *                        to eject that device, as libxl and QEMU 7.2 see it
 *                        (the first remove times out, later ones are refused
 *                        while the unplug is pending; "late": the guest ejects
 *                        it then, and the device model no longer has it;
 *                        hv_sim_pci.c).  Marked in the domain file with
 *                        "dm-pending BDF" / "dm-gone BDF" lines.
 *   DIR/platform         optional "iommu 0" / "quarantine 0" lines, or "cmdline
 *                        TEXT": Xen's command line, read for the quarantine.
 *   DIR/device-groups    optional: BDFs sharing an IOMMU context, one group per line.
 *   DIR/cpu-nodes        optional: the NUMA node of each host CPU, space separated.
 *
 * PCI assignment (hv_sim_pci.c) changes the sysfs tree of the context exactly as
 * libxl does, so that on the FUSE host simulator drivers really unbind and bind.
 * `xl migrate`, `xl save` and `xl restore` (hv_sim_migrate.c, over
 * hv_sim_xlargs.c's xl command lines) move domain files between sim
 * directories, or to and from a save file, and refuse, as Xen does, a domain
 * that still has a PCI device.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "core/statefile.h"
#include "sysfs/sysfs.h"
#include "hv_sim.h"

int sim_path(struct sim_hv *sim, char *buf, size_t len, const char *name)
{
    size_t d = strlen(sim->dir), n = strlen(name);

    if (d + n + 2 > len)
        return -ENAMETOOLONG;
    memcpy(buf, sim->dir, d);
    buf[d] = '/';
    memcpy(buf + d + 1, name, n + 1);
    return 0;
}

int sim_lines_add(struct sim_lines *l, const char *line)
{
    char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

    if (!v)
        return -ENOMEM;
    l->v = v;
    v[l->n] = strdup(line);
    if (!v[l->n])
        return -ENOMEM;
    l->n++;
    return 0;
}

bool sim_lines_remove(struct sim_lines *l, const char *line)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i], line))
            continue;
        free(l->v[i]);
        memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
        l->n--;
        return true;
    }
    return false;
}

bool sim_lines_has(const struct sim_lines *l, const char *line)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], line))
            return true;
    return false;
}

void sim_lines_free(struct sim_lines *l)
{
    sriov__strv_free(l->v, l->n);
    l->v = NULL;
    l->n = 0;
}

int sim_lines_read(struct sim_hv *sim, const char *name, struct sim_lines *out)
{
    char path[PATH_MAX], *data = NULL, *save = NULL;
    size_t len;
    int rc;

    out->v = NULL;
    out->n = 0;
    rc = sim_path(sim, path, sizeof(path), name);
    if (rc)
        return rc;
    rc = sriov__state_read(sim->hv.ctx, path, &data, &len);
    if (rc == -ENOENT)
        return 0;
    if (rc)
        return rc;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        rc = sim_lines_add(out, line);
        if (rc)
            break;
    }
    free(data);
    if (rc)
        sim_lines_free(out);
    return rc;
}

int sim_lines_write(struct sim_hv *sim, const char *name, const struct sim_lines *l)
{
    char path[PATH_MAX], *buf = NULL;
    size_t len = 0;
    FILE *f;
    int rc;

    rc = sim_path(sim, path, sizeof(path), name);
    if (rc)
        return rc;
    f = open_memstream(&buf, &len);
    if (!f)
        return -ENOMEM;
    for (size_t i = 0; i < l->n; i++)
        fprintf(f, "%s\n", l->v[i]);
    fclose(f);
    rc = sriov__state_write(sim->hv.ctx, path, buf ? buf : "", len);
    free(buf);
    return rc;
}

int sim_lock(struct sim_hv *sim, int *fd)
{
    char path[PATH_MAX];
    int rc, lfd;

    *fd = -1;
    if (sim->lock_depth > 0) {
        sim->lock_depth++;
        *fd = sim->lock_fd;
        return 0;
    }
    rc = sim_path(sim, path, sizeof(path), "lock");
    if (rc)
        return rc;
    lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lfd < 0)
        return sriov__fail(sim->hv.ctx, -errno, "sim: cannot open %s: %s", path,
                           strerror(errno));
    while (flock(lfd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            rc = -errno;
            close(lfd);
            return sriov__fail(sim->hv.ctx, rc, "sim: cannot lock %s", path);
        }
    }
    sim->lock_fd = lfd;
    sim->lock_depth = 1;
    *fd = lfd;
    return 0;
}

int sim_begin(struct sriov_hv *hv, const char *op, int *lockfd)
{
    int rc = sim_fault(hv, op);

    *lockfd = -1;
    return rc ? rc : sim_lock((struct sim_hv *)hv, lockfd);
}

void sim_unlock(struct sim_hv *sim, int fd)
{
    if (fd < 0 || sim->lock_depth == 0)
        return;
    if (--sim->lock_depth == 0) {
        close(sim->lock_fd);
        sim->lock_fd = -1;
    }
}

/* How often this process reached each step: "OP#N" crash points count them. */
static struct {
    char step[48];
    unsigned int n;
} reached[64];

static unsigned int reach(const char *step, bool count)
{
    size_t i;

    for (i = 0; i < sizeof(reached) / sizeof(reached[0]) && reached[i].step[0]; i++)
        if (!strcmp(reached[i].step, step))
            break;
    if (i == sizeof(reached) / sizeof(reached[0]))
        return 0;
    if (!reached[i].step[0])
        snprintf(reached[i].step, sizeof(reached[i].step), "%s", step);
    return count ? ++reached[i].n : reached[i].n;
}

/* A crash point "KIND:STEP" or "KIND:STEP#N" in l for this reach of step. */
static bool crash_point(const struct sim_lines *l, const char *kind, const char *step,
                        unsigned int nth)
{
    char want[128];

    snprintf(want, sizeof(want), "%s:%s", kind, step);
    if (sim_lines_has(l, want))
        return nth == 1;
    snprintf(want, sizeof(want), "%s:%s#%u", kind, step, nth);
    return sim_lines_has(l, want);
}

void sim_crash_after(struct sriov_ctx *ctx, const char *dir, const char *step)
{
    struct sim_hv probe = { .hv.ctx = ctx, .dir = (char *)dir };
    struct sim_lines l;
    bool hit;

    if (sim_lines_read(&probe, "fail-at", &l))
        return;
    hit = crash_point(&l, "kill-after", step, reach(step, false));
    sim_lines_free(&l);
    if (hit)
        raise(SIGKILL);
}

void sim_after(struct sriov_hv *hv, const char *step)
{
    sim_crash_after(hv->ctx, ((struct sim_hv *)hv)->dir, step);
}

int sim_fails(struct sriov_ctx *ctx, const char *dir, const char *step)
{
    struct sim_hv probe = { .hv.ctx = ctx, .dir = (char *)dir };
    unsigned int nth = reach(step, true);
    char nth_step[128];
    struct sim_lines l;
    bool hit;

    if (sim_lines_read(&probe, "fail-at", &l))
        return 0;
    for (size_t i = 0; i < l.n && !strchr(step, ':'); i++) {
        FILE *t = strncmp(l.v[i], "trace:", 6) ? NULL : fopen(l.v[i] + 6, "ae");
        if (t) {
            fprintf(t, "hv:%s#%u\n", step, nth);
            fclose(t);
        }
    }
    if (crash_point(&l, "kill", step, nth))
        raise(SIGKILL);
    if (crash_point(&l, "stop", step, nth))
        raise(SIGSTOP); /* the test kills it later; SIGCONT would carry on */
    snprintf(nth_step, sizeof(nth_step), "%s#%u", step, nth);
    hit = sim_lines_has(&l, step) || sim_lines_has(&l, nth_step);
    sim_lines_free(&l);
    if (!hit)
        return 0;
    return sriov__fail(ctx, -EIO, "simulated failure of step '%s' (sim fail-at)", step);
}

int sim_fault(struct sriov_hv *hv, const char *step)
{
    return sim_fails(hv->ctx, ((struct sim_hv *)hv)->dir, step);
}

/* ------------------------------------------------------------- xenstore */

/* DIR/xenstore as it is, to scan line by line in place: it holds every
 * domain's nodes, and a read or a write of one node should not copy each line. */
static int xs_load(struct sim_hv *sim, char **data, size_t *len)
{
    char path[PATH_MAX];
    int rc = sim_path(sim, path, sizeof(path), "xenstore");

    *data = NULL;
    *len = 0;
    if (!rc)
        rc = sriov__state_read(sim->hv.ctx, path, data, len);
    return rc == -ENOENT ? 0 : rc;
}

/* The next non-empty line of data[*at, len) (sim_lines_read skips empty ones):
 * its start and length, *at moved past it; false at the end. */
static bool xs_next(const char *data, size_t len, size_t *at, const char **line, size_t *n)
{
    while (*at < len && data[*at] == '\n')
        (*at)++;
    if (*at >= len)
        return false;
    *line = data + *at;
    *n = strcspn(*line, "\n");
    if (*n > len - *at)
        *n = len - *at;
    *at += *n;
    return true;
}

/* xs_line_is for a line that is not NUL-terminated. */
static bool xs_span_is(const char *line, size_t n, const char *path, size_t plen, bool subtree)
{
    return n > plen && !memcmp(line, path, plen) &&
           (line[plen] == ' ' || (subtree && line[plen] == '/'));
}

int sim_xs_read(struct sim_hv *sim, const char *path, char **value)
{
    size_t plen = strlen(path), len, at = 0, n;
    const char *line;
    char *data;
    int rc;

    *value = NULL;
    rc = xs_load(sim, &data, &len);
    if (rc)
        return rc;
    rc = -ENOENT;
    while (xs_next(data, len, &at, &line, &n)) {
        if (xs_span_is(line, n, path, plen, false)) {
            *value = strndup(line + plen + 1, n - plen - 1);
            rc = *value ? 0 : -ENOMEM;
            break;
        }
    }
    free(data);
    return rc;
}

/* Every line but path's (and, removing, its subtree's), then "path value" last:
 * the file sim_lines_write would write, without a copy of each line. */
static int xs_update(struct sriov_hv *hv, const char *path, const char *value)
{
    struct sim_hv *sim = (struct sim_hv *)hv;
    size_t plen = strlen(path), len = 0, at = 0, n, used = 0;
    char file[PATH_MAX], *data = NULL, *out = NULL;
    const char *line;
    int lockfd = -1, rc;

    rc = sim_lock(sim, &lockfd);
    if (!rc)
        rc = xs_load(sim, &data, &len);
    if (!rc)
        rc = sim_path(sim, file, sizeof(file), "xenstore");
    if (rc)
        goto out;
    out = malloc(len + plen + (value ? strlen(value) : 0) + 4);
    if (!out) {
        rc = -ENOMEM;
        goto out;
    }
    while (xs_next(data, len, &at, &line, &n)) {
        if (xs_span_is(line, n, path, plen, value == NULL))
            continue;
        memcpy(out + used, line, n);
        used += n;
        out[used++] = '\n';
    }
    if (value)
        used += (size_t)sprintf(out + used, "%s %s\n", path, value);
    rc = sriov__state_write(hv->ctx, file, out, used);
out:
    free(data);
    free(out);
    sim_unlock(sim, lockfd);
    return rc;
}

/* xenstored's rule (valid_chars in tools/xenstore): anything else is EINVAL. */
static int xs_path_valid(struct sriov_hv *hv, const char *path)
{
    if (strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/_@") !=
        strlen(path))
        return sriov__fail(hv->ctx, -EINVAL, "cannot write xenstore %s: %s", path,
                           strerror(EINVAL));
    return 0;
}

int sim_xs_write(struct sriov_hv *hv, const char *path, const char *value)
{
    int rc = sim_fault(hv, "xs_write");

    if (!rc)
        rc = xs_path_valid(hv, path);
    if (!rc)
        rc = xs_update(hv, path, value);
    if (!rc)
        sim_after(hv, "xs_write");
    return rc;
}

int sim_xs_rm(struct sriov_hv *hv, const char *path)
{
    int rc = sim_fault(hv, "xs_rm");

    if (!rc)
        rc = xs_path_valid(hv, path);
    if (!rc)
        rc = xs_update(hv, path, NULL);
    if (!rc)
        sim_after(hv, "xs_rm");
    return rc;
}

static int sim_xs_read_op(struct sriov_hv *hv, const char *path, char **value)
{
    int rc = sim_fault(hv, "xs_read");

    return rc ? rc : sim_xs_read((struct sim_hv *)hv, path, value);
}

/* The names one level below path, as xenstored lists a directory. */
static int sim_xs_list(struct sriov_hv *hv, const char *path, char ***names, size_t *n)
{
    struct sim_lines l, out = { 0 };
    size_t plen = strlen(path);
    bool found = false;
    int rc;

    *names = NULL;
    *n = 0;
    rc = sim_fault(hv, "xs_list");
    if (!rc)
        rc = sim_lines_read((struct sim_hv *)hv, "xenstore", &l);
    if (rc)
        return rc;
    for (size_t i = 0; i < l.n && !rc; i++) {
        const char *rest = l.v[i] + plen;
        char *name;
        if (strncmp(l.v[i], path, plen) || (*rest != '/' && *rest != ' '))
            continue;
        found = true;
        if (*rest == ' ')
            continue; /* path itself has a value */
        /* Any length, as xenstore lists it: a name cut short would name another node. */
        name = strndup(rest + 1, strcspn(rest + 1, "/ "));
        if (!name)
            rc = -ENOMEM;
        else if (!sim_lines_has(&out, name))
            rc = sim_lines_add(&out, name);
        free(name);
    }
    sim_lines_free(&l);
    if (!rc && !found)
        rc = -ENOENT;
    if (rc) {
        sim_lines_free(&out);
        return rc;
    }
    *names = out.v;
    *n = out.n;
    return 0;
}

/* --------------------------------------------------------------- domains */

int sim_domain_file(struct sim_hv *sim, const uint8_t uuid[16], char *name, size_t len)
{
    char u[SRIOV_UUID_STR_LEN];

    (void)sim;
    sriov__uuid_format(uuid, u);
    return snprintf(name, len, "domains/%s", u) >= (int)len ? -ENAMETOOLONG : 0;
}

/* A domain's lines: its domid and name (cut as snprintf would cut it, without
 * its cost: every walk reads every domain's name). */
static void domain_from_lines(const struct sim_lines *lines, struct sriov_hv_domain *out)
{
    for (size_t i = 0; i < lines->n; i++) {
        const char *l = lines->v[i];
        if (!strncmp(l, "domid ", 6)) {
            out->domid = (uint32_t)strtoul(l + 6, NULL, 10);
        } else if (!strncmp(l, "name ", 5)) {
            size_t n = strnlen(l + 5, sizeof(out->name) - 1);
            memcpy(out->name, l + 5, n);
            out->name[n] = '\0';
        }
    }
}

int sim_domain_load(struct sim_hv *sim, const char *uuid_str, struct sriov_hv_domain *out,
                    struct sim_lines *lines)
{
    char name[PATH_MAX];
    int rc;

    memset(out, 0, sizeof(*out));
    if (sriov__uuid_parse(uuid_str, out->uuid))
        return -ENOENT;
    snprintf(name, sizeof(name), "domains/%s", uuid_str);
    rc = sim_lines_read(sim, name, lines);
    if (rc)
        return rc;
    if (lines->n == 0) {
        char path[PATH_MAX];
        sim_path(sim, path, sizeof(path), name);
        if (access(path, F_OK) != 0)
            return -ENOENT;
    }
    domain_from_lines(lines, out);
    return 0;
}

/* The file of the regular-file check sriov__state_read makes, read through
 * the directory's descriptor into w's buffer when it fits (else malloc'd):
 * whoever lists the domains reads every domain's file, and a walk of the whole
 * path and a few allocations for each were most of what that cost.  A regular
 * file readdir said is one is not asked again. */
static int read_at(struct sim_hv *sim, int dirfd, const char *name, unsigned char d_type,
                   struct sim_walk *w, char **data)
{
    struct stat st;
    size_t size = sizeof(w->buf) - 1, got = 0;
    char *buf = w->buf;
    const char *known;
    int fd, rc = 0;

    *data = NULL;
    /* The index's copy, when the file is still the one it was read from. */
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        (size_t)st.st_size < sizeof(w->buf) && (known = sim_index_get(sim, name, &st))) {
        memcpy(w->buf, known, (size_t)st.st_size);
        w->buf[st.st_size] = '\0';
        *data = w->buf;
        return 0;
    }
    (void)d_type; /* the file is asked itself: it is what the index keeps */
    fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rc = -EINVAL;
        goto out;
    }
    for (;;) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            goto out;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        /* A regular file reads short only at its end. */
        if (got < size)
            break;
        if (got == size) {
            char *nb = malloc(2 * size + 1);
            if (!nb) {
                rc = -ENOMEM;
                goto out;
            }
            memcpy(nb, buf, got);
            if (buf != w->buf)
                free(buf);
            buf = nb;
            size *= 2;
        }
    }
    buf[got] = '\0';
    sim_index_put(sim, name, &st, buf, got);
    *data = buf;
    buf = w->buf;
out:
    if (buf != w->buf)
        free(buf);
    close(fd);
    return rc;
}

void sim_walk_lines_free(struct sim_walk *w, struct sim_lines *lines)
{
    if (lines->v != w->v)
        sim_lines_free(lines);
    lines->v = NULL;
    lines->n = 0;
}

int sim_domain_load_at(struct sim_hv *sim, int dirfd, const struct dirent *de,
                       struct sim_walk *w, struct sriov_hv_domain *out,
                       struct sim_lines *lines)
{
    char *data = NULL, *save = NULL;
    size_t n = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    lines->v = NULL;
    lines->n = 0;
    if (sriov__uuid_parse(de->d_name, out->uuid))
        return -ENOENT;
    rc = read_at(sim, dirfd, de->d_name, de->d_type, w, &data);
    if (rc)
        return rc;
    /* The lines in place, as sim_lines_read splits them (empty ones skipped). */
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (n == sizeof(w->v) / sizeof(w->v[0]))
            break;
        w->v[n++] = line;
    }
    if (!save || !*save) {
        lines->v = w->v;
        lines->n = n;
    } else {
        /* More lines than w has room for: copies, as sim_lines_read makes. */
        for (size_t i = 0; !rc && i < n; i++)
            rc = sim_lines_add(lines, w->v[i]);
        for (char *line = save; !rc && (line = strtok_r(line, "\n", &save)); line = NULL)
            rc = sim_lines_add(lines, line);
    }
    if (data != w->buf)
        free(data);
    if (rc) {
        sim_walk_lines_free(w, lines);
        return rc;
    }
    domain_from_lines(lines, out);
    return 0;
}

int sim_each_domain(struct sim_hv *sim,
                    int (*fn)(const struct sriov_hv_domain *dom, const struct sim_lines *l,
                              void *arg),
                    void *arg)
{
    struct sim_walk walk;
    char path[PATH_MAX];
    struct dirent *de;
    DIR *d;
    int rc = 0;

    sim_path(sim, path, sizeof(path), "domains");
    d = opendir(path);
    if (!d)
        return errno == ENOENT ? 0 : sriov__fail(sim->hv.ctx, -errno, "sim: cannot read %s",
                                                 path);
    while (!rc && (de = readdir(d))) {
        struct sriov_hv_domain dom;
        struct sim_lines l;
        if (de->d_name[0] == '.' || strchr(de->d_name, '.'))
            continue;
        if (sim_domain_load_at(sim, dirfd(d), de, &walk, &dom, &l))
            continue; /* gone since readdir, or no domain's file */
        rc = fn(&dom, &l, arg);
        sim_walk_lines_free(&walk, &l);
    }
    closedir(d);
    sim_index_walked(sim, rc == 0);
    return rc;
}

struct doms {
    struct sriov_hv_domain *v;
    size_t n, cap;
};

static int add_dom(const struct sriov_hv_domain *dom, const struct sim_lines *l, void *arg)
{
    struct doms *d = arg;

    (void)l;
    if (sriov__grow(&d->v, &d->cap, d->n, sizeof(*d->v), 64))
        return -ENOMEM;
    d->v[d->n++] = *dom;
    return 0;
}

static int sim_domain_list(struct sriov_hv *hv, struct sriov_hv_domain **doms, size_t *n)
{
    struct doms d = { 0 };
    int rc = sim_each_domain((struct sim_hv *)hv, add_dom, &d);

    if (rc) {
        free(d.v);
        d = (struct doms){ 0 };
    }
    *doms = d.v;
    *n = d.n;
    return rc;
}

static int domain_by_uuid(struct sriov_hv *hv, const uint8_t uuid[16],
                          struct sriov_hv_domain *out)
{
    char u[SRIOV_UUID_STR_LEN];
    struct sim_lines l;
    int rc;

    sriov__uuid_format(uuid, u);
    rc = sim_domain_load((struct sim_hv *)hv, u, out, &l);
    sim_lines_free(&l);
    return rc;
}

struct named {
    const char *spec;
    bool numeric;
    unsigned long id;
    struct sriov_hv_domain *out;
};

static int is_named(const struct sriov_hv_domain *dom, const struct sim_lines *l, void *arg)
{
    struct named *w = arg;

    (void)l;
    if (w->numeric ? dom->domid != w->id : strcmp(dom->name, w->spec) != 0)
        return 0;
    *w->out = *dom;
    return 1;
}

/* The first domain listed with that name or domid: the walk stops there. */
static int sim_domain_by_name_or_id(struct sriov_hv *hv, const char *spec,
                                    struct sriov_hv_domain *out)
{
    char *end;
    struct named w = { .spec = spec, .id = strtoul(spec, &end, 10), .out = out };
    uint8_t uuid[16];
    int rc;

    w.numeric = *spec && !*end;
    if (sriov__uuid_parse(spec, uuid) == 0)
        return domain_by_uuid(hv, uuid, out);
    rc = sim_each_domain((struct sim_hv *)hv, is_named, &w);
    if (rc == 0)
        return sriov__fail(hv->ctx, -ENOENT, "%s: no such domain", spec);
    return rc == 1 ? 0 : rc;
}

static int sim_platform(struct sriov_hv *hv, struct sriov_hv_platform *out)
{
    struct sim_lines l;
    int rc = sim_fault(hv, "platform");

    if (!rc)
        rc = sim_lines_read((struct sim_hv *)hv, "platform", &l);
    if (rc)
        return rc;
    out->iommu_enabled = !sim_lines_has(&l, "iommu 0");
    out->quarantine_enabled = !sim_lines_has(&l, "quarantine 0");
    /* Xen's command line, read as the libxl backend reads the real one. */
    for (size_t i = 0; i < l.n; i++)
        if (!strncmp(l.v[i], "cmdline ", 8))
            out->quarantine_enabled = sriov__xen_quarantine_on(l.v[i] + 8);
    sim_lines_free(&l);
    return 0;
}

static int sim_device_group(struct sriov_hv *hv, const char *bdf, char ***bdfs, size_t *n)
{
    struct sim_lines l, group = { 0 };
    int rc;

    *bdfs = NULL;
    *n = 0;
    rc = sim_fault(hv, "device_group");
    if (!rc)
        rc = sim_lines_read((struct sim_hv *)hv, "device-groups", &l);
    if (rc)
        return rc;
    for (size_t i = 0; i < l.n && !rc; i++) {
        char *save = NULL, *copy = strdup(l.v[i]);
        bool mine = false;
        struct sim_lines members = { 0 };
        if (!copy) {
            rc = -ENOMEM;
            break;
        }
        for (char *t = strtok_r(copy, " \t", &save); t && !rc; t = strtok_r(NULL, " \t", &save)) {
            if (!strcmp(t, bdf))
                mine = true;
            else
                rc = sim_lines_add(&members, t);
        }
        free(copy);
        if (mine && !rc) {
            sim_lines_free(&group);
            group = members;
        } else {
            sim_lines_free(&members);
        }
    }
    sim_lines_free(&l);
    if (rc) {
        sim_lines_free(&group);
        return rc;
    }
    *bdfs = group.v;
    *n = group.n;
    return 0;
}

static int sim_cpu_nodes(struct sriov_hv *hv, int **nodes, size_t *n)
{
    struct sim_lines l;
    int *v = NULL;
    size_t cnt = 0;
    int rc;

    *nodes = NULL;
    *n = 0;
    rc = sim_lines_read((struct sim_hv *)hv, "cpu-nodes", &l);
    if (rc)
        return rc;
    for (size_t i = 0; i < l.n; i++) {
        char *save = NULL;
        for (char *t = strtok_r(l.v[i], " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
            int *nv = realloc(v, (cnt + 1) * sizeof(*v));
            if (!nv) {
                free(v);
                sim_lines_free(&l);
                return -ENOMEM;
            }
            v = nv;
            v[cnt++] = atoi(t);
        }
    }
    sim_lines_free(&l);
    if (!cnt)
        return -ENOENT;
    *nodes = v;
    *n = cnt;
    return 0;
}

/* The op: a failure here is anything but "no such domain", which gc must not take
 * for one (sim fail-at domain_by_uuid). */
static int sim_domain_by_uuid(struct sriov_hv *hv, const uint8_t uuid[16],
                              struct sriov_hv_domain *out)
{
    int rc = sim_fault(hv, "domain_by_uuid");

    return rc ? rc : domain_by_uuid(hv, uuid, out);
}

/* Poll the domains directory: a file disappearing is the sim's @releaseDomain. */
static int sim_wait_release(struct sriov_hv *hv, int timeout_ms)
{
    struct sriov_hv_domain *before = NULL, *now = NULL;
    struct timespec pause = { 0, 100 * 1000000L };
    size_t nb = 0, nn = 0;
    int rc;

    rc = sim_domain_list(hv, &before, &nb);
    if (rc)
        return rc;
    for (int waited = 0; waited < timeout_ms || timeout_ms < 0; waited += 100) {
        nanosleep(&pause, NULL);
        rc = sim_domain_list(hv, &now, &nn);
        if (rc)
            break;
        for (size_t i = 0; i < nb && rc == 0; i++) {
            bool found = false;
            for (size_t j = 0; j < nn; j++)
                found |= !memcmp(before[i].uuid, now[j].uuid, 16);
            if (!found)
                rc = 1;
        }
        free(before);
        before = now;
        nb = nn;
        now = NULL;
        if (rc)
            break;
    }
    free(before);
    return rc;
}

static void sim_close(struct sriov_hv *hv)
{
    struct sim_hv *sim = (struct sim_hv *)hv;

    sim_index_free(sim->index);
    free(sim->dir);
    free(sim);
}

static const struct sriov_hv_ops sim_ops = {
    .close = sim_close,
    .platform = sim_platform,
    .device_group = sim_device_group,
    .device_owner = sim_device_owner,
    .assigned_devices = sim_assigned_devices,
    .assignable_add = sim_assignable_add,
    .assignable_remove = sim_assignable_remove,
    .pci_add = sim_pci_add,
    .pci_remove = sim_pci_remove,
    .pci_destroy = sim_pci_destroy,
    .domain_by_uuid = sim_domain_by_uuid,
    .domain_by_name_or_id = sim_domain_by_name_or_id,
    .domain_list = sim_domain_list,
    .domain_create = sim_domain_create,
    .cpu_nodes = sim_cpu_nodes,
    .xs_write = sim_xs_write,
    .xs_rm = sim_xs_rm,
    .xs_read = sim_xs_read_op,
    .xs_list = sim_xs_list,
    .wait_release = sim_wait_release,
    .nic_list = sim_nic_list,
    .domain_passthrough = sim_domain_passthrough,
    .nic_add = sim_nic_add,
    .domain_migrate = sim_domain_migrate,
    .domain_save = sim_domain_save,
    .domain_restore = sim_domain_restore,
    .saved_domain = sim_saved_domain,
};

int sim_hv_open(struct sriov_ctx *ctx, const char *arg, struct sriov_hv **ret)
{
    struct sim_hv *sim = NULL;
    char path[PATH_MAX];
    int rc;

    *ret = NULL;
    sim = calloc(1, sizeof(*sim));
    if (!sim || !(sim->dir = strdup(arg))) {
        free(sim);
        return -ENOMEM;
    }
    sim->hv.ops = &sim_ops;
    sim->hv.ctx = ctx;
    sim->lock_fd = -1;
    snprintf(path, sizeof(path), "%s/domains", arg);
    rc = sriov__mkdir_p(path, 0755);
    if (rc) {
        sim_close(&sim->hv);
        return sriov__fail(ctx, rc, "sim hypervisor: cannot create %s: %s", path,
                           strerror(-rc));
    }
    *ret = &sim->hv;
    return 0;
}
