/*
 * The FUSE view of the node tree.  Every read renders the attribute afresh
 * and every write goes to the attribute's store with the kernel's sysfs
 * rules (whole writes up to a page, NUL-terminated, offset ignored), so a
 * writer's write(2) sees exactly the errno the kernel would return.
 *
 * Files are opened direct_io: attributes report st_size 4096 like sysfs,
 * and reads must still end where the content ends.
 */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "fuse_fs.h"

#define SYSFS_FILE_SIZE 4096
#define PAGE_SIZE 4096

static struct sim *ctx_sim(void)
{
    return fuse_get_context()->private_data;
}

static struct node *lookup(const char *path)
{
    return node_lookup(ctx_sim()->root, path);
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)conn;
    /* Nodes come and go with every sriov_numvfs write: cache nothing. */
    cfg->entry_timeout = 0;
    cfg->attr_timeout = 0;
    cfg->negative_timeout = 0;
    cfg->direct_io = 1;
    return ctx_sim();
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    struct node *n = lookup(path);

    (void)fi;
    if (!n)
        return -ENOENT;
    memset(st, 0, sizeof(*st));
    st->st_mode = n->mode;
    st->st_nlink = n->type == NODE_DIR ? 2 : 1;
    st->st_size = n->type == NODE_FILE ? SYSFS_FILE_SIZE :
                  n->type == NODE_LINK ? (off_t)strlen(n->target) : 0;
    st->st_blksize = PAGE_SIZE;
    st->st_atime = st->st_mtime = st->st_ctime = ctx_sim()->created;
    return 0;
}

static int op_readlink(const char *path, char *buf, size_t size)
{
    struct node *n = lookup(path);

    if (!n)
        return -ENOENT;
    if (n->type != NODE_LINK)
        return -EINVAL;
    if (!size)
        return -EINVAL;
    strncpy(buf, n->target, size - 1);
    buf[size - 1] = '\0';
    return 0;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    struct node *n = lookup(path);

    (void)off;
    (void)fi;
    (void)flags;
    if (!n)
        return -ENOENT;
    if (n->type != NODE_DIR)
        return -ENOTDIR;
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    for (struct node *c = n->first; c; c = c->next)
        if (fill(buf, c->name, NULL, 0, 0))
            break;
    return 0;
}

/* kernfs_fop_open(): root gets no exemption from an attribute's mode. */
static int op_open(const char *path, struct fuse_file_info *fi)
{
    struct node *n = lookup(path);
    int acc = fi->flags & O_ACCMODE;

    if (!n)
        return -ENOENT;
    if (n->type != NODE_FILE)
        return -EISDIR;
    if (acc != O_RDONLY && (!(n->mode & 0222) || (!n->attr->store && !n->attr->write_at)))
        return -EACCES;
    if (acc != O_WRONLY && (!(n->mode & 0444) || !n->attr->show))
        return -EACCES;
    fi->direct_io = 1;
    return 0;
}

static int op_read(const char *path, char *buf, size_t size, off_t off,
                   struct fuse_file_info *fi)
{
    struct node *n = lookup(path);
    struct strbuf sb = { 0 };
    int rc;

    (void)fi;
    /* An attribute whose device went away while open reads as -ENODEV. */
    if (!n || n->type != NODE_FILE)
        return -ENODEV;
    if (!n->attr->show)
        return -EIO;
    rc = n->attr->show(ctx_sim(), n->obj, &sb);
    if (rc < 0)
        goto out;
    rc = 0;
    if (off >= 0 && (size_t)off < sb.len) {
        size_t len = sb.len - (size_t)off;

        if (len > size)
            len = size;
        memcpy(buf, sb.data + off, len);
        rc = (int)len;
    }
out:
    strbuf_free(&sb);
    return rc;
}

/* mount --faults: the attribute's name on a line of the file makes its writes
 * fail (FAULT_FAIL); "kill:NAME" or "kill:NAME=VALUE" has the write take effect
 * and then SIGKILLs the writer (FAULT_KILL), a crash at exactly that point for
 * the kill -9 tests.  "NAME=VALUE" fails only writes of VALUE.  A "#N" suffix
 * on any of these picks the Nth such write of the writing process (counted per
 * process, pid and start time).  "trace:PATH" appends "sysfs:NAME=VALUE#N" for
 * every write to PATH before it takes effect: the line that would fail it. */
enum fault { FAULT_NONE, FAULT_FAIL, FAULT_KILL };

/* How often each process wrote NAME, and VALUE to NAME ("NAME=VALUE"). */
struct write_count {
    struct write_count *next;
    int pid;
    unsigned long long start;
    unsigned int n;
    char key[];
};
static struct write_count *write_counts;

static unsigned long long proc_start(int pid)
{
    char path[64], buf[1024], *p;
    unsigned long long start = 0;
    size_t len;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    if (!(f = fopen(path, "re")))
        return 0;
    len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    p = strrchr(buf, ')'); /* then fields 3..: starttime is field 22 */
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p)
        start = strtoull(p + 1, NULL, 10);
    return start;
}

/* Count one more write of key by pid; returns the count.  Most recently used
 * first; beyond 4096 counts the least recently used (dead processes') go. */
static unsigned int count_write(int pid, unsigned long long start, const char *key)
{
    struct write_count **pp = &write_counts, *c;
    size_t n = 0;

    while ((c = *pp)) {
        if ((c->pid == pid && c->start != start) || n >= 4096) { /* pid reused; old */
            *pp = c->next;
            free(c);
            continue;
        }
        if (c->pid == pid && !strcmp(c->key, key)) {
            *pp = c->next;
            c->next = write_counts;
            write_counts = c;
            return ++c->n;
        }
        pp = &c->next;
        n++;
    }
    c = calloc(1, sizeof(*c) + strlen(key) + 1);
    if (!c)
        return 0;
    c->pid = pid;
    c->start = start;
    c->n = 1;
    strcpy(c->key, key);
    c->next = write_counts;
    write_counts = c;
    return 1;
}

static enum fault write_fault(const char *path, const char *buf, size_t size)
{
    const char *faults = ctx_sim()->faults, *name = strrchr(path, '/');
    int pid = fuse_get_context()->pid;
    unsigned long long start;
    enum fault hit = FAULT_NONE;
    unsigned int nth_name, nth_value;
    size_t vlen = size;
    char line[512], key[512];
    FILE *f;

    if (!faults || !(f = fopen(faults, "re")))
        return FAULT_NONE;
    name = name ? name + 1 : path;
    while (vlen > 0 && (buf[vlen - 1] == '\n' || buf[vlen - 1] == '\0'))
        vlen--;
    start = proc_start(pid);
    nth_name = count_write(pid, start, name);
    snprintf(key, sizeof(key), "%s=%.*s", name, (int)vlen, buf);
    nth_value = count_write(pid, start, key);
    while (fgets(line, sizeof(line), f)) {
        char *spec = line, *hash, *end;
        bool kill = false;
        unsigned long nth = 0;

        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "trace:", 6)) {
            FILE *t = fopen(line + 6, "ae");
            if (t) {
                fprintf(t, "sysfs:%s#%u\n", key, nth_value);
                fclose(t);
            }
            continue;
        }
        if (hit != FAULT_NONE)
            continue;
        if (!strncmp(spec, "kill:", 5)) {
            kill = true;
            spec += 5;
        }
        hash = strrchr(spec, '#');
        if (hash && hash[1]) {
            nth = strtoul(hash + 1, &end, 10);
            if (*end)
                continue;
            *hash = '\0';
        }
        if (strchr(spec, '=') ? strcmp(spec, key) : strcmp(spec, name))
            continue;
        if (nth && nth != (strchr(spec, '=') ? nth_value : nth_name))
            continue;
        hit = kill ? FAULT_KILL : FAULT_FAIL;
    }
    fclose(f);
    return hit;
}

static int op_write(const char *path, const char *buf, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
    struct node *n = lookup(path);
    enum fault fault;
    char *copy;
    int rc;

    (void)fi;
    if (!n || n->type != NODE_FILE)
        return -ENODEV;
    fault = write_fault(path, buf, size);
    if (fault == FAULT_FAIL)
        return -EIO;
    if (n->attr->write_at)
        rc = (int)n->attr->write_at(ctx_sim(), n->obj, buf, size, off);
    else if (!n->attr->store)
        rc = -EIO;
    else if (size > PAGE_SIZE) /* sysfs: atomic_write_len is a page */
        rc = -E2BIG;
    else if (!size) /* an empty write never reaches store */
        rc = 0;
    else {
        copy = xstrndup(buf, size);
        rc = n->attr->store(ctx_sim(), n->obj, copy, size);
        free(copy);
        rc = rc < 0 ? rc : (int)size;
    }
    /* The writer dies on its way back from write(2): the kernel holds it until
     * this reply, so the write has taken effect and nothing after it has run. */
    if (fault == FAULT_KILL && rc >= 0)
        kill(fuse_get_context()->pid, SIGKILL);
    return rc;
}

/* O_TRUNC on an attribute is accepted and means nothing, as on sysfs. */
static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    struct node *n = lookup(path);

    (void)size;
    (void)fi;
    if (!n)
        return -ENOENT;
    return n->type == NODE_FILE ? 0 : -EISDIR;
}

static int op_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    (void)tv;
    (void)fi;
    return lookup(path) ? 0 : -ENOENT;
}

/* The VFS answers these for sysfs: no create -> EACCES, the rest EPERM. */
static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    (void)path;
    (void)mode;
    (void)fi;
    return -EACCES;
}

static int op_mknod(const char *path, mode_t mode, dev_t rdev)
{
    (void)path;
    (void)mode;
    (void)rdev;
    return -EACCES;
}

static int op_mkdir(const char *path, mode_t mode)
{
    (void)path;
    (void)mode;
    return -EPERM;
}

static int op_unlink(const char *path)
{
    (void)path;
    return -EPERM;
}

static int op_symlink(const char *target, const char *path)
{
    (void)target;
    (void)path;
    return -EPERM;
}

static int op_rename(const char *from, const char *to, unsigned int flags)
{
    (void)from;
    (void)to;
    (void)flags;
    return -EPERM;
}

static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    (void)path;
    (void)mode;
    (void)fi;
    return -EPERM;
}

static int op_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    (void)path;
    (void)uid;
    (void)gid;
    (void)fi;
    return -EPERM;
}

const struct fuse_operations sim_fuse_ops = {
    .init = op_init,
    .getattr = op_getattr,
    .readlink = op_readlink,
    .readdir = op_readdir,
    .open = op_open,
    .read = op_read,
    .write = op_write,
    .truncate = op_truncate,
    .utimens = op_utimens,
    .create = op_create,
    .mknod = op_mknod,
    .mkdir = op_mkdir,
    .unlink = op_unlink,
    .rmdir = op_unlink,
    .symlink = op_symlink,
    .rename = op_rename,
    .chmod = op_chmod,
    .chown = op_chown,
};
