/*
 * sriov_pf_set_numvfs() when the kernel does not deliver: on a static tree
 * (plain files, no kernel semantics) the count is written but no VF appears,
 * so the call must time out, say so, and put the count and autoprobe back.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "sriov.h"

extern char **environ;

static int build_tree(const char *root)
{
    const char *sim = getenv("SRIOV_SIM");
    char *argv[] = { (char *)sim, "build", "--host", "82599 x1 numvfs=2", (char *)root, NULL };
    pid_t pid;
    int status;

    if (!sim || posix_spawn(&pid, sim, NULL, NULL, argv, environ) != 0)
        return -1;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return 0;
}

static void read_file(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");

    buf[0] = '\0';
    if (f) {
        if (!fgets(buf, (int)len, f))
            buf[0] = '\0';
        fclose(f);
    }
    buf[strcspn(buf, "\n")] = '\0';
}

int main(void)
{
    char tmpl[] = "/tmp/xen-sriov-unit.XXXXXX", root[256], path[PATH_MAX], val[32];
    char run[300], state[300];
    struct sriov_ctx_opts opts = { .settle_timeout_ms = 200 };
    struct sriov_ctx *ctx = NULL;
    struct sriov_pf *pf;
    char *argv_rm[] = { "rm", "-rf", tmpl, NULL };
    pid_t pid;
    int rc, status;

    if (!mkdtemp(tmpl)) {
        printf("FAIL: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    snprintf(root, sizeof(root), "%s/sys", tmpl);
    if (build_tree(root)) {
        printf("FAIL: build static tree with $SRIOV_SIM\n");
        return 1;
    }
    opts.sysfs_root = root;
    /* sriov_pf_set_numvfs() takes the assignments lock and reads the records. */
    snprintf(run, sizeof(run), "%s/run", tmpl);
    snprintf(state, sizeof(state), "%s/state", tmpl);
    opts.run_dir = run;
    opts.state_dir = state;
    rc = sriov_ctx_new(&ctx, &opts);
    CHECK_INT("ctx on the static tree", rc, 0);
    rc = sriov_ctx_scan(ctx);
    CHECK_INT("scan", rc, 0);
    CHECK_INT("two PFs", sriov_ctx_pf_count(ctx), 2);
    pf = sriov_ctx_pf(ctx, 0);
    CHECK_INT("PF starts with 2 VFs", sriov_pf_vf_count(pf), 2);

    rc = sriov_pf_set_numvfs(ctx, pf, 4, 0);
    CHECK_INT("VFs that never appear time out", rc, -ETIMEDOUT);
    CHECK("the error says what did not appear",
          strstr(sriov_ctx_last_error(ctx), "did not appear") != NULL);
    snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/sriov_numvfs", root,
             sriov_dev_bdf(sriov_pf_dev(pf)));
    read_file(path, val, sizeof(val));
    CHECK_STR("rollback wrote the old count back", val, "2");
    snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/sriov_drivers_autoprobe", root,
             sriov_dev_bdf(sriov_pf_dev(pf)));
    read_file(path, val, sizeof(val));
    CHECK_STR("rollback restored autoprobe", val, "1");
    CHECK_INT("handle still shows the host's 2 VFs", sriov_pf_vf_count(pf), 2);

    rc = sriov_pf_set_numvfs(ctx, pf, 64, 0);
    CHECK_INT("above totalvfs is EINVAL", rc, -EINVAL);
    rc = sriov_pf_set_numvfs(ctx, pf, 2, 0);
    CHECK_INT("same count is a no-op", rc, 0);

    sriov_ctx_free(ctx);
    if (posix_spawnp(&pid, "rm", NULL, NULL, argv_rm, environ) == 0)
        waitpid(pid, &status, 0);
    return HARNESS_EXIT();
}
