/*
 * The state file, assignments.json (assign/records.c): whatever bytes are
 * accepted must save, and what is saved must load back to the same records:
 * format(parse(x)) is a fixed point of format(parse(.)).  The buffer-level pair
 * is what sriov__recs_load() and sriov__recs_save() use around the file.
 */
#include "config.h"

#include "fuzz.h"
#include "assign/records.h"

FUZZ_QUIET_CTX(ctx);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sriov__recs a = { 0 }, b = { 0 };
    char *t1 = NULL, *t2 = NULL;
    size_t l1 = 0, l2 = 0;

    if (sriov__recs_parse(ctx, "fuzz", (const char *)data, size, &a) == 0) {
        FUZZ_ASSERT(sriov__recs_format(ctx, "fuzz", &a, &t1, &l1) == 0);
        FUZZ_ASSERT(sriov__recs_parse(ctx, "fuzz", t1, l1, &b) == 0);
        FUZZ_ASSERT(b.n == a.n);
        FUZZ_ASSERT(sriov__recs_format(ctx, "fuzz", &b, &t2, &l2) == 0);
        FUZZ_ASSERT(l1 == l2 && !memcmp(t1, t2, l1));
    }
    free(t1);
    free(t2);
    sriov__recs_dispose(&a);
    sriov__recs_dispose(&b);
    return 0;
}
