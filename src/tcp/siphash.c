/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * siphash.c - SipHash and the process's hash key (see siphash.h).
 *
 * The algorithm as specified in the paper, section 2: four 64-bit words of
 * state initialised from the key and four constants, each 8-byte
 * little-endian block absorbed with c SipRounds, the last block carrying
 * the message length in its top byte, then 0xff into v2 and d rounds.
 *
 * The key is the one piece of process-wide state besides the option
 * table: every table hashing wire data must share it (so that the lead's
 * tables agree), and it must be set exactly once, whichever thread asks
 * first (the trust store's loader runs in a thread of its own).
 */
#include "siphash.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"

static inline uint64_t le64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline uint64_t siphash_cd(const struct sip_key *key, const void *data, size_t len, int c, int d)
{
    struct sip_state s = sip_start(key);
    const uint8_t *p = data;
    size_t n = len;
    for (; n >= 8; p += 8, n -= 8)
        sip_absorb(&s, le64(p), c);
    uint64_t last = (uint64_t)(len & 0xff) << 56;
    for (size_t i = 0; i < n; i++)
        last |= (uint64_t)p[i] << (8 * i);
    sip_absorb(&s, last, c);
    s.v2 ^= 0xff;
    for (int i = 0; i < d; i++)
        sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t siphash13(const struct sip_key *key, const void *data, size_t len)
{
    return siphash_cd(key, data, len, 1, 3);
}

uint64_t siphash24(const struct sip_key *key, const void *data, size_t len)
{
    return siphash_cd(key, data, len, 2, 4);
}

struct sip_key sip_key_from_bytes(const uint8_t bytes[16])
{
    struct sip_key k = {le64(bytes), le64(bytes + 8)};
    return k;
}

/* ------------------------------------------------------------ the process's key */

static struct sip_key process_key;
static int key_fixed;
static int key_status;
static char key_err[160];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

/* n random bytes: getrandom, else /dev/urandom (a kernel before 3.17); -1 when neither gives them. */
static int random_bytes(uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got == n)
        return 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    return got == n ? 0 : -1;
}

/* 32 hex digits into 16 bytes; -1 when it is anything else. */
static int parse_key(const char *s, uint8_t out[16])
{
    if (strlen(s) != 32)
        return -1;
    for (int i = 0; i < 16; i++) {
        int hi = hex_digit_value((unsigned char)s[2 * i]), lo = hex_digit_value((unsigned char)s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

/* No randomness at all (no getrandom, no /dev/urandom): better than a
 * constant, and the caller is told. */
static void weak_key(uint8_t out[16])
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t a = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^ (uint64_t)getpid() << 16;
    uint64_t b = (uint64_t)(uintptr_t)&ts ^ (uint64_t)(uintptr_t)out ^ (uint64_t)time(NULL);
    struct sip_key k = {a, b};
    uint64_t x = siphash24(&k, &a, sizeof a), y = siphash24(&k, &b, sizeof b);
    memcpy(out, &x, 8);
    memcpy(out + 8, &y, 8);
}

static void init_key(void)
{
    uint8_t bytes[16];
    const char *env = getenv("SYNFIN_HASH_KEY");
    if (env && parse_key(env, bytes) == 0) {
        key_fixed = 1;
    } else {
        if (env) {
            snprintf(key_err, sizeof key_err, "SYNFIN_HASH_KEY must be 32 hex digits (16 bytes)");
            key_status = -1;
        }
        if (random_bytes(bytes, sizeof bytes) < 0) {
            weak_key(bytes);
            if (!key_status)
                snprintf(key_err, sizeof key_err, "no random bytes for the hash key (getrandom and /dev/urandom "
                                                  "failed): its key is guessable");
            key_status = -1;
        }
    }
    process_key = sip_key_from_bytes(bytes);
}

int hashkey_init(char *err, size_t errlen)
{
    pthread_once(&key_once, init_key);
    if (key_status < 0 && err && errlen)
        snprintf(err, errlen, "%s", key_err);
    return key_status;
}

const struct sip_key *hashkey(void)
{
    pthread_once(&key_once, init_key);
    return &process_key;
}

uint64_t hash_keyed(const void *data, size_t len) { return siphash13(hashkey(), data, len); }

int hashkey_fixed(void)
{
    pthread_once(&key_once, init_key);
    return key_fixed;
}

struct sip_key sip_key_fresh(uint64_t n)
{
    const struct sip_key *pk = hashkey();
    uint8_t bytes[16];
    if (key_fixed || random_bytes(bytes, sizeof bytes) < 0) {
        /* derived: as secret as the process key, and the same on every run that fixes it */
        uint64_t in[2] = {n, 0x72656b6579ULL}; /* "rekey" */
        struct sip_key k = {siphash24(pk, in, sizeof in), 0};
        in[1] = ~in[1];
        k.k1 = siphash24(pk, in, sizeof in);
        return k;
    }
    return sip_key_from_bytes(bytes);
}
