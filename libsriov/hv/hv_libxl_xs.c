/*
 * xenstore through libxenstore (hv_libxl.h): writing and removing our
 * records, and waiting on @releaseDomain.  One connection per hv, made on
 * first use and closed with it.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "hv/hv_libxl.h"

static int xs_ready(struct sriov_hv *hv)
{
    struct lx_hv *h = (struct lx_hv *)hv;

    if (!h->xs && !(h->xs = xs_open(0)))
        return sriov__fail(hv->ctx, -errno, "cannot connect to xenstore: %s", strerror(errno));
    return 0;
}

int sriov__lx_xs_write(struct sriov_hv *hv, const char *path, const char *value)
{
    int rc = xs_ready(hv);

    if (!rc && !xs_write(((struct lx_hv *)hv)->xs, XBT_NULL, path, value, strlen(value)))
        rc = sriov__fail(hv->ctx, -errno, "cannot write xenstore %s: %s", path, strerror(errno));
    return rc;
}

int sriov__lx_xs_rm(struct sriov_hv *hv, const char *path)
{
    int rc = xs_ready(hv);

    if (!rc && !xs_rm(((struct lx_hv *)hv)->xs, XBT_NULL, path) && errno != ENOENT)
        rc = sriov__fail(hv->ctx, -errno, "cannot remove xenstore %s: %s", path, strerror(errno));
    return rc;
}

int sriov__lx_wait_release(struct sriov_hv *hv, int timeout_ms)
{
    struct lx_hv *h = (struct lx_hv *)hv;
    struct pollfd pfd;
    unsigned int num;
    char **ev;
    int rc = xs_ready(hv);

    if (rc)
        return rc;
    if (!h->watching) {
        if (!xs_watch(h->xs, "@releaseDomain", "xl-sriov"))
            return sriov__fail(hv->ctx, -errno, "cannot watch @releaseDomain: %s",
                               strerror(errno));
        h->watching = true;
    }
    pfd.fd = xs_fileno(h->xs);
    pfd.events = POLLIN;
    rc = poll(&pfd, 1, timeout_ms);
    if (rc < 0)
        return errno == EINTR ? 0 : -errno;
    if (rc == 0)
        return 0;
    ev = xs_read_watch(h->xs, &num);
    free(ev);
    return 1;
}
