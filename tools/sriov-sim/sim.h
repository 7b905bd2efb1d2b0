/*
 * sriov-sim: a synthetic SR-IOV host.
 *
 * One in-memory model (the PCI devices, drivers and netdevs of a host, plus
 * a node tree that mirrors /sys) drives both the static tree writer and the
 * FUSE emulation, so the two can never disagree about what a host looks like.
 */
#ifndef SRIOV_SIM_H
#define SRIOV_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "tree.h"

#define PCI_ANY_ID 0xffffffffu
#define PCI_CFG_SIZE 4096

/* Exit status for a bad host description or command line. */
#define SIM_EXIT_USAGE 2

/* ---- host description (desc.c, models.c) ---- */

/* What a card's PFs, or each of its VFs, look like. */
struct fn_model {
    uint16_t device, subsys;
    uint64_t bar_size;
    uint16_t msix;
};

struct card_model {
    const char *name;
    uint16_t vendor, subsys_vendor;
    uint32_t class;
    uint8_t revision;
    unsigned ports, totalvfs;
    bool flr;
    /* 82599-style: every PF uses the same offset, VFs of the PFs interleave. */
    bool interleaved;
    uint16_t vf_offset, vf_stride;
    struct fn_model pf, vf;
};

struct card_spec {
    const struct card_model *model;
    unsigned ports, totalvfs, numvfs;
    bool autoprobe, nodriver;
    int numa_node;
    int domain;                 /* -1: next free domain */
};

struct host_spec {
    struct card_spec *cards;
    size_t n_cards;
};

const struct card_model *model_find(const char *name);
void models_list(char *buf, size_t len);

/* Fills *spec; on error prints a message and returns -1 (exit status 2). */
int desc_parse(const char *text, const char *origin, struct host_spec *spec);
int desc_read_file(const char *path, struct host_spec *spec);
void desc_free(struct host_spec *spec);

/* ---- the device model ---- */

enum dev_kind { DEV_ROOT_PORT, DEV_PF, DEV_VF, DEV_ENDPOINT };

struct pci_dev;
struct driver;

struct sriov_state {
    uint16_t totalvfs, numvfs, offset, stride, vf_device;
    bool autoprobe;
    uint64_t vf_bar_base, vf_bar_size;
    struct pci_dev **vfs;       /* totalvfs slots; NULL where absent */
};

struct netdev {
    char name[24];
    unsigned ifindex;
    uint8_t mac[6];
    struct node *dir, *class_link;
};

struct pci_dev {
    struct pci_dev *prev, *next;
    enum dev_kind kind;
    const struct card_model *model;
    uint16_t domain;
    uint8_t bus, devfn;
    char bdf[16];
    uint16_t vendor, device, subsys_vendor, subsys_device;
    uint32_t class;
    uint8_t revision;
    bool multifunction, flr;
    int numa_node;
    unsigned irq, iommu_group, port;
    uint8_t ari_next_fn;        /* ARI Next Function Number: the card's next PF */
    uint16_t msix;
    uint64_t bar0, bar0_size;
    struct pci_dev *parent;     /* the root port above an endpoint */
    struct pci_dev *physfn;     /* VFs */
    unsigned vf_index;
    struct sriov_state *sriov;  /* PFs */
    uint8_t sec_bus, sub_bus;   /* root ports */
    uint64_t win_base, win_limit;

    struct driver *driver;
    char *driver_override;
    unsigned enable_cnt;
    bool permissive;            /* pciback's permissive flag */
    struct netdev *netdev;

    struct node *dir, *bus_link, *group_dir, *driver_link, *drv_dir_link;
    uint8_t *cfg_overlay;       /* bytes written to config, then a mask */
};

/* ---- drivers (drivers.c) ---- */

struct pci_id {
    uint32_t vendor, device, subvendor, subdevice, class, class_mask;
    bool override_only;
};

struct dynid {
    struct dynid *next;
    struct pci_id id;
};

struct pciback_slot {
    struct pciback_slot *next;
    int domain, bus, devfn;
};

enum probe_rule {
    PROBE_ACCEPT,       /* a native driver: probe always succeeds */
    PROBE_PCIBACK,      /* seizes only slots it was told about, or override */
    PROBE_VFIO,         /* refuses anything but type 0 headers */
};

struct driver {
    const char *name;
    bool net, enables_device, sriov_configure;
    enum probe_rule probe;
    const struct pci_id *ids;
    size_t n_ids;
    struct dynid *dynids;
    struct pciback_slot *slots;
    struct node *dir;
};

/* ---- the simulator ---- */

struct sim {
    struct node *root;
    struct node *devices_dir, *bus_pci_dir, *bus_devices_dir, *drivers_dir;
    struct node *class_net_dir, *iommu_groups_dir;
    struct pci_dev *dev_head, *dev_tail;
    size_t n_devices;
    struct driver *drivers;
    size_t n_drivers;
    bool bus_autoprobe;
    unsigned next_iommu_group, next_ifindex, next_irq;
    int max_numa_node;
    uint64_t mmio_cursor;
    char cpulist[32];
    time_t created;             /* timestamps of every node */
    const char *faults;         /* mount --faults FILE, or NULL */
};

int sim_new(const struct host_spec *spec, struct sim **out);
void sim_free(struct sim *sim);

/* pci_dev.c */
struct pci_dev *pci_dev_new(struct sim *sim, enum dev_kind kind, uint16_t domain,
                            uint8_t bus, uint8_t devfn);
void pci_dev_free(struct sim *sim, struct pci_dev *dev);
struct pci_dev *pci_dev_find(struct sim *sim, uint16_t domain, uint8_t bus, uint8_t devfn);
/* Looks a device up by name the way the kernel's sysfs_streq() does. */
struct pci_dev *pci_dev_find_by_name(struct sim *sim, const char *buf);
bool pci_dev_is_bridge(const struct pci_dev *dev);

/* topology.c */
int topology_build(struct sim *sim, const struct host_spec *spec);
void sriov_vf_rid(const struct pci_dev *pf, unsigned i, uint8_t *bus, uint8_t *devfn);

/* config_space.c */
void config_render(const struct pci_dev *dev, uint8_t cfg[PCI_CFG_SIZE]);
void config_write(struct pci_dev *dev, size_t off, const void *buf, size_t len);

/* sysfs_tree.c */
void sysfs_init(struct sim *sim);
void sysfs_add_device(struct sim *sim, struct pci_dev *dev);
void sysfs_remove_device(struct sim *sim, struct pci_dev *dev);
void sysfs_link_driver(struct sim *sim, struct pci_dev *dev);
void sysfs_unlink_driver(struct sim *sim, struct pci_dev *dev);

/* device_attrs.c, sriov.c, driver_attrs.c */
void device_attrs_add(struct sim *sim, struct pci_dev *dev);
/* Most device attributes print one expression of the device, "dev". */
#define DEV_SHOW(name, fmt, expr)                                              \
    static int show_##name(struct sim *sim, void *obj, struct strbuf *out)     \
    {                                                                          \
        const struct pci_dev *dev = obj;                                       \
        (void)sim;                                                             \
        strbuf_printf(out, fmt, expr);                                         \
        return 0;                                                              \
    }
void sriov_attrs_add(struct sim *sim, struct pci_dev *dev);
void driver_attrs_add(struct sim *sim, struct driver *drv);
void bus_attrs_add(struct sim *sim);

/* drivers.c */
void drivers_init(struct sim *sim);
void drivers_free(struct sim *sim);
struct driver *driver_find(struct sim *sim, const char *name);
bool driver_matches(const struct driver *drv, const struct pci_dev *dev);
/* The kernel's device_driver_attach(): 0 or -errno. */
int driver_attach_device(struct sim *sim, struct driver *drv, struct pci_dev *dev);
/* The kernel's device_attach(): binds the first driver that takes it. */
void driver_probe_device(struct sim *sim, struct pci_dev *dev);
/* The kernel's driver_attach(): offers every unbound device to drv. */
void driver_probe_all(struct sim *sim, struct driver *drv);
void driver_release_device(struct sim *sim, struct pci_dev *dev);
bool pciback_has_slot(const struct driver *drv, const struct pci_dev *dev);

/* sriov.c */
int sriov_enable(struct sim *sim, struct pci_dev *pf, unsigned numvfs);
void sriov_disable(struct sim *sim, struct pci_dev *pf);

/* netdev.c */
void netdev_add(struct sim *sim, struct pci_dev *dev);
void netdev_remove(struct sim *sim, struct pci_dev *dev);
void netdev_name(const struct pci_dev *dev, char *buf, size_t len);

/* kparse.c: the kernel's string parsers, so errnos match */
int kstrtoull(const char *s, unsigned base, unsigned long long *res);
int kstrtou16(const char *s, unsigned base, uint16_t *res);
int kstrtoint(const char *s, unsigned base, int *res);
int kstrtobool(const char *s, bool *res);
bool sysfs_streq(const char *s1, const char *s2);
/* The store method of every uevent file: devices', drivers' and the bus's. */
int store_uevent(struct sim *sim, void *obj, const char *buf, size_t len);

/* static_build.c, mount.c, describe.c */
int static_build(struct sim *sim, const char *root);
struct mount_opts {
    bool foreground;
    const char *pidfile;
    bool debug;
    const char *faults;         /* absolute path: attribute names whose writes fail */
};
int fuse_run(struct sim *sim, const char *mountpoint, const struct mount_opts *opts);
void describe_print(const struct sim *sim, bool json);

#endif
