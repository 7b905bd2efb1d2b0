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
    /* Indexes are decimal, as the CLI reads PF/010: never octal. */
    CHECK_INT("vf-index-decimal", parse("pf=enp3s0f1,vf=010,permissive=0,vdevfn=16", &r), 0);
    CHECK_INT("vf-index-decimal-value", r.vf_index, 10);
    CHECK_INT("vf-vdevfn-decimal", r.pci.vdevfn, 16);
    CHECK_INT("vf-permissive-0", r.pci.permissive, 0);
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
    /* Decimal only, nothing around the digits. */
    bad("vf-index-hex", "pf=eth0,vf=0x3", "bad value for 'vf': '0x3'");
    bad("vf-index-blank", "pf=eth0,vf= 3", "bad value for 'vf'");
    bad("vf-index-plus", "pf=eth0,vf=+3", "bad value for 'vf'");
    bad("vf-index-negative", "pf=eth0,vf=-1", "bad value for 'vf'");
    bad("vf-index-empty", "pf=eth0,vf=", "bad value for 'vf'");
    bad("vf-vdevfn-octal", "pf=eth0,vdevfn=010", "'vdevfn'");
    bad("vf-vdevfn-bare-0x", "pf=eth0,vdevfn=0x", "'vdevfn'");
    bad("vf-vdevfn-signed-hex", "pf=eth0,vdevfn=0x-8", "'vdevfn'");
    /* Every key once. */
    bad("vf-dup-vf", "pf=eth0,vf=1,vf=2", "'vf' is given twice");
    bad("vf-dup-pf", "pf=eth0,pf=eth1", "'pf' is given twice");
    bad("vf-dup-vlan", "network=lan,vlan=1,vlan=2", "'vlan' is given twice");
    bad("vf-dup-mac", "network=lan,mac=02:00:00:00:00:01,mac=02:00:00:00:00:02",
        "'mac' is given twice");
    bad("vf-dup-rate", "network=lan,rate=10,max_rate=20", "rate and max_rate are one");
    bad("vf-dup-permissive", "network=lan,permissive=1,permissive=0",
        "'permissive' is given twice");
    bad("vf-dup-vslot", "network=lan,vslot=2,vdevfn=0x10", "vslot and vdevfn are one");
    /* xl's booleans are 0 and 1; libxlutil would read "yes" as 0 and 2 as true. */
    bad("vf-permissive-2", "network=lan,permissive=2", "bad value for 'permissive': '2'");
    bad("vf-permissive-yes", "network=lan,permissive=yes", "bad value for 'permissive'");
    bad("vf-seize-true", "network=lan,seize=true", "bad value for 'seize'");
    bad("vf-msitranslate-empty", "network=lan,msitranslate=", "bad value for 'msitranslate'");
    /* The all-zero MAC is vf-set's "none"; no guest can have it. */
    bad("vf-zero-mac", "network=lan,mac=00:00:00:00:00:00", "all-zero");
    bad("vf-control-char", "network=lan,vlan=3\t", "control characters");
}

/* vf-set keeps the all-zero MAC as "none assigned": the library API is unchanged. */
static void test_zero_mac_api(void)
{
    struct sriov_vf_config cfg;

    sriov_vf_config_init(&cfg);
    CHECK_INT("vf-set-zero-mac", sriov_vf_config_set_kv(ctx, &cfg, "mac", "00:00:00:00:00:00"),
              0);
    CHECK("vf-set-zero-mac-present", cfg.present & SRIOV_VF_MAC);
    sriov_vf_config_dispose(&cfg);
}

static int write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return -1;
    fwrite(text, 1, len, f);
    return fclose(f);
}

/* Config files: symlinks followed, NUL bytes refused, lines of list items. */
static void test_config_files(const char *dir)
{
    static const char guest[] = "name = \"g\"\n"
                                "# vf = [ 'pf=x' ]\n"
                                "vf = [ 'network=a',\n"
                                "       '' ,  # an empty entry\n"
                                "       \"pf=x\", [ 'l' ] ]\n"
                                "pci = [ 'vf' ]; vfx = [ 'vf' ]\n";
    static const char nul[] = "name = \"g\"\nvf = [ 'a\0' ]\n";
    char *const over[] = { (char *)"vf=['o']", (char *)"pci=[\"a'b\\\"c\\\\d\", 'e']" };
    struct sriov__xlcfg *c = NULL;
    char path[600], link[600];

    snprintf(path, sizeof(path), "%s/g.cfg", dir);
    snprintf(link, sizeof(link), "%s/auto.cfg", dir);
    write_file(path, guest, sizeof(guest) - 1);
    unlink(link);
    if (symlink(path, link)) {
        printf("FAIL: cfg-symlink: cannot create %s\n", link);
        harness_failed = 1;
        return;
    }
    CHECK_INT("cfg-symlink", sriov__xlcfg_load(ctx, link, NULL, 0, &c), 0);
    if (c) {
        CHECK_INT("cfg-line-key", sriov__xlcfg_line(c, "vf", -1, -1), 3);
        CHECK_INT("cfg-line-item0", sriov__xlcfg_line(c, "vf", 0, -1), 3);
        CHECK_INT("cfg-line-empty-item", sriov__xlcfg_line(c, "vf", 1, -1), 4);
        CHECK_INT("cfg-line-item2", sriov__xlcfg_line(c, "vf", 2, -1), 5);
        CHECK_INT("cfg-line-sublist", sriov__xlcfg_line(c, "vf", 3, 0), 5);
        CHECK_INT("cfg-line-past-end", sriov__xlcfg_line(c, "vf", 4, -1), 0);
        CHECK_INT("cfg-line-after-semicolon", sriov__xlcfg_line(c, "vfx", 0, -1), 6);
        CHECK_INT("cfg-line-absent", sriov__xlcfg_line(c, "disk", -1, -1), 0);
        sriov__xlcfg_free(c);
        c = NULL;
    }
    /* Overrides are appended lines: the last assignment counts.  Escapes inside
     * xl strings, which create's pci= override relies on, come back as written. */
    CHECK_INT("cfg-override", sriov__xlcfg_load(ctx, path, over, 2, &c), 0);
    if (c) {
        /* Past the file's 6 lines and the line break added after it. */
        CHECK_INT("cfg-line-override", sriov__xlcfg_line(c, "vf", 0, -1), 8);
        CHECK_STR("cfg-override-value", sriov__xlcfg_list_item(c, "vf", 0), "o");
        CHECK_STR("cfg-escapes", sriov__xlcfg_list_item(c, "pci", 0), "a'b\"c\\d");
        CHECK_STR("cfg-escapes-next", sriov__xlcfg_list_item(c, "pci", 1), "e");
        sriov__xlcfg_free(c);
        c = NULL;
    }
    write_file(path, nul, sizeof(nul) - 1);
    CHECK_INT("cfg-nul", sriov__xlcfg_load(ctx, path, NULL, 0, &c), -EINVAL);
    CHECK("cfg-nul-line", strstr(sriov_ctx_last_error(ctx), "line 2: a NUL byte") != NULL);
    CHECK_INT("cfg-nul-via-symlink", sriov__xlcfg_load(ctx, link, NULL, 0, &c), -EINVAL);
    CHECK_INT("cfg-dir", sriov__xlcfg_load(ctx, dir, NULL, 0, &c), -EINVAL);
    CHECK_INT("cfg-missing", sriov__xlcfg_load(ctx, "/nonexistent/g.cfg", NULL, 0, &c), -ENOENT);
    sriov__xlcfg_free(c);
    unlink(link);
    unlink(path);
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
        { "net-dup-vlan", "network = [ [ \"name=a\", \"pf=x\", \"vlan=1\", \"vlan=2\" ] ]\n" },
        { "net-dup-rate", "network = [ [ \"name=a\", \"pf=x\", \"rate=1\", \"max_rate=2\" ] ]\n" },
        { "net-dup-numvfs", "network = [ [ \"name=a\", \"pf=x\", \"numvfs=1\", \"numvfs=2\" ] ]\n" },
        { "net-dup-bridge", "network = [ [ \"name=a\", \"pf=x\", \"bridge=b\", \"bridge=c\" ] ]\n" },
        { "net-numvfs-hex", "network = [ [ \"name=a\", \"pf=x\", \"numvfs=0x8\" ] ]\n" },
        { "net-numvfs-zero", "network = [ [ \"name=a\", \"pf=x\", \"numvfs=0\" ] ]\n" },
        { "net-pf-path", "network = [ [ \"name=a\", \"pf=../x\" ] ]\n" },
        { "net-not-kv", "network = [ [ \"name=a\", \"pf=x\", \"vlan\" ] ]\n" },
        { "net-item-list", "network = [ [ \"name=a\", \"pf=x\", [ \"vlan=1\" ] ] ]\n" },
        { "net-entry-string", "network = [ \"name=a\" ]\n" },
    };
    /* Refused with the line of the offending item. */
    static const struct {
        const char *name, *text, *want;
    } invalid_at[] = {
        { "net-not-list", "# networks\nnetwork = \"lan\"\n", "line 2: network must be a list" },
        { "net-pf-twice", "network = [\n [ \"name=a\", \"pf=x\",\n \"pf=x\" ] ]\n",
          "line 3: network: pf=x is given twice" },
        { "net-pf-two-networks", "network = [ [ \"name=a\", \"pf=x\" ],\n"
                                 "  [ \"name=b\", \"pf=y\", \"pf=x\" ] ]\n",
          "line 2: PF x is already in network a (line 1)" },
        { "net-pf-two-spellings", "network = [ [ \"name=a\", \"pf=01:00.0\" ],\n"
                                  "  [ \"name=b\", \"pf=0000:01:00.0\" ] ]\n",
          "line 2: PF 0000:01:00.0 is already in network a" },
        { "net-dup-key-line", "network = [ [ \"name=a\", \"pf=x\",\n\"spoofchk=1\",\n"
                              "\"spoofchk=0\" ] ]\n", "line 3: network: 'spoofchk' is given twice" },
        { "net-dup-name-lines", "network = [ [ \"name=a\", \"pf=x\" ],\n"
                                "[ \"name=a\", \"pf=y\" ] ]\n", "line 2: network a is defined "
                                                               "twice (first on line 1)" },
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
    for (size_t i = 0; i < sizeof(invalid_at) / sizeof(invalid_at[0]); i++) {
        char name[80];
        CHECK_INT(invalid_at[i].name, load(path, invalid_at[i].text), -EINVAL);
        snprintf(name, sizeof(name), "%s-message", invalid_at[i].name);
        if (!strstr(sriov_ctx_last_error(ctx), invalid_at[i].want)) {
            printf("FAIL: %s: '%s' lacks '%s'\n", name, sriov_ctx_last_error(ctx),
                   invalid_at[i].want);
            harness_failed = 1;
        } else {
            printf("PASS: %s\n", name);
        }
        CHECK_INT(name, sriov_ctx_network_count(ctx), 0);
    }
    /* A PF the host lacks loads (network-list shows it); using it is refused. */
    CHECK_INT("net-pf-absent-loads", load(path, "network = [ [ \"name=a\", \"pf=nosuchpf0\" ] ]\n"),
              0);
    CHECK("net-pf-absent-bdf", sriov_network_pf_bdf(sriov_ctx_network(ctx, 0), 0) == NULL);
    CHECK_INT("net-no-network-key", load(path, "# nothing yet\n"), 0);
    CHECK_INT("net-no-network-key-none", sriov_ctx_network_count(ctx), 0);
    /* A file named in the options must exist: a typo is no empty config. */
    unlink(path);
    CHECK_INT("net-missing-given-file", sriov_ctx_load_networks(ctx), -ENOENT);
    CHECK("net-missing-given-file-message",
          strstr(sriov_ctx_last_error(ctx), "no such config file") != NULL);
}

/* The default path may be missing: a host without networks. */
static void test_default_config(void)
{
    struct sriov_ctx_opts opts = { 0 };
    struct sriov_ctx *dflt = NULL;

    if (access("/etc/xen/sriov.cfg", F_OK) == 0) {
        printf("SKIP: net-default-missing: /etc/xen/sriov.cfg exists\n");
        return;
    }
    CHECK_INT("net-default-missing-ctx", sriov_ctx_new(&dflt, &opts), 0);
    if (!dflt)
        return;
    CHECK_INT("net-default-missing", sriov_ctx_load_networks(dflt), 0);
    CHECK_INT("net-default-missing-none", sriov_ctx_network_count(dflt), 0);
    sriov_ctx_free(dflt);
}

static void test_uuid(void)
{
    uint8_t u[16], v[16];
    char s[SRIOV_UUID_STR_LEN];

    CHECK_INT("uuid-parse", sriov__uuid_parse("4fd956a9-1d2c-4ca1-9d5e-7560f7df992c", u), 0);
    sriov__uuid_format(u, s);
    CHECK_STR("uuid-roundtrip", s, "4fd956a9-1d2c-4ca1-9d5e-7560f7df992c");
    CHECK_INT("uuid-bad", sriov__uuid_parse("4fd956a9-1d2c-4ca1-9d5e-7560f7df992", u), -EINVAL);
    /* A name of a UUID's shape that is none: each digit place refused, high and low. */
    CHECK_INT("uuid-bad-high", sriov__uuid_parse("gfd956a9-1d2c-4ca1-9d5e-7560f7df992c", u), -EINVAL);
    CHECK_INT("uuid-bad-low", sriov__uuid_parse("4fd956a9-1d2c-4ca1-9d5e-7560f7df992z", u), -EINVAL);
    CHECK_INT("uuid-bad-all", sriov__uuid_parse("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", u), -EINVAL);
    CHECK_INT("uuid-bad-dash", sriov__uuid_parse("4fd956a91-d2c-4ca1-9d5e-7560f7df992c", u), -EINVAL);
    CHECK_INT("uuid-upper", sriov__uuid_parse("4FD956A9-1D2C-4CA1-9D5E-7560F7DF992C", v), 0);
    CHECK("uuid-upper-same", sriov__uuid_parse("4fd956a9-1d2c-4ca1-9d5e-7560f7df992c", u) == 0 &&
                                 memcmp(u, v, 16) == 0);
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
    test_zero_mac_api();
    test_config_files(dir);
    test_networks(dir);
    test_default_config();
    test_uuid();
    sriov_ctx_free(ctx);
    rmdir(dir);
    return HARNESS_EXIT();
}
