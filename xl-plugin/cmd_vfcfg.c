/* vf-show, vf-set, vf-restore: a VF's network settings on its PF. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl-sriov.h"

/* The settings, in the order they are shown, and how --json types them (a contract). */
static const struct {
    unsigned int bit;
    enum col_type type;
} fields[] = {
    { SRIOV_VF_MAC, COL_STR }, { SRIOV_VF_VLAN, COL_NUM }, { SRIOV_VF_QOS, COL_NUM },
    { SRIOV_VF_VLAN_PROTO, COL_STR }, { SRIOV_VF_SPOOFCHK, COL_BOOL },
    { SRIOV_VF_TRUST, COL_BOOL }, { SRIOV_VF_LINK_STATE, COL_STR },
    { SRIOV_VF_MIN_TX_RATE, COL_NUM }, { SRIOV_VF_MAX_TX_RATE, COL_NUM },
    { SRIOV_VF_QUERY_RSS, COL_BOOL },
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static void ref_name(const struct sriov_vf_ref *ref, char *buf, size_t len)
{
    snprintf(buf, len, "%s/vf%u", ref->pf_ifname, ref->index);
}

/* One line per VF, in the words of `ip -d link show`. */
static void show_text(const struct sriov_vf_ref *ref, const struct sriov_vf_config *cfg,
                      const char *unreadable)
{
    char v[32];

    printf("%s vf %u", ref->pf_ifname, ref->index);
    if (unreadable) {
        printf(" %s\n", unreadable);
        return;
    }
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (sriov_vf_config_format(cfg, fields[i].bit, v, sizeof(v)) == 0)
            printf("%s %s %s", i ? "," : "", sriov_vf_field_key(fields[i].bit), v);
    }
    putchar('\n');
}

static void show_json(yajl_gen g, const struct sriov_vf_ref *ref,
                      const struct sriov_vf_config *cfg, const char *unreadable)
{
    char v[32];

    yajl_gen_map_open(g);
    json_kv_str(g, "pf", ref->pf_ifname);
    json_kv_str(g, "pf_bdf", ref->pf_bdf[0] ? ref->pf_bdf : NULL);
    json_kv_int(g, "vf", ref->index);
    json_kv_bool(g, "readable", !unreadable);
    if (unreadable)
        json_kv_str(g, "error", unreadable);
    for (size_t i = 0; !unreadable && i < N_FIELDS; i++) {
        if (sriov_vf_config_format(cfg, fields[i].bit, v, sizeof(v)))
            continue;
        json_key(g, sriov_vf_field_key(fields[i].bit));
        json_cell(g, fields[i].type, v);
    }
    yajl_gen_map_close(g);
}

/* Show one VF; 1 when it does not exist (the end of a PF's list), -1 on error. */
static int show_one(struct cli *cli, yajl_gen g, const struct sriov_vf_ref *ref)
{
    struct sriov_vf_config cfg;
    const char *unreadable = NULL;
    int rc;

    sriov_vf_config_init(&cfg);
    rc = sriov_vf_config_get(cli->ctx, ref, &cfg);
    if (rc == -ENOENT)
        return 1;
    if (rc == -ENODATA) {
        /* "eni10np1/vf300: not readable: ..." -> "not readable: ..." */
        unreadable = strstr(sriov_ctx_last_error(cli->ctx), "not readable");
        if (!unreadable)
            unreadable = "not readable";
    } else if (rc) {
        cli_fail(cli, "cannot read the VF settings");
        return -1;
    }
    if (g)
        show_json(g, ref, &cfg, unreadable);
    else
        show_text(ref, &cfg, unreadable);
    sriov_vf_config_dispose(&cfg);
    return 0;
}

int cmd_vf_show(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("vf-show");
    struct sriov_vf_ref ref;
    yajl_gen g = NULL;
    bool json, whole_pf = false;
    char sel[128];
    int rc;

    rc = cli_parse_list_opts(cmd, argc, argv, 1, 1, &json);
    if (rc)
        return rc;
    if (sriov_vf_ref_parse(cli->ctx, argv[optind], &ref)) {
        /* Not a VF: a PF stands for all of its VFs. */
        if (strchr(argv[optind], '/'))
            return cli_fail(cli, "cannot find the VF");
        snprintf(sel, sizeof(sel), "%s/0", argv[optind]);
        if (sriov_vf_ref_parse(cli->ctx, sel, &ref)) {
            cli_log(cli, XTL_ERROR, "%s is neither a VF nor a PF with VFs", argv[optind]);
            return EXIT_ERROR;
        }
        whole_pf = true;
    }
    if (json) {
        g = json_new();
        if (!g)
            return EXIT_ERROR;
        if (whole_pf)
            yajl_gen_array_open(g);
    }
    do {
        rc = show_one(cli, g, &ref);
        ref.index++;
    } while (whole_pf && rc == 0);
    if (rc == 1 && !whole_pf) {
        rc = cli_fail(cli, "cannot read the VF settings");
    } else if (rc < 0) {
        rc = EXIT_ERROR;
    } else {
        rc = EXIT_OK;
    }
    if (!g)
        return rc;
    if (rc) {
        yajl_gen_free(g);
        return rc;
    }
    if (whole_pf)
        yajl_gen_array_close(g);
    return json_finish(g);
}

static void print_settings(const char *prefix, const struct sriov_vf_config *cfg,
                           unsigned int which)
{
    char v[32];

    fputs(prefix, stdout);
    for (size_t i = 0; i < N_FIELDS; i++)
        if ((which & fields[i].bit) &&
            sriov_vf_config_format(cfg, fields[i].bit, v, sizeof(v)) == 0)
            printf(" %s=%s", sriov_vf_field_key(fields[i].bit), v);
    putchar('\n');
}

int cmd_vf_set(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("vf-set");
    struct sriov_vf_config cfg, cur;
    struct sriov_vf_ref ref;
    unsigned int changed = 0;
    bool dry_run;
    char name[64], prefix[96];
    int rc;

    rc = cli_parse_flag(cmd, argc, argv, "nh", "dry-run", &dry_run);
    if (!rc)
        rc = cli_check_operands(cmd, argc, argv, 2, INT_MAX,
                                "expected a VF and at least one key=value");
    if (!rc && dry_run)
        rc = cli_dry_run(cli, false);
    if (rc)
        return rc;
    /* Everything is parsed and validated before the VF is even looked up. */
    sriov_vf_config_init(&cfg);
    sriov_vf_config_init(&cur);
    for (int i = optind + 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            cli_usage_error(cmd, "'%s' is not key=value", argv[i]);
            return EXIT_USAGE;
        }
        *eq = '\0';
        rc = sriov_vf_config_set_kv(cli->ctx, &cfg, argv[i], eq + 1);
        *eq = '=';
        if (rc)
            return cli_fail(cli, "invalid VF setting");
    }
    if (sriov_vf_config_validate(cli->ctx, &cfg))
        return cli_fail(cli, "invalid VF settings");
    if (sriov_vf_ref_parse(cli->ctx, argv[optind], &ref))
        return cli_fail(cli, "cannot find the VF");
    ref_name(&ref, name, sizeof(name));

    if (dry_run) {
        rc = sriov_vf_config_get(cli->ctx, &ref, &cur);
        if (rc && rc != -ENODATA)
            return cli_fail(cli, "cannot read the VF settings");
        if (rc == 0)
            print_settings("  currently", &cur, cfg.present);
    }
    if (sriov_vf_config_apply(cli->ctx, &ref, &cfg, &changed))
        return cli_fail(cli, "cannot set the VF settings");
    if (!changed) {
        printf("%s: already set, nothing %s\n", name, dry_run ? "to change" : "changed");
        return EXIT_OK;
    }
    snprintf(prefix, sizeof(prefix), "%s: %s", name, dry_run ? "would change" : "changed");
    print_settings(prefix, &cfg, changed);
    return EXIT_OK;
}

static int restore_one(struct cli *cli, const struct sriov_vf_ref *ref)
{
    unsigned int flags = 0;
    char name[64];

    ref_name(ref, name, sizeof(name));
    if (sriov_vf_config_restore(cli->ctx, ref, &flags))
        return cli_fail(cli, "cannot restore the VF settings");
    if (flags & SRIOV_VF_RESTORED_DEFAULTS)
        printf("%s: restored the defaults of a new VF (its settings were not readable when "
               "saved)\n", name);
    else
        printf("%s: restored the saved settings\n", name);
    return EXIT_OK;
}

int cmd_vf_restore(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("vf-restore");
    struct sriov_vf_ref ref, *refs = NULL;
    size_t n = 0;
    bool all, dry_run;
    const struct cli_flag opts[] = { { "all", 'a', &all }, { "dry-run", 'n', &dry_run },
                                     { NULL, 0, NULL } };
    int rc;

    rc = cli_parse_flags(cmd, argc, argv, "anh", opts);
    if (!rc)
        rc = cli_check_operands(cmd, argc, argv, all ? 0 : 1, all ? 0 : 1,
                                "expected one VF or --all");
    if (!rc && dry_run)
        rc = cli_dry_run(cli, false);
    if (rc)
        return rc;
    if (!all) {
        if (sriov_vf_ref_parse(cli->ctx, argv[optind], &ref))
            return cli_fail(cli, "cannot find the VF");
        return restore_one(cli, &ref);
    }
    if (sriov_vf_config_pending(cli->ctx, &refs, &n))
        return cli_fail(cli, "cannot list the saved VF settings");
    /* Keep going: one VF that cannot be restored must not strand the others. */
    for (size_t i = 0; i < n; i++)
        if (restore_one(cli, &refs[i]) != EXIT_OK)
            rc = EXIT_ERROR;
    if (n == 0)
        printf("no saved VF settings to restore\n");
    free(refs);
    return rc;
}
