/* sriov__xlcfg_line (xlcfg.h): the line of a setting or list item, found by
 * scanning a loaded config's text again. */
#include "config.h"

#include <string.h>

#include "config/xlcfg.h"

/*
 * Where a value stands in the text.  libxlutil keeps no positions of values, so
 * the text is scanned again with the lexer's rules as far as positions go
 * (libxlu_cfg_l.l): '#' comments to the end of the line, strings in '' or ""
 * with backslash escapes, lists in [ ], and settings NAME = VALUE or NAME += VALUE
 * (which appends to the list so far) at the top level, each starting a line or
 * following a ';'.  The text has parsed already, so it is well formed.
 */
enum tok { T_END, T_NAME, T_ATOM, T_OPEN, T_CLOSE, T_COMMA, T_EQ, T_ADDTO, T_SEMI, T_NL };

/* The assignments of a key that make its value: the last "=", and the "+="
 * after it, at most this many (more are not located). */
#define MAX_ASSIGNMENTS 16

struct lexer {
    const char *p;
    int line;
};

/* The next token: its type, and its start and line in *start and *line. */
static enum tok next_tok(struct lexer *lx, const char **start, int *line)
{
    const char *p = lx->p;
    enum tok t;

    for (;;) {
        if (*p == '#')
            p += strcspn(p, "\n");
        else if (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        else
            break;
    }
    *start = p;
    *line = lx->line;
    switch (*p) {
    case '\0':
        t = T_END;
        break;
    case '\n':
        lx->line++;
        p++;
        t = T_NL;
        break;
    case '[':
    case ']':
    case ',':
    case '=':
    case ';':
        t = *p == '[' ? T_OPEN : *p == ']' ? T_CLOSE : *p == ',' ? T_COMMA
          : *p == '=' ? T_EQ : T_SEMI;
        p++;
        break;
    case '\'':
    case '"': {
        char quote = *p++;
        while (*p && *p != quote && *p != '\n')
            p += *p == '\\' && p[1] && p[1] != '\n' ? 2 : 1;
        if (*p == quote)
            p++;
        t = T_ATOM;
        break;
    }
    case '+':
        if (p[1] == '=') {
            p += 2;
            t = T_ADDTO;
            break;
        }
        /* fall through */
    default:
        t = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ? T_NAME : T_ATOM;
        if (t == T_NAME)
            p += strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");
        else
            p += strcspn(p, " \t\r\n#[],=;'\"");
        if (p == *start)
            p++; /* never stand still */
        break;
    }
    lx->p = p;
    return t;
}

/* The next token that is not a line break (they only end settings). */
static enum tok next_in_value(struct lexer *lx, const char **start, int *line)
{
    enum tok t;

    while ((t = next_tok(lx, start, line)) == T_NL)
        ;
    return t;
}

/* Past the ']' that closes the list whose '[' was just read. */
static void skip_list(struct lexer *lx)
{
    const char *start;
    int line, depth = 1;

    while (depth > 0) {
        enum tok t = next_in_value(lx, &start, &line);
        if (t == T_END)
            return;
        depth += t == T_OPEN ? 1 : t == T_CLOSE ? -1 : 0;
    }
}

/* The line of item want of the list whose '[' was just read; 0 if there is none,
 * and then *seen counts its items (a trailing ',' starts none).  With sub >= 0,
 * item sub of that item, itself a list. */
static int item_line(struct lexer *lx, int want, int sub, int *seen)
{
    const char *start;
    int line, i = 0, unused;

    for (;;) {
        enum tok t = next_in_value(lx, &start, &line);
        if (t == T_END || t == T_CLOSE) {
            *seen = i;
            return 0;
        }
        if (t == T_COMMA)
            continue;
        if (i == want)
            return sub < 0 ? line : t == T_OPEN ? item_line(lx, sub, -1, &unused) : 0;
        i++;
        if (t == T_OPEN)
            skip_list(lx);
    }
}

int sriov__xlcfg_line(const struct sriov__xlcfg *c, const char *key, int i, int j)
{
    const char *text = sriov__xlcfg_text(c);
    struct lexer lx = { text, 1 }, values[MAX_ASSIGNMENTS];
    const char *start;
    enum tok t, prev = T_NL;
    size_t klen = strlen(key), n_values = 0;
    int line, key_line = 0, depth = 0;

    if (!text)
        return 0;
    /* The last assignment counts, as in xl. */
    while ((t = next_tok(&lx, &start, &line)) != T_END) {
        if (t == T_OPEN)
            depth++;
        else if (t == T_CLOSE && depth > 0)
            depth--;
        else if (t == T_NAME && depth == 0 && (prev == T_NL || prev == T_SEMI) &&
                 !strncmp(start, key, klen) && lx.p == start + klen) {
            struct lexer eq = lx;
            const char *s2;
            int l2;
            enum tok op = next_tok(&eq, &s2, &l2);
            if (op == T_EQ || op == T_ADDTO) {
                if (op == T_EQ)
                    n_values = 0;
                if (n_values < MAX_ASSIGNMENTS)
                    values[n_values++] = eq;
                key_line = line;
            }
        }
        prev = t;
    }
    if (!key_line || i < 0)
        return key_line;
    /* Item i of the list the assignments made together. */
    for (size_t k = 0; k < n_values; k++) {
        int seen = 0, found;
        if (next_in_value(&values[k], &start, &line) != T_OPEN)
            return 0;
        found = item_line(&values[k], i, j, &seen);
        if (found || seen > i)
            return found;
        i -= seen;
    }
    return 0;
}
