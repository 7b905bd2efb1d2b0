/*
 * "mount": serve the model over FUSE.  The mount is made before we go to
 * the background, and the parent only exits once the child has written the
 * pidfile, so when "sriov-sim mount" returns the tree is usable and the
 * pidfile is there.  One thread serves the requests (fuse_fs.c); the
 * notifier thread (fuse_inval.c) only starts after the fork: it would not
 * survive it, and ASan wants no threads at fork time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuse_fs.h"

static int write_pidfile(const char *path)
{
    FILE *f = fopen(path, "w");
    int rc = -1;

    if (!f) {
        fprintf(stderr, "sriov-sim: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (fprintf(f, "%ld\n", (long)getpid()) > 0)
        rc = 0;
    if (fclose(f))
        rc = -1;
    return rc;
}

static void redirect_stdio(void)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

    if (fd < 0)
        return;
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO)
        close(fd);
}

/* Returns 0 in the child; the parent exits with the child's verdict. */
static int daemonize(const char *pidfile)
{
    int pipefd[2];
    char status = 1;
    pid_t pid;

    if (pipe(pipefd)) {
        perror("sriov-sim: pipe");
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        perror("sriov-sim: fork");
        return -1;
    }
    if (pid > 0) {
        close(pipefd[1]);
        if (read(pipefd[0], &status, 1) != 1)
            status = 1;
        _exit(status ? 1 : 0);
    }
    close(pipefd[0]);
    setsid();
    if (pidfile && write_pidfile(pidfile)) {
        (void)!write(pipefd[1], &status, 1);
        return -1;
    }
    if (chdir("/"))
        perror("sriov-sim: chdir /");
    redirect_stdio();
    status = 0;
    (void)!write(pipefd[1], &status, 1);
    close(pipefd[1]);
    return 0;
}

int fuse_run(struct sim *sim, const char *mountpoint, const struct mount_opts *opts)
{
    struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
    struct simfs fs = {
        .sim = sim,
        .jobs_lock = PTHREAD_MUTEX_INITIALIZER,
        .jobs_cond = PTHREAD_COND_INITIALIZER,
    };
    bool mounted = false, handlers = false, stuck;
    int rc = -1;

    /* allow_other lets unprivileged test code read a root-made mount. */
    if (fuse_opt_add_arg(&args, "sriov-sim") ||
        fuse_opt_add_arg(&args, "-o") ||
        fuse_opt_add_arg(&args, geteuid() == 0 ?
                         "default_permissions,allow_other,fsname=sriov-sim,subtype=sriov-sim" :
                         "default_permissions,fsname=sriov-sim,subtype=sriov-sim") ||
        (opts->debug && fuse_opt_add_arg(&args, "-d")))
        goto out;
    sim->faults = opts->faults;
    fs.se = fuse_session_new(&args, &sim_fuse_ops, sizeof(sim_fuse_ops), &fs);
    if (!fs.se)
        goto out;
    if (fuse_session_mount(fs.se, mountpoint))
        goto out;
    mounted = true;
    if (!opts->foreground) {
        if (daemonize(opts->pidfile))
            goto out;
    } else if (opts->pidfile && write_pidfile(opts->pidfile)) {
        goto out;
    }
    if (fuse_set_signal_handlers(fs.se))
        goto out;
    handlers = true;
    if (inval_start(&fs))
        goto out;
    rc = fuse_session_loop(fs.se) ? -1 : 0;
out:
    /* A notifier still stuck uses the session: our exit closes it for both. */
    stuck = inval_stop(&fs) != 0;
    if (handlers)
        fuse_remove_signal_handlers(fs.se);
    if (mounted && !stuck)
        fuse_session_unmount(fs.se);
    if (fs.se && !stuck)
        fuse_session_destroy(fs.se);
    if (opts->pidfile && mounted)
        unlink(opts->pidfile);
    fuse_opt_free_args(&args);
    return rc;
}
