/* PCI addresses: the one place that parses and prints "dddd:bb:ss.f". */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool parse_hex(const char **p, unsigned int max_digits, unsigned long limit,
                      unsigned long *out)
{
    const char *s = *p;
    unsigned long v = 0;
    unsigned int n = 0;

    for (; n < max_digits; n++, s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            break;
        v = v * 16 + (unsigned long)d;
    }
    if (n == 0 || v > limit)
        return false;
    *p = s;
    *out = v;
    return true;
}

int sriov__bdf_normalize(const char *in, char out[SRIOV_BDF_LEN])
{
    unsigned long domain = 0, bus, slot, func;
    const char *p = in;
    const char *colon = strchr(in, ':');

    /* With two colons the first field is the PCI domain (segment). */
    if (colon && strchr(colon + 1, ':')) {
        if (!parse_hex(&p, 4, 0xffff, &domain) || *p++ != ':')
            return -EINVAL;
    }
    if (!parse_hex(&p, 2, 0xff, &bus) || *p++ != ':')
        return -EINVAL;
    if (!parse_hex(&p, 2, 0x1f, &slot) || *p++ != '.')
        return -EINVAL;
    if (!parse_hex(&p, 1, 7, &func) || *p != '\0')
        return -EINVAL;
    snprintf(out, SRIOV_BDF_LEN, "%04lx:%02lx:%02lx.%lx", domain, bus, slot, func);
    return 0;
}

bool sriov__is_bdf(const char *s)
{
    char tmp[SRIOV_BDF_LEN];

    return sriov__bdf_normalize(s, tmp) == 0;
}
