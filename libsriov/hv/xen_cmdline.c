/*
 * Whether Xen's command line turns the PCI quarantine off.  Xen 4.17 has no
 * query for it, so its command line (libxl_version_info.commandline) is read the
 * way Xen reads it (xen/common/kernel.c: cmdline_parse, parse_bool,
 * parse_boolean; xen/drivers/passthrough/iommu.c: parse_iommu_param;
 * docs/misc/xen-command-line.pandoc):
 *
 *   options are separated by blanks; the last one of a name counts;
 *   iommu=<boolean> | List of [ <boolean>, quarantine=<bool>|scratch-page,
 *                               force|required, ... ]  (comma-separated)
 *   a boolean is 0/1, no/yes, false/true, off/on, disable/enable;
 *   inside the list, NAME alone is NAME=1 and no-NAME is NAME=0;
 *   "no-iommu" on its own is iommu=no.
 *
 * Turning the IOMMU off is left to physinfo (hvm_directio); this answers only for
 * the quarantine, which is on unless a setting turns it off.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "hv/hv.h"

/* Xen's parse_bool over [s, e): 1, 0, or -1 when it is no boolean. */
static int xen_bool(const char *s, const char *e)
{
    static const struct {
        const char *word;
        int value;
    } words[] = {
        { "1", 1 },     { "0", 0 },      { "on", 1 },     { "no", 0 },       { "yes", 1 },
        { "off", 0 },   { "true", 1 },   { "false", 0 },  { "enable", 1 },   { "disable", 0 },
    };
    size_t len = (size_t)(e - s);

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strlen(words[i].word) == len && !strncmp(words[i].word, s, len))
            return words[i].value;
    return -1;
}

/* Xen's parse_boolean(name, s, e): NAME -> 1, no-NAME -> 0, NAME=<bool> -> it;
 * -2 when NAME= is followed by something else (quarantine=scratch-page), -1 when
 * the item is not about NAME. */
static int xen_boolean(const char *name, const char *s, const char *e)
{
    size_t nlen = strlen(name);
    bool neg = (size_t)(e - s) >= 3 && !strncmp(s, "no-", 3);
    int b;

    if (neg)
        s += 3;
    if ((size_t)(e - s) < nlen || strncmp(s, name, nlen))
        return -1;
    if ((size_t)(e - s) == nlen)
        return !neg;
    if (neg || s[nlen] != '=')
        return -1;
    b = xen_bool(s + nlen + 1, e);
    return b >= 0 ? b : -2;
}

/* One iommu= value: updates *on for each item about the quarantine. */
static void iommu_value(const char *s, const char *e, bool *on)
{
    while (s < e) {
        const char *comma = memchr(s, ',', (size_t)(e - s));
        const char *end = comma ? comma : e;
        int v;

        /* The order of parse_iommu_param: a bare boolean is the IOMMU itself. */
        if (xen_bool(s, end) < 0) {
            v = xen_boolean("quarantine", s, end);
            if (v >= 0)
                *on = v;
            else if (v == -2 && end - s == 23 && !strncmp(s, "quarantine=scratch-page", 23))
                *on = true;
        }
        s = comma ? comma + 1 : e;
    }
}

bool sriov__xen_quarantine_on(const char *cmdline)
{
    bool on = true;
    const char *p = cmdline;

    while (p && *p) {
        const char *end;
        p += strspn(p, " \t");
        end = p + strcspn(p, " \t");
        if (end == p)
            break;
        /* Past " -- " come dom0's options, not Xen's. */
        if (end - p == 2 && !strncmp(p, "--", 2))
            break;
        if (end - p > 6 && !strncmp(p, "iommu=", 6))
            iommu_value(p + 6, end, &on);
        p = end;
    }
    return on;
}
