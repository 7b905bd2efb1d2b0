/*
 * The destination half of a migration runs as `xl-sriov migrate-incoming` on
 * the destination, reached the way xl reaches `xl migrate-receive`: `ssh HOST`,
 * or `-s SSHCMD` (xl passes "SSHCMD HOST" to sh; so do we, the user's text
 * being a shell command by xl's definition), or --sriov-transport CMD (needed
 * with -s '', where HOST is xl's receiver command).  Our own arguments are
 * never put into that shell text: they follow as "$@".  Its stdin and stdout are
 * a line protocol (cmd_migrate.c); its stderr is ours, so its messages show.
 * A separate session from xl's: the receiver's stdout, xl's protocol, is
 * never touched.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xl-sriov.h"

extern char **environ;

int transport_open(struct cli *cli, const struct transport_spec *ts, char *const *args,
                   size_t n_args, struct transport *t)
{
    posix_spawn_file_actions_t fa;
    int in[2] = { -1, -1 }, out[2] = { -1, -1 }, rc;
    char **argv = calloc(n_args + 6, sizeof(*argv)), *script = NULL;
    size_t k = 0;

    t->pid = -1;
    t->to = t->from = -1;
    t->len = 0;
    if (!argv)
        return -ENOMEM;
    if (ts->command) {
        script = NULL;
        if (asprintf(&script, "exec %s \"$@\"", ts->command) < 0)
            script = NULL;
    } else if (ts->sshcmd) {
        if (asprintf(&script, "exec %s %s \"$@\"", ts->sshcmd, ts->host) < 0)
            script = NULL;
    }
    if ((ts->command || ts->sshcmd) && !script) {
        free(argv);
        return -ENOMEM;
    }
    if (script) {
        argv[k++] = (char *)"sh";
        argv[k++] = (char *)"-c";
        argv[k++] = script;
        argv[k++] = (char *)"xl-sriov-transport"; /* $0 */
    } else {
        argv[k++] = (char *)"ssh";
        argv[k++] = (char *)ts->host;
    }
    for (size_t i = 0; i < n_args; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
        rc = -errno;
        goto out;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    rc = -posix_spawnp(&t->pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) {
        cli_log(cli, XTL_ERROR, "cannot run %s: %s", argv[0], strerror(-rc));
        t->pid = -1;
        goto out;
    }
    t->to = in[1];
    t->from = out[0];
    in[1] = out[0] = -1;
out:
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0)
            close(in[i]);
        if (out[i] >= 0)
            close(out[i]);
    }
    free(script);
    free(argv);
    return rc;
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int transport_read_line(struct transport *t, char *line, size_t size, int timeout_ms)
{
    long deadline = now_ms() + timeout_ms;

    for (;;) {
        char *nl = memchr(t->buf, '\n', t->len);
        struct pollfd p = { .fd = t->from, .events = POLLIN };
        long left = deadline - now_ms();
        ssize_t n;

        if (nl) {
            size_t len = (size_t)(nl - t->buf);
            snprintf(line, size, "%.*s", (int)len, t->buf);
            memmove(t->buf, nl + 1, t->len - len - 1);
            t->len -= len + 1;
            return 0;
        }
        if (t->len == sizeof(t->buf))
            return -EPROTO; /* a line longer than any we send */
        if (timeout_ms >= 0 && left <= 0)
            return -ETIMEDOUT;
        if (poll(&p, 1, timeout_ms >= 0 ? (int)left : -1) < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        n = read(t->from, t->buf + t->len, sizeof(t->buf) - t->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -EPIPE;
        t->len += (size_t)n;
    }
}

int transport_send(struct transport *t, const char *line)
{
    size_t len = strlen(line);
    struct sigaction ign = { .sa_handler = SIG_IGN }, old;
    ssize_t n;

    /* The far end may be gone: that is an answer (EPIPE), not a reason to die. */
    sigaction(SIGPIPE, &ign, &old);
    n = write(t->to, line, len);
    if (n == (ssize_t)len)
        n = write(t->to, "\n", 1) == 1 ? (ssize_t)len : -1;
    sigaction(SIGPIPE, &old, NULL);
    return n == (ssize_t)len ? 0 : -EPIPE;
}

int transport_close(struct transport *t)
{
    int status = 0;

    if (t->to >= 0)
        close(t->to);
    if (t->from >= 0)
        close(t->from);
    t->to = t->from = -1;
    if (t->pid > 0)
        while (waitpid(t->pid, &status, 0) < 0 && errno == EINTR)
            ;
    t->pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
