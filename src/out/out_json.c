/*
 * out_json.c - JSON Lines: one object per connection, written the moment the
 * connection is finalized (as Zeek writes conn.log), so the output streams.
 * The keys and their values are a contract with users' scripts, documented
 * in synfin(1): add keys freely, never rename one.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn_keys.h"
#include "http.h"
#include "json.h"
#include "ladder_layout.h"
#include "output.h"
#include "tls.h"
#include "tls_fingerprint.h"
#include "tls_names.h"

struct json_out {
    struct output_config cfg;
    struct jw w;          /* one buffer for every line, reused */
    struct tls_sfp_cache *sfp; /* JA3S/JA4S already made (NULL: made each time) */
};

static void *json_open(const struct output_config *cfg)
{
    struct json_out *o = calloc(1, sizeof *o);
    if (o) {
        o->cfg = *cfg;
        jw_init(&o->w, cfg->f);
        o->sfp = tls_sfp_cache_new();
    }
    return o;
}

static void json_side_name(struct jw *w, const char *key, int side)
{
    if (side < 0)
        jw_null(w, key);
    else
        jw_str(w, key, side == SIDE_CLIENT ? "client" : "server");
}

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
static void hex_value(struct jw *w, const char *key, const uint8_t *p, size_t n, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[2 * 32 + 1];
    if (n > 32)
        n = 32;
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = digits[p[i] >> 4];
        buf[2 * i + 1] = digits[p[i] & 15];
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

static void json_tls(struct jw *w, const struct tls_summary *t, struct tls_sfp_cache *sfp)
{
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
    {
        char ja3s[33] = "", ja3s_string[16 + 6 * TLS_SH_EXT_MAX] = "", ja4s[32] = "";
        if (t->seen_server_hello && !t->sh.hello_retry && t->version != 0x0002)
            tls_server_fingerprints(sfp, &t->sh, ja3s, ja3s_string, sizeof ja3s_string, ja4s);
        str_or_null(w, "ja3s", ja3s);
        str_or_null(w, "ja3s_string", ja3s_string);
        str_or_null(w, "ja4s", ja4s);
    }
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
    if (t->cert_seen && t->leaf.subject[0]) {
        const struct cert_info *ci = &t->leaf;
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
    if (t->note[0])
        jw_str(w, "note", t->note);
    jw_bool(w, "decrypted", t->decrypted_records > 0 && !t->decrypt_failed);
    if (t->keys_offered) {
        jw_uint(w, "decrypted_records", t->decrypted_records);
        if (t->decrypt_note[0])
            jw_str(w, "decrypt_note", t->decrypt_note);
    }
    jw_obj_end(w);
}

static void json_http(struct jw *w, const struct http_summary *h)
{
    jw_obj_begin(w, "http");
    jw_uint(w, "requests", h->requests);
    str_or_null(w, "first_request", h->first_request);
    if (h->first_status)
        jw_uint(w, "first_status", h->first_status);
    else
        jw_null(w, "first_status");
    jw_arr_begin(w, "hosts");
    for (unsigned i = 0; i < h->nhosts; i++)
        jw_str(w, NULL, h->hosts[i]);
    jw_arr_end(w);
    jw_uint(w, "responses", h->responses);
    jw_str(w, "protocol", h->h2 ? (h->h2_tls ? "h2" : "h2c") : "HTTP/1.x");
    if (h->h2) {
        jw_uint(w, "h2_frames_c2s", h->h2_frames[0]);
        jw_uint(w, "h2_frames_s2c", h->h2_frames[1]);
    }
    jw_bool(w, "malformed", h->malformed);
    jw_obj_end(w);
}

/*
 * "events": one object per packet, what its ladder row shows (synfin(1),
 * JSON OUTPUT).  Protocol messages hang off the packet that completed them;
 * phase marks and parser notes are not messages.
 */
static void json_events(struct jw *w, const struct conn *c, int ts_digits)
{
    char fl[40];
    struct ladder_cursor cur = {0};
    struct ladder_row r;
    jw_arr_begin(w, "events");
    for (size_t i = 0; i < c->nevents; i++) {
        const struct event *e = &c->events[i];
        ladder_row(c, i, &cur, &r); /* the ladder's own reading of the row: its messages, its states */
        jw_obj_begin(w, NULL);
        jw_uint(w, "frame", e->frame);
        jw_fixed(w, "t", e->ts_ns - c->first_ts_ns, 1000000000, ts_digits);
        jw_str(w, "dir", r.from == SIDE_CLIENT ? "c2s" : "s2c");
        ladder_flags_str(e->flags, fl, sizeof fl);
        jw_str(w, "flags", fl);
        jw_uint(w, "seq", e->rel_seq);
        if (e->flags & TH_ACK)
            jw_uint(w, "ack", e->rel_ack);
        else
            jw_null(w, "ack");
        jw_uint(w, "len", e->len);
        jw_uint(w, "win", e->win);
        jw_str(w, "client_state", tcp_state_name(r.state[SIDE_CLIENT]));
        jw_str(w, "server_state", tcp_state_name(r.state[SIDE_SERVER]));
        jw_arr_begin(w, "notes");
        for (unsigned b = 0; b < NOTE_COUNT_; b++)
            if (e->notes & (1u << b))
                jw_str(w, NULL, note_name(b));
        jw_arr_end(w);
        jw_arr_begin(w, "messages");
        for (size_t k = r.msg_first; k < r.msg_first + r.msg_count; k++)
            if (c->msgs[k].kind != MSG_MARK && c->msgs[k].kind != MSG_NOTE)
                jw_str(w, NULL, c->msgs[k].label);
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

/* The interface of the first packet, and every one when they differ. */
static void json_ifaces(struct jw *w, const struct output_config *cfg, const struct conn *c)
{
    char name[64];
    str_or_null(w, "interface", cfg->iface_name(cfg->iface_ctx, c->ifaces[0], name, sizeof name));
    if (c->nifaces < 2)
        return;
    jw_arr_begin(w, "interfaces");
    for (uint8_t i = 0; i < c->nifaces; i++) {
        const char *n = cfg->iface_name(cfg->iface_ctx, c->ifaces[i], name, sizeof name);
        jw_str(w, NULL, n ? n : "");
    }
    jw_arr_end(w);
}

/* How the connection's packets came: the link layer, its first packet's VLAN tags and tunnels
 * (outermost first, with the addresses of the IP header that carried each), IP-layer notes. */
static void json_carrier(struct jw *w, const struct conn *c)
{
    const char *link = decode_link_name(c->link);
    jw_str(w, "link", link ? link : "?");
    const struct conn_encap *e = c->encap;
    if (e && e->nvlan) {
        jw_arr_begin(w, "vlan");
        for (unsigned i = 0; i < e->nvlan && i < PKT_VLAN_MAX; i++)
            jw_uint(w, NULL, e->vlan[i]);
        jw_arr_end(w);
    }
    if (e && e->nencap) {
        jw_arr_begin(w, "tunnels");
        for (unsigned i = 0; i < e->nencap; i++) {
            const struct encap *t = &e->encap[i];
            jw_obj_begin(w, NULL);
            jw_str(w, "type", encap_kind_name(t->kind));
            if (t->ipver) {
                char a[INET6_ADDRSTRLEN];
                int af = t->ipver == 6 ? AF_INET6 : AF_INET;
                jw_str(w, "src", inet_ntop(af, t->src, a, sizeof a) ? a : "?");
                jw_str(w, "dst", inet_ntop(af, t->dst, a, sizeof a) ? a : "?");
            }
            if (t->has_id)
                jw_uint(w, "id", t->id);
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    jw_obj_begin(w, "ip");
    jw_uint(w, "reassembled", c->reassembled_packets);
    jw_uint(w, "fragment_anomalies", c->fragment_anomalies);
    jw_uint(w, "offload", c->offload_packets);
    jw_uint(w, "length_exceeds_frame", c->bad_ip_length_packets);
    jw_obj_end(w);
}

static void json_conn(void *st, const struct conn *c)
{
    struct json_out *o = st;
    const struct side *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    char ep[64];
    struct jw *w = &o->w;
    jw_obj_begin(w, NULL);
    jw_uint(w, "id", c->id);
    jw_uint(w, "schema_version", SYNFIN_SCHEMA_VERSION);
    conn_endpoint_str(c, SIDE_CLIENT, ep, sizeof ep);
    jw_str(w, "client", ep);
    conn_endpoint_str(c, SIDE_SERVER, ep, sizeof ep);
    jw_str(w, "server", ep);
    json_endpoint_keys(w, c);
    jw_uint(w, "ip_version", c->ipver);
    json_time(w, "first_ts", c->first_ts_ns, &o->cfg);
    json_time(w, "last_ts", c->last_ts_ns, &o->cfg);
    jw_uint(w, "packets", c->packets);
    jw_uint(w, "client_packets", cl->packets);
    jw_uint(w, "server_packets", sv->packets);
    jw_uint(w, "bytes_c2s", cl->stream.unique_bytes);
    jw_uint(w, "bytes_s2c", sv->stream.unique_bytes);
    jw_str(w, "handshake", handshake_name(c->handshake));
    jw_uint(w, "syn_retransmits", c->syn_retransmits);
    if (c->hs_rtt_ns >= 0)
        jw_fixed(w, "handshake_rtt_ms", c->hs_rtt_ns, 1000000, 3);
    else
        jw_null(w, "handshake_rtt_ms");
    jw_str(w, "teardown", teardown_name(c->teardown));
    json_side_name(w, "closed_by", c->closed_by);
    jw_str(w, "client_state", tcp_state_name(cl->state));
    jw_str(w, "server_state", tcp_state_name(sv->state));
    json_zeek_keys(w, c, &o->cfg);
    jw_str(w, "app", app_name(c->app_kind));
    jw_obj_begin(w, "flags");
    jw_uint(w, "syn", cl->syn + sv->syn);
    jw_uint(w, "synack", cl->synack + sv->synack);
    jw_uint(w, "fin", cl->fin + sv->fin);
    jw_uint(w, "rst", cl->rst + sv->rst);
    jw_obj_end(w);
    jw_obj_begin(w, "analysis");
    jw_uint(w, "retransmissions", cl->retransmissions + sv->retransmissions);
    jw_uint(w, "out_of_order", cl->out_of_order + sv->out_of_order);
    jw_uint(w, "dup_acks", cl->dup_acks + sv->dup_acks);
    jw_uint(w, "zero_windows", cl->zero_windows + sv->zero_windows);
    jw_uint(w, "window_updates", cl->window_updates + sv->window_updates);
    jw_uint(w, "keep_alives", cl->keep_alives + sv->keep_alives);
    jw_uint(w, "lost_segments", cl->lost_segments + sv->lost_segments);
    jw_obj_end(w);
    jw_uint(w, "gap_bytes", cl->stream.gap_bytes + sv->stream.gap_bytes);
    jw_uint(w, "truncated_packets", c->truncated_packets);
    json_carrier(w, c);
    jw_obj_begin(w, "capped");
    jw_bool(w, "evicted", c->evicted);
    jw_uint(w, "reassembly_bytes", c->side[0].stream.over_budget + c->side[1].stream.over_budget);
    jw_uint(w, "holes_given_up", c->side[0].stream.holes_given_up + c->side[1].stream.holes_given_up);
    jw_bool(w, "events", c->events_capped);
    jw_obj_end(w);
    if (c->tls)
        json_tls(w, c->tls, o->sfp);
    if (c->http)
        json_http(w, c->http);
    if (o->cfg.iface_name && c->nifaces)
        json_ifaces(w, &o->cfg, c);
    if (o->cfg.events)
        json_events(w, c, o->cfg.ts_digits);
    jw_obj_end(w);
    jw_flush(w, 1);
}

/* The run's last line, when the capture counted its losses: {"capture":{...}}. */
static void json_capture(struct json_out *o)
{
    const struct capture_stats *cs = o->cfg.capture;
    struct jw *w = &o->w;
    jw_obj_begin(w, NULL);
    jw_obj_begin(w, "capture");
    if (cs->has_received)
        jw_uint(w, "received", cs->received);
    else
        jw_null(w, "received");
    if (cs->has_dropped)
        jw_uint(w, "dropped", cs->dropped);
    else
        jw_null(w, "dropped");
    if (cs->has_if_dropped)
        jw_uint(w, "if_dropped", cs->if_dropped);
    else
        jw_null(w, "if_dropped");
    jw_obj_end(w);
    jw_obj_end(w);
    jw_flush(w, 1);
}

static void json_close(void *st, const struct pipeline_stats *ps)
{
    (void)ps;
    struct json_out *o = st;
    if (o->cfg.capture && o->cfg.capture->known)
        json_capture(o);
    jw_free(&o->w);
    tls_sfp_cache_free(o->sfp);
    free(o);
}

const struct output_ops out_json_ops = {json_open, json_conn, json_close};
