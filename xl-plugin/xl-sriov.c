/*
 * xl-sriov: SR-IOV companion to xl.  `xl-sriov [-v] [--sysfs DIR] COMMAND [ARGS]`,
 * with the command table, logging and exit codes in xl's manner.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "xl-sriov.h"

static int cmd_help(struct cli *cli, int argc, char **argv);

const struct cmd_spec xl_sriov_commands[] = {
    { "pf-list", cmd_pf_list, "List SR-IOV physical functions and their VFs",
      "[--json]" },
    { "vf-list", cmd_vf_list, "List the virtual functions of one PF or of all",
      "[PF] [--json]" },
    { "pf-enable", cmd_pf_enable, "Enable N virtual functions on a PF",
      "[--dry-run] [--host-probe] [--force] PF N" },
    { "pf-disable", cmd_pf_disable, "Disable every virtual function of a PF",
      "[--dry-run] [--force] PF" },
    { "vf-show", cmd_vf_show, "Show a VF's network settings (all VFs for a PF)",
      "VF|PF [--json]" },
    { "vf-set", cmd_vf_set, "Change a VF's network settings, saving the original ones first",
      "[--dry-run] VF key=value... (mac vlan qos vlan_proto spoofchk trust state rate "
      "min_rate max_rate query_rss)" },
    { "vf-restore", cmd_vf_restore, "Put back the VF network settings saved by vf-set",
      "[--dry-run] VF | --all" },
    { "create", cmd_create, "Create a domain with a VF for each vf= entry of its config",
      "[--dry-run] [--force] CFG [xl create options] [KEY=VALUE...]" },
    { "pci-attach", cmd_pci_attach, "Give a running domain a VF",
      "[--dry-run] [--force] DOMAIN SPEC   (SPEC as one vf= entry: network=NAME,... or pf=PF[,vf=N],...)" },
    { "pci-detach", cmd_pci_detach, "Take a VF back from a running domain",
      "[--dry-run] DOMAIN VF   (VF: BDF or PF/N)" },
    { "list", cmd_list, "List the VFs given to domains", "[--json]" },
    { "gc", cmd_gc, "Give back the VFs of domains that no longer exist", "[--dry-run]" },
    { "boot", cmd_boot, "Enable sriov.cfg's VF counts and start the autostart guests with vf=",
      "[--dry-run] [--auto-dir DIR]... [--json]   (default DIR: /etc/xen/auto)" },
    { "reconcile", cmd_reconcile, "Repair the assignment records from what the host shows",
      "[--dry-run] [--json]" },
    { "migrate", cmd_migrate, "Live-migrate a domain, its VFs replaced by netfront on the way",
      "[--dry-run] [-s SSHCMD] [-e] [-C CONFIG] [-p] [-D] [--debug] "
      "[--sriov-transport CMD] DOMAIN HOST" },
    { "save", cmd_save, "Save a domain to a file, its VFs kept for restore",
      "[--dry-run] [-p] DOMAIN FILE [CONFIG]" },
    { "restore", cmd_restore, "Restore a saved domain and give it its VFs again",
      "[--dry-run] [-p] [-e] [-d] [-V] [CONFIG] FILE" },
    { "pre-migrate", cmd_pre_migrate, "Before another tool migrates a domain: netfront "
      "partners, VFs taken back; prints the VF entries for post-migrate", "[--dry-run] "
      "[--json] DOMAIN" },
    { "post-migrate", cmd_post_migrate, "After another tool migrated a domain: give it VFs "
      "(with SPECs, where it runs now), or finish on the old host", "[--dry-run] DOMAIN "
      "[SPEC...]" },
    { "migrate-incoming", cmd_migrate_incoming, "The destination side of migrate (run by "
      "migrate through its transport)", "[--dry-run] UUID NAME SPEC..." },
    { "watch", cmd_watch, "Run gc whenever a domain goes away (for a systemd unit)",
      "[--once]" },
    { "network-list", cmd_network_list, "List the networks of the SR-IOV config", "[--json]" },
    { "help", cmd_help, "Show help for xl-sriov or one of its commands", "[COMMAND]" },
};
const size_t xl_sriov_n_commands = sizeof(xl_sriov_commands) / sizeof(xl_sriov_commands[0]);

static void print_commands(FILE *out)
{
    fprintf(out, "Usage: xl-sriov [-v] [--sysfs DIR] [--state-dir DIR] [--run-dir DIR]\n                [--config FILE] [--hypervisor libxl|MODULE:ARG]\n                [--netlink kernel|MODULE:ARG] <subcommand> [args]\n\n"
                 "xl-sriov full list of subcommands:\n\n");
    for (size_t i = 0; i < xl_sriov_n_commands; i++)
        fprintf(out, " %-18s %s\n", xl_sriov_commands[i].name, xl_sriov_commands[i].summary);
}

static void print_command_help(FILE *out, const struct cmd_spec *cmd)
{
    fprintf(out, "Usage: xl-sriov %s %s\n\n%s.\n", cmd->name, cmd->usage, cmd->summary);
}

const struct cmd_spec *cli_find_command(const char *name)
{
    for (size_t i = 0; i < xl_sriov_n_commands; i++)
        if (!strcmp(xl_sriov_commands[i].name, name))
            return &xl_sriov_commands[i];
    return NULL;
}

void cli_usage_error(const struct cmd_spec *cmd, const char *fmt, ...)
{
    va_list args;

    fprintf(stderr, "xl-sriov %s: ", cmd->name);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    print_command_help(stderr, cmd);
}

void cli_log(struct cli *cli, xentoollog_level level, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    xtl_logv(cli->logger, level, -1, "xl-sriov", fmt, args);
    va_end(args);
}

int cli_fail(struct cli *cli, const char *what)
{
    const char *why = cli->ctx ? sriov_ctx_last_error(cli->ctx) : "";

    cli_log(cli, XTL_ERROR, "%s%s%s", what, *why ? ": " : "", why);
    return EXIT_ERROR;
}

int cli_getopt(const struct cmd_spec *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts, bool *first)
{
    int c;

    if (*first) {
        optind = 0; /* 0, not 1: glibc re-reads the option string (main used "+") */
        *first = false;
    }
    c = getopt_long(argc, argv, shortopts, longopts, NULL);
    switch (c) {
    case -1:
        return CLI_OPTS_DONE;
    case 'h':
        print_command_help(stdout, cmd);
        return CLI_HELP_SHOWN;
    case '?':
    case ':':
        print_command_help(stderr, cmd);
        return CLI_USAGE_SHOWN;
    default:
        return c;
    }
}

int cli_parse_flags(const struct cmd_spec *cmd, int argc, char **argv, const char *shortopts,
                    const struct cli_flag *flags)
{
    struct option opts[8] = { { "help", no_argument, NULL, 'h' } };
    size_t n = 1;
    bool first = true;
    int c;

    for (const struct cli_flag *f = flags; f && f->name && n < 7; f++, n++)
        opts[n] = (struct option){ f->name, no_argument, NULL, f->letter };
    for (const struct cli_flag *f = flags; f && f->name; f++)
        if (f->flag)
            *f->flag = false;
    while ((c = cli_getopt(cmd, argc, argv, shortopts, opts, &first)) > 0) {
        const struct cli_flag *f = flags;

        while (f->name && f->letter != c)
            f++;
        if (!f->flag) {
            cli_usage_error(cmd, "--%s means nothing here", f->name);
            return EXIT_USAGE;
        }
        *f->flag = true;
    }
    return c;
}

int cli_parse_flag(const struct cmd_spec *cmd, int argc, char **argv, const char *shortopts,
                   const char *name, bool *flag)
{
    /* The letter is the flag's short option if shortopts has it, else a code above
     * every character. */
    const struct cli_flag flags[] = {
        { name, name && strchr(shortopts, name[0]) ? name[0] : 256, flag },
        { NULL, 0, NULL },
    };

    return cli_parse_flags(cmd, argc, argv, shortopts, name ? flags : flags + 1);
}

int cli_check_operands(const struct cmd_spec *cmd, int argc, char **argv, int min, int max,
                       const char *why)
{
    int n = argc - optind;

    if (n >= min && n <= max)
        return EXIT_OK;
    if (why)
        cli_usage_error(cmd, "%s", why);
    else if (n < min)
        cli_usage_error(cmd, "missing argument");
    else
        cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + max]);
    return EXIT_USAGE;
}

int cli_parse_list_opts(const struct cmd_spec *cmd, int argc, char **argv, int min, int max,
                        bool *json)
{
    int rc = cli_parse_flag(cmd, argc, argv, "jh", "json", json);

    return rc ? rc : cli_check_operands(cmd, argc, argv, min, max, NULL);
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd;
    int rc;

    (void)cli;
    rc = cli_parse_flag(cli_find_command("help"), argc, argv, "h", NULL, NULL);
    if (rc)
        return rc;
    if (optind >= argc) {
        print_commands(stdout);
        return EXIT_OK;
    }
    cmd = cli_find_command(argv[optind]);
    if (!cmd || argc - optind > 1) {
        fprintf(stderr, "xl-sriov: unknown command '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    print_command_help(stdout, cmd);
    return EXIT_OK;
}

/* Library messages reach the same logger as xl-sriov's own, so output looks like xl's. */
static void forward_log(void *data, int priority, const char *file, int line, const char *fn,
                        const char *format, va_list args)
{
    struct cli *cli = data;
    xentoollog_level level;

    (void)file;
    (void)line;
    switch (priority) {
    case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: level = XTL_CRITICAL; break;
    case LOG_ERR: level = XTL_ERROR; break;
    case LOG_WARNING: level = XTL_WARN; break;
    case LOG_NOTICE: level = XTL_NOTICE; break;
    case LOG_INFO: level = XTL_DETAIL; break;
    default: level = XTL_DEBUG; break;
    }
    xtl_logv(cli->logger, level, -1, fn, format, args);
}

/* --dry-run: each change the library would make, on stdout, in order. */
static void print_plan(void *data, const char *seam, const char *change)
{
    struct cli *cli = data;

    cli->n_planned++;
    fprintf(cli->plan_out, "dry-run: %-10s %s\n", seam, change);
}

/* Long operations: xl's own progress line (xentoollog), on a terminal only. */
static void show_progress(void *data, const char *what, unsigned long done, unsigned long total)
{
    struct cli *cli = data;

    xtl_progress(cli->logger, "xl-sriov", what, done, total);
}

static int open_library(struct cli *cli)
{
    struct sriov_ctx_opts opts = { .sysfs_root = cli->sysfs_root,
                                   .state_dir = cli->state_dir,
                                   .run_dir = cli->run_dir,
                                   .config_path = cli->config_path,
                                   .hypervisor = cli->hypervisor,
                                   .netlink = cli->netlink,
                                   .plan_fn = cli->dry_run ? print_plan : NULL,
                                   .plan_data = cli,
                                   .progress_fn = show_progress,
                                   .progress_data = cli };
    int rc;

    rc = sriov_ctx_new(&cli->ctx, &opts);
    if (rc) {
        cli_log(cli, XTL_ERROR, "cannot create the library context: %s", strerror(-rc));
        return EXIT_ERROR;
    }
    sriov_ctx_set_log_fn(cli->ctx, forward_log, cli);
    sriov_ctx_set_log_priority(cli->ctx, cli->verbose >= 3 ? LOG_DEBUG
                                         : cli->verbose >= 1 ? LOG_INFO : LOG_NOTICE);
    return EXIT_OK;
}

int cli_dry_run(struct cli *cli, bool json)
{
    /* JSON output keeps stdout to itself. */
    cli->plan_out = json ? stderr : stdout;
    /* A context plans from its creation on: nothing has used this one yet. */
    sriov_ctx_free(cli->ctx);
    cli->ctx = NULL;
    cli->dry_run = true;
    return open_library(cli);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "sysfs", required_argument, NULL, 's' },
        { "state-dir", required_argument, NULL, 'S' },
        { "run-dir", required_argument, NULL, 'R' },
        { "config", required_argument, NULL, 'C' },
        { "hypervisor", required_argument, NULL, 'H' },
        { "netlink", required_argument, NULL, 'N' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct cli cli = { .sysfs_root = getenv("SRIOV_SYSFS"),
                       .state_dir = getenv("SRIOV_STATE_DIR"),
                       .run_dir = getenv("SRIOV_RUN_DIR"),
                       .config_path = getenv("SRIOV_CONFIG"),
                       .hypervisor = getenv("SRIOV_HYPERVISOR"),
                       .netlink = getenv("SRIOV_NETLINK") };
    xentoollog_logger_stdiostream *logger = NULL;
    xentoollog_level level = XTL_PROGRESS;
    const struct cmd_spec *cmd;
    int c, rc;

    /* A command lives for milliseconds and rewrites files of hundreds of kB
     * several times (the records after each step, the simulated hypervisor's
     * store): heap memory that malloc would hand back to the kernel between
     * one and the next is only faulted in again, some 1,300 page faults a
     * pci-attach at 1,000 domains.  Keep it for the command's life instead. */
#if defined(M_TRIM_THRESHOLD) && defined(M_MMAP_THRESHOLD) /* glibc's knobs */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
    /* '+' stops at the subcommand so its options are its own. */
    while ((c = getopt_long(argc, argv, "+vhs:", opts, NULL)) != -1) {
        switch (c) {
        case 'v':
            cli.verbose++;
            if (level > XTL_DEBUG)
                level--;
            break;
        case 's':
            cli.sysfs_root = optarg;
            break;
        case 'S':
            cli.state_dir = optarg;
            break;
        case 'R':
            cli.run_dir = optarg;
            break;
        case 'C':
            cli.config_path = optarg;
            break;
        case 'H':
            cli.hypervisor = optarg;
            break;
        case 'N':
            cli.netlink = optarg;
            break;
        case 'h':
            print_commands(stdout);
            return EXIT_OK;
        default:
            print_commands(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        print_commands(stderr);
        return EXIT_USAGE;
    }
    cmd = cli_find_command(argv[optind]);
    if (!cmd) {
        fprintf(stderr, "xl-sriov: unknown command '%s' (try 'xl-sriov help')\n", argv[optind]);
        return EXIT_USAGE;
    }

    /* Progress only on a terminal (with \r, as xl does): scripts and logs get none. */
    logger = xtl_createlogger_stdiostream(stderr, level,
                                          isatty(STDERR_FILENO) ? XTL_STDIOSTREAM_PROGRESS_USE_CR
                                                                : XTL_STDIOSTREAM_HIDE_PROGRESS);
    if (!logger)
        return EXIT_ERROR;
    cli.logger = (xentoollog_logger *)logger;
    rc = open_library(&cli);
    if (rc == EXIT_OK)
        rc = cmd->run(&cli, argc - optind, argv + optind);
    if (rc == CLI_HELP_SHOWN)
        rc = EXIT_OK;
    else if (rc == CLI_USAGE_SHOWN)
        rc = EXIT_USAGE;
    if (cli.dry_run)
        fprintf(cli.plan_out, "dry-run: %u change%s listed%s; nothing was changed\n", cli.n_planned,
               cli.n_planned == 1 ? "" : "s", rc ? " before the failure" : "");
    sriov_ctx_free(cli.ctx);
    xtl_logger_destroy(cli.logger);
    return rc;
}
