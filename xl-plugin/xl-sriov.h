/* xl-sriov: shared between the command files. */
#ifndef XL_SRIOV_H
#define XL_SRIOV_H

#include <getopt.h>
#include <stdbool.h>
#include <xentoollog.h>
#include <yajl/yajl_gen.h>

#include "sriov.h"

/* Exit codes, documented in xl-sriov(1). */
enum {
    EXIT_OK = 0,
    EXIT_ERROR = 1,
    EXIT_USAGE = 2,
    EXIT_NO_FREE_VF = 3,          /* create/pci-attach: every VF of the network is taken */
    EXIT_NOT_ISOLATED = 4,        /* create/pci-attach: refused by isolation checks */
    CLI_HELP_SHOWN = -1,          /* a command printed its help: main exits with EXIT_OK */
    CLI_USAGE_SHOWN = -2,         /* a command printed its usage: main exits with EXIT_USAGE */
};

struct cli {
    int verbose;                  /* number of -v */
    const char *sysfs_root;       /* --sysfs or SRIOV_SYSFS */
    const char *state_dir;        /* --state-dir or SRIOV_STATE_DIR */
    const char *run_dir;          /* --run-dir or SRIOV_RUN_DIR */
    const char *config_path;      /* --config or SRIOV_CONFIG */
    const char *hypervisor;       /* --hypervisor or SRIOV_HYPERVISOR: libxl, MODULE:ARG */
    const char *netlink;          /* --netlink or SRIOV_NETLINK: kernel, MODULE:ARG */
    xentoollog_logger *logger;
    struct sriov_ctx *ctx;
};

struct cmd_spec {
    const char *name;
    int (*run)(struct cli *cli, int argc, char **argv);
    const char *summary;
    const char *usage;
};

/* xl-sriov.c */
extern const struct cmd_spec xl_sriov_commands[];
extern const size_t xl_sriov_n_commands;
void cli_usage_error(const struct cmd_spec *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Report ctx's last error for a failed library call and return EXIT_ERROR. */
int cli_fail(struct cli *cli, const char *what);
void cli_log(struct cli *cli, xentoollog_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const struct cmd_spec *cli_find_command(const char *name);
/* Parse "--json"/"-j" and "-h" style options shared by listing commands. */
/* --json and -h, then between min and max operands (at argv[optind]). */
int cli_parse_list_opts(const struct cmd_spec *cmd, int argc, char **argv, int min, int max,
                        bool *json);

/*
 * getopt_long for a subcommand, with what every subcommand shares: -h/--help
 * prints its usage, an unknown option is a usage error.  Loop while it returns
 * a value > 0; then CLI_OPTS_DONE means the operands start at optind, anything
 * else (CLI_HELP_SHOWN, CLI_USAGE_SHOWN) is what the command returns.  `first` must be true on the first call:
 * main() parsed in "+" mode, so getopt must be reset with optind = 0.
 */
#define CLI_OPTS_DONE 0
int cli_getopt(const struct cmd_spec *cmd, int argc, char **argv, const char *shortopts,
               const struct option *longopts, bool *first);

/* The listing commands' shared frame: a JSON array, or a table after its header. */
int cli_list_begin(bool json, yajl_gen *g);
int cli_list_end(yajl_gen g);

static inline const char *or_dash(const char *s) { return s && *s ? s : "-"; }

/* json.c: thin yajl wrappers that keep generation code readable. */
yajl_gen json_new(void);
void json_str(yajl_gen g, const char *s);   /* NULL becomes null */
void json_key(yajl_gen g, const char *key);
void json_kv_str(yajl_gen g, const char *key, const char *val);
void json_kv_int(yajl_gen g, const char *key, long long val);
void json_kv_bool(yajl_gen g, const char *key, bool val);
void json_kv_hex16(yajl_gen g, const char *key, unsigned int val);
/* Write the document to stdout followed by a newline and free g. */
int json_finish(yajl_gen g);

/* Command entry points. */
int cmd_pf_list(struct cli *cli, int argc, char **argv);
int cmd_vf_list(struct cli *cli, int argc, char **argv);
int cmd_pf_enable(struct cli *cli, int argc, char **argv);
int cmd_pf_disable(struct cli *cli, int argc, char **argv);
int cmd_vf_show(struct cli *cli, int argc, char **argv);
int cmd_vf_set(struct cli *cli, int argc, char **argv);
int cmd_vf_restore(struct cli *cli, int argc, char **argv);
/* cmd_assign.c: giving VFs to domains. */
int cmd_create(struct cli *cli, int argc, char **argv);
int cmd_pci_attach(struct cli *cli, int argc, char **argv);
int cmd_pci_detach(struct cli *cli, int argc, char **argv);
int cmd_list(struct cli *cli, int argc, char **argv);
int cmd_gc(struct cli *cli, int argc, char **argv);
int cmd_watch(struct cli *cli, int argc, char **argv);
int cmd_network_list(struct cli *cli, int argc, char **argv);

#endif
