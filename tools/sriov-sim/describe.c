/* "describe": the devices a host description expands to, for tests. */
#include <stdarg.h>
#include <stdio.h>

#include "sim.h"

static const char *kind_name(enum dev_kind kind)
{
    switch (kind) {
    case DEV_ROOT_PORT: return "root-port";
    case DEV_PF: return "pf";
    case DEV_VF: return "vf";
    case DEV_ENDPOINT: return "endpoint";
    }
    return "?";
}

/*
 * The text and JSON forms list the same fields through these two, so they
 * cannot drift apart: " key=value", or ", "json_key": value" where JSON
 * spells the key out (json_key NULL: the same key).
 */
static void num(bool json, const char *key, const char *json_key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void num(bool json, const char *key, const char *json_key, const char *fmt, ...)
{
    va_list ap;

    if (json)
        printf(", \"%s\": ", json_key ? json_key : key);
    else
        printf(" %s=", key);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

/* A string: quoted in JSON; NULL is null there and "-" in text. */
static void str(bool json, const char *key, const char *val)
{
    if (!json)
        printf(" %s=%s", key, val ? val : "-");
    else if (val)
        printf(", \"%s\": \"%s\"", key, val);
    else
        printf(", \"%s\": null", key);
}

static void describe(const struct pci_dev *d, bool json)
{
    char vf_device[8];

    if (json)
        printf("\n  {\"bdf\": \"%s\", \"kind\": \"%s\", \"vendor\": \"%04x\", "
               "\"device\": \"%04x\"", d->bdf, kind_name(d->kind), d->vendor, d->device);
    else
        printf("%s %-9s %04x:%04x", d->bdf, kind_name(d->kind), d->vendor, d->device);
    str(json, "driver", d->driver ? d->driver->name : NULL);
    if (d->model)
        str(json, "model", d->model->name);
    num(json, "numa", "numa_node", "%d", d->numa_node);
    num(json, "iommu_group", NULL, "%u", d->iommu_group);
    if (d->kind == DEV_ROOT_PORT && !json) {
        printf(" buses=%02x-%02x", d->sec_bus, d->sub_bus);
    } else if (d->kind == DEV_ROOT_PORT) {
        num(json, "secondary", NULL, "%u", d->sec_bus);
        num(json, "subordinate", NULL, "%u", d->sub_bus);
    }
    if (d->sriov) {
        bool ap = d->sriov->autoprobe;

        num(json, "totalvfs", NULL, "%u", d->sriov->totalvfs);
        num(json, "numvfs", NULL, "%u", d->sriov->numvfs);
        num(json, "offset", NULL, "%u", d->sriov->offset);
        num(json, "stride", NULL, "%u", d->sriov->stride);
        snprintf(vf_device, sizeof(vf_device), "%04x", d->sriov->vf_device);
        str(json, "vf_device", vf_device);
        num(json, "autoprobe", NULL, "%s", json ? (ap ? "true" : "false") : (ap ? "1" : "0"));
    }
    if (d->physfn) {
        str(json, "physfn", d->physfn->bdf);
        num(json, "vf", "vf_index", "%u", d->vf_index);
    }
    if (d->netdev)
        str(json, "netdev", d->netdev->name);
    putchar(json ? '}' : '\n');
}

void describe_print(const struct sim *sim, bool json)
{
    if (json)
        putchar('[');
    for (const struct pci_dev *d = sim->dev_head; d; d = d->next) {
        if (json && d != sim->dev_head)
            putchar(',');
        describe(d, json);
    }
    if (json)
        puts("\n]");
}
