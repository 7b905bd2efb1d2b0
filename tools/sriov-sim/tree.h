/*
 * The node tree: directories, attribute files and symlinks that mirror /sys.
 * Files carry no bytes; an attribute renders its content on demand from the
 * object it belongs to, which is what keeps FUSE reads always current.
 */
#ifndef SRIOV_SIM_TREE_H
#define SRIOV_SIM_TREE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct sim;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The intrusive lists here (a directory's children, the host's devices)
 * keep first/last in the owner and prev/next in each member.
 */
#define DLIST_APPEND(first, last, n)                                           \
    do {                                                                       \
        (n)->prev = (last);                                                    \
        if (last)                                                              \
            (last)->next = (n);                                                \
        else                                                                   \
            (first) = (n);                                                     \
        (last) = (n);                                                          \
    } while (0)

#define DLIST_UNLINK(first, last, n)                                           \
    do {                                                                       \
        if ((n)->prev)                                                         \
            (n)->prev->next = (n)->next;                                       \
        else                                                                   \
            (first) = (n)->next;                                               \
        if ((n)->next)                                                         \
            (n)->next->prev = (n)->prev;                                       \
        else                                                                   \
            (last) = (n)->prev;                                                \
    } while (0)

/* Growable byte buffer; allocation failure aborts (see xmalloc). */
struct strbuf {
    char *data;
    size_t len, cap;
};

void strbuf_reserve(struct strbuf *sb, size_t extra);
void strbuf_append(struct strbuf *sb, const void *data, size_t len);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_reset(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);

/*
 * A simulator can do nothing useful after running out of memory, and
 * checking every allocation would drown the emulation logic: abort instead.
 */
void *xzalloc(size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

enum node_type { NODE_DIR, NODE_FILE, NODE_LINK };

struct attr_def {
    const char *name;
    mode_t mode;
    /* Appends the content; 0 or -errno. */
    int (*show)(struct sim *sim, void *obj, struct strbuf *out);
    /* buf is NUL terminated like the kernel's; 0 on success or -errno. */
    int (*store)(struct sim *sim, void *obj, const char *buf, size_t len);
    /* Binary attributes (config) are written at an offset instead. */
    ssize_t (*write_at)(struct sim *sim, void *obj, const char *buf, size_t len, off_t off);
    /* The content never changes while the node exists, so the FUSE host
     * lets the kernel cache it; everything else is read afresh each time. */
    bool fixed;
};

/* Table rows for the usual modes, like the kernel's DEVICE_ATTR_RO/RW/WO:
 * attribute "x" is shown by show_x and stored by store_x.  ATTR_RO is for
 * properties of the object that nothing can change (vendor, resource, ...);
 * a read-only file that a write elsewhere changes (pciback's slots) spells
 * its row out without "fixed". */
#define ATTR_RO(x) { #x, 0444, show_##x, NULL, NULL, true }
#define ATTR_RW(x) { #x, 0644, show_##x, store_##x, NULL, false }
#define ATTR_WO(x) { #x, 0200, NULL, store_##x, NULL, false }

struct node;

/* What the FUSE host hears of each change, to drop what the kernel cached. */
struct node_watch {
    /* A name appeared in dir, or is about to leave it. */
    void (*entry)(void *data, struct node *dir, const char *name);
    /* A node is about to be freed: each one of a removed subtree. */
    void (*gone)(void *data, const struct node *n);
    void *data;
};

struct node_index;

struct node {
    enum node_type type;
    mode_t mode;
    uint64_t ino;                   /* unique for the tree's life, never reused */
    struct node_index *index;       /* the tree's, shared by every node */
    struct node *parent, *first, *last, *prev, *next;
    size_t n_children;
    struct timespec mtime;          /* directories: when an entry last came or went */
    const struct attr_def *attr;    /* files */
    void *obj;
    char *target;                   /* links */
    char name[];
};

#define NODE_ROOT_INO 1             /* FUSE's FUSE_ROOT_ID */

struct node *node_new_root(void);
struct node *node_add_dir(struct node *parent, const char *name);
struct node *node_add_attr(struct node *parent, const struct attr_def *def, void *obj);
void node_add_attrs(struct node *parent, const struct attr_def *defs, size_t n, void *obj);
struct node *node_add_link(struct node *parent, const char *name, const char *target);
/* A symlink to another node, relative through the common ancestor like sysfs. */
struct node *node_link_to(struct node *parent, const char *name, const struct node *target);
/* O(1): hashed by (directory, name). */
struct node *node_child(const struct node *dir, const char *name);
/* The node with that inode number, or NULL once it has been removed. */
struct node *node_by_ino(const struct node *root, uint64_t ino);
/* The number the next node will get: those from it on are newer. */
uint64_t node_next_ino(const struct node *root);
/* Reports each later change to the tree of root to w (NULL: stop). */
void node_watch(struct node *root, const struct node_watch *w);
void node_remove(struct node *n);
void node_path(const struct node *n, struct strbuf *out);

/* node_index.c: the hash tables behind node_child() and node_by_ino(). */
struct node_index *node_index_new(void);
void node_index_free(struct node_index *ix);
void node_index_add(struct node_index *ix, struct node *n);    /* sets n->ino */
void node_index_del(struct node_index *ix, struct node *n);
struct node *node_index_child(const struct node_index *ix, const struct node *dir,
                              const char *name);
struct node *node_index_ino(const struct node_index *ix, uint64_t ino);
uint64_t node_index_next_ino(const struct node_index *ix);
void node_index_watch(struct node_index *ix, const struct node_watch *w);
void node_index_entry(struct node_index *ix, struct node *dir, const char *name);
void node_index_gone(struct node_index *ix, const struct node *n);

#endif
