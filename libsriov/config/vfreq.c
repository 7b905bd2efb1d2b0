/*
 * vf= entries of an xl domain config (and pci-attach SPECs), in the style of xl's
 * vif= and pci= entries:
 *
 *   vf = [ 'network=lan,mac=00:16:3e:12:34:56,vlan=100,qos=3,rate=1000',
 *          'pf=enp3s0f1,vf=4,permissive=1' ]
 *
 * network= or pf= (with an optional fixed vf= index, decimal); L2 keys mac, vlan, qos,
 * spoofchk, trust, rate, min_rate; and libxl's PCI options (vslot or vdevfn, permissive,
 * seize, msitranslate, power_mgmt, rdm_policy), which libxlutil reads
 * (config/xlcfg.c) so that they mean exactly what they mean in pci=.  Every key
 * may be given once.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "config/vfreq.h"
#include "config/xlcfg.h"
#include "hv/hv.h"
#include "l2/l2.h"
#include "sysfs/sysfs.h"

/* libxl 4.17 spells the virtual slot "vslot" (or BDF@VSLOT); vdevfn= is taken as
 * well and handed on as vslot = vdevfn >> 3. */
static int append_opt(char **opts, const char *key, const char *val)
{
    size_t old = *opts ? strlen(*opts) : 0;
    char *n = realloc(*opts, old + strlen(key) + strlen(val) + 3);

    if (!n)
        return -ENOMEM;
    if (old)
        n[old++] = ',';
    sprintf(n + old, "%s=%s", key, val);
    *opts = n;
    return 0;
}

/* The PCI options mean what libxlutil says they mean in pci=. */
static int parse_pci_opts(struct sriov_ctx *ctx, const char *where, struct sriov__vf_req *req)
{
    char *why = NULL;
    int rc;

    if (!req->pci_opts)
        return 0;
    rc = sriov__xlcfg_pci_parse(req->pci_opts, NULL, &req->pci, &why);
    if (rc == -EINVAL)
        rc = sriov__fail(ctx, rc, "%s: bad PCI options '%s'%s%s", where, req->pci_opts,
                         why && *why ? ": " : "", why ? why : "");
    free(why);
    return rc;
}

/* The keys besides the L2 ones; each may be given once (vdevfn is another
 * spelling of vslot).  A bit of a mask each. */
static const char *const once_keys[] = { "network", "pf", "vf", "vslot", "permissive", "seize",
                                         "msitranslate", "power_mgmt", "rdm_policy", NULL };

static int once_bit(const char *key)
{
    if (!strcmp(key, "vdevfn"))
        key = "vslot";
    for (int i = 0; once_keys[i]; i++)
        if (!strcmp(once_keys[i], key))
            return i;
    return -1;
}

/* vdevfn as xl-pci-configuration(5) writes it: hex with 0x, else decimal (a
 * leading 0 is decimal too, never octal). */
static int parse_vdevfn(const char *val, long *out)
{
    char *end;
    unsigned long v;

    if (val[0] != '0' || (val[1] != 'x' && val[1] != 'X'))
        return sriov__parse_long(val, 0, 255, out);
    if (!val[2] || !strchr("0123456789abcdefABCDEF", val[2]))
        return -EINVAL; /* strtoul would skip blanks and take a sign */
    errno = 0;
    v = strtoul(val + 2, &end, 16);
    if (*end || errno || v > 255)
        return -EINVAL;
    *out = (long)v;
    return 0;
}

/* An L2 key: refused when the entry already set the same setting (rate and
 * max_rate are one), and an all-zero MAC, which vf-set takes as "none assigned"
 * but no guest can have. */
static int set_l2_key(struct sriov_ctx *ctx, const char *where, struct sriov__vf_req *req,
                      const char *key, const char *val)
{
    static const uint8_t zero[6];
    struct sriov_vf_config one;
    int rc;

    sriov_vf_config_init(&one);
    rc = sriov__vf_config_set_kv_at(ctx, &one, where, key, val);
    if (rc)
        return rc;
    if (one.present & req->l2.present)
        return sriov__fail(ctx, -EINVAL, "%s: '%s' is given twice%s", where, key,
                           one.present & SRIOV_VF_MAX_TX_RATE ? " (rate and max_rate are one)"
                                                              : "");
    if ((one.present & SRIOV_VF_MAC) && !memcmp(one.mac, zero, sizeof(zero)))
        return sriov__fail(ctx, -EINVAL, "%s: mac=%s: the all-zero address is not a MAC a "
                           "guest can have", where, val);
    sriov__vf_config_overlay(&req->l2, &one);
    return 0;
}

static int set_key(struct sriov_ctx *ctx, const char *where, struct sriov__vf_req *req,
                   unsigned int *seen, const char *key, const char *val)
{
    int bit = once_bit(key);
    long v = -1;
    int rc;

    if (sriov__vf_config_key(key))
        return set_l2_key(ctx, where, req, key, val);
    if (bit < 0)
        return sriov__fail(ctx, -EINVAL, "%s: unknown key '%s'", where, key);
    if (*seen & (1u << bit))
        return sriov__fail(ctx, -EINVAL, "%s: '%s' is given twice%s", where, key,
                           !strcmp(once_keys[bit], "vslot") ? " (vslot and vdevfn are one)"
                                                            : "");
    *seen |= 1u << bit;
    if (!strcmp(key, "network")) {
        rc = sriov__safe_component(val) && (req->network = strdup(val)) ? 0 : -EINVAL;
    } else if (!strcmp(key, "pf")) {
        rc = *val && (req->pf = strdup(val)) ? 0 : -EINVAL;
    } else if (!strcmp(key, "vf")) {
        rc = sriov__parse_long(val, 0, 65535, &v);
        req->vf_index = (int)v;
    } else if (!strcmp(key, "vdevfn")) {
        char slot[24];
        rc = parse_vdevfn(val, &v);
        if (!rc && (v & 7))
            rc = -EINVAL; /* a VF is function 0 of its virtual slot */
        snprintf(slot, sizeof(slot), "%lx", v >> 3);
        if (!rc)
            rc = append_opt(&req->pci_opts, "vslot", slot);
    } else if (strcmp(key, "vslot") && strcmp(key, "rdm_policy")) {
        /* libxlutil reads these with atoi: "yes" would be 0 and "2" true.  xl's
         * booleans are 0 and 1. */
        rc = !strcmp(val, "0") || !strcmp(val, "1") ? append_opt(&req->pci_opts, key, val)
                                                    : -EINVAL;
    } else {
        rc = *val ? append_opt(&req->pci_opts, key, val) : -EINVAL;
    }
    if (rc == -ENOMEM)
        return rc;
    if (rc)
        return sriov__fail(ctx, -EINVAL, "%s: bad value for '%s': '%s'", where, key, val);
    return 0;
}

int sriov__vf_req_parse(struct sriov_ctx *ctx, const char *spec, const char *where,
                        struct sriov__vf_req *out)
{
    char *copy = NULL, *save = NULL;
    unsigned int seen = 0;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    out->vf_index = -1;
    sriov_vf_config_init(&out->l2);
    out->pci = (struct sriov_hv_pci_opts){ -1, -1, -1, -1, -1, -1 };
    if (!where)
        where = "vf";
    out->spec = strdup(spec);
    copy = strdup(spec);
    if (!out->spec || !copy) {
        rc = -ENOMEM;
        goto out;
    }
    if (strpbrk(spec, "'\"\\")) {
        rc = sriov__fail(ctx, -EINVAL, "%s: quotes and backslashes are not allowed in '%s'",
                         where, spec);
        goto out;
    }
    for (const char *p = spec; *p; p++) {
        /* They would reach xl's pci= text and the messages unchanged. */
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            rc = sriov__fail(ctx, -EINVAL, "%s: control characters are not allowed in a "
                             "vf= entry", where);
            goto out;
        }
    }
    for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        while (*kv == ' ')
            kv++;
        if (!eq) {
            rc = sriov__fail(ctx, -EINVAL, "%s: '%s' is not KEY=VALUE", where, kv);
            goto out;
        }
        *eq = '\0';
        rc = set_key(ctx, where, out, &seen, kv, eq + 1);
        if (rc)
            goto out;
    }
    if (!!out->network == !!out->pf) {
        rc = sriov__fail(ctx, -EINVAL, "%s: give exactly one of network= or pf= in '%s'", where,
                         spec);
        goto out;
    }
    if (out->vf_index >= 0 && !out->pf) {
        rc = sriov__fail(ctx, -EINVAL, "%s: vf= (a fixed VF index) needs pf=", where);
        goto out;
    }
    rc = parse_pci_opts(ctx, where, out);
out:
    free(copy);
    if (rc)
        sriov__vf_req_dispose(out);
    return rc;
}

void sriov__vf_req_dispose(struct sriov__vf_req *req)
{
    free(req->spec);
    free(req->network);
    free(req->pf);
    free(req->pci_opts);
    req->spec = req->network = req->pf = req->pci_opts = NULL;
}
