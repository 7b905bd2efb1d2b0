/*
 * Reading the records file (records.h: sriov__recs_parse) in one pass: yajl's
 * callbacks fill each record as its object goes by.  Every command reads the
 * file, which holds a record for each VF given out; a yajl_tree of it (a node,
 * a key and a string allocated for each field, then walked key by key) cost
 * more than everything else a command does at a thousand domains.
 *
 * What is accepted and every message are the tree's: the values a record's
 * keys had are kept as core/json.h's scalars, judged by the same code as the
 * tree's look-ups, in the same order, once the record's object is complete.
 * The first record refused is remembered and the document still read to its
 * end, since a syntax error anywhere is what a tree would have reported.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "assign/records.h"
#include "assign/records_check.h"
#include "core/json.h"

/* The keys a record may have, in the order rec_from_slots() checks them. */
enum field {
    F_UUID, F_NAME, F_PF, F_VF, F_MAC, F_PHASE, F_OWNER,
    F_INDEX, F_DOMID, F_STEPS, F_PENDING, F_OWNER_PID,
    F_NETWORK, F_DRIVER, F_SPEC,
    F_N,
    F_NONE = F_N,                /* a key of no field, or a field's second value */
};

#define KEY(s) { s, sizeof(s) - 1 }
static const struct {
    const char *key;
    size_t len;
} field_name[F_N] = {
    KEY("domain_uuid"), KEY("domain_name"), KEY("pf"), KEY("vf"), KEY("mac"), KEY("phase"),
    KEY("owner"), KEY("index"), KEY("domid_hint"), KEY("steps"), KEY("pending"),
    KEY("owner_pid"), KEY("network"), KEY("driver"), KEY("spec"),
};
#undef KEY

/* A field's first value; its string in buf, kept from record to record. */
struct slot {
    struct sriov__json_scalar v;
    char *buf;
    size_t cap;
};

/* A key of the record, for repeated ones: a field's number, or a copy. */
struct key {
    enum field f;
    char *name;                  /* F_NONE's */
};

struct reader {
    struct sriov__recs *out;
    size_t depth;                /* containers open */
    bool map_at[4];              /* depth 1..3: that container is an object */
    bool not_array;              /* the document is something else */
    bool failed;                 /* a record was refused: the rest is only read */
    int rc;
    char why[SRIOV_JSON_WHY];
    char label[64];
    size_t bad;                  /* the refused record's number, from 1 */
    /* The record being read. */
    struct slot slot[F_N];
    enum field cur;              /* whose value comes next */
    struct key *keys;
    size_t n_keys, cap_keys;
    bool repeated;               /* some key came twice */
    /* A field's value that is an object: {"hex": string} or not. */
    size_t sub_keys;
    bool sub_hex;                /* its first key is "hex" ... */
    bool sub_hex_str;            /* ... and that key's value a string */
    char *sub_buf;
    size_t sub_cap;
};

/* Where an event falls: the container it opens or the scalar it is. */
enum place { AT_ROOT, AT_RECORD, AT_FIELD, AT_SUB, AT_NONE };

static enum place place(const struct reader *r)
{
    if (r->depth == 0)
        return AT_ROOT;
    if (r->not_array || r->failed)
        return AT_NONE;
    if (r->depth == 1)
        return AT_RECORD;
    if (r->depth == 2 && r->map_at[2])
        return r->cur == F_NONE ? AT_NONE : AT_FIELD;
    if (r->depth == 3 && r->map_at[2] && r->map_at[3] && r->cur != F_NONE)
        return AT_SUB;
    return AT_NONE;
}

/* Keep a copy of s in *buf (grown as needed): 0, or 0 from the callback. */
static int keep(char **buf, size_t *cap, const unsigned char *s, size_t len)
{
    if (len + 1 > *cap) {
        size_t c = *cap ? *cap : 64;
        char *nb;
        while (c < len + 1)
            c *= 2;
        nb = realloc(*buf, c);
        if (!nb)
            return -ENOMEM;
        *buf = nb;
        *cap = c;
    }
    memcpy(*buf, s, len);
    (*buf)[len] = '\0';
    return 0;
}

/* Callbacks return 1 to go on; out of memory stops yajl, with r->rc set. */
static int oom(struct reader *r)
{
    r->rc = -ENOMEM;
    return 0;
}

static void refuse(struct reader *r, int rc)
{
    r->failed = true;
    r->rc = rc;
    r->bad = r->out->n + 1;
}

static void record_begin(struct reader *r)
{
    for (size_t f = 0; f < F_N; f++)
        r->slot[f].v = (struct sriov__json_scalar){ .kind = SRIOV_JSON_ABSENT };
    for (size_t k = 0; k < r->n_keys; k++)
        free(r->keys[k].name);
    r->n_keys = 0;
    r->repeated = false;
    r->cur = F_NONE;
}

/* A record that is not an object: refused as rec_from_json() refuses it. */
static void record_not_object(struct reader *r)
{
    snprintf(r->why, sizeof(r->why), "not an object");
    r->label[0] = '\0';
    refuse(r, -EINVAL);
}

/* A scalar value: what the field, or the {"hex": ...} in it, now holds. */
static int scalar(struct reader *r, const struct sriov__json_scalar *v, const unsigned char *s,
                  size_t len)
{
    struct slot *sl;

    switch (place(r)) {
    case AT_ROOT:
        r->not_array = true;
        return 1;
    case AT_RECORD:
        record_not_object(r);
        return 1;
    case AT_FIELD:
        sl = &r->slot[r->cur];
        sl->v = *v;
        if (v->kind == SRIOV_JSON_STRING) {
            if (keep(&sl->buf, &sl->cap, s, len))
                return oom(r);
            sl->v.s = sl->buf;
        }
        r->cur = F_NONE;
        return 1;
    case AT_SUB:
        if (r->sub_keys == 1 && r->sub_hex && v->kind == SRIOV_JSON_STRING) {
            if (keep(&r->sub_buf, &r->sub_cap, s, len))
                return oom(r);
            r->sub_hex_str = true;
        }
        return 1;
    case AT_NONE:
        return 1;
    }
    return 1;
}

static int on_null(void *ctx)
{
    return scalar(ctx, &(struct sriov__json_scalar){ .kind = SRIOV_JSON_NULL }, NULL, 0);
}

static int on_boolean(void *ctx, int b)
{
    (void)b;
    return scalar(ctx, &(struct sriov__json_scalar){ .kind = SRIOV_JSON_OTHER }, NULL, 0);
}

static int on_number(void *ctx, const char *s, size_t len)
{
    struct sriov__json_scalar v;

    sriov__json_number(s, len, &v);
    return scalar(ctx, &v, NULL, 0);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    return scalar(ctx, &(struct sriov__json_scalar){ .kind = SRIOV_JSON_STRING }, s, len);
}

/* A container opens: an array or (map) an object. */
static int open_container(struct reader *r, bool map)
{
    switch (place(r)) {
    case AT_ROOT:
        r->not_array = map;
        break;
    case AT_RECORD:
        if (map)
            record_begin(r);
        else
            record_not_object(r);
        break;
    case AT_FIELD:
        r->slot[r->cur].v = (struct sriov__json_scalar){ .kind = SRIOV_JSON_OTHER };
        r->sub_keys = 0;
        r->sub_hex = r->sub_hex_str = false;
        break;
    case AT_SUB:
    case AT_NONE:
        break;
    }
    r->depth++;
    if (r->depth < sizeof(r->map_at) / sizeof(r->map_at[0]))
        r->map_at[r->depth] = map;
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, true);
}

static int on_start_array(void *ctx)
{
    return open_container(ctx, false);
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len)
{
    struct reader *r = ctx;
    struct key *k;
    enum field f = F_NONE;

    if (r->not_array || r->failed || !r->map_at[r->depth < 4 ? r->depth : 0])
        return 1;
    if (r->depth == 3 && r->map_at[2] && r->cur != F_NONE) {
        if (++r->sub_keys == 1)
            r->sub_hex = len == 3 && !memcmp(s, "hex", 3);
        return 1;
    }
    if (r->depth != 2)
        return 1;
    for (size_t i = 0; i < F_N && f == F_NONE; i++)
        if (field_name[i].len == len && !memcmp(field_name[i].key, s, len))
            f = (enum field)i;
    if (sriov__grow(&r->keys, &r->cap_keys, r->n_keys, sizeof(*r->keys), 16))
        return oom(r);
    k = &r->keys[r->n_keys];
    *k = (struct key){ .f = f };
    if (f == F_NONE && !(k->name = strndup((const char *)s, len)))
        return oom(r);
    r->n_keys++;
    if (f != F_NONE && r->slot[f].v.kind != SRIOV_JSON_ABSENT) {
        /* A field that had a value: its first counts, as a look-up in the tree
         * finds it. */
        r->repeated = true;
        f = F_NONE;
    } else if (f == F_NONE) {
        for (size_t i = 0; i + 1 < r->n_keys && !r->repeated; i++)
            r->repeated = r->keys[i].f == F_NONE && !strcmp(r->keys[i].name, k->name);
    }
    r->cur = f;
    return 1;
}

static const char *key_name(const struct key *k)
{
    return k->f == F_NONE ? k->name : field_name[k->f].key;
}

/* As sriov__json_object_check() words it: the first key that comes again. */
static void repeated_key(const struct reader *r, char why[SRIOV_JSON_WHY])
{
    for (size_t i = 0; i < r->n_keys; i++)
        for (size_t k = i + 1; k < r->n_keys; k++)
            if (!strcmp(key_name(&r->keys[i]), key_name(&r->keys[k]))) {
                /* Keys are quoted only when printable: they come from the file. */
                snprintf(why, SRIOV_JSON_WHY, "key \"%s\" appears twice",
                         sriov__utf8_printable(key_name(&r->keys[i])) ? key_name(&r->keys[i])
                                                                      : "(unprintable)");
                return;
            }
}

/* A string into a fixed buffer: what does not fit is refused, never cut. */
static int get_fixed(const struct reader *r, enum field f, bool required, char *buf,
                     size_t size, char why[SRIOV_JSON_WHY])
{
    bool present;
    int rc = sriov__json_scalar_fixed(&r->slot[f].v, field_name[f].key, buf, size, &present,
                                      why);

    if (!rc && !present && required)
        rc = sriov__rec_bad(why, field_name[f].key, "is missing");
    return rc;
}

/* A number in [0, max]; an optional one left out keeps *out. */
static int get_num(const struct reader *r, enum field f, bool required, long long max,
                   long long *out, char why[SRIOV_JSON_WHY])
{
    int rc = sriov__json_scalar_int(&r->slot[f].v, field_name[f].key, 0, max, out, why);

    if (rc == -ENOENT)
        rc = required ? sriov__rec_bad(why, field_name[f].key, "is missing") : 0;
    return rc;
}

static int get_text(const struct reader *r, enum field f, char **out, char why[SRIOV_JSON_WHY])
{
    return sriov__json_scalar_bytes(&r->slot[f].v, field_name[f].key, MAX_TEXT, out, why);
}

/* The record from its fields, checked in the order the tree's reading checked. */
static int rec_from_slots(const struct reader *r, struct sriov_assignment *a,
                          char why[SRIOV_JSON_WHY])
{
    long long index = 0, domid = 0, steps = 0, pending = 0, owner = 0;
    char phase[16] = "";
    int rc = 0;

    memset(a, 0, sizeof(*a));
    if (r->repeated) {
        repeated_key(r, why);
        return -EINVAL;
    }
    rc = get_fixed(r, F_UUID, true, a->uuid, sizeof(a->uuid), why);
    if (!rc)
        rc = get_fixed(r, F_NAME, false, a->name, sizeof(a->name), why);
    if (!rc)
        rc = get_fixed(r, F_PF, true, a->pf, sizeof(a->pf), why);
    if (!rc)
        rc = get_fixed(r, F_VF, true, a->vf, sizeof(a->vf), why);
    if (!rc)
        rc = get_fixed(r, F_MAC, false, a->mac, sizeof(a->mac), why);
    if (!rc)
        rc = get_fixed(r, F_PHASE, true, phase, sizeof(phase), why);
    if (!rc && sriov__rec_phase_parse(phase, &a->phase))
        rc = sriov__rec_bad(why, "phase", "is none of reserved, attached, releasing");
    if (!rc)
        rc = get_fixed(r, F_OWNER, false, a->owner_id, sizeof(a->owner_id), why);
    if (!rc)
        rc = get_num(r, F_INDEX, true, MAX_VF_INDEX, &index, why);
    if (!rc)
        rc = get_num(r, F_DOMID, false, MAX_DOMID, &domid, why);
    if (!rc)
        rc = get_num(r, F_STEPS, false, SRIOV__STEPS_KNOWN, &steps, why);
    if (!rc)
        rc = get_num(r, F_PENDING, false, SRIOV__STEPS_KNOWN, &pending, why);
    if (!rc)
        rc = get_num(r, F_OWNER_PID, false, MAX_PID, &owner, why);
    if (!rc)
        rc = get_text(r, F_NETWORK, &a->network, why);
    if (!rc)
        rc = get_text(r, F_DRIVER, &a->driver, why);
    if (!rc)
        rc = get_text(r, F_SPEC, &a->spec, why);
    a->index = (unsigned int)index;
    a->domid = (uint32_t)domid;
    a->steps = (unsigned int)steps;
    a->pending = (unsigned int)pending;
    a->owner = (pid_t)owner;
    if (!rc)
        rc = sriov__rec_check(a, why);
    if (rc)
        sriov__rec_dispose(a);
    return rc;
}

/* Which VF a refused record names, for messages: " (VF 0000:03:10.2)", or ""
 * when its fields are too broken to tell.  Only checked values are quoted. */
static void rec_label(const struct reader *r, char *buf, size_t len)
{
    const struct sriov__json_scalar *vf = &r->slot[F_VF].v, *pf = &r->slot[F_PF].v;
    const struct sriov__json_scalar *index = &r->slot[F_INDEX].v;

    buf[0] = '\0';
    if (vf->kind == SRIOV_JSON_STRING && sriov__rec_is_canonical_bdf(vf->s))
        snprintf(buf, len, " (VF %s)", vf->s);
    else if (pf->kind == SRIOV_JSON_STRING && sriov__rec_is_canonical_bdf(pf->s) &&
             index->kind == SRIOV_JSON_NUMBER && index->int_valid)
        snprintf(buf, len, " (VF %lld of PF %s)", index->i, pf->s);
}

static int record_end(struct reader *r)
{
    struct sriov__recs *out = r->out;
    int rc = 0;

    if (sriov__grow(&out->v, &out->cap, out->n, sizeof(*out->v), 16))
        return oom(r);
    rc = rec_from_slots(r, &out->v[out->n], r->why);
    if (rc == -ENOMEM)
        return oom(r);
    if (rc) {
        rec_label(r, r->label, sizeof(r->label));
        refuse(r, rc);
        return 1;
    }
    out->n++;
    return 1;
}

/* A container closes: a record's object, or a field's {"hex": ...}. */
static int close_container(struct reader *r)
{
    r->depth--;
    if (r->not_array || r->failed || r->depth > 2 || r->depth == 0)
        return 1;
    if (r->depth == 1)
        return r->map_at[2] ? record_end(r) : 1;
    /* depth 2: a field's value ends */
    if (r->map_at[2] && r->cur != F_NONE) {
        struct slot *sl = &r->slot[r->cur];
        if (r->map_at[3] && r->sub_keys == 1 && r->sub_hex && r->sub_hex_str) {
            if (keep(&sl->buf, &sl->cap, (const unsigned char *)r->sub_buf,
                     strlen(r->sub_buf)))
                return oom(r);
            sl->v = (struct sriov__json_scalar){ .kind = SRIOV_JSON_HEX, .s = sl->buf };
        }
        r->cur = F_NONE;
    }
    return 1;
}

static int on_end_map(void *ctx)
{
    return close_container(ctx);
}

static int on_end_array(void *ctx)
{
    return close_container(ctx);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end_map,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end_array,
};

static void reader_free(struct reader *r)
{
    for (size_t f = 0; f < F_N; f++)
        free(r->slot[f].buf);
    for (size_t k = 0; k < r->n_keys; k++)
        free(r->keys[k].name);
    free(r->keys);
    free(r->sub_buf);
}

int sriov__recs_parse(struct sriov_ctx *ctx, const char *what, const char *data, size_t len,
                      struct sriov__recs *out)
{
    struct reader r = { .out = out, .cur = F_NONE };
    yajl_handle h = NULL;
    yajl_status st;
    int rc;

    out->v = NULL;
    out->n = out->cap = 0;
    rc = sriov__json_precheck(data, len, r.why);
    if (rc) {
        rc = sriov__fail(ctx, rc, "%s is corrupt: %s", what, r.why);
        goto out;
    }
    h = yajl_alloc(&callbacks, NULL, &r);
    if (!h) {
        rc = -ENOMEM;
        goto out;
    }
    sriov__json_config(h);
    /* Room for the records a file of this size holds (some 460 bytes each):
     * not grown, and copied, ten times over for a thousand. */
    out->cap = len / 400 + 1;
    out->v = malloc(out->cap * sizeof(*out->v));
    if (!out->v) {
        rc = -ENOMEM;
        goto out;
    }
    st = yajl_parse(h, (const unsigned char *)data, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (r.rc == -ENOMEM) {
        rc = -ENOMEM;
    } else if (st != yajl_status_ok) {
        sriov__json_error(h, data, len, r.why);
        rc = sriov__fail(ctx, -EINVAL, "%s is corrupt: %s", what, r.why);
    } else if (r.not_array) {
        rc = sriov__fail(ctx, -EINVAL, "%s is corrupt: not an array", what);
    } else if (r.failed) {
        rc = sriov__fail(ctx, r.rc, "%s is corrupt: record %zu%s: %s", what, r.bad, r.label,
                         r.why);
    } else {
        rc = sriov__recs_check_unique(ctx, what, out);
    }
out:
    if (h)
        yajl_free(h);
    reader_free(&r);
    if (rc)
        sriov__recs_dispose(out);
    return rc;
}
