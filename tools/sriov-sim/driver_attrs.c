/*
 * Driver and bus control files: bus/pci/drivers/<drv>/{bind,unbind,new_id,
 * remove_id,uevent}, pciback's slot files, and bus/pci/{drivers_probe,
 * drivers_autoprobe,rescan,uevent}.  Sources: drivers/base/bus.c,
 * drivers/pci/pci-driver.c, drivers/xen/xen-pciback/pci_stub.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"

/* bind_store(): unknown device or no match -ENODEV; bound already -EBUSY;
 * otherwise whatever the probe says. */
static int store_bind(struct sim *sim, void *obj, const char *buf, size_t len)
{
    struct driver *drv = obj;
    struct pci_dev *dev = pci_dev_find_by_name(sim, buf);

    (void)len;
    if (!dev || !driver_matches(drv, dev))
        return -ENODEV;
    return driver_attach_device(sim, drv, dev);
}

/* unbind_store(): -ENODEV unless the device is bound to this driver. */
static int store_unbind(struct sim *sim, void *obj, const char *buf, size_t len)
{
    struct driver *drv = obj;
    struct pci_dev *dev = pci_dev_find_by_name(sim, buf);

    (void)len;
    if (!dev || dev->driver != drv)
        return -ENODEV;
    driver_release_device(sim, dev);
    return 0;
}

/*
 * The "vendor device [subvendor subdevice class class_mask [driver_data]]"
 * that new_id and remove_id take; what is left out matches anything.
 * Returns how many fields were given.
 */
static int parse_id(const char *buf, struct pci_id *id, unsigned long *driver_data)
{
    *id = (struct pci_id){ .subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID };
    *driver_data = 0;
    return sscanf(buf, "%x %x %x %x %x %x %lx", &id->vendor, &id->device, &id->subvendor,
                  &id->subdevice, &id->class, &id->class_mask, driver_data);
}

/*
 * new_id_store(): an id the driver already matches is -EEXIST; once added,
 * the driver is offered every unbound device (driver_attach), which is why
 * tools that only want one device must not use it.
 */
static int store_new_id(struct sim *sim, void *obj, const char *buf, size_t len)
{
    struct driver *drv = obj;
    struct pci_id id;
    unsigned long driver_data;
    struct dynid *d, **tail;
    int fields;

    (void)len;
    fields = parse_id(buf, &id, &driver_data);
    if (fields < 2)
        return -EINVAL;
    if (fields != 7) {
        struct pci_dev probe = {
            .vendor = (uint16_t)id.vendor, .device = (uint16_t)id.device,
            .subsys_vendor = (uint16_t)id.subvendor, .subsys_device = (uint16_t)id.subdevice,
            .class = id.class,
        };

        if (driver_matches(drv, &probe))
            return -EEXIST;
    }
    /* driver_data must be one the static table uses; ours are all 0. */
    if (drv->n_ids && driver_data)
        return -EINVAL;
    d = xzalloc(sizeof(*d));
    d->id = id;
    for (tail = &drv->dynids; *tail; tail = &(*tail)->next)
        ;
    *tail = d;
    driver_probe_all(sim, drv);
    return 0;
}

/* remove_id_store(): the first dynamic id that matches, else -ENODEV. */
static int store_remove_id(struct sim *sim, void *obj, const char *buf, size_t len)
{
    struct driver *drv = obj;
    struct pci_id want;
    unsigned long driver_data;

    (void)sim;
    (void)len;
    if (parse_id(buf, &want, &driver_data) < 2)
        return -EINVAL;
    for (struct dynid **p = &drv->dynids; *p; p = &(*p)->next) {
        struct pci_id *id = &(*p)->id;

        if (id->vendor == want.vendor && id->device == want.device &&
            (want.subvendor == PCI_ANY_ID || id->subvendor == want.subvendor) &&
            (want.subdevice == PCI_ANY_ID || id->subdevice == want.subdevice) &&
            !((id->class ^ want.class) & want.class_mask)) {
            struct dynid *gone = *p;

            *p = gone->next;
            free(gone);
            return 0;
        }
    }
    return -ENODEV;
}

/* pciback's str_to_slot(): "dddd:bb:ss.f", wildcards '*' for slot/func,
 * domain optional; all of the buffer must be consumed. -1 is a wildcard. */
static int str_to_slot(const char *buf, int *domain, int *bus, int *slot, int *func)
{
    int parsed = 0;

    switch (sscanf(buf, " %x:%x:%x.%x %n", domain, bus, slot, func, &parsed)) {
    case 3:
        *func = -1;
        sscanf(buf, " %x:%x:%x.* %n", domain, bus, slot, &parsed);
        break;
    case 2:
        *slot = *func = -1;
        sscanf(buf, " %x:%x:*.* %n", domain, bus, &parsed);
        break;
    }
    if (parsed && !buf[parsed])
        return 0;
    *domain = 0;
    switch (sscanf(buf, " %x:%x.%x %n", bus, slot, func, &parsed)) {
    case 2:
        *func = -1;
        sscanf(buf, " %x:%x.* %n", bus, slot, &parsed);
        break;
    case 1:
        *slot = *func = -1;
        sscanf(buf, " %x:*.* %n", bus, &parsed);
        break;
    }
    if (parsed && !buf[parsed])
        return 0;
    return -EINVAL;
}

/* pcistub_device_id_add(): wildcards expand; duplicates are kept. */
static int slot_add(struct driver *drv, int domain, int bus, int slot, int func)
{
    struct pciback_slot *s, **tail;
    int rc = 0;

    if (slot < 0) {
        for (slot = 0; !rc && slot < 32; slot++)
            rc = slot_add(drv, domain, bus, slot, func);
        return rc;
    }
    if (func < 0) {
        for (func = 0; !rc && func < 8; func++)
            rc = slot_add(drv, domain, bus, slot, func);
        return rc;
    }
    if (domain < 0 || domain > 0xffff || bus < 0 || bus > 0xff || slot > 0x1f || func > 7)
        return -EINVAL;
    s = xzalloc(sizeof(*s));
    *s = (struct pciback_slot){ NULL, domain, bus, slot << 3 | func };
    for (tail = &drv->slots; *tail; tail = &(*tail)->next)
        ;
    *tail = s;
    return 0;
}

static int store_new_slot(struct sim *sim, void *obj, const char *buf, size_t len)
{
    int domain, bus, slot, func, rc;

    (void)sim;
    (void)len;
    rc = str_to_slot(buf, &domain, &bus, &slot, &func);
    return rc ? rc : slot_add(obj, domain, bus, slot, func);
}

/* pcistub_device_id_remove(): every matching entry, -ENOENT if none. */
static int store_remove_slot(struct sim *sim, void *obj, const char *buf, size_t len)
{
    struct driver *drv = obj;
    int domain, bus, slot, func, rc = -ENOENT;
    struct pciback_slot **p = &drv->slots;

    (void)sim;
    (void)len;
    if (str_to_slot(buf, &domain, &bus, &slot, &func))
        return -EINVAL;
    while (*p) {
        struct pciback_slot *s = *p;

        if (s->domain == domain && s->bus == bus &&
            (slot < 0 || s->devfn >> 3 == slot) && (func < 0 || (s->devfn & 7) == func)) {
            *p = s->next;
            free(s);
            rc = 0;
        } else {
            p = &s->next;
        }
    }
    return rc;
}

static int show_slots(struct sim *sim, void *obj, struct strbuf *out)
{
    const struct driver *drv = obj;

    (void)sim;
    for (const struct pciback_slot *s = drv->slots; s; s = s->next)
        strbuf_printf(out, "%04x:%02x:%02x.%d\n", s->domain, s->bus, s->devfn >> 3,
                      s->devfn & 7);
    return 0;
}

/* permissive_add(): only for a device pciback holds, else -ENODEV. */
static int store_permissive(struct sim *sim, void *obj, const char *buf, size_t len)
{
    int domain, bus, slot, func, rc;
    struct pci_dev *dev;

    (void)len;
    rc = str_to_slot(buf, &domain, &bus, &slot, &func);
    if (rc)
        return rc;
    if (slot < 0 || func < 0)
        return -ENODEV;
    dev = pci_dev_find(sim, (uint16_t)domain, (uint8_t)bus, (uint8_t)(slot << 3 | func));
    if (!dev || dev->driver != obj)
        return -ENODEV;
    dev->permissive = true;
    return 0;
}

static int show_permissive(struct sim *sim, void *obj, struct strbuf *out)
{
    for (const struct pci_dev *d = sim->dev_head; d; d = d->next)
        if (d->driver == obj && d->permissive)
            strbuf_printf(out, "%s\n", d->bdf);
    return 0;
}

static const struct attr_def driver_attrs[] = {
    ATTR_WO(bind),
    ATTR_WO(unbind),
    ATTR_WO(new_id),
    ATTR_WO(remove_id),
    ATTR_WO(uevent),
};

static const struct attr_def pciback_attrs[] = {
    ATTR_WO(new_slot),
    ATTR_WO(remove_slot),
    { "slots", 0400, show_slots, NULL, NULL, false },
    { "permissive", 0600, show_permissive, store_permissive, NULL, false },
};

void driver_attrs_add(struct sim *sim, struct driver *drv)
{
    (void)sim;
    node_add_attrs(drv->dir, driver_attrs, ARRAY_SIZE(driver_attrs), drv);
    if (drv->probe == PROBE_PCIBACK)
        node_add_attrs(drv->dir, pciback_attrs, ARRAY_SIZE(pciback_attrs), drv);
}

/* drivers_probe_store(): -ENODEV for an unknown device; no driver taking
 * it, or it being bound already, is still success. */
static int store_drivers_probe(struct sim *sim, void *obj, const char *buf, size_t len)
{
    struct pci_dev *dev = pci_dev_find_by_name(sim, buf);

    (void)obj;
    (void)len;
    if (!dev)
        return -ENODEV;
    driver_probe_device(sim, dev);
    return 0;
}

static int show_drivers_autoprobe(struct sim *sim, void *obj, struct strbuf *out)
{
    (void)obj;
    strbuf_printf(out, "%d\n", sim->bus_autoprobe);
    return 0;
}

/* drivers_autoprobe_store(): '0' turns it off, anything else on. It only
 * gates driver registration, which never happens here: PCI hot-add (VFs)
 * calls device_attach() itself. */
static int store_drivers_autoprobe(struct sim *sim, void *obj, const char *buf, size_t len)
{
    (void)obj;
    (void)len;
    sim->bus_autoprobe = buf[0] != '0';
    return 0;
}

static int store_rescan(struct sim *sim, void *obj, const char *buf, size_t len)
{
    unsigned long long val;

    (void)sim;
    (void)obj;
    (void)len;
    return kstrtoull(buf, 0, &val) ? -EINVAL : 0;
}

static const struct attr_def bus_attrs[] = {
    ATTR_WO(drivers_probe),
    ATTR_RW(drivers_autoprobe),
    ATTR_WO(rescan),
    ATTR_WO(uevent),
};

void bus_attrs_add(struct sim *sim)
{
    node_add_attrs(sim->bus_pci_dir, bus_attrs, ARRAY_SIZE(bus_attrs), sim);
}
