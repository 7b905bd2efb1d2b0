/* The checks of one assignment record (records_check.h), for records.c. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "assign/records_check.h"

/* Without a branch on each digit: random hex digits and letters (UUIDs, MACs)
 * would mispredict every other one, in every record of every command. */
static bool is_hex_digit(char c, bool upper_too)
{
    unsigned int u = (unsigned char)c;

    return ((u - '0' < 10) | (u - 'a' < 6) | (upper_too & (u - 'A' < 6))) != 0;
}

static bool is_hex_digits(const char *s, size_t n, bool upper_too)
{
    bool ok = true;

    for (size_t i = 0; i < n; i++)
        ok &= is_hex_digit(s[i], upper_too);
    return ok;
}

static bool is_mac(const char *s)
{
    if (strlen(s) != 17)
        return false;
    for (size_t i = 0; i < 17; i += 3)
        if (!is_hex_digits(s + i, 2, true) || (i < 15 && s[i + 2] != ':'))
            return false;
    return true;
}

/* What sriov__bdf_normalize() writes, checked in place: every command checks
 * every record. */
bool sriov__rec_is_canonical_bdf(const char *s)
{
    return strlen(s) == SRIOV_BDF_LEN - 1 && is_hex_digits(s, 4, false) && s[4] == ':' &&
           is_hex_digits(s + 5, 2, false) && s[7] == ':' && s[8] >= '0' && s[8] <= '1' &&
           is_hex_digits(s + 9, 1, false) && s[10] == '.' && s[11] >= '0' && s[11] <= '7';
}

/* What sriov__uuid_format() writes: lower-case hex, dashes after 8, 12, 16, 20. */
static bool is_canonical_uuid(const char *s)
{
    bool ok;

    if (strlen(s) != SRIOV_UUID_STR_LEN - 1 || s[8] != '-' || s[13] != '-' || s[18] != '-' ||
        s[23] != '-')
        return false;
    ok = is_hex_digits(s, 8, false) && is_hex_digits(s + 9, 4, false);
    return ok && is_hex_digits(s + 14, 4, false) && is_hex_digits(s + 19, 4, false) &&
           is_hex_digits(s + 24, 12, false);
}

int sriov__rec_phase_parse(const char *s, enum sriov__phase *out)
{
    static const enum sriov__phase all[] = { SRIOV_PHASE_RESERVED, SRIOV_PHASE_ATTACHED,
                                             SRIOV_PHASE_RELEASING };

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (!strcmp(s, sriov__phase_name(all[i]))) {
            *out = all[i];
            return 0;
        }
    return -EINVAL;
}

int sriov__rec_bad(char why[SRIOV_JSON_WHY], const char *key, const char *what)
{
    snprintf(why, SRIOV_JSON_WHY, "\"%s\" %s", key, what);
    return -EINVAL;
}

/* What a record must satisfy to be saved or loaded: everything the JSON types
 * cannot say (rec_from_json has already checked the numbers' ranges). */
int sriov__rec_check(const struct sriov_assignment *r, char why[SRIOV_JSON_WHY])
{
    const char *n;

    if (!is_canonical_uuid(r->uuid))
        return sriov__rec_bad(why, "domain_uuid", "is not a UUID in canonical form");
    if (!sriov__rec_is_canonical_bdf(r->pf))
        return sriov__rec_bad(why, "pf", "is not a PCI address dddd:bb:ss.f");
    if (r->vf[0] && !sriov__rec_is_canonical_bdf(r->vf))
        return sriov__rec_bad(why, "vf", "is neither empty nor a PCI address dddd:bb:ss.f");
    if (r->mac[0] && !is_mac(r->mac))
        return sriov__rec_bad(why, "mac",
                              "is neither empty nor a MAC address xx:xx:xx:xx:xx:xx");
    if (r->owner_id[0] &&
        (strlen(r->owner_id) != SRIOV__OWNER_ID_LEN - 1 ||
         !is_hex_digits(r->owner_id, SRIOV__OWNER_ID_LEN - 1, false)))
        return sriov__rec_bad(why, "owner",
                              "is neither empty nor an owner id (16 hex digits)");
    if (r->index > MAX_VF_INDEX || r->domid > MAX_DOMID || r->owner < 0 || r->owner > MAX_PID)
        return sriov__rec_bad(why, r->index > MAX_VF_INDEX ? "index"
                                   : r->domid > MAX_DOMID  ? "domid_hint" : "owner_pid",
                              "is out of range");
    if ((r->steps | r->pending) & ~(unsigned int)SRIOV__STEPS_KNOWN)
        return sriov__rec_bad(why,
                              r->steps & ~(unsigned int)SRIOV__STEPS_KNOWN ? "steps" : "pending",
                              "has a step this version does not know");
    if (r->phase != SRIOV_PHASE_RESERVED && r->phase != SRIOV_PHASE_ATTACHED &&
        r->phase != SRIOV_PHASE_RELEASING)
        return sriov__rec_bad(why, "phase", "is unknown");
    n = (r->network && strlen(r->network) > MAX_TEXT) ? "network"
      : (r->driver && strlen(r->driver) > MAX_TEXT)   ? "driver"
      : (r->spec && strlen(r->spec) > MAX_TEXT)       ? "spec" : NULL;
    if (n) {
        snprintf(why, SRIOV_JSON_WHY, "\"%s\" is longer than %d bytes", n, MAX_TEXT);
        return -EINVAL;
    }
    return 0;
}

/* Duplicates are found in one pass through a hash table, not by comparing every
 * pair: every command reads the records, and saves them after each step, and a
 * host may hold thousands.  Only when some VF is named twice are the records
 * sorted, twice, to find the pair a search of every pair in file order would
 * name.  On numbers: a checked record's PCI addresses are canonical
 * (sriov__rec_check), so each reads as one number and two are equal exactly
 * when their numbers are. */
struct rec_key {
    uint64_t key;                /* PF and index; or VF, odd, and 0 when there is none */
    size_t i;                    /* its place in the file */
};

/* "dddd:bb:ss.f", canonical: domain, bus, slot and function as one number. */
static uint64_t bdf_number(const char *s)
{
    uint64_t v = 0;

    for (; *s; s++)
        if (*s != ':' && *s != '.')
            v = v << 4 | (uint64_t)sriov__hexval(*s);
    return v;
}

static int cmp_key(const void *a, const void *b)
{
    const struct rec_key *x = a, *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Sorted, records naming the same VF sit next to each other in file order:
 * keep the pair (*fi, *fk) a search of every pair in file order would meet
 * first. */
static void first_pair(struct rec_key *k, size_t n, bool by_vf, size_t *fi, size_t *fk)
{
    qsort(k, n, sizeof(*k), cmp_key);
    for (size_t j = 1; j < n; j++) {
        const struct rec_key *a = &k[j - 1], *b = &k[j];
        bool same = a->key == b->key && (!by_vf || (a->key & 1));
        if (same && (a->i < *fi || (a->i == *fi && b->i < *fk))) {
            *fi = a->i;
            *fk = b->i;
        }
    }
}

/* Some key is met twice: each record's PF and index (even keys), and each VF
 * (odd keys), in a table of 2^bits slots (sriov__hash_bits of the keys). */
static bool any_twice(const struct sriov__recs *recs, uint64_t *slot, unsigned int bits)
{
    const uint64_t empty = UINT64_MAX, mask = ((uint64_t)1 << bits) - 1;

    memset(slot, 0xff, sizeof(*slot) << bits);
    for (size_t j = 0; j < 2 * recs->n; j++) {
        const struct sriov_assignment *r = &recs->v[j / 2];
        uint64_t key, h;
        if (j % 2 && !r->vf[0])
            continue; /* no VF yet: names none */
        key = j % 2 ? bdf_number(r->vf) << 1 | 1 : (bdf_number(r->pf) << 16 | r->index) << 1;
        for (h = sriov__hash_slot(key, bits); slot[h] != empty; h = (h + 1) & mask)
            if (slot[h] == key)
                return true;
        slot[h] = key;
    }
    return false;
}

/* The records must have passed sriov__rec_check: their addresses are canonical. */
int sriov__recs_check_unique(struct sriov_ctx *ctx, const char *what,
                             const struct sriov__recs *recs)
{
    size_t fi = SIZE_MAX, fk = SIZE_MAX;
    const struct sriov_assignment *b;
    struct rec_key *k;
    unsigned int bits;
    uint64_t *slot;
    bool twice;

    if (recs->n < 2)
        return 0;
    bits = sriov__hash_bits(2 * recs->n); /* up to two keys a record */
    slot = malloc(sizeof(*slot) << bits);
    if (!slot)
        return sriov__fail(ctx, -ENOMEM, "%s: out of memory checking the records", what);
    twice = any_twice(recs, slot, bits);
    free(slot);
    if (!twice)
        return 0;
    k = calloc(recs->n, sizeof(*k));
    if (!k)
        return sriov__fail(ctx, -ENOMEM, "%s: out of memory checking the records", what);
    for (size_t j = 0; j < recs->n; j++)
        k[j] = (struct rec_key){ .key = bdf_number(recs->v[j].pf) << 16 | recs->v[j].index,
                                 .i = j };
    first_pair(k, recs->n, false, &fi, &fk);
    /* Records without a VF yet share 0, which names no VF. */
    for (size_t j = 0; j < recs->n; j++)
        k[j] = (struct rec_key){ .key = recs->v[j].vf[0] ? bdf_number(recs->v[j].vf) << 1 | 1
                                                         : 0,
                                 .i = j };
    first_pair(k, recs->n, true, &fi, &fk);
    free(k);
    if (fi == SIZE_MAX)
        return 0;
    b = &recs->v[fk];
    return sriov__fail(ctx, -EINVAL, "%s: records %zu and %zu both name VF %u of PF %s (%s)",
                       what, fi + 1, fk + 1, b->index, b->pf,
                       b->vf[0] ? b->vf : "not created");
}
