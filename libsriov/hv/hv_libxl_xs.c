/*
 * xenstore through libxenstore (hv_libxl.h): writing, reading and removing our
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

int sriov__lx_xs_read(struct sriov_hv *hv, const char *path, char **value)
{
    unsigned int len;
    int rc = xs_ready(hv);

    *value = NULL;
    if (rc)
        return rc;
    *value = xs_read(((struct lx_hv *)hv)->xs, XBT_NULL, path, &len);
    if (!*value)
        return errno == ENOENT ? -ENOENT
                               : sriov__fail(hv->ctx, -errno, "cannot read xenstore %s: %s", path,
                                             strerror(errno));
    return 0;
}

int sriov__lx_xs_list(struct sriov_hv *hv, const char *path, char ***names, size_t *n)
{
    unsigned int num = 0;
    char **dir, **v = NULL;
    int rc = xs_ready(hv);

    *names = NULL;
    *n = 0;
    if (rc)
        return rc;
    dir = xs_directory(((struct lx_hv *)hv)->xs, XBT_NULL, path, &num);
    if (!dir)
        return errno == ENOENT ? -ENOENT
                               : sriov__fail(hv->ctx, -errno, "cannot list xenstore %s: %s", path,
                                             strerror(errno));
    /* xs_directory returns one block; hand out separately owned strings. */
    for (unsigned int i = 0; i < num && !rc; i++)
        rc = sriov__strv_push(&v, n, strdup(dir[i]));
    free(dir);
    if (rc) {
        sriov__strv_free(v, *n);
        *n = 0;
        return rc;
    }
    *names = v;
    return 0;
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
