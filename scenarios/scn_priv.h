/*
 * scn_priv.h - what the loader's three files share: the reader (where it
 * is in the file, by JSON path, and where its errors go), the text rules
 * (scn_text.c) and --set (scn_set.c).  Not for use outside scenarios/;
 * no cJSON type leaves that folder.
 */
#ifndef SCN_PRIV_H
#define SCN_PRIV_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scn.h"

/* How many paths the raw scan remembers (scn_mark); past that, a value
 * may be reported twice, which is harmless. */
#define SCN_MARKS 64

/* The loader's position and its error list. */
struct scn_rd {
	struct scn_errors *errs;
	const char *file;          /* for messages */
	char path[512];            /* "hosts[2].adapters[0].mtu"; "" at the
				    * top level */
	struct scn *s;
	char *marks[SCN_MARKS];    /* paths whose string the raw scan
				    * reported (malloc'ed) */
	int nmarks;
};

/* The raw scan reported the string at r->path: the getters need not
 * report it again (scn_marked).  scn_unmark_all frees the list. */
void scn_mark(struct scn_rd *r);
int scn_marked(const struct scn_rd *r);
void scn_unmark_all(struct scn_rd *r);

/* Report one error at r->path: "FILE: PATH: REASON" (scn.h), every byte
 * that is not printable UTF-8 written as \xNN (scn_put_safe). */
void scn_err(struct scn_rd *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Enter a member or an element; each returns the length to restore with
 * scn_pop.  A member name longer than 64 bytes is shortened in the path,
 * with "...". */
size_t scn_push_key(struct scn_rd *r, const char *key);
size_t scn_push_index(struct scn_rd *r, int i);
void scn_pop(struct scn_rd *r, size_t n);

const char *scn_type_name(const cJSON *j);  /* "a string", "an array" */

/* scn_text.c */

/* The length of the well-formed UTF-8 sequence (RFC 3629: shortest form,
 * no surrogates, at most U+10FFFF) at p, reading at most `avail` bytes,
 * with its code point in *cp; 0 if p does not start one. */
size_t scn_utf8_seq(const unsigned char *p, size_t avail, uint32_t *cp);

/* Write `s` to `out`, each byte that is not part of printable UTF-8 (a
 * control character, C1 included, or not UTF-8 at all) as \xNN. */
void scn_put_safe(FILE *out, const char *s);

/* Scan `len` bytes of JSON text (not NUL-terminated) for what cJSON's
 * tree cannot show: \u0000, lone surrogates, bytes that are not UTF-8,
 * raw control characters in strings, numbers that a double does not
 * hold as written.  Errors at r->path extended by the path inside the
 * text. */
void scn_scan_text(struct scn_rd *r, const char *text, size_t len);

/* Every object in the tree under j (at r->path): a key twice is an
 * error at its second place. */
void scn_check_duplicates(struct scn_rd *r, const cJSON *j);

/* A comment (any JSON value): each string in it, keys included, must be
 * free text (scn_text_check). */
void scn_check_comment(struct scn_rd *r, const cJSON *j);

/* scn_validate.c: after every element is read.  Unique names, IDs and
 * addresses, and (when the topology allows computing them) the
 * automatic routes; then the ports the applications bind. */
void scn_cross_check(struct scn_rd *r);
void scn_check_ports(struct scn_rd *r);
/* The netmask of a prefix length; the adapter of h whose subnet holds
 * gateway gw (as ip_host_add_route picks it: the first), or -1; h's
 * subnets as text for messages ("10.0.0.0/24, 10.0.1.0/24"). */
uint32_t scn_mask_of(uint8_t plen);
int scn_iface_for(const struct scn_host *h, uint32_t gw);
const char *scn_subnets(const struct scn_host *h, char *buf, size_t len);

/* scn_set.c */

/* Apply one "KEY=VALUE" override to the tree (scn.h, scn_load). */
void scn_apply_set(struct scn_rd *r, cJSON *root, const char *set);

#endif
