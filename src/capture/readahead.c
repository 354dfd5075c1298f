/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * readahead.c - reading on a thread of its own (see readahead.h).
 *
 * A ring of NBATCH batches: the reading thread fills one while the
 * analysing thread empties the oldest.  A batch holds a reference on each
 * chunk its packets lie in, and gives them back when the analysis is done
 * with it; a reader that finds every chunk of its pool held first hands
 * over the batch it is filling, then waits for one to come back.  Secrets
 * blocks end a batch, so they reach the analysis before the packets after
 * them, as on one thread.
 */
#include "readahead.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NBATCH 4
#define BATCH_MAX 2048     /* packets; a batch usually ends sooner, at about a chunk */
#define HELD_MAX 8         /* chunks one batch may hold (several files merged) */
#define POOL 6             /* chunks per file: the reader's, and one or two per batch */
#define SECRETS_MAX (16u << 20) /* secrets bytes one batch gathers at most */
#define PREFETCH 4         /* packets ahead whose first bytes are fetched into this core's cache */

struct batch {
    struct capture_pkt pk[BATCH_MAX];
    size_t n;
    struct capchunk *held[HELD_MAX];
    size_t nheld;
    uint8_t *secrets;      /* a TLS key log to apply before pk[0] */
    size_t secrets_len;
    int end;               /* the last batch: end_result follows its packets */
    enum capfile_result end_result;
};

struct readahead {
    struct capset *set;
    readahead_keep_fn keep;
    void *ctx;
    volatile sig_atomic_t *stop;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t ready, freed;
    struct batch b[NBATCH];
    size_t prod, cons;     /* the batch being filled; the oldest handed over */
    size_t published;      /* handed over and not yet given back */
    uint64_t given_back;   /* batches given back so far (the reader waits for this to move) */
    int quit;
    /* the analysing side */
    int have;              /* b[cons] is being emptied */
    size_t idx;
    int secrets_given;
    const uint8_t *sec_p;
    size_t sec_len;
};

/* Hand b[prod] over and wait for a free slot; -1 when told to quit. */
static int publish(struct readahead *ra)
{
    pthread_mutex_lock(&ra->mu);
    ra->published++;
    ra->prod = (ra->prod + 1) % NBATCH;
    pthread_cond_signal(&ra->ready);
    while (ra->published == NBATCH && !ra->quit)
        pthread_cond_wait(&ra->freed, &ra->mu);
    int quit = ra->quit;
    pthread_mutex_unlock(&ra->mu);
    return quit ? -1 : 0;
}

/* Every chunk of a file's pool is held: hand over what is filled, wait for a batch to come back. */
static int wait_chunk(void *ctx)
{
    struct readahead *ra = ctx;
    if (ra->b[ra->prod].n && publish(ra) < 0)
        return -1;
    pthread_mutex_lock(&ra->mu);
    uint64_t seen = ra->given_back;
    while (ra->published && ra->given_back == seen && !ra->quit)
        pthread_cond_wait(&ra->freed, &ra->mu);
    int quit = ra->quit;
    pthread_mutex_unlock(&ra->mu);
    return quit ? -1 : 0;
}

static int hold(struct readahead *ra, struct capchunk *c)
{
    struct batch *b = &ra->b[ra->prod];
    if (b->nheld && b->held[b->nheld - 1] == c)
        return 0;
    for (size_t i = 0; i + 1 < b->nheld; i++)
        if (b->held[i] == c)
            return 0;
    if (b->nheld == HELD_MAX) {
        if (publish(ra) < 0)
            return -1;
        b = &ra->b[ra->prod];
    }
    atomic_fetch_add(&c->refs, 1);
    b->held[b->nheld++] = c;
    return 0;
}

static int add_secrets(struct batch *b, const uint8_t *p, size_t len)
{
    uint8_t *n = realloc(b->secrets, b->secrets_len + len + 1);
    if (!n)
        return -1; /* these secrets are lost, not the packets */
    memcpy(n + b->secrets_len, p, len);
    b->secrets = n;
    b->secrets_len += len;
    n[b->secrets_len++] = '\n'; /* blocks joined: each ends a line */
    return 0;
}

static void *reader(void *arg)
{
    struct readahead *ra = arg;
    enum capfile_result final = CAPFILE_STOPPED;
    struct capture_pkt pk;
    for (;;) {
        if (ra->quit)
            break;
        enum capfile_result r = capset_next(ra->set, &pk);
        if (r == CAPFILE_PACKET) {
            if (!ra->keep(ra->ctx, &pk))
                continue;
            if (hold(ra, capset_chunk(ra->set)) < 0)
                break;
            struct batch *b = &ra->b[ra->prod];
            b->pk[b->n++] = pk;
            if (b->n == BATCH_MAX && publish(ra) < 0)
                break;
        } else if (r == CAPFILE_SECRETS) {
            size_t len;
            (void)capset_secrets(ra->set, &len);
            /* after packets, or with many secrets already (a file of secrets blocks): a batch of its own */
            struct batch *b = &ra->b[ra->prod];
            if ((b->n || (b->secrets_len && b->secrets_len + len > SECRETS_MAX)) && publish(ra) < 0)
                break;
            const uint8_t *p = capset_secrets(ra->set, &len);
            add_secrets(&ra->b[ra->prod], p, len);
        } else {
            final = r;
            break;
        }
    }
    ra->b[ra->prod].end = 1;
    ra->b[ra->prod].end_result = final;
    pthread_mutex_lock(&ra->mu);
    if (ra->published < NBATCH) { /* always, unless told to quit while every slot was full */
        ra->published++;
        ra->prod = (ra->prod + 1) % NBATCH;
    }
    pthread_cond_signal(&ra->ready);
    pthread_mutex_unlock(&ra->mu);
    return NULL;
}

struct readahead *readahead_start(struct capset *set, readahead_keep_fn keep, void *ctx,
                                  volatile sig_atomic_t *stop, char *err)
{
    struct readahead *ra = calloc(1, sizeof *ra);
    if (!ra) {
        strcpy(err, "out of memory");
        return NULL;
    }
    ra->set = set;
    ra->keep = keep;
    ra->ctx = ctx;
    ra->stop = stop;
    pthread_mutex_init(&ra->mu, NULL);
    pthread_cond_init(&ra->ready, NULL);
    pthread_cond_init(&ra->freed, NULL);
    capset_set_pool(set, POOL, wait_chunk, ra);
    /* signals belong to the analysing thread, which decides what they mean */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&ra->thread, NULL, reader, ra);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        capset_set_pool(set, 2, NULL, NULL);
        pthread_mutex_destroy(&ra->mu);
        pthread_cond_destroy(&ra->ready);
        pthread_cond_destroy(&ra->freed);
        free(ra);
        strcpy(err, "cannot start the reading thread");
        return NULL;
    }
    return ra;
}

static void give_back(struct batch *b)
{
    for (size_t i = 0; i < b->nheld; i++)
        capfile_release(b->held[i]);
    free(b->secrets);
    b->secrets = NULL;
    b->secrets_len = 0;
    b->nheld = b->n = 0;
    b->end = 0;
}

enum capfile_result readahead_next(struct readahead *ra, struct capture_pkt *pk)
{
    for (;;) {
        if (ra->have) {
            struct batch *b = &ra->b[ra->cons];
            if (b->secrets && !ra->secrets_given) {
                ra->secrets_given = 1;
                ra->sec_p = b->secrets;
                ra->sec_len = b->secrets_len;
                return CAPFILE_SECRETS;
            }
            if (ra->idx < b->n) {
                /* the packets were written on the other core: ask for the headers of one a
                 * few ahead while this one is analysed */
                if (ra->idx + PREFETCH < b->n) {
                    __builtin_prefetch(b->pk[ra->idx + PREFETCH].data);
                    __builtin_prefetch(b->pk[ra->idx + PREFETCH].data + 64);
                }
                *pk = b->pk[ra->idx++];
                return CAPFILE_PACKET;
            }
            if (b->end)
                return b->end_result;
            give_back(b);
            pthread_mutex_lock(&ra->mu);
            ra->published--;
            ra->given_back++;
            ra->cons = (ra->cons + 1) % NBATCH;
            pthread_cond_signal(&ra->freed);
            pthread_mutex_unlock(&ra->mu);
            ra->have = 0;
        }
        pthread_mutex_lock(&ra->mu);
        while (!ra->published)
            pthread_cond_wait(&ra->ready, &ra->mu);
        pthread_mutex_unlock(&ra->mu);
        ra->have = 1;
        ra->idx = 0;
        ra->secrets_given = 0;
    }
}

const uint8_t *readahead_secrets(const struct readahead *ra, size_t *len)
{
    *len = ra->sec_len;
    return ra->sec_p;
}

void readahead_finish(struct readahead *ra)
{
    if (!ra)
        return;
    pthread_mutex_lock(&ra->mu);
    ra->quit = 1;
    *ra->stop = 1; /* a reader waiting on a silent stream looks at this */
    pthread_cond_broadcast(&ra->freed);
    pthread_mutex_unlock(&ra->mu);
    pthread_join(ra->thread, NULL);
    for (size_t i = 0; i < NBATCH; i++)
        give_back(&ra->b[i]);
    capset_set_pool(ra->set, 2, NULL, NULL);
    pthread_mutex_destroy(&ra->mu);
    pthread_cond_destroy(&ra->ready);
    pthread_cond_destroy(&ra->freed);
    free(ra);
}
