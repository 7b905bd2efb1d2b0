/* The FUSE operations over a struct sim (fuse_fs.c), used by mount.c. */
#ifndef SRIOV_SIM_FUSE_FS_H
#define SRIOV_SIM_FUSE_FS_H

#define FUSE_USE_VERSION 31
#include <fuse.h>

extern const struct fuse_operations sim_fuse_ops;

#endif
