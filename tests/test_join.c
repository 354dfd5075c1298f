/* SPDX-License-Identifier: BSD-2-Clause */
/* test_join.c - owns the unit tests of the keys other tools join on: community_id.c (the spec's
 * published vectors), iso_time.c and shard.c. */
#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "community_id.h"
#include "decode.h"
#include "iso_time.h"
#include "shard.h"
#include "unit.h"

static const char *cid(const char *sa, uint16_t sp, const char *da, uint16_t dp, uint8_t proto, uint16_t seed)
{
    static char out[COMMUNITY_ID_LEN];
    uint8_t a[16], b[16];
    int v6 = strchr(sa, ':') != NULL;
    CU_ASSERT_FATAL(inet_pton(v6 ? AF_INET6 : AF_INET, sa, a) == 1);
    CU_ASSERT_FATAL(inet_pton(v6 ? AF_INET6 : AF_INET, da, b) == 1);
    CU_ASSERT_FATAL(community_id_v1(v6 ? 6 : 4, a, sp, b, dp, proto, seed, out) == 0);
    return out;
}

/* corelight/community-id-spec, baseline/baseline_deflt.json and baseline_seed1.json */
static void test_spec_vectors(void)
{
    static const struct {
        const char *sa, *da;
        uint16_t sp, dp;
        uint8_t proto;
        const char *seed0, *seed1;
    } v[] = {
        {"128.232.110.120", "66.35.250.204", 34855, 80, 6, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
         "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
        {"2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, 6,
         "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
        {"192.168.1.52", "8.8.8.8", 54585, 53, 17, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=",
         "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
        {"192.168.170.8", "192.168.170.56", 7, 7, 132, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=",
         "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
    };
    for (size_t i = 0; i < UNIT_COUNT(v); i++) {
        /* both directions give the same id */
        CU_ASSERT_STRING_EQUAL(cid(v[i].sa, v[i].sp, v[i].da, v[i].dp, v[i].proto, 0), v[i].seed0);
        CU_ASSERT_STRING_EQUAL(cid(v[i].da, v[i].dp, v[i].sa, v[i].sp, v[i].proto, 0), v[i].seed0);
        CU_ASSERT_STRING_EQUAL(cid(v[i].sa, v[i].sp, v[i].da, v[i].dp, v[i].proto, 1), v[i].seed1);
        CU_ASSERT_STRING_EQUAL(cid(v[i].da, v[i].dp, v[i].sa, v[i].sp, v[i].proto, 1), v[i].seed1);
    }
    /* Zeek's baseline for http/get.pcap (scripts.policy.protocols.conn.community-id-logging-flipped) */
    CU_ASSERT_STRING_EQUAL(cid("141.142.228.5", 59856, "192.150.187.43", 80, 6, 0), "1:yvyB8h+3dnggTZW0UEITWCst97w=");
    /* equal addresses: the ports decide the order */
    CU_ASSERT_STRING_EQUAL(cid("127.0.0.1", 80, "127.0.0.1", 40000, 6, 0), cid("127.0.0.1", 40000, "127.0.0.1", 80, 6, 0));
}

static void test_iso_time(void)
{
    char b[ISO_TIME_LEN];
    CU_ASSERT(iso_time(1700000000010000000LL, 6, b, sizeof b) == 27);
    CU_ASSERT_STRING_EQUAL(b, "2023-11-14T22:13:20.010000Z");
    CU_ASSERT(iso_time(1700000000010000123LL, 9, b, sizeof b) > 0);
    CU_ASSERT_STRING_EQUAL(b, "2023-11-14T22:13:20.010000123Z");
    CU_ASSERT(iso_time(0, 0, b, sizeof b) > 0);
    CU_ASSERT_STRING_EQUAL(b, "1970-01-01T00:00:00Z");
    /* before 1970 the fraction still counts forward from the second before */
    CU_ASSERT(iso_time(-1, 9, b, sizeof b) > 0);
    CU_ASSERT_STRING_EQUAL(b, "1969-12-31T23:59:59.999999999Z");
    /* a buffer too small is refused, not overrun */
    CU_ASSERT(iso_time(0, 6, b, 20) == 0);
}

static struct pkt tuple(const char *sa, uint16_t sp, const char *da, uint16_t dp)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    int v6 = strchr(sa, ':') != NULL;
    p.ipver = v6 ? 6 : 4;
    CU_ASSERT(inet_pton(v6 ? AF_INET6 : AF_INET, sa, p.src) == 1);
    CU_ASSERT(inet_pton(v6 ? AF_INET6 : AF_INET, da, p.dst) == 1);
    p.sport = sp;
    p.dport = dp;
    return p;
}

static void test_shard(void)
{
    struct pkt a = tuple("10.0.0.1", 40000, "10.0.0.2", 443), b = tuple("10.0.0.2", 443, "10.0.0.1", 40000);
    CU_ASSERT_EQUAL(shard_hash(&a), shard_hash(&b)); /* symmetric */
    struct pkt c = tuple("2001:db8::1", 40000, "2001:db8::2", 443), d = tuple("2001:db8::2", 443, "2001:db8::1", 40000);
    CU_ASSERT_EQUAL(shard_hash(&c), shard_hash(&d));
    CU_ASSERT_NOT_EQUAL(shard_hash(&a), shard_hash(&c));
    /* the hash is part of the --shard contract (synfin(1)): FNV-1a 64 over 4, 10.0.0.1, 10.0.0.2, 40000, 443
     * (big-endian ports), then splitmix64's finaliser, worked out by hand in Python */
    CU_ASSERT_EQUAL(shard_hash(&a), 0xeab2d3c3085aa2b8ULL);
    /* 4096 client ports over 4 shards: every shard gets a fair part */
    unsigned count[5] = {0};
    for (unsigned port = 30000; port < 30000 + 4096; port++) {
        struct pkt p = tuple("192.0.2.7", (uint16_t)port, "198.51.100.1", 80);
        uint32_t s = shard_of(&p, 4);
        CU_ASSERT(s >= 1 && s <= 4);
        count[s < 5 ? s : 0]++;
    }
    for (int s = 1; s <= 4; s++)
        CU_ASSERT(count[s] > 900 && count[s] < 1150);
}

int main(void)
{
    static const struct unit_case cases[] = {
        {"Community ID v1: the spec's vectors, both directions, seeds 0 and 1", test_spec_vectors},
        {"ISO 8601 UTC with the capture's precision", test_iso_time},
        {"the shard hash: symmetric, fixed, spread", test_shard},
    };
    return unit_run("join", NULL, NULL, cases, UNIT_COUNT(cases));
}
