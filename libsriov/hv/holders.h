/*
 * Which domain holds which PCI device, and which domains exist, asked of the
 * hypervisor once per command (holders.c).  Allocation weighs every candidate
 * VF and gc every record; asked one at a time, libxl answers each question by
 * listing every domain's devices: VFs x domains calls, under the lock.
 *
 * While the assignments lock is held (sriov__recs_lock() opens a snapshot,
 * sriov__recs_unlock() drops it) the first question takes one answer of
 * assigned_devices and the others are looked up in it.  That answer stays true
 * for the hold: every xl-sriov that assigns or gives back takes the same lock,
 * and the command's own changes (pci_add, pci_remove, domain_create) call
 * sriov__holders_stale(), so that the next question asks again (so does gc
 * before judging a reservation whose owner died: its xl create may still be
 * making the domain).  Outside a hold, or of a hypervisor without
 * assigned_devices, every question goes to the hypervisor by itself
 * (device_owner, domain_by_uuid): for one device that is cheaper.
 */
#ifndef SRIOV_HV_HOLDERS_H
#define SRIOV_HV_HOLDERS_H

#include <stddef.h>
#include <stdint.h>

#include "hv/hv.h"

/* What assigned_devices returns. */
void sriov__hv_assignments_free(struct sriov_hv_assignment *v, size_t n);

/* The domain that has bdf assigned: 0, -ENOENT when none, else the hypervisor's
 * failure (recorded). */
int sriov__hv_holder(struct sriov_ctx *ctx, struct sriov_hv *hv, const char *bdf,
                     struct sriov_hv_domain *out);
/* The domain with this UUID: 0, -ENOENT when it does not exist, else the
 * hypervisor's failure (recorded). */
int sriov__hv_domain(struct sriov_ctx *ctx, struct sriov_hv *hv, const uint8_t uuid[16],
                     struct sriov_hv_domain *out);

/* Open a snapshot (taken on first use) for a hold of the assignments lock, and
 * drop it before the lock goes; -ENOMEM only. */
int sriov__holders_begin(struct sriov_ctx *ctx);
void sriov__holders_end(struct sriov_ctx *ctx);
/* The command changed what the hypervisor would answer: ask again next time. */
void sriov__holders_stale(struct sriov_ctx *ctx);

#endif
