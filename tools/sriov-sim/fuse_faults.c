/*
 * mount --faults FILE, for the failure and crash tests: the attribute's name
 * on a line of FILE makes its writes fail (FAULT_FAIL); "kill:NAME" or
 * "kill:NAME=VALUE" has the write take effect and then SIGKILLs the writer
 * (FAULT_KILL), a crash at exactly that point for the kill -9 tests.
 * "NAME=VALUE" fails only writes of VALUE.  "EPERM:NAME..." or "EBUSY:NAME..."
 * fails with that errno instead of EIO: the kernel's answer when, say, a PF
 * driver refuses to remove VFs one of which is still assigned to a guest.
 * A "#N" suffix on any of these
 * picks the Nth such write of the writing process (counted per process, pid
 * and start time).  "trace:PATH" appends "sysfs:NAME=VALUE#N" for every write
 * to PATH before it takes effect: the line that would fail it.  FILE is read
 * at every write, so tests change it between commands without remounting.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuse_fs.h"

/* How often each process wrote NAME, and VALUE to NAME ("NAME=VALUE"). */
struct write_count {
    struct write_count *next;
    int pid;
    unsigned long long start;
    unsigned int n;
    char key[];
};
static struct write_count *write_counts;

static unsigned long long proc_start(int pid)
{
    char path[64], buf[1024], *p;
    unsigned long long start = 0;
    size_t len;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    if (!(f = fopen(path, "re")))
        return 0;
    len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    p = strrchr(buf, ')'); /* then fields 3..: starttime is field 22 */
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p)
        start = strtoull(p + 1, NULL, 10);
    return start;
}

/* Count one more write of key by pid; returns the count.  Most recently used
 * first; beyond 4096 counts the least recently used (dead processes') go. */
static unsigned int count_write(int pid, unsigned long long start, const char *key)
{
    struct write_count **pp = &write_counts, *c;
    size_t n = 0;

    while ((c = *pp)) {
        if ((c->pid == pid && c->start != start) || n >= 4096) { /* pid reused; old */
            *pp = c->next;
            free(c);
            continue;
        }
        if (c->pid == pid && !strcmp(c->key, key)) {
            *pp = c->next;
            c->next = write_counts;
            write_counts = c;
            return ++c->n;
        }
        pp = &c->next;
        n++;
    }
    c = calloc(1, sizeof(*c) + strlen(key) + 1);
    if (!c)
        return 0;
    c->pid = pid;
    c->start = start;
    c->n = 1;
    strcpy(c->key, key);
    c->next = write_counts;
    write_counts = c;
    return 1;
}

/* An "EPERM:" or "EBUSY:" prefix: the errno the failure answers with. */
static int errno_prefix(char **spec)
{
    static const struct {
        const char *prefix;
        int err;
    } known[] = { { "EPERM:", EPERM }, { "EBUSY:", EBUSY } };

    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (!strncmp(*spec, known[i].prefix, strlen(known[i].prefix))) {
            *spec += strlen(known[i].prefix);
            return known[i].err;
        }
    return EIO;
}

enum fault fault_check(const char *faults, int pid, const char *name, const char *buf,
                       size_t size, int *err)
{
    unsigned long long start;
    enum fault hit = FAULT_NONE;
    unsigned int nth_name, nth_value;
    size_t vlen = size;
    char line[512], key[512];
    FILE *f;

    if (!faults || !(f = fopen(faults, "re")))
        return FAULT_NONE;
    while (vlen > 0 && (buf[vlen - 1] == '\n' || buf[vlen - 1] == '\0'))
        vlen--;
    start = proc_start(pid);
    nth_name = count_write(pid, start, name);
    snprintf(key, sizeof(key), "%s=%.*s", name, (int)vlen, buf);
    nth_value = count_write(pid, start, key);
    while (fgets(line, sizeof(line), f)) {
        char *spec = line, *hash, *end;
        bool kill = false;
        unsigned long nth = 0;
        int line_err;

        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "trace:", 6)) {
            FILE *t = fopen(line + 6, "ae");
            if (t) {
                fprintf(t, "sysfs:%s#%u\n", key, nth_value);
                fclose(t);
            }
            continue;
        }
        if (hit != FAULT_NONE)
            continue;
        if (!strncmp(spec, "kill:", 5)) {
            kill = true;
            spec += 5;
        }
        line_err = errno_prefix(&spec);
        hash = strrchr(spec, '#');
        if (hash && hash[1]) {
            nth = strtoul(hash + 1, &end, 10);
            if (*end)
                continue;
            *hash = '\0';
        }
        if (strchr(spec, '=') ? strcmp(spec, key) : strcmp(spec, name))
            continue;
        if (nth && nth != (strchr(spec, '=') ? nth_value : nth_name))
            continue;
        hit = kill ? FAULT_KILL : FAULT_FAIL;
        *err = line_err;
    }
    fclose(f);
    return hit;
}
