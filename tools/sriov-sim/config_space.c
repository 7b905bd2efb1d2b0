/*
 * Config space, rendered from the model on every read so that registers the
 * kernel keeps in sync (NumVFs, VF Enable) can never go stale.  Software
 * writes land in an overlay, but only on the few registers real hardware
 * lets software change; everything else stays read-only like on a device.
 */
#include <string.h>

#include "sim.h"

#define CAP_PCIE 0x40
#define CAP_MSIX 0x80
#define EXT_FIRST 0x100
#define EXT_ARI_AFTER_SRIOV 0x140

#define PCI_EXP_TYPE_ENDPOINT 0x0
#define PCI_EXP_TYPE_ROOT_PORT 0x4

static void put8(uint8_t *c, size_t off, uint8_t v)
{
    c[off] = v;
}

static void put16(uint8_t *c, size_t off, uint16_t v)
{
    c[off] = (uint8_t)v;
    c[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *c, size_t off, uint32_t v)
{
    put16(c, off, (uint16_t)v);
    put16(c, off + 2, (uint16_t)(v >> 16));
}

static void put_ext_header(uint8_t *c, size_t off, uint16_t id, uint16_t next)
{
    put32(c, off, id | 1u << 16 | (uint32_t)next << 20);
}

/* A 64-bit prefetchable memory BAR over two dwords. */
static void put_bar64(uint8_t *c, size_t off, uint64_t addr)
{
    put32(c, off, (uint32_t)(addr & 0xfffffff0u) | 0xc);
    put32(c, off + 4, (uint32_t)(addr >> 32));
}

static void render_common(const struct pci_dev *dev, uint8_t *c, uint8_t header_type)
{
    bool vf = dev->kind == DEV_VF;
    uint16_t cmd = vf ? 0 : 0x0002;   /* a VF's Memory Space bit is RO zero */

    if (dev->enable_cnt)
        cmd |= 0x0004 | 0x0400;      /* bus master; INTx off, MSI-X in use */
    /* SR-IOV 1.1 section 3.4.1.1/2: a VF's Vendor and Device ID registers read
     * 0xFFFF (QEMU's NVMe VFs do too); the kernel fills sysfs from the PF. */
    put16(c, 0x00, vf ? 0xffff : dev->vendor);
    put16(c, 0x02, vf ? 0xffff : dev->device);
    put16(c, 0x04, cmd);
    put16(c, 0x06, 0x0010);           /* capability list */
    put8(c, 0x08, dev->revision);
    put8(c, 0x09, (uint8_t)dev->class);
    put8(c, 0x0a, (uint8_t)(dev->class >> 8));
    put8(c, 0x0b, (uint8_t)(dev->class >> 16));
    put8(c, 0x0c, 0x10);
    put8(c, 0x0e, (uint8_t)(header_type | (dev->multifunction ? 0x80 : 0)));
    put8(c, 0x34, CAP_PCIE);
    put8(c, 0x3c, (uint8_t)dev->irq);
    put8(c, 0x3d, vf ? 0 : 1);    /* INTA; VFs have no INTx */
}

static void render_pcie_cap(const struct pci_dev *dev, uint8_t *c)
{
    bool rp = pci_dev_is_bridge(dev);
    uint8_t port = (uint8_t)((rp ? dev->port : dev->parent ? dev->parent->port : 0) + 1);
    size_t p = CAP_PCIE;

    put8(c, p, 0x10);
    put8(c, p + 1, CAP_MSIX);
    put16(c, p + 2, (uint16_t)(2 | (rp ? PCI_EXP_TYPE_ROOT_PORT : PCI_EXP_TYPE_ENDPOINT) << 4 |
                               (rp ? 0x100 : 0)));
    put32(c, p + 4, 0x2 | (rp ? 0x8000 : 0) | (dev->flr ? 1u << 28 : 0));
    put16(c, p + 8, 0x2030);
    put32(c, p + 0x0c, 0x3 | 8u << 4 | 3u << 10 | (rp ? 1u << 20 : 0) | (uint32_t)port << 24);
    put16(c, p + 0x12, (uint16_t)(0x3 | 8u << 4 | 0x1000 | (rp ? 0x2000 : 0)));
    if (rp) {
        put32(c, p + 0x14, (uint32_t)port << 19);
        put16(c, p + 0x1a, 0x0040);   /* presence detect */
    }
    put32(c, p + 0x24, rp ? 0x3f : 0x1f);     /* root ports forward ARI */
    put16(c, p + 0x28, rp ? 0x20 : 0);
    put32(c, p + 0x2c, 0x0e);
    put16(c, p + 0x30, 0x3);
}

static void render_msi(const struct pci_dev *dev, uint8_t *c)
{
    if (pci_dev_is_bridge(dev)) {
        put8(c, CAP_MSIX, 0x05);                  /* MSI */
        put16(c, CAP_MSIX + 2, 0x0080);           /* 64-bit */
        return;
    }
    put8(c, CAP_MSIX, 0x11);
    put16(c, CAP_MSIX + 2, (uint16_t)(((dev->msix ? dev->msix : 1) - 1) |
                                      (dev->enable_cnt ? 0x8000 : 0)));
    put32(c, CAP_MSIX + 4, 0x2000);               /* table in BAR0 */
    put32(c, CAP_MSIX + 8, 0x3000);               /* PBA in BAR0 */
}

static void render_sriov(const struct pci_dev *pf, uint8_t *c)
{
    const struct sriov_state *s = pf->sriov;
    size_t p = EXT_FIRST;
    uint16_t ctrl = 0;

    /* Linux sets ARI Capable Hierarchy in the first PF of the bus only. */
    if (pf->port == 0)
        ctrl |= 0x10;
    if (s->numvfs)
        ctrl |= 0x1 | 0x8;            /* VF Enable, VF MSE */
    put_ext_header(c, p, 0x0010, EXT_ARI_AFTER_SRIOV);
    put16(c, p + 0x08, ctrl);
    put16(c, p + 0x0c, s->totalvfs);
    put16(c, p + 0x0e, s->totalvfs);
    put16(c, p + 0x10, s->numvfs);
    put8(c, p + 0x12, pf->devfn);
    put16(c, p + 0x14, s->offset);
    put16(c, p + 0x16, s->stride);
    put16(c, p + 0x1a, s->vf_device);
    put32(c, p + 0x1c, 0x553);
    put32(c, p + 0x20, 0x1);
    put_bar64(c, p + 0x24, s->vf_bar_base);
}

static void render_ari(const struct pci_dev *dev, uint8_t *c, size_t p)
{
    put_ext_header(c, p, 0x000e, 0);
    put16(c, p + 4, (uint16_t)(dev->ari_next_fn << 8));
}

static void render_root_port(const struct pci_dev *rp, uint8_t *c)
{
    render_common(rp, c, 0x01);
    put8(c, 0x18, rp->bus);
    put8(c, 0x19, rp->sec_bus);
    put8(c, 0x1a, rp->sub_bus);
    put8(c, 0x1c, 0xf0);              /* I/O window disabled */
    put16(c, 0x20, 0xfff0);           /* non-prefetchable window disabled */
    put16(c, 0x24, (uint16_t)(((rp->win_base >> 16) & 0xfff0) | 0x1));
    put16(c, 0x26, (uint16_t)(((rp->win_limit >> 16) & 0xfff0) | 0x1));
    put32(c, 0x28, (uint32_t)(rp->win_base >> 32));
    put32(c, 0x2c, (uint32_t)(rp->win_limit >> 32));
    render_pcie_cap(rp, c);
    render_msi(rp, c);
    /* ACS: SV TB RR CR UF capable; SV RR CR UF enabled. */
    put_ext_header(c, EXT_FIRST, 0x000d, 0);
    put16(c, EXT_FIRST + 4, 0x001f);
    put16(c, EXT_FIRST + 6, 0x001d);
}

static void apply_overlay(const struct pci_dev *dev, uint8_t *c)
{
    const uint8_t *data = dev->cfg_overlay, *mask = data + PCI_CFG_SIZE;

    for (size_t i = 0; i < PCI_CFG_SIZE; i++)
        if (mask[i])
            c[i] = data[i];
}

void config_render(const struct pci_dev *dev, uint8_t c[PCI_CFG_SIZE])
{
    memset(c, 0, PCI_CFG_SIZE);
    if (pci_dev_is_bridge(dev)) {
        render_root_port(dev, c);
    } else {
        render_common(dev, c, 0x00);
        if (dev->kind != DEV_VF)
            put_bar64(c, 0x10, dev->bar0);
        put16(c, 0x2c, dev->subsys_vendor);
        put16(c, 0x2e, dev->subsys_device);
        render_pcie_cap(dev, c);
        render_msi(dev, c);
        if (dev->kind == DEV_PF) {
            render_sriov(dev, c);
            render_ari(dev, c, EXT_ARI_AFTER_SRIOV);
        } else if (dev->kind == DEV_VF) {
            render_ari(dev, c, EXT_FIRST);
        } else {
            put_ext_header(c, EXT_FIRST, 0x0001, 0);   /* AER */
        }
    }
    if (dev->cfg_overlay)
        apply_overlay(dev, c);
}

/* Registers software may change: command, cache line/latency, interrupt
 * line, PCIe Device/Link Control, MSI(-X) Message Control. */
static bool writable(size_t off)
{
    return (off >= 0x04 && off < 0x06) || (off >= 0x0c && off < 0x0e) || off == 0x3c ||
           (off >= CAP_PCIE + 8 && off < CAP_PCIE + 0x0a) ||
           (off >= CAP_PCIE + 0x10 && off < CAP_PCIE + 0x12) ||
           (off >= CAP_MSIX + 2 && off < CAP_MSIX + 4);
}

void config_write(struct pci_dev *dev, size_t off, const void *buf, size_t len)
{
    const uint8_t *src = buf;

    for (size_t i = 0; i < len && off + i < PCI_CFG_SIZE; i++) {
        if (!writable(off + i))
            continue;
        if (!dev->cfg_overlay)
            dev->cfg_overlay = xzalloc(2 * PCI_CFG_SIZE);
        dev->cfg_overlay[off + i] = src[i];
        dev->cfg_overlay[PCI_CFG_SIZE + off + i] = 1;
    }
}
