/*
 * The attributes every PCI function has (drivers/pci/pci-sysfs.c), with the
 * kernel's formats and, for the writable ones, its parsing and errnos.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define PAGE_SIZE 4096

/* IORESOURCE_MEM | PREFETCH | MEM_64 | SIZEALIGN, plus the BAR's type bits. */
#define RES_FLAGS_MEM64_PREF 0x14220cull
#define RES_FLAGS_BRIDGE_PREF 0x102201ull
#define RES_LINES_ENDPOINT 13   /* 6 BARs, ROM, 6 SR-IOV BARs */
#define RES_LINES_BRIDGE 17     /* ... plus 4 bridge windows */

DEV_SHOW(vendor, "0x%04x\n", dev->vendor)
DEV_SHOW(device, "0x%04x\n", dev->device)
DEV_SHOW(subsystem_vendor, "0x%04x\n", dev->subsys_vendor)
DEV_SHOW(subsystem_device, "0x%04x\n", dev->subsys_device)
DEV_SHOW(class, "0x%06x\n", dev->class)
DEV_SHOW(revision, "0x%02x\n", dev->revision)
DEV_SHOW(irq, "%u\n", dev->irq)
DEV_SHOW(numa_node, "%d\n", dev->numa_node)
DEV_SHOW(enable, "%u\n", dev->enable_cnt)
DEV_SHOW(driver_override, "%s\n", dev->driver_override ? dev->driver_override : "(null)")
DEV_SHOW(secondary_bus_number, "%u\n", dev->sec_bus)
DEV_SHOW(subordinate_bus_number, "%u\n", dev->sub_bus)

static int show_local_cpulist(struct sim *sim, void *obj, struct strbuf *out)
{
    (void)obj;
    strbuf_printf(out, "%s\n", sim->cpulist);
    return 0;
}

static void modalias(const struct pci_dev *dev, struct strbuf *out)
{
    strbuf_printf(out, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", dev->vendor,
                  dev->device, dev->subsys_vendor, dev->subsys_device,
                  (dev->class >> 16) & 0xff, (dev->class >> 8) & 0xff, dev->class & 0xff);
}

static int show_modalias(struct sim *sim, void *obj, struct strbuf *out)
{
    (void)sim;
    modalias(obj, out);
    strbuf_append(out, "\n", 1);
    return 0;
}

/* dev_uevent() puts DRIVER= first, then pci_uevent() its variables. */
static int show_uevent(struct sim *sim, void *obj, struct strbuf *out)
{
    const struct pci_dev *dev = obj;

    (void)sim;
    if (dev->driver)
        strbuf_printf(out, "DRIVER=%s\n", dev->driver->name);
    strbuf_printf(out, "PCI_CLASS=%04X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\n"
                  "PCI_SLOT_NAME=%s\nMODALIAS=", dev->class, dev->vendor, dev->device,
                  dev->subsys_vendor, dev->subsys_device, dev->bdf);
    modalias(dev, out);
    strbuf_append(out, "\n", 1);
    return 0;
}

static void resource_line(struct strbuf *out, uint64_t start, uint64_t size, uint64_t flags)
{
    uint64_t end = size ? start + size - 1 : 0;

    strbuf_printf(out, "0x%016llx 0x%016llx 0x%016llx\n", (unsigned long long)start,
                  (unsigned long long)end, (unsigned long long)(size ? flags : 0));
}

static int show_resource(struct sim *sim, void *obj, struct strbuf *out)
{
    const struct pci_dev *dev = obj;
    bool bridge = pci_dev_is_bridge(dev);
    unsigned lines = bridge ? RES_LINES_BRIDGE : RES_LINES_ENDPOINT;

    (void)sim;
    for (unsigned i = 0; i < lines; i++) {
        if (i == 0 && !bridge)
            resource_line(out, dev->bar0, dev->bar0_size, RES_FLAGS_MEM64_PREF);
        else if (i == 7 && dev->sriov)
            resource_line(out, dev->sriov->vf_bar_base,
                          dev->sriov->vf_bar_size * dev->sriov->totalvfs,
                          RES_FLAGS_MEM64_PREF);
        else if (i == 15 && bridge)
            resource_line(out, dev->win_base, dev->win_limit - dev->win_base + 1,
                          RES_FLAGS_BRIDGE_PREF);
        else
            resource_line(out, 0, 0, 0);
    }
    return 0;
}

static int show_config(struct sim *sim, void *obj, struct strbuf *out)
{
    uint8_t cfg[PCI_CFG_SIZE];

    (void)sim;
    config_render(obj, cfg);
    strbuf_append(out, cfg, sizeof(cfg));
    return 0;
}

/* pci_write_config(): past the end writes nothing, straddling is clipped. */
static ssize_t write_config(struct sim *sim, void *obj, const char *buf, size_t len, off_t off)
{
    (void)sim;
    if (off < 0 || off >= PCI_CFG_SIZE)
        return 0;
    if (len > (size_t)(PCI_CFG_SIZE - off))
        len = (size_t)(PCI_CFG_SIZE - off);
    config_write(obj, (size_t)off, buf, len);
    return (ssize_t)len;
}

/* driver_set_override(): "" or "\n" clears, the first newline ends it. */
static int store_driver_override(struct sim *sim, void *obj, const char *buf, size_t len)
{
    struct pci_dev *dev = obj;
    const char *nl;

    (void)sim;
    if (len >= PAGE_SIZE - 1)
        return -EINVAL;
    len = strlen(buf);
    free(dev->driver_override);
    dev->driver_override = NULL;
    if (!len)
        return 0;
    nl = memchr(buf, '\n', len);
    if (nl == buf)
        return 0;
    dev->driver_override = xstrndup(buf, nl ? (size_t)(nl - buf) : len);
    return 0;
}

/* enable_store(): disabling a device that is not enabled is -EIO. */
static int store_enable(struct sim *sim, void *obj, const char *buf, size_t len)
{
    struct pci_dev *dev = obj;
    bool enable;

    (void)sim;
    (void)len;
    if (kstrtobool(buf, &enable))
        return -EINVAL;
    if (enable)
        dev->enable_cnt++;
    else if (dev->enable_cnt)
        dev->enable_cnt--;
    else
        return -EIO;
    return 0;
}

/* numa_node_store(): only NUMA_NO_NODE or an online node. */
static int store_numa_node(struct sim *sim, void *obj, const char *buf, size_t len)
{
    struct pci_dev *dev = obj;
    int node, rc;

    (void)len;
    rc = kstrtoint(buf, 0, &node);
    if (rc)
        return rc;
    if (node < -1 || node > (sim->max_numa_node > 0 ? sim->max_numa_node : 0))
        return -EINVAL;
    dev->numa_node = node;
    return 0;
}

/* reset_store(): only "1" resets (the reset itself is instantaneous here). */
static int store_reset(struct sim *sim, void *obj, const char *buf, size_t len)
{
    unsigned long long val;

    (void)sim;
    (void)obj;
    (void)len;
    if (kstrtoull(buf, 0, &val) || val != 1)
        return -EINVAL;
    return 0;
}

static const struct attr_def common_attrs[] = {
    ATTR_RO(vendor),
    ATTR_RO(device),
    ATTR_RO(subsystem_vendor),
    ATTR_RO(subsystem_device),
    ATTR_RO(class),
    ATTR_RO(revision),
    { "config", 0644, show_config, NULL, write_config, false },
    ATTR_RO(resource),
    ATTR_RO(irq),
    ATTR_RW(numa_node),
    ATTR_RO(local_cpulist),
    ATTR_RW(enable),
    ATTR_RW(driver_override),
    ATTR_RO(modalias),
    ATTR_RW(uevent),
};

static const struct attr_def reset_attr = ATTR_WO(reset);

static const struct attr_def bridge_attrs[] = {
    ATTR_RO(secondary_bus_number),
    ATTR_RO(subordinate_bus_number),
};

void device_attrs_add(struct sim *sim, struct pci_dev *dev)
{
    (void)sim;
    node_add_attrs(dev->dir, common_attrs, ARRAY_SIZE(common_attrs), dev);
    if (dev->flr)
        node_add_attr(dev->dir, &reset_attr, dev);
    if (pci_dev_is_bridge(dev))
        node_add_attrs(dev->dir, bridge_attrs, ARRAY_SIZE(bridge_attrs), dev);
}
