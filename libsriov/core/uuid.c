/* Domain UUIDs in the canonical 8-4-4-4-12 text form used by xl and xenstore. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "internal.h"

int sriov__uuid_parse(const char *s, uint8_t uuid[16])
{
    size_t byte = 0;

    if (strlen(s) != 36)
        return -EINVAL;
    for (size_t i = 0; i < 36;) {
        int hi, lo;
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return -EINVAL;
            i++;
            continue;
        }
        hi = sriov__hexval(s[i]);
        lo = sriov__hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return -EINVAL;
        uuid[byte++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    return 0;
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
