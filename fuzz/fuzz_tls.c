/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_tls.c - the TLS observer (tls.c) on a connection's two byte
 * streams, without certificate verification (the leaf is still parsed),
 * with the key logs of the repository's recordings (captures/tls/ **.keys,
 * loaded once, read-only): the seeds made from those recordings decrypt, so
 * record decryption, the decrypted handshake and the plaintext hand-off are
 * fuzzed too.
 *
 * Input: [options] then chunks.  Each chunk starts with one byte:
 *   bit 7: from the server (else the client)
 *   bit 6: bytes are missing before it (tls_gap on that direction)
 *   bits 0-5: its length; 63 means a 2-byte big-endian length follows
 * options bit 0: a RST ends the connection (tls_rst before tls_end)
 *         bit 1: a small max_message (300), so big messages are named, not read
 *
 * Run A feeds the chunks as given, with the ladder callback on, and checks
 * the summary's own invariants (caps, NUL-terminated strings, ranges).
 * Then the same chunks without the gaps are fed twice more: each chunk
 * whole (B), and each chunk one byte per call (C).  tls.c says "the parser
 * only ever sees a byte stream, so all splits give the same result"; the
 * exceptions it documents are re-synchronisation after lost framing (a
 * record may only begin at the start of a call, i.e. of a TCP segment) and
 * the first call of a direction.  So when both directions are well framed
 * (every record header plausible, which also rules out SSLv2) B and C must
 * agree on the summary: version, the message list, SNI, JA3, JA4, and the
 * rest of what outputs print, and on the decrypted application data handed
 * on (its length and a hash, per direction).  C runs without a listener,
 * as --json does, so that agreement also says the summary does not depend
 * on whether the ladder listens.  abort() when they do not agree.
 */
#define _GNU_SOURCE /* memmem */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keylog.h"
#include "termtext.h"
#include "tls.h"
#include "tls_fingerprint.h"

#include "fuzz_common.h"

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "."
#endif

static struct keylog *keys;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    keys = keylog_new();
    if (!keys)
        abort();
    glob_t g;
    char err[256];
    size_t n = fuzz_key_files(&g, FUZZ_SRCDIR "/captures");
    for (size_t i = 0; i < n; i++)
        (void)keylog_load(keys, g.gl_pathv[i], NULL, NULL, err, sizeof err);
    globfree(&g);
    if (!keylog_count(keys))
        fprintf(stderr, "fuzz_tls: no key logs found (set SYNFIN_CAPTURES): decryption is not fuzzed\n");
    return 0;
}

static const uint8_t *secret(void *ctx, const uint8_t client_random[32], enum keylog_label label, size_t *len)
{
    (void)ctx;
    return keylog_find(keys, client_random, label, len);
}

/* The decrypted application data a run handed on, per direction. */
struct plain {
    uint64_t bytes[2], hash[2];
};

static FUZZ_NOCOV void on_plaintext(void *ctx, int from_server, const uint8_t *p, size_t n)
{
    struct plain *pl = ctx;
    FUZZ_CHECK(from_server == 0 || from_server == 1, "plaintext from_server %d", from_server);
    FUZZ_CHECK(n == 0 || p != NULL, "plaintext without bytes");
    uint64_t h = pl->hash[from_server];
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    pl->hash[from_server] = h;
    pl->bytes[from_server] += n;
}

#define NOW_S 1735689600 /* 2025-01-01 */
#define MAX_RECORD (16384 + 2048)

struct chunk {
    int from_server, gap;
    const uint8_t *p;
    size_t n;
};

/* The input itself holds the text "(null)" (then an SNI may show it): the NULL-%s check is off. */
static int input_says_null;

static void on_event(void *ctx, const struct tls_event *ev)
{
    (void)ctx;
    FUZZ_CHECK(ev->kind >= TLS_EV_HANDSHAKE && ev->kind <= TLS_EV_MALFORMED, "event kind %d", (int)ev->kind);
    FUZZ_CHECK(ev->from_server == 0 || ev->from_server == 1, "from_server %d", ev->from_server);
    FUZZ_CHECK(ev->label != NULL, "event without a label");
    FUZZ_CHECK(strlen(ev->label) < 256, "label of %zu bytes", strlen(ev->label));
    FUZZ_CHECK(input_says_null || !strstr(ev->label, "(null)"), "label '%s': a NULL string was formatted",
               ev->label);
}

static void check_str(const char *s, size_t cap, const char *what)
{
    FUZZ_CHECK(memchr(s, '\0', cap) != NULL, "%s is not NUL-terminated within its %zu bytes", what, cap);
}

/* A name list stays inside its array, and its entries add up to what it says it uses. */
static void check_names(const uint8_t *l, size_t cap, const char *what)
{
    size_t used = namelist_used(l), pos = 0, len, sum = 0;
    const char *name;
    FUZZ_CHECK(used + NAMELIST_HDR <= cap, "%s: %zu bytes used of %zu", what, used, cap);
    while (namelist_next(l, &pos, &name, &len)) {
        FUZZ_CHECK(name + len <= (const char *)l + cap, "%s: a name runs past the array", what);
        sum += 1 + len;
    }
    FUZZ_CHECK(sum == used, "%s: entries take %zu bytes, %zu used", what, sum, used);
}

static void check_list(const struct tls_list *l, const char *what)
{
    FUZZ_CHECK(l->n <= TLS_LIST_MAX && l->n <= l->total, "%s: n %u, total %u", what, l->n, l->total);
}

static void check_summary(const struct tls_summary *s)
{
    FUZZ_CHECK(s->n_msgs <= TLS_MSGS_MAX, "n_msgs %u", s->n_msgs);
    for (unsigned i = 0; i < s->n_msgs; i++)
        FUZZ_CHECK(s->msg_from_server[i] <= 1, "msg_from_server[%u] = %u", i, s->msg_from_server[i]);
    FUZZ_CHECK((unsigned)s->handshake < TLS_HS_COUNT, "handshake %d", (int)s->handshake);
    FUZZ_CHECK((unsigned)s->cert_verdict < CERT_VERDICT_COUNT, "cert_verdict %d", (int)s->cert_verdict);
    check_str(s->ch.sni, sizeof s->ch.sni, "sni");
    check_names(s->ch.alpn, sizeof s->ch.alpn, "client alpn");
    check_names(s->sh.alpn, sizeof s->sh.alpn, "server alpn");
    check_str(s->ja3, sizeof s->ja3, "ja3");
    check_str(s->ja4, sizeof s->ja4, "ja4");
    check_str(s->ja3_string, sizeof s->ja3_string, "ja3 string");
    FUZZ_CHECK(s->sh.n_ext <= TLS_SH_EXT_MAX && s->sh.n_ext <= s->sh.ext_total, "server extensions %u of %u",
               s->sh.n_ext, s->sh.ext_total);
    FUZZ_CHECK((unsigned)s->auth <= TLS_AUTH_ANONYMOUS, "auth %d", (int)s->auth);
    if (s->seen_server_hello && !s->sh.hello_retry) { /* what the JSON writer makes of the hello */
        char ja3s[33], str[16 + 6 * TLS_SH_EXT_MAX], ja4s[32];
        if (tls_server_fingerprints(&s->sh, ja3s, str, sizeof str, ja4s) == 0)
            FUZZ_CHECK(strlen(ja3s) == 32 && strlen(ja4s) >= 22 && ja4s[0] == 't', "ja3s '%s' ja4s '%s'", ja3s, ja4s);
    }
    check_str(s->note, sizeof s->note, "note");
    FUZZ_CHECK(input_says_null || !strstr(s->note, "(null)"), "note '%s': a NULL string was formatted", s->note);
    check_str(s->leaf.subject, sizeof s->leaf.subject, "leaf subject");
    check_str(s->leaf.issuer, sizeof s->leaf.issuer, "leaf issuer");
    check_names(s->leaf.sans, sizeof s->leaf.sans, "leaf sans");
    check_str(s->leaf.key_type, sizeof s->leaf.key_type, "leaf key type");
    check_str(s->leaf.sig_alg, sizeof s->leaf.sig_alg, "leaf signature algorithm");
    FUZZ_CHECK(s->ch.sni[s->ch.sni_len] == '\0', "sni_len %u: no NUL after the name", s->ch.sni_len); /* sni[256] */
    char drawn[1200];
    tt_clean(drawn, sizeof drawn, s->ch.sni, s->ch.sni_len, 0);
    for (const char *c = drawn; *c; c++)
        FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f, "control byte %02x drawn from the SNI", (unsigned char)*c);
    check_list(&s->ch.ciphers, "ciphers");
    check_list(&s->ch.extensions, "extensions");
    check_list(&s->ch.groups, "groups");
    check_list(&s->ch.key_share, "key_share");
    check_list(&s->ch.sigalgs, "sigalgs");
    check_list(&s->ch.versions, "versions");
    FUZZ_CHECK(s->ch.n_point_formats <= sizeof s->ch.point_formats, "point formats %u", s->ch.n_point_formats);
    /* what the outputs print of a hello (seen_*_hello set) must hold together */
    if (s->seen_client_hello)
        FUZZ_CHECK(s->ch.session_id_len <= 32, "a ClientHello with a %u-byte session id", s->ch.session_id_len);
    if (s->seen_server_hello)
        FUZZ_CHECK(s->sh.session_id_len <= 32, "a ServerHello with a %u-byte session id", s->sh.session_id_len);
    if (s->ja3[0]) {
        FUZZ_CHECK(strlen(s->ja3) == 32, "ja3 '%s'", s->ja3);
        for (int i = 0; i < 32; i++)
            FUZZ_CHECK((s->ja3[i] >= '0' && s->ja3[i] <= '9') || (s->ja3[i] >= 'a' && s->ja3[i] <= 'f'),
                       "ja3 '%s'", s->ja3);
    }
    if (s->ja4[0])
        FUZZ_CHECK(strlen(s->ja4) == 36 && s->ja4[0] == 't' && s->ja4[10] == '_' && s->ja4[23] == '_', "ja4 '%s'",
                   s->ja4);
    for (int d = 0; d < 2; d++)
        FUZZ_CHECK(s->app_records[d] <= s->records[d] && s->app_bytes[d] <= s->bytes[d],
                   "dir %d: %llu app records of %llu", d, (unsigned long long)s->app_records[d],
                   (unsigned long long)s->records[d]);
}

/* Every record header where one is due is one record_starts() would accept. */
static int well_framed(const struct chunk *ch, size_t nch, int from_server)
{
    uint8_t hdr[5];
    size_t have = 0;
    uint64_t body_left = 0;
    int any = 0;
    for (size_t i = 0; i < nch; i++) {
        if (ch[i].from_server != from_server)
            continue;
        for (size_t k = 0; k < ch[i].n;) {
            any = 1;
            if (body_left) {
                size_t take = ch[i].n - k < body_left ? ch[i].n - k : (size_t)body_left;
                k += take;
                body_left -= take;
                continue;
            }
            hdr[have++] = ch[i].p[k++];
            if (have < 5)
                continue;
            have = 0;
            if (hdr[0] < 20 || hdr[0] > 24 || hdr[1] != 3 || hdr[2] > 4 || ((size_t)hdr[3] << 8 | hdr[4]) > MAX_RECORD)
                return 0;
            body_left = (size_t)hdr[3] << 8 | hdr[4];
        }
    }
    (void)any;
    return 1;
}

static struct tls_conn *run(const struct chunk *ch, size_t nch, int gaps, int rst, size_t max_message,
                            int per_byte, struct tls_fp_cache *fc, tls_event_fn ev, struct plain *pl)
{
    struct tls_config cfg = {.verifier = NULL, .verifier_ctx = NULL, .secret = secret, .secret_ctx = NULL,
                             .plaintext = on_plaintext, .plaintext_ctx = pl, .fingerprints = fc,
                             .max_message = max_message};
    struct tls_conn *t = tls_new(&cfg, ev, NULL);
    if (!t)
        return NULL;
    for (size_t i = 0; i < nch; i++) {
        if (gaps && ch[i].gap)
            tls_gap(t, ch[i].from_server);
        if (per_byte) {
            for (size_t k = 0; k < ch[i].n; k++)
                tls_data(t, ch[i].from_server, ch[i].p + k, 1, NOW_S);
        } else {
            tls_data(t, ch[i].from_server, ch[i].p, ch[i].n, NOW_S);
        }
    }
    if (rst)
        tls_rst(t);
    (void)tls_memory(t);
    tls_end(t);
    return t;
}

#define SAME(field, fmt)                                                                                  \
    FUZZ_CHECK(b->field == c->field, "whole (listened) vs 1-byte pieces (not): " #field " " fmt " vs " fmt, b->field, c->field)
#define SAME_STR(field) FUZZ_CHECK(!strcmp(b->field, c->field), "whole (listened) vs 1-byte pieces (not): " #field " '%s' vs '%s'", \
                                   b->field, c->field)
#define SAME_MEM(field) FUZZ_CHECK(!memcmp(&b->field, &c->field, sizeof b->field), "whole (listened) vs 1-byte pieces (not): " #field)

static void compare(const struct tls_summary *b, const struct tls_summary *c)
{
    SAME(version, "%#x");
    SAME(n_msgs, "%u");
    for (unsigned i = 0; i < b->n_msgs; i++)
        FUZZ_CHECK(b->msgs[i] == c->msgs[i] && b->msg_from_server[i] == c->msg_from_server[i],
                   "whole (listened) vs 1-byte pieces (not): message %u is %u/%u vs %u/%u", i, b->msgs[i], b->msg_from_server[i],
                   c->msgs[i], c->msg_from_server[i]);
    SAME_STR(ch.sni);
    SAME_STR(ja3);
    SAME_STR(ja4);
    SAME_STR(ja3_string);
    SAME(group, "%#x");
    SAME(auth, "%d");
    SAME(seen_client_hello, "%u");
    SAME(seen_server_hello, "%u");
    SAME(sslv2_hello, "%u");
    SAME_MEM(ch);
    SAME_MEM(sh);
    SAME(handshake, "%d");
    SAME(established, "%u");
    SAME(certificates, "%u");
    SAME(cert_seen, "%u");
    SAME(alert_seen, "%u");
    SAME(alert_level, "%u");
    SAME(alert_desc, "%u");
    SAME(encrypted_alerts, "%u");
    SAME(malformed, "%u");
    SAME_STR(note);
    SAME_STR(leaf.subject);
    for (int d = 0; d < 2; d++) {
        SAME(records[d], "%" PRIu64);
        SAME(bytes[d], "%" PRIu64);
        SAME(app_records[d], "%" PRIu64);
        SAME(app_bytes[d], "%" PRIu64);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 20))
        return 0;
    struct fin in;
    fin_init(&in, data, size);
    uint8_t opt = fin_u8(&in);
    int rst = opt & 1;
    input_says_null = memmem(data, size, "(null)", 6) != NULL;
    size_t max_message = (opt & 2) ? 300 : 0;

    size_t cap = 64, nch = 0;
    struct chunk *ch = malloc(cap * sizeof *ch);
    if (!ch)
        return 0;
    int any_gap = 0;
    while (fin_left(&in) > 0) {
        uint8_t h = fin_u8(&in);
        size_t len = h & 63;
        if (len == 63)
            len = fin_u16(&in);
        if (nch == cap) {
            struct chunk *n2 = realloc(ch, (cap *= 2) * sizeof *ch);
            if (!n2) {
                free(ch);
                return 0;
            }
            ch = n2;
        }
        struct chunk *c = &ch[nch++];
        c->from_server = h >> 7;
        c->gap = (h >> 6) & 1;
        any_gap |= c->gap;
        c->p = fin_take(&in, len, &c->n);
    }

    /* A: as given, gaps and all, with the ladder's callback */
    struct tls_fp_cache *fc = tls_fp_cache_new();
    struct plain pa = {{0, 0}, {0, 0}}, pb = pa, pc = pa;
    struct tls_conn *a = run(ch, nch, 1, rst, max_message, 0, fc, on_event, &pa);
    if (a)
        check_summary(tls_summary_of(a));

    if (well_framed(ch, nch, 0) && well_framed(ch, nch, 1)) {
        /* B: whole chunks (A is B when there were no gaps), no cache; C: one byte per call, a fresh cache */
        /* C listens to nobody, as --json does: the summary must not depend on the ladder listening */
        struct tls_conn *b = any_gap ? run(ch, nch, 0, rst, max_message, 0, NULL, on_event, &pb) : NULL;
        struct tls_fp_cache *fc2 = tls_fp_cache_new();
        struct tls_conn *c = run(ch, nch, 0, rst, max_message, 1, fc2, NULL, &pc);
        const struct tls_conn *whole = any_gap ? b : a;
        const struct plain *pw = any_gap ? &pb : &pa;
        if (whole && c) {
            check_summary(tls_summary_of(c));
            compare(tls_summary_of(whole), tls_summary_of(c));
            for (int d = 0; d < 2; d++)
                FUZZ_CHECK(pw->bytes[d] == pc.bytes[d] && pw->hash[d] == pc.hash[d],
                           "whole (listened) vs 1-byte pieces (not): %llu vs %llu decrypted bytes from the %s (or different ones)",
                           (unsigned long long)pw->bytes[d], (unsigned long long)pc.bytes[d], d ? "server" : "client");
        }
        tls_free(b);
        tls_free(c);
        tls_fp_cache_free(fc2);
    }
    tls_free(a);
    tls_fp_cache_free(fc);
    free(ch);
    return 0;
}
