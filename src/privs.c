/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * privs.c - giving up root and capabilities after the capture device is
 * open (see privs.h), the way tcpdump's -Z does.
 *
 * A change of user id away from 0 clears every capability by itself (and
 * glibc applies it to every thread).  A process that is not root but holds
 * capabilities (file capabilities set with setcap) clears them with capset;
 * that call is per thread and threads made later inherit the result, so a
 * live capture starts none before this (app.c loads the trust store at the
 * first certificate instead).
 */
#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int clear_capabilities(void)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];
    memset(none, 0, sizeof none);
    return (int)syscall(SYS_capset, &hdr, none);
}

static int become(const struct passwd *pw)
{
    /* the last call proves the way back is closed */
    return setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0 || setuid(0) == 0 ? -1 : 0;
}

int privs_drop(const char *user, char *err, size_t errlen)
{
    if (geteuid() == 0 && !(user && !strcmp(user, "root"))) {
        struct passwd *pw = NULL;
        if (user) {
            if (!(pw = getpwnam(user))) {
                snprintf(err, errlen, "-Z %s: no such user", user);
                return -1;
            }
        } else {
            static const char *const defaults[] = {"tcpdump", "nobody"};
            for (size_t i = 0; i < 2 && !pw; i++)
                pw = getpwnam(defaults[i]);
        }
        if (pw && become(pw) < 0) {
            snprintf(err, errlen, "cannot drop privileges to %s: %s", pw->pw_name, strerror(errno));
            return -1;
        }
        /* no unprivileged user on this system: stay as we are */
    } else if (geteuid() != 0 && clear_capabilities() < 0) {
        snprintf(err, errlen, "cannot give up capabilities: %s", strerror(errno));
        return -1;
    }
    (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); /* a hardening extra: an old kernel without it is no error */
    return 0;
}
