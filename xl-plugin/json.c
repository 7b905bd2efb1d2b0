/* JSON output through yajl; one place that knows how a document reaches stdout. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl-sriov.h"

yajl_gen json_new(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);

    if (g)
        yajl_gen_config(g, yajl_gen_beautify, 1);
    return g;
}

/* Length of the valid UTF-8 sequence at p (1-4), 0 if the bytes there are not one. */
static size_t utf8_seq(const unsigned char *p)
{
    unsigned int c = p[0], n, cp, min;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    for (unsigned int i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    return cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : n;
}

/* JSON is UTF-8: a domain name from a guest config need not be.  Bytes that are
 * not become U+FFFD, as a terminal would show them, so the document stays valid. */
void json_str(yajl_gen g, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char *clean, *o;

    if (!s) {
        yajl_gen_null(g);
        return;
    }
    clean = o = malloc(strlen(s) * 3 + 1);
    if (!clean) {
        yajl_gen_null(g);
        return;
    }
    while (*p) {
        size_t n = utf8_seq(p);
        if (n) {
            memcpy(o, p, n);
            o += n, p += n;
        } else {
            memcpy(o, "\xef\xbf\xbd", 3);
            o += 3, p++;
        }
    }
    yajl_gen_string(g, clean, (size_t)(o - clean));
    free(clean);
}

void json_key(yajl_gen g, const char *key)
{
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

void json_kv_str(yajl_gen g, const char *key, const char *val)
{
    json_key(g, key);
    json_str(g, val);
}

void json_kv_int(yajl_gen g, const char *key, long long val)
{
    json_key(g, key);
    yajl_gen_integer(g, val);
}

void json_kv_bool(yajl_gen g, const char *key, bool val)
{
    json_key(g, key);
    yajl_gen_bool(g, val);
}

int json_finish(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;
    int rc = EXIT_OK;

    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok ||
        fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0)
        rc = EXIT_ERROR;
    yajl_gen_free(g);
    return rc;
}
