/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_where.c - the filter language of --where (where.h) on JSON objects
 * shaped like synfin's: the issue's examples, units, arrays, null and
 * missing keys, regular expressions, shorthands, and syntax errors with
 * the position they name; and text fitted to columns (textfit.h).
 */
#include <CUnit/Basic.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "textfit.h"
#include "unit.h"
#include "where.h"

static const char *const reset_443 =
    "{\"id\":3,\"client\":\"10.0.0.2:40000\",\"server\":\"10.0.0.1:443\",\"client_ip\":\"10.0.0.2\","
    "\"client_port\":40000,\"server_ip\":\"10.0.0.1\",\"server_port\":443,\"handshake\":\"complete\","
    "\"handshake_rtt_ms\":150.5,\"teardown\":\"reset\",\"closed_by\":\"server\",\"duration\":2.5,"
    "\"bytes_c2s\":1500000,\"analysis\":{\"retransmissions\":3,\"out_of_order\":0},"
    "\"tunnels\":[{\"type\":\"gre\",\"id\":7},{\"type\":\"vxlan\",\"id\":42}],"
    "\"tls\":{\"version\":\"TLS 1.3\",\"sni\":\"www.ex\\u00e4mple.com\",\"cert_verify\":\"expired\",\"alert\":null,"
    "\"established\":true,\"client_hello\":{\"alpn\":[\"h2\",\"http/1.1\"]}}}";

static const char *const clean_80 =
    "{\"id\":4,\"client_ip\":\"fd00::2\",\"client_port\":50000,\"server_ip\":\"fd00::1\",\"server_port\":80,"
    "\"handshake\":\"complete\",\"handshake_rtt_ms\":null,\"teardown\":\"four-way\",\"duration\":0.004,"
    "\"bytes_c2s\":10,\"analysis\":{\"retransmissions\":0,\"out_of_order\":0},\"http\":{\"host\":\"a\"}}";

/* The expression's verdict on a document; -1 when it does not compile. */
static int verdict(const char *expr, const char *json)
{
    char err[WHERE_ERRLEN];
    size_t pos;
    struct where *w = where_compile(expr, err, sizeof err, &pos);
    if (!w) {
        fprintf(stderr, "\n  %s: %s at %zu\n", expr, err, pos);
        return -1;
    }
    int r = where_match(w, json, strlen(json));
    where_free(w);
    return r;
}

#define YES(e, j) CU_ASSERT_EQUAL(verdict(e, j), 1)
#define NO(e, j) CU_ASSERT_EQUAL(verdict(e, j), 0)

static void test_issue_examples(void)
{
    YES("teardown == \"reset\" && server.port == 443", reset_443);
    NO("teardown == \"reset\" && server.port == 443", clean_80);
    YES("handshake_rtt_ms > 100", reset_443);
    NO("handshake_rtt_ms > 100", clean_80); /* null: no rtt, not "more than 100" */
    YES("tls.cert_verify != \"ok\"", reset_443);
    NO("tls.cert_verify != \"ok\"", clean_80); /* no TLS: nothing to compare */
    YES("analysis.retransmissions > 0 && !(teardown == \"four-way\")", reset_443);
    NO("analysis.retransmissions > 0 && !(teardown == \"four-way\")", clean_80);
}

static void test_operators(void)
{
    YES("id == 3", reset_443);
    YES("id != 4", reset_443);
    YES("id < 4 && id <= 3 && id >= 3 && id > 2", reset_443);
    NO("id < 3 || id > 3", reset_443);
    YES("not (id == 4) and id = 3", reset_443);
    YES("closed_by < \"t\" && closed_by > \"server\" || 3 == id", reset_443);
    YES("tls.established == true && tls.established != false", reset_443);
    YES("tls", reset_443);                     /* an object that is there */
    NO("http", reset_443);
    YES("http && !tls", clean_80);
    YES("tls.alert == null && tls.sni != null", reset_443);
    NO("tls.alert != null", reset_443);
    YES("handshake_rtt_ms == null", clean_80);
    NO("handshake_rtt_ms == null", reset_443);
    YES("((id == 1 || id == 3) && (teardown == \"reset\"))", reset_443);
}

static void test_units(void)
{
    YES("handshake_rtt_ms > 100ms && handshake_rtt_ms < 0.2s", reset_443);
    NO("handshake_rtt_ms > 1s", reset_443);
    YES("duration > 2000ms && duration < 1min", reset_443);
    YES("duration < 5ms", clean_80);
    YES("bytes_c2s >= 1MB && bytes_c2s < 1.5MiB", reset_443);
    NO("bytes_c2s > 2MB", reset_443);
    YES("bytes_c2s < 1KiB", clean_80);
}

static void test_arrays_and_regex(void)
{
    YES("tls.client_hello.alpn == \"h2\"", reset_443);     /* any element */
    YES("tls.client_hello.alpn[1] == \"http/1.1\"", reset_443);
    NO("tls.client_hello.alpn[0] == \"http/1.1\"", reset_443);
    NO("tls.client_hello.alpn != \"h2\"", reset_443);       /* "not ==": one of them is h2 */
    YES("tunnels.type == \"vxlan\" && tunnels[0].id == 7", reset_443);
    YES("tls.sni ~ \"^www\\\\.ex.*\\\\.com$\"", reset_443); /* the JSON escape undone: ä */
    YES("tls.sni == \"www.exämple.com\"", reset_443);
    YES("server_ip ~ \"^10\\\\.\"", reset_443);
    NO("server_ip ~ \"^10\\\\.\"", clean_80);
    YES("server_port ~ \"^44\"", reset_443);               /* a number as its text */
}

static void test_shorthands(void)
{
    YES("port 443", reset_443);
    YES("port 40000 && !port 80", reset_443);
    NO("port 443", clean_80);
    YES("host 10.0.0.1 && host \"10.0.0.2\"", reset_443);
    YES("host fd00::1", clean_80);
    YES("client.ip == \"fd00::2\" && server.port == 80 && client.port > 1024", clean_80);
}

/* An error, and the byte it points at. */
static void bad(const char *expr, size_t want_pos, const char *want_text)
{
    char err[WHERE_ERRLEN];
    size_t pos = 999;
    struct where *w = where_compile(expr, err, sizeof err, &pos);
    CU_ASSERT_PTR_NULL(w);
    where_free(w);
    CU_ASSERT_EQUAL(pos, want_pos);
    if (!strstr(err, want_text) || pos != want_pos)
        fprintf(stderr, "\n  '%s': '%s' at %zu (wanted '%s' at %zu)\n", expr, err, pos, want_text, want_pos);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, want_text));
}

static void test_errors(void)
{
    bad("teardown == && x", 12, "was expected");
    bad("teardown == \"reset", 12, "not closed");
    bad("(id == 1", 0, "'(' is not closed");
    bad("id == 1)", 7, "closes nothing");
    bad("id == 1 id", 8, "'&&' or '||'");
    bad("rtt > 10parsecs", 8, "unknown unit");
    bad("tls.sni ~ \"(\"", 10, "bad regular expression");
    bad("", 0, "empty");
    bad("id == 1 &&", 10, "ends where a value");
    bad("\"a\" == \"b\"", 4, "one side must be a key");
    bad("id < null", 3, "null is only compared");
    bad("port http", 5, "port number");
    bad("port 80.5", 5, "port number");
    bad("port 65536", 5, "port number");
    bad("port -1", 5, "port number");
    bad("port nan", 5, "port number");
    bad("port inf", 5, "port number");
    bad("port 1e400", 5, "port number");
    bad("id # 3", 3, "unexpected '#'");
    bad("42", 0, "not a condition");
}

/* Hostile JSON never crashes the scanner: it simply does not match. */
static void test_bad_json(void)
{
    static const char *const docs[] = {"", "{", "{\"a\":", "{\"a\":[1,2", "{\"a\":\"x", "{\"a\" 1}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "{\"a\":tru}", "{\"a\":\"\\u12\"}"};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        NO("a == 1", docs[i]);
    YES("a == 1", "{ \"a\" : 1 }");
}

static void test_fit(void)
{
    char b[128];
    CU_ASSERT_EQUAL(fit_end(b, sizeof b, "www.example.com", 10, 0), 10);
    CU_ASSERT_STRING_EQUAL(b, "www.examp…");
    fit_end(b, sizeof b, "www.example.com", 10, 1);
    CU_ASSERT_STRING_EQUAL(b, "www.exa...");
    fit_end(b, sizeof b, "short", 10, 0);
    CU_ASSERT_STRING_EQUAL(b, "short");
    CU_ASSERT_EQUAL(fit_middle(b, sizeof b, "/a/very/long/path/to/the/capture.pcap", 20, 0), 20);
    CU_ASSERT_STRING_EQUAL(b, "/a/very/lo…ture.pcap");
    /* the port always whole, the address cut in its middle, the bracket closed */
    fit_endpoint(b, sizeof b, "[2001:db8:1111:2222:3333:4444:5555:1]:443", 21, 0);
    CU_ASSERT_STRING_EQUAL(b, "[2001:db…:5555:1]:443");
    CU_ASSERT_EQUAL(strlen(b) - 2, 21); /* "…" is three bytes, one column */
    fit_endpoint(b, sizeof b, "[2001:db8:1111:2222:3333:4444:5555:2]:443", 21, 0);
    CU_ASSERT_STRING_EQUAL(b, "[2001:db…:5555:2]:443");
    fit_endpoint(b, sizeof b, "10.0.0.1:443", 21, 0);
    CU_ASSERT_STRING_EQUAL(b, "10.0.0.1:443");
    fit_endpoint(b, sizeof b, "192.168.100.200:65535", 16, 1);
    CU_ASSERT_STRING_EQUAL(b, "192....200:65535");
}

int main(void)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8") && !setlocale(LC_CTYPE, "en_US.UTF-8")) {
        fprintf(stderr, "test_where: no UTF-8 locale (C.UTF-8): skipped\n");
        return 77;
    }
    static const struct unit_case tests[] = {
        {"the issue's examples", test_issue_examples},
        {"comparisons, logic, null, objects", test_operators},
        {"numbers with units", test_units},
        {"arrays and regular expressions", test_arrays_and_regex},
        {"port, host, client.port", test_shorthands},
        {"syntax errors name their position", test_errors},
        {"malformed JSON does not match", test_bad_json},
        {"text fitted with an ellipsis", test_fit},
    };
    return unit_run("where", NULL, NULL, tests, UNIT_COUNT(tests));
}
