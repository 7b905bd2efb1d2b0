/* JSON output through yajl; one place that knows how a document reaches stdout. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "xl-sriov.h"

yajl_gen json_new(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);

    if (g)
        yajl_gen_config(g, yajl_gen_beautify, 1);
    return g;
}

void json_str(yajl_gen g, const char *s)
{
    if (s)
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
    else
        yajl_gen_null(g);
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
