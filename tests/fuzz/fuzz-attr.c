/* Numbers from sysfs attributes (sysfs/attr.c), and the PCI addresses and
 * decimal numbers the layers above read (core/bdf.c, core/util.c). */
#include "config.h"

#include <errno.h>

#include "fuzz.h"
#include "sysfs/attr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int bases[] = { 0, 10, 16 };
    char *s, bdf[SRIOV_BDF_LEN], bdf2[SRIOV_BDF_LEN], buf[64];
    unsigned long u, u2;
    long l, l2;

    if (size < 1)
        return 0;
    s = fuzz_string(data + 1, size - 1);
    if (sriov__attr_parse_uint(s, bases[data[0] % 3], &u) == 0) {
        /* A value the kernel could have written: no sign, no blanks. */
        FUZZ_ASSERT(s[0] != '-' && s[0] != '+' && s[0] != ' ');
        snprintf(buf, sizeof(buf), data[0] % 3 == 2 ? "%lx" : "%lu", u);
        FUZZ_ASSERT(sriov__attr_parse_uint(buf, bases[data[0] % 3], &u2) == 0 && u2 == u);
    }
    if (sriov__attr_parse_int(s, &l) == 0) {
        snprintf(buf, sizeof(buf), "%ld", l);
        FUZZ_ASSERT(sriov__attr_parse_int(buf, &l2) == 0 && l2 == l);
    }
    if (sriov__parse_long(s, -100, 65535, &l) == 0) {
        /* Decimal only: no 0x, no blanks, no '+'. */
        FUZZ_ASSERT(l >= -100 && l <= 65535);
        FUZZ_ASSERT(strspn(s + (s[0] == '-'), "0123456789") == strlen(s + (s[0] == '-')));
    }
    if (sriov__bdf_normalize(s, bdf) == 0) {
        /* Canonical form is a fixed point. */
        FUZZ_ASSERT(strlen(bdf) == SRIOV_BDF_LEN - 1);
        FUZZ_ASSERT(sriov__bdf_normalize(bdf, bdf2) == 0 && !strcmp(bdf, bdf2));
    }
    free(s);
    return 0;
}
