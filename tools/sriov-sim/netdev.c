/*
 * Network interfaces of devices bound to a net driver: <dev>/net/<ifname>/
 * plus class/net/<ifname>.  Names follow udev's predictable path names so
 * tests can reason about them without a lookup table.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"

/* enp3s0f0, enp3s16f1, enP1p3s0f0; single-function devices drop "f0". */
void netdev_name(const struct pci_dev *dev, char *buf, size_t len)
{
    char domain[16] = "", func[8] = "";

    if (dev->domain)
        snprintf(domain, sizeof(domain), "P%u", dev->domain);
    if (dev->multifunction || (dev->devfn & 7) || dev->kind == DEV_VF)
        snprintf(func, sizeof(func), "f%u", dev->devfn & 7u);
    snprintf(buf, len, "en%sp%us%u%s", domain, dev->bus, dev->devfn >> 3, func);
}

static int show_address(struct sim *sim, void *obj, struct strbuf *out)
{
    const struct netdev *nd = obj;

    (void)sim;
    strbuf_printf(out, "%02x:%02x:%02x:%02x:%02x:%02x\n", nd->mac[0], nd->mac[1],
                  nd->mac[2], nd->mac[3], nd->mac[4], nd->mac[5]);
    return 0;
}

static int show_ifindex(struct sim *sim, void *obj, struct strbuf *out)
{
    const struct netdev *nd = obj;

    (void)sim;
    strbuf_printf(out, "%u\n", nd->ifindex);
    return 0;
}

static int show_operstate(struct sim *sim, void *obj, struct strbuf *out)
{
    (void)sim;
    (void)obj;
    strbuf_printf(out, "up\n");
    return 0;
}

static const struct attr_def netdev_attrs[] = {
    ATTR_RO(address),
    ATTR_RO(ifindex),
    ATTR_RO(operstate),
};

void netdev_add(struct sim *sim, struct pci_dev *dev)
{
    struct netdev *nd = xzalloc(sizeof(*nd));
    struct node *net = node_child(dev->dir, "net");

    netdev_name(dev, nd->name, sizeof(nd->name));
    nd->ifindex = sim->next_ifindex++;
    /* Locally administered, derived from the address so it is stable. */
    nd->mac[0] = 0x02;
    nd->mac[1] = (uint8_t)(dev->domain >> 8);
    nd->mac[2] = (uint8_t)dev->domain;
    nd->mac[3] = dev->bus;
    nd->mac[4] = dev->devfn;
    nd->mac[5] = 0x01;
    if (!net)
        net = node_add_dir(dev->dir, "net");
    nd->dir = node_add_dir(net, nd->name);
    node_add_attrs(nd->dir, netdev_attrs, ARRAY_SIZE(netdev_attrs), nd);
    node_link_to(nd->dir, "device", dev->dir);
    nd->class_link = node_link_to(sim->class_net_dir, nd->name, nd->dir);
    dev->netdev = nd;
}

void netdev_remove(struct sim *sim, struct pci_dev *dev)
{
    struct netdev *nd = dev->netdev;
    struct node *net;

    (void)sim;
    if (!nd)
        return;
    net = nd->dir->parent;
    node_remove(nd->class_link);
    node_remove(nd->dir);
    if (!net->first)
        node_remove(net);
    free(nd);
    dev->netdev = NULL;
}
