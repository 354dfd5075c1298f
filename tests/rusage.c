/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/rusage.c - the stopwatch of `make bench` (tests/bench.sh builds it).
 *
 * usage: rusage OUTFILE CMD [ARGS...]
 * Runs CMD (standard streams inherited), waits for it and writes one line to
 * OUTFILE: "USER SYS WALL MAXRSS", seconds with microseconds and peak RSS in
 * KiB, from wait4(2).  Exits with CMD's status (128 + signal when killed).
 *
 * Why not GNU time: it prints %U and %S truncated to hundredths.  readfloor
 * needs about 0.1 s, so each of its figures lost up to 10 ms, and the ratios
 * against it came out several percent high, more or less from run to run.
 * Why not python: a forked interpreter's copy-on-write faults land in the
 * child's times before exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double secs(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rusage OUTFILE CMD [ARGS...]\n");
        return 2;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        fprintf(stderr, "rusage: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "rusage: fork: %s\n", strerror(errno));
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "rusage: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "rusage: wait4: %s\n", strerror(errno));
            return 2;
        }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(out, "%.6f %.6f %.6f %ld\n", secs(ru.ru_utime), secs(ru.ru_stime), wall, ru.ru_maxrss);
    if (fclose(out) != 0) {
        fprintf(stderr, "rusage: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
