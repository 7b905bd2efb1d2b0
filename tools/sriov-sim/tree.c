/* The node tree that mirrors /sys; see tree.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tree.h"

static void oom(void)
{
    fputs("sriov-sim: out of memory\n", stderr);
    abort();
}

void *xzalloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);

    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p)
        oom();
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xzalloc(n + 1);

    memcpy(p, s, n);
    return p;
}

void strbuf_reserve(struct strbuf *sb, size_t extra)
{
    size_t want = sb->len + extra + 1;

    if (want <= sb->cap)
        return;
    sb->cap = sb->cap ? sb->cap : 256;
    while (sb->cap < want)
        sb->cap *= 2;
    sb->data = xrealloc(sb->data, sb->cap);
}

void strbuf_append(struct strbuf *sb, const void *data, size_t len)
{
    strbuf_reserve(sb, len);
    memcpy(sb->data + sb->len, data, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    strbuf_reserve(sb, 64);
    va_start(ap, fmt);
    n = vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sb->cap - sb->len) {
        strbuf_reserve(sb, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
        va_end(ap);
    }
    sb->len += (size_t)n;
}

void strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    if (sb->data)
        sb->data[0] = '\0';
}

void strbuf_free(struct strbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

static struct node *node_alloc(enum node_type type, const char *name)
{
    size_t len = strlen(name);
    struct node *n = xzalloc(sizeof(*n) + len + 1);

    n->type = type;
    memcpy(n->name, name, len + 1);
    return n;
}

/* Like kernfs: a directory's mtime moves whenever an entry comes or goes,
 * strictly forward even within a clock tick, so that a cache keyed on it
 * (the kernel's FUSE readdir cache) can tell any two listings apart. */
static void dir_touch(struct node *dir)
{
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec < dir->mtime.tv_sec ||
        (now.tv_sec == dir->mtime.tv_sec && now.tv_nsec <= dir->mtime.tv_nsec)) {
        now = dir->mtime;
        if (++now.tv_nsec == 1000000000) {
            now.tv_sec++;
            now.tv_nsec = 0;
        }
    }
    dir->mtime = now;
}

static void node_append(struct node *parent, struct node *n)
{
    n->parent = parent;
    DLIST_APPEND(parent->first, parent->last, n);
    parent->n_children++;
    node_index_add(parent->index, n);
    dir_touch(parent);
    node_index_entry(parent->index, parent, n->name);
}

struct node *node_new_root(void)
{
    struct node *n = node_alloc(NODE_DIR, "");

    n->mode = S_IFDIR | 0755;
    node_index_add(node_index_new(), n);
    dir_touch(n);
    return n;
}

struct node *node_add_dir(struct node *parent, const char *name)
{
    struct node *n = node_alloc(NODE_DIR, name);

    n->mode = S_IFDIR | 0755;
    node_append(parent, n);
    return n;
}

struct node *node_add_attr(struct node *parent, const struct attr_def *def, void *obj)
{
    struct node *n = node_alloc(NODE_FILE, def->name);

    n->mode = S_IFREG | def->mode;
    n->attr = def;
    n->obj = obj;
    node_append(parent, n);
    return n;
}

void node_add_attrs(struct node *parent, const struct attr_def *defs, size_t n, void *obj)
{
    for (size_t i = 0; i < n; i++)
        node_add_attr(parent, &defs[i], obj);
}

struct node *node_add_link(struct node *parent, const char *name, const char *target)
{
    struct node *n = node_alloc(NODE_LINK, name);

    n->mode = S_IFLNK | 0777;
    n->target = xstrdup(target);
    node_append(parent, n);
    return n;
}

static unsigned node_depth(const struct node *n)
{
    unsigned d = 0;

    for (; n->parent; n = n->parent)
        d++;
    return d;
}

/*
 * Like kernfs_get_target_path(): climb from the link's directory to an
 * ancestor of the target's parent, then name the way down.  A link to an
 * ancestor thus reads "../../../0000:03:00.0", never "../../".
 */
struct node *node_link_to(struct node *parent, const char *name, const struct node *target)
{
    const struct node *a = parent, *b = target->parent, *down[64] = { target };
    unsigned da = node_depth(a), db = node_depth(b), ups = 0, n_down = 1;
    struct strbuf sb = { 0 };
    struct node *link;

    while (da > db) {
        a = a->parent;
        da--;
        ups++;
    }
    while (db > da) {
        down[n_down++] = b;
        b = b->parent;
        db--;
    }
    while (a != b) {
        a = a->parent;
        ups++;
        down[n_down++] = b;
        b = b->parent;
    }
    for (unsigned i = 0; i < ups; i++)
        strbuf_append(&sb, "../", 3);
    while (n_down--) {
        strbuf_printf(&sb, "%s", down[n_down]->name);
        if (n_down)
            strbuf_append(&sb, "/", 1);
    }
    link = node_add_link(parent, name, sb.data);
    strbuf_free(&sb);
    return link;
}

struct node *node_child(const struct node *dir, const char *name)
{
    return node_index_child(dir->index, dir, name);
}

struct node *node_by_ino(const struct node *root, uint64_t ino)
{
    return node_index_ino(root->index, ino);
}

uint64_t node_next_ino(const struct node *root)
{
    return node_index_next_ino(root->index);
}

void node_watch(struct node *root, const struct node_watch *w)
{
    node_index_watch(root->index, w);
}

/* Children first: the index finds a node through its parent's inode. */
static void node_free(struct node *n)
{
    struct node *c = n->first;

    while (c) {
        struct node *next = c->next;

        node_free(c);
        c = next;
    }
    node_index_gone(n->index, n);
    node_index_del(n->index, n);
    free(n->target);
    free(n);
}

void node_remove(struct node *n)
{
    struct node_index *ix = n->index;
    struct node *p = n->parent;

    if (!p) {
        node_free(n);
        node_index_free(ix);
        return;
    }
    node_index_entry(ix, p, n->name);
    DLIST_UNLINK(p->first, p->last, n);
    p->n_children--;
    dir_touch(p);
    node_free(n);
}

void node_path(const struct node *n, struct strbuf *out)
{
    const struct node *stack[64];
    unsigned depth = 0;

    for (; n->parent && depth < 64; n = n->parent)
        stack[depth++] = n;
    while (depth--)
        strbuf_printf(out, "/%s", stack[depth]->name);
}
