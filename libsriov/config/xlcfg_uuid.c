/*
 * A domain keeps its UUID through a move with a configuration of its own
 * (xlcfg.h).  xl builds a domain it saves with CONFIG, migrates with -C or
 * restores from CONFIG as if it created it anew (parse_config_data): a config
 * that sets no uuid= gets a random one, and the domain would arrive under
 * another identity than the one its VFs are recorded for (by UUID, never by
 * name or domid).  xl is handed a copy that names the domain's UUID instead, an
 * anonymous file (memfd) it opens as /proc/PID/fd/N, PID ours (not /dev/fd,
 * which a host without udev lacks): nothing is left behind if we die, the
 * user's file is never written, and the file stays close-on-exec, so that
 * neither xl nor what it starts (its monitoring daemon, the device model,
 * which live as long as the domain) holds it open.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "config/xlcfg.h"

int sriov__xlcfg_uuid_check(struct sriov_ctx *ctx, const struct sriov__xlcfg *c,
                            const uint8_t uuid[16], bool *sets)
{
    const char *v = sriov__xlcfg_string(c, "uuid");
    char want[SRIOV_UUID_STR_LEN];
    uint8_t bin[16];

    *sets = v != NULL;
    if (!v)
        return 0;
    sriov__uuid_format(uuid, want);
    if (sriov__uuid_parse(v, bin))
        return sriov__fail(ctx, -EINVAL, "%s line %d: uuid=\"%s\" is not a UUID",
                           sriov__xlcfg_path(c), sriov__xlcfg_line(c, "uuid", -1, -1), v);
    if (memcmp(bin, uuid, 16))
        return sriov__fail(ctx, -EINVAL, "%s line %d: uuid=\"%s\" is not the domain's UUID "
                           "(%s), which its VFs are recorded for; set that one or none",
                           sriov__xlcfg_path(c), sriov__xlcfg_line(c, "uuid", -1, -1), v,
                           want);
    return 0;
}

int sriov__xlcfg_pin_uuid(struct sriov_ctx *ctx, const char *path, const uint8_t uuid[16],
                          struct sriov__xlcfg_pinned *out)
{
    struct sriov__xlcfg *c = NULL;
    char u[SRIOV_UUID_STR_LEN];
    const char *text;
    bool sets = false;
    int rc;

    out->fd = -1;
    out->path = NULL;
    rc = sriov__xlcfg_load(ctx, path, NULL, 0, &c);
    if (!rc)
        rc = sriov__xlcfg_uuid_check(ctx, c, uuid, &sets);
    if (rc || sets) {
        if (!rc && !(out->path = strdup(path)))
            rc = -ENOMEM;
        goto out;
    }
    sriov__uuid_format(uuid, u);
    text = sriov__xlcfg_text(c);
    out->fd = memfd_create("xl-sriov-config", MFD_CLOEXEC);
    if (out->fd < 0) {
        rc = sriov__fail(ctx, -errno, "cannot make a copy of %s with the domain's UUID: %s",
                         path, strerror(errno));
        goto out;
    }
    if (dprintf(out->fd, "%s\nuuid = \"%s\"\n", text, u) < 0)
        rc = sriov__fail(ctx, -errno, "cannot write a copy of %s: %s", path, strerror(errno));
    if (!rc && asprintf(&out->path, "/proc/%d/fd/%d", (int)getpid(), out->fd) < 0) {
        out->path = NULL;
        rc = -ENOMEM;
    }
    if (!rc)
        sriov__info(ctx, "%s sets no uuid=: xl reads it from %s, with uuid = \"%s\" added",
                     path, out->path, u);
out:
    sriov__xlcfg_free(c);
    if (rc)
        sriov__xlcfg_pinned_dispose(out);
    return rc;
}

void sriov__xlcfg_pinned_dispose(struct sriov__xlcfg_pinned *p)
{
    if (p->fd >= 0)
        close(p->fd);
    free(p->path);
    p->fd = -1;
    p->path = NULL;
}

int sriov__xlcfg_pin_arg(struct sriov_ctx *ctx, char *const *args, size_t n_args, size_t i,
                         const uint8_t uuid[16], struct sriov__xlcfg_pinned *pin, char ***copy)
{
    int rc = sriov__xlcfg_pin_uuid(ctx, args[i], uuid, pin);

    *copy = NULL;
    if (rc)
        return rc;
    *copy = calloc(n_args + 1, sizeof(**copy));
    if (!*copy) {
        sriov__xlcfg_pinned_dispose(pin);
        return -ENOMEM;
    }
    memcpy(*copy, args, n_args * sizeof(**copy));
    (*copy)[i] = pin->path;
    return 0;
}
