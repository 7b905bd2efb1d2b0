/* Loading backend modules by name (backend.h). */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "core/backend.h"

struct sriov__modules {
    char *name;
    void *handle;
    const struct sriov__backend *backend;
    struct sriov__modules *next;
};

static const char *backend_dir(void)
{
    const char *dir = secure_getenv("SRIOV_BACKEND_DIR");

    return dir && *dir ? dir : SRIOV_BACKEND_DIR_DEFAULT;
}

static int open_module(struct sriov_ctx *ctx, const char *what, const char *name,
                       struct sriov__modules **ret)
{
    struct sriov__modules *m = NULL;
    const struct sriov__backend *b;
    char path[PATH_MAX];
    void *handle;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s.so", backend_dir(), name) >= sizeof(path))
        return sriov__fail(ctx, -ENAMETOOLONG, "%s backend '%s': path too long", what, name);
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle)
        return sriov__fail(ctx, -ENOENT, "%s backend '%s': cannot load %s: %s", what, name,
                           path, dlerror());
    b = dlsym(handle, "sriov_backend");
    if (!b || b->abi != SRIOV__BACKEND_ABI || b->ctx_size != sizeof(struct sriov_ctx)) {
        dlclose(handle);
        return sriov__fail(ctx, -ENOEXEC, "%s backend '%s': %s was not built from this "
                           "libsriov", what, name, path);
    }
    m = calloc(1, sizeof(*m));
    if (!m || !(m->name = strdup(name))) {
        free(m);
        dlclose(handle);
        return -ENOMEM;
    }
    m->handle = handle;
    m->backend = b;
    *ret = m;
    return 0;
}

int sriov__backend_resolve(struct sriov_ctx *ctx, const char *what, const char *spec,
                           const char *builtin, size_t open_offset,
                           const struct sriov__backend **ret, const char **arg)
{
    const char *colon = strchr(spec, ':');
    struct sriov__modules *m;
    char name[64];
    size_t len;
    int rc;

    *ret = NULL;
    *arg = "";
    if (!strcmp(spec, builtin))
        return 0;
    len = colon ? (size_t)(colon - spec) : 0;
    /* A module name is one plain word: nothing that could leave the backend dir. */
    if (!colon || !len || len >= sizeof(name) ||
        strspn(spec, "abcdefghijklmnopqrstuvwxyz0123456789_-") != len)
        return sriov__fail(ctx, -EINVAL, "unknown %s backend '%s' (expected a built-in one "
                           "or MODULE:ARG)", what, spec);
    memcpy(name, spec, len);
    name[len] = '\0';
    *arg = colon + 1;
    for (m = ctx->modules; m; m = m->next)
        if (!strcmp(m->name, name))
            break;
    if (!m) {
        rc = open_module(ctx, what, name, &m);
        if (rc)
            return rc;
        m->next = ctx->modules;
        ctx->modules = m;
    }
    if (!*(void *const *)((const char *)m->backend + open_offset))
        return sriov__fail(ctx, -EINVAL, "module '%s' has no %s backend", name, what);
    *ret = m->backend;
    return 0;
}

void sriov__backends_unload(struct sriov_ctx *ctx)
{
    while (ctx->modules) {
        struct sriov__modules *m = ctx->modules;
        ctx->modules = m->next;
        dlclose(m->handle);
        free(m->name);
        free(m);
    }
}
