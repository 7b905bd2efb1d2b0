/*
 * Config files in xl syntax: the input is written to a file and read as
 * sriov.cfg (config/network.c, over config/xlcfg.c and libxlutil), then as a
 * domain config whose vf= entries are parsed and located the way create reads
 * them (every item's line looked up).  The sysfs root is an empty directory: no
 * PF exists, so the host checks run but find nothing.
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "fuzz.h"
#include "config/network.h"
#include "config/vfreq.h"
#include "config/xlcfg.h"

static struct sriov_ctx *ctx;
static char dir[] = "/tmp/fuzz-netcfg.XXXXXX", path[64];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct sriov_ctx_opts opts = { 0 };

    (void)argc, (void)argv;
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof(path), "%s/sriov.cfg", dir);
    atexit(cleanup);
    opts.config_path = path;
    opts.sysfs_root = dir;
    opts.state_dir = dir;
    opts.run_dir = dir;
    ctx = fuzz_ctx(&opts);
    return 0;
}

static void write_input(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "w");

    if (!f || fwrite(data, 1, size, f) != size || fclose(f))
        abort();
}

static void networks(void)
{
    size_t n;

    if (sriov_ctx_load_networks(ctx))
        return;
    n = sriov_ctx_network_count(ctx);
    for (size_t i = 0; i < n; i++) {
        const struct sriov_network *net = sriov_ctx_network(ctx, i);
        FUZZ_ASSERT(net && sriov_network_name(net) && sriov_network_pf_count(net) > 0);
        for (size_t k = 0; k < sriov_network_pf_count(net); k++)
            FUZZ_ASSERT(sriov_network_pf(net, k) && !sriov_network_pf_bdf(net, k));
        FUZZ_ASSERT(sriov_network_vlan(net) >= -1 && sriov_network_vlan(net) <= 4095);
        /* Names are unique, so each finds itself. */
        FUZZ_ASSERT(sriov__network_get(ctx, sriov_network_name(net)) == net);
        FUZZ_ASSERT(sriov__network_check_use(ctx, net) != 0); /* no PF exists */
    }
}

static void domain_config(void)
{
    struct sriov__xlcfg *c = NULL;
    struct sriov__vf_req req;
    int n;

    if (sriov__xlcfg_load(ctx, path, NULL, 0, &c))
        return;
    n = sriov__xlcfg_list_count(c, "vf");
    if (n > 0)
        FUZZ_ASSERT(sriov__xlcfg_line(c, "vf", -1, -1) > 0);
    for (int i = 0; i < n; i++) {
        const char *spec = sriov__xlcfg_list_item(c, "vf", (size_t)i);
        int line = sriov__xlcfg_line(c, "vf", i, -1);
        /* Every item the parser found, the line scanner finds too. */
        FUZZ_ASSERT(line > 0);
        if (spec && sriov__vf_req_parse(ctx, spec, "fuzz", &req) == 0)
            sriov__vf_req_dispose(&req);
        for (int j = 0; j < 4; j++)
            (void)sriov__xlcfg_line(c, "vf", i, j);
    }
    (void)sriov__xlcfg_string(c, "name");
    sriov__xlcfg_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_input(data, size);
    networks();
    domain_config();
    return 0;
}
