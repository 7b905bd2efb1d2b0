/* Small helpers with no knowledge of devices: PCI addresses, UUIDs, numbers,
 * string vectors. */
#ifndef SRIOV_CORE_UTIL_H
#define SRIOV_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sriov.h"

#define SRIOV_BDF_LEN 13 /* "dddd:bb:ss.f" */
#define SRIOV_UUID_STR_LEN 37

/* bdf.c: parse "dddd:bb:ss.f" or "bb:ss.f" into canonical form; -EINVAL if malformed. */
int sriov__bdf_normalize(const char *in, char out[SRIOV_BDF_LEN]);
bool sriov__is_bdf(const char *s);

/* uuid.c */
int sriov__uuid_parse(const char *s, uint8_t uuid[16]);
void sriov__uuid_format(const uint8_t uuid[16], char out[SRIOV_UUID_STR_LEN]);
int sriov__uuid_generate(uint8_t uuid[16]);
bool sriov__uuid_is_nil(const uint8_t uuid[16]);

/* util.c */
/* A whole string as a number in [min, max] (base 0: 0x.. and 0.. too); -EINVAL otherwise. */
int sriov__parse_long(const char *s, long min, long max, long *out);
/* Append s (taken over; NULL means out of memory) to a malloc'd vector. */
int sriov__strv_push(char ***v, size_t *n, char *s);
void sriov__strv_free(char **v, size_t n);
/* asprintf that returns the string, NULL when out of memory. */
char *sriov__asprintf(const char *fmt, ...) SRIOV_PRINTF(1, 2);

#endif
