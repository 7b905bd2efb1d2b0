/* The checks of one assignment record (records_check.h), for records.c. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "assign/records_check.h"

static bool is_hex_digits(const char *s, size_t n, bool upper_too)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (upper_too && s[i] >= 'A' && s[i] <= 'F')))
            return false;
    return true;
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

bool sriov__rec_is_canonical_bdf(const char *s)
{
    char bdf[SRIOV_BDF_LEN];

    return sriov__bdf_normalize(s, bdf) == 0 && !strcmp(bdf, s);
}

static bool is_canonical_uuid(const char *s)
{
    char canon[SRIOV_UUID_STR_LEN];
    uint8_t u[16];

    if (sriov__uuid_parse(s, u))
        return false;
    sriov__uuid_format(u, canon);
    return !strcmp(canon, s);
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
