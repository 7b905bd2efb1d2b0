/* sriov-sim: command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

#define DEFAULT_HOST "82599; cx5; nvme; e1000e"

static const char usage_text[] =
"NAME\n"
"    sriov-sim - a synthetic SR-IOV host: a /sys/bus/pci look-alike for tests\n"
"\n"
"SYNOPSIS\n"
"    sriov-sim build    [--host DESC | --spec FILE] ROOT\n"
"    sriov-sim mount    [--host DESC | --spec FILE] [--foreground] [--pidfile FILE]\n"
"                       [--debug] [--faults FILE] ROOT\n"
"    sriov-sim umount   ROOT\n"
"    sriov-sim describe [--host DESC | --spec FILE] [--json]\n"
"    sriov-sim --help\n"
"\n"
"DESCRIPTION\n"
"    Builds, from a host description, a directory tree laid out like Linux's\n"
"    /sys (devices/pci*, bus/pci/{devices,drivers,slots,drivers_probe},\n"
"    kernel/iommu_groups, class/net) that 'lspci -D -O sysfs.path=ROOT/bus/pci'\n"
"    reads like a real host.\n"
"\n"
"    build     writes a static tree into ROOT (created; must be empty). Writes\n"
"              to it have no effect: for read-only tests and benchmarks.\n"
"              Inode creation dominates: build big trees on tmpfs (16k VFs:\n"
"              ~3 s on tmpfs, over a minute on a busy ext4 disk).\n"
"    mount     serves the same tree over FUSE at ROOT and emulates the kernel's\n"
"              write semantics synchronously, errno for errno (Linux 6.1):\n"
"              sriov_numvfs, sriov_drivers_autoprobe, driver_override,\n"
"              drivers/*/{bind,unbind,new_id,remove_id}, drivers_probe,\n"
"              pciback's new_slot/remove_slot/slots/permissive, enable, reset.\n"
"              The kernel caches entries, listings and the attributes that\n"
"              never change (vendor, resource, ...); a write has it forget\n"
"              what the write changed before write(2) returns.\n"
"              Goes to the background once the mount is ready (unless\n"
"              --foreground); --pidfile gets the serving process's pid.\n"
"              Unmount with 'fusermount3 -u ROOT' or 'sriov-sim umount ROOT'.\n"
"              --faults FILE (absolute): for failure tests, a write to an\n"
"              attribute named on a line of FILE (e.g. sriov_numvfs,\n"
"              driver_override) fails with EIO; FILE is read at every write.\n"
"              A line kill:NAME or kill:NAME=VALUE instead lets the write take\n"
"              effect and then SIGKILLs the writing process (crash tests).\n"
"              NAME=VALUE fails only writes of VALUE; EPERM:... or EBUSY:...\n"
"              fails with that errno instead of EIO; a #N suffix on any of\n"
"              these only the writing process's Nth such write.  A line\n"
"              trace:PATH appends sysfs:NAME=VALUE#N to PATH for every write.\n"
"    umount    runs fusermount3 -u ROOT.\n"
"    describe  prints the devices the description expands to.\n"
"\n"
"HOST DESCRIPTION\n"
"    Cards separated by ';' or newlines; '#' starts a comment (spec files):\n"
"        MODEL [xCOUNT] [key=value ...]\n"
"    e.g. --host \"82599 x2 vfs=63; cx5; nvme vfs=4; e1000e\"\n"
"    Models: 82599 (ixgbe/ixgbevf), x710 (i40e/iavf), e810 (ice/iavf),\n"
"            cx5 (mlx5_core), nvme (QEMU NVMe), e1000e (82574L, no SR-IOV).\n"
"    Keys:   vfs=N        sriov_totalvfs of each PF\n"
"            ports=N      PFs per card (1..8)\n"
"            numvfs=N     VFs enabled at start\n"
"            autoprobe=0|1  initial sriov_drivers_autoprobe (default 1)\n"
"            numa=N       numa_node of the card's functions (default -1)\n"
"            domain=HEX   PCI domain (default 0000; full domains spill over)\n"
"            nodriver     leave the PFs unbound\n"
"    Each card sits behind its own root port (00:01.0, 00:02.0, ...) with a\n"
"    bus range covering every VF routing ID (PF RID + offset + i * stride).\n"
"    Without --host/--spec the host is \"" DEFAULT_HOST "\".\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 failure, 2 bad command line or host description.\n";

enum { OPT_HOST = 1, OPT_SPEC, OPT_FOREGROUND, OPT_PIDFILE, OPT_JSON, OPT_DEBUG, OPT_FAULTS,
       OPT_HELP };

static const struct option long_opts[] = {
    { "host", required_argument, NULL, OPT_HOST },
    { "spec", required_argument, NULL, OPT_SPEC },
    { "foreground", no_argument, NULL, OPT_FOREGROUND },
    { "pidfile", required_argument, NULL, OPT_PIDFILE },
    { "json", no_argument, NULL, OPT_JSON },
    { "debug", no_argument, NULL, OPT_DEBUG },
    { "faults", required_argument, NULL, OPT_FAULTS },
    { "help", no_argument, NULL, OPT_HELP },
    { NULL, 0, NULL, 0 },
};

struct cli {
    const char *cmd, *host, *spec, *root;
    bool json;
    struct mount_opts mount;
};

static int usage_error(const char *msg)
{
    fprintf(stderr, "sriov-sim: %s (see sriov-sim --help)\n", msg);
    return SIM_EXIT_USAGE;
}

static int parse_cli(int argc, char **argv, struct cli *cli)
{
    bool wants_root;
    int c;

    if (argc < 2)
        return usage_error("missing command");
    cli->cmd = argv[1];
    if (!strcmp(cli->cmd, "--help") || !strcmp(cli->cmd, "-h") || !strcmp(cli->cmd, "help")) {
        fputs(usage_text, stdout);
        exit(0);
    }
    optind = 2;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_HOST: cli->host = optarg; break;
        case OPT_SPEC: cli->spec = optarg; break;
        case OPT_FOREGROUND: cli->mount.foreground = true; break;
        case OPT_PIDFILE: cli->mount.pidfile = optarg; break;
        case OPT_DEBUG: cli->mount.debug = true; cli->mount.foreground = true; break;
        case OPT_JSON: cli->json = true; break;
        case OPT_FAULTS:
            if (optarg[0] != '/')
                return usage_error("--faults needs an absolute path");
            cli->mount.faults = optarg;
            break;
        case 'h':
        case OPT_HELP: fputs(usage_text, stdout); exit(0);
        default: return SIM_EXIT_USAGE;
        }
    }
    if (strcmp(cli->cmd, "build") && strcmp(cli->cmd, "mount") &&
        strcmp(cli->cmd, "umount") && strcmp(cli->cmd, "describe"))
        return usage_error("unknown command");
    if (cli->host && cli->spec)
        return usage_error("--host and --spec exclude each other");
    wants_root = strcmp(cli->cmd, "describe") != 0;
    if (wants_root && optind != argc - 1)
        return usage_error("expected exactly one ROOT");
    if (!wants_root && optind != argc)
        return usage_error("describe takes no ROOT");
    cli->root = wants_root ? argv[optind] : NULL;
    return 0;
}

static int run_umount(const char *root)
{
    char *const argv[] = { "fusermount3", "-u", (char *)root, NULL };

    execvp(argv[0], argv);
    fprintf(stderr, "sriov-sim: cannot run fusermount3: %s\n", strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    struct cli cli = { 0 };
    struct host_spec spec = { 0 };
    struct sim *sim = NULL;
    int rc;

    rc = parse_cli(argc, argv, &cli);
    if (rc)
        goto out;
    if (!strcmp(cli.cmd, "umount")) {
        rc = run_umount(cli.root);
        goto out;
    }
    if (cli.spec ? desc_read_file(cli.spec, &spec)
                 : desc_parse(cli.host ? cli.host : DEFAULT_HOST, "--host", &spec)) {
        rc = SIM_EXIT_USAGE;
        goto out;
    }
    if (sim_new(&spec, &sim)) {
        rc = SIM_EXIT_USAGE;
        goto out;
    }
    if (!strcmp(cli.cmd, "describe"))
        describe_print(sim, cli.json);
    else if (!strcmp(cli.cmd, "build"))
        rc = static_build(sim, cli.root) ? 1 : 0;
    else
        rc = fuse_run(sim, cli.root, &cli.mount) ? 1 : 0;
out:
    sim_free(sim);
    desc_free(&spec);
    return rc;
}
