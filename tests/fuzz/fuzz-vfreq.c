/* The vf= entry parser (config/vfreq.c), which also reads pci-attach SPECs from
 * the command line, and libxlutil's PCI options behind it. */
#include "config.h"

#include "fuzz.h"
#include "config/vfreq.h"

FUZZ_QUIET_CTX(ctx);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = fuzz_string(data, size);
    struct sriov__vf_req req;

    if (sriov__vf_req_parse(ctx, spec, "fuzz", &req) == 0) {
        /* What every accepted entry promises the allocator. */
        FUZZ_ASSERT(!!req.network != !!req.pf);
        FUZZ_ASSERT(req.vf_index >= -1 && req.vf_index <= 65535);
        FUZZ_ASSERT(req.vf_index < 0 || req.pf);
        FUZZ_ASSERT(req.spec && !strcmp(req.spec, spec));
        FUZZ_ASSERT(!req.pci_opts || !strpbrk(req.pci_opts, "'\"\\\n"));
        FUZZ_ASSERT(req.pci.vdevfn == -1 || (req.pci.vdevfn >= 0 && req.pci.vdevfn <= 255));
        sriov__vf_req_dispose(&req);
        /* The same text parses the same way again. */
        FUZZ_ASSERT(sriov__vf_req_parse(ctx, spec, "fuzz", &req) == 0);
    }
    sriov__vf_req_dispose(&req);
    free(spec);
    return 0;
}
