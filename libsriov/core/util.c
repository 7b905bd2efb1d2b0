/* Small helpers with no knowledge of devices (util.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"

long sriov__now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int sriov__parse_long(const char *s, long min, long max, long *out)
{
    const char *digits = s[0] == '-' && min < 0 ? s + 1 : s;
    char *end;
    long v;

    /* Decimal only, as the CLI reads PF/N: strtol's base 0 would take 010 as 8
     * and 0x3 as 3, and it skips leading blanks and takes a '+'. */
    if (*digits < '0' || *digits > '9')
        return -EINVAL;
    errno = 0;
    v = strtol(s, &end, 10);
    if (*end || errno || v < min || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

int sriov__strv_push(char ***v, size_t *n, char *s)
{
    char **nv;

    if (!s)
        return -ENOMEM;
    nv = realloc(*v, (*n + 1) * sizeof(*nv));
    if (!nv) {
        free(s);
        return -ENOMEM;
    }
    nv[(*n)++] = s;
    *v = nv;
    return 0;
}

const unsigned char sriov__hex_digit[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,
    ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
    ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
    ['F'] = 16,
};

void sriov__strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

bool sriov__strv_has(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

char *sriov__asprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

size_t sriov__utf8_seq_len(const char *s, size_t avail)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char lo = 0x80, hi = 0xbf; /* the range of the second byte */
    size_t n;

    if (avail == 0)
        return 0;
    if (u[0] < 0x80)
        return 1;
    if (u[0] < 0xc2)
        return 0; /* a continuation byte, or the lead of an overlong 2-byte form */
    if (u[0] < 0xe0) {
        n = 2;
    } else if (u[0] < 0xf0) {
        n = 3;
        if (u[0] == 0xe0)
            lo = 0xa0; /* overlong */
        else if (u[0] == 0xed)
            hi = 0x9f; /* UTF-16 surrogates */
    } else if (u[0] < 0xf5) {
        n = 4;
        if (u[0] == 0xf0)
            lo = 0x90; /* overlong */
        else if (u[0] == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (avail < n || u[1] < lo || u[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (u[i] < 0x80 || u[i] > 0xbf)
            return 0;
    return n;
}

bool sriov__utf8_valid(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t n = sriov__utf8_seq_len(s + i, len - i);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

bool sriov__utf8_printable(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s);

    for (size_t i = 0; i < len;) {
        size_t n = sriov__utf8_seq_len(s + i, len - i);
        /* C1 controls U+0080..U+009F are encoded as C2 80..C2 9F. */
        if (!n || u[i] < 0x20 || u[i] == 0x7f || (u[i] == 0xc2 && u[i + 1] < 0xa0))
            return false;
        i += n;
    }
    return true;
}

size_t sriov__utf8_cut(const char *s, size_t max)
{
    size_t len = strlen(s), i = 0;

    if (len <= max)
        return len;
    while (i < max) {
        size_t n = sriov__utf8_seq_len(s + i, len - i);
        if (!n)
            n = 1;
        if (i + n > max)
            break;
        i += n;
    }
    return i;
}

bool sriov__utf8_copy(char *dst, size_t size, const char *src)
{
    size_t n;

    if (size == 0)
        return *src != '\0';
    n = sriov__utf8_cut(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
    return src[n] != '\0';
}

int sriov__grow(void *v, size_t *cap, size_t n, size_t elem, size_t first)
{
    void **array = v, *grown;
    size_t ncap;

    if (n < *cap)
        return 0;
    ncap = *cap ? *cap * 2 : first;
    if (ncap < *cap || ncap > SIZE_MAX / elem)
        return -ENOMEM;
    grown = realloc(*array, ncap * elem);
    if (!grown)
        return -ENOMEM;
    *array = grown;
    *cap = ncap;
    return 0;
}
