/* test_trace.c - the trace hub: masks, order, payloads, sources. */
#include <stdio.h>
#include <string.h>

#include "suites.h"

struct seen {
	int n;
	uint16_t kind[16];
	sim_time_t time[16];
	sim_trace_source_t source[16];
	char text[16][32];
	int order_tag;
	int *order;
	int *norder;
};

static void collect(const struct sim_trace_record *rec, void *arg)
{
	struct seen *s = arg;
	ck_assert_int_lt(s->n, 16);
	s->kind[s->n] = rec->kind;
	s->time[s->n] = rec->time;
	s->source[s->n] = rec->source;
	if (rec->data && rec->len) {
		size_t len = rec->len < 31 ? rec->len : 31;
		memcpy(s->text[s->n], rec->data, len);
		s->text[s->n][len] = '\0';
	}
	s->n++;
	if (s->order)
		s->order[(*s->norder)++] = s->order_tag;
}

START_TEST(no_subscriber_no_delivery)
{
	struct sim sim;
	ck_assert_int_eq(sim_init(&sim, 1), SN_OK);
	for (unsigned k = 0; k < SIM_TR_KIND_COUNT_; k++)
		ck_assert(!sim_trace_wants(&sim.trace, k));
	sim_trace_emit(&sim, 0, SIM_TR_LOG, 0, "x", 2); /* nobody: fine */
	sim_fini(&sim);
}
END_TEST

START_TEST(mask_selects_kinds)
{
	struct sim sim;
	struct sim_trace_sub a, b;
	struct seen sa = { 0 }, sb = { 0 };
	ck_assert_int_eq(sim_init(&sim, 1), SN_OK);
	sim_trace_subscribe(&sim, &a, SIM_TR_MASK(SIM_TR_LOG), collect, &sa);
	sim_trace_subscribe(&sim, &b,
			    SIM_TR_MASK(SIM_TR_BUS_LINES) |
			    SIM_TR_MASK(SIM_TR_IRQ), collect, &sb);
	ck_assert(sim_trace_wants(&sim.trace, SIM_TR_LOG));
	ck_assert(sim_trace_wants(&sim.trace, SIM_TR_IRQ));
	ck_assert(!sim_trace_wants(&sim.trace, SIM_TR_PACKET));
	sim_trace_emit(&sim, 3, SIM_TR_LOG, 0, "hello", 6);
	sim_trace_emit(&sim, 4, SIM_TR_IRQ, 1, NULL, 0);
	sim_trace_emit(&sim, 5, SIM_TR_PACKET, 0, NULL, 0);
	ck_assert_int_eq(sa.n, 1);
	ck_assert_str_eq(sa.text[0], "hello");
	ck_assert_uint_eq(sa.source[0], 3);
	ck_assert_int_eq(sb.n, 1);
	ck_assert_uint_eq(sb.kind[0], SIM_TR_IRQ);
	sim_trace_unsubscribe(&sim, &a);
	ck_assert(!sim_trace_wants(&sim.trace, SIM_TR_LOG));
	ck_assert(sim_trace_wants(&sim.trace, SIM_TR_IRQ));
	sim_trace_emit(&sim, 3, SIM_TR_LOG, 0, "again", 6);
	ck_assert_int_eq(sa.n, 1);
	sim_trace_unsubscribe(&sim, &b);
	ck_assert_uint_eq(sim.trace.mask, 0);
	sim_fini(&sim);
}
END_TEST

START_TEST(subscribers_called_in_order)
{
	struct sim sim;
	struct sim_trace_sub subs[3];
	struct seen seen[3];
	int order[8], norder = 0;
	ck_assert_int_eq(sim_init(&sim, 1), SN_OK);
	for (int i = 0; i < 3; i++) {
		memset(&seen[i], 0, sizeof seen[i]);
		seen[i].order_tag = i;
		seen[i].order = order;
		seen[i].norder = &norder;
		sim_trace_subscribe(&sim, &subs[i], SIM_TR_MASK_ALL, collect,
				    &seen[i]);
	}
	sim_trace_emit(&sim, 0, SIM_TR_BUS_PHASE, 0, NULL, 0);
	ck_assert_int_eq(norder, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(order[i], i);
	sim_trace_unsubscribe(&sim, &subs[1]); /* middle */
	sim_trace_emit(&sim, 0, SIM_TR_BUS_PHASE, 0, NULL, 0);
	ck_assert_int_eq(norder, 5);
	ck_assert_int_eq(order[3], 0);
	ck_assert_int_eq(order[4], 2);
	sim_fini(&sim);
}
END_TEST

/* Records carry the simulated time of emission; the engine itself emits
 * SIM_TR_EVENT with the event's name before running it. */
static sim_trace_source_t g_src;
static void emit_log(struct sim *sim, struct sim_event *e, void *arg)
{
	(void)e;
	(void)arg;
	sim_trace_emit(sim, g_src, SIM_TR_LOG, 0, "tick", 5);
}

START_TEST(records_carry_time_and_engine_events)
{
	struct sim sim;
	struct sim_trace_sub sub;
	struct seen s = { 0 };
	struct sim_event e;
	ck_assert_int_eq(sim_init(&sim, 1), SN_OK);
	ck_assert_int_eq(sim_trace_source_add(&sim, "bus0", &g_src), SN_OK);
	sim_trace_subscribe(&sim, &sub,
			    SIM_TR_MASK(SIM_TR_LOG) | SIM_TR_MASK(SIM_TR_EVENT),
			    collect, &s);
	sim_event_init(&e, emit_log, NULL, "settle");
	sim_schedule_at(&sim, &e, 2400 * SIM_NS);
	sim_run(&sim);
	ck_assert_int_eq(s.n, 2);
	ck_assert_uint_eq(s.kind[0], SIM_TR_EVENT);
	ck_assert_str_eq(s.text[0], "settle");
	ck_assert_uint_eq(s.kind[1], SIM_TR_LOG);
	ck_assert_uint_eq(s.time[1], 2400 * SIM_NS);
	ck_assert_str_eq(sim_trace_source_name(&sim, s.source[1]), "bus0");
	ck_assert_str_eq(sim_trace_source_name(&sim, s.source[0]), "sim");
	sim_fini(&sim);
}
END_TEST

START_TEST(source_names)
{
	struct sim sim;
	ck_assert_int_eq(sim_init(&sim, 1), SN_OK);
	uint32_t base = sim_trace_source_count(&sim);
	char name[16];
	for (int i = 0; i < 100; i++) { /* grows the table */
		sim_trace_source_t id;
		snprintf(name, sizeof name, "host%d", i);
		ck_assert_int_eq(sim_trace_source_add(&sim, name, &id), SN_OK);
		ck_assert_uint_eq(id, base + (uint32_t)i);
	}
	ck_assert_str_eq(sim_trace_source_name(&sim, base + 42), "host42");
	ck_assert_ptr_null(sim_trace_source_name(&sim, base + 100));
	sim_fini(&sim);
}
END_TEST

Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("hub");
	tcase_add_test(tc, no_subscriber_no_delivery);
	tcase_add_test(tc, mask_selects_kinds);
	tcase_add_test(tc, subscribers_called_in_order);
	tcase_add_test(tc, records_carry_time_and_engine_events);
	tcase_add_test(tc, source_names);
	suite_add_tcase(s, tc);
	return s;
}
