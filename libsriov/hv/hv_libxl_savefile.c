/*
 * Which domain an xl save file holds (hv.h saved_domain), read before
 * `xl restore` starts it: the header xl writes (tools/xl/xl.h, struct
 * save_file_header) and the domain configuration after it, JSON from
 * libxl_domain_config_to_json since Xen 4.5.  Restore needs it beforehand: a
 * domain restored from a CONFIG of the user's gets the UUID that names, or a
 * new one, and its VFs are recorded under the saved one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "internal.h"
#include "hv/hv_libxl.h"

static const char xl_magic[32] = "Xen saved domain, xl format\n \0 \r";
#define XL_BYTEORDER 0x01020304u
#define XL_FLAG_JSON (1u << 0)
/* libxl writes a few kB; this bounds what a wrong file costs. */
#define CONFIG_MAX (16u << 20)

struct xl_header {
    char magic[32];
    uint32_t byteorder, mandatory_flags, optional_flags, optional_data_len;
};

static int read_exact(int fd, void *buf, size_t len)
{
    char *p = buf;

    while (len) {
        ssize_t r = read(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? -errno : -ENODATA;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

/* The JSON of the saved configuration, NUL-terminated (*json malloc'd). */
static int read_config(struct sriov_hv *hv, const char *path, int fd, char **json)
{
    struct xl_header h;
    uint32_t len = 0;
    int rc;

    *json = NULL;
    rc = read_exact(fd, &h, sizeof(h));
    if (rc == -ENODATA)
        return sriov__fail(hv->ctx, -EINVAL, "%s: too short to be a domain saved by xl", path);
    if (!rc && memcmp(h.magic, xl_magic, sizeof(xl_magic)))
        return sriov__fail(hv->ctx, -EINVAL, "%s: not a domain saved by xl (wrong magic)",
                           path);
    if (!rc && h.byteorder != XL_BYTEORDER)
        return sriov__fail(hv->ctx, -EINVAL, "%s: saved on a host of another byte order",
                           path);
    if (!rc && !(h.mandatory_flags & XL_FLAG_JSON))
        return sriov__fail(hv->ctx, -EINVAL, "%s: its configuration is not JSON (saved by an "
                           "xl older than 4.5)", path);
    if (!rc && h.optional_data_len < sizeof(len))
        return sriov__fail(hv->ctx, -EINVAL, "%s: no domain configuration in it", path);
    if (!rc)
        rc = read_exact(fd, &len, sizeof(len));
    if (!rc && (len == 0 || len > CONFIG_MAX || len > h.optional_data_len - sizeof(len)))
        return sriov__fail(hv->ctx, -EINVAL, "%s: a configuration of %u bytes in %u of "
                           "optional data", path, len, h.optional_data_len);
    if (!rc && !(*json = malloc((size_t)len + 1)))
        return -ENOMEM;
    if (!rc)
        rc = read_exact(fd, *json, len);
    if (rc) {
        free(*json);
        *json = NULL;
        return sriov__fail(hv->ctx, rc == -ENODATA ? -EINVAL : rc, "%s: cannot read it: %s",
                           path, rc == -ENODATA ? "cut short" : strerror(-rc));
    }
    (*json)[len] = '\0';
    return 0;
}

int sriov__lx_saved_domain(struct sriov_hv *hv, const char *path, struct sriov_hv_domain *out)
{
    static const char *uuid_path[] = { "c_info", "uuid", NULL };
    static const char *name_path[] = { "c_info", "name", NULL };
    char *json = NULL, why[128] = "";
    yajl_val root = NULL, uuid, name;
    struct stat st;
    int fd, rc;

    memset(out, 0, sizeof(*out));
    /* Non-blocking: a FIFO without a writer must not hang us.  And only a
     * regular file: what is read here from a pipe, xl would not read again. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return sriov__fail(hv->ctx, -errno, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return sriov__fail(hv->ctx, -EINVAL, "%s: not a regular file (which domain it holds "
                           "is read from it before xl restores it)", path);
    }
    rc = read_config(hv, path, fd, &json);
    close(fd);
    if (rc)
        return rc;
    root = yajl_tree_parse(json, why, sizeof(why));
    uuid = root ? yajl_tree_get(root, uuid_path, yajl_t_string) : NULL;
    name = root ? yajl_tree_get(root, name_path, yajl_t_string) : NULL;
    if (!root)
        rc = sriov__fail(hv->ctx, -EINVAL, "%s: its configuration is not JSON: %s", path, why);
    else if (!uuid || sriov__uuid_parse(YAJL_GET_STRING(uuid), out->uuid))
        rc = sriov__fail(hv->ctx, -EINVAL, "%s: its configuration names no UUID", path);
    else if (name && YAJL_GET_STRING(name))
        sriov__utf8_copy(out->name, sizeof(out->name), YAJL_GET_STRING(name));
    yajl_tree_free(root);
    free(json);
    if (rc)
        memset(out, 0, sizeof(*out));
    return rc;
}
