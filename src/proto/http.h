/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http.h - HTTP/1.x on a reassembled TCP connection (RFC 9112): requests
 * recognised by their request line, responses by their status line, message
 * bodies delimited by Content-Length, chunked transfer coding, or the close
 * of the connection, so pipelined and keep-alive exchanges count right.
 * Incremental and bounded: it is fed stream bytes as they arrive, keeps at
 * most one header line per direction, and never buffers a body.
 */
#ifndef SYNFIN_HTTP_H
#define SYNFIN_HTTP_H

#include <stddef.h>
#include <stdint.h>

enum http_sniff {
    HTTP_SNIFF_NO = 0,    /* not HTTP/1.x and not the HTTP/2 preface */
    HTTP_SNIFF_MORE,      /* could still be: give more bytes */
    HTTP_SNIFF_H1,        /* a request line ("GET /x HTTP/1.1") or status line begins */
    HTTP_SNIFF_H2,        /* the HTTP/2 connection preface "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" */
};
/* Look at the first bytes a side sent (`from_client`: the client's). */
enum http_sniff http_sniff(const uint8_t *p, size_t n, int from_client);

#define HTTP_FIRST_REQUEST_MAX 128
#define HTTP_HOSTS_MAX 8
#define HTTP_HOST_LEN 96

/* A CONNECT (RFC 9110 §9.3.6): the tunnel it asks for, and what became of it. */
enum http_tunnel {
    HTTP_TUNNEL_NONE,         /* no CONNECT request */
    HTTP_TUNNEL_REQUESTED,    /* the last CONNECT has no final answer yet */
    HTTP_TUNNEL_OPEN,         /* answered 2xx: the bytes after the answer are the tunnel's */
    HTTP_TUNNEL_REFUSED,      /* answered with another final status: the connection stays HTTP */
};

struct http_summary {
    uint32_t requests;              /* request lines seen */
    uint32_t responses;             /* final responses seen (1xx interim ones not counted) */
    char first_request[HTTP_FIRST_REQUEST_MAX]; /* "GET /path" (method and target, cut at the cap) */
    uint16_t first_status;          /* status of the first final response, 0 when none */
    char hosts[HTTP_HOSTS_MAX][HTTP_HOST_LEN];  /* distinct Host header values, in order seen */
    uint8_t nhosts;
    uint8_t h2;                     /* HTTP/2: the cleartext preface was seen, or TLS chose "h2" */
    uint8_t h2_tls;                 /* ... chosen by TLS's ALPN (h2), not by a cleartext preface (h2c) */
    uint64_t h2_frames[2];          /* HTTP/2 frames counted (not parsed): [0] client, [1] server */
    uint8_t malformed;              /* a line or framing it could not follow: parsing stopped there */
    uint8_t tunnel;                 /* enum http_tunnel */
    uint16_t connect_status;        /* the final status answering the last CONNECT, 0 before one */
    char connect_request[HTTP_FIRST_REQUEST_MAX]; /* "CONNECT host:443" of the last CONNECT (cut at the cap) */
    char connect_response[HTTP_FIRST_REQUEST_MAX]; /* its answer's status line, "HTTP/1.1 200 Connection established" */
};

/* One message start, for the ladder: "GET /path HTTP/1.1" or "HTTP/1.1 200 OK" (cut at 80 bytes). */
typedef void (*http_msg_fn)(void *ctx, int from_client, const char *line);

struct http_conn;

struct http_conn *http_new(http_msg_fn on_msg, void *ctx);
/*
 * Bytes in stream order from the client (from_client=1) or the server.  Returns how many it took: all of
 * them, but where a tunnel may start.  It stops right after a CONNECT request (the client's next bytes
 * are the tunnel's if the answer opens it: hold them until then, or give them back when it is refused)
 * and right after a 2xx answer to CONNECT (what follows is the tunnel's: summary.tunnel is
 * HTTP_TUNNEL_OPEN).  Bytes given again are read on as HTTP.
 */
size_t http_data(struct http_conn *h, int from_client, const uint8_t *p, size_t n);
/* Bytes missing from a direction: framing is lost there, parsing of that direction stops. */
void http_gap(struct http_conn *h, int from_client, uint64_t n);
/* The bytes are HTTP/2 from the start (TLS's ALPN chose "h2"): frames are counted, not parsed. */
void http_start_h2(struct http_conn *h);
/* The connection ended: a close-delimited response body ends here. */
void http_end(struct http_conn *h);
const struct http_summary *http_summary_of(const struct http_conn *h);
/* Inside the message callback: the line told is a CONNECT request (from_client) or the final answer to one. */
int http_told_connect(const struct http_conn *h, int from_client);
/* Bytes this parser holds now (for the memory cap). */
size_t http_memory(const struct http_conn *h);
void http_free(struct http_conn *h);

#endif
