/*
 * State that cannot be poisoned (issue 9, defects 1, 6, 11):
 *   - UTF-8 helpers: strict validation, cuts only at character boundaries;
 *   - assignments.json: load(save(x)) == x for arbitrary bytes in every free-text
 *     field (seeded random records), long names cut at a boundary;
 *   - files written by another version or by hand with bad bytes, out-of-range
 *     numbers, bad syntax or duplicate records fail closed, naming the record,
 *     with an error that is itself printable text;
 *   - saving refuses what loading would refuse, and leaves the file as it was;
 *   - stale <file>.tmp.<pid> are removed, a live writer's never;
 *   - saved VF settings round-trip an interface name that is not UTF-8.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "internal.h"
#include "assign/records.h"
#include "core/statefile.h"
#include "l2/l2.h"

static char dir[64];
static char state_file[128];

/* xorshift64*: a fixed seed makes every run test the same records. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static unsigned int rnd_below(unsigned int n)
{
    return (unsigned int)(rnd() % n);
}

/* Append the UTF-8 encoding of code point cp (assumed valid) to s at *n. */
static void put_cp(char *s, size_t *n, uint32_t cp)
{
    if (cp < 0x80) {
        s[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        s[(*n)++] = (char)(0xc0 | cp >> 6);
        s[(*n)++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        s[(*n)++] = (char)(0xe0 | cp >> 12);
        s[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        s[(*n)++] = (char)(0x80 | (cp & 0x3f));
    } else {
        s[(*n)++] = (char)(0xf0 | cp >> 18);
        s[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
        s[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        s[(*n)++] = (char)(0x80 | (cp & 0x3f));
    }
}

/* A string of up to max bytes (no NUL): random bytes, random code points
 * (controls, quotes and backslashes included), or a mix of both. */
static void rnd_string(char *s, size_t max)
{
    size_t n = 0, want = max ? rnd_below((unsigned int)max + 1) : 0;
    unsigned int kind = rnd_below(3);

    while (n + 4 <= want || (kind == 0 && n < want)) {
        if (kind == 0 || (kind == 2 && rnd_below(4) == 0)) {
            s[n++] = (char)(1 + rnd_below(255));
        } else {
            static const uint32_t picks[] = { '"', '\\', '/', '\n', 0x1, 0x7f, 0x85, 0xe9,
                                              0x20ac, 0xfffd, 0x1f600, 0x10ffff };
            uint32_t cp = rnd_below(2) ? picks[rnd_below(12)] : 1 + rnd_below(0x10ffff);
            if (cp >= 0xd800 && cp <= 0xdfff)
                cp = 'x';
            put_cp(s, &n, cp);
        }
    }
    s[n] = '\0';
}

static char *rnd_text(size_t max)
{
    char *s;

    if (rnd_below(5) == 0)
        return NULL;
    s = malloc(max + 1);
    if (s)
        rnd_string(s, max);
    return s;
}

static void rnd_record(struct sriov_assignment *r, unsigned int k)
{
    uint8_t u[16];

    memset(r, 0, sizeof(*r));
    for (int i = 0; i < 16; i++)
        u[i] = (uint8_t)rnd();
    sriov__uuid_format(u, r->uuid);
    r->domid = rnd_below(0x7ff0);
    rnd_string(r->name, sizeof(r->name) - 1);
    snprintf(r->pf, sizeof(r->pf), "%04x:%02x:00.%u", rnd_below(0x10000), k, rnd_below(8));
    r->index = rnd_below(0x10000);
    if (rnd_below(3))
        snprintf(r->vf, sizeof(r->vf), "0000:%02x:%02x.%u", k, rnd_below(32), rnd_below(8));
    r->network = rnd_text(300);
    if (rnd_below(4))
        snprintf(r->mac, sizeof(r->mac), "%02x:%02x:%02x:%02x:%02x:%02x", rnd_below(256),
                 rnd_below(256), rnd_below(256), rnd_below(256), rnd_below(256), rnd_below(256));
    r->driver = rnd_text(40);
    r->spec = rnd_text(1000);
    r->phase = (enum sriov__phase)rnd_below(3);
    r->steps = rnd_below(SRIOV__STEPS_KNOWN + 1);
    r->pending = rnd_below(SRIOV__STEPS_KNOWN + 1);
    r->owner = (pid_t)rnd_below(4194305);
    if (rnd_below(2))
        snprintf(r->owner_id, sizeof(r->owner_id), "%08x%08x", (unsigned int)rnd(),
                 (unsigned int)rnd());
}

static bool opt_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool rec_eq(const struct sriov_assignment *a, const struct sriov_assignment *b)
{
    return !strcmp(a->uuid, b->uuid) && a->domid == b->domid && !strcmp(a->name, b->name) &&
           !strcmp(a->pf, b->pf) && a->index == b->index && !strcmp(a->vf, b->vf) &&
           opt_eq(a->network, b->network) && !strcmp(a->mac, b->mac) &&
           opt_eq(a->driver, b->driver) && opt_eq(a->spec, b->spec) && a->phase == b->phase &&
           a->steps == b->steps && a->pending == b->pending && a->owner == b->owner &&
           !strcmp(a->owner_id, b->owner_id);
}

static bool recs_eq(const struct sriov__recs *a, const struct sriov__recs *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!rec_eq(&a->v[i], &b->v[i]))
            return false;
    return true;
}

static void test_utf8(void)
{
    char buf[64];

    CHECK("utf8: ASCII", sriov__utf8_valid("abc", 3));
    CHECK("utf8: 2-, 3-, 4-byte forms",
          sriov__utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
    CHECK("utf8: lone e9 (latin-1 'caf\\xe9')", !sriov__utf8_valid("caf\xe9", 4));
    CHECK("utf8: lone continuation byte", !sriov__utf8_valid("\x80", 1));
    CHECK("utf8: overlong NUL c0 80", !sriov__utf8_valid("\xc0\x80", 2));
    CHECK("utf8: overlong e0 80 af", !sriov__utf8_valid("\xe0\x80\xaf", 3));
    CHECK("utf8: overlong f0 8f bf bf", !sriov__utf8_valid("\xf0\x8f\xbf\xbf", 4));
    CHECK("utf8: surrogate ed a0 80", !sriov__utf8_valid("\xed\xa0\x80", 3));
    CHECK("utf8: above U+10FFFF f4 90 80 80", !sriov__utf8_valid("\xf4\x90\x80\x80", 4));
    CHECK("utf8: U+10FFFF f4 8f bf bf", sriov__utf8_valid("\xf4\x8f\xbf\xbf", 4));
    CHECK("utf8: f5 lead", !sriov__utf8_valid("\xf5\x80\x80\x80", 4));
    CHECK("utf8: sequence cut short", !sriov__utf8_valid("\xe2\x82", 2));
    CHECK("utf8: fe/ff", !sriov__utf8_valid("\xfe", 1) && !sriov__utf8_valid("\xff", 1));

    CHECK("printable: café", sriov__utf8_printable("caf\xc3\xa9"));
    CHECK("printable: no newline", !sriov__utf8_printable("a\nb"));
    CHECK("printable: no DEL", !sriov__utf8_printable("a\x7f"));
    CHECK("printable: no C1 control U+0085", !sriov__utf8_printable("a\xc2\x85"));
    CHECK("printable: U+00A0 is fine", sriov__utf8_printable("a\xc2\xa0"));
    CHECK("printable: not invalid UTF-8", !sriov__utf8_printable("caf\xe9"));

    CHECK_INT("cut: short string kept", sriov__utf8_cut("abc", 10), 3);
    CHECK_INT("cut: before a 2-byte char", sriov__utf8_cut("a\xc3\xa9", 2), 1);
    CHECK_INT("cut: before a 4-byte char", sriov__utf8_cut("ab\xf0\x9f\x98\x80", 5), 2);
    CHECK_INT("cut: after a whole char", sriov__utf8_cut("ab\xf0\x9f\x98\x80z", 6), 6);
    CHECK_INT("cut: an invalid byte is one unit", sriov__utf8_cut("caf\xe9x", 4), 4);

    /* A 64-byte UTF-8 name ("a" + 21 euro signs) into name[64]. */
    {
        char name[80];
        size_t n = 0;
        name[n++] = 'a';
        for (int i = 0; i < 21; i++)
            put_cp(name, &n, 0x20ac);
        name[n] = '\0';
        CHECK("copy: a 64-byte name is cut", sriov__utf8_copy(buf, 64, name));
        CHECK_INT("copy: at the last whole character", strlen(buf), 61);
        CHECK("copy: what is left is valid UTF-8", sriov__utf8_valid(buf, strlen(buf)));
        CHECK("copy: a 63-byte name is not cut", !sriov__utf8_copy(buf, 64, name + 3) &&
                                                   !strcmp(buf, name + 3));
    }
}

static int read_all(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return (int)n;
}

static int write_all(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    bool ok;

    if (fd < 0)
        return -1;
    ok = write(fd, data, len) == (ssize_t)len;
    return close(fd) == 0 && ok ? 0 : -1;
}

static void test_roundtrip(struct sriov_ctx *ctx)
{
    unsigned int sets = 400, bad_file = 0, bad_mem = 0, records = 0, hexed = 0;

    for (unsigned int s = 0; s < sets; s++) {
        struct sriov__recs in = { 0 }, out = { 0 }, mem = { 0 };
        unsigned int n = rnd_below(5);
        char *data = NULL, *text;
        size_t len;
        int rc;

        for (unsigned int k = 0; k < n; k++) {
            struct sriov_assignment r;
            rnd_record(&r, k);
            if (sriov__recs_add(&in, &r))
                bad_mem++;
            sriov__rec_dispose(&r);
            records++;
            if (!sriov__utf8_valid(in.v[k].name, strlen(in.v[k].name)))
                hexed++;
        }
        rc = sriov__recs_save(ctx, &in);
        if (!rc)
            rc = sriov__recs_load(ctx, &out);
        if (rc || !recs_eq(&in, &out)) {
            if (bad_file++ == 0)
                printf("# set %u: rc %d: %s\n", s, rc, sriov_ctx_last_error(ctx));
        }
        rc = sriov__recs_format(ctx, "mem", &in, &data, &len);
        if (!rc)
            rc = sriov__recs_parse(ctx, "mem", data, len, &mem);
        if (rc || !recs_eq(&in, &mem))
            bad_mem++;
        /* What is written must be JSON any strict reader takes: valid UTF-8. */
        text = data;
        if (text && !sriov__utf8_valid(text, len))
            bad_mem++;
        free(data);
        sriov__recs_dispose(&in);
        sriov__recs_dispose(&out);
        sriov__recs_dispose(&mem);
    }
    printf("# %u record sets, %u records (%u names not UTF-8) saved and loaded\n", sets, records,
           hexed);
    CHECK_INT("round trip through assignments.json: records that differ", bad_file, 0);
    CHECK_INT("round trip through format/parse: records that differ", bad_mem, 0);
    CHECK("some names were not UTF-8", hexed > 0);
}

static struct sriov_assignment good_record(void)
{
    struct sriov_assignment r = { 0 };

    snprintf(r.uuid, sizeof(r.uuid), "%s", "7b1b2a4e-1c1d-4a6e-9a8e-0123456789ab");
    snprintf(r.pf, sizeof(r.pf), "%s", "0000:03:00.0");
    snprintf(r.vf, sizeof(r.vf), "%s", "0000:03:10.0");
    snprintf(r.mac, sizeof(r.mac), "%s", "02:00:00:00:00:01");
    r.phase = SRIOV_PHASE_ATTACHED;
    return r;
}

static void test_names(struct sriov_ctx *ctx)
{
    struct sriov__recs in = { 0 }, out = { 0 };
    struct sriov_assignment r = good_record();
    char text[4096], longname[200], lan[] = "lan";
    size_t n = 0;

    /* The guest: name = "caf\xe9". */
    snprintf(r.name, sizeof(r.name), "caf\xe9");
    r.network = lan;
    CHECK_INT("name caf\\xe9: saved", sriov__recs_add(&in, &r) || sriov__recs_save(ctx, &in), 0);
    CHECK("name caf\\xe9: file is valid UTF-8",
          read_all(state_file, text, sizeof(text)) > 0 && sriov__utf8_valid(text, strlen(text)));
    CHECK("name caf\\xe9: stored as hex", strstr(text, "\"636166e9\"") != NULL);
    CHECK_INT("name caf\\xe9: loads", sriov__recs_load(ctx, &out), 0);
    CHECK_STR("name caf\\xe9: same bytes", out.n ? out.v[0].name : NULL, "caf\xe9");
    CHECK("name caf\\xe9: network still plain", strstr(text, "\"network\": \"lan\"") != NULL);
    sriov__recs_dispose(&in);
    sriov__recs_dispose(&out);

    /* A long multibyte name, cut as create.c cuts it. */
    for (int i = 0; i < 40; i++)
        put_cp(longname, &n, 0xe9);
    longname[n] = '\0';
    sriov__utf8_copy(r.name, sizeof(r.name), longname);
    CHECK_INT("long name: cut to 31 whole characters", strlen(r.name), 62);
    CHECK_INT("long name: saved", sriov__recs_add(&in, &r) || sriov__recs_save(ctx, &in), 0);
    CHECK_INT("long name: loads", sriov__recs_load(ctx, &out), 0);
    CHECK_STR("long name: same bytes", out.n ? out.v[0].name : NULL, r.name);
    CHECK("long name: kept as text, not hex",
          read_all(state_file, text, sizeof(text)) > 0 && !strstr(text, "\"hex\""));
    sriov__recs_dispose(&in);
    sriov__recs_dispose(&out);
}

/* One state file as another version or a person may have written it. */
struct bad_case {
    const char *name;
    const char *record;  /* spliced into a record after the good fields, or NULL */
    const char *file;    /* the whole file instead */
    const char *want;    /* in the error */
};

#define GOOD_FIELDS                                                                      \
    "\"domain_uuid\": \"7b1b2a4e-1c1d-4a6e-9a8e-0123456789ab\", \"pf\": \"0000:03:00.0\", " \
    "\"vf\": \"0000:03:10.0\", \"phase\": \"attached\""

static void test_bad_files(struct sriov_ctx *ctx)
{
    static const struct bad_case cases[] = {
        { "raw latin-1 byte in a name (older version)",
          "\"domain_name\": \"caf\xe9\", \"index\": 0",
          NULL, "invalid bytes in UTF8 string" },
        { "name cut mid-character (older version)", "\"domain_name\": \"ab\xc3\", \"index\": 0",
          NULL, "invalid bytes in UTF8 string" },
        { "index 4294967296", "\"index\": 4294967296", NULL,
          "record 1 (VF 0000:03:10.0): \"index\" 4294967296 is out of range" },
        { "index -1", "\"index\": -1", NULL, "\"index\" -1 is out of range" },
        { "index 65536", "\"index\": 65536", NULL, "\"index\" 65536 is out of range" },
        { "index 1.5", "\"index\": 1.5", NULL, "\"index\" is not an integer" },
        { "index 1e2", "\"index\": 1e2", NULL, "\"index\" is not an integer" },
        { "index beyond long long", "\"index\": 99999999999999999999", NULL,
          "\"index\" is not an integer" },
        { "index as a string", "\"index\": \"3\"", NULL, "\"index\" is not an integer" },
        { "index missing", "\"domid_hint\": 1", NULL, "\"index\" is missing" },
        { "domid 32752 (reserved)", "\"index\": 0, \"domid_hint\": 32752", NULL,
          "\"domid_hint\" 32752 is out of range" },
        { "domid 65536", "\"index\": 0, \"domid_hint\": 65536", NULL, "\"domid_hint\"" },
        { "owner pid above PID_MAX_LIMIT", "\"index\": 0, \"owner_pid\": 4194305", NULL,
          "\"owner_pid\" 4194305 is out of range" },
        { "negative owner pid", "\"index\": 0, \"owner_pid\": -2", NULL, "\"owner_pid\"" },
        { "unknown step bit", "\"index\": 0, \"steps\": 1024", NULL, "\"steps\" 1024 is out" },
        { "unknown pending bit", "\"index\": 0, \"pending\": 4096", NULL, "\"pending\"" },
        { "owner id not hex", "\"index\": 0, \"owner\": \"0123456789abcdeg\"", NULL,
          "\"owner\" is neither empty nor an owner id" },
        { "owner id too long", "\"index\": 0, \"owner\": \"0123456789abcdef0\"", NULL,
          "\"owner\" is longer than 16 bytes" },
        { "mac syntax", "\"index\": 0, \"mac\": \"02:00:00:00:00:zz\"", NULL,
          "\"mac\" is neither empty nor a MAC" },
        { "mac too long", "\"index\": 0, \"mac\": \"02:00:00:00:00:011\"", NULL,
          "\"mac\" is longer than 17 bytes" },
        { "mac as a number", "\"index\": 0, \"mac\": 2", NULL, "\"mac\" is neither a string" },
        { "domain name of 64 bytes", "\"index\": 0, \"domain_name\": "
          "\"0123456789012345678901234567890123456789012345678901234567890123\"", NULL,
          "\"domain_name\" is longer than 63 bytes" },
        { "hex with odd digits", "\"index\": 0, \"network\": {\"hex\": \"abc\"}", NULL,
          "\"network\": odd number of hex digits" },
        { "hex with a non-digit", "\"index\": 0, \"network\": {\"hex\": \"zz\"}", NULL,
          "\"network\": not hex digits" },
        { "hex with a NUL byte", "\"index\": 0, \"spec\": {\"hex\": \"6100\"}", NULL,
          "\"spec\": a NUL byte" },
        { "hex object with more keys", "\"index\": 0, \"driver\": {\"hex\": \"61\", \"x\": 1}",
          NULL, "\"driver\" is neither a string nor {\"hex\": string}" },
        { "phase given twice", "\"index\": 0, \"phase\": \"bogus\"", NULL,
          "key \"phase\" appears twice" },
        { "key twice", "\"index\": 0, \"index\": 1", NULL, "key \"index\" appears twice" },
        { "\\u0000 in a string", "\"index\": 0, \"domain_name\": \"a\\u0000b\"", NULL,
          "\\u0000" },
        { "phase unknown", NULL,
          "[{\"domain_uuid\": \"7b1b2a4e-1c1d-4a6e-9a8e-0123456789ab\", \"pf\": "
          "\"0000:03:00.0\", \"vf\": \"0000:03:10.0\", \"phase\": \"gone\", \"index\": 0}]",
          "\"phase\" is none of reserved, attached, releasing" },
        { "uuid upper case", NULL,
          "[{\"domain_uuid\": \"7B1B2A4E-1C1D-4A6E-9A8E-0123456789AB\", \"pf\": "
          "\"0000:03:00.0\", \"vf\": \"0000:03:10.0\", \"phase\": \"attached\", \"index\": 0}]",
          "\"domain_uuid\" is not a UUID in canonical form" },
        { "uuid syntax", NULL,
          "[{\"domain_uuid\": \"not-a-uuid\", \"pf\": \"0000:03:00.0\", \"vf\": \"\", "
          "\"phase\": \"attached\", \"index\": 0}]", "\"domain_uuid\" is not a UUID" },
        { "pf short form", NULL,
          "[{\"domain_uuid\": \"7b1b2a4e-1c1d-4a6e-9a8e-0123456789ab\", \"pf\": \"03:00.0\", "
          "\"vf\": \"\", \"phase\": \"attached\", \"index\": 0}]",
          "\"pf\" is not a PCI address" },
        { "vf syntax", NULL,
          "[{\"domain_uuid\": \"7b1b2a4e-1c1d-4a6e-9a8e-0123456789ab\", \"pf\": "
          "\"0000:03:00.0\", \"vf\": \"0000:03:10.8\", \"phase\": \"attached\", \"index\": 2}]",
          "record 1 (VF 2 of PF 0000:03:00.0): \"vf\" is neither empty nor a PCI address" },
        { "record that is not an object", NULL, "[3]", "record 1: not an object" },
        { "same VF twice", NULL,
          "[{" GOOD_FIELDS ", \"index\": 0}, {" GOOD_FIELDS ", \"index\": 0}]",
          "records 1 and 2 both name VF 0 of PF 0000:03:00.0" },
        { "same VF BDF under two indexes", NULL,
          "[{" GOOD_FIELDS ", \"index\": 0}, {" GOOD_FIELDS ", \"index\": 1}]",
          "records 1 and 2 both name VF 1" },
        { "not an array", NULL, "{}", "is corrupt: not an array" },
        { "not JSON", NULL, "[{", "is corrupt: " },
        { "empty file", NULL, "", "is corrupt: " },
    };
    char path_text[8192];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct bad_case *c = &cases[i];
        struct sriov__recs out = { 0 };
        char name[160], *err;
        int n, rc;

        if (c->record)
            n = snprintf(path_text, sizeof(path_text), "[{" GOOD_FIELDS ", %s}]", c->record);
        else
            n = snprintf(path_text, sizeof(path_text), "%s", c->file);
        if (write_all(state_file, path_text, (size_t)n)) {
            CHECK("write a bad file", 0);
            continue;
        }
        rc = sriov__recs_load(ctx, &out);
        err = (char *)sriov_ctx_last_error(ctx);
        snprintf(name, sizeof(name), "bad file: %s: refused", c->name);
        CHECK_INT(name, rc, -EINVAL);
        snprintf(name, sizeof(name), "bad file: %s: nothing loaded", c->name);
        CHECK(name, out.n == 0 && out.v == NULL);
        snprintf(name, sizeof(name), "bad file: %s: says why", c->name);
        printf("# %s: %s\n", c->name, err);
        CHECK(name, strstr(err, c->want) && strstr(err, "assignments.json"));
        snprintf(name, sizeof(name), "bad file: %s: the error is printable text", c->name);
        CHECK(name, sriov__utf8_printable(err));
        sriov__recs_dispose(&out);
    }
}

static void test_good_files(struct sriov_ctx *ctx)
{
    static const char file[] =
        "[{" GOOD_FIELDS ", \"index\": 0, \"domain_name\": \"caf\\u00e9\", "
        "\"network\": {\"hex\": \"6c616e\"}, \"future_key\": [1, 2], \"driver\": null}]";
    struct sriov__recs out = { 0 };

    CHECK_INT("hand-written file: loads", write_all(state_file, file, strlen(file)) ||
                                              sriov__recs_load(ctx, &out), 0);
    CHECK_STR("hand-written file: \\u escape read as UTF-8", out.n ? out.v[0].name : NULL,
              "caf\xc3\xa9");
    CHECK_STR("hand-written file: hex form read", out.n ? out.v[0].network : NULL, "lan");
    CHECK("hand-written file: null is no driver", out.n && !out.v[0].driver);
    sriov__recs_dispose(&out);
}

static void test_save_refuses(struct sriov_ctx *ctx)
{
    struct {
        const char *name;
        void (*spoil)(struct sriov_assignment *r);
        const char *want;
    } cases[] = {
        { "bad uuid", NULL, "\"domain_uuid\" is not a UUID" },
        { "bad pf", NULL, "\"pf\" is not a PCI address" },
        { "bad mac", NULL, "\"mac\" is neither empty nor a MAC" },
        { "unknown step", NULL, "\"steps\" has a step" },
        { "index out of range", NULL, "\"index\" is out of range" },
        { "duplicate VF", NULL, "records 1 and 2 both name VF" },
    };
    char before[4096], after[4096];
    struct sriov__recs recs = { 0 };
    struct sriov_assignment r = good_record();

    if (sriov__recs_add(&recs, &r) || sriov__recs_save(ctx, &recs) ||
        read_all(state_file, before, sizeof(before)) < 0) {
        CHECK("save a good file first", 0);
        sriov__recs_dispose(&recs);
        return;
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sriov__recs bad = { 0 };
        struct sriov_assignment b = good_record();
        char name[128];
        int rc;

        switch (i) {
        case 0: snprintf(b.uuid, sizeof(b.uuid), "not-a-uuid"); break;
        case 1: snprintf(b.pf, sizeof(b.pf), "0000:03:00"); break;
        case 2: snprintf(b.mac, sizeof(b.mac), "02-00-00-00-00-01"); break;
        case 3: b.steps = 1u << 20; break;
        case 4: b.index = 70000; break;
        default: break;
        }
        rc = sriov__recs_add(&bad, &b);
        if (!rc && i == 5)
            rc = sriov__recs_add(&bad, &b);
        if (!rc)
            rc = sriov__recs_save(ctx, &bad);
        snprintf(name, sizeof(name), "save refuses %s", cases[i].name);
        CHECK_INT(name, rc, -EINVAL);
        snprintf(name, sizeof(name), "save refuses %s: says why", cases[i].name);
        if (!strstr(sriov_ctx_last_error(ctx), cases[i].want))
            printf("# error was: %s\n", sriov_ctx_last_error(ctx));
        CHECK(name, strstr(sriov_ctx_last_error(ctx), cases[i].want) != NULL);
        snprintf(name, sizeof(name), "save refuses %s: file unchanged", cases[i].name);
        CHECK(name, read_all(state_file, after, sizeof(after)) >= 0 && !strcmp(before, after));
        sriov__recs_dispose(&bad);
    }
    sriov__recs_dispose(&recs);
}

/* A pid that no process has now: a child that has exited and been reaped. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();

    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return pid;
}

static bool exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

static void test_stale_temps(struct sriov_ctx *ctx)
{
    char dead[PATH_MAX], live[PATH_MAX], mine[PATH_MAX], odd[PATH_MAX], other[PATH_MAX];
    char vfdir[PATH_MAX], vfdead[PATH_MAX], vflive[PATH_MAX], vfpath[256];
    struct sriov__recs recs = { 0 };
    struct sriov__vf_record rec;
    pid_t gone = dead_pid(), alive = fork();
    int lock = -1;

    if (alive == 0) {
        pause(); /* a writer that is still running */
        _exit(0);
    }
    if (gone <= 0 || alive < 0) {
        CHECK("fork", 0);
        return;
    }
    snprintf(dead, sizeof(dead), "%s.tmp.%ld", state_file, (long)gone);
    snprintf(live, sizeof(live), "%s.tmp.%ld", state_file, (long)alive);
    snprintf(mine, sizeof(mine), "%s.tmp.%ld", state_file, (long)getpid());
    snprintf(odd, sizeof(odd), "%s.tmp.12x", state_file);
    snprintf(other, sizeof(other), "%s/other.json.tmp.%ld", dir, (long)gone);
    write_all(dead, "[", 1);
    write_all(live, "[", 1);
    write_all(mine, "[", 1);
    write_all(odd, "[", 1);
    write_all(other, "[", 1);

    CHECK_INT("stale temps: load under the lock", sriov__lock(ctx, "assignments", &lock) ||
                                                      sriov__recs_load(ctx, &recs), 0);
    CHECK("stale temps: a dead writer's temp file is removed", !exists(dead));
    CHECK("stale temps: a live writer's temp file is kept", exists(live));
    CHECK("stale temps: this process's own is kept", exists(mine));
    CHECK("stale temps: a name that is no temp file is kept", exists(odd));
    CHECK("stale temps: another file's temp is kept", exists(other));
    write_all(dead, "[", 1);
    CHECK_INT("stale temps: save", sriov__recs_save(ctx, &recs), 0);
    CHECK("stale temps: save removes a dead writer's too", !exists(dead));
    CHECK("stale temps: save keeps a live writer's", exists(live));
    sriov__unlock(lock);
    sriov__recs_dispose(&recs);

    /* Saved VF settings: the same on save and on delete. */
    memset(&rec, 0, sizeof(rec));
    snprintf(rec.ref.pf_ifname, sizeof(rec.ref.pf_ifname), "eth0");
    snprintf(rec.ref.pf_bdf, sizeof(rec.ref.pf_bdf), "0000:03:00.0");
    rec.ref.index = 1;
    snprintf(vfdir, sizeof(vfdir), "%s/vf-config", dir);
    mkdir(vfdir, 0700);
    sriov__vf_record_path(ctx, &rec.ref, vfpath, sizeof(vfpath));
    snprintf(vfdead, sizeof(vfdead), "%s.tmp.%ld", vfpath, (long)gone);
    snprintf(vflive, sizeof(vflive), "%s.tmp.%ld", vfpath, (long)alive);
    write_all(vfdead, "x", 1);
    write_all(vflive, "x", 1);
    CHECK_INT("stale temps: VF record saved", sriov__vf_record_save(ctx, &rec), 0);
    CHECK("stale temps: VF record's dead temp removed", !exists(vfdead));
    CHECK("stale temps: VF record's live temp kept", exists(vflive));
    write_all(vfdead, "x", 1);
    CHECK_INT("stale temps: VF record deleted", sriov__vf_record_delete(ctx, &rec.ref), 0);
    CHECK("stale temps: deleting a VF record removes its dead temp", !exists(vfdead));

    kill(alive, SIGKILL);
    waitpid(alive, NULL, 0);
    unlink(live);
    unlink(mine);
    unlink(odd);
    unlink(other);
    unlink(vflive);
}

static void test_vf_record(struct sriov_ctx *ctx)
{
    struct sriov__vf_record rec, back;
    char path[PATH_MAX];

    memset(&rec, 0, sizeof(rec));
    snprintf(rec.ref.pf_ifname, sizeof(rec.ref.pf_ifname), "caf\xe9\xff#=x");
    rec.ref.index = 7;
    rec.readable = false;
    CHECK_INT("VF record: interface name with non-UTF-8 bytes saved",
              sriov__vf_record_save(ctx, &rec), 0);
    CHECK_INT("VF record: path", sriov__vf_record_path(ctx, &rec.ref, path, sizeof(path)), 0);
    CHECK_INT("VF record: loads", sriov__vf_record_load(ctx, path, &back), 0);
    CHECK_STR("VF record: same interface name", back.ref.pf_ifname, rec.ref.pf_ifname);
    CHECK_INT("VF record: same index", back.ref.index, 7);
    sriov__vf_record_delete(ctx, &rec.ref);

    snprintf(rec.ref.pf_ifname, sizeof(rec.ref.pf_ifname), "a\nvf=9");
    CHECK_INT("VF record: a newline in the interface name is refused",
              sriov__vf_record_save(ctx, &rec), -EINVAL);
    snprintf(rec.ref.pf_ifname, sizeof(rec.ref.pf_ifname), "a b");
    CHECK_INT("VF record: a space in the interface name is refused",
              sriov__vf_record_save(ctx, &rec), -EINVAL);
}

int main(void)
{
    char tmpl[] = "/tmp/xen-sriov-state.XXXXXX";
    struct sriov_ctx_opts opts = { 0 };
    struct sriov_ctx *ctx = NULL;
    char *argv_rm[] = { "rm", "-rf", tmpl, NULL };
    pid_t pid;

    if (!mkdtemp(tmpl)) {
        printf("FAIL: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    snprintf(dir, sizeof(dir), "%s", tmpl);
    snprintf(state_file, sizeof(state_file), "%s/assignments.json", dir);
    opts.state_dir = dir;
    opts.run_dir = dir;
    if (sriov_ctx_new(&ctx, &opts)) {
        printf("FAIL: ctx_new\n");
        return 1;
    }
    test_utf8();
    test_roundtrip(ctx);
    test_names(ctx);
    test_bad_files(ctx);
    test_good_files(ctx);
    test_save_refuses(ctx);
    test_stale_temps(ctx);
    test_vf_record(ctx);
    sriov_ctx_free(ctx);

    /* Leave no temp directory behind (no shell: rm with an argv). */
    pid = fork();
    if (pid == 0) {
        execvp("rm", argv_rm);
        _exit(127);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return HARNESS_EXIT();
}
