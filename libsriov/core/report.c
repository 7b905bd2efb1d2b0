/* Reports of repairing calls (report.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "core/report.h"

struct report_item {
    char *action;
    char *subject;
    char *detail;
};

struct sriov_report {
    struct report_item *v;
    size_t n;
};

int sriov__report_new(struct sriov_report **ret)
{
    *ret = calloc(1, sizeof(**ret));
    return *ret ? 0 : -ENOMEM;
}

int sriov__report_add(struct sriov_report *r, const char *action, const char *subject,
                      const char *format, ...)
{
    struct report_item it = { strdup(action), strdup(subject), NULL }, *nv;
    va_list args;
    int n;

    va_start(args, format);
    n = vasprintf(&it.detail, format, args);
    va_end(args);
    nv = n < 0 ? NULL : realloc(r->v, (r->n + 1) * sizeof(*nv));
    if (!nv || !it.action || !it.subject) {
        free(it.action);
        free(it.subject);
        free(n < 0 ? NULL : it.detail);
        if (nv)
            r->v = nv;
        return -ENOMEM;
    }
    r->v = nv;
    r->v[r->n++] = it;
    return 0;
}

size_t sriov_report_count(const struct sriov_report *r)
{
    return r->n;
}

static const struct report_item *item(const struct sriov_report *r, size_t i)
{
    return i < r->n ? &r->v[i] : NULL;
}

const char *sriov_report_action(const struct sriov_report *r, size_t i)
{
    return item(r, i) ? item(r, i)->action : NULL;
}

const char *sriov_report_subject(const struct sriov_report *r, size_t i)
{
    return item(r, i) ? item(r, i)->subject : NULL;
}

const char *sriov_report_detail(const struct sriov_report *r, size_t i)
{
    return item(r, i) ? item(r, i)->detail : NULL;
}

void sriov_report_free(struct sriov_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].action);
        free(r->v[i].subject);
        free(r->v[i].detail);
    }
    free(r->v);
    free(r);
}
