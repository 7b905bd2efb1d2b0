/*
 * What moving a domain needs from Xen (hv_libxl.h): its vifs through libxl, and
 * `xl migrate`, `xl save` and `xl restore` run as they are, exec'd with an argv
 * (never a shell), so that the transport, the stream and the device model stay
 * xl's job exactly as with `xl create` (which hv_libxl.c runs through the same
 * sriov__lx_run_xl).
 */
#include "config.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "internal.h"
#include "hv/hv_libxl.h"

extern char **environ;

/* "xl VERB ARGS..." for an error, cut to fit in one. */
static void command_line(const char *verb, char *const *args, size_t n_args, char *buf,
                         size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "xl %s", verb);

    for (size_t i = 0; i < n_args && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, " %s", args[i]);
    if (used >= len && len > 4)
        memcpy(buf + len - 4, "...", 4);
}

int sriov__lx_run_xl(struct sriov_hv *hv, const char *verb, char *const *args, size_t n_args)
{
    char **argv = calloc(n_args + 4, sizeof(*argv)), cmd[256];
    size_t k = 0;
    pid_t pid;
    int status, rc;

    if (!argv)
        return -ENOMEM;
    command_line(verb, args, n_args, cmd, sizeof(cmd));
    argv[k++] = (char *)"xl";
    /* xl's own -v, as the caller's threshold asks: xl logs at progress level by
     * default, one level lower per -v. */
    if (hv->ctx->log_priority >= LOG_DEBUG)
        argv[k++] = (char *)"-vvv";
    else if (hv->ctx->log_priority >= LOG_INFO)
        argv[k++] = (char *)"-v";
    argv[k++] = (char *)verb;
    for (size_t i = 0; i < n_args; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
    rc = posix_spawnp(&pid, "xl", NULL, NULL, argv, environ);
    free(argv);
    if (rc)
        return sriov__fail(hv->ctx, -rc, "cannot run xl %s: %s", verb, strerror(rc));
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return sriov__fail(hv->ctx, -errno, "waiting for xl %s: %s", verb, strerror(errno));
    if (WIFSIGNALED(status))
        return sriov__fail(hv->ctx, -EIO, "%s failed (killed by signal %d)", cmd,
                           WTERMSIG(status));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return sriov__fail(hv->ctx, -EIO, "%s failed (exit status %d)", cmd,
                           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}

/* dom's domid still names dom: a domid is only a hint that can be reused. */
static int dom_check(struct sriov_hv *hv, const struct sriov_hv_domain *dom)
{
    libxl_dominfo info;
    int rc;

    libxl_dominfo_init(&info);
    rc = sriov__lx_from_libxl(libxl_domain_info(LX(hv), &info, dom->domid));
    if (!rc && memcmp(libxl_uuid_bytearray_const(&info.uuid), dom->uuid, 16))
        rc = -ENOENT;
    libxl_dominfo_dispose(&info);
    if (rc == -ENOENT)
        return sriov__fail(hv->ctx, rc, "domain %s (%u) no longer exists", dom->name,
                           dom->domid);
    if (rc)
        return sriov__fail(hv->ctx, rc, "cannot look domain %s (%u) up", dom->name, dom->domid);
    return 0;
}

int sriov__lx_nic_list(struct sriov_hv *hv, const struct sriov_hv_domain *dom, char ***macs,
                       char ***bridges, size_t *n)
{
    libxl_device_nic *nics = NULL;
    size_t n_macs = 0, n_bridges = 0;
    int num = 0, rc;

    *macs = *bridges = NULL;
    *n = 0;
    /* A domain that has gone lists no NICs either: tell the two apart first. */
    rc = dom_check(hv, dom);
    if (rc)
        return rc;
    nics = libxl_device_nic_list(LX(hv), dom->domid, &num);
    for (int i = 0; i < num && !rc; i++) {
        char mac[LIBXL_MAC_FMTLEN + 1];
        const uint8_t *m = nics[i].mac;
        snprintf(mac, sizeof(mac), LIBXL_MAC_FMT, m[0], m[1], m[2], m[3], m[4], m[5]);
        rc = sriov__strv_push(macs, &n_macs, strdup(mac));
        if (!rc)
            rc = sriov__strv_push(bridges, &n_bridges,
                                  strdup(nics[i].bridge ? nics[i].bridge : ""));
    }
    libxl_device_nic_list_free(nics, num);
    if (rc) {
        sriov__strv_free(*macs, n_macs);
        sriov__strv_free(*bridges, n_bridges);
        *macs = *bridges = NULL;
        return rc;
    }
    *n = n_macs;
    return 0;
}

int sriov__lx_domain_passthrough(struct sriov_hv *hv, const struct sriov_hv_domain *dom,
                                 bool *kept)
{
    libxl_domain_config cfg;
    int rc;

    *kept = false;
    rc = dom_check(hv, dom);
    if (rc)
        return rc;
    libxl_domain_config_init(&cfg);
    rc = sriov__lx_from_libxl(libxl_retrieve_domain_configuration(LX(hv), dom->domid, &cfg,
                                                                 NULL));
    if (rc)
        rc = sriov__fail(hv->ctx, rc, "cannot read the configuration of domain %s (%u)",
                         dom->name, dom->domid);
    else
        *kept = cfg.c_info.passthrough != LIBXL_PASSTHROUGH_DEFAULT &&
                cfg.c_info.passthrough != LIBXL_PASSTHROUGH_DISABLED;
    libxl_domain_config_dispose(&cfg);
    return rc;
}

/* Six pairs of hex digits joined by colons, nothing else. */
static int mac_parse(const char *s, libxl_mac mac)
{
    if (strlen(s) != 17)
        return -EINVAL;
    for (int i = 0; i < 6; i++) {
        int hi = sriov__hexval(s[3 * i]), lo = sriov__hexval(s[3 * i + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
            return -EINVAL;
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int sriov__lx_nic_add(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *mac,
                      const char *bridge)
{
    libxl_device_nic nic;
    int rc;

    libxl_device_nic_init(&nic);
    /* A netfront: an emulated NIC cannot be hot-added to an HVM guest. */
    nic.nictype = LIBXL_NIC_TYPE_VIF;
    if (mac_parse(mac, nic.mac)) {
        rc = sriov__fail(hv->ctx, -EINVAL, "cannot add a vif to domain %s: bad MAC '%s'",
                         dom->name, mac);
        goto out;
    }
    /* No bridge: libxl's default one, as a vif= entry without bridge= gets. */
    if (*bridge && !(nic.bridge = strdup(bridge))) {
        rc = -ENOMEM;
        goto out;
    }
    rc = dom_check(hv, dom);
    if (rc)
        goto out;
    /* No ao_how: synchronous, the hotplug script has run when it returns. */
    rc = sriov__lx_from_libxl(libxl_device_nic_add(LX(hv), dom->domid, &nic, NULL));
    if (rc)
        rc = sriov__fail(hv->ctx, rc, "libxl_device_nic_add of %s (bridge %s) to domain %s "
                         "(%u) failed", mac, *bridge ? bridge : "default", dom->name,
                         dom->domid);
out:
    libxl_device_nic_dispose(&nic);
    return rc;
}

int sriov__lx_domain_migrate(struct sriov_hv *hv, char *const *args, size_t n_args)
{
    return sriov__lx_run_xl(hv, "migrate", args, n_args);
}

int sriov__lx_domain_save(struct sriov_hv *hv, char *const *args, size_t n_args)
{
    return sriov__lx_run_xl(hv, "save", args, n_args);
}

static bool listed(const struct sriov_hv_domain *doms, size_t n,
                   const struct sriov_hv_domain *dom)
{
    for (size_t i = 0; i < n; i++)
        if (doms[i].domid == dom->domid && !memcmp(doms[i].uuid, dom->uuid, 16))
            return true;
    return false;
}

/* xl restore says nothing about the domain it started: it is the one that was
 * not there before.  Another one appearing meanwhile makes that ambiguous, and
 * then it is an error rather than a guess. */
int sriov__lx_domain_restore(struct sriov_hv *hv, char *const *args, size_t n_args,
                             struct sriov_hv_domain *out)
{
    struct sriov_hv_domain *before = NULL, *after = NULL;
    size_t n_before = 0, n_after = 0, n_new = 0;
    char cmd[256];
    int rc;

    memset(out, 0, sizeof(*out));
    rc = hv->ops->domain_list(hv, &before, &n_before);
    if (!rc)
        rc = sriov__lx_run_xl(hv, "restore", args, n_args);
    if (!rc)
        rc = hv->ops->domain_list(hv, &after, &n_after);
    if (rc)
        goto out;
    for (size_t i = 0; i < n_after; i++) {
        if (listed(before, n_before, &after[i]))
            continue;
        if (n_new++ == 0)
            *out = after[i];
    }
    command_line("restore", args, n_args, cmd, sizeof(cmd));
    if (n_new == 0)
        rc = sriov__fail(hv->ctx, -ENOENT, "%s succeeded but started no domain", cmd);
    else if (n_new > 1)
        rc = sriov__fail(hv->ctx, -EBUSY, "%s succeeded, but %zu domains appeared meanwhile "
                         "(%s among them): cannot tell which one it started", cmd, n_new,
                         out->name);
out:
    if (rc)
        memset(out, 0, sizeof(*out));
    free(before);
    free(after);
    return rc;
}
