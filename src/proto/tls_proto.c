/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls_proto.c - TLS in the protocol registry (proto.h): the glue between
 * the dispatcher and tls.c's parser, and everything TLS says of itself in
 * the outputs: its JSON object, the ladder's title line and phase, the
 * list's app column, the summary table's cells, the detail pane's lines for
 * a ClientHello, a ServerHello or a Certificate.  The keys and words are a
 * contract with users (synfin(1)): add freely, never rename.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "conn.h"
#include "json.h"
#include "namelist.h"
#include "proto.h"
#include "termtext.h"
#include "tls.h"
#include "tls_fingerprint.h"
#include "tls_names.h"

/* Message codes on the ladder beyond the handshake types (which stay below 0x100). */
enum { CODE_CCS = 0x114, CODE_ENCRYPTED_HS = 0x116, CODE_ENCRYPTED_ALERT = 0xffff };

struct tls_proto {
    struct proto_env env;
    struct tls_conn *t;
};

/* ------------------------------------------------------------ the parser */

static enum proto_sniff sniff(const uint8_t *p, size_t n, int from_client)
{
    (void)from_client;
    int t = tls_sniff(p, n);
    return t == 1 ? PROTO_YES : t == -1 ? PROTO_MAYBE : PROTO_NO;
}

static void on_event(void *ctx, const struct tls_event *ev)
{
    struct tls_proto *tp = ctx;
    int kind = MSG_HANDSHAKE;
    uint16_t code = ev->code;
    switch (ev->kind) {
    case TLS_EV_HANDSHAKE: break;
    case TLS_EV_CCS: code = CODE_CCS; break;
    case TLS_EV_ENCRYPTED_HS: code = CODE_ENCRYPTED_HS; break;
    case TLS_EV_ALERT: kind = MSG_ALERT; break;
    case TLS_EV_APP_DATA: kind = MSG_DATA; break;
    case TLS_EV_ESTABLISHED: kind = MSG_MARK; break;
    case TLS_EV_MALFORMED: kind = MSG_NOTE; break;
    }
    tp->env.message(tp->env.ctx, !ev->from_server, kind, code, ev->label, ev->data, ev->data_len);
}

static void on_plaintext(void *ctx, int from_server, const uint8_t *p, size_t n)
{
    struct tls_proto *tp = ctx;
    tp->env.upper(tp->env.ctx, !from_server, p, n);
}

static void *start(const struct proto_env *env)
{
    struct tls_proto *tp = calloc(1, sizeof *tp);
    if (!tp)
        return NULL;
    tp->env = *env;
    struct tls_config tc;
    app_tls_config(env->app, &tc);
    tc.plaintext = on_plaintext;
    tc.plaintext_ctx = tp;
    /* without a ladder to draw, nobody listens: the parser skips its labels */
    if (!(tp->t = tls_new(&tc, env->message ? on_event : NULL, tp))) {
        free(tp);
        return NULL;
    }
    /* started by a STARTTLS or inside a tunnel: say what from (a decrypted layer below is no upgrade) */
    if (env->outer && env->outer->upgrade_name)
        tls_set_upgraded_from(tp->t, env->outer->upgrade_name);
    return tp;
}

static size_t data(void *st, int from_client, const uint8_t *p, size_t n, int64_t now_s)
{
    tls_data(((struct tls_proto *)st)->t, !from_client, p, n, now_s);
    return n;
}

static void gap(void *st, int from_client, uint64_t n)
{
    (void)n;
    tls_gap(((struct tls_proto *)st)->t, !from_client);
}

static void rst(void *st) { tls_rst(((struct tls_proto *)st)->t); }
static void end(void *st) { tls_end(((struct tls_proto *)st)->t); }
static size_t memory(const void *st) { return sizeof(struct tls_proto) + tls_memory(((const struct tls_proto *)st)->t); }
static const void *summary(const void *st) { return tls_summary_of(((const struct tls_proto *)st)->t); }

static void release(void *st)
{
    struct tls_proto *tp = st;
    if (tp) {
        tls_free(tp->t);
        free(tp);
    }
}

static const char *negotiated(const void *sum)
{
    const struct tls_summary *t = sum;
    static const char h2[] = "h2";
    return namelist_first_is(t->sh.alpn, "h2") ? h2 : NULL;
}

/* ------------------------------------------------------------ JSON */

static void str_or_null(struct jw *w, const char *key, const char *s)
{
    if (s && *s)
        jw_str(w, key, s);
    else
        jw_null(w, key);
}

static void version_value(struct jw *w, const char *key, uint16_t v)
{
    char buf[32];
    const char *n = v ? tls_version_name(v, buf, sizeof buf) : NULL;
    if (n) {
        jw_str(w, key, n);
    } else if (v) {
        snprintf(buf, sizeof buf, "0x%04x", v);
        jw_str(w, key, buf);
    } else {
        jw_null(w, key);
    }
}

/* A registry value by name, or "0x...." when it has none. */
static void named_u16(struct jw *w, const char *key, uint16_t v, const char *(*name)(uint16_t))
{
    const char *n = name(v);
    char buf[8];
    if (!n) {
        snprintf(buf, sizeof buf, "0x%04x", v);
        n = buf;
    }
    jw_str(w, key, n);
}

static void named_list(struct jw *w, const char *key, const struct tls_list *l, const char *(*name)(uint16_t))
{
    jw_arr_begin(w, key);
    for (unsigned i = 0; i < l->n; i++)
        if (!tls_is_grease(l->v[i]))
            named_u16(w, NULL, l->v[i], name);
    jw_arr_end(w);
}

/* Bytes as hex digits: lower case, or upper case (how OpenSSL and Zeek print serial numbers). */
static void hex_value(struct jw *w, const char *key, const uint8_t *v, size_t n, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[2 * 32 + 1];
    if (n > 32)
        n = 32;
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = digits[v[i] >> 4];
        buf[2 * i + 1] = digits[v[i] & 15];
    }
    buf[2 * n] = '\0';
    jw_str(w, key, buf);
}

/* Epoch seconds as ISO 8601 in UTC ("2025-01-01T00:00:00Z"). */
static void iso_time(struct jw *w, const char *key, int64_t t)
{
    time_t s = (time_t)t;
    struct tm tmv;
    char buf[32];
    if ((int64_t)s == t && gmtime_r(&s, &tmv) && strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tmv))
        jw_str(w, key, buf);
    else
        jw_null(w, key);
}

/* A list of names from the wire, one JSON string each, exactly as sent. */
static void names_array(struct jw *w, const char *key, const uint8_t *list)
{
    size_t pos = 0, len;
    const char *name;
    jw_arr_begin(w, key);
    while (namelist_next(list, &pos, &name, &len))
        jw_strn(w, NULL, name, len);
    jw_arr_end(w);
}

/* The first name of a list (the server's one ALPN choice), or null. */
static void first_name_or_null(struct jw *w, const char *key, const uint8_t *list)
{
    size_t pos = 0, len;
    const char *name;
    if (namelist_next(list, &pos, &name, &len))
        jw_strn(w, key, name, len);
    else
        jw_null(w, key);
}

static void json_hellos(struct jw *w, const struct tls_summary *t)
{
    const struct tls_client_hello *ch = &t->ch;
    const struct tls_server_hello *sh = &t->sh;
    if (t->seen_client_hello) {
        /* the short lists; the offered suites, extensions and signature
         * schemes by name are for the ladder and the TUI's detail pane
         * (here they would triple a TLS connection's line) */
        jw_obj_begin(w, "client_hello");
        version_value(w, "version", ch->legacy_version);
        jw_bool(w, "sslv2_format", t->sslv2_hello);
        jw_arr_begin(w, "versions");
        for (unsigned i = 0; i < ch->versions.n; i++)
            if (!tls_is_grease(ch->versions.v[i]))
                version_value(w, NULL, ch->versions.v[i]);
        jw_arr_end(w);
        jw_uint(w, "ciphers_count", ch->ciphers.total);
        jw_uint(w, "extensions_count", ch->extensions.total);
        names_array(w, "alpn", ch->alpn);
        named_list(w, "groups", &ch->groups, tls_group_name);
        named_list(w, "key_share", &ch->key_share, tls_group_name);
        jw_uint(w, "session_id_length", ch->session_id_len);
        jw_bool(w, "session_ticket", ch->ticket_offered);
        jw_bool(w, "psk", ch->psk_offered);
        jw_bool(w, "early_data", ch->early_data);
        jw_obj_end(w);
    }
    if (t->seen_server_hello) {
        jw_obj_begin(w, "server_hello");
        version_value(w, "version", sh->selected_version);
        jw_bool(w, "hello_retry", sh->hello_retry);
        jw_bool(w, "psk_accepted", sh->psk_accepted);
        jw_uint(w, "session_id_length", sh->session_id_len);
        if (sh->key_share_group)
            named_u16(w, "key_share", sh->key_share_group, tls_group_name);
        if (sh->compression == 0)
            jw_str(w, "compression", "null");
        else if (sh->compression == 1)
            jw_str(w, "compression", "deflate");
        else
            jw_uint(w, "compression", sh->compression);
        jw_obj_end(w);
    }
}

static void json_certificate(struct jw *w, const struct cert_info *ci)
{
    jw_obj_begin(w, "certificate");
    jw_str(w, "subject", ci->subject);
    jw_str(w, "issuer", ci->issuer);
    names_array(w, "sans", ci->sans);
    jw_int(w, "not_before", ci->not_before);
    jw_int(w, "not_after", ci->not_after);
    jw_str(w, "key_type", ci->key_type);
    jw_uint(w, "key_bits", ci->key_bits);
    jw_str(w, "signature_algorithm", ci->sig_alg);
    iso_time(w, "not_before_iso", ci->not_before);
    iso_time(w, "not_after_iso", ci->not_after);
    if (ci->has_sha256)
        hex_value(w, "sha256", ci->sha256, sizeof ci->sha256, 0);
    else
        jw_null(w, "sha256");
    if (ci->serial_len)
        hex_value(w, "serial", ci->serial, ci->serial_len, 1);
    else
        jw_null(w, "serial");
    jw_obj_end(w);
}

static void json(struct jw *w, const void *sum)
{
    const struct tls_summary *t = sum;
    const struct tls_client_hello *ch = &t->ch;
    const struct tls_server_hello *sh = &t->sh;
    jw_obj_begin(w, "tls");
    version_value(w, "version", t->version);
    if (ch->sni_len)
        jw_strn(w, "sni", ch->sni, ch->sni_len);
    else
        jw_null(w, "sni");
    first_name_or_null(w, "alpn", sh->alpn);
    if (t->seen_server_hello && !sh->hello_retry && t->version != 0x0002)
        named_u16(w, "cipher", sh->cipher, tls_cipher_name);
    else
        jw_null(w, "cipher");
    jw_str(w, "handshake", tls_hs_kind_name(t->handshake));
    if (t->cert_seen)
        jw_uint(w, "certificates", t->certificates);
    else
        jw_null(w, "certificates");
    str_or_null(w, "cert_verify", t->cert_verified ? cert_verdict_name(t->cert_verdict) : NULL);
    if (t->alert_seen) {
        const char *n = tls_alert_name(t->alert_desc);
        char num[8];
        snprintf(num, sizeof num, "%u", t->alert_desc);
        jw_str(w, "alert", n ? n : num);
    } else {
        jw_null(w, "alert");
    }
    str_or_null(w, "ja3", t->seen_client_hello ? t->ja3 : NULL);
    str_or_null(w, "ja4", t->seen_client_hello ? t->ja4 : NULL);
    str_or_null(w, "ja3_string", t->seen_client_hello ? t->ja3_string : NULL);
    char ja3s[33] = "", ja3s_string[16 + 6 * TLS_SH_EXT_MAX] = "", ja4s[32] = "";
    if (t->seen_server_hello && !sh->hello_retry && t->version != 0x0002)
        tls_server_fingerprints(sh, ja3s, ja3s_string, sizeof ja3s_string, ja4s);
    str_or_null(w, "ja3s", ja3s);
    str_or_null(w, "ja3s_string", ja3s_string);
    str_or_null(w, "ja4s", ja4s);
    str_or_null(w, "auth", tls_auth_name(t->auth));
    if (t->group)
        named_u16(w, "group", t->group, tls_group_name);
    else
        jw_null(w, "group");
    jw_uint(w, "records_c2s", t->records[0]);
    jw_uint(w, "records_s2c", t->records[1]);
    jw_uint(w, "bytes_c2s", t->bytes[0]);
    jw_uint(w, "bytes_s2c", t->bytes[1]);
    jw_arr_begin(w, "messages");
    for (unsigned i = 0; i < t->n_msgs; i++) {
        const char *n = tls_msg_name(t->msgs[i]);
        char num[24];
        if (!n)
            snprintf(num, sizeof num, "Handshake type %u", t->msgs[i]);
        jw_str(w, NULL, n ? n : num);
    }
    jw_arr_end(w);
    jw_bool(w, "established", t->established);
    jw_uint(w, "app_records_c2s", t->app_records[0]);
    jw_uint(w, "app_records_s2c", t->app_records[1]);
    if (t->alert_seen)
        str_or_null(w, "alert_level", tls_alert_level_name(t->alert_level));
    jw_uint(w, "encrypted_alerts", t->encrypted_alerts);
    json_hellos(w, t);
    if (t->cert_seen && t->leaf.subject[0])
        json_certificate(w, &t->leaf);
    if (t->note[0])
        jw_str(w, "note", t->note);
    jw_bool(w, "decrypted", t->decrypted_records > 0 && !t->decrypt_failed);
    if (t->keys_offered) {
        jw_uint(w, "decrypted_records", t->decrypted_records);
        if (t->decrypt_note[0])
            jw_str(w, "decrypt_note", t->decrypt_note);
    }
    if (t->upgraded_from)
        jw_str(w, "upgraded_from", t->upgraded_from);
    jw_obj_end(w);
}

/* ------------------------------------------------------------ words a person reads */

static const char *version_or_tls(const struct tls_summary *t, char *buf, size_t len)
{
    const char *v = t->version ? tls_version_name(t->version, buf, len) : NULL;
    return v ? v : "TLS";
}

static int title(const void *sum, char *text, size_t len, int ttflags)
{
    const struct tls_summary *t = sum;
    char vb[32];
    const char *cn = t->seen_server_hello ? tls_cipher_name(t->sh.cipher) : NULL;
    int n = snprintf(text, len, "  %s %s handshake", version_or_tls(t, vb, sizeof vb), tls_hs_display_name(t));
    if (t->ch.sni_len) {
        char sni[96];
        tt_clean(sni, sizeof sni, t->ch.sni, t->ch.sni_len, ttflags);
        n += snprintf(text + n, len - (size_t)n, ", SNI %s", sni);
    }
    if (cn && n > 0 && (size_t)n < len)
        n += snprintf(text + n, len - (size_t)n, ", %s", cn);
    if (n > 0 && (size_t)n < len) {
        if (t->cert_verified)
            n += snprintf(text + n, len - (size_t)n, ", certificate %s", cert_verdict_name(t->cert_verdict));
        else if (t->version == 0x0304)
            n += snprintf(text + n, len - (size_t)n, ", certificate not visible (TLS 1.3 without keys)");
    }
    if (t->upgraded_from && n > 0 && (size_t)n < len)
        snprintf(text + n, len - (size_t)n, ", upgraded from %s", t->upgraded_from);
    return 1;
}

static void label(const void *sum, char *buf, size_t len, int ttflags)
{
    const struct tls_summary *t = sum;
    char vb[32], sni[112];
    tt_clean(sni, sizeof sni, t->ch.sni, t->ch.sni_len, ttflags);
    snprintf(buf, len, "%s%s%s", version_or_tls(t, vb, sizeof vb), sni[0] ? " " : "", sni);
}

/* The totals count PSK handshakes apart from the anonymous ones, as the cells show them. */
static const char *const verdicts[] = {"full", "resumed", "anonymous", "failed", "incomplete", "PSK", NULL};

static void cells(const void *sum, struct proto_cells *out)
{
    const struct tls_summary *t = sum;
    const char *v = t->version ? tls_version_name(t->version, out->version, sizeof out->version) : NULL;
    if (!v)
        snprintf(out->version, sizeof out->version, "?");
    else if (v != out->version)
        snprintf(out->version, sizeof out->version, "%s", v);
    out->verdict = tls_hs_display_name(t);
    out->verdict_index = t->handshake == TLS_HS_ANONYMOUS && t->auth == TLS_AUTH_PSK ? 5
                         : t->handshake < TLS_HS_COUNT ? (int)t->handshake : 0;
    out->name = t->ch.sni_len ? t->ch.sni : NULL;
    out->name_len = t->ch.sni_len;
}

static void search(const void *sum, char *buf, size_t len)
{
    const struct tls_summary *t = sum;
    snprintf(buf, len, "%s %s", tls_hs_display_name(t), t->cert_verified ? cert_verdict_name(t->cert_verdict) : "");
}

static int failed(const void *sum, int finished)
{
    const struct tls_summary *t = sum;
    return t->handshake == TLS_HS_FAILED && (finished || t->alert_seen);
}

static void phase(const void *sum, char *buf, size_t len)
{
    char vb[32];
    snprintf(buf, len, "%s handshake", version_or_tls(sum, vb, sizeof vb));
}

/* ------------------------------------------------------------ the detail pane */

static void line(const struct proto_lines *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line(const struct proto_lines *out, const char *fmt, ...)
{
    char buf[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    out->add(out->ctx, buf);
}

/* A list of registry values by name, wrapped onto lines of the pane. */
static void named_values(const struct proto_lines *out, const char *title_, const struct tls_list *l,
                         const char *(*name)(uint16_t))
{
    char buf[160];
    size_t len = (size_t)snprintf(buf, sizeof buf, "  %s (%u):", title_, l->total);
    for (unsigned i = 0; i < l->n; i++) {
        char item[80];
        const char *n = name ? name(l->v[i]) : NULL;
        if (tls_is_grease(l->v[i]))
            snprintf(item, sizeof item, " GREASE");
        else if (n)
            snprintf(item, sizeof item, " %s", n);
        else
            snprintf(item, sizeof item, " 0x%04x", l->v[i]);
        if (len + strlen(item) + 1 >= 76) {
            line(out, "%s", buf);
            len = (size_t)snprintf(buf, sizeof buf, "   ");
        }
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", item, i + 1 < l->n ? "," : "");
    }
    line(out, "%s", buf);
}

static const char *version_str(uint16_t v, char *buf, size_t len)
{
    const char *n = tls_version_name(v, buf, (unsigned)len);
    if (!n) {
        snprintf(buf, len, "0x%04x", v);
        n = buf;
    }
    return n;
}

static void date_str(int64_t t, char *buf, size_t len)
{
    time_t s = (time_t)t;
    struct tm tmv;
    if (!gmtime_r(&s, &tmv) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tmv))
        snprintf(buf, len, "%lld", (long long)t);
}

/* Wire text for a line of the pane: cleaned for the terminal (termtext.h). */
static const char *wire(const struct proto_lines *out, const char *s, size_t len, char *buf, size_t cap)
{
    tt_clean(buf, cap, s, len, out->ascii ? TT_ASCII : 0);
    return buf;
}

/* A list of names for one line: "a, b, c" (each cleaned), or "(none)". */
static const char *names_text(const struct proto_lines *out, const uint8_t *list, char *buf, size_t cap)
{
    size_t pos = 0, len, at = 0;
    const char *name;
    buf[0] = '\0';
    while (namelist_next(list, &pos, &name, &len)) {
        char one[160];
        int w = snprintf(buf + at, cap - at, "%s%s", at ? ", " : "", wire(out, name, len, one, sizeof one));
        if (w < 0 || (size_t)w >= cap - at) {
            buf[at] = '\0'; /* whole names only: no escape cut in two */
            break;
        }
        at += (size_t)w;
    }
    return at ? buf : "(none)";
}

static void client_hello(const struct proto_lines *out, const struct tls_summary *t)
{
    const struct tls_client_hello *ch = &t->ch;
    char vb[32], sni[160], names[160];
    line(out, "ClientHello%s", t->sslv2_hello ? " (SSLv2 format)" : "");
    line(out, "  version %s, SNI %s", version_str(ch->legacy_version, vb, sizeof vb),
         ch->sni_len ? wire(out, ch->sni, ch->sni_len, sni, sizeof sni) : "(none)");
    if (ch->versions.n)
        named_values(out, "supported_versions", &ch->versions, NULL);
    named_values(out, "cipher suites", &ch->ciphers, tls_cipher_name);
    line(out, "  ALPN: %s", names_text(out, ch->alpn, names, sizeof names));
    named_values(out, "supported groups", &ch->groups, tls_group_name);
    if (ch->key_share.n)
        named_values(out, "key_share", &ch->key_share, tls_group_name);
    named_values(out, "signature algorithms", &ch->sigalgs, tls_sigscheme_name);
    named_values(out, "extensions", &ch->extensions, tls_extension_name);
    line(out, "  session id %u bytes, ticket %s, PSK %s, early data %s", ch->session_id_len,
         ch->ticket_offered ? "offered" : "no", ch->psk_offered ? "offered" : "no", ch->early_data ? "yes" : "no");
    line(out, "  JA3 %s", t->ja3);
    line(out, "  JA4 %s", t->ja4);
}

static void server_hello(const struct proto_lines *out, const struct tls_summary *t)
{
    const struct tls_server_hello *sh = &t->sh;
    char vb[32], names[160];
    const char *cn = tls_cipher_name(sh->cipher);
    line(out, "%s", sh->hello_retry ? "HelloRetryRequest" : "ServerHello");
    line(out, "  version %s", version_str(sh->selected_version, vb, sizeof vb));
    line(out, "  cipher %s (0x%04x)", cn ? cn : "?", sh->cipher);
    line(out, "  ALPN %s, session id %u bytes, PSK accepted %s", names_text(out, sh->alpn, names, sizeof names),
         sh->session_id_len, sh->psk_accepted ? "yes" : "no");
    if (sh->key_share_group) {
        const char *g = tls_group_name(sh->key_share_group);
        line(out, "  key_share %s", g ? g : "?");
    }
    if (t->group) {
        const char *g = tls_group_name(t->group);
        line(out, "  group %s, authentication %s", g ? g : "?", tls_auth_name(t->auth) ? tls_auth_name(t->auth) : "?");
    }
    if (sh->compression)
        line(out, "  compression %s", sh->compression == 1 ? "DEFLATE" : "unknown");
    char ja3s[33], ja3s_string[16 + 6 * TLS_SH_EXT_MAX], ja4s[32];
    if (!sh->hello_retry && tls_server_fingerprints(sh, ja3s, ja3s_string, sizeof ja3s_string, ja4s) == 0) {
        line(out, "  JA3S %s", ja3s);
        line(out, "  JA4S %s", ja4s);
    }
}

static void certificate(const struct proto_lines *out, const struct tls_summary *t)
{
    const struct cert_info *ci = &t->leaf;
    char from[40], to[40], names[160];
    line(out, "Certificate: %u in the chain", t->certificates);
    if (t->cert_verified)
        line(out, "  verification: %s", cert_verdict_name(t->cert_verdict));
    else
        line(out, "  verification: not done (--no-verify)");
    if (!ci->subject[0]) {
        line(out, "  (the leaf certificate could not be parsed)");
        return;
    }
    date_str(ci->not_before, from, sizeof from);
    date_str(ci->not_after, to, sizeof to);
    line(out, "  subject  %s", wire(out, ci->subject, strlen(ci->subject), names, sizeof names));
    line(out, "  issuer   %s", wire(out, ci->issuer, strlen(ci->issuer), names, sizeof names));
    line(out, "  SANs     %s", names_text(out, ci->sans, names, sizeof names));
    line(out, "  valid    %s .. %s", from, to);
    line(out, "  key      %s %u bits, signed %s", ci->key_type, ci->key_bits, ci->sig_alg);
    if (ci->serial_len) {
        char hex[2 * sizeof ci->serial + 1];
        for (unsigned i = 0; i < ci->serial_len; i++)
            snprintf(hex + 2 * i, 3, "%02X", ci->serial[i]);
        line(out, "  serial   %s", hex);
    }
    if (ci->has_sha256) {
        char hex[2 * sizeof ci->sha256 + 1];
        for (unsigned i = 0; i < sizeof ci->sha256; i++)
            snprintf(hex + 2 * i, 3, "%02x", ci->sha256[i]);
        line(out, "  SHA-256  %s", hex);
    }
}

static void message_detail(const void *sum, const struct app_msg *m, const struct proto_lines *out)
{
    const struct tls_summary *t = sum;
    if (m->kind == MSG_ALERT && m->code == CODE_ENCRYPTED_ALERT) {
        line(out, "  the alert is encrypted: its level and description need the keys");
    } else if (m->kind == MSG_HANDSHAKE && m->code == CODE_ENCRYPTED_HS) {
        line(out, "  encrypted: what it holds needs the session keys");
    } else if (m->kind == MSG_HANDSHAKE) {
        if (m->code == 1 && t->seen_client_hello)
            client_hello(out, t);
        else if ((m->code == 2 || m->code == TLS_MSG_HRR) && t->seen_server_hello)
            server_hello(out, t);
        else if (m->code == 11 && t->cert_seen)
            certificate(out, t);
    }
}

const struct proto_desc tls_proto = {
    .name = "tls",
    .app_kind = APP_TLS,
    .has_handshake = 1,
    .sniff = sniff,
    .start = start,
    .data = data,
    .gap = gap,
    .rst = rst,
    .end = end,
    .memory = memory,
    .free = release,
    .summary = summary,
    .summary_size = sizeof(struct tls_summary),
    .negotiated = negotiated,
    .json = json,
    .title = title,
    .label = label,
    .cells = cells,
    .verdicts = verdicts,
    .search = search,
    .failed = failed,
    .phase = phase,
    .message_detail = message_detail,
};
