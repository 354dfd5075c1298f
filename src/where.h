/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * where.h - the filter language of --where and of the interface's filter:
 * one expression over the keys of the JSON object synfin writes for a
 * connection (synfin(1), FILTER EXPRESSIONS), evaluated over that very
 * object, so what a filter sees is what --json shows.
 *
 *   expr    := or
 *   or      := and { ("||" | "or") and }
 *   and     := unary { ("&&" | "and") unary }
 *   unary   := ("!" | "not") unary | "(" expr ")" | "port" NUMBER | "host" ADDRESS
 *            | operand [ ("==" | "!=" | "<" | "<=" | ">" | ">=" | "~") operand ]
 *   operand := PATH | "STRING" | NUMBER[UNIT] | true | false | null
 *   PATH    := KEY { "." KEY | "[" INDEX "]" }     tls.version, tunnels[0].type
 *   UNIT    := ns us ms s min h (times) | B KB MB GB KiB MiB GiB (bytes)
 *
 * A path that reaches an array stands for each of its elements (any one
 * may match); a comparison with a key the connection lacks, or whose value
 * is null, is false (null == null aside); `~` matches a POSIX extended
 * regular expression (regcomp); client.port, client.ip, server.port and
 * server.ip name client_port, client_ip, server_port and server_ip.
 */
#ifndef SYNFIN_WHERE_H
#define SYNFIN_WHERE_H

#include <stddef.h>

struct where;

#define WHERE_ERRLEN 256

/* Compile `expr`; NULL on a syntax error, with the message in err and the
 * byte offset of the problem in *pos. */
struct where *where_compile(const char *expr, char *err, size_t errlen, size_t *pos);
/* Does the JSON object (len bytes) satisfy the expression?  Not thread-safe:
 * each where keeps its own scratch. */
int where_match(struct where *w, const char *json, size_t len);
/* The text of the string (or the number's text) at `path` in a JSON object, into out; 0 when there is none. */
int where_value(const char *json, size_t len, const char *path, char *out, size_t cap);
/* A string as a literal of the language: quoted, its quotes and backslashes escaped. */
void where_quote(const char *s, char *out, size_t cap);
/* The expression as given. */
const char *where_text(const struct where *w);
void where_free(struct where *w);

#endif
