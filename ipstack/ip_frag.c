/*
 * ip_frag.c - IPv4 fragmentation and reassembly (RFC 791 sections 2.3
 * and 3.2, RFC 815, RFC 1122 section 3.3.2).
 *
 * Reassembly keeps, per pending datagram, a list of "pieces": runs of
 * data bytes sorted by offset that never overlap.  A fragment adds only
 * the runs of its data that no piece holds yet, so the first copy of
 * every byte wins and each byte is stored once.  The gaps between pieces
 * are RFC 815's "holes"; the datagram is complete when fragment zero and
 * the last fragment have arrived and the pieces hold every byte up to
 * the end (no holes left).
 */
#include "ip_frag.h"

#include <string.h>

#include "ip_cksum.h"
#include "ip_wire.h"

/* IP options (RFC 791 section 3.1): End of Option List and No Operation
 * are single bytes; every other option is type, length, data.  Bit 0x80
 * of the type is the "copied" flag: copy into every fragment. */
#define IPOPT_EOL 0
#define IPOPT_NOP 1
#define IPOPT_COPIED 0x80
#define IP_MAX_OPTLEN 40       /* IHL 15 words minus the fixed 20 bytes */

static uint32_t header_len(const uint8_t *h)
{
	return (uint32_t)(h[IP_OFF_VHL] & 0x0f) * 4u;
}

/* Is the header usable at all: IHL within 20..len, total length = len? */
static int header_ok(const uint8_t *h, uint32_t len)
{
	if (len < IP_HDR_LEN)
		return 0;
	uint32_t hl = header_len(h);
	return hl >= IP_HDR_LEN && hl <= len && ip_get16(h + IP_OFF_LEN) == len;
}

/* Store a new checksum over a header of hl bytes. */
static void set_header_cksum(uint8_t *h, uint32_t hl)
{
	ip_put16(h + IP_OFF_CKSUM, 0);
	ip_put16(h + IP_OFF_CKSUM, ip_cksum(h, hl));
}

/* ------------------------------------------------------------------ */
/* Fragmentation                                                      */
/* ------------------------------------------------------------------ */

/* Walk the `n` option bytes at `opt`, copy those with the copied flag to
 * `out` and pad them with EOL to a multiple of 4 (a header is a whole
 * number of 32-bit words).  Everything after an EOL is padding.
 * Returns SN_EINVAL if an option's length is missing, below 2 (it counts
 * the type and length bytes themselves) or runs past the header. */
static enum sn_err copied_options(const uint8_t *opt, uint32_t n,
				  uint8_t out[IP_MAX_OPTLEN],
				  uint32_t *out_len)
{
	uint32_t i = 0, k = 0;
	while (i < n && opt[i] != IPOPT_EOL) {
		if (opt[i] == IPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n)
			return SN_EINVAL;
		uint32_t olen = opt[i + 1];
		if (olen < 2 || olen > n - i)
			return SN_EINVAL;
		if (opt[i] & IPOPT_COPIED) {
			memcpy(out + k, opt + i, olen);
			k += olen;
		}
		i += olen;
	}
	/* k <= n, and n is a multiple of 4, so padding stays within n. */
	while (k % 4 != 0)
		out[k++] = IPOPT_EOL;
	*out_len = k;
	return SN_OK;
}

/* Write one fragment's header at h: dg's fixed 20 bytes, the options
 * `opts` (hl - 20 bytes), and the fields that differ per fragment. */
static void put_fragment_header(uint8_t *h, const uint8_t *dg,
				const uint8_t *opts, uint32_t hl,
				uint32_t total, uint16_t frag_field)
{
	memcpy(h, dg, IP_HDR_LEN);
	memcpy(h + IP_HDR_LEN, opts, hl - IP_HDR_LEN);
	h[IP_OFF_VHL] = (uint8_t)((dg[IP_OFF_VHL] & 0xf0) | hl / 4);
	ip_put16(h + IP_OFF_LEN, (uint16_t)total);
	ip_put16(h + IP_OFF_FRAG, frag_field);
	set_header_cksum(h, hl);
}

enum sn_err ip_fragment(const uint8_t *dg, uint32_t len, uint32_t mtu,
			uint8_t *scratch, ip_frag_emit_fn emit, void *arg)
{
	if (!header_ok(dg, len))
		return SN_EINVAL;
	if (len <= mtu) {
		memcpy(scratch, dg, len);
		emit(scratch, len, arg);
		return SN_OK;
	}

	uint32_t hl = header_len(dg);
	uint16_t frag = ip_get16(dg + IP_OFF_FRAG);
	if ((frag & IP_FLAG_DF) || mtu < hl + 8)
		return SN_EINVAL;
	uint8_t later_opts[IP_MAX_OPTLEN];
	uint32_t later_optlen;
	if (copied_options(dg + IP_HDR_LEN, hl - IP_HDR_LEN, later_opts,
			   &later_optlen) != SN_OK)
		return SN_EINVAL;
	/* dg may be a fragment already: its pieces sit at its own offset. */
	uint32_t base = (uint32_t)(frag & IP_FRAG_MASK) * 8u;
	uint32_t dlen = len - hl;
	if (base + dlen > IP_MAX_LEN - IP_HDR_LEN)
		return SN_EINVAL;

	/* Flags other than MF (DF is clear here; the reserved bit) pass
	 * through unchanged. */
	uint16_t keep = frag & (uint16_t)~(IP_FLAG_MF | IP_FRAG_MASK);
	const uint8_t *data = dg + hl;
	uint32_t pos = 0;
	while (pos < dlen) {
		int first = pos == 0;
		uint32_t fhl = first ? hl : IP_HDR_LEN + later_optlen;
		const uint8_t *opts = first ? dg + IP_HDR_LEN : later_opts;
		uint32_t n = dlen - pos;
		int last = n <= mtu - fhl;
		if (!last)
			n = (mtu - fhl) & ~7u;  /* offsets count 8-byte units */
		/* The last piece says "more" only if dg itself did. */
		uint16_t mf = last ? (frag & IP_FLAG_MF) : IP_FLAG_MF;
		uint16_t field = (uint16_t)(keep | mf | (base + pos) / 8);
		put_fragment_header(scratch, dg, opts, fhl, fhl + n, field);
		memcpy(scratch + fhl, data + pos, n);
		emit(scratch, fhl + n, arg);
		pos += n;
	}
	return SN_OK;
}

/* ------------------------------------------------------------------ */
/* Reassembly                                                         */
/* ------------------------------------------------------------------ */

/* A run of data bytes [off, off + len) of a datagram being reassembled. */
struct piece {
	struct piece *next;
	uint32_t off, len;
	uint8_t data[];
};

/* One datagram being reassembled. */
struct pending {
	struct ip_reasm *r;
	struct pending *next;
	/* the key: RFC 791 section 2.3 */
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	struct sim_event timer;
	struct piece *pieces;   /* sorted by offset, never overlapping */
	uint32_t data_bytes;    /* bytes in pieces */
	uint32_t max_end;       /* highest data end seen */
	uint32_t end;           /* data length, once have_last */
	int have_last;
	uint8_t *first;         /* fragment zero as received, or NULL */
	uint32_t first_len, first_hl;
	uint64_t tag;           /* fragment zero's tag, else the first's */
};

struct ip_reasm {
	struct sim *sim;
	sim_time_t timeout;
	uint32_t max_bytes, max_datagrams;
	ip_reasm_timeout_fn fn;
	void *arg;
	ip_reasm_drop_fn drop_fn;  /* pending datagrams given up as bad */
	struct pending *list;
	struct ip_reasm_stats stats;
};

/* A received fragment, as read from its header. */
struct frag {
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	int mf;
	uint32_t hl;
	uint32_t off, end;      /* its data is [off, end) of the datagram */
	const uint8_t *data;
};

/* Read pkt's header into f.  Returns 0 if it is unusable or not a
 * fragment at all (MF clear and offset 0). */
static int parse_frag(const uint8_t *pkt, uint32_t len, struct frag *f)
{
	if (!header_ok(pkt, len))
		return 0;
	uint16_t field = ip_get16(pkt + IP_OFF_FRAG);
	f->mf = (field & IP_FLAG_MF) != 0;
	f->off = (uint32_t)(field & IP_FRAG_MASK) * 8u;
	if (!f->mf && f->off == 0)
		return 0;
	f->src = ip_get32(pkt + IP_OFF_SRC);
	f->dst = ip_get32(pkt + IP_OFF_DST);
	f->id = ip_get16(pkt + IP_OFF_ID);
	f->proto = pkt[IP_OFF_PROTO];
	f->hl = header_len(pkt);
	f->end = f->off + (len - f->hl);
	f->data = pkt + f->hl;
	return 1;
}

static struct pending *find_pending(const struct ip_reasm *r,
				    const struct frag *f)
{
	for (struct pending *p = r->list; p != NULL; p = p->next)
		if (p->src == f->src && p->dst == f->dst &&
		    p->proto == f->proto && p->id == f->id)
			return p;
	return NULL;
}

/* Is f wrong on its own, or against what p (possibly NULL) already
 * knows?  See IP_REASM_BAD in ip_frag.h for the rules. */
static int frag_is_bad(const struct pending *p, const struct frag *f)
{
	if (f->end == f->off)
		return 1;
	if (f->mf && (f->end - f->off) % 8 != 0)
		return 1;
	/* The header of the result is fragment zero's; until it is known,
	 * assume the smallest. */
	uint32_t hl0 = IP_HDR_LEN;
	if (p != NULL && p->first != NULL)
		hl0 = p->first_hl;
	else if (f->off == 0)
		hl0 = f->hl;
	uint32_t max_end = f->end;
	if (p != NULL && p->max_end > max_end)
		max_end = p->max_end;
	if (hl0 + max_end > IP_MAX_LEN)
		return 1;
	if (p == NULL)
		return 0;
	if (!f->mf)
		return (p->have_last && f->end != p->end) || p->max_end > f->end;
	return p->have_last && f->end > p->end;
}

/* The next run of [*cur, end) that no piece from *pp on covers: store it
 * in [*gs, *ge) and return 1, or return 0 when there is none.  *pp and
 * *cur advance, so repeated calls list every run in order.  This is the
 * hole walk of RFC 815, over pieces instead of hole descriptors. */
static int next_gap(const struct piece **pp, uint32_t *cur, uint32_t end,
		    uint32_t *gs, uint32_t *ge)
{
	const struct piece *q = *pp;
	while (*cur < end) {
		while (q != NULL && q->off + q->len <= *cur)
			q = q->next;
		if (q == NULL || q->off > *cur) {
			uint32_t stop = (q == NULL || q->off > end) ? end : q->off;
			*gs = *cur;
			*ge = stop;
			*cur = stop;
			*pp = q;
			return 1;
		}
		*cur = q->off + q->len;   /* q covers *cur: skip past it */
	}
	*pp = q;
	return 0;
}

/* How many of f's data bytes p does not hold yet. */
static uint32_t count_fresh(const struct pending *p, const struct frag *f)
{
	const struct piece *q = p != NULL ? p->pieces : NULL;
	uint32_t cur = f->off, gs, ge, n = 0;
	while (next_gap(&q, &cur, f->end, &gs, &ge))
		n += ge - gs;
	return n;
}

static void free_pieces(struct sim *sim, struct piece *q)
{
	while (q != NULL) {
		struct piece *next = q->next;
		sim_free(sim, q);
		q = next;
	}
}

/* Copy the runs of f's data that p does not hold into new pieces, as a
 * sorted list in *out.  All or nothing: returns SN_ENOMEM having freed
 * what it made. */
static enum sn_err fresh_pieces(struct sim *sim, const struct pending *p,
				const struct frag *f, struct piece **out)
{
	const struct piece *q = p != NULL ? p->pieces : NULL;
	uint32_t cur = f->off, gs, ge;
	struct piece *head = NULL, **tail = &head;
	while (next_gap(&q, &cur, f->end, &gs, &ge)) {
		struct piece *n = sim_alloc(sim, sizeof *n + (ge - gs));
		if (n == NULL) {
			free_pieces(sim, head);
			return SN_ENOMEM;
		}
		n->next = NULL;
		n->off = gs;
		n->len = ge - gs;
		memcpy(n->data, f->data + (gs - f->off), n->len);
		*tail = n;
		tail = &n->next;
	}
	*out = head;
	return SN_OK;
}

/* Merge the sorted list `add` into the sorted list *list.  No piece of
 * `add` overlaps one of *list, so offsets never tie. */
static void merge_pieces(struct piece **list, struct piece *add)
{
	struct piece **pp = list;
	while (add != NULL) {
		while (*pp != NULL && (*pp)->off < add->off)
			pp = &(*pp)->next;
		struct piece *next = add->next;
		add->next = *pp;
		*pp = add;
		pp = &add->next;
		add = next;
	}
}

/* Take p out of the reassembler (list, timer, counters); its memory is
 * still there, for the time-out callback. */
static void unlink_pending(struct ip_reasm *r, struct pending *p)
{
	struct pending **pp = &r->list;
	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
	sim_cancel(r->sim, &p->timer);
	r->stats.pending--;
	r->stats.bytes_held -= p->data_bytes + p->first_len;
}

static void free_pending(struct ip_reasm *r, struct pending *p)
{
	free_pieces(r->sim, p->pieces);
	sim_free(r->sim, p->first);
	sim_free(r->sim, p);
}

static void drop_pending(struct ip_reasm *r, struct pending *p)
{
	unlink_pending(r, p);
	free_pending(r, p);
}

static void on_timeout(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct pending *p = arg;
	struct ip_reasm *r = p->r;
	unlink_pending(r, p);
	r->stats.timeouts++;
	if (r->fn != NULL)
		r->fn(p->first, p->first_len, p->tag, r->arg);
	free_pending(r, p);
}

/* A new, empty pending datagram for f's key, its timer armed. */
static struct pending *new_pending(struct ip_reasm *r, const struct frag *f,
				   uint64_t tag)
{
	struct pending *p = sim_calloc(r->sim, 1, sizeof *p);
	if (p == NULL)
		return NULL;
	p->r = r;
	p->src = f->src;
	p->dst = f->dst;
	p->id = f->id;
	p->proto = f->proto;
	p->tag = tag;
	sim_event_init(&p->timer, on_timeout, p, "ip-reasm-timeout");
	if (sim_schedule_in(r->sim, &p->timer, r->timeout) != SN_OK) {
		sim_free(r->sim, p);
		return NULL;
	}
	p->next = r->list;
	r->list = p;
	r->stats.pending++;
	return p;
}

/* Build the whole datagram from p, complete: fragment zero's header,
 * made whole again, then the data.  NULL if out of memory. */
static uint8_t *assemble(struct sim *sim, const struct pending *p,
			 uint32_t *out_len)
{
	uint32_t hl = p->first_hl, total = hl + p->end;
	uint8_t *dg = sim_alloc(sim, total);
	if (dg == NULL)
		return NULL;
	memcpy(dg, p->first, hl);
	for (const struct piece *q = p->pieces; q != NULL; q = q->next)
		memcpy(dg + hl + q->off, q->data, q->len);
	uint16_t field = ip_get16(dg + IP_OFF_FRAG);
	ip_put16(dg + IP_OFF_FRAG,
		 field & (uint16_t)~(IP_FLAG_MF | IP_FRAG_MASK));
	ip_put16(dg + IP_OFF_LEN, (uint16_t)total);
	set_header_cksum(dg, hl);
	*out_len = total;
	return dg;
}

static enum ip_reasm_result bad(struct ip_reasm *r, struct pending *p)
{
	if (p != NULL) {
		/* its datagram ends here too, whatever fragment spoiled it */
		if (r->drop_fn != NULL)
			r->drop_fn(p->tag, r->arg);
		drop_pending(r, p);
	}
	r->stats.bad++;
	return IP_REASM_BAD;
}

static enum ip_reasm_result no_memory(struct ip_reasm *r)
{
	r->stats.no_memory++;
	return IP_REASM_NO_MEMORY;
}

enum sn_err ip_reasm_create(struct sim *sim, const struct ip_reasm_config *cfg,
			    ip_reasm_timeout_fn fn, void *arg,
			    struct ip_reasm **out)
{
	static const struct ip_reasm_config defaults = { 0, 0, 0 };
	if (cfg == NULL)
		cfg = &defaults;
	struct ip_reasm *r = sim_calloc(sim, 1, sizeof *r);
	if (r == NULL)
		return SN_ENOMEM;
	r->sim = sim;
	r->timeout = cfg->timeout ? cfg->timeout : IP_REASM_TIMEOUT;
	r->max_bytes = cfg->max_bytes ? cfg->max_bytes : IP_REASM_MAX_BYTES;
	r->max_datagrams = cfg->max_datagrams ? cfg->max_datagrams
					      : IP_REASM_MAX_DATAGRAMS;
	r->fn = fn;
	r->arg = arg;
	*out = r;
	return SN_OK;
}

void ip_reasm_destroy(struct ip_reasm *r)
{
	if (r == NULL)
		return;
	while (r->list != NULL)
		drop_pending(r, r->list);
	sim_free(r->sim, r);
}

const struct ip_reasm_stats *ip_reasm_stats(const struct ip_reasm *r)
{
	return &r->stats;
}

/* Keep f in p: its fresh pieces and, if it is fragment zero, its copy.
 * Cannot fail: everything was allocated beforehand. */
static void keep(struct ip_reasm *r, struct pending *p, const struct frag *f,
		 struct piece *add, uint32_t fresh, uint8_t *first,
		 uint32_t len, uint64_t tag)
{
	merge_pieces(&p->pieces, add);
	p->data_bytes += fresh;
	r->stats.bytes_held += fresh;
	if (f->end > p->max_end)
		p->max_end = f->end;
	if (!f->mf) {
		p->have_last = 1;
		p->end = f->end;
	}
	if (first != NULL) {
		p->first = first;
		p->first_len = len;
		p->first_hl = f->hl;
		p->tag = tag;
		r->stats.bytes_held += len;
	}
}

enum ip_reasm_result ip_reasm_input(struct ip_reasm *r, const uint8_t *pkt,
				    uint32_t len, uint64_t tag, uint8_t **out,
				    uint32_t *out_len, uint64_t *out_tag)
{
	r->stats.fragments++;
	struct frag f;
	if (!parse_frag(pkt, len, &f))
		return bad(r, NULL);
	struct pending *p = find_pending(r, &f);
	if (frag_is_bad(p, &f))
		return bad(r, p);

	int news_first = f.off == 0 && (p == NULL || p->first == NULL);
	int news_last = !f.mf && (p == NULL || !p->have_last);
	uint32_t fresh = count_fresh(p, &f);
	if (fresh == 0 && !news_first && !news_last) {
		r->stats.duplicates++;
		return IP_REASM_DUPLICATE;
	}

	/* Bounds first, so that a refused fragment costs no allocation.
	 * bytes_held never exceeds max_bytes, so the subtraction is safe. */
	uint32_t need = fresh + (news_first ? len : 0);
	if (need > r->max_bytes - r->stats.bytes_held)
		return no_memory(r);
	if (p == NULL && r->stats.pending >= r->max_datagrams)
		return no_memory(r);

	struct piece *add;
	if (fresh_pieces(r->sim, p, &f, &add) != SN_OK)
		return no_memory(r);
	uint8_t *first = NULL;
	if (news_first && (first = sim_alloc(r->sim, len)) == NULL) {
		free_pieces(r->sim, add);
		return no_memory(r);
	}
	if (p == NULL && (p = new_pending(r, &f, tag)) == NULL) {
		free_pieces(r->sim, add);
		sim_free(r->sim, first);
		return no_memory(r);
	}
	if (first != NULL)
		memcpy(first, pkt, len);
	keep(r, p, &f, add, fresh, first, len, tag);

	if (p->first == NULL || !p->have_last || p->data_bytes != p->end)
		return IP_REASM_PENDING;
	/* No holes: the pieces never overlap and none passes the end, so
	 * holding `end` bytes means holding every byte. */
	uint32_t dg_len;
	uint8_t *dg = assemble(r->sim, p, &dg_len);
	uint64_t dg_tag = p->tag;
	drop_pending(r, p);
	if (dg == NULL)
		return no_memory(r);
	r->stats.completed++;
	*out = dg;
	*out_len = dg_len;
	*out_tag = dg_tag;
	return IP_REASM_DONE;
}

void ip_reasm_on_drop(struct ip_reasm *r, ip_reasm_drop_fn fn)
{
	r->drop_fn = fn;
}
