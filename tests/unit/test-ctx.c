/* Context options, defaults, errors and the log callback. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <syslog.h>

#include "harness.h"
#include "sriov.h"

struct captured {
    int calls;
    int priority;
    char text[256];
};

static void capture(void *data, int priority, const char *file, int line, const char *fn,
                    const char *format, va_list args)
{
    struct captured *c = data;

    (void)file;
    (void)line;
    (void)fn;
    c->calls++;
    c->priority = priority;
    vsnprintf(c->text, sizeof(c->text), format, args);
}

int main(void)
{
    struct sriov_ctx_opts opts = { .sysfs_root = "/nonexistent/sys///" };
    struct sriov_ctx *ctx = NULL;
    struct sriov_pf *pf = NULL;
    struct captured cap = { 0 };
    int rc;

    rc = sriov_ctx_new(&ctx, NULL);
    CHECK_INT("ctx_new with NULL opts", rc, 0);
    CHECK_STR("default sysfs root", sriov_ctx_sysfs_root(ctx), "/sys");
    CHECK_STR("no error yet", sriov_ctx_last_error(ctx), "");
    sriov_ctx_free(ctx);
    sriov_ctx_free(NULL); /* a no-op, must not crash */

    rc = sriov_ctx_new(&ctx, &opts);
    CHECK_INT("ctx_new with a root", rc, 0);
    CHECK_STR("trailing slashes dropped", sriov_ctx_sysfs_root(ctx), "/nonexistent/sys");

    sriov_ctx_set_log_fn(ctx, capture, &cap);
    sriov_ctx_set_log_priority(ctx, LOG_DEBUG);
    CHECK_INT("log priority set", sriov_ctx_get_log_priority(ctx), LOG_DEBUG);

    rc = sriov_ctx_scan(ctx);
    CHECK_INT("scan of a missing root fails with ENOENT", rc, -ENOENT);
    CHECK("scan error names the path", strstr(sriov_ctx_last_error(ctx),
                                              "/nonexistent/sys/bus/pci/devices") != NULL);
    CHECK("failure was logged at debug", cap.calls > 0 && cap.priority == LOG_DEBUG);

    rc = sriov_pf_find(ctx, "../../etc", &pf);
    CHECK_INT("selector escaping the root is EINVAL", rc, -EINVAL);
    CHECK("rejected selector leaves no PF", pf == NULL);
    rc = sriov_pf_find(ctx, "averyveryverylongifname", &pf);
    CHECK_INT("over-long interface name is EINVAL", rc, -EINVAL);

    sriov_ctx_set_log_priority(ctx, LOG_ERR);
    cap.calls = 0;
    rc = sriov_ctx_scan(ctx);
    CHECK_INT("scan still fails", rc, -ENOENT);
    CHECK_INT("debug messages filtered at LOG_ERR", cap.calls, 0);
    sriov_ctx_free(ctx);
    return HARNESS_EXIT();
}
