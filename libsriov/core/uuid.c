/* Domain UUIDs in the canonical 8-4-4-4-12 text form used by xl and xenstore. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "internal.h"

/* Each byte's two digits, by place, and no early return: the simulated
 * hypervisor parses the name of every domain file in each walk, and a branch
 * per digit mispredicted on random hex. */
int sriov__uuid_parse(const char *s, uint8_t uuid[16])
{
    static const unsigned char at[16] = { 0,  2,  4,  6,  9,  11, 14, 16,
                                          19, 21, 24, 26, 28, 30, 32, 34 };
    int bad = 0;

    if (strlen(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return -EINVAL;
    for (size_t b = 0; b < 16; b++) {
        int hi = sriov__hexval(s[at[b]]), lo = sriov__hexval(s[at[b] + 1]);
        bad |= hi | lo;
        /* Unsigned: a non-digit is -1, and shifting a negative int is undefined. */
        uuid[b] = (uint8_t)((unsigned int)hi << 4 | (unsigned int)lo);
    }
    return bad < 0 ? -EINVAL : 0;
}

void sriov__uuid_format(const uint8_t u[16], char out[SRIOV_UUID_STR_LEN])
{
    snprintf(out, SRIOV_UUID_STR_LEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
             u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
             u[15]);
}

/* A random (version 4) UUID, as libxl_uuid_generate makes. */
int sriov__uuid_generate(uint8_t uuid[16])
{
    size_t got = 0;

    while (got < 16) {
        ssize_t n = getrandom(uuid + got, 16 - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        got += (size_t)n;
    }
    uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
    uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
    return 0;
}

bool sriov__uuid_is_nil(const uint8_t uuid[16])
{
    for (int i = 0; i < 16; i++)
        if (uuid[i])
            return false;
    return true;
}
