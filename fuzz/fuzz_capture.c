/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_capture.c - the whole program path on one capture file.
 *
 * The input bytes are a pcap or pcapng file (or several concatenated, or
 * gzip/zstd-compressed).  They are written to a temporary file and read the
 * way synfin reads a file (capture.c: capture_open_file, capture_next with
 * record offsets, the secrets of Decryption Secrets Blocks counted), every packet goes
 * through the pipeline with TLS and HTTP parsing on (no certificate
 * verification: no_verify=1; the key logs of the repository's recordings,
 * captures/tls/ **.keys, so that their TLS decrypts) and one event per packet
 * kept (the ladder path), and every finished connection is written by all
 * three outputs:
 * summary and ladder to /dev/null, JSON Lines to memory, where each line
 * must be valid JSON in strict UTF-8 (json.c: "a hostile name in a packet
 * can never break a JSON line").
 *
 * The sink keeps some finished connections (conn_done returns 1, as the TUI
 * does: their protocol summaries are detached from the parsers) and frees
 * them at the end.  For those, the JSON output (and for the first, the
 * ladder) written after the detach must equal the one written when the
 * connection finished, and
 * each event's record offset must lead back (a second reader:
 * capture_reopen + capture_read_at) to a packet with the event's timestamp.
 *
 * Options vary with the input length (the capture bytes are libpcap's):
 * ASCII or box drawing, the ladder width, the reassembly budget (a small
 * one drives the over-budget paths), a memory cap (evictions) or none, and
 * which connections are kept.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "capture.h"
#include "conn.h"
#include "decode.h"
#include "output.h"
#include "pipeline.h"

#include "fuzz_common.h"

#define MAX_KEPT 8

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "."
#endif

static FILE *devnull;
static char path[128], keys_path[128];

struct kept {
    struct conn *c;
    char *json, *ladder;
    size_t json_len, ladder_len;
};

struct sink {
    void *st[3];
    const struct output_ops *ops[3];
    struct output_config oc;
    uint64_t opened, done;
    size_t keep_parity;
    struct kept kept[MAX_KEPT];
    size_t nkept;
};

/* One connection through an output, into memory. */
static char *render(const struct output_ops *ops, const struct output_config *oc, const struct conn *c, size_t *len)
{
    char *buf = NULL;
    *len = 0;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        abort();
    struct output_config cfg = *oc;
    cfg.f = f;
    void *st = ops->open(&cfg);
    if (st) {
        ops->conn(st, c);
        ops->close(st, NULL);
    }
    fclose(f);
    return buf;
}

static void check_conn(const struct conn *c)
{
    /* (the tracker's streams after tcp_finish: fuzz_tcp checks them; the sink sees only the record) */
    FUZZ_CHECK(c->side[0].state < ST_COUNT && c->side[1].state < ST_COUNT, "state %u/%u", c->side[0].state,
               c->side[1].state);
    FUZZ_CHECK(c->handshake < HS_COUNT && c->teardown < TD_COUNT && c->app_kind < APP_COUNT, "verdicts %u %u %u",
               c->handshake, c->teardown, c->app_kind);
    for (size_t i = 0; i < c->nmsgs; i++)
        FUZZ_CHECK(c->msgs[i].event <= c->nevents, "message %zu points at event %u of %zu", i, c->msgs[i].event,
                   c->nevents);
    FUZZ_CHECK(c->first_offset >= 0 && c->first_offset <= c->last_offset, "offsets %lld..%lld",
               (long long)c->first_offset, (long long)c->last_offset);
}

static void conn_new_cb(void *ctx, struct conn *c)
{
    struct sink *s = ctx;
    s->opened++;
    FUZZ_CHECK(c->id == s->opened, "connection %llu announced as number %llu", (unsigned long long)c->id,
               (unsigned long long)s->opened);
}

static int conn_done(void *ctx, struct conn *c)
{
    struct sink *s = ctx;
    check_conn(c);
    s->done++;
    for (int k = 0; k < 3; k++)
        if (s->st[k])
            s->ops[k]->conn(s->st[k], c);
    if (s->nkept < MAX_KEPT && (c->id & 1) == s->keep_parity) {
        struct kept *k = &s->kept[s->nkept++];
        k->c = c;
        k->json = render(&out_json_ops, &s->oc, c, &k->json_len);
        /* the ladder is costly to set up: compared for the first kept connection only */
        k->ladder = s->nkept == 1 ? render(&out_ladder_ops, &s->oc, c, &k->ladder_len) : NULL;
        return 1;
    }
    return 0;
}

static void remove_temp(void)
{
    unlink(path);
    if (keys_path[0])
        unlink(keys_path);
}

/* One key log file made of all the recordings' key logs. */
static void make_keys(const char *dir)
{
    glob_t g;
    size_t n = fuzz_key_files(&g, FUZZ_SRCDIR "/captures");
    snprintf(keys_path, sizeof keys_path, "%s/fuzz_capture.%ld.keys", dir, (long)getpid());
    FILE *out = fopen(keys_path, "w");
    if (!out)
        abort();
    for (size_t i = 0; i < n; i++) {
        FILE *in = fopen(g.gl_pathv[i], "r");
        char line[4096];
        while (in && fgets(line, sizeof line, in))
            fputs(line, out);
        if (in)
            fclose(in);
    }
    fclose(out);
    globfree(&g);
    if (!n) {
        fprintf(stderr, "fuzz_capture: no key logs found (set SYNFIN_CAPTURES): decryption is not fuzzed\n");
        unlink(keys_path);
        keys_path[0] = '\0';
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    if (!devnull)
        abort();
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(path, sizeof path, "%s/fuzz_capture.%ld.pcap", dir, (long)getpid());
    make_keys(dir);
    atexit(remove_temp);
    return 0;
}

static void check_json(const char *json, size_t json_len)
{
    size_t bad_line = 0;
    const char *why = json_lines_invalid(json, json_len, &bad_line);
    if (why) {
        const char *l = json;
        for (size_t k = 1; k < bad_line; k++)
            l = strchr(l, '\n') + 1;
        const char *e = strchr(l, '\n');
        fprintf(stderr, "bad JSON line %zu: %.*s\n", bad_line, (int)(e ? e - l : (long)strlen(l)), l);
    }
    FUZZ_CHECK(why == NULL, "out_json wrote invalid JSON (line %zu: %s)", bad_line, why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size > (1u << 22))
        return 0;
    FILE *tf = fopen(path, "wb");
    if (!tf || fwrite(data, 1, size, tf) != size || fclose(tf) != 0)
        abort();
    char err[CAPTURE_ERRLEN];
    struct capture *cap = capture_open_file(path, err);
    if (!cap)
        return 0;
    if (capture_nothing_decodable(cap, decode_link_supported)) {
        capture_close(cap);
        return 0;
    }
    capture_only_links(cap, decode_link_supported);
    FUZZ_CHECK(capture_size(cap) == (int64_t)size, "capture_size %lld for %zu bytes", (long long)capture_size(cap),
               size);

    char *json = NULL;
    size_t json_len = 0;
    FILE *jf = open_memstream(&json, &json_len);
    if (!jf)
        abort();
    struct sink s;
    memset(&s, 0, sizeof s);
    s.oc = (struct output_config){
        .f = devnull,
        .ts_digits = capture_ts_digits(cap),
        .ascii = (int)(size & 1),
        .only_id = 0,
        .width = (size >> 1) & 1 ? 0 : 40 + (int)((size >> 2) % 181),
    };
    s.keep_parity = (size >> 4) & 1;
    struct output_config oc_json = s.oc;
    oc_json.f = jf;
    s.ops[0] = &out_summary_ops;
    s.ops[1] = &out_ladder_ops;
    s.ops[2] = &out_json_ops;
    s.st[0] = out_summary_ops.open(&s.oc);
    s.st[1] = out_ladder_ops.open(&s.oc);
    s.st[2] = out_json_ops.open(&oc_json);

    char aerr[256] = "";
    struct app_config ac = {.ca_file = NULL, .no_verify = 1, .keylog_file = keys_path[0] ? keys_path : NULL,
                            .lazy_store = 1};
    struct app_ctx *app = app_ctx_new(&ac, aerr);
    FUZZ_CHECK(app != NULL, "app_ctx_new: %s", aerr);
    struct pipeline_config cfg = {
        .reasm_budget = (size >> 3) & 1 ? 256 : (size_t)1 << 20,
        .idle_timeout_ns = 300ll * 1000000000,
        .linger_ns = 1000000000,
        .closing_linger_ns = 5ll * 1000000000,
        .keep_events = 1,
        .app = app,
        .memcap = (size >> 5) & 1 ? 64 * 1024 : 0,
        .events_only_id = 0,
    };
    struct conn_sink sink = {&s, conn_done, conn_new_cb};
    struct pipeline *pl = pipeline_new(&cfg, &sink);
    FUZZ_CHECK(pl != NULL, "pipeline_new");

    struct capture_pkt pk;
    int64_t last_offset = -1;
    while (capture_next(cap, &pk, err) == CAPTURE_PACKET) {
        FUZZ_CHECK(pk.offset > last_offset, "record offset %lld after %lld", (long long)pk.offset,
                   (long long)last_offset);
        FUZZ_CHECK(pk.offset < (int64_t)size, "record offset %lld in a file of %zu bytes", (long long)pk.offset, size);
        last_offset = pk.offset;
        FUZZ_CHECK(pk.caplen <= 262144 && pk.caplen <= pk.wirelen, "caplen %u, wirelen %u", pk.caplen, pk.wirelen);
        FUZZ_CHECK(decode_link_supported(pk.dlt), "a packet of link type %d passed capture_only_links", pk.dlt);
        pipeline_packet_on(pl, pk.iface, pk.dlt, pk.ts_ns, pk.data, pk.caplen, pk.wirelen, pk.offset);
    }
    FUZZ_CHECK(capture_position(cap) <= (int64_t)size, "position %lld past the %zu bytes",
               (long long)capture_position(cap), size);
    pipeline_finish(pl);
    const struct pipeline_stats *ps = pipeline_stats(pl);
    FUZZ_CHECK(s.done == ps->connections && s.opened == ps->connections,
               "sink saw %llu connections open and %llu finish, stats say %llu", (unsigned long long)s.opened,
               (unsigned long long)s.done, (unsigned long long)ps->connections);
    for (int k = 0; k < 3; k++)
        if (s.st[k])
            s.ops[k]->close(s.st[k], ps);
    pipeline_free(pl);
    app_ctx_free(app);

    /* the connections the sink kept: same outputs after the detach, and their packets found again */
    struct capture *again_cap = capture_reopen(cap, err);
    FUZZ_CHECK(again_cap != NULL, "capture_reopen: %s", err);
    for (size_t i = 0; i < s.nkept; i++) {
        struct kept *k = &s.kept[i];
        size_t jl, ll;
        char *j2 = render(&out_json_ops, &s.oc, k->c, &jl);
        char *l2 = k->ladder ? render(&out_ladder_ops, &s.oc, k->c, &ll) : NULL;
        FUZZ_CHECK(jl == k->json_len && !memcmp(j2, k->json, jl),
                   "connection %llu: JSON after the detach differs:\n%s\nvs\n%s", (unsigned long long)k->c->id,
                   k->json, j2);
        FUZZ_CHECK(!k->ladder || (ll == k->ladder_len && !memcmp(l2, k->ladder, ll)),
                   "connection %llu: ladder after the detach differs", (unsigned long long)k->c->id);
        check_json(j2, jl);
        for (size_t e = 0; e < k->c->nevents && e < 8; e++) {
            const struct event *ev = &k->c->events[e];
            struct capture_pkt again;
            FUZZ_CHECK(capture_read_at(again_cap, ev->offset, &again, err) == 0, "no packet at offset %lld: %s",
                       (long long)ev->offset, err);
            FUZZ_CHECK(again.offset == ev->offset && again.ts_ns == ev->ts_ns,
                       "the record at offset %lld is not event %zu's packet (ts %lld vs %lld)", (long long)ev->offset,
                       e, (long long)again.ts_ns, (long long)ev->ts_ns);
        }
        free(j2);
        free(l2);
        free(k->json);
        free(k->ladder);
        conn_free(k->c);
    }
    capture_close(again_cap);
    capture_close(cap);
    unlink(path); /* the second reader opened it by name: kept until here (atexit removes it after a crash) */
    fclose(jf);
    check_json(json, json_len);
    free(json);
    return 0;
}
