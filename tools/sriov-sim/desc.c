/*
 * Host descriptions: "MODEL [xCOUNT] [key=value ...]" cards separated by ';'
 * or newlines, '#' starts a comment. Everything wrong is reported with the
 * card it came from, because descriptions are typed by hand in tests.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define MAX_PORTS 8
#define MAX_COUNT 1024

static int parse_ulong(const char *s, int base, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    v = strtoul(s, &end, base);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int bad(const char *origin, unsigned card, const char *what, const char *detail)
{
    fprintf(stderr, "sriov-sim: %s: card %u: %s%s%s\n", origin, card, what,
            detail ? ": " : "", detail ? detail : "");
    return -1;
}

/* One key=value (or bare flag) of a card. */
static int parse_key(struct card_spec *c, char *word, const char *origin, unsigned idx,
                     bool *numvfs_set)
{
    char *eq = strchr(word, '=');
    const char *val = eq ? eq + 1 : NULL;
    unsigned long v;

    if (!strcmp(word, "nodriver")) {
        c->nodriver = true;
        return 0;
    }
    if (!eq)
        return bad(origin, idx, "unknown key (expected key=value or nodriver)", word);
    *eq = '\0';
    if (!strcmp(word, "vfs")) {
        if (parse_ulong(val, 10, 0xffff, &v) || v == 0)
            return bad(origin, idx, "vfs must be 1..65535", val);
        c->totalvfs = (unsigned)v;
    } else if (!strcmp(word, "ports")) {
        if (parse_ulong(val, 10, MAX_PORTS, &v) || v == 0)
            return bad(origin, idx, "ports must be 1..8", val);
        c->ports = (unsigned)v;
    } else if (!strcmp(word, "numvfs")) {
        if (parse_ulong(val, 10, 0xffff, &v))
            return bad(origin, idx, "numvfs must be a number", val);
        c->numvfs = (unsigned)v;
        *numvfs_set = true;
    } else if (!strcmp(word, "autoprobe")) {
        if (strcmp(val, "0") && strcmp(val, "1"))
            return bad(origin, idx, "autoprobe must be 0 or 1", val);
        c->autoprobe = val[0] == '1';
    } else if (!strcmp(word, "numa")) {
        char *end;
        long n;

        errno = 0;
        n = strtol(val, &end, 10);
        if (!*val || *end || errno || n < -1 || n > 63)
            return bad(origin, idx, "numa must be -1..63", val);
        c->numa_node = (int)n;
    } else if (!strcmp(word, "domain")) {
        if (!strncmp(val, "0x", 2) || !strncmp(val, "0X", 2))
            val += 2;
        if (parse_ulong(val, 16, 0xffff, &v))
            return bad(origin, idx, "domain must be hex 0..ffff", val);
        c->domain = (int)v;
    } else {
        return bad(origin, idx, "unknown key", word);
    }
    return 0;
}

static int parse_card(char *text, const char *origin, unsigned idx, struct host_spec *spec)
{
    struct card_spec c = { .autoprobe = true, .numa_node = -1, .domain = -1 };
    unsigned long count = 1;
    bool numvfs_set = false;
    char *save = NULL, *word = strtok_r(text, " \t\r", &save);
    char known[128];

    c.model = model_find(word);
    if (!c.model) {
        models_list(known, sizeof(known));
        fprintf(stderr, "sriov-sim: %s: card %u: unknown model '%s' (known: %s)\n",
                origin, idx, word, known);
        return -1;
    }
    c.ports = c.model->ports;
    c.totalvfs = c.model->totalvfs;
    while ((word = strtok_r(NULL, " \t\r", &save))) {
        if (word[0] == 'x' && word[1] >= '0' && word[1] <= '9') {
            if (parse_ulong(word + 1, 10, MAX_COUNT, &count) || count == 0)
                return bad(origin, idx, "count must be x1..x1024", word);
            continue;
        }
        if (parse_key(&c, word, origin, idx, &numvfs_set))
            return -1;
    }
    if (!c.model->totalvfs && (c.totalvfs || numvfs_set || !c.autoprobe))
        return bad(origin, idx, "this model has no SR-IOV capability", c.model->name);
    if (c.numvfs > c.totalvfs)
        return bad(origin, idx, "numvfs is above vfs", NULL);
    if (c.nodriver && c.numvfs)
        return bad(origin, idx, "numvfs needs a PF driver (drop nodriver)", NULL);
    spec->cards = xrealloc(spec->cards, (spec->n_cards + count) * sizeof(*spec->cards));
    while (count--)
        spec->cards[spec->n_cards++] = c;
    return 0;
}

int desc_parse(const char *text, const char *origin, struct host_spec *spec)
{
    char *copy = xstrdup(text), *p = copy, *save = NULL, *card;
    unsigned idx = 0;
    int rc = 0;

    /* Comments run to the end of the line; blank them out first. */
    while ((p = strchr(p, '#')))
        while (*p && *p != '\n')
            *p++ = ' ';
    for (card = strtok_r(copy, ";\n", &save); card; card = strtok_r(NULL, ";\n", &save)) {
        if (strspn(card, " \t\r") == strlen(card))
            continue;
        if (parse_card(card, origin, ++idx, spec)) {
            rc = -1;
            goto out;
        }
    }
    if (!spec->n_cards) {
        fprintf(stderr, "sriov-sim: %s: no cards in the host description\n", origin);
        rc = -1;
    }
out:
    free(copy);
    return rc;
}

int desc_read_file(const char *path, struct host_spec *spec)
{
    struct strbuf sb = { 0 };
    char chunk[4096];
    size_t n;
    FILE *f = fopen(path, "r");
    int rc = -1;

    if (!f) {
        fprintf(stderr, "sriov-sim: %s: %s\n", path, strerror(errno));
        goto out;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        strbuf_append(&sb, chunk, n);
    if (ferror(f)) {
        fprintf(stderr, "sriov-sim: %s: read error\n", path);
        goto out;
    }
    rc = desc_parse(sb.data ? sb.data : "", path, spec);
out:
    if (f)
        fclose(f);
    strbuf_free(&sb);
    return rc;
}

void desc_free(struct host_spec *spec)
{
    free(spec->cards);
    spec->cards = NULL;
    spec->n_cards = 0;
}
