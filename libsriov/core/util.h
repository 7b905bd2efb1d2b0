/* Small helpers with no knowledge of devices: PCI addresses, UUIDs, numbers,
 * string vectors. */
#ifndef SRIOV_CORE_UTIL_H
#define SRIOV_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sriov.h"

#define SRIOV_BDF_LEN 13 /* "dddd:bb:ss.f" */
#define SRIOV_UUID_STR_LEN 37

/* bdf.c: parse "dddd:bb:ss.f" or "bb:ss.f" into canonical form; -EINVAL if malformed. */
int sriov__bdf_normalize(const char *in, char out[SRIOV_BDF_LEN]);
bool sriov__is_bdf(const char *s);

/* uuid.c */
int sriov__uuid_parse(const char *s, uint8_t uuid[16]);
void sriov__uuid_format(const uint8_t uuid[16], char out[SRIOV_UUID_STR_LEN]);
int sriov__uuid_generate(uint8_t uuid[16]);
bool sriov__uuid_is_nil(const uint8_t uuid[16]);

/* util.c */
/* Milliseconds on the monotonic clock, for deadlines. */
long sriov__now_ms(void);
/* A whole string as a decimal number in [min, max]: digits only (a leading 0 is
 * still decimal), a '-' only when min is negative; -EINVAL otherwise. */
int sriov__parse_long(const char *s, long min, long max, long *out);
/* Room for one more element in the malloc'd array *v of n elements of size
 * elem and capacity *cap: doubles it (first when empty); -ENOMEM leaves *v and
 * *cap as they were. */
int sriov__grow(void *v, size_t *cap, size_t n, size_t elem, size_t first);
/* Append s (taken over; NULL means out of memory) to a malloc'd vector. */
int sriov__strv_push(char ***v, size_t *n, char *s);
void sriov__strv_free(char **v, size_t n);
/* Whether v holds s (exact match). */
bool sriov__strv_has(char *const *v, size_t n, const char *s);
/* Open-addressing hash tables with linear probing (records_check.c, holders.c,
 * the simulated hypervisor's index), where thousands of records or domains are
 * looked up once each: the bits of a table of at least twice as many slots as
 * n entries, and a 64-bit key's first slot, the top bits of its product with
 * 2^64 / phi (Fibonacci hashing, which spreads keys that differ in any bits). */
static inline unsigned int sriov__hash_bits(size_t n)
{
    unsigned int bits = 2;

    while (((size_t)1 << bits) < 2 * n)
        bits++;
    return bits;
}

static inline size_t sriov__hash_slot(uint64_t key, unsigned int bits)
{
    return (size_t)((key * 0x9e3779b97f4a7c15u) >> (64 - bits));
}

/* Each hex digit's value plus one, 0 for any other byte (util.c). */
extern const unsigned char sriov__hex_digit[256];
/* The value of one hex digit (either case), -1 if c is none.  Inline, and a
 * look-up, not a branch that random hex mispredicts: every command reads the
 * UUID and PCI addresses of every record and every domain digit by digit. */
static inline int sriov__hexval(char c)
{
    return (int)sriov__hex_digit[(unsigned char)c] - 1;
}
/* asprintf that returns the string, NULL when out of memory. */
char *sriov__asprintf(const char *fmt, ...) SRIOV_PRINTF(1, 2);

/*
 * UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing above
 * U+10FFFF.  Names reach JSON state files and xenstore, whose readers reject or
 * mangle anything else, so every name is checked or cut with these.
 */
/* Length of the well-formed UTF-8 sequence at s (1-4), 0 if s[0..avail) starts none. */
size_t sriov__utf8_seq_len(const char *s, size_t avail);
/* The first len bytes of s are well-formed UTF-8. */
bool sriov__utf8_valid(const char *s, size_t len);
/* Well-formed UTF-8 with no control character (C0, DEL, C1): fit for a value that
 * is shown to people, published in xenstore or written one per line. */
bool sriov__utf8_printable(const char *s);
/* The longest prefix of s no longer than max bytes that does not end inside a
 * character; a byte that starts no well-formed sequence counts as one character. */
size_t sriov__utf8_cut(const char *s, size_t max);
/* snprintf(dst, size, "%s", src) that cuts only at a character boundary; true
 * when src had to be cut. */
bool sriov__utf8_copy(char *dst, size_t size, const char *src);

#endif
