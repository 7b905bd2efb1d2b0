/*
 * DIR/domains.index: what the domain files said, so that listing the domains
 * need not open every one.  Each listing (sim_domain_list, and the walks that
 * find who holds a device) reads every domain's file, a thousand opens for a
 * thousand domains, three listings for one pci-attach; Xen answers the same
 * from memory.
 *
 * Only a cache: a file's content is taken from it when the file's inode, size,
 * mtime and ctime are what they were when that content was read, which any
 * change since (the sim's rename of a new file, a test's `echo >>`, sed -i,
 * rm) makes untrue.  A change within the same timestamp tick could go unseen,
 * so content is kept only for files whose ctime was over a second old when it
 * was read: a later change then gets a later ctime.  A missing, foreign or
 * broken index is rebuilt; writing it is best effort, temp file and rename,
 * like every file of the sim.
 *
 * The file: "sim-domains-index 1\n", then per domain file
 * "NAME INO SIZE MTIME_S MTIME_NS CTIME_S CTIME_NS\n" and its SIZE bytes.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"
#include "core/plan.h"
#include "core/statefile.h"
#include "hv_sim.h"

#define INDEX_NAME "domains.index"
#define INDEX_MAGIC "sim-domains-index 1\n"

struct sim_index_entry {
    char *name;
    struct stat st;              /* ino, size, mtime, ctime as read */
    char *data;                  /* size bytes */
    bool own_name, own_data;     /* malloc'd, else in the index's file */
    bool seen;                   /* listed by the walk under way */
};

/* Entries are found by name through a hash table: each walk looks up every
 * domain's file, in readdir's order, and a binary search of names was an
 * eighth of a walk. */
struct sim_index {
    struct sim_index_entry *v;   /* those in the table, then added ones */
    size_t n, cap, hashed;       /* v[0, hashed) are in the table */
    size_t *slot;                /* 2^bits slots: an entry's place + 1, 0 if empty */
    unsigned int bits;
    bool changed;                /* differs from the file */
    char *file;                  /* the file as read: what entries point into */
};

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct sim_index_entry *)a)->name,
                  ((const struct sim_index_entry *)b)->name);
}

static void entry_free(struct sim_index_entry *e)
{
    if (e->own_name)
        free(e->name);
    if (e->own_data)
        free(e->data);
}

void sim_index_free(struct sim_index *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->n; i++)
        entry_free(&ix->v[i]);
    free(ix->v);
    free(ix->slot);
    free(ix->file);
    free(ix);
}

/* A name's first eight bytes (fewer if it is shorter) as the key.  The names
 * of domain files are UUIDs, whose first eight digits are random: nothing more
 * is needed to spread them, and any other name is still found, at worst after
 * a longer probe. */
static size_t hash(const char *name, unsigned int bits)
{
    uint64_t h = 0;

    memcpy(&h, name, strnlen(name, sizeof(h)));
    return sriov__hash_slot(h, bits);
}

/* The table of every entry: -EEXIST when two have one name (the file is
 * broken), -ENOMEM; either way lookups then find nothing. */
static int rehash(struct sim_index *ix)
{
    unsigned int bits = sriov__hash_bits(ix->n);
    size_t mask;

    free(ix->slot);
    ix->slot = NULL;
    ix->hashed = 0;
    ix->slot = calloc((size_t)1 << bits, sizeof(*ix->slot));
    if (!ix->slot)
        return -ENOMEM;
    ix->bits = bits;
    mask = ((size_t)1 << bits) - 1;
    for (size_t i = 0; i < ix->n; i++) {
        size_t h = hash(ix->v[i].name, bits);
        for (; ix->slot[h]; h = (h + 1) & mask)
            if (!strcmp(ix->v[ix->slot[h] - 1].name, ix->v[i].name)) {
                free(ix->slot);
                ix->slot = NULL;
                return -EEXIST;
            }
        ix->slot[h] = i + 1;
    }
    ix->hashed = ix->n;
    return 0;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Room for one more entry, at ix->v[ix->n]. */
static int room(struct sim_index *ix)
{
    return sriov__grow(&ix->v, &ix->cap, ix->n, sizeof(*ix->v), 64);
}

static int add(struct sim_index *ix, const char *name, size_t name_len, const struct stat *st,
               const char *data)
{
    struct sim_index_entry *e;

    if (room(ix))
        return -ENOMEM;
    e = &ix->v[ix->n];
    *e = (struct sim_index_entry){ .st = *st, .own_name = true, .own_data = true };
    e->name = strndup(name, name_len);
    e->data = malloc((size_t)st->st_size + 1);
    if (!e->name || !e->data) {
        entry_free(e);
        return -ENOMEM;
    }
    memcpy(e->data, data, (size_t)st->st_size);
    e->data[st->st_size] = '\0';
    ix->n++;
    return 0;
}

/* The next number of s, after one space: false when there is none. */
static bool number(const char **s, const char *end, unsigned long long *out)
{
    const char *p = *s;
    unsigned long long v = 0;

    if (p >= end || *p++ != ' ' || p >= end || *p < '0' || *p > '9')
        return false;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (v > (ULLONG_MAX - 9) / 10)
            return false;
        v = v * 10 + (unsigned long long)(*p - '0');
    }
    *s = p;
    *out = v;
    return true;
}

/* One entry of the file at *p: false when it is not one.  (By hand, not
 * sscanf: a thousand of them are read by every command.) */
static bool parse_entry(struct sim_index *ix, char **p, const char *end)
{
    char *nl = memchr(*p, '\n', (size_t)(end - *p)), *sp;
    const char *q;
    unsigned long long f[6];
    struct stat st = { 0 };

    if (!nl)
        return false;
    sp = memchr(*p, ' ', (size_t)(nl - *p));
    if (!sp || sp == *p)
        return false;
    q = sp;
    for (size_t k = 0; k < 6; k++)
        if (!number(&q, nl, &f[k]))
            return false;
    if (q != nl || f[1] > (unsigned long long)(end - nl - 1) || f[3] > 999999999 ||
        f[5] > 999999999)
        return false;
    st.st_ino = (ino_t)f[0];
    st.st_size = (off_t)f[1];
    st.st_mtim = (struct timespec){ .tv_sec = (time_t)f[2], .tv_nsec = (long)f[3] };
    st.st_ctim = (struct timespec){ .tv_sec = (time_t)f[4], .tv_nsec = (long)f[5] };
    if (room(ix))
        return false;
    *sp = '\0'; /* the name, in place: the buffer is the index's own */
    ix->v[ix->n++] = (struct sim_index_entry){ .name = *p, .st = st, .data = nl + 1 };
    *p = nl + 1 + f[1];
    return true;
}

/* The index as the file has it; empty when there is none or it is not one. */
static struct sim_index *load(struct sim_hv *sim, dev_t dev)
{
    struct sim_index *ix = calloc(1, sizeof(*ix));
    char path[PATH_MAX], *data = NULL, *p;
    const char *end;
    size_t len = 0;
    bool ok;

    if (!ix)
        return NULL;
    if (sim_path(sim, path, sizeof(path), INDEX_NAME) ||
        sriov__state_read(sim->hv.ctx, path, &data, &len))
        return ix;
    p = data;
    end = data + len;
    ok = len >= strlen(INDEX_MAGIC) && !memcmp(data, INDEX_MAGIC, strlen(INDEX_MAGIC));
    for (p += ok ? strlen(INDEX_MAGIC) : 0; ok && p < end;)
        ok = parse_entry(ix, &p, end);
    ix->file = data;
    for (size_t i = 0; i < ix->n; i++)
        ix->v[i].st.st_dev = dev; /* one directory: its files share it */
    if (!ok || rehash(ix)) {
        sim_index_free(ix);
        ix = calloc(1, sizeof(*ix));
        if (ix)
            ix->changed = true;
    }
    return ix;
}

static struct sim_index_entry *find(struct sim_index *ix, const char *name)
{
    size_t mask = ((size_t)1 << ix->bits) - 1;

    if (!ix->slot)
        return NULL;
    for (size_t h = hash(name, ix->bits); ix->slot[h]; h = (h + 1) & mask)
        if (!strcmp(ix->v[ix->slot[h] - 1].name, name))
            return &ix->v[ix->slot[h] - 1];
    return NULL;
}

const char *sim_index_get(struct sim_hv *sim, const char *name, const struct stat *st)
{
    struct sim_index_entry *e;

    if (!sim->index)
        sim->index = load(sim, st->st_dev);
    e = sim->index ? find(sim->index, name) : NULL;
    if (!e)
        return NULL;
    e->seen = true;
    return same_file(&e->st, st) ? e->data : NULL;
}

void sim_index_put(struct sim_hv *sim, const char *name, const struct stat *st,
                   const char *data, size_t len)
{
    struct sim_index *ix = sim->index;
    struct sim_index_entry *e;
    struct timespec now;

    if (!ix || (off_t)len != st->st_size || clock_gettime(CLOCK_REALTIME, &now) ||
        st->st_ctim.tv_sec >= now.tv_sec - 1)
        return; /* too new to be told from a change made in the same tick */
    e = find(ix, name);
    if (e) {
        char *d = malloc(len + 1);
        if (!d)
            return;
        memcpy(d, data, len);
        d[len] = '\0';
        if (e->own_data)
            free(e->data);
        e->data = d;
        e->own_data = true;
        e->st = *st;
        e->seen = true;
    } else {
        /* Appended: lookups of the walk under way see only those in the table. */
        if (add(ix, name, strlen(name), st, data))
            return;
        ix->v[ix->n - 1].seen = true;
    }
    ix->changed = true;
}

/* The file written from ix; a failure leaves the old one (or none). */
static void save(struct sim_hv *sim, struct sim_index *ix)
{
    struct sriov__saved_error why;
    char path[PATH_MAX], *buf = NULL;
    size_t len = 0;
    FILE *f;

    if (sriov__dry_run(sim->hv.ctx) || sim_path(sim, path, sizeof(path), INDEX_NAME))
        return;
    f = open_memstream(&buf, &len);
    if (!f)
        return;
    fputs(INDEX_MAGIC, f);
    for (size_t i = 0; i < ix->n; i++) {
        const struct sim_index_entry *e = &ix->v[i];
        fprintf(f, "%s %llu %llu %llu %ld %llu %ld\n", e->name,
                (unsigned long long)e->st.st_ino, (unsigned long long)e->st.st_size,
                (unsigned long long)e->st.st_mtim.tv_sec, e->st.st_mtim.tv_nsec,
                (unsigned long long)e->st.st_ctim.tv_sec, e->st.st_ctim.tv_nsec);
        fwrite(e->data, 1, (size_t)e->st.st_size, f);
    }
    if (fclose(f) == 0) {
        /* A cache: what goes wrong writing it is no one's error. */
        sriov__error_save(sim->hv.ctx, &why);
        if (sriov__state_write(sim->hv.ctx, path, buf, len) == 0)
            ix->changed = false;
        sriov__error_restore(sim->hv.ctx, &why);
    }
    free(buf);
}

void sim_index_walked(struct sim_hv *sim, bool complete)
{
    struct sim_index *ix = sim->index;
    size_t k = 0;

    if (!ix)
        return;
    /* Files the walk did not list are gone: forget them, after a whole walk only. */
    for (size_t i = 0; i < ix->n; i++) {
        if (complete && !ix->v[i].seen) {
            entry_free(&ix->v[i]);
            ix->changed = true;
            continue;
        }
        ix->v[i].seen = false;
        ix->v[k++] = ix->v[i];
    }
    /* Entries gone or added: sorted again, so that the same domains make the
     * same file, and the table made anew.  A failure leaves no table: the
     * files are then read, not their copies. */
    if (k != ix->n || ix->hashed != ix->n) {
        ix->n = k;
        if (ix->n)
            qsort(ix->v, ix->n, sizeof(*ix->v), cmp_entry);
        (void)rehash(ix);
    }
    if (ix->changed)
        save(sim, ix);
}
