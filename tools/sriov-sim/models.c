/*
 * The cards the simulator knows. IDs are real so pci.ids names them; VF
 * offsets/strides follow each card's real layout where we know it.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

static const struct card_model models[] = {
    {
        .name = "82599", .description = "Intel 82599 10GbE (ixgbe)",
        .vendor = 0x8086, .pf_device = 0x10fb, .vf_device = 0x10ed,
        .subsys_vendor = 0x8086, .pf_subsys = 0x000c, .vf_subsys = 0x000c,
        .class = 0x020000, .revision = 0x01,
        .pf_driver = "ixgbe", .vf_driver = "ixgbevf",
        .ports = 2, .totalvfs = 63, .flr = true,
        /* Both PFs use offset 0x80 stride 2: 03:10.0 is PF0 VF0, 03:10.1 PF1 VF0. */
        .interleaved = true, .vf_offset = 0x80, .vf_stride = 2,
        .pf_bar_size = 0x100000, .vf_bar_size = 0x4000,
        .pf_msix = 64, .vf_msix = 3,
    },
    {
        .name = "x710", .description = "Intel X710 10GbE (i40e)",
        .vendor = 0x8086, .pf_device = 0x1572, .vf_device = 0x154c,
        .subsys_vendor = 0x8086, .pf_subsys = 0x0001, .vf_subsys = 0x0000,
        .class = 0x020000, .revision = 0x02,
        .pf_driver = "i40e", .vf_driver = "iavf",
        .ports = 2, .totalvfs = 64, .flr = true,
        /* Real X710: PF0 offset 0x10, PF1 offset 0x4f: VF blocks follow each other. */
        .vf_offset = 0x10, .vf_stride = 1,
        .pf_bar_size = 0x800000, .vf_bar_size = 0x10000,
        .pf_msix = 129, .vf_msix = 5,
    },
    {
        .name = "e810", .description = "Intel E810-XXV 25GbE (ice)",
        .vendor = 0x8086, .pf_device = 0x159b, .vf_device = 0x1889,
        .subsys_vendor = 0x8086, .pf_subsys = 0x0003, .vf_subsys = 0x0000,
        .class = 0x020000, .revision = 0x02,
        .pf_driver = "ice", .vf_driver = "iavf",
        .ports = 2, .totalvfs = 128, .flr = true,
        .vf_offset = 0x08, .vf_stride = 1,
        .pf_bar_size = 0x2000000, .vf_bar_size = 0x20000,
        .pf_msix = 1024, .vf_msix = 17,
    },
    {
        .name = "cx5", .description = "Mellanox ConnectX-5 (mlx5_core)",
        .vendor = 0x15b3, .pf_device = 0x1017, .vf_device = 0x1018,
        .subsys_vendor = 0x15b3, .pf_subsys = 0x0007, .vf_subsys = 0x0080,
        .class = 0x020000, .revision = 0x00,
        .pf_driver = "mlx5_core", .vf_driver = "mlx5_core",
        .ports = 2, .totalvfs = 16, .flr = true,
        /* Real CX-5: PF0 offset 2, PF1 offset 17 (with 16 VFs). */
        .vf_offset = 0x02, .vf_stride = 1,
        .pf_bar_size = 0x2000000, .vf_bar_size = 0x100000,
        .pf_msix = 64, .vf_msix = 8,
    },
    {
        .name = "nvme", .description = "QEMU NVMe controller with SR-IOV (nvme)",
        .vendor = 0x1b36, .pf_device = 0x0010, .vf_device = 0x0010,
        .subsys_vendor = 0x1af4, .pf_subsys = 0x1100, .vf_subsys = 0x1100,
        .class = 0x010802, .revision = 0x02,
        .pf_driver = "nvme", .vf_driver = "nvme",
        .ports = 1, .totalvfs = 4, .flr = true,
        .vf_offset = 0x01, .vf_stride = 1,
        .pf_bar_size = 0x4000, .vf_bar_size = 0x4000,
        .pf_msix = 65, .vf_msix = 3,
    },
    {
        .name = "e1000e", .description = "Intel 82574L 1GbE (e1000e), no SR-IOV, no FLR",
        .vendor = 0x8086, .pf_device = 0x10d3,
        .subsys_vendor = 0x8086, .pf_subsys = 0xa01f,
        .class = 0x020000, .revision = 0x00,
        .pf_driver = "e1000e",
        .ports = 1, .totalvfs = 0, .flr = false,
        .pf_bar_size = 0x20000,
        .pf_msix = 5,
    },
};

const struct card_model *model_find(const char *name)
{
    for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
        if (!strcmp(models[i].name, name))
            return &models[i];
    return NULL;
}

void models_list(char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(models) / sizeof(models[0]) && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? " " : "", models[i].name);

        if (n < 0)
            break;
        used += (size_t)n;
    }
}
