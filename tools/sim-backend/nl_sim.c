/*
 * The simulated host's rtnetlink ("sim:DIR" as the netlink backend): VF L2
 * settings kept in DIR/netlink/<ifname>/vf<N>, one key=value line per setting
 * the VF holds, in the syntax of `xl-sriov vf-set`.  A VF without a file has
 * the settings of a freshly created VF.  How many VFs a PF has is read where
 * the kernel keeps it, the PF's sriov_numvfs in the (synthetic) sysfs tree, and
 * an interface sysfs does not know is ENODEV, as from the kernel.
 *
 * Faults, from DIR/fail-at: "vf_list" fails every read; "vf_set" every change;
 * "vf_set:KEY" (KEY as in vf-set: mac, vlan, max_rate, spoofchk, trust, state,
 * query_rss) only changes of that setting, as a driver lacking one operation
 * would.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "core/statefile.h"
#include "l2/nl.h"
#include "sysfs/sysfs.h"
#include "hv_sim.h"

struct sim_nl {
    struct sriov_nl nl;          /* first: the ops cast between the two */
    char *dir;
};

static int numvfs_of(struct sriov_ctx *ctx, const char *ifname, unsigned int *n)
{
    char buf[32];
    unsigned long v;
    int rc;

    if (!sriov__netif_exists(ctx, ifname))
        return -ENODEV;
    rc = sriov__netif_device_read(ctx, ifname, "sriov_numvfs", buf, sizeof(buf));
    if (rc == -ENOENT) {
        *n = 0; /* not an SR-IOV PF: no VF list, as from the kernel */
        return 0;
    }
    if (rc)
        return rc;
    v = strtoul(buf, NULL, 10);
    *n = (unsigned int)v;
    return 0;
}

static int vf_file(struct sim_nl *s, const char *ifname, unsigned int index, char *buf,
                   size_t len)
{
    int n = snprintf(buf, len, "%s/netlink/%s/vf%u", s->dir, ifname, index);

    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The VF's settings: a new VF's, with what the file holds over them. */
static int vf_load(struct sim_nl *s, const char *ifname, unsigned int index,
                   struct sriov_vf_config *cfg)
{
    char path[PATH_MAX], *data = NULL, *save = NULL;
    size_t len;
    int rc;

    sriov__vf_config_fresh(cfg);
    rc = vf_file(s, ifname, index, path, sizeof(path));
    if (!rc)
        rc = sriov__state_read(s->nl.ctx, path, &data, &len);
    if (rc == -ENOENT)
        return 0;
    for (char *l = rc ? NULL : strtok_r(data, "\n", &save); l && !rc;
         l = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(l, '=');
        if (!eq)
            continue;
        *eq = '\0';
        rc = sriov_vf_config_set_kv(s->nl.ctx, cfg, l, eq + 1);
    }
    free(data);
    return rc;
}

static int sim_vf_list(struct sriov_nl *nl, const char *ifname, struct sriov__vf_list *list)
{
    struct sim_nl *s = (struct sim_nl *)nl;
    unsigned int n = 0;
    int rc;

    memset(list, 0, sizeof(*list));
    rc = sim_fails(nl->ctx, s->dir, "vf_list");
    if (rc)
        return rc;
    rc = numvfs_of(nl->ctx, ifname, &n);
    if (rc)
        return sriov__fail(nl->ctx, rc, "%s: cannot read the interface: %s", ifname,
                           rc == -ENODEV ? "no such network interface" : strerror(-rc));
    list->num_vfs = list->n_read = n;
    if (n) {
        list->cfgs = calloc(n, sizeof(*list->cfgs));
        list->readable = calloc(n, sizeof(*list->readable));
        if (!list->cfgs || !list->readable) {
            sriov__vf_list_dispose(list);
            return -ENOMEM;
        }
    }
    for (unsigned int i = 0; i < n; i++) {
        rc = vf_load(s, ifname, i, &list->cfgs[i]);
        if (rc) {
            sriov__vf_list_dispose(list);
            return rc;
        }
        list->readable[i] = true;
    }
    return 0;
}

/* The fields each of the kernel's VF requests carries. */
static unsigned int group_fields(unsigned int group)
{
    switch (group) {
    case SRIOV_VF_VLAN:
        return SRIOV_VF_VLAN | SRIOV_VF_QOS | SRIOV_VF_VLAN_PROTO;
    case SRIOV_VF_MAX_TX_RATE:
        return SRIOV_VF_MIN_TX_RATE | SRIOV_VF_MAX_TX_RATE;
    default:
        return group;
    }
}

static int sim_vf_set(struct sriov_nl *nl, const char *ifname, unsigned int index,
                      unsigned int group, const struct sriov_vf_config *cfg)
{
    struct sim_nl *s = (struct sim_nl *)nl;
    struct sriov_vf_config cur, want, fresh;
    char path[PATH_MAX], step[64], text[1024] = "", fresh_text[1024] = "";
    unsigned int n = 0, fields = group_fields(group);
    int rc;

    snprintf(step, sizeof(step), "vf_set:%s", sriov_vf_field_key(group));
    if (sim_fails(nl->ctx, s->dir, "vf_set") || sim_fails(nl->ctx, s->dir, step))
        return -EIO; /* like the kernel's errno: the caller names the setting */
    rc = numvfs_of(nl->ctx, ifname, &n);
    if (rc)
        return rc;
    if (index >= n)
        return -EINVAL; /* what drivers answer for a VF they do not have */
    rc = vf_load(s, ifname, index, &cur);
    if (rc)
        return rc;
    sriov_vf_config_init(&want);
    want = *cfg;
    want.present = cfg->present & fields;
    sriov__vf_config_overlay(&cur, &want);
    sriov__vf_config_fresh(&fresh);
    rc = sriov__vf_config_text(&cur, text, sizeof(text));
    if (!rc)
        rc = sriov__vf_config_text(&fresh, fresh_text, sizeof(fresh_text));
    if (!rc)
        rc = snprintf(path, sizeof(path), "%s/netlink/%s", s->dir, ifname) >= (int)sizeof(path)
                 ? -ENAMETOOLONG : sriov__mkdir_p(path, 0755);
    if (!rc)
        rc = vf_file(s, ifname, index, path, sizeof(path));
    if (rc)
        return rc;
    /* Back to a new VF's settings: no file, so that "as before" compares equal. */
    if (!strcmp(text, fresh_text))
        rc = unlink(path) && errno != ENOENT ? -errno : 0;
    else
        rc = sriov__state_write(nl->ctx, path, text, strlen(text));
    /* A kernel applies a setting whole: a writer of this file killed before its
     * rename (kill -9 tests) must leave no temp file behind as if it were state. */
    if (!rc)
        sriov__state_clean_temps(nl->ctx, path);
    if (!rc)
        sim_crash_after(nl->ctx, s->dir, "vf_set");
    return rc;
}

static void sim_nl_close(struct sriov_nl *nl)
{
    struct sim_nl *s = (struct sim_nl *)nl;

    free(s->dir);
    free(s);
}

static const struct sriov_nl_ops sim_nl_ops = {
    .close = sim_nl_close,
    .vf_list = sim_vf_list,
    .vf_set = sim_vf_set,
};

int sim_nl_open(struct sriov_ctx *ctx, const char *arg, struct sriov_nl **ret)
{
    struct sim_nl *s;

    *ret = NULL;
    if (!*arg)
        return sriov__fail(ctx, -EINVAL, "sim netlink: expected sim:DIR");
    s = calloc(1, sizeof(*s));
    if (!s || !(s->dir = strdup(arg))) {
        free(s);
        return -ENOMEM;
    }
    s->nl.ops = &sim_nl_ops;
    s->nl.ctx = ctx;
    *ret = &s->nl;
    return 0;
}
