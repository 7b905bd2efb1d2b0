/* Small helpers with no knowledge of devices (util.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/util.h"

int sriov__parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 0);
    if (!*s || *end || errno || v < min || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

int sriov__strv_push(char ***v, size_t *n, char *s)
{
    char **nv;

    if (!s)
        return -ENOMEM;
    nv = realloc(*v, (*n + 1) * sizeof(*nv));
    if (!nv) {
        free(s);
        return -ENOMEM;
    }
    nv[(*n)++] = s;
    *v = nv;
    return 0;
}

void sriov__strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

char *sriov__asprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}
