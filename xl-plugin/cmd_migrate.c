/*
 * migrate, save, restore, pre-migrate, post-migrate and the destination's
 * migrate-incoming: a domain with VFs moving, with netfront as the guest's
 * network while it has none (libsriov's sriov_move_* and sriov_incoming_*).
 *
 * `xl-sriov migrate [OPTIONS] DOMAIN HOST`, in order:
 *   1. check here (no change): VFs attached, a netfront partner possible, and
 *      the configuration xl recreates the domain from (its own, or -C) sets
 *      passthrough;
 *   2. migrate-incoming on HOST (transport.c) reserves a VF per spec and
 *      answers "ready", or "failed CODE MESSAGE": then nothing has changed;
 *   3. here: journal, vifs, VFs taken back (sriov_move_leave);
 *   4. `xl migrate OPTIONS DOMAIN HOST`;
 *   5. ok: "attach" to HOST, which gives the arrived domain its VFs;
 *      failed: "abort" to HOST, and the domain gets its VFs back here.
 * Protocol lines from migrate-incoming: "dry-run: ..." (relayed as they are),
 * "reserved BDF", "ready", "attached BDF", "done N", "failed CODE MESSAGE".
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl-sriov.h"

#define READY_TIMEOUT_MS 300000   /* reserving VFs, enabling them on a slow host */
#define ATTACH_TIMEOUT_MS 300000
#define ARRIVAL_TIMEOUT_MS 120000 /* after xl migrate returned, the domain is there */

/* What may cross to the destination as one word through ssh's remote shell: our
 * specs, UUIDs and names are refused otherwise rather than quoted. */
static bool safe_word(const char *s)
{
    if (!*s || strlen(s) > 1024)
        return false;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=,:._/-",
                    *s))
            return false;
    return true;
}

static int exit_for(int rc)
{
    return rc == -ENOSPC ? EXIT_NO_FREE_VF : rc == -EPERM ? EXIT_NOT_ISOLATED : EXIT_ERROR;
}

/* ----------------------------------------------------------- the destination */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void say_failed(struct cli *cli, int code)
{
    const char *why = sriov_ctx_last_error(cli->ctx);
    char line[512];

    /* One line: the message must not break the protocol. */
    snprintf(line, sizeof(line), "%s", why);
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    say("failed %d %s", code, line);
}

int cmd_migrate_incoming(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("migrate-incoming");
    struct sriov_incoming *inc = NULL;
    unsigned int attached = 0;
    char line[64];
    bool dry_run;
    int rc;

    /* "+": options end at the first operand, so no entry is read as one. */
    rc = cli_parse_flag(cmd, argc, argv, "+nh", "dry-run", &dry_run);
    if (!rc)
        rc = cli_check_operands(cmd, argc, argv, 3, INT_MAX, "expected UUID NAME SPEC...");
    if (!rc && dry_run)
        rc = cli_dry_run(cli, false);
    if (rc)
        return rc;
    rc = sriov_incoming_prepare(cli->ctx, argv[optind], argv[optind + 1], argv + optind + 2,
                                (size_t)(argc - optind - 2), &inc);
    if (rc) {
        say_failed(cli, exit_for(rc));
        return exit_for(rc);
    }
    for (size_t i = 0; i < sriov_incoming_vf_count(inc); i++)
        say("reserved %s", sriov_incoming_vf(inc, i));
    say("ready");
    /* EOF (the source died) is an abort: the reservations go back. */
    if (!fgets(line, sizeof(line), stdin) || strcmp(line, "attach\n")) {
        sriov_incoming_free(inc);
        say("aborted");
        return EXIT_OK;
    }
    rc = sriov_incoming_attach(cli->ctx, inc, ARRIVAL_TIMEOUT_MS, &attached);
    if (rc)
        say_failed(cli, EXIT_NO_VF_THERE);
    for (size_t i = 0; i < sriov_incoming_vf_count(inc); i++)
        if (*sriov_incoming_vf(inc, i))
            say("attached %s", sriov_incoming_vf(inc, i));
    sriov_incoming_free(inc);
    if (!rc)
        say("done %u", attached);
    return rc ? EXIT_NO_VF_THERE : EXIT_OK;
}

/* ---------------------------------------------------------------- the source */

struct migrate_opts {
    struct transport_spec ts;
    char *xl_args[16];            /* xl migrate's own options, then DOMAIN HOST */
    size_t n_xl;
    const char *config;           /* -C: what xl recreates the domain from */
    bool dry_run;
};

static int parse_migrate(const struct cmd_spec *cmd, int argc, char **argv,
                         struct migrate_opts *o)
{
    static const struct option opts[] = {
        { "dry-run", no_argument, NULL, 'n' },
        { "sriov-transport", required_argument, NULL, 't' },
        { "debug", no_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool first = true;
    int c;

    while ((c = cli_getopt(cmd, argc, argv, "s:eC:pDnh", opts, &first)) > 0) {
        switch (c) {
        case 'n': o->dry_run = true; break;
        case 't': o->ts.command = optarg; break;
        case 's':
            o->ts.sshcmd = optarg;
            o->xl_args[o->n_xl++] = (char *)"-s";
            o->xl_args[o->n_xl++] = optarg;
            break;
        case 'C':
            o->config = optarg;
            o->xl_args[o->n_xl++] = (char *)"-C";
            o->xl_args[o->n_xl++] = optarg;
            break;
        case 'd': o->xl_args[o->n_xl++] = (char *)"--debug"; break;
        case 'e': o->xl_args[o->n_xl++] = (char *)"-e"; break;
        case 'p': o->xl_args[o->n_xl++] = (char *)"-p"; break;
        case 'D': o->xl_args[o->n_xl++] = (char *)"-D"; break;
        }
        if (o->n_xl > 10)
            break;
    }
    if (c == CLI_OPTS_DONE)
        c = cli_check_operands(cmd, argc, argv, 2, 2, "expected DOMAIN and HOST");
    if (c)
        return c;
    if (o->ts.sshcmd && !*o->ts.sshcmd && !o->ts.command) {
        cli_usage_error(cmd, "with -s '' HOST is xl's receiver command: say how to reach "
                             "xl-sriov there with --sriov-transport CMD");
        return EXIT_USAGE;
    }
    o->ts.host = argv[optind + 1];
    o->xl_args[o->n_xl++] = argv[optind];
    o->xl_args[o->n_xl++] = argv[optind + 1];
    return 0;
}

/* migrate-incoming on the destination, until it is ready (or says why not). */
static int start_incoming(struct cli *cli, const struct migrate_opts *o, struct sriov_move *m,
                          struct transport *t)
{
    char *args[8 + 256], line[600];
    size_t n = 0;
    int rc, code;

    args[n++] = (char *)"xl-sriov";
    for (int v = 0; v < cli->verbose && v < 3; v++)
        args[n++] = (char *)"-v";
    args[n++] = (char *)"migrate-incoming";
    if (o->dry_run)
        args[n++] = (char *)"--dry-run";
    args[n++] = (char *)sriov_move_domain_uuid(m);
    args[n++] = (char *)(safe_word(sriov_move_domain_name(m)) ? sriov_move_domain_name(m)
                                                                : "incoming");
    for (size_t i = 0; i < sriov_move_vf_count(m) && n < sizeof(args) / sizeof(args[0]); i++) {
        if (!safe_word(sriov_move_vf_spec(m, i))) {
            cli_log(cli, XTL_ERROR, "VF entry '%s' cannot be passed to %s as it is",
                    sriov_move_vf_spec(m, i), o->ts.host);
            return EXIT_ERROR;
        }
        args[n++] = (char *)sriov_move_vf_spec(m, i);
    }
    rc = transport_open(cli, &o->ts, args, n, t);
    if (rc)
        return EXIT_ERROR;
    for (;;) {
        rc = transport_read_line(t, line, sizeof(line), READY_TIMEOUT_MS);
        if (rc) {
            cli_log(cli, XTL_ERROR, "%s: no answer from xl-sriov there: %s", o->ts.host,
                    strerror(-rc));
            return EXIT_ERROR;
        }
        if (!strncmp(line, "dry-run: ", 9))
            fprintf(cli->plan_out, "dry-run: %s: %s\n", o->ts.host, line + 9);
        else if (!strncmp(line, "reserved ", 9))
            cli_log(cli, XTL_INFO, "%s: VF %s reserved", o->ts.host, line + 9);
        else if (!strcmp(line, "ready"))
            return EXIT_OK;
        else if (sscanf(line, "failed %d", &code) == 1) {
            cli_log(cli, XTL_ERROR, "%s cannot take %s: %s", o->ts.host,
                    sriov_move_domain_name(m), strchr(line + 7, ' ') ? strchr(line + 7, ' ') + 1 : "");
            return code > 0 && code < 64 ? code : EXIT_ERROR;
        }
    }
}

/* After xl migrate: the destination gives the domain its VFs. */
static int finish_incoming(struct cli *cli, const struct migrate_opts *o, struct sriov_move *m,
                           struct transport *t)
{
    char line[600];
    int rc;

    rc = transport_send(t, "attach");
    while (!rc) {
        rc = transport_read_line(t, line, sizeof(line), ATTACH_TIMEOUT_MS);
        if (rc)
            break;
        if (!strncmp(line, "dry-run: ", 9))
            fprintf(cli->plan_out, "dry-run: %s: %s\n", o->ts.host, line + 9);
        else if (!strncmp(line, "attached ", 9))
            cli_log(cli, XTL_INFO, "%s: VF %s given to %s", o->ts.host, line + 9,
                    sriov_move_domain_name(m));
        else if (!strncmp(line, "done ", 5))
            return EXIT_OK;
        else if (!strncmp(line, "failed ", 7)) {
            cli_log(cli, XTL_ERROR, "%s migrated to %s, but it stays on netfront there: %s",
                    sriov_move_domain_name(m), o->ts.host,
                    strchr(line + 7, ' ') ? strchr(line + 7, ' ') + 1 : "");
            return EXIT_NO_VF_THERE;
        }
    }
    cli_log(cli, XTL_ERROR, "%s migrated to %s, but xl-sriov there did not say whether it got "
            "its VFs (%s): check with xl-sriov list there", sriov_move_domain_name(m),
            o->ts.host, strerror(-rc));
    return EXIT_NO_VF_THERE;
}

/* The destination gives its reservations back; wait until it has. */
static void abort_incoming(struct transport *t)
{
    transport_send(t, "abort");
    transport_close(t);
}

/* xl failed, or never ran: the domain is still here and gets its VFs again.
 * EXIT_ERROR when it has them (what failed was the move, said at level), else
 * EXIT_NO_VF_BACK. */
static int give_back_here(struct cli *cli, struct sriov_move *m, xentoollog_level level,
                          const char *what)
{
    unsigned int back = 0;

    if (sriov_move_end(cli->ctx, m, false, &back)) {
        cli_fail(cli, "giving the VFs back failed: the domain runs on netfront (gc retries)");
        return EXIT_NO_VF_BACK;
    }
    cli_log(cli, level, "%s; %s has its VFs again (%u given back)", what,
            sriov_move_domain_name(m), back);
    return EXIT_ERROR;
}

int cmd_migrate(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("migrate");
    struct migrate_opts o;
    struct transport t = { .pid = -1, .to = -1, .from = -1 };
    struct sriov_move *m = NULL;
    bool remote = false;
    int rc;

    memset(&o, 0, sizeof(o));
    rc = parse_migrate(cmd, argc, argv, &o);
    if (!rc && o.dry_run)
        rc = cli_dry_run(cli, false);
    if (rc)
        return rc;
    if (sriov_move_begin_config(cli->ctx, argv[optind], SRIOV_MOVE_MIGRATE, o.config, &m))
        return cli_fail(cli, "cannot migrate");
    if (sriov_move_vf_count(m)) {
        rc = start_incoming(cli, &o, m, &t);
        remote = true;
        if (rc)
            goto out;
    }
    if (sriov_move_leave(cli->ctx, m)) {
        rc = cli_fail(cli, "cannot take the VFs back");
        goto out;
    }
    cli_log(cli, XTL_PROGRESS, "%s: %zu VF%s taken back, netfront carries its network; "
            "migrating", sriov_move_domain_name(m), sriov_move_vf_count(m),
            sriov_move_vf_count(m) == 1 ? "" : "s");
    if (sriov_move_xl(cli->ctx, m, o.xl_args, o.n_xl)) {
        char what[600];
        snprintf(what, sizeof(what), "xl migrate failed: %s", sriov_ctx_last_error(cli->ctx));
        /* The destination lets go first: within one host its reservations are VFs
         * this host's domain may need back. */
        if (remote)
            abort_incoming(&t);
        remote = false;
        rc = give_back_here(cli, m, XTL_ERROR, what);
        goto out;
    }
    if (sriov_move_end(cli->ctx, m, true, NULL))
        cli_fail(cli, "forgetting the move failed (gc will)");
    rc = remote ? finish_incoming(cli, &o, m, &t) : EXIT_OK;
    remote = false;
out:
    if (remote)
        abort_incoming(&t);
    if (t.pid > 0)
        transport_close(&t);
    sriov_move_free(m);
    return rc;
}

/* --------------------------------------------------------------- save, restore */

int cmd_save(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("save");
    static const struct option opts[] = {
        { "dry-run", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct sriov_move *m = NULL;
    char *xl_args[8];
    size_t n = 0;
    bool first = true, dry_run = false;
    int c, rc;

    while ((c = cli_getopt(cmd, argc, argv, "pcnh", opts, &first)) > 0) {
        if (c == 'n') {
            dry_run = true;
        } else if (c == 'c') {
            cli_usage_error(cmd, "-c keeps the domain running after the checkpoint; a domain "
                                 "with VFs cannot be saved while it has them");
            return EXIT_USAGE;
        } else {
            xl_args[n++] = (char *)"-p";
        }
    }
    if (c == CLI_OPTS_DONE)
        c = cli_check_operands(cmd, argc, argv, 2, 3, "expected DOMAIN FILE [CONFIG]");
    if (!c && dry_run)
        c = cli_dry_run(cli, false);
    if (c)
        return c;
    for (int i = optind; i < argc; i++)
        xl_args[n++] = argv[i];
    if (sriov_move_begin_config(cli->ctx, argv[optind], SRIOV_MOVE_SAVE,
                                optind + 2 < argc ? argv[optind + 2] : NULL, &m))
        return cli_fail(cli, "cannot save");
    if (sriov_move_leave(cli->ctx, m)) {
        rc = cli_fail(cli, "cannot take the VFs back");
    } else if (sriov_move_xl(cli->ctx, m, xl_args, n)) {
        char what[600];
        snprintf(what, sizeof(what), "xl save failed: %s", sriov_ctx_last_error(cli->ctx));
        rc = give_back_here(cli, m, XTL_ERROR, what);
    } else {
        rc = sriov_move_end(cli->ctx, m, true, NULL) ? cli_fail(cli, "cannot keep its VFs "
                                                                "for restore")
                                                    : EXIT_OK;
    }
    sriov_move_free(m);
    return rc;
}

int cmd_restore(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("restore");
    static const struct option opts[] = {
        { "dry-run", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    char *xl_args[16], *uuid = NULL;
    unsigned int attached = 0;
    size_t n = 0;
    bool first = true, dry_run = false;
    int c, rc;

    while ((c = cli_getopt(cmd, argc, argv, "peVdnh", opts, &first)) > 0) {
        if (c == 'n')
            dry_run = true;
        else
            xl_args[n++] = (char *)(c == 'p' ? "-p" : c == 'e' ? "-e" : c == 'V' ? "-V" : "-d");
        if (n > 8)
            break;
    }
    if (c == CLI_OPTS_DONE)
        c = cli_check_operands(cmd, argc, argv, 1, 2, "expected [CONFIG] FILE");
    if (!c && dry_run)
        c = cli_dry_run(cli, false);
    if (c)
        return c;
    for (int i = optind; i < argc; i++)
        xl_args[n++] = argv[i];
    rc = sriov_domain_restore(cli->ctx, xl_args, n, &uuid, &attached);
    if (rc && !uuid)
        return cli_fail(cli, "restore failed");
    if (rc) {
        cli_fail(cli, "restored, but it runs on netfront");
        free(uuid);
        return EXIT_NO_VF_THERE;
    }
    printf("%s\n", uuid);
    cli_log(cli, XTL_INFO, "restored with %u VF%s", attached, attached == 1 ? "" : "s");
    free(uuid);
    return EXIT_OK;
}

/* ------------------------------------------- pre-migrate, post-migrate (orchestrators) */

int cmd_pre_migrate(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("pre-migrate");
    struct sriov_move *m = NULL;
    bool dry_run, json;
    const struct cli_flag opts[] = { { "dry-run", 'n', &dry_run }, { "json", 'j', &json },
                                     { NULL, 0, NULL } };
    int rc;

    rc = cli_parse_flags(cmd, argc, argv, "njh", opts);
    if (!rc)
        rc = cli_check_operands(cmd, argc, argv, 1, 1, "expected DOMAIN");
    if (!rc && dry_run)
        rc = cli_dry_run(cli, json);
    if (rc)
        return rc;
    if (sriov_move_begin(cli->ctx, argv[optind], SRIOV_MOVE_HAND_OVER, &m))
        return cli_fail(cli, "cannot prepare the migration");
    if (sriov_move_leave(cli->ctx, m)) {
        sriov_move_free(m);
        return cli_fail(cli, "cannot take the VFs back");
    }
    if (json) {
        yajl_gen g = yajl_gen_alloc(NULL);
        const unsigned char *buf;
        size_t len;

        yajl_gen_map_open(g);
        json_kv_str(g, "uuid", sriov_move_domain_uuid(m));
        json_kv_str(g, "domain", sriov_move_domain_name(m));
        json_key(g, "vfs");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < sriov_move_vf_count(m); i++)
            json_str(g, sriov_move_vf_spec(m, i));
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        yajl_gen_get_buf(g, &buf, &len);
        printf("%.*s\n", (int)len, buf);
        yajl_gen_free(g);
    } else {
        for (size_t i = 0; i < sriov_move_vf_count(m); i++)
            printf("%s\n", sriov_move_vf_spec(m, i));
    }
    sriov_move_free(m);
    return EXIT_OK;
}

/* Where the domain ran before: after a failed migration it gets its VFs back;
 * after a good one (it is gone) its journal is forgotten. */
static int post_source(struct cli *cli, const char *domain)
{
    struct sriov_move *m = NULL;
    const char *uuid = domain;
    char found[64];
    int rc;

    if (!sriov_domain_uuid(cli->ctx, domain, found, sizeof(found)))
        uuid = found;
    rc = sriov_move_open(cli->ctx, uuid, &m);
    if (rc == -ENOENT) {
        cli_log(cli, XTL_ERROR, "%s: no migration to finish here", domain);
        return EXIT_ERROR;
    }
    if (rc)
        return cli_fail(cli, "cannot read the migration's journal");
    if (uuid == found) {
        rc = give_back_here(cli, m, XTL_INFO, "still here") == EXIT_ERROR ? EXIT_OK
                                                                          : EXIT_NO_VF_BACK;
    } else {
        rc = sriov_move_end(cli->ctx, m, true, NULL) ? cli_fail(cli, "cannot forget the move")
                                                      : EXIT_OK;
    }
    sriov_move_free(m);
    return rc;
}

int cmd_post_migrate(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("post-migrate");
    struct sriov_incoming *inc = NULL;
    unsigned int attached = 0;
    char uuid[64];
    bool dry_run;
    int rc;

    rc = cli_parse_flag(cmd, argc, argv, "+nh", "dry-run", &dry_run);
    if (!rc)
        rc = cli_check_operands(cmd, argc, argv, 1, INT_MAX, "expected DOMAIN [SPEC...]");
    if (!rc && dry_run)
        rc = cli_dry_run(cli, false);
    if (rc)
        return rc;
    if (argc - optind == 1)
        return post_source(cli, argv[optind]);
    if (sriov_domain_uuid(cli->ctx, argv[optind], uuid, sizeof(uuid)))
        return cli_fail(cli, "cannot find the domain");
    rc = sriov_incoming_prepare(cli->ctx, uuid, argv[optind], argv + optind + 1,
                                (size_t)(argc - optind - 1), &inc);
    if (rc) {
        /* The domain has moved already: whatever the reason, it is on netfront. */
        cli_fail(cli, "cannot reserve its VFs: it stays on netfront");
        return EXIT_NO_VF_THERE;
    }
    rc = sriov_incoming_attach(cli->ctx, inc, 0, &attached);
    sriov_incoming_free(inc);
    if (rc) {
        cli_fail(cli, "it stays on netfront");
        return EXIT_NO_VF_THERE;
    }
    cli_log(cli, XTL_INFO, "%u VF%s given", attached, attached == 1 ? "" : "s");
    return EXIT_OK;
}
