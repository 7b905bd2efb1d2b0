/*
 * What the libFuzzer targets share: a context that logs nothing (the library's
 * default logger would print every refusal), and the input as a C string.
 * Built with clang -fsanitize=fuzzer,address,undefined (tests/fuzz/local.am);
 * a crash, a sanitizer report or a broken invariant (abort) is a finding.
 */
#ifndef SRIOV_FUZZ_H
#define SRIOV_FUZZ_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void fuzz_quiet(void *data, int priority, const char *file, int line, const char *fn,
                       const char *format, va_list args)
{
    (void)data, (void)priority, (void)file, (void)line, (void)fn, (void)format, (void)args;
}

/* A context for the targets: opts may be NULL. */
static inline struct sriov_ctx *fuzz_ctx(const struct sriov_ctx_opts *opts)
{
    struct sriov_ctx_opts none = { 0 };
    struct sriov_ctx *ctx = NULL;

    if (sriov_ctx_new(&ctx, opts ? opts : &none))
        abort();
    sriov_ctx_set_log_fn(ctx, fuzz_quiet, NULL);
    return ctx;
}

/* static struct sriov_ctx *NAME, made by LLVMFuzzerInitialize with no options:
 * for targets that need nothing else set up. */
#define FUZZ_QUIET_CTX(name)                         \
    static struct sriov_ctx *name;                   \
    int LLVMFuzzerInitialize(int *argc, char ***argv) \
    {                                                \
        (void)argc, (void)argv;                      \
        name = fuzz_ctx(NULL);                       \
        return 0;                                    \
    }

/* The input up to its first NUL, NUL-terminated; free() it. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* An invariant that does not hold: a finding, reported like a crash. */
#define FUZZ_ASSERT(cond)                                                               \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                    \
        }                                                                               \
    } while (0)

#endif
