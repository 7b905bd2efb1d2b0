/* Parsers of the assignment path: vf= entries, sriov.cfg networks, PCI specs
 * through the libxlutil glue, UUIDs. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "internal.h"
#include "config/network.h"
#include "config/vfreq.h"
#include "config/xlcfg.h"
#include "hv/hv.h"

static struct sriov_ctx *ctx;

static int parse(const char *spec, struct sriov__vf_req *req)
{
    return sriov__vf_req_parse(ctx, spec, "t.cfg line 3: vf entry 1", req);
}

static void test_vf_ok(void)
{
    struct sriov__vf_req r;

    CHECK_INT("vf-full", parse("network=lan,mac=00:16:3e:12:34:56,vlan=100,qos=3,rate=1000,"
                               "min_rate=10,spoofchk=on,trust=0", &r), 0);
    CHECK_STR("vf-network", r.network, "lan");
    CHECK_INT("vf-mac", (r.l2.present & SRIOV_VF_MAC) && r.l2.mac[5] == 0x56, 1);
    CHECK_INT("vf-vlan", r.l2.vlan, 100);
    CHECK_INT("vf-qos", r.l2.qos, 3);
    CHECK_INT("vf-rate", r.l2.max_tx_rate, 1000);
    CHECK_INT("vf-spoofchk", r.l2.spoofchk, 1);
    CHECK_INT("vf-trust", (r.l2.present & SRIOV_VF_TRUST) && r.l2.trust == 0, 1);
    CHECK_INT("vf-no-pci-opts", r.pci_opts == NULL && r.pci.permissive == -1, 1);
    sriov__vf_req_dispose(&r);
    sriov__vf_req_dispose(&r); /* safe twice */

    CHECK_INT("vf-pf-index", parse("pf=enp3s0f1,vf=4,permissive=1,rdm_policy=relaxed,"
                                   "vdevfn=0x08", &r), 0);
    CHECK_STR("vf-pf", r.pf, "enp3s0f1");
    CHECK_INT("vf-index", r.vf_index, 4);
    CHECK_INT("vf-permissive", r.pci.permissive, 1);
    CHECK_INT("vf-rdm", r.pci.rdm_policy, 1);
    CHECK_INT("vf-vdevfn", r.pci.vdevfn, 8);
    CHECK_STR("vf-pci-opts-text", r.pci_opts, "permissive=1,rdm_policy=relaxed,vslot=1");
    sriov__vf_req_dispose(&r);
    /* libxlutil reads vslot in hex: slot 0x14 must reach it as such, not as 20. */
    CHECK_INT("vf-vdevfn-high", parse("pf=enp3s0f1,vdevfn=0xa0", &r), 0);
    CHECK_INT("vf-vdevfn-high-slot", r.pci.vdevfn, 0xa0);
    sriov__vf_req_dispose(&r);
}

static void bad(const char *name, const char *spec, const char *want)
{
    struct sriov__vf_req r;
    int rc = parse(spec, &r);

    CHECK_INT(name, rc, -EINVAL);
    if (!strstr(sriov_ctx_last_error(ctx), want) ||
        !strstr(sriov_ctx_last_error(ctx), "line 3")) {
        printf("FAIL: %s-message: '%s' lacks '%s'\n", name, sriov_ctx_last_error(ctx), want);
        harness_failed = 1;
    }
}

static void test_vf_bad(void)
{
    bad("vf-unknown-key", "network=lan,colour=blue", "unknown key 'colour'");
    /* L2 keys are validated by the same code as vf-set, with the same messages. */
    bad("vf-bad-vlan", "network=lan,vlan=4096", "vlan=4096: a VLAN id is 0 to 4095");
    bad("vf-hex-vlan", "network=lan,vlan=0x64", "vlan=0x64");
    bad("vf-bad-qos", "network=lan,qos=8", "qos=8");
    bad("vf-multicast-mac", "network=lan,mac=01:00:5e:00:00:01", "multicast");
    bad("vf-short-mac", "network=lan,mac=00:16:3e:12:34", "not a MAC address");
    bad("vf-signed-mac", "network=lan,mac=+0:16:3e:12:34:56", "not a MAC address");
    bad("vf-bool", "network=lan,trust=maybe", "trust=maybe: must be on or off");
    bad("vf-bad-state", "network=lan,state=sometimes", "state=sometimes");
    bad("vf-neither", "vlan=3", "exactly one of network= or pf=");
    bad("vf-both", "network=lan,pf=eth0", "exactly one of network= or pf=");
    bad("vf-index-needs-pf", "network=lan,vf=2", "needs pf=");
    bad("vf-not-kv", "network=lan,permissive", "not KEY=VALUE");
    bad("vf-quote", "network=lan'", "quotes");
    bad("vf-bad-rdm", "network=lan,rdm_policy=sometimes", "PCI options");
    bad("vf-vdevfn-function", "network=lan,vdevfn=0x09", "'vdevfn'");
    bad("vf-network-twice", "network=lan,network=wan", "'network'");
}

/* pci= entries (the simulated xl create reads them) and vf= options alone. */
static void test_pci_spec(void)
{
    struct sriov_hv_pci_opts o;
    char bdf[SRIOV_BDF_LEN], *why = NULL;

    CHECK_INT("pci-spec", sriov__xlcfg_pci_parse("03:10.2@1f,permissive=0", bdf, &o, NULL), 0);
    CHECK_STR("pci-spec-bdf", bdf, "0000:03:10.2");
    CHECK_INT("pci-spec-vslot", o.vdevfn, 0x1f << 3);
    CHECK_INT("pci-spec-permissive", o.permissive, 0);
    CHECK("pci-spec-not-given",
          o.seize == -1 && o.msitranslate == -1 && o.power_mgmt == -1 && o.rdm_policy == -1);
    CHECK_INT("pci-opts", sriov__xlcfg_pci_parse("seize=1,rdm_policy=strict,power_mgmt=0", NULL,
                                                &o, NULL), 0);
    CHECK("pci-opts-values", o.seize == 1 && o.rdm_policy == 0 && o.power_mgmt == 0 &&
                                 o.vdevfn == -1 && o.permissive == -1 && o.msitranslate == -1);
    CHECK_INT("pci-opts-bad", sriov__xlcfg_pci_parse("rdm_policy=sometimes", NULL, &o, &why),
              -EINVAL);
    CHECK("pci-opts-why", why && strstr(why, "sometimes"));
    free(why);
    CHECK_INT("pci-spec-needs-bdf", sriov__xlcfg_pci_parse("permissive=1", bdf, &o, NULL),
              -EINVAL);
    CHECK_INT("pci-spec-bad-vslot", sriov__xlcfg_pci_parse("03:10.2@20", bdf, &o, NULL), -EINVAL);
}

/* Write the network file and load it. */
static int load(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return -errno;
    fputs(text, f);
    fclose(f);
    return sriov_ctx_load_networks(ctx);
}

static void test_networks(const char *dir)
{
    /* Files refused as a whole, whatever else they hold. */
    static const struct {
        const char *name, *text;
    } invalid[] = {
        { "net-no-mac", "network = [ [ \"name=a\", \"pf=x\", \"mac=02:00:00:00:00:01\" ] ]\n" },
        { "net-no-pf", "network = [ [ \"name=lan\" ] ]\n" },
        { "net-duplicate", "network = [ [ \"name=a\", \"pf=x\" ], [ \"name=a\", \"pf=y\" ] ]\n" },
        { "net-syntax", "network = [ [ \"name=a\" \n" },
    };
    static const char lan_san[] =
        "# comment\nnetwork = [\n"
        "  [ \"name=lan\", \"pf=enp3s0f0\", \"pf=0000:04:00.0\", \"vlan=100\",\n"
        "    \"bridge=xenbr0\", \"spoofchk=1\" ],\n"
        "  [ \"name=san\", \"pf=enp5s0f0\", \"rate=5000\", \"numvfs=8\" ],\n]\n";
    char path[512];

    snprintf(path, sizeof(path), "%s/sriov.cfg", dir);
    CHECK_INT("net-load", load(path, lan_san), 0);
    CHECK_INT("net-count", sriov_ctx_network_count(ctx), 2);
    CHECK_STR("net-name", sriov_network_name(sriov_ctx_network(ctx, 0)), "lan");
    CHECK_INT("net-pfs", sriov_network_pf_count(sriov_ctx_network(ctx, 0)), 2);
    CHECK_STR("net-pf2", sriov_network_pf(sriov_ctx_network(ctx, 0), 1), "0000:04:00.0");
    CHECK_INT("net-vlan", sriov_network_vlan(sriov_ctx_network(ctx, 0)), 100);
    CHECK_STR("net-bridge", sriov_network_bridge(sriov_ctx_network(ctx, 0)), "xenbr0");
    CHECK_INT("net-unset", sriov_network_vlan(sriov_ctx_network(ctx, 1)), -1);
    CHECK_INT("net-rate", sriov_network_rate(sriov_ctx_network(ctx, 1)), 5000);

    CHECK_INT("net-bad-value", load(path, "network = [\n  [ \"name=lan\", \"pf=x\" ],\n"
                                          "  [ \"name=b\", \"pf=y\", \"vlan=x\" ] ]\n"),
              -EINVAL);
    CHECK("net-bad-value-line", strstr(sriov_ctx_last_error(ctx), "line 3") != NULL);
    CHECK("net-bad-value-key", strstr(sriov_ctx_last_error(ctx), "vlan=x") != NULL);
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
        CHECK_INT(invalid[i].name, load(path, invalid[i].text), -EINVAL);
    unlink(path);
    CHECK_INT("net-missing-file", sriov_ctx_load_networks(ctx), 0);
    CHECK_INT("net-missing-none", sriov_ctx_network_count(ctx), 0);
}

static void test_uuid(void)
{
    uint8_t u[16], v[16];
    char s[SRIOV_UUID_STR_LEN];

    CHECK_INT("uuid-parse", sriov__uuid_parse("4fd956a9-1d2c-4ca1-9d5e-7560f7df992c", u), 0);
    sriov__uuid_format(u, s);
    CHECK_STR("uuid-roundtrip", s, "4fd956a9-1d2c-4ca1-9d5e-7560f7df992c");
    CHECK_INT("uuid-bad", sriov__uuid_parse("4fd956a9-1d2c-4ca1-9d5e-7560f7df992", u), -EINVAL);
    CHECK_INT("uuid-gen", sriov__uuid_generate(u) || sriov__uuid_generate(v), 0);
    CHECK("uuid-gen-differ", memcmp(u, v, 16) != 0 && (u[6] >> 4) == 4);
}

int main(void)
{
    char dir[] = "/tmp/test-vfspec.XXXXXX", path[600];
    struct sriov_ctx_opts opts = { 0 };

    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof(path), "%s/sriov.cfg", dir);
    opts.config_path = path;
    if (sriov_ctx_new(&ctx, &opts))
        return 1;
    test_vf_ok();
    test_vf_bad();
    test_pci_spec();
    test_networks(dir);
    test_uuid();
    sriov_ctx_free(ctx);
    rmdir(dir);
    return HARNESS_EXIT();
}
