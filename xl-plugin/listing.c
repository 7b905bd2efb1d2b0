/*
 * Listings: one table of columns per listing drives both the text table and
 * the --json array, so the two outputs cannot drift apart.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "xl-sriov.h"

struct list {
    const struct column *cols;
    yajl_gen g;                   /* --json; NULL for the text table */
    bool header_shown;
};

static bool is_end(const struct column *col)
{
    return !col->header && !col->key;
}

/* By hand, not snprintf: pf-list --json has one for each of thousands of VFs. */
void cell_num(struct cell *c, long long v)
{
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    char *p = c->buf + sizeof(c->buf);

    *--p = '\0';
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    c->s = p;
}

void cell_opt_num(struct cell *c, long long v)
{
    if (v < 0)
        c->s = NULL;
    else
        cell_num(c, v);
}

void cell_hex(struct cell *c, int digits, unsigned int v)
{
    snprintf(c->buf, sizeof(c->buf), "%0*x", digits, v);
    c->s = c->buf;
}

/* ASCII is UTF-8 already: json_str's cleaning copy, one per string of every VF in
 * pf-list --json, would change nothing. */
static void cell_str(yajl_gen g, const char *s)
{
    size_t n = 0;

    while (s[n] && !(s[n] & 0x80))
        n++;
    if (s[n])
        json_str(g, s);
    else
        yajl_gen_string(g, (const unsigned char *)s, n);
}

void json_cell(yajl_gen g, enum col_type type, const char *s)
{
    char hex[40];

    if (!s) {
        yajl_gen_null(g);
    } else if (type == COL_NUM) {
        yajl_gen_number(g, s, strlen(s));
    } else if (type == COL_BOOL) {
        yajl_gen_bool(g, !strcmp(s, "on"));
    } else if (type == COL_HEX) {
        snprintf(hex, sizeof(hex), "0x%s", s);
        cell_str(g, hex);
    } else {
        cell_str(g, s);
    }
}

/* The cell of one column (of a COL_LIST, item c->i) of a row; NULL if unset. */
static const char *get(const struct column *col, const void *row, struct cell *c)
{
    c->s = NULL;
    col->get(row, c);
    return c->s;
}

void list_json_object(yajl_gen g, const struct column *cols, const void *row)
{
    yajl_gen_map_open(g);
    for (const struct column *col = cols; !is_end(col); col++) {
        struct cell c = { 0 };

        if (!col->key)
            continue;
        json_key(g, col->key);
        if (col->json) {
            col->json(g, row);
        } else if (col->type == COL_LIST) {
            yajl_gen_array_open(g);
            for (; get(col, row, &c); c.i++)
                cell_str(g, c.s);
            yajl_gen_array_close(g);
        } else {
            json_cell(g, col->type, get(col, row, &c));
        }
    }
    yajl_gen_map_close(g);
}

/* One line of the text table; the header line when row is NULL. */
static void text_line(const struct column *cols, const void *row)
{
    bool first = true;

    for (const struct column *col = cols; !is_end(col); col++) {
        struct cell c = { 0 };

        if (!col->header)
            continue;
        fputs(first ? "" : col->sep ? col->sep : " ", stdout);
        first = false;
        if (!row) {
            printf("%*s", col->width, col->header);
        } else if (col->type == COL_LIST) {
            for (; get(col, row, &c); c.i++)
                printf("%s%s", c.i ? "," : "", c.s);
        } else {
            get(col, row, &c);
            printf("%*s", col->width, c.s && *c.s ? c.s : "-");
        }
    }
    putchar('\n');
}

/* The header waits for the first row, so a listing that cannot load prints nothing. */
static void show_header(struct list *l)
{
    if (!l->header_shown)
        text_line(l->cols, NULL);
    l->header_shown = true;
}

void list_row(struct list *l, const void *row)
{
    if (l->g) {
        list_json_object(l->g, l->cols, row);
        return;
    }
    show_header(l);
    text_line(l->cols, row);
}

/* The end of a listing: the JSON document, or the header of a table without rows. */
static int list_end(struct list *l, int rc)
{
    if (!l->g) {
        if (rc == EXIT_OK)
            show_header(l);
        return rc;
    }
    if (rc) {
        yajl_gen_free(l->g);
        return rc;
    }
    yajl_gen_array_close(l->g);
    return json_finish(l->g);
}

int cli_list(struct cli *cli, int argc, char **argv, const struct listing *listing)
{
    const struct cmd_spec *cmd = cli_find_command(listing->command);
    struct list l = { .cols = listing->cols };
    const void *row;
    bool json;
    int rc;

    rc = cli_parse_list_opts(cmd, argc, argv, 0, listing->max_operands, &json);
    if (rc)
        return rc;
    if (listing->load(cli->ctx))
        return cli_fail(cli, listing->cannot_load);
    if (json) {
        l.g = json_new();
        if (!l.g)
            return EXIT_ERROR;
        yajl_gen_array_open(l.g);
    }
    if (listing->rows)
        rc = listing->rows(cli, optind < argc ? argv[optind] : NULL, &l);
    for (size_t i = 0; listing->row && (row = listing->row(cli->ctx, i)); i++)
        list_row(&l, row);
    return list_end(&l, rc);
}
