/* PCI address parsing and path-component safety. */
#include "config.h"

#include <errno.h>

#include "harness.h"
#include "internal.h"
#include "sysfs/sysfs.h"

static void normalizes(const char *in, const char *want)
{
    char out[SRIOV_BDF_LEN] = "";
    char name[96];

    snprintf(name, sizeof(name), "bdf '%s' -> '%s'", in, want);
    CHECK_INT(name, sriov__bdf_normalize(in, out), 0);
    CHECK_STR(name, out, want);
}

static void rejects(const char *in)
{
    char out[SRIOV_BDF_LEN];
    char name[96];

    snprintf(name, sizeof(name), "bdf '%s' rejected", in);
    CHECK_INT(name, sriov__bdf_normalize(in, out), -EINVAL);
}

int main(void)
{
    normalizes("0000:03:00.0", "0000:03:00.0");
    normalizes("03:10.1", "0000:03:10.1");
    normalizes("0001:A3:1F.7", "0001:a3:1f.7");
    normalizes("ffff:ff:1f.7", "ffff:ff:1f.7");
    normalizes("3:0.0", "0000:03:00.0");

    rejects("");
    rejects("enp3s0f0");
    rejects("0000:03:20.0");    /* slot is 5 bits */
    rejects("0000:03:00.8");    /* function is 3 bits */
    rejects("10000:03:00.0");   /* segment is 16 bits */
    rejects("0000:103:00.0");
    rejects("0000:03:00.0 ");
    rejects("0000:03:00.0/..");
    rejects("0000::00.0");
    rejects("0000:03:00");

    CHECK("component 'enp3s0f0' safe", sriov__safe_component("enp3s0f0"));
    CHECK("component '..' unsafe", !sriov__safe_component(".."));
    CHECK("component '.' unsafe", !sriov__safe_component("."));
    CHECK("component 'a/b' unsafe", !sriov__safe_component("a/b"));
    CHECK("component '' unsafe", !sriov__safe_component(""));
    return HARNESS_EXIT();
}
