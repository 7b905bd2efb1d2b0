/*
 * One IFLA_VF_INFO entry of the kernel backend's RTM_GETLINK reply (nl_kernel.c,
 * whose top comment says how the reply is walked) into the VF list: every
 * setting the entry carries and the driver tracks, and nothing else.
 */
#include "config.h"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <netlink/attr.h>
#include <netlink/netlink.h>
#include <string.h>

#include "internal.h"
#include "l2/l2.h"
#include "l2/nl.h"

void sriov__nl_kernel_read_vf(struct nlattr *entry, struct sriov__vf_list *list)
{
    static struct nla_policy policy[IFLA_VF_MAX + 1] = {
        [IFLA_VF_MAC] = { .minlen = sizeof(struct ifla_vf_mac) },
        [IFLA_VF_VLAN] = { .minlen = sizeof(struct ifla_vf_vlan) },
        [IFLA_VF_VLAN_LIST] = { .type = NLA_NESTED },
        [IFLA_VF_TX_RATE] = { .minlen = sizeof(struct ifla_vf_tx_rate) },
        [IFLA_VF_SPOOFCHK] = { .minlen = sizeof(struct ifla_vf_spoofchk) },
        [IFLA_VF_RATE] = { .minlen = sizeof(struct ifla_vf_rate) },
        [IFLA_VF_LINK_STATE] = { .minlen = sizeof(struct ifla_vf_link_state) },
        [IFLA_VF_RSS_QUERY_EN] = { .minlen = sizeof(struct ifla_vf_rss_query_en) },
        [IFLA_VF_TRUST] = { .minlen = sizeof(struct ifla_vf_trust) },
    };
    struct nlattr *t[IFLA_VF_MAX + 1];
    struct sriov_vf_config *cfg;
    const struct ifla_vf_mac *mac;
    uint32_t vf;

    /* An entry we cannot parse leaves its VF unreadable rather than half-read. */
    if (nla_parse_nested(t, IFLA_VF_MAX, entry, policy) < 0 || !t[IFLA_VF_MAC])
        return;
    mac = nla_data(t[IFLA_VF_MAC]);
    vf = mac->vf;
    if (vf >= list->num_vfs || list->readable[vf])
        return;
    cfg = &list->cfgs[vf];
    memcpy(cfg->mac, mac->mac, 6);
    cfg->present |= SRIOV_VF_MAC;

    if (t[IFLA_VF_VLAN_LIST]) {
        struct nlattr *info;
        int rem;
        nla_for_each_nested(info, t[IFLA_VF_VLAN_LIST], rem) {
            const struct ifla_vf_vlan_info *vi = nla_data(info);
            if (nla_type(info) != IFLA_VF_VLAN_INFO || nla_len(info) < (int)sizeof(*vi))
                continue;
            cfg->vlan = (uint16_t)vi->vlan;
            cfg->qos = (uint8_t)vi->qos;
            /* Drivers that never set a protocol report 0: that is 802.1Q. */
            cfg->vlan_proto = vi->vlan_proto ? ntohs(vi->vlan_proto) : 0x8100;
            cfg->present |= SRIOV_VF_VLAN | SRIOV_VF_QOS | SRIOV_VF_VLAN_PROTO;
            break; /* the kernel reports one (MAX_VLAN_LIST_LEN) */
        }
    }
    if (!(cfg->present & SRIOV_VF_VLAN) && t[IFLA_VF_VLAN]) {
        const struct ifla_vf_vlan *v = nla_data(t[IFLA_VF_VLAN]);
        cfg->vlan = (uint16_t)v->vlan;
        cfg->qos = (uint8_t)v->qos;
        cfg->vlan_proto = 0x8100;
        cfg->present |= SRIOV_VF_VLAN | SRIOV_VF_QOS | SRIOV_VF_VLAN_PROTO;
    }
    if (t[IFLA_VF_RATE]) {
        const struct ifla_vf_rate *r = nla_data(t[IFLA_VF_RATE]);
        cfg->min_tx_rate = r->min_tx_rate;
        cfg->max_tx_rate = r->max_tx_rate;
        cfg->present |= SRIOV_VF_MIN_TX_RATE | SRIOV_VF_MAX_TX_RATE;
    } else if (t[IFLA_VF_TX_RATE]) {
        cfg->max_tx_rate = ((const struct ifla_vf_tx_rate *)nla_data(t[IFLA_VF_TX_RATE]))->rate;
        cfg->present |= SRIOV_VF_MAX_TX_RATE;
    }
    /* The kernel reports (u32)-1 for settings the driver does not track. */
    if (t[IFLA_VF_SPOOFCHK]) {
        uint32_t s = ((const struct ifla_vf_spoofchk *)nla_data(t[IFLA_VF_SPOOFCHK]))->setting;
        if (s != UINT32_MAX) {
            cfg->spoofchk = s ? 1 : 0;
            cfg->present |= SRIOV_VF_SPOOFCHK;
        }
    }
    if (t[IFLA_VF_TRUST]) {
        uint32_t s = ((const struct ifla_vf_trust *)nla_data(t[IFLA_VF_TRUST]))->setting;
        if (s != UINT32_MAX) {
            cfg->trust = s ? 1 : 0;
            cfg->present |= SRIOV_VF_TRUST;
        }
    }
    if (t[IFLA_VF_RSS_QUERY_EN]) {
        uint32_t s =
            ((const struct ifla_vf_rss_query_en *)nla_data(t[IFLA_VF_RSS_QUERY_EN]))->setting;
        if (s != UINT32_MAX) {
            cfg->query_rss = s ? 1 : 0;
            cfg->present |= SRIOV_VF_QUERY_RSS;
        }
    }
    if (t[IFLA_VF_LINK_STATE]) {
        uint32_t s = ((const struct ifla_vf_link_state *)nla_data(t[IFLA_VF_LINK_STATE]))
                         ->link_state;
        if (s <= SRIOV_VF_LINK_DISABLE) {
            cfg->link_state = (enum sriov_vf_link_state)s;
            cfg->present |= SRIOV_VF_LINK_STATE;
        }
    }
    list->readable[vf] = true;
    list->n_read++;
}
