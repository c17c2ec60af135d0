/*
 * ip_frag.h - IPv4 fragmentation and reassembly: RFC 791 sections 2.3
 * ("Fragmentation") and 3.2 (the fragmentation and reassembly
 * procedures), the hole bookkeeping idea of RFC 815, and the host rules
 * of RFC 1122 section 3.3.2.
 *
 * A datagram larger than a link's MTU is cut into fragments that share
 * its identification; each carries its data's offset (in 8-byte units)
 * and a "more fragments" (MF) flag that is clear only on the last.  The
 * destination keeps fragments of each datagram, keyed by (source,
 * destination, protocol, identification), until it has every byte, or
 * gives up after a time-out.
 *
 * Every buffer here is an IPv4 datagram or fragment as bytes on the
 * wire, header first; fields are read and written through ip_wire.h.
 *
 * Ownership, in one sentence each: ip_fragment() only reads the datagram
 * and lends each fragment to `emit` for the call; ip_reasm_input() only
 * reads the fragment (it copies what it keeps), and a reassembled
 * datagram it returns belongs to the caller, who frees it with sim_free.
 */
#ifndef IP_FRAG_H
#define IP_FRAG_H

#include <stdint.h>

#include "sim.h"
#include "sn_error.h"

/* ---------------------------------------------------------------------
 * Fragmentation (RFC 791 section 3.2, "An Example Fragmentation
 * Procedure").
 *
 * `dg` is one IPv4 datagram of `len` bytes with a header of IHL*4 bytes;
 * it may itself be a fragment (a gateway forwarding onto a smaller MTU
 * fragments fragments).  If len <= mtu, emit is called once with the
 * datagram unchanged.  Otherwise emit is called once per fragment, in
 * order of offset, and every fragment:
 *   - carries a multiple of 8 data bytes, except the last;
 *   - has its offset (dg's own offset plus its position in dg's data),
 *     MF set except on the last, which keeps dg's own MF (so the last
 *     piece of a middle fragment still says "more");
 *   - has its total length and header checksum recomputed; TOS, ID, TTL,
 *     protocol and addresses as in dg;
 *   - the first carries all of dg's options; the others only those whose
 *     type has the copied flag (0x80), padded with zeros (End of Option
 *     List) to a multiple of 4 bytes.
 *
 * `scratch` is caller memory of at least `mtu` bytes.  `emit` receives a
 * pointer into scratch, valid during that call only: copy what you keep.
 * dg is never written.
 *
 * Returns SN_OK, or SN_EINVAL with nothing emitted when:
 *   - the header is unusable (IHL below 5, or past len) or the total
 *     length field is not len;
 *   - DF is set (the caller sends ICMP "fragmentation needed", RFC 792,
 *     with the MTU as RFC 1191 section 4 asks);
 *   - mtu < header length + 8 (no fragment could carry data);
 *   - the options are malformed (an option's length byte is missing,
 *     below 2, or runs past the header);
 *   - dg's offset plus its data would end past 65535 bytes.
 * Options and DF are only looked at when fragmenting is needed: a
 * datagram that fits is sent as it is.
 */
typedef void (*ip_frag_emit_fn)(const uint8_t *frag, uint32_t flen,
				void *arg);

enum sn_err ip_fragment(const uint8_t *dg, uint32_t len, uint32_t mtu,
			uint8_t *scratch, ip_frag_emit_fn emit, void *arg);

/* ---------------------------------------------------------------------
 * Reassembly (RFC 791 section 3.2, "An Example Reassembly Procedure";
 * RFC 1122 section 3.3.2).
 */

/* The reassembly time-out.  RFC 1122 3.3.2 requires a fixed value (not
 * one taken from the TTL, as RFC 791's procedure did) and recommends 60
 * to 120 seconds.  The default here is 30 s, what Linux (ipfrag_time)
 * and the BSDs (IPFRAGTTL) use, because a simulation is compared with
 * the hosts people run, and because a shorter wait holds the memory of a
 * datagram that lost a fragment for less time.  A scenario that wants
 * RFC 1122's recommendation sets timeout to 60 s or more. */
#define IP_REASM_TIMEOUT (30 * SIM_S)
#define IP_REASM_MAX_BYTES (256u * 1024u)
#define IP_REASM_MAX_DATAGRAMS 64u

struct ip_reasm_config {
	sim_time_t timeout;      /* 0 = IP_REASM_TIMEOUT */
	uint32_t max_bytes;      /* bytes held over all pending datagrams
				  * (see bytes_held below); 0 =
				  * IP_REASM_MAX_BYTES */
	uint32_t max_datagrams;  /* pending datagrams; 0 =
				  * IP_REASM_MAX_DATAGRAMS */
};

/* Called when a pending datagram times out, after it has been removed
 * (and counted), before its memory is freed.
 *   first, first_len: fragment zero as it was received (header and its
 *     data) if it arrived, else NULL and 0.  The caller sends ICMP time
 *     exceeded, code 1, only when fragment zero arrived (RFC 792; RFC
 *     1122 section 3.2.2.4), quoting from it.  Valid during the call.
 *   tag: the tag given with fragment zero if it arrived, else the tag of
 *     the first fragment that arrived.
 * The callback may call ip_reasm_input() on the same reassembler, but
 * must not destroy it. */
typedef void (*ip_reasm_timeout_fn)(const uint8_t *first, uint32_t first_len,
				    uint64_t tag, void *arg);

struct ip_reasm;

/* Create a reassembler whose memory and timers come from `sim`.  `cfg`
 * may be NULL (all defaults); `fn` may be NULL (time-outs are then only
 * counted); `arg` is passed to fn.  Returns SN_OK and *out, or
 * SN_ENOMEM. */
enum sn_err ip_reasm_create(struct sim *sim, const struct ip_reasm_config *cfg,
			    ip_reasm_timeout_fn fn, void *arg,
			    struct ip_reasm **out);

/* Free every pending datagram and cancel its timer, without calling the
 * time-out callback; then free the reassembler.  NULL is a no-op. */
void ip_reasm_destroy(struct ip_reasm *r);

enum ip_reasm_result {
	IP_REASM_PENDING,    /* kept; the datagram is not complete yet */
	IP_REASM_DONE,       /* this fragment completed the datagram: *out */
	IP_REASM_DUPLICATE,  /* every byte of it was already held; dropped */
	IP_REASM_NO_MEMORY,  /* a bound was reached; this fragment dropped */
	IP_REASM_BAD,        /* inconsistent; dropped with its datagram */
};

/*
 * Take one received fragment (MF set or offset non-zero), whose header
 * the caller has already checked (version, checksum, total length = len).
 * `tag` is simulation bookkeeping carried beside the bytes, never on the
 * wire: it names the original datagram a fragment belongs to, for the
 * simulator's delivered/dropped accounting.  pkt is only read, and
 * copied if kept.
 *
 * Overlaps: the first copy of each byte is kept and later copies of it
 * are ignored (RFC 791's procedure lets later data overwrite; keeping the
 * first means an attacker's overlapping fragment cannot rewrite a header
 * already received).  A fragment that brings at least one new byte, or
 * the first news of the end (the last fragment) or of fragment zero, is
 * accepted; one that brings nothing new is IP_REASM_DUPLICATE.
 *
 * IP_REASM_BAD, with the whole pending datagram of that key freed and
 * counted (a datagram that has received an inconsistent fragment cannot
 * be trusted):
 *   - the datagram would end past 65535 bytes (fragment zero's header
 *     length, or 20 while it is unknown, plus the highest data end);
 *   - a last fragment (MF clear) whose end differs from an earlier last
 *     fragment's, or lies before data already held;
 *   - data past the end a last fragment has set;
 *   - a fragment with MF set whose data is not a multiple of 8 bytes, or
 *     a fragment with no data (neither is ever produced by RFC 791's
 *     procedure);
 * and, with no pending datagram touched, a pkt that is not a fragment or
 * whose header is unusable (IHL below 5 or past len, total length not
 * len).
 *
 * IP_REASM_NO_MEMORY, pending datagrams kept: keeping the fragment would
 * make bytes_held exceed max_bytes, or it starts a new datagram while
 * max_datagrams are pending, or an allocation failed.  One exception:
 * when the fragment completes a datagram but the buffer for it cannot be
 * allocated, that datagram is dropped too (it could never complete).
 *
 * IP_REASM_DONE: *out is a new buffer from sim_alloc (the caller frees it
 * with sim_free) of *out_len bytes: fragment zero's header, options
 * included, with MF clear, offset 0, total length and checksum
 * recomputed, then all the data.  *out_tag is the tag given with
 * fragment zero.  For any other result *out, *out_len and *out_tag are
 * left unchanged.
 *
 * Timers: each pending datagram has one sim event, armed when its first
 * fragment arrives (not re-armed by later ones).  On expiry the datagram
 * is removed, counted in timeouts and the callback is called.
 */
enum ip_reasm_result ip_reasm_input(struct ip_reasm *r, const uint8_t *pkt,
				    uint32_t len, uint64_t tag, uint8_t **out,
				    uint32_t *out_len, uint64_t *out_tag);

struct ip_reasm_stats {
	uint64_t fragments;   /* calls to ip_reasm_input */
	uint64_t completed;   /* datagrams reassembled (IP_REASM_DONE) */
	uint64_t timeouts;    /* pending datagrams that timed out */
	uint64_t duplicates;  /* IP_REASM_DUPLICATE results */
	uint64_t bad;         /* IP_REASM_BAD results */
	uint64_t no_memory;   /* IP_REASM_NO_MEMORY results */
	uint32_t pending;     /* datagrams being reassembled now */
	/* Bytes held now: every data byte kept (each byte once), plus a
	 * whole copy of each fragment zero as received (kept for its header
	 * and for the time-out callback's ICMP quote). */
	uint32_t bytes_held;
};

const struct ip_reasm_stats *ip_reasm_stats(const struct ip_reasm *r);

/* Told the tag of a pending datagram that IP_REASM_BAD throws away (the
 * fragment that spoiled it may belong to another datagram: a forged or
 * colliding identification), with the timeout callback's `arg`; the
 * datagram is gone, whatever its own fragments were. */
typedef void (*ip_reasm_drop_fn)(uint64_t tag, void *arg);
void ip_reasm_on_drop(struct ip_reasm *r, ip_reasm_drop_fn fn);

#endif
