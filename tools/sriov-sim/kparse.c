/*
 * The kernel's sysfs input parsers (lib/kstrtox.c, lib/string.c), re-done so
 * the simulator accepts and rejects exactly what the kernel does: a trailing
 * newline is fine, anything else after the number is -EINVAL, overflow is
 * -ERANGE (callers decide what they report, as the kernel's do).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "sim.h"

static const char *fixup_radix(const char *s, unsigned *base)
{
    if (*base == 0) {
        if (s[0] == '0') {
            if (tolower((unsigned char)s[1]) == 'x' && isxdigit((unsigned char)s[2]))
                *base = 16;
            else
                *base = 8;
        } else {
            *base = 10;
        }
    }
    if (*base == 16 && s[0] == '0' && tolower((unsigned char)s[1]) == 'x')
        s += 2;
    return s;
}

static int parse_ull(const char *s, unsigned base, unsigned long long *res)
{
    unsigned long long v = 0;
    bool overflow = false;
    size_t n = 0;

    s = fixup_radix(s, &base);
    for (;; s++, n++) {
        unsigned c = (unsigned char)tolower((unsigned char)*s), d;

        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else
            break;
        if (d >= base)
            break;
        if (v > (ULLONG_MAX - d) / base)
            overflow = true;
        v = v * base + d;
    }
    if (overflow)
        return -ERANGE;
    if (n == 0)
        return -EINVAL;
    if (*s == '\n')
        s++;
    if (*s)
        return -EINVAL;
    *res = v;
    return 0;
}

int kstrtoull(const char *s, unsigned base, unsigned long long *res)
{
    if (s[0] == '+')
        s++;
    return parse_ull(s, base, res);
}

int kstrtou16(const char *s, unsigned base, uint16_t *res)
{
    unsigned long long v;
    int rc = kstrtoull(s, base, &v);

    if (rc)
        return rc;
    if (v > 0xffff)
        return -ERANGE;
    *res = (uint16_t)v;
    return 0;
}

int kstrtoint(const char *s, unsigned base, int *res)
{
    unsigned long long v;
    bool neg = s[0] == '-';
    int rc = neg ? parse_ull(s + 1, base, &v) : kstrtoull(s, base, &v);

    if (rc)
        return rc;
    if (neg ? v > (unsigned long long)INT_MAX + 1 : v > INT_MAX)
        return -ERANGE;
    *res = neg ? (int)(0 - v) : (int)v;
    return 0;
}

/* Only the first one or two characters count, as in the kernel (t/f since 5.17). */
int kstrtobool(const char *s, bool *res)
{
    switch (s[0]) {
    case 'y': case 'Y': case 't': case 'T': case '1':
        *res = true;
        return 0;
    case 'n': case 'N': case 'f': case 'F': case '0':
        *res = false;
        return 0;
    case 'o': case 'O':
        switch (s[1]) {
        case 'n': case 'N':
            *res = true;
            return 0;
        case 'f': case 'F':
            *res = false;
            return 0;
        }
        break;
    }
    return -EINVAL;
}

/* Equal, or equal but for one trailing newline on either side. */
bool sysfs_streq(const char *s1, const char *s2)
{
    while (*s1 && *s1 == *s2) {
        s1++;
        s2++;
    }
    if (*s1 == *s2)
        return true;
    if (!*s1 && *s2 == '\n' && !s2[1])
        return true;
    if (*s1 == '\n' && !s1[1] && !*s2)
        return true;
    return false;
}

/*
 * kobject_synth_uevent(), which is all a uevent file's store does, whoever
 * owns it: an action name, optionally followed by arguments.
 */
int store_uevent(struct sim *sim, void *obj, const char *buf, size_t len)
{
    static const char *const actions[] = {
        "add", "remove", "change", "move", "online", "offline", "bind", "unbind",
    };
    size_t n = strcspn(buf, " \n");

    (void)sim;
    (void)obj;
    (void)len;
    for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
        if (n == strlen(actions[i]) && !strncmp(buf, actions[i], n))
            return 0;
    return -EINVAL;
}
