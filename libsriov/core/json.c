/* Strict JSON reading and byte-exact strings over yajl (json.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "core/json.h"

/* yajl's escape \u0000 would become a NUL that ends the C string it is read into. */
static bool has_nul_escape(const char *data, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (data[i] != '\\')
            continue;
        if (data[i + 1] == 'u' && i + 5 < len && !strncmp(data + i + 2, "0000", 4))
            return true;
        i++; /* skip the escaped character, which may be a backslash itself */
    }
    return false;
}

int sriov__json_parse(const char *data, size_t len, yajl_val *root, char why[SRIOV_JSON_WHY])
{
    char err[256], *copy;

    *root = NULL;
    why[0] = '\0';
    if (memchr(data, '\0', len)) {
        snprintf(why, SRIOV_JSON_WHY, "it contains a NUL byte");
        return -EINVAL;
    }
    if (has_nul_escape(data, len)) {
        snprintf(why, SRIOV_JSON_WHY, "a string contains \\u0000");
        return -EINVAL;
    }
    /* yajl_tree_parse reads a C string; callers (a fuzzer) need not end data with NUL. */
    copy = strndup(data, len);
    if (!copy)
        return -ENOMEM;
    *root = yajl_tree_parse(copy, err, sizeof(err));
    free(copy);
    if (!*root) {
        /* Only yajl's first line: the next ones quote the file, bytes and all. */
        err[strcspn(err, "\n")] = '\0';
        snprintf(why, SRIOV_JSON_WHY, "%.*s", SRIOV_JSON_WHY - 1, err[0] ? err : "not JSON");
        return -EINVAL;
    }
    return 0;
}

int sriov__json_object_check(yajl_val o, char why[SRIOV_JSON_WHY])
{
    if (!YAJL_IS_OBJECT(o)) {
        snprintf(why, SRIOV_JSON_WHY, "not an object");
        return -EINVAL;
    }
    for (size_t i = 0; i < o->u.object.len; i++)
        for (size_t k = i + 1; k < o->u.object.len; k++)
            if (!strcmp(o->u.object.keys[i], o->u.object.keys[k])) {
                /* Keys are quoted only when printable: they come from the file. */
                snprintf(why, SRIOV_JSON_WHY, "key \"%s\" appears twice",
                         sriov__utf8_printable(o->u.object.keys[i]) ? o->u.object.keys[i]
                                                                    : "(unprintable)");
                return -EINVAL;
            }
    return 0;
}

yajl_val sriov__json_get(yajl_val o, const char *key)
{
    if (!YAJL_IS_OBJECT(o))
        return NULL;
    for (size_t i = 0; i < o->u.object.len; i++)
        if (!strcmp(o->u.object.keys[i], key))
            return o->u.object.values[i];
    return NULL;
}

static void gen_key(yajl_gen g, const char *key)
{
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

void sriov__json_gen_bytes(yajl_gen g, const char *key, const char *val)
{
    static const char digits[] = "0123456789abcdef";
    size_t len;
    char *hex;

    gen_key(g, key);
    if (!val) {
        yajl_gen_null(g);
        return;
    }
    len = strlen(val);
    if (sriov__utf8_valid(val, len)) {
        yajl_gen_string(g, (const unsigned char *)val, len);
        return;
    }
    yajl_gen_map_open(g);
    gen_key(g, "hex");
    hex = malloc(2 * len + 1);
    if (hex) {
        for (size_t i = 0; i < len; i++) {
            hex[2 * i] = digits[(unsigned char)val[i] >> 4];
            hex[2 * i + 1] = digits[(unsigned char)val[i] & 0xf];
        }
        yajl_gen_string(g, (const unsigned char *)hex, 2 * len);
        free(hex);
    } else {
        /* Out of memory: null makes the document unreadable as these bytes, and
         * sriov__json_get_bytes refuses it rather than read a different string. */
        yajl_gen_null(g);
    }
    yajl_gen_map_close(g);
}

static int unhex(const char *key, const char *hex, size_t max, char **out,
                 char why[SRIOV_JSON_WHY])
{
    size_t len = strlen(hex);
    char *s;

    if (len % 2) {
        snprintf(why, SRIOV_JSON_WHY, "\"%s\": odd number of hex digits", key);
        return -EINVAL;
    }
    if (len / 2 > max) {
        snprintf(why, SRIOV_JSON_WHY, "\"%s\" is longer than %zu bytes", key, max);
        return -EINVAL;
    }
    s = malloc(len / 2 + 1);
    if (!s)
        return -ENOMEM;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = sriov__hexval(hex[2 * i]), lo = sriov__hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0 || (hi | lo) == 0) {
            snprintf(why, SRIOV_JSON_WHY, "\"%s\": %s", key,
                     hi < 0 || lo < 0 ? "not hex digits" : "a NUL byte");
            free(s);
            return -EINVAL;
        }
        s[i] = (char)(hi << 4 | lo);
    }
    s[len / 2] = '\0';
    *out = s;
    return 0;
}

int sriov__json_get_bytes(yajl_val o, const char *key, size_t max, char **out,
                          char why[SRIOV_JSON_WHY])
{
    yajl_val v = sriov__json_get(o, key), hex;
    char *s;

    *out = NULL;
    if (!v || YAJL_IS_NULL(v))
        return 0;
    if (YAJL_IS_STRING(v)) {
        if (strlen(v->u.string) > max) {
            snprintf(why, SRIOV_JSON_WHY, "\"%s\" is longer than %zu bytes", key, max);
            return -EINVAL;
        }
        s = strdup(v->u.string);
        if (!s)
            return -ENOMEM;
        *out = s;
        return 0;
    }
    hex = sriov__json_get(v, "hex");
    if (!YAJL_IS_OBJECT(v) || v->u.object.len != 1 || !hex || !YAJL_IS_STRING(hex)) {
        snprintf(why, SRIOV_JSON_WHY, "\"%s\" is neither a string nor {\"hex\": string}", key);
        return -EINVAL;
    }
    return unhex(key, hex->u.string, max, out, why);
}

int sriov__json_get_int(yajl_val o, const char *key, long long min, long long max,
                        long long *out, char why[SRIOV_JSON_WHY])
{
    yajl_val v = sriov__json_get(o, key);

    if (!v)
        return -ENOENT;
    if (!YAJL_IS_INTEGER(v)) {
        /* Not quoted: a number yajl could not hold as an integer, or another type. */
        snprintf(why, SRIOV_JSON_WHY, "\"%s\" is not an integer%s", key,
                 YAJL_IS_NUMBER(v) ? " (fraction, exponent or out of range)" : "");
        return -EINVAL;
    }
    if (YAJL_GET_INTEGER(v) < min || YAJL_GET_INTEGER(v) > max) {
        snprintf(why, SRIOV_JSON_WHY, "\"%s\" %lld is out of range %lld-%lld", key,
                 YAJL_GET_INTEGER(v), min, max);
        return -EINVAL;
    }
    *out = YAJL_GET_INTEGER(v);
    return 0;
}
