/*
 * test_rogue.c - a hostile device (bus/bus_rogue.h) beside real adapters.
 *
 * One SCSI-2 bus: hosts a (AHA-1522, ID 7), b (PCI bus-master, ID 6) and
 * c (AHA-1522, ID 5) exchange pings and UDP flows, and send to 10.0.0.3,
 * which their address tables give to the rogue at ID 3, so that they
 * select it too.  Each script below is one kind of hostility.  Whatever
 * the rogue does, the run must end: the simulation never crashes, hangs
 * or busy-loops (the events it takes are bounded), every datagram of the
 * real hosts has ended, delivered or dropped with a reason, once the
 * drivers' and the mid-layer's time-outs and resets have run (the ledger
 * balanced, nothing in flight), and the protocol checker names what the
 * rogue did wrong where a rule of it applies.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_check.h"
#include "bus_rogue.h"
#include "ip_apps.h"
#include "ip_host.h"
#include "ip_world.h"
#include "sim_rng.h"
#include "suites.h"

#define R(op) BUS_ROGUE_OP_##op
/* Script durations (bus_rogue_duration): 10 ns x (1 + low 5 bits) x
 * 8^(high 3 bits). */
#define D_1US 0x3f    /* 32 x 10 ns x 8 = 2.56 us */
#define D_50US 0x54   /* 21 x 10 ns x 64 = 13.4 us */
#define D_1MS 0x6f    /* 16 x 10 ns x 512 = 81.9 us */
#define D_10MS 0x8f   /* 16 x 10 ns x 4096 = 655 us */
#define D_100MS 0xb3  /* 20 x 10 ns x 262144 = 52 ms */
#define D_MAX 0xff    /* 671 ms */

/* How long the world runs after the traffic: enough for the mid-layer
 * to give up (AD_TIMEOUTS_OFFLINE command time-outs of AD_CMD_TIMEOUT,
 * 10 s) on a bus the rogue jams for good; and for a queue of 50
 * datagrams to drain one by one through a bus where every try is cut
 * short (a line the rogue holds for good can make each connection stall
 * for HA_STALL_TIMEOUT, and each datagram gets six tries: up to 3 s a
 * datagram). */
#define AFTER (200 * SIM_S)
/* No busy loop: once every datagram has ended, the world falls quiet.
 * In the QUIET seconds after AFTER at most QUIET_EVENTS events may run
 * (timers of address caches and the like); a driver polling without end
 * would run hundreds of thousands a second.  The storms before that are
 * honest and bounded: a rogue that jams DB with ID bits makes every
 * arbitration lost (about 2 million events a simulated second) until the
 * mid-layer gives up 10 s later; a station whose initiator stalls polls
 * its FIFO for the 250 ms of HA_STALL_TIMEOUT at each try.  MAX_EVENTS
 * only bounds the test's own time. */
#define QUIET (20 * SIM_S)
#define QUIET_EVENTS 1000ull
#define MAX_EVENTS 400000000ull

struct rogue_world {
	struct world *w;
	struct bus_rogue *rogue;
	struct ip_host *a, *b, *c;
	struct ip_ping *p_ab, *p_ar;
	struct ip_udp_sink *sink_a;
	struct ip_udp_flow *f_ca;
};

static void static_arp(struct ip_host *h, const char *ip, uint8_t id)
{
	ck_assert_int_eq(ip_host_add_arp(h, 0, addr(ip), id), SN_OK);
}

static struct rogue_world *build(const uint8_t *script, size_t len,
				 uint32_t loops)
{
	struct rogue_world *rw = calloc(1, sizeof *rw);
	ck_assert_ptr_nonnull(rw);
	struct world *w = rw->w = world_new();
	int bus = add_bus(w, BUS_NARROW, BUS_SPEED_SCSI2);
	rw->a = add_host(w, "a", 0, 0);
	rw->b = add_host(w, "b", 0, 0);
	rw->c = add_host(w, "c", 0, 0);
	add_if(w, rw->a, bus, "aha1522", 7, "10.0.0.7", 24, 65535, 4);
	add_if(w, rw->b, bus, "pci-fw", 6, "10.0.0.6", 24, 65535, 4);
	add_if(w, rw->c, bus, "aha1522", 5, "10.0.0.5", 24, 65535, 4);
	struct ip_host *hs[3] = { rw->a, rw->b, rw->c };
	static const char *const ips[3] = { "10.0.0.7", "10.0.0.6",
					    "10.0.0.5" };
	static const uint8_t ids[3] = { 7, 6, 5 };
	for (int i = 0; i < 3; i++) {
		for (int k = 0; k < 3; k++)
			if (k != i)
				static_arp(hs[i], ips[k], ids[k]);
		static_arp(hs[i], "10.0.0.3", 3);
	}
	struct bus_rogue_config rc = { .id = 3, .pos_mm = 1500,
				       .script = script, .len = len,
				       .max_loops = loops,
				       .start = 100 * SIM_MS };
	ck_assert_int_eq(bus_rogue_create(w->bus[bus], "rogue", &rc,
					  &rw->rogue),
			 SN_OK);
	struct ip_ping_config pc = { .dst = addr("10.0.0.6"), .count = 10,
				     .interval = 100 * SIM_MS, .size = 56,
				     .id = 1, .start = 50 * SIM_MS };
	ck_assert_int_eq(ip_ping_create(rw->a, &pc, &rw->p_ab), SN_OK);
	pc.dst = addr("10.0.0.3");
	pc.id = 2;
	ck_assert_int_eq(ip_ping_create(rw->a, &pc, &rw->p_ar), SN_OK);
	ck_assert_int_eq(ip_udp_sink_create(rw->a, 9000, &rw->sink_a), SN_OK);
	struct ip_udp_flow_config fc = { .dst = addr("10.0.0.7"),
					 .dport = 9000, .sink = rw->sink_a,
					 .size = 1000, .rate = 50, .count = 50,
					 .start = 60 * SIM_MS };
	ck_assert_int_eq(ip_udp_flow_create(rw->c, &fc, &rw->f_ca), SN_OK);
	return rw;
}

/* With SCSINET_TEST_VERBOSE=1, the events a run took, by name: where a
 * busy loop spends them. */
struct ev_hist {
	const char *name[64];
	uint64_t n[64];
	int used;
	sim_time_t last;
	const char *lastname;
};

static void ev_count(const struct sim_trace_record *rec, void *arg)
{
	struct ev_hist *h = arg;
	const char *nm = rec->data;
	h->last = rec->time;
	h->lastname = nm;
	for (int i = 0; i < h->used; i++)
		if (h->name[i] == nm || strcmp(h->name[i], nm) == 0) {
			h->n[i]++;
			return;
		}
	if (h->used < 64) {
		h->name[h->used] = nm; /* event names are static strings */
		h->n[h->used++] = 1;
	}
}

/* Run the traffic and the aftermath; the checks every script passes. */
static void run_and_check(struct rogue_world *rw, const char *what)
{
	struct world *w = rw->w;
	int verbose = getenv("SCSINET_TEST_VERBOSE") != NULL;
	struct ev_hist hist = { .used = 0 };
	struct sim_trace_sub sub;
	if (verbose)
		sim_trace_subscribe(&w->sim, &sub, SIM_TR_MASK(SIM_TR_EVENT),
				    ev_count, &hist);
	sim_run_until(&w->sim, 2 * SIM_S + AFTER);
	uint64_t events = sim_events_run(&w->sim);
	sim_run_until(&w->sim, 2 * SIM_S + AFTER + QUIET);
	uint64_t late = sim_events_run(&w->sim) - events;
	if (verbose) {
		sim_trace_unsubscribe(&w->sim, &sub);
		fprintf(stderr, "%s: %llu events, %llu rogue operations\n",
			what, (unsigned long long)events,
			(unsigned long long)bus_rogue_stats(rw->rogue)->ops);
		fprintf(stderr, "  last event %s at %.9f s\n", hist.lastname, (double)hist.last / 1e12);
		struct bus *bus = w->bus[0];
		for (uint32_t i = 0; i < bus->nports; i++) {
			struct bus_sig d = bus_drive_of(bus->port[i],
							sim_now(&w->sim));
			fprintf(stderr, "  port %u (%s): ctl %03x db %04x\n", i,
				bus->port[i]->name, d.ctl, d.db);
		}
		for (int i = 0; i < hist.used; i++)
			if (hist.n[i] * 100 > events)
				fprintf(stderr, "  %-24s %llu\n", hist.name[i],
					(unsigned long long)hist.n[i]);
	}
	ck_assert_msg(late <= QUIET_EVENTS && events < MAX_EVENTS,
		      "%s: %llu events, %llu of them after all had ended: a "
		      "busy loop", what, (unsigned long long)events,
		      (unsigned long long)late);
	ck_assert_msg(ip_net_check(w->net) == 0, "%s: ledger unbalanced",
		      what);
	ck_assert_msg(ip_net_in_flight(w->net) == 0,
		      "%s: %llu datagrams still in flight after %llu s",
		      what, (unsigned long long)ip_net_in_flight(w->net),
		      (unsigned long long)(AFTER / SIM_S));
	ck_assert(bus_rogue_stats(rw->rogue)->done);
}

static uint64_t findings(struct rogue_world *rw, enum bus_check_rule rule)
{
	return bus_check_rule_count(rw->w->chk[0], rule);
}

static void destroy(struct rogue_world *rw)
{
	ip_ping_destroy(rw->p_ab);
	ip_ping_destroy(rw->p_ar);
	ip_udp_flow_destroy(rw->f_ca);
	ip_udp_sink_destroy(rw->sink_a);
	bus_rogue_destroy(rw->rogue);
	rw->w->expect_findings = 1;
	world_free(rw->w);
	free(rw);
}

/* Each hostile script, with the checker rule it must trip (or -1 where
 * no bus rule of the checker applies: the misbehaviour is one only the
 * devices see). */
struct hostile {
	const char *name;
	const uint8_t *script;
	size_t len;
	uint32_t loops;
	int rule;
};

/* Asserts BSY and never lets go. */
static const uint8_t s_hold_bsy[] = { R(SET), 0, BUS_BSY, R(HOLD) };
/* Answers a selection, then shows DATA IN where DATA OUT was due: one
 * byte, then STATUS GOOD and COMMAND COMPLETE as if all went well. */
static const uint8_t s_wrong_phase[] = {
	R(WAIT_SELECTED), D_MAX, R(ANSWER), R(WAIT), D_1US,
	R(PHASE), BUS_PH_DATA_IN, R(REQ_IN), 0x55, D_10MS,
	R(PHASE), BUS_PH_STATUS, R(REQ_IN), 0x00, D_10MS,
	R(PHASE), BUS_PH_MSG_IN, R(REQ_IN), 0x00, D_10MS,
	R(RELEASE_ALL), R(LOOP),
};
/* Answers a selection, asks for MESSAGE OUT and then stops: REQ held. */
static const uint8_t s_hold_req[] = {
	R(WAIT_SELECTED), D_MAX, R(ANSWER), R(WAIT), D_1US,
	R(PHASE), BUS_PH_MSG_OUT, R(SET), 0, BUS_REQ, R(HOLD),
};
/* As an initiator: selects the AHA-1522 station at ID 7 with ATN,
 * answers three REQs (IDENTIFY, a SEND MESSAGE opcode, one more CDB
 * byte), then stops ACKing: the station's REQ waits for good. */
static const uint8_t s_stop_acking[] = {
	R(WAIT), D_10MS, R(SELECT), 7, 1, D_100MS, R(ACK_REQS), 1, 0x80, D_10MS,
	R(ACK_REQS), 2, 0x2a, D_10MS, R(WAIT), D_MAX, R(WAIT), D_MAX, R(LOOP),
};
/* The same at the PCI host (ID 6). */
static const uint8_t s_stop_acking_pci[] = {
	R(WAIT), D_10MS, R(SELECT), 6, 1, D_100MS, R(ACK_REQS), 1, 0x80, D_10MS,
	R(ACK_REQS), 2, 0x2a, D_10MS, R(WAIT), D_MAX, R(WAIT), D_MAX, R(LOOP),
};
/* Garbage: selects the station and answers every REQ with 01h, an
 * extended message whose length never ends, then CDB garbage. */
static const uint8_t s_garbage[] = {
	R(WAIT), D_1MS, R(SELECT), 7, 1, D_100MS, R(ACK_REQS), 40, 0x01, D_10MS,
	R(WAIT), D_10MS, R(SELECT), 5, 0, D_100MS, R(ACK_REQS), 40, 0xff,
	D_10MS, R(LOOP),
};
/* RST pulses far shorter than the reset hold time, 50 us apart. */
static const uint8_t s_rst_flood[] = { R(RST), 0x09, R(WAIT), D_50US,
				       R(LOOP) };
/* Changes the phase in the middle of a byte: REQ in DATA OUT, then
 * STATUS while the initiator's ACK is up, with bad parity. */
static const uint8_t s_mid_byte[] = {
	R(WAIT_SELECTED), D_MAX, R(ANSWER), R(WAIT), D_1US,
	R(PHASE), BUS_PH_DATA_OUT, R(SET), 0, BUS_REQ,
	R(WAIT_EDGE), 0, BUS_ACK, D_1MS, R(PHASE), BUS_PH_STATUS,
	R(DATA_BADPAR), 0, 0x42, R(CLEAR), 0, BUS_REQ, R(WAIT), D_1MS,
	R(RELEASE_ALL), R(LOOP),
};
/* Drives SEL and ATN with everyone's ID on DB at random moments. */
static const uint8_t s_sel_storm[] = {
	R(WAIT), D_1MS, R(DATA), 0, 0xff, R(SET), 0, BUS_SEL | BUS_ATN,
	R(WAIT), D_50US, R(RELEASE_ALL), R(LOOP),
};

static const struct hostile hostiles[] = {
	{ "hold-bsy", s_hold_bsy, sizeof s_hold_bsy, 0, BUS_CHECK_BUS_HELD },
	{ "wrong-phase", s_wrong_phase, sizeof s_wrong_phase, 50, -1 },
	{ "hold-req", s_hold_req, sizeof s_hold_req, 0, BUS_CHECK_BUS_HELD },
	{ "stop-acking", s_stop_acking, sizeof s_stop_acking, 20, -1 },
	{ "stop-acking-pci", s_stop_acking_pci, sizeof s_stop_acking_pci, 20,
	  -1 },
	{ "garbage", s_garbage, sizeof s_garbage, 20, -1 },
	{ "rst-flood", s_rst_flood, sizeof s_rst_flood, 2000,
	  BUS_CHECK_RST_SHORT },
	{ "mid-byte", s_mid_byte, sizeof s_mid_byte, 50, -1 },
	{ "sel-storm", s_sel_storm, sizeof s_sel_storm, 200,
	  BUS_CHECK_SEL_TWO },
};

START_TEST(hostile_scripts)
{
	const struct hostile *h = &hostiles[_i];
	struct rogue_world *rw = build(h->script, h->len, h->loops);
	run_and_check(rw, h->name);
	if (h->rule >= 0)
		ck_assert_msg(findings(rw, (enum bus_check_rule)h->rule) > 0,
			      "%s: the checker did not report %s", h->name,
			      bus_check_rule_name(
				      (enum bus_check_rule)h->rule));
	destroy(rw);
}
END_TEST

/* Random scripts from a seeded RNG (the fuzz harness feeds the same
 * world a fuzzer's bytes): the same properties for each.  Opcodes are
 * drawn with compound operations and waits favoured, so that most
 * scripts get somewhere before they end. */
START_TEST(random_scripts)
{
	/* SCSINET_ROGUE_SCRIPTS=N runs N per loop (a longer campaign) */
	const char *env = getenv("SCSINET_ROGUE_SCRIPTS");
	int n = env != NULL ? atoi(env) : test_quick() ? 4 : 24;
	for (int k = 0; k < n; k++) {
		struct sim_rng rng;
		sim_rng_init(&rng, 1000 + (uint64_t)k + 1000000 * (uint64_t)_i,
			     "rogue-script");
		uint8_t script[256];
		size_t len = 32 + (size_t)sim_rng_below(&rng, sizeof script - 32);
		for (size_t i = 0; i < len; i++)
			script[i] = (uint8_t)sim_rng_u64(&rng);
		struct rogue_world *rw = build(script, len, 3);
		char what[32];
		snprintf(what, sizeof what, "random script %d/%d", _i, k);
		run_and_check(rw, what);
		destroy(rw);
	}
}
END_TEST

/* The same world with no rogue script at all: nothing to find. */
START_TEST(quiet_rogue_changes_nothing)
{
	struct rogue_world *rw = build(NULL, 0, 0);
	run_and_check(rw, "quiet");
	ck_assert_uint_eq(bus_check_total(rw->w->chk[0]), 0);
	const struct ip_ping_results *r = ip_ping_results(rw->p_ab);
	ck_assert_uint_eq(r->received, 10);
	ck_assert_uint_eq(ip_udp_flow_results(rw->f_ca)->received, 50);
	destroy(rw);
}
END_TEST

Suite *rogue_suite(void)
{
	Suite *s = suite_create("rogue");
	TCase *tc = tcase_create("hostile");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, hostile_scripts, 0,
			    (int)(sizeof hostiles / sizeof hostiles[0]));
	tcase_add_test(tc, quiet_rogue_changes_nothing);
	tcase_add_loop_test(tc, random_scripts, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}
