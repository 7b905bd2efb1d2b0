/*
 * JSON state files through yajl, read strictly (json.c).  yajl's tree keeps
 * no string lengths, accepts a key twice and casts nothing: these helpers fill
 * those gaps so that a state file reads back exactly what was written, and a
 * file that does not is refused with a reason instead of half-read.
 */
#ifndef SRIOV_CORE_JSON_H
#define SRIOV_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

/* Room for the reason a helper gives when it refuses a document or a value. */
#define SRIOV_JSON_WHY 160

/* A whole document of len bytes (no NUL needed after them).  Refused besides
 * yajl's own errors: a NUL byte, raw or as \u0000 (yajl's strings are C strings
 * and would end there). */
int sriov__json_parse(const char *data, size_t len, yajl_val *root, char why[SRIOV_JSON_WHY]);
/* What sriov__json_parse refuses before yajl sees the bytes (a NUL byte, raw or
 * as \u0000), for readers that hand yajl its callbacks instead of building a tree. */
int sriov__json_precheck(const char *data, size_t len, char why[SRIOV_JSON_WHY]);
/* yajl's handle as sriov__json_parse configures it, and the first line of its
 * error (the next ones quote the document). */
void sriov__json_config(yajl_handle h);
void sriov__json_error(yajl_handle h, const char *data, size_t len, char why[SRIOV_JSON_WHY]);
/* An object whose keys are all different (yajl keeps both of a repeated key,
 * and a look-up sees only the first). */
int sriov__json_object_check(yajl_val o, char why[SRIOV_JSON_WHY]);
/* The value under key, NULL when absent. */
yajl_val sriov__json_get(yajl_val o, const char *key);

/*
 * Strings of any bytes but NUL, stored so that they read back byte for byte:
 * well-formed UTF-8 as a JSON string, anything else as {"hex": "63616fe9"}
 * (JSON strings are Unicode and cannot carry other bytes).  NULL is null.
 */
void sriov__json_gen_bytes(yajl_gen g, const char *key, const char *val);
/* What gen_bytes wrote: *out malloc'd, NULL when absent or null; -EINVAL with a
 * reason for another type, bad hex, a NUL byte or more than max bytes. */
int sriov__json_get_bytes(yajl_val o, const char *key, size_t max, char **out,
                          char why[SRIOV_JSON_WHY]);
/* An integer in [min, max]: -ENOENT when absent, -EINVAL with a reason when not
 * an integer or out of range. */
int sriov__json_get_int(yajl_val o, const char *key, long long min, long long max,
                        long long *out, char why[SRIOV_JSON_WHY]);

/*
 * One value as a reader that streams (yajl's callbacks, no tree) keeps it, judged
 * by the very rules, and with the very messages, of the two look-ups above:
 * they convert the tree's value into this and call the same code.
 */
enum sriov__json_kind {
    SRIOV_JSON_ABSENT,
    SRIOV_JSON_NULL,
    SRIOV_JSON_STRING,           /* s */
    SRIOV_JSON_HEX,              /* {"hex": s}, that one key only */
    SRIOV_JSON_NUMBER,           /* an integer too when int_valid (then i) */
    SRIOV_JSON_OTHER,            /* true, false, an array, any other object */
};
struct sriov__json_scalar {
    enum sriov__json_kind kind;
    const char *s;               /* NUL-terminated, no NUL inside */
    bool int_valid;
    long long i;
};
/* A number as yajl's tree reads it: an integer when it is digits with an
 * optional '-' and its magnitude fits a long long (yajl_parse_integer). */
void sriov__json_number(const char *s, size_t len, struct sriov__json_scalar *out);
int sriov__json_scalar_bytes(const struct sriov__json_scalar *v, const char *key, size_t max,
                             char **out, char why[SRIOV_JSON_WHY]);
/* The same into buf (size bytes with the NUL): *present when it holds a string;
 * one that does not fit is refused as longer than size - 1 bytes. */
int sriov__json_scalar_fixed(const struct sriov__json_scalar *v, const char *key, char *buf,
                             size_t size, bool *present, char why[SRIOV_JSON_WHY]);
int sriov__json_scalar_int(const struct sriov__json_scalar *v, const char *key, long long min,
                           long long max, long long *out, char why[SRIOV_JSON_WHY]);

#endif
