/*
 * The FUSE view of the node tree, on the low-level API: the kernel names
 * nodes by inode number, so a request costs a hash look-up whatever the
 * size of the host, where paths cost a walk (and a linear scan of
 * bus/pci/devices) per request.
 *
 * Reads render an attribute afresh from the model, except for attributes
 * whose content is fixed (vendor, resource, ...): those, like entries,
 * attributes, symlinks and listings, the kernel may cache, and fuse_inval.c
 * makes it forget what a write changes.  Writes go to the attribute's store
 * with the kernel's sysfs rules (whole writes up to a page, NUL-terminated,
 * offset ignored), so a writer's write(2) sees exactly the errno the kernel
 * would return.
 *
 * One thread serves the requests, so the model needs no lock (libfuse's
 * worker pool was measured to cost a lone lister twice the time per request
 * on two cores, and to gain concurrent commands nothing).  Only answering a
 * write that changed the tree is left to fuse_inval.c's notifier thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuse_fs.h"

#define SYSFS_FILE_SIZE 4096
#define PAGE_SIZE 4096
#define READDIR_MAX (128 * 1024)    /* more than the kernel asks for at once */

static struct simfs *fs_of(fuse_req_t req)
{
    return fuse_req_userdata(req);
}

static struct node *node_of(struct simfs *fs, fuse_ino_t ino)
{
    return node_by_ino(fs->sim->root, ino);
}

/*
 * Attributes report a page like sysfs, except fixed ones, which report their
 * length as in the static tree: the kernel cuts a cached file's size to where
 * a read ended, and a page reported again (stdio's fstat does that, after
 * each read has voided the atime) would void the cached content each time.
 * Directories report their last change.
 */
static off_t file_size(const struct simfs *fs, const struct node *n)
{
    struct strbuf sb = { 0 };
    off_t size = SYSFS_FILE_SIZE;

    if (n->attr->fixed && n->attr->show && n->attr->show(fs->sim, n->obj, &sb) == 0)
        size = (off_t)sb.len;
    strbuf_free(&sb);
    return size;
}

static void fill_stat(const struct simfs *fs, const struct node *n, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_ino = n->ino;
    st->st_mode = n->mode;
    st->st_nlink = n->type == NODE_DIR ? 2 : 1;
    st->st_size = n->type == NODE_FILE ? file_size(fs, n) :
                  n->type == NODE_LINK ? (off_t)strlen(n->target) : 0;
    st->st_blksize = PAGE_SIZE;
    st->st_atim.tv_sec = fs->sim->created;
    st->st_mtim.tv_sec = st->st_ctim.tv_sec = fs->sim->created;
    if (n->type == NODE_DIR)
        st->st_mtim = st->st_ctim = n->mtime;
}

static void op_init(void *data, struct fuse_conn_info *conn)
{
    struct simfs *fs = data;

    if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
        conn->want |= FUSE_CAP_CACHE_SYMLINKS;
    /* A cached listing is checked against the directory's mtime when read
     * from the start; this has the kernel fetch the mtime after a change. */
    if (conn->capable & FUSE_CAP_AUTO_INVAL_DATA)
        conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
    fs->no_opendir = conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT;
}

/* A name that is not there is cached too (the kernel's negative dentry). */
static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct simfs *fs = fs_of(req);
    struct fuse_entry_param e = { 0 };
    struct node *dir = node_of(fs, parent), *n;

    if (!dir) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    if (dir->type != NODE_DIR) {
        fuse_reply_err(req, ENOTDIR);
        return;
    }
    n = node_child(dir, name);
    if (n) {
        e.ino = n->ino;
        fill_stat(fs, n, &e.attr);
    }
    e.attr_timeout = e.entry_timeout = CACHE_TIMEOUT;
    fuse_reply_entry(req, &e);
}

/* We number nodes once and never reuse a number: nothing to forget. */
static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    (void)ino;
    (void)nlookup;
    fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
    (void)count;
    (void)forgets;
    fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct simfs *fs = fs_of(req);
    struct node *n = node_of(fs, ino);
    struct stat st;

    (void)fi;
    /* Only an open file or directory can name a node that went away: its
     * device went with it (and a read after this one must say -ENODEV). */
    if (!n) {
        fuse_reply_err(req, ENODEV);
        return;
    }
    fill_stat(fs, n, &st);
    fuse_reply_attr(req, &st, CACHE_TIMEOUT);
}

/*
 * O_TRUNC on an attribute and utimes are accepted and mean nothing, as on
 * sysfs; modes and owners are the kernel's.
 */
static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
                       struct fuse_file_info *fi)
{
    struct simfs *fs = fs_of(req);
    struct node *n = node_of(fs, ino);
    struct stat st;

    (void)attr;
    (void)fi;
    if (!n)
        fuse_reply_err(req, ENOENT);
    else if (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))
        fuse_reply_err(req, EPERM);
    else if ((to_set & FUSE_SET_ATTR_SIZE) && n->type != NODE_FILE)
        fuse_reply_err(req, EISDIR);
    else {
        fill_stat(fs, n, &st);
        fuse_reply_attr(req, &st, CACHE_TIMEOUT);
    }
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
    struct node *n = node_of(fs_of(req), ino);

    if (!n)
        fuse_reply_err(req, ENOENT);
    else if (n->type != NODE_LINK)
        fuse_reply_err(req, EINVAL);
    else
        fuse_reply_readlink(req, n->target);
}

/* Directories need no open state: where the kernel allows it, it stops
 * asking and caches every listing (FOPEN_CACHE_DIR) without a round trip. */
static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    if (fs_of(req)->no_opendir) {
        fuse_reply_err(req, ENOSYS);
        return;
    }
    fi->cache_readdir = 1;
    fi->keep_cache = 1;
    fuse_reply_open(req, fi);
}

/* Entries for offset off on: ".", "..", then the children in order (the
 * offset of an entry is its position + 1, where the next call starts). */
static size_t fill_dir(fuse_req_t req, const struct node *dir, off_t off, char *buf,
                       size_t size)
{
    const struct node *c = dir->first;
    struct stat st = { 0 };
    size_t len = 0, n;
    off_t pos;

    for (pos = 2; c && pos < off; pos++)
        c = c->next;
    for (pos = off; ; pos++) {
        const char *name;

        if (pos < 2) {
            name = pos ? ".." : ".";
            st.st_ino = pos && dir->parent ? dir->parent->ino : dir->ino;
            st.st_mode = S_IFDIR;
        } else if (c) {
            name = c->name;
            st.st_ino = c->ino;
            st.st_mode = c->mode & S_IFMT;
            c = c->next;
        } else {
            break;
        }
        n = fuse_add_direntry(req, buf + len, size - len, name, &st, pos + 1);
        if (n > size - len)
            break;
        len += n;
    }
    return len;
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
    struct node *dir = node_of(fs_of(req), ino);
    char *buf;

    (void)fi;
    if (!dir) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    if (dir->type != NODE_DIR) {
        fuse_reply_err(req, ENOTDIR);
        return;
    }
    if (size > READDIR_MAX)
        size = READDIR_MAX;
    buf = xzalloc(size);
    fuse_reply_buf(req, buf, fill_dir(req, dir, off < 0 ? 0 : off, buf, size));
    free(buf);
}

/* kernfs_fop_open(): root gets no exemption from an attribute's mode. */
static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct node *n = node_of(fs_of(req), ino);
    int acc = fi->flags & O_ACCMODE;

    if (!n) {
        fuse_reply_err(req, ENOENT);
        return;
    }
    if (n->type != NODE_FILE) {
        fuse_reply_err(req, EISDIR);
        return;
    }
    if ((acc != O_RDONLY &&
         (!(n->mode & 0222) || (!n->attr->store && !n->attr->write_at))) ||
        (acc != O_WRONLY && (!(n->mode & 0444) || !n->attr->show))) {
        fuse_reply_err(req, EACCES);
        return;
    }
    /* Others report a page as st_size: reads must end with the content. */
    if (n->attr->fixed)
        fi->keep_cache = 1;
    else
        fi->direct_io = 1;
    fuse_reply_open(req, fi);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
    struct simfs *fs = fs_of(req);
    struct node *n = node_of(fs, ino);
    struct strbuf sb = { 0 };
    int rc;

    (void)fi;
    /* An attribute whose device went away while open reads as -ENODEV. */
    if (!n || n->type != NODE_FILE)
        rc = -ENODEV;
    else if (!n->attr->show)
        rc = -EIO;
    else
        rc = n->attr->show(fs->sim, n->obj, &sb);
    if (rc < 0)
        fuse_reply_err(req, -rc);
    else if (off < 0 || (size_t)off >= sb.len)
        fuse_reply_buf(req, NULL, 0);
    else
        fuse_reply_buf(req, sb.data + off,
                       sb.len - (size_t)off < size ? sb.len - (size_t)off : size);
    strbuf_free(&sb);
}

/* Bytes accepted or -errno. */
static int store(struct simfs *fs, struct node *n, const char *buf, size_t size, off_t off)
{
    char *copy;
    int rc;

    if (n->attr->write_at)
        return (int)n->attr->write_at(fs->sim, n->obj, buf, size, off);
    if (!n->attr->store)
        return -EIO;
    if (size > PAGE_SIZE) /* sysfs: atomic_write_len is a page */
        return -E2BIG;
    if (!size) /* an empty write never reaches store */
        return 0;
    copy = xstrndup(buf, size);
    rc = n->attr->store(fs->sim, n->obj, copy, size);
    free(copy);
    return rc < 0 ? rc : (int)size;
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                     struct fuse_file_info *fi)
{
    struct simfs *fs = fs_of(req);
    struct inval_batch batch = { 0 };
    int pid = fuse_req_ctx(req)->pid, rc, err = EIO;
    enum fault fault = FAULT_NONE;
    struct node *n;

    (void)fi;
    n = node_of(fs, ino);
    if (!n || n->type != NODE_FILE)
        rc = -ENODEV;
    else if ((fault = fault_check(fs->sim->faults, pid, n->name, buf, size, &err)) ==
             FAULT_FAIL)
        rc = -err;
    else {
        inval_begin(fs);
        rc = store(fs, n, buf, size, off);
        inval_take(fs, &batch);
    }
    inval_finish_write(fs, req, rc, fault == FAULT_KILL ? pid : 0, &batch);
}

/* The VFS answers these for sysfs: no create -> EACCES, the rest EPERM. */
static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                     dev_t rdev)
{
    (void)parent;
    (void)name;
    (void)mode;
    (void)rdev;
    fuse_reply_err(req, EACCES);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                      struct fuse_file_info *fi)
{
    (void)parent;
    (void)name;
    (void)mode;
    (void)fi;
    fuse_reply_err(req, EACCES);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
    (void)parent;
    (void)name;
    (void)mode;
    fuse_reply_err(req, EPERM);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    (void)parent;
    (void)name;
    fuse_reply_err(req, EPERM);
}

static void op_symlink(fuse_req_t req, const char *target, fuse_ino_t parent, const char *name)
{
    (void)target;
    (void)parent;
    (void)name;
    fuse_reply_err(req, EPERM);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t parent, const char *name)
{
    (void)ino;
    (void)parent;
    (void)name;
    fuse_reply_err(req, EPERM);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
                      fuse_ino_t newparent, const char *newname, unsigned int flags)
{
    (void)parent;
    (void)name;
    (void)newparent;
    (void)newname;
    (void)flags;
    fuse_reply_err(req, EPERM);
}

/* No flush (ENOSYS: the kernel stops sending it) and no release: an open
 * attribute holds nothing. */
const struct fuse_lowlevel_ops sim_fuse_ops = {
    .init = op_init,
    .lookup = op_lookup,
    .forget = op_forget,
    .forget_multi = op_forget_multi,
    .getattr = op_getattr,
    .setattr = op_setattr,
    .readlink = op_readlink,
    .opendir = op_opendir,
    .readdir = op_readdir,
    .open = op_open,
    .read = op_read,
    .write = op_write,
    .mknod = op_mknod,
    .create = op_create,
    .mkdir = op_mkdir,
    .unlink = op_unlink,
    .rmdir = op_unlink,
    .symlink = op_symlink,
    .link = op_link,
    .rename = op_rename,
};
