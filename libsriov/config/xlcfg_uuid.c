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
 * which live as long as the domain) holds it open.  xl reads the copy even of
 * a config that sets the right uuid=: it is the text that was checked (uuid,
 * passthrough) before the VFs left, whatever becomes of the file meanwhile.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

int sriov__xlcfg_pin(struct sriov_ctx *ctx, const struct sriov__xlcfg *c,
                     const uint8_t uuid[16], struct sriov__xlcfg_pinned *out)
{
    const char *path = sriov__xlcfg_path(c);
    char u[SRIOV_UUID_STR_LEN];
    int probe = -1, rc;

    out->fd = -1;
    out->path = NULL;
    rc = sriov__xlcfg_uuid_check(ctx, c, uuid, &out->had_uuid);
    if (rc)
        return rc;
    sriov__uuid_format(uuid, u);
    out->fd = memfd_create("xl-sriov-config", MFD_CLOEXEC);
    if (out->fd < 0)
        return sriov__fail(ctx, -errno, "cannot make a copy of %s for xl: %s", path,
                           strerror(errno));
    if (dprintf(out->fd, out->had_uuid ? "%s" : "%s\nuuid = \"%s\"\n",
                sriov__xlcfg_text(c), u) < 0)
        rc = sriov__fail(ctx, -errno, "cannot write a copy of %s: %s", path, strerror(errno));
    if (!rc && asprintf(&out->path, "/proc/%d/fd/%d", (int)getpid(), out->fd) < 0) {
        out->path = NULL;
        rc = -ENOMEM;
    }
    /* Now, not once the VFs have left: a host whose /proc xl cannot open it by. */
    if (!rc && (probe = open(out->path, O_RDONLY | O_CLOEXEC)) < 0)
        rc = sriov__fail(ctx, -errno, "xl could not read the copy of %s at %s: %s", path,
                         out->path, strerror(errno));
    if (probe >= 0)
        close(probe);
    if (rc) {
        sriov__xlcfg_pinned_dispose(out);
        return rc;
    }
    if (out->had_uuid)
        sriov__info(ctx, "xl reads %s as checked, from %s", path, out->path);
    else
        sriov__info(ctx, "%s sets no uuid=: xl reads it from %s, with uuid = \"%s\" added",
                    path, out->path, u);
    return 0;
}

void sriov__xlcfg_pinned_dispose(struct sriov__xlcfg_pinned *p)
{
    if (p->fd >= 0)
        close(p->fd);
    free(p->path);
    p->fd = -1;
    p->path = NULL;
}

int sriov__xlcfg_pin_arg(const struct sriov__xlcfg_pinned *pin, char *const *args,
                         size_t n_args, size_t i, char ***copy)
{
    *copy = calloc(n_args + 1, sizeof(**copy));
    if (!*copy)
        return -ENOMEM;
    memcpy(*copy, args, n_args * sizeof(**copy));
    (*copy)[i] = pin->path;
    return 0;
}
