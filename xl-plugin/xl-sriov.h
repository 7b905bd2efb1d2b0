/* xl-sriov: shared between the command files. */
#ifndef XL_SRIOV_H
#define XL_SRIOV_H

#include <getopt.h>
#include <stdbool.h>
#include <sys/types.h>
#include <stdio.h>
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
    EXIT_NO_VF_THERE = 5,         /* migrate/restore/post-migrate: the domain moved (or
                                     was restored) but did not get its VFs again: it
                                     runs on netfront */
    EXIT_NO_VF_BACK = 6,          /* migrate/save failed and the domain, still here,
                                     did not get its VFs back: it runs on netfront */
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
    bool dry_run;                 /* --dry-run: ctx plans, changes nothing */
    unsigned int n_planned;       /* changes it listed */
    FILE *plan_out;               /* where: stdout, or stderr under --json */
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
/*
 * The options of a subcommand with at most one besides -h: the boolean --NAME
 * (NULL: none), also spelt as its letter if shortopts has one.  A NULL flag
 * makes --NAME a usage error, for commands that take it only to say so.
 * CLI_OPTS_DONE, or what the command returns.
 */
int cli_parse_flag(const struct cmd_spec *cmd, int argc, char **argv, const char *shortopts,
                   const char *name, bool *flag);
/* The same for several boolean options: letter is what getopt returns for --name
 * (its short option when shortopts lists it); a NULL flag makes it a usage error. */
struct cli_flag {
    const char *name;
    int letter;
    bool *flag;
};
int cli_parse_flags(const struct cmd_spec *cmd, int argc, char **argv, const char *shortopts,
                    const struct cli_flag *flags);
/* --dry-run given: from now on cli->ctx lists the changes it would make instead of
 * making them (sriov_plan_fn), on stdout or, for a command printing JSON, on
 * stderr; and main says at the end that nothing changed. */
int cli_dry_run(struct cli *cli, bool json);
/* Between min and max operands at argv[optind], or a usage error: `why`, or by default
 * what is missing or extra. */
int cli_check_operands(const struct cmd_spec *cmd, int argc, char **argv, int min, int max,
                       const char *why);
/* --json and -h, then between min and max operands. */
int cli_parse_list_opts(const struct cmd_spec *cmd, int argc, char **argv, int min, int max,
                        bool *json);

/*
 * listing.c: a listing is a table of columns that drives both the text table
 * and the --json array of objects.  A cell is text as the table shows it; its
 * column's type says how JSON writes it.  An unset cell (NULL) is "-" in the
 * table and null in JSON.
 */
enum col_type {
    COL_STR,
    COL_NUM,                      /* decimal: a JSON number */
    COL_BOOL,                     /* "on" or "off": JSON true or false */
    COL_HEX,                      /* hex digits, as lspci -n shows IDs; JSON adds "0x" */
    COL_LIST,                     /* items: joined by "," in the table, a JSON array */
};

struct cell {
    size_t i;                     /* COL_LIST: the item asked for */
    const char *s;                /* the text (COL_LIST: the item, NULL past the last) */
    char buf[32];                 /* room for text the getter formats */
};

struct column {
    const char *header;           /* NULL: JSON only */
    int width;                    /* printf's: negative pads on the right */
    const char *sep;              /* before it in the table if not one space */
    const char *key;              /* NULL: table only */
    enum col_type type;
    void (*get)(const void *row, struct cell *c);
    void (*json)(yajl_gen g, const void *row);  /* instead of get, for a JSON-only value
                                                   that is not text (an array of objects) */
};

struct list;
struct listing {
    const char *command;
    int max_operands;             /* 1 if an operand narrows the listing */
    const struct column *cols;    /* ending with an empty one */
    int (*load)(struct sriov_ctx *ctx);
    const char *cannot_load;      /* the error when load fails */
    /* The rows: the i-th of them, NULL past the last ... */
    const void *(*row)(const struct sriov_ctx *ctx, size_t i);
    /* ... or, where that does not fit, list_row() each (operand: NULL if none). */
    int (*rows)(struct cli *cli, const char *operand, struct list *l);
};

/* A listing command: its options, then the table or the JSON array of its rows. */
int cli_list(struct cli *cli, int argc, char **argv, const struct listing *listing);
void list_row(struct list *l, const void *row);
void list_json_object(yajl_gen g, const struct column *cols, const void *row);
void json_cell(yajl_gen g, enum col_type type, const char *s);
void cell_num(struct cell *c, long long v);
void cell_opt_num(struct cell *c, long long v);   /* negative: unset */
void cell_hex(struct cell *c, int digits, unsigned int v);

/* json.c: thin yajl wrappers that keep generation code readable. */
yajl_gen json_new(void);
void json_str(yajl_gen g, const char *s);   /* NULL becomes null */
void json_key(yajl_gen g, const char *key);
void json_kv_str(yajl_gen g, const char *key, const char *val);
void json_kv_int(yajl_gen g, const char *key, long long val);
void json_kv_bool(yajl_gen g, const char *key, bool val);
/* Write the document to stdout followed by a newline and free g. */
int json_finish(yajl_gen g);

/* Command entry points. */
/* cmd_pf.c: PFs and their VFs. */
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
/* transport.c: a session with `xl-sriov` on a migration's destination. */
struct transport_spec {
    const char *host;
    const char *sshcmd;           /* -s: NULL for ssh */
    const char *command;          /* --sriov-transport: NULL unless given */
};
struct transport {
    pid_t pid;
    int to, from;
    char buf[4096];
    size_t len;
};
/* Start `ARGS...` on the destination; 0 or -errno. */
int transport_open(struct cli *cli, const struct transport_spec *ts, char *const *args,
                   size_t n_args, struct transport *t);
/* One line (without its newline) within timeout_ms (-1: no limit): 0, -ETIMEDOUT,
 * -EPIPE when the far end closed. */
int transport_read_line(struct transport *t, char *line, size_t size, int timeout_ms);
int transport_send(struct transport *t, const char *line);
/* Close both ends and wait: the far end's exit status. */
int transport_close(struct transport *t);

/* cmd_migrate.c */
int cmd_migrate(struct cli *cli, int argc, char **argv);
int cmd_migrate_incoming(struct cli *cli, int argc, char **argv);
int cmd_save(struct cli *cli, int argc, char **argv);
int cmd_restore(struct cli *cli, int argc, char **argv);
int cmd_pre_migrate(struct cli *cli, int argc, char **argv);
int cmd_post_migrate(struct cli *cli, int argc, char **argv);
int cmd_reconcile(struct cli *cli, int argc, char **argv);
int cmd_boot(struct cli *cli, int argc, char **argv);
/* cmd_reconcile.c: one line per item (ACTION SUBJECT: DETAIL), or a JSON array. */
void cli_print_report(const struct sriov_report *r, bool json);
int cmd_network_list(struct cli *cli, int argc, char **argv);

#endif
