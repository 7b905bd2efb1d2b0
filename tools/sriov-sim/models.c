/*
 * The cards the simulator knows. IDs are real so pci.ids names them; VF
 * offsets/strides follow each card's real layout where we know it.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

/* Each card's comment names it and its PF and VF drivers (drivers.c binds by ID). */
static const struct card_model models[] = {
    /* Intel 82599 10GbE: ixgbe, ixgbevf */
    {
        .name = "82599", .vendor = 0x8086, .subsys_vendor = 0x8086,
        .class = 0x020000, .revision = 0x01, .ports = 2, .totalvfs = 63, .flr = true,
        /* Both PFs use offset 0x80 stride 2: 03:10.0 is PF0 VF0, 03:10.1 PF1 VF0. */
        .interleaved = true, .vf_offset = 0x80, .vf_stride = 2,
        .pf = { .device = 0x10fb, .subsys = 0x000c, .bar_size = 0x100000, .msix = 64 },
        .vf = { .device = 0x10ed, .subsys = 0x000c, .bar_size = 0x4000, .msix = 3 },
    },
    /* Intel X710 10GbE: i40e, iavf */
    {
        .name = "x710", .vendor = 0x8086, .subsys_vendor = 0x8086,
        .class = 0x020000, .revision = 0x02, .ports = 2, .totalvfs = 64, .flr = true,
        /* Real X710: PF0 offset 0x10, PF1 offset 0x4f: VF blocks follow each other. */
        .vf_offset = 0x10, .vf_stride = 1,
        .pf = { .device = 0x1572, .subsys = 0x0001, .bar_size = 0x800000, .msix = 129 },
        .vf = { .device = 0x154c, .subsys = 0x0000, .bar_size = 0x10000, .msix = 5 },
    },
    /* Intel E810-XXV 25GbE: ice, iavf */
    {
        .name = "e810", .vendor = 0x8086, .subsys_vendor = 0x8086,
        .class = 0x020000, .revision = 0x02, .ports = 2, .totalvfs = 128, .flr = true,
        .vf_offset = 0x08, .vf_stride = 1,
        .pf = { .device = 0x159b, .subsys = 0x0003, .bar_size = 0x2000000, .msix = 1024 },
        .vf = { .device = 0x1889, .subsys = 0x0000, .bar_size = 0x20000, .msix = 17 },
    },
    /* Mellanox ConnectX-5: mlx5_core for both */
    {
        .name = "cx5", .vendor = 0x15b3, .subsys_vendor = 0x15b3,
        .class = 0x020000, .revision = 0x00, .ports = 2, .totalvfs = 16, .flr = true,
        /* Real CX-5: PF0 offset 2, PF1 offset 17 (with 16 VFs). */
        .vf_offset = 0x02, .vf_stride = 1,
        .pf = { .device = 0x1017, .subsys = 0x0007, .bar_size = 0x2000000, .msix = 64 },
        .vf = { .device = 0x1018, .subsys = 0x0080, .bar_size = 0x100000, .msix = 8 },
    },
    /* QEMU NVMe controller with SR-IOV: nvme for both */
    {
        .name = "nvme", .vendor = 0x1b36, .subsys_vendor = 0x1af4,
        .class = 0x010802, .revision = 0x02, .ports = 1, .totalvfs = 4, .flr = true,
        .vf_offset = 0x01, .vf_stride = 1,
        .pf = { .device = 0x0010, .subsys = 0x1100, .bar_size = 0x4000, .msix = 65 },
        .vf = { .device = 0x0010, .subsys = 0x1100, .bar_size = 0x4000, .msix = 3 },
    },
    /* Intel 82574L 1GbE: e1000e; no SR-IOV, no FLR */
    {
        .name = "e1000e", .vendor = 0x8086, .subsys_vendor = 0x8086,
        .class = 0x020000, .revision = 0x00, .ports = 1, .totalvfs = 0, .flr = false,
        .pf = { .device = 0x10d3, .subsys = 0xa01f, .bar_size = 0x20000, .msix = 5 },
    },
};

const struct card_model *model_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(models); i++)
        if (!strcmp(models[i].name, name))
            return &models[i];
    return NULL;
}

void models_list(char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(models) && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? " " : "", models[i].name);

        if (n < 0)
            break;
        used += (size_t)n;
    }
}
