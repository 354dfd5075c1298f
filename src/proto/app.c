/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * app.c - the protocol layer's shared setup for a run (see app.h): the
 * trust store (loaded on a thread of its own, from the first TLS
 * connection on), the key log (re-read while a live capture runs), and the
 * fingerprint cache, which every connection's parsers use.  The per-
 * connection dispatch over the protocol registry is dispatch.c.
 */
#include "app.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keylog.h"
#include "tls.h"
#include "x509.h"

struct app_ctx {
    struct app_config cfg;
    struct x509_verifier *verifier;  /* the trust anchors, or NULL */
    int verifier_tried;
    /* The system store takes tens of milliseconds to parse: it loads on a
     * thread of its own, from the first TLS connection on, while packets
     * are read (tls.c puts off the checks that would wait for it). */
    pthread_t loader;
    int loading;                     /* the loader thread was started and not yet joined */
    atomic_int loaded;               /* set by the loader thread as it ends */
    struct tls_fp_cache *fingerprints;
    struct x509_leaf_cache *leaves;  /* --no-verify: the leaves parsed last */
    struct keylog *keys;             /* NULL: no key log, nothing is decrypted */
    const char *keys_path;
    int64_t keys_reloaded_ns;
    int keys_reload_warned;          /* a failed re-read is said once, not per connection */
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void keylog_warning(void *ctx, const char *path, unsigned line, const char *why)
{
    struct app_ctx *ax = ctx;
    char msg[512];
    if (line == 0)
        snprintf(msg, sizeof msg, "%s: %s", path, why);
    else
        snprintf(msg, sizeof msg, "%s:%u: %s (the line is skipped)", path, line, why);
    if (ax->cfg.warn)
        ax->cfg.warn(ax->cfg.warn_ctx, msg);
}

/* The tls parser's key lookup: a live capture's key log may be written after the handshake. */
static const uint8_t *find_secret(void *ctx, const uint8_t client_random[32], enum keylog_label label, size_t *len)
{
    struct app_ctx *ax = ctx;
    const uint8_t *s = keylog_find(ax->keys, client_random, label, len);
    /* read on when the file grew: its writer logs a session's secrets while synfin watches the
     * session's packets, so a secret missed now may be there a millisecond later; and every
     * 100 ms whatever fstat says (a file replaced under its path) */
    if (!s && ax->cfg.live && ax->keys_path &&
        (keylog_grew(ax->keys) == 1 || mono_ns() - ax->keys_reloaded_ns > 100000000LL)) {
        char err[256];
        ax->keys_reloaded_ns = mono_ns();
        int added = keylog_load(ax->keys, ax->keys_path, keylog_warning, ax, err, sizeof err);
        if (added > 0)
            s = keylog_find(ax->keys, client_random, label, len);
        if (added < 0 && !ax->keys_reload_warned && ax->cfg.warn) {
            char msg[320];
            snprintf(msg, sizeof msg, "%s (new keys are not read)", err);
            ax->cfg.warn(ax->cfg.warn_ctx, msg);
            ax->keys_reload_warned = 1;
        }
    }
    return s;
}

int app_load_keylog(struct app_ctx *ax, const char *path, char *err)
{
    if (!ax->keys) {
        if (!(ax->keys = keylog_new())) {
            snprintf(err, 256, "out of memory");
            return -1;
        }
        keylog_set_max_bytes(ax->keys, ax->cfg.keylog_max_bytes);
    }
    ax->keys_path = path;
    ax->keys_reloaded_ns = mono_ns();
    return keylog_load(ax->keys, path, keylog_warning, ax, err, 256);
}

static void *load_system_store(void *arg)
{
    struct app_ctx *ax = arg;
    char err[256];
    ax->verifier = x509_verifier_new(NULL, err, sizeof err); /* an empty store is no error */
    atomic_store(&ax->loaded, 1);
    return NULL;
}

/* Would lazy_verifier answer without waiting for the loader? */
static int verifier_ready(void *ctx)
{
    struct app_ctx *ax = ctx;
    return !ax->loading || atomic_load(&ax->loaded);
}

static void wait_for_store(struct app_ctx *ax)
{
    if (ax->loading) {
        pthread_join(ax->loader, NULL);
        ax->loading = 0;
    }
}


static struct x509_verifier *lazy_verifier(void *ctx)
{
    struct app_ctx *ax = ctx;
    wait_for_store(ax);
    if (!ax->verifier_tried && !ax->cfg.no_verify) {
        char err[256];
        ax->verifier_tried = 1;
        ax->verifier = x509_verifier_new(ax->cfg.ca_file, err, sizeof err);
    }
    return ax->verifier;
}

struct app_ctx *app_ctx_new(const struct app_config *cfg, char *err)
{
    struct app_ctx *ax = calloc(1, sizeof *ax);
    if (!ax) {
        snprintf(err, 256, "out of memory");
        return NULL;
    }
    ax->cfg = *cfg;
    ax->fingerprints = tls_fp_cache_new(); /* NULL is fine: fingerprints are then computed each time */
    if (cfg->no_verify) /* with a verifier, its own cache keeps the parsed leaf */
        ax->leaves = x509_leaf_cache_new(); /* NULL is fine too */
    if (cfg->keylog_file && app_load_keylog(ax, cfg->keylog_file, err) < 0) {
        if (!cfg->keylog_optional) {
            app_ctx_free(ax);
            return NULL;
        }
        /* SSLKEYLOGFILE, or live: a file not there yet is expected; one that is there but cannot be read is said */
        if (access(cfg->keylog_file, F_OK) == 0 && cfg->warn) {
            char msg[320];
            snprintf(msg, sizeof msg, "%s (TLS is not decrypted)", err);
            cfg->warn(cfg->warn_ctx, msg);
        }
        err[0] = '\0';
    }
    if (cfg->ca_file && !cfg->no_verify) { /* a bad CA file is the user's mistake: say so at once */
        ax->verifier_tried = 1;
        ax->verifier = x509_verifier_new(cfg->ca_file, err, 256);
        if (!ax->verifier) {
            app_ctx_free(ax); /* the key log too: its secrets zeroed, its descriptor closed */
            return NULL;
        }
    }
    return ax;
}

/* The first TLS connection starts loading the system store on its thread,
 * so a capture without TLS never pays for it (a millisecond or two now that
 * its roots are only indexed: trust_index.h). */
static void start_loading(struct app_ctx *ax)
{
    if (ax->verifier_tried || ax->cfg.no_verify || ax->cfg.lazy_store)
        return;
    ax->loading = pthread_create(&ax->loader, NULL, load_system_store, ax) == 0;
    ax->verifier_tried = ax->loading; /* no thread: load on first use instead */
}

size_t app_shared_memory(const struct app_ctx *ax) { return ax ? keylog_memory(ax->keys) : 0; }

void app_ctx_free(struct app_ctx *ax)
{
    if (!ax)
        return;
    wait_for_store(ax);
    x509_verifier_free(ax->verifier);
    tls_fp_cache_free(ax->fingerprints);
    x509_leaf_cache_free(ax->leaves);
    keylog_free(ax->keys);
    free(ax);
}

void app_tls_config(struct app_ctx *ax, struct tls_config *tc)
{
    start_loading(ax);
    memset(tc, 0, sizeof *tc);
    tc->verifier = lazy_verifier;
    tc->verifier_ready = verifier_ready;
    tc->verifier_ctx = ax;
    tc->fingerprints = ax->fingerprints;
    tc->leaves = ax->leaves;
    tc->secret = ax->keys ? find_secret : NULL;
    tc->secret_ctx = ax;
}
