/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * out_pcap.h - chosen connections saved as a pcap file, for Wireshark:
 * their packets read again from the capture by offset (loader.h), written
 * in the order they were captured.  The interface's "save as pcap".
 */
#ifndef SYNFIN_OUT_PCAP_H
#define SYNFIN_OUT_PCAP_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "loader.h"

struct pcap_save_result {
    uint64_t packets;       /* written */
    uint64_t other_links;   /* not written: a link type other than the first packet's */
    int err_no;             /* the errno of a failure to write (0: another kind of failure) */
};

/*
 * Write the packets of the `n` connections to a new file `path` (an
 * existing file is not overwritten; mode 0600: it holds other people's
 * traffic), read again from `source` (or from `dump_path`, a live
 * capture's -w file).  `nano`: nanosecond timestamps.  0, or -1 with err
 * naming the file and the errno.
 */
int pcap_save(const char *path, struct capture *source, const char *dump_path, const struct span_target *t, size_t n,
              int nano, struct pcap_save_result *res, char *err);

#endif
