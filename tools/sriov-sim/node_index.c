/*
 * The node tree's two look-ups, both O(1) so that a host of 8k VFs (some
 * directories hold an entry per function) costs the FUSE host no more per
 * request than a small one: a directory's child by name, and a node by inode
 * number (what the kernel names nodes by).  Open addressing with linear
 * probing, at most half full; deletion shifts the run back instead of leaving
 * tombstones, so a host that enables and disables VFs all day stays fast.
 */
#include <stdlib.h>
#include <string.h>

#include "tree.h"

#define MIN_SLOTS 64

struct table {
    struct node **slot;
    size_t mask, used;      /* slots - 1 (a power of two); entries */
};

struct node_index {
    struct table by_name, by_ino;
    uint64_t next_ino;
    struct node_watch watch;
};

/* splitmix64's finaliser: inode numbers are sequential, slots must not be. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t name_hash(const struct node *dir, const char *name)
{
    uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a */

    for (; *name; name++)
        h = (h ^ (unsigned char)*name) * 0x100000001b3ull;
    return mix(h ^ dir->ino);
}

static uint64_t slot_hash(const struct table *t, const struct node_index *ix,
                          const struct node *n)
{
    return t == &ix->by_ino ? mix(n->ino) : name_hash(n->parent, n->name);
}

static void table_put(struct table *t, const struct node_index *ix, struct node *n)
{
    size_t i = slot_hash(t, ix, n) & t->mask;

    while (t->slot[i])
        i = (i + 1) & t->mask;
    t->slot[i] = n;
    t->used++;
}

static void table_grow(struct table *t, const struct node_index *ix)
{
    struct table old = *t;
    size_t slots = old.slot ? (old.mask + 1) * 2 : MIN_SLOTS;

    t->slot = xzalloc(slots * sizeof(*t->slot));
    t->mask = slots - 1;
    t->used = 0;
    for (size_t i = 0; old.slot && i <= old.mask; i++)
        if (old.slot[i])
            table_put(t, ix, old.slot[i]);
    free(old.slot);
}

static void table_add(struct table *t, const struct node_index *ix, struct node *n)
{
    if (!t->slot || (t->used + 1) * 2 > t->mask + 1)
        table_grow(t, ix);
    table_put(t, ix, n);
}

/* Knuth's deletion for linear probing (TAOCP 6.4, algorithm R). */
static void table_del(struct table *t, const struct node_index *ix, const struct node *n)
{
    size_t i = slot_hash(t, ix, n) & t->mask, j;

    while (t->slot[i] != n) {
        if (!t->slot[i])
            return;
        i = (i + 1) & t->mask;
    }
    t->slot[i] = NULL;
    t->used--;
    for (j = (i + 1) & t->mask; t->slot[j]; j = (j + 1) & t->mask) {
        size_t home = slot_hash(t, ix, t->slot[j]) & t->mask;

        /* Move it back unless its home lies cyclically in (i, j]. */
        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
            t->slot[i] = t->slot[j];
            t->slot[j] = NULL;
            i = j;
        }
    }
}

struct node_index *node_index_new(void)
{
    struct node_index *ix = xzalloc(sizeof(*ix));

    ix->next_ino = NODE_ROOT_INO;
    return ix;
}

void node_index_free(struct node_index *ix)
{
    if (!ix)
        return;
    free(ix->by_name.slot);
    free(ix->by_ino.slot);
    free(ix);
}

void node_index_add(struct node_index *ix, struct node *n)
{
    n->ino = ix->next_ino++;
    n->index = ix;
    table_add(&ix->by_ino, ix, n);
    if (n->parent)
        table_add(&ix->by_name, ix, n);
}

void node_index_del(struct node_index *ix, struct node *n)
{
    table_del(&ix->by_ino, ix, n);
    if (n->parent)
        table_del(&ix->by_name, ix, n);
}

struct node *node_index_child(const struct node_index *ix, const struct node *dir,
                              const char *name)
{
    const struct table *t = &ix->by_name;
    struct node *n;

    if (!t->slot)
        return NULL;
    for (size_t i = name_hash(dir, name) & t->mask; (n = t->slot[i]); i = (i + 1) & t->mask)
        if (n->parent == dir && !strcmp(n->name, name))
            return n;
    return NULL;
}

struct node *node_index_ino(const struct node_index *ix, uint64_t ino)
{
    const struct table *t = &ix->by_ino;
    struct node *n;

    if (!t->slot)
        return NULL;
    for (size_t i = mix(ino) & t->mask; (n = t->slot[i]); i = (i + 1) & t->mask)
        if (n->ino == ino)
            return n;
    return NULL;
}

uint64_t node_index_next_ino(const struct node_index *ix)
{
    return ix->next_ino;
}

void node_index_watch(struct node_index *ix, const struct node_watch *w)
{
    ix->watch = w ? *w : (struct node_watch){ NULL, NULL, NULL };
}

void node_index_entry(struct node_index *ix, struct node *dir, const char *name)
{
    if (ix->watch.entry)
        ix->watch.entry(ix->watch.data, dir, name);
}

void node_index_gone(struct node_index *ix, const struct node *n)
{
    if (ix->watch.gone)
        ix->watch.gone(ix->watch.data, n);
}
