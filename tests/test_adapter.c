/*
 * test_adapter.c - the adapter layer over every profile: datagrams
 * delivered byte for byte both ways, absent targets, BUSY and retry,
 * CHECK CONDITION with REQUEST SENSE, bus reset recovery, profiles mixed
 * on one bus; every run under the protocol checker.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "bus_check.h"
#include "suites.h"

static const char *const prof_names[] = { "aha1522", "aic6360", "pci-fw" };

#define MAXAD 3
#define MAXRX 8
#define DGMAX 65535u

struct rxrec {
	int n;
	int from[MAXRX];
	uint8_t type[MAXRX];
	uint32_t len[MAXRX];
	uint8_t *data[MAXRX];
	int hold;                   /* keep the slots (no adapter_rx_done) */
};

struct net {
	struct sim sim;
	struct bus *bus;
	struct bus_check *chk;
	struct adapter *ad[MAXAD];
	struct rxrec rx[MAXAD];
	int nad;
	int ndone;
	struct sim_event ev;
	struct adapter *free_at_ev;
	struct bus_dev *resetter;
};

static void on_rx(struct adapter *ad, int from, uint8_t type,
		  const uint8_t *data, uint32_t len, void *arg)
{
	struct rxrec *r = arg;
	ck_assert_int_lt(r->n, MAXRX);
	r->from[r->n] = from;
	r->type[r->n] = type;
	r->len[r->n] = len;
	r->data[r->n] = malloc(len);
	memcpy(r->data[r->n], data, len);
	r->n++;
	if (!r->hold)
		adapter_rx_done(ad);
}

static void on_sent(struct adapter *ad, struct adapter_tx *tx, void *arg)
{
	(void)ad;
	(void)tx;
	((struct net *)arg)->ndone++;
}

static struct net *net_new(enum bus_width w, enum bus_speed sp)
{
	struct net *n = calloc(1, sizeof *n);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(sim_init(&n->sim, 7), SN_OK);
	struct bus_config bc = { .name = "scsi0", .width = w,
				 .electrical = BUS_SE, .speed = sp,
				 .length_mm = 1500 };
	ck_assert_int_eq(bus_create(&n->sim, &bc, &n->bus), SN_OK);
	ck_assert_int_eq(bus_check_attach(&n->chk, n->bus), SN_OK);
	return n;
}

/* The bus a profile is made for. */
static struct net *net_for(const char *profile)
{
	const struct adapter_profile *p = adapter_profile_find(profile);
	ck_assert_ptr_nonnull(p);
	return net_new(p->wide ? BUS_WIDE : BUS_NARROW, p->speed);
}

static struct adapter *net_add_cfg(struct net *n, const char *profile,
				   int id, uint32_t slots, int disconnect)
{
	struct adapter_config ac = { .profile = profile, .scsi_id = id,
				     .pos_mm = (uint32_t)(n->nad * 700),
				     .rx_slots = slots, .busy_retries = -1,
				     .error_retries = -1,
				     .target_disconnect = disconnect };
	struct adapter *ad = NULL;
	ck_assert_int_eq(adapter_create(n->bus, &ac, &ad), SN_OK);
	ck_assert_int_eq(adapter_set_receiver(ad, on_rx, &n->rx[n->nad]),
			 SN_OK);
	n->ad[n->nad++] = ad;
	return ad;
}

static struct adapter *net_add(struct net *n, const char *profile, int id,
			       uint32_t slots)
{
	return net_add_cfg(n, profile, id, slots, 0);
}

/* A station that disconnects for want of a buffer (ISA profiles). */
static struct adapter *net_add_disc(struct net *n, const char *profile,
				    int id, uint32_t slots)
{
	return net_add_cfg(n, profile, id, slots, 1);
}

/* Two datagrams from a to b, whose one slot the host holds: run until
 * b has parked the second command (DISCONNECT sent). */
static void send_two_until_parked(struct net *n, struct adapter *a,
				  struct adapter *b, struct adapter_tx *t1,
				  struct adapter_tx *t2)
{
	n->rx[1].hold = 1;
	ck_assert_int_eq(adapter_send(a, t1), SN_OK);
	ck_assert_int_eq(adapter_send(a, t2), SN_OK);
	while (adapter_stats(b)->rx_disconnects == 0 &&
	       sim_now(&n->sim) < 1 * SIM_S && sim_step(&n->sim))
		;
	ck_assert_uint_eq(adapter_stats(b)->rx_disconnects, 1);
}

static void net_free(struct net *n)
{
	bus_trace_flush(n->bus);
	ck_assert_uint_eq(bus_check_total(n->chk), 0);
	bus_check_detach(n->chk);
	sim_cancel(&n->sim, &n->ev);
	for (int i = 0; i < n->nad; i++) {
		adapter_destroy(n->ad[i]);
		for (int k = 0; k < n->rx[i].n; k++)
			free(n->rx[i].data[k]);
	}
	bus_dev_destroy(n->resetter);
	bus_destroy(n->bus);
	ck_assert_sim_clean(&n->sim);
	sim_fini(&n->sim);
	free(n);
}

static uint8_t *pattern(uint32_t len, unsigned seed)
{
	uint8_t *p = malloc(len);
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + seed * 7 + (i >> 8));
	return p;
}

static struct adapter_tx tx_to(struct net *n, int target, uint8_t type,
			       const uint8_t *data, uint32_t len)
{
	struct adapter_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.target = target;
	tx.type = type;
	tx.data = data;
	tx.len = len;
	tx.done = on_sent;
	tx.arg = n;
	return tx;
}

static void run_until_done(struct net *n, int want, sim_time_t limit)
{
	while (n->ndone < want && sim_now(&n->sim) < limit &&
	       sim_step(&n->sim))
		;
	ck_assert_int_eq(n->ndone, want);
	/* the receivers' hosts take their last datagrams a little later
	 * (a bus-master's completion interrupt) */
	sim_run_until(&n->sim, sim_now(&n->sim) + 1 * SIM_MS);
}

/* --- tests -------------------------------------------------------------- */

START_TEST(profiles_table)
{
	ck_assert_uint_eq(adapter_profile_count(), 3);
	for (size_t i = 0; i < 3; i++) {
		const struct adapter_profile *p = adapter_profile_at(i);
		ck_assert_ptr_eq(adapter_profile_find(p->name), p);
		ck_assert_ptr_nonnull(p->sources);
	}
	ck_assert_ptr_null(adapter_profile_at(3));
	ck_assert_ptr_null(adapter_profile_find("aha1542"));
	ck_assert_ptr_null(adapter_profile_find(NULL));
	ck_assert_uint_eq(adapter_profile_find("aha1522")->min_period,
			  200 * SIM_NS);
	ck_assert_uint_eq(adapter_profile_find("pci-fw")->wide, 1);
	ck_assert_str_eq(adapter_result_name(AD_BUSY), "busy");

	struct net *n = net_new(BUS_WIDE, BUS_SPEED_FAST);
	struct adapter *ad = NULL;
	struct adapter_config bad = { .profile = "nope", .scsi_id = 1 };
	ck_assert_int_eq(adapter_create(n->bus, &bad, &ad), SN_EINVAL);
	/* a narrow card on a wide bus can only take IDs 0-7 */
	struct adapter_config narrow = { .profile = "aha1522", .scsi_id = 9 };
	ck_assert_int_eq(adapter_create(n->bus, &narrow, &ad), SN_EINVAL);
	struct adapter_config wide = { .profile = "pci-fw", .scsi_id = 16 };
	ck_assert_int_eq(adapter_create(n->bus, &wide, &ad), SN_EINVAL);
	/* bad requests are refused before anything moves */
	struct adapter *a = net_add(n, "pci-fw", 9, 2);
	uint8_t b[4] = { 1, 2, 3, 4 };
	struct adapter_tx tx = tx_to(n, 9, 0, b, 4); /* itself */
	ck_assert_int_eq(adapter_send(a, &tx), SN_EINVAL);
	tx = tx_to(n, 3, 16, b, 4); /* type over 4 bits */
	ck_assert_int_eq(adapter_send(a, &tx), SN_EINVAL);
	tx = tx_to(n, 3, 0, b, 0); /* empty */
	ck_assert_int_eq(adapter_send(a, &tx), SN_EINVAL);
	tx = tx_to(n, 16, 0, b, 4);
	ck_assert_int_eq(adapter_send(a, &tx), SN_EINVAL);
	net_free(n);
}
END_TEST

/* Each profile: two hosts send to each other at the same time; every
 * byte arrives, with its sender's ID and protocol type. */
START_TEST(datagrams_both_ways)
{
	const char *prof = prof_names[_i];
	struct net *n = net_for(prof);
	struct adapter *a = net_add(n, prof, 7, 4);
	struct adapter *b = net_add(n, prof, 6, 4);
	uint8_t *da = pattern(5001, 1), *db = pattern(65535, 2);
	struct adapter_tx ta = tx_to(n, 6, 0x0, da, 5001);
	struct adapter_tx tb = tx_to(n, 7, 0x6, db, 65535);
	ck_assert_int_eq(adapter_send(a, &ta), SN_OK);
	ck_assert_int_eq(adapter_send(b, &tb), SN_OK);
	run_until_done(n, 2, 2 * SIM_S);
	ck_assert_int_eq(ta.result, AD_SENT);
	ck_assert_int_eq(tb.result, AD_SENT);
	ck_assert_int_eq(n->rx[1].n, 1);
	ck_assert_int_eq(n->rx[1].from[0], 7);
	ck_assert_uint_eq(n->rx[1].type[0], 0);
	ck_assert_uint_eq(n->rx[1].len[0], 5001);
	ck_assert_mem_eq(n->rx[1].data[0], da, 5001);
	ck_assert_int_eq(n->rx[0].n, 1);
	ck_assert_int_eq(n->rx[0].from[0], 6);
	ck_assert_uint_eq(n->rx[0].type[0], 6);
	ck_assert_uint_eq(n->rx[0].len[0], 65535);
	ck_assert_mem_eq(n->rx[0].data[0], db, 65535);
	const struct adapter_stats *s = adapter_stats(a);
	ck_assert_uint_eq(s->tx_datagrams, 1);
	ck_assert_uint_eq(s->tx_bytes, 5001);
	ck_assert_uint_eq(s->rx_bytes, 65535);
	ck_assert_uint_eq(s->results[AD_SENT], 1);
	/* the host side cost time, and some of it moved the data */
	ck_assert_uint_gt(s->host_data_time, 0);
	ck_assert_uint_gt(s->host_io_time, s->host_data_time - 1);
	ck_assert_uint_gt(s->cpu_time, 0);
	if (strcmp(prof, "pci-fw") == 0) {
		/* Fast-Wide agreed: 16 bits at 100 ns */
		struct bus_agreement ag = bus_dev_agreement(
			adapter_bus_dev(a), 6);
		ck_assert_int_eq(ag.wide, 1);
		ck_assert_uint_eq(ag.period, 100 * SIM_NS);
	}
	free(da);
	free(db);
	net_free(n);
}
END_TEST

/* Nobody at the ID: AD_NO_TARGET after the selection time-out (SCSI-2
 * recommends 250 ms; the AIC-6260's STIMESEL default is 256 ms). */
START_TEST(absent_target)
{
	const char *prof = prof_names[_i];
	struct net *n = net_for(prof);
	struct adapter *a = net_add(n, prof, 7, 4);
	uint8_t d[100] = { 0 };
	struct adapter_tx tx = tx_to(n, 2, 0, d, sizeof d);
	ck_assert_int_eq(adapter_send(a, &tx), SN_OK);
	run_until_done(n, 1, 2 * SIM_S);
	ck_assert_int_eq(tx.result, AD_NO_TARGET);
	ck_assert_uint_ge(tx.t_done - tx.t_submit, 250 * SIM_MS);
	ck_assert_uint_lt(tx.t_done - tx.t_submit, 300 * SIM_MS);
	ck_assert_uint_eq(tx.busy_retries + tx.error_retries, 0);
	ck_assert_uint_eq(adapter_stats(a)->results[AD_NO_TARGET], 1);
	net_free(n);
}
END_TEST

static void free_slot(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct net *n = arg;
	adapter_rx_done(n->free_at_ev);
}

/* One receive slot, held by the host: the second datagram is answered
 * BUSY; the sender tries again every 3 ms and gets through once the host
 * frees the slot at 8 ms. */
START_TEST(busy_then_retry)
{
	const char *prof = prof_names[_i];
	struct net *n = net_for(prof);
	struct adapter *a = net_add(n, prof, 7, 4);
	struct adapter *b = net_add(n, prof, 6, 1);
	n->rx[1].hold = 1;
	uint8_t *d1 = pattern(300, 3), *d2 = pattern(400, 4);
	struct adapter_tx t1 = tx_to(n, 6, 0, d1, 300);
	struct adapter_tx t2 = tx_to(n, 6, 0, d2, 400);
	ck_assert_int_eq(adapter_send(a, &t1), SN_OK);
	ck_assert_int_eq(adapter_send(a, &t2), SN_OK);
	n->free_at_ev = b;
	sim_event_init(&n->ev, free_slot, n, "test.free");
	ck_assert_int_eq(sim_schedule_at(&n->sim, &n->ev, 8 * SIM_MS),
			 SN_OK);
	run_until_done(n, 2, 2 * SIM_S);
	ck_assert_int_eq(t1.result, AD_SENT);
	ck_assert_int_eq(t2.result, AD_SENT);
	ck_assert_uint_eq(t1.busy_retries, 0);
	ck_assert_uint_ge(t2.busy_retries, 2);
	ck_assert_uint_le(t2.busy_retries, 3);
	ck_assert_uint_ge(t2.t_done, 8 * SIM_MS);
	ck_assert_int_eq(n->rx[1].n, 2);
	ck_assert_mem_eq(n->rx[1].data[1], d2, 400);
	ck_assert_uint_eq(adapter_stats(b)->rx_busy_sent, t2.busy_retries);
	ck_assert_uint_eq(adapter_stats(a)->busy_retries, t2.busy_retries);
	free(d1);
	free(d2);
	net_free(n);
}
END_TEST

/* Phase changes of the bus, for the timing between them. */
struct phlog {
	int n;
	sim_time_t t[4096];
	uint8_t ph[4096];
	uint16_t db[4096];
	sim_trace_source_t src;
};

static void on_phase(const struct sim_trace_record *rec, void *arg)
{
	struct phlog *l = arg;
	const struct bus_trace_lines *b = rec->data;
	if (rec->source != l->src || l->n == 4096 ||
	    (l->n && l->ph[l->n - 1] == b->phase))
		return;
	l->t[l->n] = rec->time;
	l->ph[l->n] = b->phase;
	l->db[l->n] = b->bus.db;
	l->n++;
}

/* One receive slot, held, at a station set to disconnect: the second
 * datagram's command is parked with DISCONNECT instead of BUSY; the host
 * frees the slot at once, and the station reselects the sender no
 * sooner than a disconnection delay after BUS FREE (SCSI-2 5.1.4: 200
 * us), sends IDENTIFY and takes the datagram.  Senders of each profile. */
START_TEST(disconnect_then_reselect)
{
	const char *prof = prof_names[_i];
	struct net *n = net_for(prof);
	struct adapter *a = net_add(n, prof, 5, 4);
	struct adapter *b = net_add_disc(n, "aha1522", 6, 1);
	struct phlog *log = calloc(1, sizeof *log);
	ck_assert_ptr_nonnull(log);
	log->src = n->bus->src;
	struct sim_trace_sub sub;
	sim_trace_subscribe(&n->sim, &sub, SIM_TR_MASK(SIM_TR_BUS_LINES),
			    on_phase, log);
	uint8_t *d1 = pattern(300, 3), *d2 = pattern(1400, 4);
	struct adapter_tx t1 = tx_to(n, 6, 0, d1, 300);
	struct adapter_tx t2 = tx_to(n, 6, 0, d2, 1400);
	send_two_until_parked(n, a, b, &t1, &t2);
	adapter_rx_done(b); /* the slot is free at once */
	run_until_done(n, 2, 2 * SIM_S);
	bus_trace_flush(n->bus);
	sim_trace_unsubscribe(&n->sim, &sub);
	ck_assert_int_eq(t1.result, AD_SENT);
	ck_assert_int_eq(t2.result, AD_SENT);
	ck_assert_uint_eq(t2.busy_retries, 0);
	ck_assert_int_eq(n->rx[1].n, 2);
	ck_assert_uint_eq(n->rx[1].len[1], 1400);
	ck_assert_mem_eq(n->rx[1].data[1], d2, 1400);
	ck_assert_uint_eq(adapter_stats(b)->rx_reselections, 1);
	ck_assert_uint_eq(adapter_stats(b)->rx_busy_sent, 0);
	/* the reselection: ID 6 arbitrates after the BUS FREE that
	 * followed DISCONNECT, then RESELECTION with both ID bits */
	int k = 0;
	while (k < log->n && log->ph[k] != BUS_PH_RESELECTION)
		k++;
	ck_assert_int_lt(k, log->n);
	/* the lines read SELECTION (SEL before I/O) on the way */
	int arb = k - 1;
	while (arb > 0 && log->ph[arb] != BUS_PH_ARBITRATION)
		arb--;
	ck_assert_int_ge(arb, 1);
	ck_assert_int_ge(arb, k - 2);
	ck_assert_int_eq(log->ph[arb - 1], BUS_PH_BUS_FREE);
	ck_assert_uint_eq(log->db[k], 1u << 6 | 1u << 5); /* both IDs */
	ck_assert_uint_ge(log->t[arb] - log->t[arb - 1],
			  BUS_DISCONNECTION_DELAY);
	/* and not much later: the host freed the slot long before */
	ck_assert_uint_lt(log->t[arb] - log->t[arb - 1],
			  BUS_DISCONNECTION_DELAY + 100 * SIM_US);
	/* then MESSAGE IN (IDENTIFY); the lines read DATA IN for the
	 * moment between SEL falling and MSG and C/D rising */
	ck_assert_int_lt(k + 2, log->n);
	ck_assert(log->ph[k + 1] == BUS_PH_MSG_IN ||
		  (log->ph[k + 1] == BUS_PH_DATA_IN &&
		   log->ph[k + 2] == BUS_PH_MSG_IN));
	free(log);
	free(d1);
	free(d2);
	net_free(n);
}
END_TEST

/* target_disconnect is the AIC-6x60 driver's: a bus-master refuses it. */
START_TEST(disconnect_only_isa)
{
	struct net *n = net_for("pci-fw");
	struct adapter_config ac = { .profile = "pci-fw", .scsi_id = 3,
				     .busy_retries = -1, .error_retries = -1,
				     .target_disconnect = 1 };
	struct adapter *ad = NULL;
	ck_assert_int_eq(adapter_create(n->bus, &ac, &ad), SN_EINVAL);
	net_free(n);
}
END_TEST

/* The slot is never freed: after 5 retries the datagram is given up as
 * AD_BUSY, counted, not lost silently. */
START_TEST(busy_gives_up)
{
	const char *prof = prof_names[_i];
	struct net *n = net_for(prof);
	struct adapter *a = net_add(n, prof, 7, 4);
	struct adapter *b = net_add(n, prof, 6, 1);
	n->rx[1].hold = 1;
	uint8_t d[64] = { 9 };
	struct adapter_tx t1 = tx_to(n, 6, 0, d, 64);
	struct adapter_tx t2 = tx_to(n, 6, 0, d, 64);
	ck_assert_int_eq(adapter_send(a, &t1), SN_OK);
	ck_assert_int_eq(adapter_send(a, &t2), SN_OK);
	run_until_done(n, 2, 2 * SIM_S);
	ck_assert_int_eq(t1.result, AD_SENT);
	ck_assert_int_eq(t2.result, AD_BUSY);
	ck_assert_uint_eq(t2.busy_retries, AD_BUSY_RETRIES);
	ck_assert_uint_ge(t2.t_done - t2.t_submit,
			  AD_BUSY_RETRIES * AD_BUSY_DELAY);
	ck_assert_uint_eq(t2.status, SCSI_STATUS_BUSY);
	ck_assert_uint_eq(adapter_stats(b)->rx_busy_sent, AD_BUSY_RETRIES + 1);
	ck_assert_uint_eq(adapter_stats(a)->results[AD_BUSY], 1);
	ck_assert_int_eq(n->rx[1].n, 1);
	net_free(n);
}
END_TEST

/* A SCSI device that is no station: CHECK CONDITION for SEND MESSAGE,
 * sense ILLEGAL REQUEST / 20h on REQUEST SENSE; or UNIT ATTENTION once
 * (as after its power-on) and then GOOD. */
struct plain {
	int unit_attention;         /* report UA once, then behave */
	int hang;                   /* never finish a SEND MESSAGE */
	uint8_t pending_key;
	uint8_t sense[18];
	uint8_t sink[4096];
	int sends, senses;
};

static void plain_cmd(struct bus_dev *dev, int initiator, uint8_t lun,
		      const uint8_t *cdb, uint8_t len,
		      struct bus_target_reply *r, void *arg)
{
	(void)dev;
	(void)initiator;
	(void)lun;
	(void)len;
	struct plain *p = arg;
	memset(r, 0, sizeof *r);
	if (cdb[0] == SCSI_OP_REQUEST_SENSE) {
		p->senses++;
		memset(p->sense, 0, sizeof p->sense);
		p->sense[0] = 0x70;
		p->sense[2] = p->pending_key;
		p->sense[7] = 10;
		p->sense[12] = p->pending_key == SCSI_SENSE_ILLEGAL_REQUEST
				       ? SCSI_ASC_INVALID_OPCODE
				       : 0x29; /* power on or reset */
		p->pending_key = 0;
		r->dir = BUS_DIR_IN;
		r->data = p->sense;
		r->data_len = cdb[4] < 18 ? cdb[4] : 18;
		r->status = SCSI_STATUS_GOOD;
		return;
	}
	p->sends++;
	if (p->hang) {
		r->busy_time = 3600 * SIM_S; /* disconnects, never returns */
		r->status = SCSI_STATUS_GOOD;
		return;
	}
	if (p->unit_attention) {
		p->unit_attention = 0;
		p->pending_key = SCSI_SENSE_UNIT_ATTENTION;
		r->status = SCSI_STATUS_CHECK_CONDITION;
		return;
	}
	if (p->pending_key == 0 && cdb[0] == SCSI_OP_SEND_MESSAGE10 &&
	    p->sends > 1) {
		r->dir = BUS_DIR_OUT;
		r->data = p->sink;
		r->data_len = (uint32_t)cdb[7] << 8 | cdb[8];
		r->status = SCSI_STATUS_GOOD;
		return;
	}
	p->pending_key = SCSI_SENSE_ILLEGAL_REQUEST;
	r->status = SCSI_STATUS_CHECK_CONDITION;
}

static const struct bus_dev_target_ops plain_ops = { .command = plain_cmd };

static void check_condition(const char *prof, int unit_attention)
{
	struct net *n = net_for(prof);
	struct adapter *a = net_add(n, prof, 7, 4);
	struct plain p = { .unit_attention = unit_attention };
	struct bus_dev_config dc = { .id = 2, .target = &plain_ops,
				     .target_arg = &p,
				     .latency = BUS_DEV_DEFAULT_LATENCY };
	struct bus_dev *disk = NULL;
	ck_assert_int_eq(bus_dev_create(n->bus, "disk", 1400, &dc, &disk),
			 SN_OK);
	uint8_t d[200] = { 1 };
	struct adapter_tx tx = tx_to(n, 2, 0, d, sizeof d);
	ck_assert_int_eq(adapter_send(a, &tx), SN_OK);
	run_until_done(n, 1, 2 * SIM_S);
	if (unit_attention) {
		/* UNIT ATTENTION is worth another try, which succeeds */
		ck_assert_int_eq(tx.result, AD_SENT);
		ck_assert_uint_eq(tx.error_retries, 1);
		ck_assert_int_eq(p.sends, 2);
		ck_assert_mem_eq(p.sink, d, sizeof d);
	} else {
		ck_assert_int_eq(tx.result, AD_REFUSED);
		ck_assert_uint_eq(tx.sense_key, SCSI_SENSE_ILLEGAL_REQUEST);
		ck_assert_uint_eq(tx.asc, SCSI_ASC_INVALID_OPCODE);
		ck_assert_uint_eq(tx.status, SCSI_STATUS_GOOD); /* the sense */
		ck_assert_int_eq(p.sends, 1);
	}
	ck_assert_int_eq(p.senses, 1);
	ck_assert_uint_eq(adapter_stats(a)->sense_requests, 1);
	n->resetter = disk; /* freed with the net */
	net_free(n);
}

START_TEST(check_condition_refused)
{
	check_condition(prof_names[_i], 0);
}
END_TEST

START_TEST(check_condition_unit_attention)
{
	check_condition(prof_names[_i], 1);
}
END_TEST

/* A target that disconnects and never comes back: the first try times
 * out, the adapter resets the bus and tries again; the second time-out
 * means the error handler failed (AD_TIMEOUTS_OFFLINE): the datagram,
 * and a second one queued behind it, end as bus errors, counted. */
START_TEST(hung_target_times_out)
{
	const char *prof = prof_names[_i];
	struct net *n = net_for(prof);
	struct adapter_config ac = { .profile = prof, .scsi_id = 7,
				     .rx_slots = 4, .busy_retries = -1,
				     .error_retries = -1,
				     .cmd_timeout = 20 * SIM_MS };
	struct adapter *a = NULL;
	ck_assert_int_eq(adapter_create(n->bus, &ac, &a), SN_OK);
	n->ad[n->nad++] = a;
	struct plain p = { .hang = 1 };
	struct bus_dev_config dc = { .id = 2, .target = &plain_ops,
				     .target_arg = &p,
				     .latency = BUS_DEV_DEFAULT_LATENCY };
	ck_assert_int_eq(bus_dev_create(n->bus, "hung", 1400, &dc,
					&n->resetter), SN_OK);
	uint8_t d[100] = { 3 };
	struct adapter_tx tx = tx_to(n, 2, 0, d, sizeof d);
	struct adapter_tx tx2 = tx_to(n, 2, 0, d, sizeof d);
	ck_assert_int_eq(adapter_send(a, &tx), SN_OK);
	ck_assert_int_eq(adapter_send(a, &tx2), SN_OK);
	run_until_done(n, 2, 2 * SIM_S);
	ck_assert_int_eq(tx.result, AD_BUS_ERROR);
	ck_assert_int_eq(tx2.result, AD_BUS_ERROR);
	ck_assert_uint_eq(tx.error_retries, AD_TIMEOUTS_OFFLINE - 1);
	ck_assert_int_eq(p.sends, AD_TIMEOUTS_OFFLINE);
	const struct adapter_stats *s = adapter_stats(a);
	ck_assert_uint_eq(s->timeouts, AD_TIMEOUTS_OFFLINE);
	ck_assert_uint_eq(s->offlined, 1);
	ck_assert_uint_eq(s->results[AD_BUS_ERROR], 2);
	ck_assert_uint_ge(tx.t_done - tx.t_submit,
			  AD_TIMEOUTS_OFFLINE * 20 * SIM_MS);
	ck_assert_uint_lt(tx.t_done - tx.t_submit,
			  AD_TIMEOUTS_OFFLINE * 25 * SIM_MS);
	ck_assert_uint_eq(tx2.t_done, tx.t_done); /* failed with it */
	ck_assert_uint_eq(bus_dev_stats(n->resetter)->resets_seen,
			  AD_TIMEOUTS_OFFLINE);
	net_free(n);
}
END_TEST

static void do_reset(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)ev;
	struct net *n = arg;
	bus_dev_reset_bus(n->resetter, 0);
}

/* A third device resets the bus in the middle of a 64 KiB datagram: the
 * receiver drops what it had, the sender sends it again, and it arrives
 * once, whole. */
START_TEST(reset_mid_datagram)
{
	const char *prof = prof_names[_i];
	struct net *n = net_for(prof);
	struct adapter *a = net_add(n, prof, 7, 4);
	struct adapter *b = net_add(n, prof, 6, 4);
	struct bus_dev_config dc = { .id = 0,
				     .latency = BUS_DEV_DEFAULT_LATENCY };
	ck_assert_int_eq(bus_dev_create(n->bus, "resetter", 1400, &dc,
					&n->resetter), SN_OK);
	uint8_t *d = pattern(65535, 5);
	struct adapter_tx tx = tx_to(n, 6, 0, d, 65535);
	ck_assert_int_eq(adapter_send(a, &tx), SN_OK);
	sim_event_init(&n->ev, do_reset, n, "test.reset");
	/* well inside the data phase: 64 KiB takes ~27 ms over ISA, ~3.3 ms
	 * Fast-Wide */
	sim_time_t at = strcmp(prof, "pci-fw") == 0 ? 1 * SIM_MS
						    : 10 * SIM_MS;
	ck_assert_int_eq(sim_schedule_at(&n->sim, &n->ev, at), SN_OK);
	run_until_done(n, 1, 2 * SIM_S);
	ck_assert_int_eq(tx.result, AD_SENT);
	ck_assert_uint_eq(tx.error_retries, 1);
	ck_assert_uint_gt(tx.t_done, at);
	ck_assert_uint_eq(adapter_stats(b)->rx_dropped, 1);
	ck_assert_int_eq(n->rx[1].n, 1);
	ck_assert_uint_eq(n->rx[1].len[0], 65535);
	ck_assert_mem_eq(n->rx[1].data[0], d, 65535);
	ck_assert_uint_eq(bus_dev_stats(n->resetter)->resets_seen, 1);
	free(d);
	net_free(n);
}
END_TEST

/* A bus reset while a datagram's command is parked at a station that
 * disconnected: the nexus is gone on both sides; the sender's mid-layer
 * sends the datagram again; it arrives once the slot is free, and
 * nothing is left waiting. */
START_TEST(reset_while_parked)
{
	struct net *n = net_for("aha1522");
	struct adapter *a = net_add(n, "aha1522", 5, 4);
	struct adapter *b = net_add_disc(n, "aha1522", 6, 1);
	struct bus_dev_config dc = { .id = 0,
				     .latency = BUS_DEV_DEFAULT_LATENCY };
	ck_assert_int_eq(bus_dev_create(n->bus, "resetter", 1400, &dc,
					&n->resetter), SN_OK);
	uint8_t *d1 = pattern(300, 3), *d2 = pattern(700, 4);
	struct adapter_tx t1 = tx_to(n, 6, 0, d1, 300);
	struct adapter_tx t2 = tx_to(n, 6, 0, d2, 700);
	send_two_until_parked(n, a, b, &t1, &t2);
	sim_event_init(&n->ev, do_reset, n, "test.reset");
	ck_assert_int_eq(sim_schedule_in(&n->sim, &n->ev, 1 * SIM_MS),
			 SN_OK);
	/* the host takes the first datagram later: 20 ms */
	sim_run_until(&n->sim, sim_now(&n->sim) + 20 * SIM_MS);
	adapter_rx_done(b);
	run_until_done(n, 2, 2 * SIM_S);
	ck_assert_int_eq(t1.result, AD_SENT);
	ck_assert_int_eq(t2.result, AD_SENT);
	ck_assert_uint_ge(t2.error_retries, 1); /* the reset ended it */
	ck_assert_int_eq(n->rx[1].n, 2);
	ck_assert_mem_eq(n->rx[1].data[1], d2, 700);
	ck_assert_uint_eq(bus_dev_stats(n->resetter)->resets_seen, 1);
	/* after the reset it was parked again and reselected */
	ck_assert_uint_ge(adapter_stats(b)->rx_disconnects, 2);
	ck_assert_uint_eq(adapter_stats(b)->rx_reselections, 1);
	free(d1);
	free(d2);
	net_free(n);
}
END_TEST

/* An AHA-1522 and a PCI bus-master on one narrow SCSI-2 bus talk both
 * ways; they agree on what the slower can do (200 ns, narrow); and the
 * same run twice gives the same times. */
static void mixed_run(sim_time_t out[4])
{
	struct net *n = net_new(BUS_NARROW, BUS_SPEED_SCSI2);
	struct adapter *isa = net_add(n, "aha1522", 7, 4);
	struct adapter *pci = net_add(n, "pci-fw", 5, 4);
	uint8_t *d1 = pattern(9000, 6), *d2 = pattern(1500, 7);
	struct adapter_tx t[4] = {
		tx_to(n, 5, 0, d1, 9000), tx_to(n, 5, 1, d2, 1500),
		tx_to(n, 7, 2, d2, 1500), tx_to(n, 7, 3, d1, 9000),
	};
	ck_assert_int_eq(adapter_send(isa, &t[0]), SN_OK);
	ck_assert_int_eq(adapter_send(isa, &t[1]), SN_OK);
	ck_assert_int_eq(adapter_send(pci, &t[2]), SN_OK);
	ck_assert_int_eq(adapter_send(pci, &t[3]), SN_OK);
	run_until_done(n, 4, 2 * SIM_S);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(t[i].result, AD_SENT);
		out[i] = t[i].t_done;
	}
	ck_assert_int_eq(n->rx[1].n, 2);
	ck_assert_mem_eq(n->rx[1].data[0], d1, 9000);
	ck_assert_mem_eq(n->rx[1].data[1], d2, 1500);
	ck_assert_uint_eq(n->rx[1].type[1], 1);
	ck_assert_int_eq(n->rx[0].n, 2);
	ck_assert_mem_eq(n->rx[0].data[0], d2, 1500);
	ck_assert_mem_eq(n->rx[0].data[1], d1, 9000);
	ck_assert_uint_eq(n->rx[0].type[1], 3);
	struct bus_agreement ag = bus_dev_agreement(adapter_bus_dev(pci), 7);
	ck_assert_uint_eq(ag.period, 200 * SIM_NS);
	ck_assert_uint_eq(ag.offset, 8);
	ck_assert_int_eq(ag.wide, 0);
	free(d1);
	free(d2);
	net_free(n);
}

START_TEST(mixed_profiles_one_bus)
{
	sim_time_t a[4], b[4];
	mixed_run(a);
	mixed_run(b);
	ck_assert_mem_eq(a, b, sizeof a);
}
END_TEST

Suite *adapter_suite(void)
{
	Suite *s = suite_create("adapter");
	TCase *tc = tcase_create("adapter");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, profiles_table);
	tcase_add_loop_test(tc, datagrams_both_ways, 0, 3);
	tcase_add_loop_test(tc, absent_target, 0, 3);
	tcase_add_loop_test(tc, busy_then_retry, 0, 3);
	tcase_add_loop_test(tc, disconnect_then_reselect, 0, 3);
	tcase_add_test(tc, disconnect_only_isa);
	tcase_add_test(tc, reset_while_parked);
	tcase_add_loop_test(tc, busy_gives_up, 0, 3);
	tcase_add_loop_test(tc, check_condition_refused, 0, 3);
	tcase_add_loop_test(tc, check_condition_unit_attention, 0, 3);
	tcase_add_loop_test(tc, reset_mid_datagram, 0, 3);
	tcase_add_loop_test(tc, hung_target_times_out, 0, 3);
	tcase_add_test(tc, mixed_profiles_one_bus);
	suite_add_tcase(s, tc);
	return s;
}
