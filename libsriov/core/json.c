/* Strict JSON reading and byte-exact strings over yajl (json.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "core/json.h"

/* yajl's escape \u0000 would become a NUL that ends the C string it is read into. */
static bool has_nul_escape(const char *data, size_t len)
{
    const char *p = data, *end = data + len;

    /* From backslash to backslash: a state file is mostly text without one. */
    while ((p = memchr(p, '\\', (size_t)(end - p))) && p + 1 < end) {
        if (p[1] == 'u' && p + 5 < end && !strncmp(p + 2, "0000", 4))
            return true;
        p += 2; /* past the escaped character, which may be a backslash itself */
    }
    return false;
}

int sriov__json_precheck(const char *data, size_t len, char why[SRIOV_JSON_WHY])
{
    why[0] = '\0';
    if (memchr(data, '\0', len)) {
        snprintf(why, SRIOV_JSON_WHY, "it contains a NUL byte");
        return -EINVAL;
    }
    if (has_nul_escape(data, len)) {
        snprintf(why, SRIOV_JSON_WHY, "a string contains \\u0000");
        return -EINVAL;
    }
    return 0;
}

/* As yajl_tree_parse() configures its handle. */
void sriov__json_config(yajl_handle h)
{
    yajl_config(h, yajl_allow_comments, 1);
}

/* Only yajl's first line: the next ones quote the document, bytes and all. */
static void first_line(const char *err, char why[SRIOV_JSON_WHY])
{
    size_t n = strcspn(err, "\n");

    snprintf(why, SRIOV_JSON_WHY, "%.*s", (int)(n < SRIOV_JSON_WHY - 1 ? n : SRIOV_JSON_WHY - 1),
             n ? err : "not JSON");
}

void sriov__json_error(yajl_handle h, const char *data, size_t len, char why[SRIOV_JSON_WHY])
{
    unsigned char *err = yajl_get_error(h, 1, (const unsigned char *)data, len);

    first_line(err ? (const char *)err : "", why);
    yajl_free_error(h, err);
}

int sriov__json_parse(const char *data, size_t len, yajl_val *root, char why[SRIOV_JSON_WHY])
{
    char err[256], *copy;
    int rc;

    *root = NULL;
    rc = sriov__json_precheck(data, len, why);
    if (rc)
        return rc;
    /* yajl_tree_parse reads a C string; callers (a fuzzer) need not end data with NUL. */
    copy = strndup(data, len);
    if (!copy)
        return -ENOMEM;
    err[0] = '\0';
    *root = yajl_tree_parse(copy, err, sizeof(err));
    free(copy);
    if (!*root) {
        first_line(err, why);
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

/* The tree's value v as the streaming readers keep theirs. */
static void scalar_of(yajl_val v, struct sriov__json_scalar *out)
{
    yajl_val hex = sriov__json_get(v, "hex");

    *out = (struct sriov__json_scalar){ .kind = SRIOV_JSON_OTHER };
    if (!v)
        out->kind = SRIOV_JSON_ABSENT;
    else if (YAJL_IS_NULL(v))
        out->kind = SRIOV_JSON_NULL;
    else if (YAJL_IS_STRING(v))
        *out = (struct sriov__json_scalar){ .kind = SRIOV_JSON_STRING, .s = v->u.string };
    else if (YAJL_IS_OBJECT(v) && v->u.object.len == 1 && hex && YAJL_IS_STRING(hex))
        *out = (struct sriov__json_scalar){ .kind = SRIOV_JSON_HEX, .s = hex->u.string };
    else if (YAJL_IS_NUMBER(v))
        *out = (struct sriov__json_scalar){ .kind = SRIOV_JSON_NUMBER,
                                            .int_valid = YAJL_IS_INTEGER(v),
                                            .i = YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0 };
}

void sriov__json_number(const char *s, size_t len, struct sriov__json_scalar *out)
{
    size_t i = len && s[0] == '-';
    bool neg = i == 1;
    long long v = 0;

    /* yajl's grammar has let through -?digits, then maybe a fraction and an
     * exponent: an integer is digits to the end that fit. */
    *out = (struct sriov__json_scalar){ .kind = SRIOV_JSON_NUMBER };
    for (; i < len; i++) {
        int d = s[i] - '0';
        if (d < 0 || d > 9 || v > (LLONG_MAX - d) / 10)
            return;
        v = v * 10 + d;
    }
    out->int_valid = true;
    out->i = neg ? -v : v;
}

static int too_long(const char *key, size_t max, char why[SRIOV_JSON_WHY])
{
    snprintf(why, SRIOV_JSON_WHY, "\"%s\" is longer than %zu bytes", key, max);
    return -EINVAL;
}

int sriov__json_scalar_fixed(const struct sriov__json_scalar *v, const char *key, char *buf,
                             size_t size, bool *present, char why[SRIOV_JSON_WHY])
{
    char *s = NULL;
    size_t len;
    int rc;

    *present = false;
    if (v->kind == SRIOV_JSON_STRING) {
        len = strlen(v->s);
        if (len > size - 1)
            return too_long(key, size - 1, why);
        memcpy(buf, v->s, len + 1);
        *present = true;
        return 0;
    }
    rc = sriov__json_scalar_bytes(v, key, size - 1, &s, why);
    if (!rc && s) {
        strcpy(buf, s);
        *present = true;
    }
    free(s);
    return rc;
}

int sriov__json_scalar_bytes(const struct sriov__json_scalar *v, const char *key, size_t max,
                             char **out, char why[SRIOV_JSON_WHY])
{
    char *s;

    *out = NULL;
    if (v->kind == SRIOV_JSON_ABSENT || v->kind == SRIOV_JSON_NULL)
        return 0;
    if (v->kind == SRIOV_JSON_STRING) {
        if (strlen(v->s) > max)
            return too_long(key, max, why);
        s = strdup(v->s);
        if (!s)
            return -ENOMEM;
        *out = s;
        return 0;
    }
    if (v->kind != SRIOV_JSON_HEX) {
        snprintf(why, SRIOV_JSON_WHY, "\"%s\" is neither a string nor {\"hex\": string}", key);
        return -EINVAL;
    }
    return unhex(key, v->s, max, out, why);
}

int sriov__json_get_bytes(yajl_val o, const char *key, size_t max, char **out,
                          char why[SRIOV_JSON_WHY])
{
    struct sriov__json_scalar v;

    scalar_of(sriov__json_get(o, key), &v);
    return sriov__json_scalar_bytes(&v, key, max, out, why);
}

int sriov__json_scalar_int(const struct sriov__json_scalar *v, const char *key, long long min,
                           long long max, long long *out, char why[SRIOV_JSON_WHY])
{
    if (v->kind == SRIOV_JSON_ABSENT)
        return -ENOENT;
    if (v->kind != SRIOV_JSON_NUMBER || !v->int_valid) {
        /* Not quoted: a number yajl could not hold as an integer, or another type. */
        snprintf(why, SRIOV_JSON_WHY, "\"%s\" is not an integer%s", key,
                 v->kind == SRIOV_JSON_NUMBER ? " (fraction, exponent or out of range)" : "");
        return -EINVAL;
    }
    if (v->i < min || v->i > max) {
        snprintf(why, SRIOV_JSON_WHY, "\"%s\" %lld is out of range %lld-%lld", key, v->i, min,
                 max);
        return -EINVAL;
    }
    *out = v->i;
    return 0;
}

int sriov__json_get_int(yajl_val o, const char *key, long long min, long long max,
                        long long *out, char why[SRIOV_JSON_WHY])
{
    struct sriov__json_scalar v;

    scalar_of(sriov__json_get(o, key), &v);
    return sriov__json_scalar_int(&v, key, min, max, out, why);
}
