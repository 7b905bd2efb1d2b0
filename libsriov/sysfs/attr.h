/* One sysfs attribute relative to a directory descriptor, with the kernel's
 * conventions (a trailing newline on reads, one write(2) per value).  These know
 * nothing of where anything is: only sysfs.c calls them, with paths it built. */
#ifndef SRIOV_SYSFS_ATTR_H
#define SRIOV_SYSFS_ATTR_H

#include <stddef.h>

#include "sysfs/sysfs.h"

/* The value, trailing newline and blanks stripped. */
int sriov__attr_read_at(int dirfd, const char *name, char *buf, size_t len);
/* A whole attribute value as a number; -EPROTO when it is not one. */
int sriov__attr_parse_uint(const char *value, int base, unsigned long *out);
int sriov__attr_parse_int(const char *value, long *out);
/* Last path component of a symlink's target ("../0000:03:10.0" -> "0000:03:10.0"). */
int sriov__attr_readlink_base_at(int dirfd, const char *name, char *buf, size_t len);
/* Write value in one write(2): the kernel parses each write as a whole. */
int sriov__attr_write_at(int dirfd, const char *name, const char *value);
/* Each entry of a directory but "." and "..", in the kernel's order, until fn
 * returns non-zero (which the listing then returns); -errno if it cannot be read. */
int sriov__attr_list_at(int dirfd, const char *name, sriov__entry_fn *fn, void *arg);

#endif
