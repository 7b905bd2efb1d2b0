/*
 * VF network settings as values: parsing one key=value the way the CLI and
 * the xl config spell it, cross-field validation, formatting, derived MACs.
 * No I/O here; rtnl.c talks to the kernel.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "l2/l2.h"

#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8

/* Where a setting lives in struct sriov_vf_config. */
#define MEMBER(m) offsetof(struct sriov_vf_config, m), sizeof(((struct sriov_vf_config *)0)->m)

static const struct {
    unsigned int field;
    const char *key;
    size_t offset, size;
} keys[] = {
    { SRIOV_VF_MAC, "mac", MEMBER(mac) },
    { SRIOV_VF_VLAN, "vlan", MEMBER(vlan) },
    { SRIOV_VF_QOS, "qos", MEMBER(qos) },
    { SRIOV_VF_VLAN_PROTO, "vlan_proto", MEMBER(vlan_proto) },
    { SRIOV_VF_SPOOFCHK, "spoofchk", MEMBER(spoofchk) },
    { SRIOV_VF_TRUST, "trust", MEMBER(trust) },
    { SRIOV_VF_LINK_STATE, "state", MEMBER(link_state) },
    { SRIOV_VF_MIN_TX_RATE, "min_rate", MEMBER(min_tx_rate) },
    { SRIOV_VF_MAX_TX_RATE, "max_rate", MEMBER(max_tx_rate) },
    { SRIOV_VF_QUERY_RSS, "query_rss", MEMBER(query_rss) },
};

static const char *const link_states[] = { "auto", "enable", "disable" };

void sriov_vf_config_init(struct sriov_vf_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
}

void sriov_vf_config_dispose(struct sriov_vf_config *cfg)
{
    /* Nothing is allocated today; clearing keeps a second call harmless. */
    memset(cfg, 0, sizeof(*cfg));
}

void sriov__vf_config_fresh(struct sriov_vf_config *cfg)
{
    sriov_vf_config_init(cfg);
    cfg->present = SRIOV_VF_ALL;
    cfg->vlan_proto = ETH_P_8021Q;
    cfg->spoofchk = 1;
    cfg->link_state = SRIOV_VF_LINK_AUTO;
}

bool sriov__vf_config_key(const char *key)
{
    if (!strcmp(key, "rate"))
        return true;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!strcmp(keys[i].key, key))
            return true;
    return false;
}

void sriov__vf_config_overlay(struct sriov_vf_config *dst, const struct sriov_vf_config *src)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (src->present & keys[i].field)
            memcpy((char *)dst + keys[i].offset, (const char *)src + keys[i].offset,
                   keys[i].size);
    dst->present |= src->present;
}

const char *sriov_vf_field_key(unsigned int field)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (keys[i].field == field)
            return keys[i].key;
    return NULL;
}

int sriov__parse_mac(const char *s, uint8_t mac[6])
{
    unsigned int b[6];
    char tail;

    if (strlen(s) != 17 ||
        sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
               &tail) != 6)
        return -EINVAL;
    for (int i = 0; i < 6; i++) {
        /* sscanf would accept " f" or "+f"; a MAC has two hex digits per byte. */
        const char *p = s + 3 * i;
        if (!strchr("0123456789abcdefABCDEF", p[0]) || !strchr("0123456789abcdefABCDEF", p[1]))
            return -EINVAL;
        mac[i] = (uint8_t)b[i];
    }
    return 0;
}

/* A decimal number in [0, max] with nothing around it. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    if (s[0] < '0' || s[0] > '9')
        return -EINVAL;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end != '\0' || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

/* ip's on/off, and xl's 1/0 as the config files write booleans. */
static int parse_onoff(const char *s, uint8_t *out)
{
    if (!strcmp(s, "on") || !strcmp(s, "1")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(s, "off") || !strcmp(s, "0")) {
        *out = 0;
        return 0;
    }
    return -EINVAL;
}

int sriov_vf_config_set_kv(struct sriov_ctx *ctx, struct sriov_vf_config *cfg, const char *key,
                           const char *value)
{
    struct sriov_vf_config next = *cfg;
    unsigned long v;

    if (!strcmp(key, "mac")) {
        if (sriov__parse_mac(value, next.mac))
            return sriov__fail(ctx, -EINVAL, "mac=%s: not a MAC address (like 02:00:00:00:00:01)",
                               value);
        if (next.mac[0] & 0x01)
            return sriov__fail(ctx, -EINVAL, "mac=%s: a multicast address cannot be a VF's MAC",
                               value);
        next.present |= SRIOV_VF_MAC;
    } else if (!strcmp(key, "vlan")) {
        if (parse_uint(value, 4095, &v))
            return sriov__fail(ctx, -EINVAL, "vlan=%s: a VLAN id is 0 to 4095 (0: untagged)",
                               value);
        next.vlan = (uint16_t)v;
        next.present |= SRIOV_VF_VLAN;
    } else if (!strcmp(key, "qos")) {
        if (parse_uint(value, 7, &v))
            return sriov__fail(ctx, -EINVAL, "qos=%s: an 802.1p priority is 0 to 7", value);
        next.qos = (uint8_t)v;
        next.present |= SRIOV_VF_QOS;
    } else if (!strcmp(key, "vlan_proto")) {
        if (!strcasecmp(value, "802.1Q"))
            next.vlan_proto = ETH_P_8021Q;
        else if (!strcasecmp(value, "802.1ad"))
            next.vlan_proto = ETH_P_8021AD;
        else
            return sriov__fail(ctx, -EINVAL, "vlan_proto=%s: must be 802.1Q or 802.1ad", value);
        next.present |= SRIOV_VF_VLAN_PROTO;
    } else if (!strcmp(key, "spoofchk") || !strcmp(key, "trust") || !strcmp(key, "query_rss")) {
        uint8_t *dst = key[0] == 's' ? &next.spoofchk : key[0] == 't' ? &next.trust
                                                                       : &next.query_rss;
        if (parse_onoff(value, dst))
            return sriov__fail(ctx, -EINVAL, "%s=%s: must be on or off (or 1 or 0)", key,
                               value);
        next.present |= key[0] == 's' ? SRIOV_VF_SPOOFCHK : key[0] == 't' ? SRIOV_VF_TRUST
                                                                           : SRIOV_VF_QUERY_RSS;
    } else if (!strcmp(key, "state")) {
        size_t i;
        for (i = 0; i < sizeof(link_states) / sizeof(link_states[0]); i++)
            if (!strcmp(value, link_states[i]))
                break;
        if (i == sizeof(link_states) / sizeof(link_states[0]))
            return sriov__fail(ctx, -EINVAL, "state=%s: must be auto, enable or disable", value);
        next.link_state = (enum sriov_vf_link_state)i;
        next.present |= SRIOV_VF_LINK_STATE;
    } else if (!strcmp(key, "rate") || !strcmp(key, "max_rate") || !strcmp(key, "min_rate")) {
        if (parse_uint(value, UINT32_MAX, &v))
            return sriov__fail(ctx, -EINVAL, "%s=%s: a rate is a number of Mbit/s (0: no limit)",
                               key, value);
        if (!strcmp(key, "min_rate")) {
            next.min_tx_rate = (uint32_t)v;
            next.present |= SRIOV_VF_MIN_TX_RATE;
        } else {
            next.max_tx_rate = (uint32_t)v;
            next.present |= SRIOV_VF_MAX_TX_RATE;
        }
    } else {
        return sriov__fail(ctx, -EINVAL,
                           "unknown VF setting '%s' (mac, vlan, qos, vlan_proto, spoofchk, "
                           "trust, state, rate, min_rate, max_rate, query_rss)",
                           key);
    }
    *cfg = next;
    return 0;
}

int sriov_vf_config_validate(struct sriov_ctx *ctx, const struct sriov_vf_config *cfg)
{
    if (cfg->present & ~(unsigned int)SRIOV_VF_ALL)
        return sriov__fail(ctx, -EINVAL, "unknown VF settings 0x%x", cfg->present);
    if ((cfg->present & (SRIOV_VF_QOS | SRIOV_VF_VLAN_PROTO)) && !(cfg->present & SRIOV_VF_VLAN))
        return sriov__fail(ctx, -EINVAL, "%s needs vlan in the same setting",
                           cfg->present & SRIOV_VF_QOS ? "qos" : "vlan_proto");
    if ((cfg->present & SRIOV_VF_MAC) && (cfg->mac[0] & 0x01))
        return sriov__fail(ctx, -EINVAL, "a multicast address cannot be a VF's MAC");
    if ((cfg->present & SRIOV_VF_VLAN) && cfg->vlan > 4095)
        return sriov__fail(ctx, -EINVAL, "vlan=%u: a VLAN id is 0 to 4095", cfg->vlan);
    if ((cfg->present & SRIOV_VF_QOS) && cfg->qos > 7)
        return sriov__fail(ctx, -EINVAL, "qos=%u: an 802.1p priority is 0 to 7", cfg->qos);
    if ((cfg->present & SRIOV_VF_VLAN_PROTO) && cfg->vlan_proto != ETH_P_8021Q &&
        cfg->vlan_proto != ETH_P_8021AD)
        return sriov__fail(ctx, -EINVAL, "vlan_proto 0x%04x: must be 802.1Q or 802.1ad",
                           cfg->vlan_proto);
    if ((cfg->present & SRIOV_VF_LINK_STATE) && (unsigned int)cfg->link_state > 2)
        return sriov__fail(ctx, -EINVAL, "state %u: must be auto, enable or disable",
                           (unsigned int)cfg->link_state);
    /* max_rate 0 means "no limit", so any minimum fits under it. */
    if ((cfg->present & SRIOV_VF_MIN_TX_RATE) && (cfg->present & SRIOV_VF_MAX_TX_RATE) &&
        cfg->max_tx_rate && cfg->min_tx_rate > cfg->max_tx_rate)
        return sriov__fail(ctx, -EINVAL, "min_rate=%" PRIu32 " is above max_rate=%" PRIu32,
                           cfg->min_tx_rate, cfg->max_tx_rate);
    return 0;
}

int sriov_vf_config_format(const struct sriov_vf_config *cfg, unsigned int field, char *buf,
                           size_t len)
{
    int n;

    if (!(cfg->present & field) || !sriov_vf_field_key(field))
        return -ENOENT;
    switch (field) {
    case SRIOV_VF_MAC:
        n = snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", cfg->mac[0], cfg->mac[1],
                     cfg->mac[2], cfg->mac[3], cfg->mac[4], cfg->mac[5]);
        break;
    case SRIOV_VF_VLAN:
        n = snprintf(buf, len, "%u", cfg->vlan);
        break;
    case SRIOV_VF_QOS:
        n = snprintf(buf, len, "%u", cfg->qos);
        break;
    case SRIOV_VF_VLAN_PROTO:
        /* Never a wrong name: a protocol we do not know is shown as a number. */
        if (cfg->vlan_proto == ETH_P_8021AD || cfg->vlan_proto == ETH_P_8021Q)
            n = snprintf(buf, len, "%s", cfg->vlan_proto == ETH_P_8021AD ? "802.1ad" : "802.1Q");
        else
            n = snprintf(buf, len, "0x%04x", cfg->vlan_proto);
        break;
    case SRIOV_VF_SPOOFCHK:
        n = snprintf(buf, len, "%s", cfg->spoofchk ? "on" : "off");
        break;
    case SRIOV_VF_TRUST:
        n = snprintf(buf, len, "%s", cfg->trust ? "on" : "off");
        break;
    case SRIOV_VF_QUERY_RSS:
        n = snprintf(buf, len, "%s", cfg->query_rss ? "on" : "off");
        break;
    case SRIOV_VF_LINK_STATE:
        n = snprintf(buf, len, "%s",
                     (unsigned int)cfg->link_state <= 2 ? link_states[cfg->link_state] : "?");
        break;
    case SRIOV_VF_MIN_TX_RATE:
        n = snprintf(buf, len, "%" PRIu32, cfg->min_tx_rate);
        break;
    default: /* SRIOV_VF_MAX_TX_RATE */
        n = snprintf(buf, len, "%" PRIu32, cfg->max_tx_rate);
        break;
    }
    return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int sriov__vf_config_text(const struct sriov_vf_config *cfg, char *buf, size_t len)
{
    size_t used = strlen(buf);

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char value[32];
        int n;

        if (sriov_vf_config_format(cfg, keys[i].field, value, sizeof(value)))
            continue;
        n = snprintf(buf + used, len - used, "%s=%s\n", keys[i].key, value);
        if (n < 0 || (size_t)n >= len - used)
            return -ENOSPC;
        used += (size_t)n;
    }
    return 0;
}

/*
 * FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3): tiny,
 * well known and stable across versions, which is all a derived MAC needs;
 * it is not meant to resist anyone choosing UUIDs to collide.
 */
void sriov_mac_derive(const uint8_t uuid[16], unsigned int slot, uint8_t mac[6])
{
    uint64_t h = 0xcbf29ce484222325ULL;
    uint8_t bytes[20];

    memcpy(bytes, uuid, 16);
    for (int i = 0; i < 4; i++)
        bytes[16 + i] = (uint8_t)(slot >> (8 * i));
    for (size_t i = 0; i < sizeof(bytes); i++) {
        h ^= bytes[i];
        h *= 0x100000001b3ULL;
    }
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)(h >> (56 - 8 * i));
    mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
}

int sriov__vf_config_set_kv_at(struct sriov_ctx *ctx, struct sriov_vf_config *cfg,
                               const char *where, const char *key, const char *val)
{
    int rc = sriov_vf_config_set_kv(ctx, cfg, key, val);

    return rc ? sriov__fail(ctx, rc, "%s: %s", where, ctx->last_error) : 0;
}
