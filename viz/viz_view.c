/*
 * viz_view.c - the live view's recorder and decoder (see viz_view.h): a
 * SIM_TR_BUS_LINES subscriber that keeps each bus's latest edges in a
 * ring and decodes the protocol from the lines alone, as an analyser on
 * the cable does (SCSI-2 5.1: arbitration by ID bits on DB, selection
 * with the two IDs and ATN; 5.6: messages; RFC 2143 section 3: the SEND
 * MESSAGE(10) CDB).  A byte is taken on the sender's strobe: ACK rising
 * in an OUT phase, REQ rising in an IN phase.  It also takes the protocol
 * checker's findings (SIM_TR_BUS_CHECK, when the scenario checks) and the
 * datagrams the hosts received (SIM_TR_PACKET).  No SDL here.
 */
#include "viz_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_check.h"
#include "ip_trace.h"
#include "scn.h"
#include "viz_decode.h"

struct xfer {
	sim_time_t t0, t1; /* a data phase began and ended */
	uint64_t bytes;    /* it carried */
	uint64_t total;    /* data bytes carried up to its end */
};

struct vbus {
	const struct bus *bus;
	sim_trace_source_t chk_src;
	int has_chk;
	struct xfer *xfer;             /* ring of VIZ_VIEW_XFERS */
	uint64_t nxfers, data_total;
	uint64_t ndgrams;              /* datagrams received over it */
	struct viz_view_edge *edge;    /* ring of VIZ_VIEW_EDGES */
	uint64_t nedges;
	struct viz_view_note *note;    /* ring of VIZ_VIEW_NOTES */
	uint64_t nnotes;
	uint64_t nphases, nconns;      /* phase changes, connections ended */
	struct viz_decoder dec;        /* the phase now, its bytes */
	int initiator, target;         /* of the connection, -1 unknown */
};

struct viz_view {
	struct scn_world *w;
	struct sim *sim;
	struct sim_trace_sub sub;
	int nbus;
	struct vbus *bus;
	struct viz_view_dgram *dgram;  /* ring of VIZ_VIEW_DGRAMS */
	uint64_t ndgrams;
	int nhosts;
	uint64_t *fwd;                 /* per host: datagrams to forward */
	sim_time_t *fwd_last;
};

static void note_add(struct vbus *b, sim_time_t t, sim_time_t t_end,
		     enum bus_phase ph, const char *text)
{
	struct viz_view_note *n = &b->note[b->nnotes % VIZ_VIEW_NOTES];
	n->t = t;
	n->t_end = t_end;
	n->phase = (uint8_t)ph;
	n->kind = VIZ_NOTE_DECODE;
	snprintf(n->text, sizeof n->text, "%s", text);
	b->nnotes++;
}

/* The phase b->dec.phase ends at t: annotate what it carried. */
static void phase_ended(struct vbus *b, sim_time_t t)
{
	const struct viz_decoder *d = &b->dec;
	char text[VIZ_VIEW_NOTE_LEN];
	uint32_t n = d->nbytes < VIZ_DECODE_BYTES ? d->nbytes
						  : VIZ_DECODE_BYTES;
	enum bus_phase p = d->phase;
	if (p > BUS_PH_MSG_IN || d->nbytes == 0)
		return;
	switch (p) {
	case BUS_PH_MSG_OUT:
	case BUS_PH_MSG_IN: {
		char m[VIZ_VIEW_NOTE_LEN - 8];
		viz_decode_messages(d->bytes, n, 1, m, sizeof m);
		snprintf(text, sizeof text, "%s %s",
			 p == BUS_PH_MSG_OUT ? "MSG OUT" : "MSG IN", m);
		break;
	}
	case BUS_PH_COMMAND:
		viz_decode_cdb(d->bytes, n, 1, text, sizeof text);
		break;
	case BUS_PH_STATUS:
		snprintf(text, sizeof text, "STATUS %02X %s", d->bytes[0],
			 viz_decode_status(d->bytes[0]));
		break;
	default: {
		char dur[SIM_TIME_FORMAT_MAX];
		b->data_total += d->nbytes;
		struct xfer *x = &b->xfer[b->nxfers++ % VIZ_VIEW_XFERS];
		x->t0 = d->phase_at;
		x->t1 = t;
		x->bytes = d->nbytes;
		x->total = b->data_total;
		sim_time_format(t - d->phase_at, dur, sizeof dur);
		snprintf(text, sizeof text, "%s %u B in %s",
			 p == BUS_PH_DATA_OUT ? "DATA OUT" : "DATA IN",
			 d->nbytes, dur);
		break;
	}
	}
	note_add(b, d->phase_at, t, p, text);
}

static void phase_changed(struct vbus *b, enum bus_phase p, sim_time_t t)
{
	const struct viz_decoder *d = &b->dec;
	char text[VIZ_VIEW_NOTE_LEN];
	enum bus_phase was = d->phase;
	phase_ended(b, t);
	if (was == BUS_PH_ARBITRATION &&
	    (p == BUS_PH_SELECTION || p == BUS_PH_RESELECTION)) {
		int w = viz_arb_winner(d->arb_ids);
		uint16_t lost = (uint16_t)(d->arb_ids & ~(1u << (w & 15)));
		if (w >= 0) {
			int len = snprintf(text, sizeof text, "ARB %d wins", w);
			for (int k = 15, first = 1; k >= 0; k--) {
				if (!(lost >> k & 1))
					continue;
				len += snprintf(text + len, sizeof text -
							    (size_t)len,
						"%s%d", first ? " over " : ",",
						k);
				first = 0;
			}
			note_add(b, d->phase_at, t, was, text);
		}
		b->initiator = p == BUS_PH_SELECTION ? w : -1;
		b->target = p == BUS_PH_RESELECTION ? w : -1;
	}
	if ((was == BUS_PH_SELECTION || was == BUS_PH_RESELECTION) &&
	    p != BUS_PH_SELECTION && p != BUS_PH_RESELECTION) {
		int ini, tgt;
		viz_decoder_pair(d, &ini, &tgt);
		if (p == BUS_PH_BUS_FREE)
			snprintf(text, sizeof text, "SELECT %d -> %d timed out",
				 ini, tgt);
		else if (was == BUS_PH_SELECTION)
			snprintf(text, sizeof text, "SELECT %d -> %d%s", ini,
				 tgt, d->sel_atn ? " ATN" : "");
		else
			snprintf(text, sizeof text, "RESELECT %d -> %d", tgt,
				 ini);
		note_add(b, d->phase_at, t, was, text);
		b->initiator = ini;
		b->target = tgt;
	}
	if (p == BUS_PH_RESET)
		note_add(b, t, t, p, "RESET");
	if (p == BUS_PH_BUS_FREE && was != BUS_PH_BUS_FREE) {
		b->initiator = b->target = -1;
		b->nconns++;
	}
	viz_decoder_enter(&b->dec, p, t);
	b->nphases++;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Is addr one of host h's own (an adapter's address, its subnet's
 * broadcast, or the limited broadcast)? */
static int for_host(const struct scn_host *h, uint32_t addr)
{
	if (addr == 0xffffffffu)
		return 1;
	for (int k = 0; k < h->nadapters; k++) {
		const struct scn_adapter *a = &h->adapters[k];
		uint32_t mask = a->plen ? 0xffffffffu << (32 - a->plen) : 0;
		if (addr == a->addr || addr == ((a->addr & mask) | ~mask))
			return 1;
	}
	return 0;
}

static void on_packet(struct viz_view *v, const struct sim_trace_record *rec)
{
	struct ip_trace_packet p;
	if (rec->len < sizeof p)
		return;
	memcpy(&p, rec->data, sizeof p);
	const uint8_t *d = (const uint8_t *)rec->data + sizeof p;
	if (p.len > rec->len - sizeof p || p.bus >= (uint32_t)v->nbus ||
	    p.host >= (uint32_t)v->nhosts)
		return;
	struct viz_view_dgram *g = &v->dgram[v->ndgrams % VIZ_VIEW_DGRAMS];
	memset(g, 0, sizeof *g);
	g->t = rec->time;
	g->bus = (int)p.bus;
	g->host = (int)p.host;
	g->src_id = p.src_id;
	g->dst_id = p.dst_id;
	g->ethertype = p.ethertype;
	g->len = p.len;
	if (p.ethertype == 0x0800 && p.len >= 20) {
		/* RFC 791 header: protocol at 9, addresses at 12 and 16 */
		g->proto = d[9];
		g->ip_src = be32(d + 12);
		g->ip_dst = be32(d + 16);
		const struct scn_host *h =
			&scn_world_scenario(v->w)->hosts[p.host];
		if (h->forwarding && !for_host(h, g->ip_dst)) {
			g->forwards = 1;
			v->fwd[p.host]++;
			v->fwd_last[p.host] = rec->time;
		}
	} else if (p.ethertype == 0x0806 && p.len >= 8) {
		/* RFC 826: hln at 4, op at 6, then sha spa tha tpa */
		uint32_t hl = d[4];
		g->proto = d[7];
		if (p.len >= 8 + 2 * hl + 8) {
			g->ip_src = be32(d + 8 + hl);
			g->ip_dst = be32(d + 8 + 2 * hl + 4);
		}
	}
	v->ndgrams++;
	v->bus[p.bus].ndgrams++;
}

static void on_check(struct viz_view *v, const struct sim_trace_record *rec)
{
	struct vbus *b = NULL;
	for (int i = 0; i < v->nbus; i++)
		if (v->bus[i].has_chk && v->bus[i].chk_src == rec->source) {
			b = &v->bus[i];
			break;
		}
	struct bus_check_violation cv;
	if (b == NULL || rec->len < sizeof cv)
		return;
	memcpy(&cv, rec->data, sizeof cv);
	cv.text[sizeof cv.text - 1] = '\0';
	char text[VIZ_VIEW_NOTE_LEN];
	snprintf(text, sizeof text, "CHECK %.150s", cv.text);
	note_add(b, rec->time, rec->time, (enum bus_phase)cv.phase, text);
	b->note[(b->nnotes - 1) % VIZ_VIEW_NOTES].kind = VIZ_NOTE_CHECK;
}

static void on_record(const struct sim_trace_record *rec, void *arg)
{
	struct viz_view *v = arg;
	if (rec->kind == SIM_TR_PACKET) {
		on_packet(v, rec);
		return;
	}
	if (rec->kind == SIM_TR_BUS_CHECK) {
		on_check(v, rec);
		return;
	}
	struct vbus *b = NULL;
	for (int i = 0; i < v->nbus; i++)
		if (v->bus[i].bus->src == rec->source) {
			b = &v->bus[i];
			break;
		}
	if (b == NULL || rec->len < sizeof(struct bus_trace_lines))
		return;
	struct bus_trace_lines l;
	memcpy(&l, rec->data, sizeof l);
	enum bus_phase p = (enum bus_phase)l.phase;
	uint16_t ctl = l.bus.ctl, db = l.bus.db, ch = l.changed;
	/* an edge at the same instant as the last replaces it */
	struct viz_view_edge *e;
	if (b->nedges && b->edge[(b->nedges - 1) % VIZ_VIEW_EDGES].t ==
				 rec->time)
		e = &b->edge[(b->nedges - 1) % VIZ_VIEW_EDGES];
	else
		e = &b->edge[b->nedges++ % VIZ_VIEW_EDGES];
	e->t = rec->time;
	e->ctl = ctl;
	e->db = db;
	e->phase = (uint8_t)p;
	if (p != b->dec.phase)
		phase_changed(b, p, rec->time);
	viz_decoder_take(&b->dec, p, ctl, db, ch);
}

enum sn_err viz_view_open(struct scn_world *w, struct viz_view **out)
{
	if (w == NULL || out == NULL)
		return SN_EINVAL;
	struct viz_view *v = calloc(1, sizeof *v);
	if (v == NULL)
		return SN_ENOMEM;
	v->w = w;
	v->sim = scn_world_sim(w);
	v->nbus = scn_world_bus_count(w);
	v->nhosts = scn_world_scenario(w)->nhosts;
	size_t nh = v->nhosts > 0 ? (size_t)v->nhosts : 1;
	v->bus = calloc(v->nbus > 0 ? (size_t)v->nbus : 1, sizeof *v->bus);
	v->dgram = calloc(VIZ_VIEW_DGRAMS, sizeof *v->dgram);
	v->fwd = calloc(nh, sizeof *v->fwd);
	v->fwd_last = calloc(nh, sizeof *v->fwd_last);
	if (v->bus == NULL || v->dgram == NULL || v->fwd == NULL ||
	    v->fwd_last == NULL) {
		v->nbus = 0;
		viz_view_close(v);
		return SN_ENOMEM;
	}
	for (int h = 0; h < v->nhosts; h++)
		v->fwd_last[h] = SIM_TIME_MAX;
	for (int i = 0; i < v->nbus; i++) {
		struct vbus *b = &v->bus[i];
		b->bus = scn_world_bus(w, i);
		b->edge = calloc(VIZ_VIEW_EDGES, sizeof *b->edge);
		b->note = calloc(VIZ_VIEW_NOTES, sizeof *b->note);
		b->xfer = calloc(VIZ_VIEW_XFERS, sizeof *b->xfer);
		viz_decoder_init(&b->dec);
		b->initiator = b->target = -1;
		const struct bus_check *c = scn_world_checker(w, i);
		if (c) {
			b->has_chk = 1;
			b->chk_src = bus_check_source(c);
		}
		if (b->edge == NULL || b->note == NULL || b->xfer == NULL) {
			v->nbus = i + 1;
			viz_view_close(v);
			return SN_ENOMEM;
		}
	}
	sim_trace_subscribe(v->sim, &v->sub,
			    SIM_TR_MASK(SIM_TR_BUS_LINES) |
				    SIM_TR_MASK(SIM_TR_BUS_CHECK) |
				    SIM_TR_MASK(SIM_TR_PACKET),
			    on_record, v);
	*out = v;
	return SN_OK;
}

void viz_view_close(struct viz_view *v)
{
	if (v == NULL)
		return;
	if (v->sub.fn)
		sim_trace_unsubscribe(v->sim, &v->sub);
	for (int i = 0; i < v->nbus; i++) {
		free(v->bus[i].edge);
		free(v->bus[i].note);
		free(v->bus[i].xfer);
	}
	free(v->bus);
	free(v->dgram);
	free(v->fwd);
	free(v->fwd_last);
	free(v);
}

static void flush_all(struct viz_view *v)
{
	for (int i = 0; i < v->nbus; i++)
		bus_trace_flush(scn_world_bus(v->w, i));
}

void viz_view_advance(struct viz_view *v, sim_time_t t)
{
	if (t > sim_now(v->sim))
		sim_run_until(v->sim, t);
	flush_all(v);
}

static uint64_t progress_of(const struct viz_view *v, int bus, int what)
{
	uint64_t sum = 0;
	for (int i = 0; i < v->nbus; i++) {
		if (bus >= 0 && i != bus)
			continue;
		const struct vbus *b = &v->bus[i];
		sum += what == VIZ_STEP_EDGE	    ? b->nedges
		       : what == VIZ_STEP_PHASE   ? b->nphases
		       : what == VIZ_STEP_COMMAND ? b->nconns
						  : b->ndgrams;
	}
	return sum;
}

int viz_view_step(struct viz_view *v, int bus, int what, sim_time_t limit)
{
	uint64_t before = progress_of(v, bus, what);
	flush_all(v);
	while (progress_of(v, bus, what) == before) {
		sim_time_t next = sim_next_time(v->sim);
		if (next == SIM_TIME_MAX || next > limit) {
			if (limit != SIM_TIME_MAX && limit > sim_now(v->sim))
				viz_view_advance(v, limit);
			return progress_of(v, bus, what) != before;
		}
		sim_step(v->sim);
		flush_all(v);
	}
	return 1;
}

int viz_view_bus_count(const struct viz_view *v)
{
	return v->nbus;
}

int viz_view_bus_find(const struct viz_view *v, const char *name)
{
	for (int i = 0; i < v->nbus; i++)
		if (strcmp(v->bus[i].bus->name, name) == 0)
			return i;
	return -1;
}

const char *viz_view_bus_name(const struct viz_view *v, int b)
{
	return b >= 0 && b < v->nbus ? v->bus[b].bus->name : "";
}

uint64_t viz_view_edge_count(const struct viz_view *v, int b)
{
	return v->bus[b].nedges;
}

const struct viz_view_edge *viz_view_edge(const struct viz_view *v, int b,
					  uint64_t seq)
{
	const struct vbus *vb = &v->bus[b];
	if (seq >= vb->nedges || vb->nedges - seq > VIZ_VIEW_EDGES)
		return NULL;
	return &vb->edge[seq % VIZ_VIEW_EDGES];
}

uint64_t viz_view_edge_at(const struct viz_view *v, int b, sim_time_t t)
{
	const struct vbus *vb = &v->bus[b];
	uint64_t lo = vb->nedges > VIZ_VIEW_EDGES ? vb->nedges - VIZ_VIEW_EDGES
						  : 0;
	uint64_t hi = vb->nedges; /* answer in [lo - 1, hi) */
	if (lo == hi || vb->edge[lo % VIZ_VIEW_EDGES].t > t)
		return UINT64_MAX;
	while (hi - lo > 1) { /* edge[lo].t <= t; edge[hi].t > t or end */
		uint64_t mid = lo + (hi - lo) / 2;
		if (vb->edge[mid % VIZ_VIEW_EDGES].t <= t)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

enum bus_phase viz_view_phase_at(const struct viz_view *v, int b,
				 sim_time_t t)
{
	uint64_t s = viz_view_edge_at(v, b, t);
	if (s != UINT64_MAX)
		return (enum bus_phase)v->bus[b].edge[s % VIZ_VIEW_EDGES].phase;
	/* before the first edge: the bus starts free, if the ring still
	 * holds the first edge ever */
	return v->bus[b].nedges <= VIZ_VIEW_EDGES ? BUS_PH_BUS_FREE
						   : BUS_PH_COUNT_;
}

uint64_t viz_view_note_count(const struct viz_view *v, int b)
{
	return v->bus[b].nnotes;
}

const struct viz_view_note *viz_view_note(const struct viz_view *v, int b,
					  uint64_t seq)
{
	const struct vbus *vb = &v->bus[b];
	if (seq >= vb->nnotes || vb->nnotes - seq > VIZ_VIEW_NOTES)
		return NULL;
	return &vb->note[seq % VIZ_VIEW_NOTES];
}

uint64_t viz_view_data_bytes(const struct viz_view *v, int b, sim_time_t t)
{
	const struct vbus *vb = &v->bus[b];
	uint64_t lo = vb->nxfers > VIZ_VIEW_XFERS ? vb->nxfers - VIZ_VIEW_XFERS
						  : 0;
	uint64_t hi = vb->nxfers;
	if (lo == hi || vb->xfer[lo % VIZ_VIEW_XFERS].t0 > t)
		return lo == 0 ? 0 : UINT64_MAX;
	while (hi - lo > 1) { /* xfer[lo].t0 <= t */
		uint64_t mid = lo + (hi - lo) / 2;
		if (vb->xfer[mid % VIZ_VIEW_XFERS].t0 <= t)
			lo = mid;
		else
			hi = mid;
	}
	const struct xfer *x = &vb->xfer[lo % VIZ_VIEW_XFERS];
	if (t >= x->t1)
		return x->total;
	/* inside the phase: its bytes spread evenly over it */
	uint64_t part = (uint64_t)((double)x->bytes * (double)(t - x->t0) /
				   (double)(x->t1 - x->t0));
	return x->total - x->bytes + part;
}

uint64_t viz_view_dgram_count(const struct viz_view *v)
{
	return v->ndgrams;
}

const struct viz_view_dgram *viz_view_dgram(const struct viz_view *v,
					    uint64_t seq)
{
	if (seq >= v->ndgrams || v->ndgrams - seq > VIZ_VIEW_DGRAMS)
		return NULL;
	return &v->dgram[seq % VIZ_VIEW_DGRAMS];
}

uint64_t viz_view_forwards(const struct viz_view *v, int h, sim_time_t *last)
{
	if (h < 0 || h >= v->nhosts) {
		if (last)
			*last = SIM_TIME_MAX;
		return 0;
	}
	if (last)
		*last = v->fwd_last[h];
	return v->fwd[h];
}

void viz_view_connection(const struct viz_view *v, int b, int *initiator,
			 int *target, enum bus_phase *phase)
{
	const struct vbus *vb = &v->bus[b];
	enum bus_phase ph = vb->dec.phase;
	int ini = vb->initiator, tgt = vb->target;
	if (ph == BUS_PH_SELECTION || ph == BUS_PH_RESELECTION)
		viz_decoder_pair(&vb->dec, &ini, &tgt); /* mid-selection */
	if (ph == BUS_PH_BUS_FREE || ph == BUS_PH_RESET)
		ini = tgt = -1;
	if (initiator)
		*initiator = ini;
	if (target)
		*target = tgt;
	if (phase)
		*phase = ph;
}

struct scn_world *viz_view_world(const struct viz_view *v)
{
	return v->w;
}
