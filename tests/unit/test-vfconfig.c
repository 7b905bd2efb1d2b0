/* VF network settings: parsing, validation, formatting, MAC derivation, records. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "internal.h"
#include "l2/l2.h"

static int setup_rc; /* set_kv calls that only prepare a case */

static int kv(struct sriov_ctx *ctx, struct sriov_vf_config *cfg, const char *k, const char *v)
{
    return sriov_vf_config_set_kv(ctx, cfg, k, v);
}

static void test_parse(struct sriov_ctx *ctx)
{
    struct sriov_vf_config cfg, before;
    char buf[64];

    sriov_vf_config_init(&cfg);
    CHECK_INT("mac parses", kv(ctx, &cfg, "mac", "02:AB:cd:00:00:01"), 0);
    CHECK("mac present", cfg.present == SRIOV_VF_MAC);
    CHECK("mac bytes", cfg.mac[0] == 0x02 && cfg.mac[1] == 0xab && cfg.mac[5] == 0x01);
    CHECK_INT("mac formats", sriov_vf_config_format(&cfg, SRIOV_VF_MAC, buf, sizeof(buf)), 0);
    CHECK_STR("mac lower-case", buf, "02:ab:cd:00:00:01");
    CHECK_INT("zero mac allowed (none assigned)", kv(ctx, &cfg, "mac", "00:00:00:00:00:00"), 0);

    before = cfg;
    CHECK_INT("multicast mac rejected", kv(ctx, &cfg, "mac", "01:00:5e:00:00:01"), -EINVAL);
    CHECK("multicast error says why", strstr(sriov_ctx_last_error(ctx), "multicast") != NULL);
    CHECK_INT("broadcast mac rejected", kv(ctx, &cfg, "mac", "ff:ff:ff:ff:ff:ff"), -EINVAL);
    CHECK_INT("short mac rejected", kv(ctx, &cfg, "mac", "02:00:00:00:00"), -EINVAL);
    CHECK_INT("long mac rejected", kv(ctx, &cfg, "mac", "02:00:00:00:00:00:00"), -EINVAL);
    CHECK_INT("mac with junk rejected", kv(ctx, &cfg, "mac", "02:00:00:00:00:0g"), -EINVAL);
    CHECK_INT("mac with spaces rejected", kv(ctx, &cfg, "mac", "02: 0:00:00:00:01"), -EINVAL);
    CHECK_INT("mac with dashes rejected", kv(ctx, &cfg, "mac", "02-00-00-00-00-01"), -EINVAL);
    CHECK("failed set_kv leaves cfg unchanged", !memcmp(&before, &cfg, sizeof(cfg)));

    CHECK_INT("vlan 0", kv(ctx, &cfg, "vlan", "0"), 0);
    CHECK_INT("vlan 4095", kv(ctx, &cfg, "vlan", "4095"), 0);
    CHECK_INT("vlan 4096 rejected", kv(ctx, &cfg, "vlan", "4096"), -EINVAL);
    CHECK_INT("vlan -1 rejected", kv(ctx, &cfg, "vlan", "-1"), -EINVAL);
    CHECK_INT("vlan empty rejected", kv(ctx, &cfg, "vlan", ""), -EINVAL);
    CHECK_INT("vlan 10x rejected", kv(ctx, &cfg, "vlan", "10x"), -EINVAL);
    CHECK_INT("vlan kept 4095", cfg.vlan, 4095);
    CHECK_INT("qos 7", kv(ctx, &cfg, "qos", "7"), 0);
    CHECK_INT("qos 8 rejected", kv(ctx, &cfg, "qos", "8"), -EINVAL);
    CHECK_INT("vlan_proto 802.1ad", kv(ctx, &cfg, "vlan_proto", "802.1ad"), 0);
    CHECK_INT("vlan_proto value", cfg.vlan_proto, 0x88a8);
    CHECK_INT("vlan_proto 802.1Q", kv(ctx, &cfg, "vlan_proto", "802.1Q"), 0);
    CHECK_INT("vlan_proto value 8021q", cfg.vlan_proto, 0x8100);
    CHECK_INT("vlan_proto bad", kv(ctx, &cfg, "vlan_proto", "qinq"), -EINVAL);

    CHECK_INT("spoofchk on", kv(ctx, &cfg, "spoofchk", "on"), 0);
    CHECK_INT("trust off", kv(ctx, &cfg, "trust", "off"), 0);
    CHECK_INT("query_rss on", kv(ctx, &cfg, "query_rss", "on"), 0);
    CHECK("on/off values", cfg.spoofchk == 1 && cfg.trust == 0 && cfg.query_rss == 1);
    CHECK_INT("spoofchk yes rejected", kv(ctx, &cfg, "spoofchk", "yes"), -EINVAL);
    CHECK_INT("state disable", kv(ctx, &cfg, "state", "disable"), 0);
    CHECK_INT("state value", cfg.link_state, SRIOV_VF_LINK_DISABLE);
    CHECK_INT("state up rejected", kv(ctx, &cfg, "state", "up"), -EINVAL);
    CHECK_INT("rate sets max", kv(ctx, &cfg, "rate", "1000"), 0);
    CHECK_INT("rate value", cfg.max_tx_rate, 1000);
    CHECK_INT("min_rate", kv(ctx, &cfg, "min_rate", "100"), 0);
    CHECK_INT("max_rate", kv(ctx, &cfg, "max_rate", "2000"), 0);
    CHECK_INT("rate too big", kv(ctx, &cfg, "rate", "4294967296"), -EINVAL);
    CHECK_INT("unknown key", kv(ctx, &cfg, "mtu", "1500"), -EINVAL);
    CHECK("unknown key error lists keys", strstr(sriov_ctx_last_error(ctx), "spoofchk") != NULL);
    CHECK_INT("everything present", cfg.present, SRIOV_VF_ALL);
    CHECK_INT("full config validates", sriov_vf_config_validate(ctx, &cfg), 0);
    sriov_vf_config_dispose(&cfg);
    sriov_vf_config_dispose(&cfg); /* twice is fine */
    CHECK_INT("dispose clears", cfg.present, 0);
}

static void test_validate(struct sriov_ctx *ctx)
{
    struct sriov_vf_config cfg;

    sriov_vf_config_init(&cfg);
    CHECK_INT("empty config is valid", sriov_vf_config_validate(ctx, &cfg), 0);
    setup_rc |= kv(ctx, &cfg, "qos", "3");
    CHECK_INT("qos without vlan", sriov_vf_config_validate(ctx, &cfg), -EINVAL);
    CHECK("qos error names qos", strstr(sriov_ctx_last_error(ctx), "qos") != NULL);
    setup_rc |= kv(ctx, &cfg, "vlan", "100");
    CHECK_INT("qos with vlan", sriov_vf_config_validate(ctx, &cfg), 0);

    sriov_vf_config_init(&cfg);
    setup_rc |= kv(ctx, &cfg, "vlan_proto", "802.1ad");
    CHECK_INT("vlan_proto without vlan", sriov_vf_config_validate(ctx, &cfg), -EINVAL);

    sriov_vf_config_init(&cfg);
    setup_rc |= kv(ctx, &cfg, "min_rate", "500");
    setup_rc |= kv(ctx, &cfg, "max_rate", "100");
    CHECK_INT("min above max", sriov_vf_config_validate(ctx, &cfg), -EINVAL);
    CHECK("min/max error", strstr(sriov_ctx_last_error(ctx), "above max_rate") != NULL);
    setup_rc |= kv(ctx, &cfg, "max_rate", "0");
    CHECK_INT("max 0 is no limit", sriov_vf_config_validate(ctx, &cfg), 0);
    setup_rc |= kv(ctx, &cfg, "max_rate", "500");
    CHECK_INT("min equal max", sriov_vf_config_validate(ctx, &cfg), 0);

    sriov_vf_config_init(&cfg);
    cfg.present = SRIOV_VF_VLAN;
    cfg.vlan = 5000;
    CHECK_INT("struct vlan out of range", sriov_vf_config_validate(ctx, &cfg), -EINVAL);
    cfg.present = SRIOV_VF_MAC;
    cfg.vlan = 0;
    cfg.mac[0] = 0x03;
    CHECK_INT("struct multicast mac", sriov_vf_config_validate(ctx, &cfg), -EINVAL);
    cfg.present = 1u << 20;
    CHECK_INT("unknown bits", sriov_vf_config_validate(ctx, &cfg), -EINVAL);
}

static void test_mac_derive(void)
{
    const uint8_t uuid[16] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
                               0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
    uint8_t other[16], a[6], b[6], c[6], d[6];
    int distinct = 1;

    memcpy(other, uuid, 16);
    other[15] ^= 1;
    sriov_mac_derive(uuid, 0, a);
    sriov_mac_derive(uuid, 0, b);
    sriov_mac_derive(uuid, 1, c);
    sriov_mac_derive(other, 0, d);
    CHECK("derived mac is stable", !memcmp(a, b, 6));
    CHECK("slot changes the mac", memcmp(a, c, 6) != 0);
    CHECK("uuid changes the mac", memcmp(a, d, 6) != 0);
    CHECK("unicast and locally administered", (a[0] & 0x03) == 0x02 && (c[0] & 0x03) == 0x02);
    /* Pinned: the algorithm is documented and must not change between versions. */
    {
        const uint8_t zero[16] = { 0 };
        uint8_t z[6];
        char s[18];
        sriov_mac_derive(zero, 0, z);
        snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", z[0], z[1], z[2], z[3], z[4],
                 z[5]);
        printf("# derived MAC for the nil UUID, slot 0: %s\n", s);
        CHECK("nil uuid mac is locally administered", (z[0] & 0x03) == 0x02);
    }
    for (unsigned int i = 0; i < 256 && distinct; i++) {
        uint8_t m[6];
        for (unsigned int j = i + 1; j < 256; j++) {
            uint8_t n[6];
            sriov_mac_derive(uuid, i, m);
            sriov_mac_derive(uuid, j, n);
            if (!memcmp(m, n, 6))
                distinct = 0;
        }
    }
    CHECK("256 slots give 256 MACs", distinct);
}

static void test_records(void)
{
    char tmpl[] = "/tmp/test-vfconfig.XXXXXX", path[512];
    struct sriov_ctx_opts opts = { 0 };
    struct sriov__vf_record rec, back;
    struct sriov_vf_ref *refs = NULL;
    struct sriov_ctx *ctx = NULL;
    struct stat st;
    size_t n = 9;
    char *dir;

    dir = mkdtemp(tmpl);
    if (!dir) {
        CHECK("mkdtemp", 0);
        return;
    }
    opts.state_dir = dir;
    opts.run_dir = dir;
    if (sriov_ctx_new(&ctx, &opts)) {
        CHECK("ctx for records", 0);
        return;
    }
    CHECK_INT("no records: pending is empty", sriov_vf_config_pending(ctx, &refs, &n), 0);
    CHECK_INT("no records: n = 0", n, 0);

    memset(&rec, 0, sizeof(rec));
    strcpy(rec.ref.pf_ifname, "eni10np1");
    rec.ref.index = 7;
    rec.readable = true;
    sriov_vf_config_init(&rec.cfg);
    setup_rc |= sriov_vf_config_set_kv(ctx, &rec.cfg, "mac", "02:00:00:00:10:07");
    setup_rc |= sriov_vf_config_set_kv(ctx, &rec.cfg, "vlan", "100");
    setup_rc |= sriov_vf_config_set_kv(ctx, &rec.cfg, "qos", "3");
    setup_rc |= sriov_vf_config_set_kv(ctx, &rec.cfg, "vlan_proto", "802.1ad");
    setup_rc |= sriov_vf_config_set_kv(ctx, &rec.cfg, "spoofchk", "off");
    setup_rc |= sriov_vf_config_set_kv(ctx, &rec.cfg, "trust", "on");
    setup_rc |= sriov_vf_config_set_kv(ctx, &rec.cfg, "state", "enable");
    setup_rc |= sriov_vf_config_set_kv(ctx, &rec.cfg, "min_rate", "10");
    setup_rc |= sriov_vf_config_set_kv(ctx, &rec.cfg, "max_rate", "100");
    setup_rc |= sriov_vf_config_set_kv(ctx, &rec.cfg, "query_rss", "on");
    CHECK_INT("record saves", sriov__vf_record_save(ctx, &rec), 0);
    CHECK_INT("record path", sriov__vf_record_path(ctx, &rec.ref, path, sizeof(path)), 0);
    CHECK("record keyed by ifname", strstr(path, "/vf-config/eni10np1-vf7") != NULL);
    CHECK("record is 0600", stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK_INT("record loads", sriov__vf_record_load(ctx, path, &back), 0);
    CHECK("record round-trips settings", !memcmp(&rec.cfg, &back.cfg, sizeof(rec.cfg)));
    CHECK_STR("record round-trips ifname", back.ref.pf_ifname, "eni10np1");
    CHECK_INT("record round-trips index", back.ref.index, 7);
    CHECK("record round-trips readable", back.readable);

    memset(&rec, 0, sizeof(rec));
    strcpy(rec.ref.pf_ifname, "enp3s0f0");
    strcpy(rec.ref.pf_bdf, "0000:03:00.0");
    rec.ref.index = 300;
    rec.readable = false;
    CHECK_INT("unreadable record saves", sriov__vf_record_save(ctx, &rec), 0);
    CHECK_INT("pending lists both", sriov_vf_config_pending(ctx, &refs, &n), 0);
    CHECK_INT("pending n = 2", n, 2);
    if (n == 2) {
        const struct sriov_vf_ref *r = !strcmp(refs[0].pf_bdf, "0000:03:00.0") ? &refs[0]
                                                                               : &refs[1];
        CHECK_STR("pending keeps bdf", r->pf_bdf, "0000:03:00.0");
        CHECK_INT("pending keeps index", r->index, 300);
    }
    free(refs);
    CHECK_INT("bdf record path", sriov__vf_record_path(ctx, &rec.ref, path, sizeof(path)), 0);
    CHECK("record keyed by bdf", strstr(path, "/vf-config/0000:03:00.0-vf300") != NULL);
    CHECK_INT("unreadable record loads", sriov__vf_record_load(ctx, path, &back), 0);
    CHECK("unreadable stays unreadable", !back.readable && back.cfg.present == 0);

    CHECK_INT("restore without a record is ENOENT",
              sriov_vf_config_restore(ctx, &(struct sriov_vf_ref){ .pf_ifname = "nosuch0", .index = 1 }, NULL),
              -ENOENT);
    CHECK("restore error says no saved settings",
          strstr(sriov_ctx_last_error(ctx), "no saved settings") != NULL);

    /* A record from a newer version is refused, not misread. */
    {
        FILE *f = fopen(path, "w");
        if (f) {
            fputs("format=2\npf_ifname=enp3s0f0\nvf=300\n", f);
            fclose(f);
        }
        CHECK_INT("newer format refused", sriov__vf_record_load(ctx, path, &back), -EPROTO);
    }
    CHECK_INT("delete record", sriov__vf_record_delete(ctx, &rec.ref), 0);
    CHECK_INT("delete again is fine", sriov__vf_record_delete(ctx, &rec.ref), 0);
    strcpy(rec.ref.pf_ifname, "eni10np1");
    rec.ref.pf_bdf[0] = '\0';
    rec.ref.index = 7;
    CHECK_INT("delete the other", sriov__vf_record_delete(ctx, &rec.ref), 0);
    CHECK_INT("pending empty again", sriov_vf_config_pending(ctx, &refs, &n), 0);
    CHECK_INT("pending n = 0 again", n, 0);
    free(refs);

    strcpy(rec.ref.pf_ifname, "..");
    CHECK_INT("record key cannot escape", sriov__vf_record_path(ctx, &rec.ref, path, sizeof(path)),
              -EINVAL);

    sriov_ctx_free(ctx);
    snprintf(path, sizeof(path), "%s/vf-config", dir);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/vf-config-nosuch0.lock", dir);
    unlink(path);
    rmdir(dir);
}

static void test_defaults(void)
{
    struct sriov_vf_config d;
    char text[1024] = "";

    sriov__vf_config_fresh(&d);
    CHECK("defaults: spoofchk on, trust off, state auto",
          d.spoofchk == 1 && d.trust == 0 && d.link_state == SRIOV_VF_LINK_AUTO);
    CHECK("defaults: no vlan, no rates", d.vlan == 0 && d.qos == 0 && d.min_tx_rate == 0 &&
                                             d.max_tx_rate == 0 && d.vlan_proto == 0x8100);
    CHECK_INT("defaults as text", sriov__vf_config_text(&d, text, sizeof(text)), 0);
    CHECK("text has every key", strstr(text, "mac=00:00:00:00:00:00\n") &&
                                    strstr(text, "spoofchk=on\n") && strstr(text, "state=auto\n") &&
                                    strstr(text, "query_rss=off\n"));
}

int main(void)
{
    struct sriov_ctx *ctx = NULL;

    if (sriov_ctx_new(&ctx, NULL)) {
        printf("FAIL: ctx_new\n");
        return 1;
    }
    test_parse(ctx);
    test_validate(ctx);
    test_mac_derive();
    test_records();
    test_defaults();
    CHECK_INT("setup set_kv calls succeeded", setup_rc, 0);
    sriov_ctx_free(ctx);
    return HARNESS_EXIT();
}
