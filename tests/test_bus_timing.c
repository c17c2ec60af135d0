/* test_bus_timing.c - SCSI bus timing tables, names, SDTR factors and
 * cable limits (bus/bus_timing.h) against the values of the spec. */
#include "suites.h"

#include "bus_timing.h"

START_TEST(scsi2_constants_exact)
{
	/* SCSI-2 X3.131-1994 bus timing values, in picoseconds. */
	ck_assert_uint_eq(BUS_ARBITRATION_DELAY, 2400000);
	ck_assert_uint_eq(BUS_ASSERTION_PERIOD, 90000);
	ck_assert_uint_eq(BUS_CLEAR_DELAY, 800000);
	ck_assert_uint_eq(BUS_FREE_DELAY, 800000);
	ck_assert_uint_eq(BUS_SET_DELAY, 1800000);
	ck_assert_uint_eq(BUS_SETTLE_DELAY, 400000);
	ck_assert_uint_eq(BUS_CABLE_SKEW_DELAY, 10000);
	ck_assert_uint_eq(BUS_DATA_RELEASE_DELAY, 400000);
	ck_assert_uint_eq(BUS_DESKEW_DELAY, 45000);
	ck_assert_uint_eq(BUS_DISCONNECTION_DELAY, 200000000);
	ck_assert_uint_eq(BUS_HOLD_TIME, 45000);
	ck_assert_uint_eq(BUS_NEGATION_PERIOD, 90000);
	ck_assert_uint_eq(BUS_POWER_ON_TO_SELECTION, 10000000000000);
	ck_assert_uint_eq(BUS_RESET_TO_SELECTION, 250000000000);
	ck_assert_uint_eq(BUS_RESET_HOLD_TIME, 25000000);
	ck_assert_uint_eq(BUS_SELECTION_ABORT_TIME, 200000000);
	ck_assert_uint_eq(BUS_SELECTION_TIMEOUT_DELAY, 250000000000);
}
END_TEST

START_TEST(fast_constants_exact)
{
	/* SCSI-2 Annex B Table B.2. */
	ck_assert_uint_eq(BUS_FAST_ASSERTION_PERIOD, 30000);
	ck_assert_uint_eq(BUS_FAST_CABLE_SKEW_DELAY, 5000);
	ck_assert_uint_eq(BUS_FAST_DESKEW_DELAY, 20000);
	ck_assert_uint_eq(BUS_FAST_HOLD_TIME, 10000);
	ck_assert_uint_eq(BUS_FAST_NEGATION_PERIOD, 30000);
	/* Fast-20 (SPI-era tables). */
	ck_assert_uint_eq(BUS_FAST20_ASSERTION_PERIOD, 15000);
	ck_assert_uint_eq(BUS_FAST20_NEGATION_PERIOD, 15000);
	ck_assert_uint_eq(BUS_FAST20_CABLE_SKEW_DELAY, 3000);
	ck_assert_uint_eq(BUS_FAST20_DESKEW_DELAY, 15000);
	ck_assert_uint_eq(BUS_FAST20_HOLD_TIME, 16500);
}
END_TEST

START_TEST(constants_match_their_text)
{
	/* The same values written as scenario files and traces write them. */
	static const struct {
		sim_time_t value;
		const char *text;
	} cases[] = {
		{ BUS_ARBITRATION_DELAY, "2.4us" },
		{ BUS_SETTLE_DELAY, "400ns" },
		{ BUS_SET_DELAY, "1.8us" },
		{ BUS_DESKEW_DELAY, "45ns" },
		{ BUS_SELECTION_TIMEOUT_DELAY, "250ms" },
		{ BUS_POWER_ON_TO_SELECTION, "10s" },
		{ BUS_FAST_DESKEW_DELAY, "20ns" },
		{ BUS_FAST20_HOLD_TIME, "16.5ns" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sim_time_t t = 0;
		ck_assert_int_eq(sim_time_parse(cases[i].text, &t), SN_OK);
		ck_assert_msg(t == cases[i].value, "%s: %llu ps",
			      cases[i].text,
			      (unsigned long long)cases[i].value);
	}
}
END_TEST

START_TEST(scsi2_table)
{
	const struct bus_timing *t = bus_timing_for(BUS_SPEED_SCSI2);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->speed, BUS_SPEED_SCSI2);
	ck_assert_uint_eq(t->sync.assertion_period, 90 * SIM_NS);
	ck_assert_uint_eq(t->sync.negation_period, 90 * SIM_NS);
	ck_assert_uint_eq(t->sync.cable_skew_delay, 10 * SIM_NS);
	ck_assert_uint_eq(t->sync.deskew_delay, 45 * SIM_NS);
	ck_assert_uint_eq(t->sync.hold_time, 45 * SIM_NS);
	ck_assert_uint_eq(t->sync.min_period, 200 * SIM_NS);
	ck_assert_uint_eq(t->arbitration_delay, 2400 * SIM_NS);
	ck_assert_uint_eq(t->bus_clear_delay, 800 * SIM_NS);
	ck_assert_uint_eq(t->bus_free_delay, 800 * SIM_NS);
	ck_assert_uint_eq(t->bus_set_delay, 1800 * SIM_NS);
	ck_assert_uint_eq(t->bus_settle_delay, 400 * SIM_NS);
	ck_assert_uint_eq(t->cable_skew_delay, 10 * SIM_NS);
	ck_assert_uint_eq(t->data_release_delay, 400 * SIM_NS);
	ck_assert_uint_eq(t->deskew_delay, 45 * SIM_NS);
	ck_assert_uint_eq(t->disconnection_delay, 200 * SIM_US);
	ck_assert_uint_eq(t->power_on_to_selection, 10 * SIM_S);
	ck_assert_uint_eq(t->reset_to_selection, 250 * SIM_MS);
	ck_assert_uint_eq(t->reset_hold_time, 25 * SIM_US);
	ck_assert_uint_eq(t->selection_abort_time, 200 * SIM_US);
	ck_assert_uint_eq(t->selection_timeout_delay, 250 * SIM_MS);
	/* BUS FREE to bus cleared: at most settle + clear = 1200 ns. */
	ck_assert_uint_eq(t->bus_settle_delay + t->bus_clear_delay,
			  1200 * SIM_NS);
}
END_TEST

/* Every rule outside the synchronous group is the same in both tables. */
static void assert_common_equal(const struct bus_timing *a,
				const struct bus_timing *b)
{
	ck_assert_uint_eq(a->arbitration_delay, b->arbitration_delay);
	ck_assert_uint_eq(a->bus_clear_delay, b->bus_clear_delay);
	ck_assert_uint_eq(a->bus_free_delay, b->bus_free_delay);
	ck_assert_uint_eq(a->bus_set_delay, b->bus_set_delay);
	ck_assert_uint_eq(a->bus_settle_delay, b->bus_settle_delay);
	ck_assert_uint_eq(a->cable_skew_delay, b->cable_skew_delay);
	ck_assert_uint_eq(a->data_release_delay, b->data_release_delay);
	ck_assert_uint_eq(a->deskew_delay, b->deskew_delay);
	ck_assert_uint_eq(a->disconnection_delay, b->disconnection_delay);
	ck_assert_uint_eq(a->power_on_to_selection, b->power_on_to_selection);
	ck_assert_uint_eq(a->reset_to_selection, b->reset_to_selection);
	ck_assert_uint_eq(a->reset_hold_time, b->reset_hold_time);
	ck_assert_uint_eq(a->selection_abort_time, b->selection_abort_time);
	ck_assert_uint_eq(a->selection_timeout_delay,
			  b->selection_timeout_delay);
}

START_TEST(fast_table_differs_where_spec_says)
{
	const struct bus_timing *s = bus_timing_for(BUS_SPEED_SCSI2);
	const struct bus_timing *f = bus_timing_for(BUS_SPEED_FAST);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_ne(s, f);
	ck_assert_int_eq(f->speed, BUS_SPEED_FAST);
	/* Table B.2 replaces exactly these five, plus the faster period. */
	ck_assert_uint_eq(f->sync.assertion_period, 30 * SIM_NS);
	ck_assert_uint_eq(f->sync.negation_period, 30 * SIM_NS);
	ck_assert_uint_eq(f->sync.cable_skew_delay, 5 * SIM_NS);
	ck_assert_uint_eq(f->sync.deskew_delay, 20 * SIM_NS);
	ck_assert_uint_eq(f->sync.hold_time, 10 * SIM_NS);
	ck_assert_uint_eq(f->sync.min_period, 100 * SIM_NS);
	ck_assert_uint_lt(f->sync.assertion_period, s->sync.assertion_period);
	ck_assert_uint_lt(f->sync.negation_period, s->sync.negation_period);
	ck_assert_uint_lt(f->sync.cable_skew_delay, s->sync.cable_skew_delay);
	ck_assert_uint_lt(f->sync.deskew_delay, s->sync.deskew_delay);
	ck_assert_uint_lt(f->sync.hold_time, s->sync.hold_time);
	/* Arbitration, selection and asynchronous transfers keep SCSI-2's
	 * deskew (45 ns) and cable skew (10 ns) even on a fast bus. */
	assert_common_equal(s, f);
	ck_assert_uint_eq(f->deskew_delay, 45 * SIM_NS);
	ck_assert_uint_eq(f->cable_skew_delay, 10 * SIM_NS);
}
END_TEST

START_TEST(fast20_table)
{
	const struct bus_timing *s = bus_timing_for(BUS_SPEED_SCSI2);
	const struct bus_timing *f = bus_timing_for(BUS_SPEED_FAST);
	const struct bus_timing *u = bus_timing_for(BUS_SPEED_FAST20);
	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(u->speed, BUS_SPEED_FAST20);
	ck_assert_uint_eq(u->sync.assertion_period, 15 * SIM_NS);
	ck_assert_uint_eq(u->sync.negation_period, 15 * SIM_NS);
	ck_assert_uint_eq(u->sync.cable_skew_delay, 3 * SIM_NS);
	ck_assert_uint_eq(u->sync.deskew_delay, 15 * SIM_NS);
	ck_assert_uint_eq(u->sync.hold_time, 16500 * SIM_PS);
	ck_assert_uint_eq(u->sync.min_period, 50 * SIM_NS);
	assert_common_equal(s, u);
	/* Each class's REQ pulse (asserted + negated) fits its period. */
	const struct bus_timing *all[] = { s, f, u };
	for (size_t i = 0; i < 3; i++)
		ck_assert_uint_le(all[i]->sync.assertion_period +
					  all[i]->sync.negation_period,
				  all[i]->sync.min_period);
}
END_TEST

START_TEST(timing_for_unknown_speed)
{
	ck_assert_ptr_null(bus_timing_for((enum bus_speed)3));
	ck_assert_ptr_null(bus_timing_for((enum bus_speed)-1));
	/* The tables are the same objects on every call. */
	ck_assert_ptr_eq(bus_timing_for(BUS_SPEED_FAST),
			 bus_timing_for(BUS_SPEED_FAST));
}
END_TEST

START_TEST(speed_names)
{
	ck_assert_str_eq(bus_speed_name(BUS_SPEED_SCSI2), "scsi2");
	ck_assert_str_eq(bus_speed_name(BUS_SPEED_FAST), "fast");
	ck_assert_str_eq(bus_speed_name(BUS_SPEED_FAST20), "fast20");
	ck_assert_str_eq(bus_speed_name((enum bus_speed)42), "?");

	enum bus_speed sp = BUS_SPEED_FAST20;
	ck_assert_int_eq(bus_speed_parse("scsi1", &sp), SN_OK);
	ck_assert_int_eq(sp, BUS_SPEED_SCSI2);
	sp = BUS_SPEED_FAST20;
	ck_assert_int_eq(bus_speed_parse("scsi2", &sp), SN_OK);
	ck_assert_int_eq(sp, BUS_SPEED_SCSI2);
	ck_assert_int_eq(bus_speed_parse("fast", &sp), SN_OK);
	ck_assert_int_eq(sp, BUS_SPEED_FAST);
	ck_assert_int_eq(bus_speed_parse("fast20", &sp), SN_OK);
	ck_assert_int_eq(sp, BUS_SPEED_FAST20);

	/* Every canonical name parses back to its class. */
	for (int i = BUS_SPEED_SCSI2; i <= BUS_SPEED_FAST20; i++) {
		enum bus_speed back = BUS_SPEED_SCSI2;
		ck_assert_int_eq(bus_speed_parse(bus_speed_name(
					 (enum bus_speed)i), &back), SN_OK);
		ck_assert_int_eq(back, i);
	}

	static const char *const bad[] = {
		"", "SCSI2", "Fast", "FAST20", "fast10", "fast-20", "ultra",
		"scsi3", " fast", "fast ", "fast2", "fas", "5", "10",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sp = BUS_SPEED_FAST;
		ck_assert_msg(bus_speed_parse(bad[i], &sp) == SN_EINVAL,
			      "'%s' accepted", bad[i]);
		ck_assert_int_eq(sp, BUS_SPEED_FAST); /* untouched */
	}
	ck_assert_int_eq(bus_speed_parse(NULL, &sp), SN_EINVAL);
}
END_TEST

START_TEST(electrical_names)
{
	ck_assert_str_eq(bus_electrical_name(BUS_SE), "se");
	ck_assert_str_eq(bus_electrical_name(BUS_HVD), "hvd");
	ck_assert_str_eq(bus_electrical_name((enum bus_electrical)7), "?");

	enum bus_electrical el = BUS_HVD;
	ck_assert_int_eq(bus_electrical_parse("se", &el), SN_OK);
	ck_assert_int_eq(el, BUS_SE);
	ck_assert_int_eq(bus_electrical_parse("hvd", &el), SN_OK);
	ck_assert_int_eq(el, BUS_HVD);

	static const char *const bad[] = {
		"", "SE", "HVD", "lvd", "diff", "differential", "s", "hv",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		el = BUS_SE;
		ck_assert_msg(bus_electrical_parse(bad[i], &el) == SN_EINVAL,
			      "'%s' accepted", bad[i]);
		ck_assert_int_eq(el, BUS_SE);
	}
	ck_assert_int_eq(bus_electrical_parse(NULL, &el), SN_EINVAL);
}
END_TEST

START_TEST(width_names)
{
	ck_assert_str_eq(bus_width_name(BUS_NARROW), "narrow");
	ck_assert_str_eq(bus_width_name(BUS_WIDE), "wide");
	ck_assert_str_eq(bus_width_name((enum bus_width)32), "?");
	ck_assert_int_eq(BUS_NARROW, 8);
	ck_assert_int_eq(BUS_WIDE, 16);

	enum bus_width w = BUS_WIDE;
	ck_assert_int_eq(bus_width_parse("narrow", &w), SN_OK);
	ck_assert_int_eq(w, BUS_NARROW);
	ck_assert_int_eq(bus_width_parse("wide", &w), SN_OK);
	ck_assert_int_eq(w, BUS_WIDE);
	ck_assert_int_eq(bus_width_parse("8", &w), SN_OK);
	ck_assert_int_eq(w, BUS_NARROW);
	ck_assert_int_eq(bus_width_parse("16", &w), SN_OK);
	ck_assert_int_eq(w, BUS_WIDE);

	static const char *const bad[] = {
		"", "Wide", "NARROW", "32", "08", "16 ", "0x10", "7", "15",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		w = BUS_NARROW;
		ck_assert_msg(bus_width_parse(bad[i], &w) == SN_EINVAL,
			      "'%s' accepted", bad[i]);
		ck_assert_int_eq(w, BUS_NARROW);
	}
	ck_assert_int_eq(bus_width_parse(NULL, &w), SN_EINVAL);
}
END_TEST

START_TEST(sdtr_period_values)
{
	ck_assert_uint_eq(bus_sdtr_period(50), 200 * SIM_NS); /* 5 MB/s */
	ck_assert_uint_eq(bus_sdtr_period(25), 100 * SIM_NS); /* fast */
	ck_assert_uint_eq(bus_sdtr_period(12), 50 * SIM_NS);  /* not 48 */
	ck_assert_uint_eq(bus_sdtr_period(13), 52 * SIM_NS);
	ck_assert_uint_eq(bus_sdtr_period(24), 96 * SIM_NS);
	ck_assert_uint_eq(bus_sdtr_period(0x12), 72 * SIM_NS);
	ck_assert_uint_eq(bus_sdtr_period(0x3E), 248 * SIM_NS);
	ck_assert_uint_eq(bus_sdtr_period(255), 1020 * SIM_NS);
	/* The AIC-6x60's slowest rate: 450 ns, factor 113 (112.5 up). */
	ck_assert_uint_eq(bus_sdtr_period(113), 452 * SIM_NS);
	/* Each class's shortest period has its factor. */
	ck_assert_uint_eq(bus_sdtr_period(50),
			  bus_timing_for(BUS_SPEED_SCSI2)->sync.min_period);
	ck_assert_uint_eq(bus_sdtr_period(25),
			  bus_timing_for(BUS_SPEED_FAST)->sync.min_period);
	ck_assert_uint_eq(bus_sdtr_period(12),
			  bus_timing_for(BUS_SPEED_FAST20)->sync.min_period);
}
END_TEST

START_TEST(sdtr_invalid_factors)
{
	/* 0..9 reserved; 10 (25 ns) and 11 (30.3 ns) are Fast-40, which no
	 * class here reaches. */
	for (unsigned f = 0; f < 12; f++)
		ck_assert_msg(bus_sdtr_period((uint8_t)f) == 0,
			      "factor %u has a period", f);
}
END_TEST

START_TEST(sdtr_factor_values)
{
	ck_assert_uint_eq(bus_sdtr_factor(200 * SIM_NS), 50);
	ck_assert_uint_eq(bus_sdtr_factor(100 * SIM_NS), 25);
	ck_assert_uint_eq(bus_sdtr_factor(50 * SIM_NS), 12);
	/* Never faster than asked: round the period up. */
	ck_assert_uint_eq(bus_sdtr_factor(201 * SIM_NS), 51);
	ck_assert_uint_eq(bus_sdtr_factor(199 * SIM_NS), 50);
	ck_assert_uint_eq(bus_sdtr_factor(200 * SIM_NS + 1), 51);
	ck_assert_uint_eq(bus_sdtr_factor(450 * SIM_NS), 113);
	ck_assert_uint_eq(bus_sdtr_factor(50 * SIM_NS + 1), 13);
	ck_assert_uint_eq(bus_sdtr_factor(52 * SIM_NS), 13);
	/* Anything up to 50 ns is the fastest factor. */
	ck_assert_uint_eq(bus_sdtr_factor(48 * SIM_NS), 12);
	ck_assert_uint_eq(bus_sdtr_factor(1), 12);
	ck_assert_uint_eq(bus_sdtr_factor(0), 12);
	/* Longer than factor 255 can say: no factor. */
	ck_assert_uint_eq(bus_sdtr_factor(1020 * SIM_NS), 255);
	ck_assert_uint_eq(bus_sdtr_factor(1020 * SIM_NS + 1), 0);
	ck_assert_uint_eq(bus_sdtr_factor(SIM_TIME_MAX), 0);
}
END_TEST

START_TEST(sdtr_round_trips)
{
	/* factor -> period -> factor is the identity on valid factors. */
	for (unsigned f = 12; f <= 255; f++) {
		sim_time_t p = bus_sdtr_period((uint8_t)f);
		ck_assert_uint_gt(p, 0);
		ck_assert_uint_eq(bus_sdtr_factor(p), f);
	}
	/* period -> factor -> period never goes below the period, and the
	 * factor before it would (the smallest such factor). */
	for (sim_time_t p = 0; p <= 1020 * SIM_NS; p += 250 * SIM_PS) {
		uint8_t f = bus_sdtr_factor(p);
		ck_assert_uint_ge(f, 12);
		ck_assert_uint_ge(bus_sdtr_period(f), p);
		if (f > 12)
			ck_assert_uint_lt(bus_sdtr_period((uint8_t)(f - 1)), p);
	}
}
END_TEST

START_TEST(cable_limits)
{
	/* SCSI-2, protocol-facts 2.11: SE 6 m / 3 m fast, HVD 25 m. */
	ck_assert_uint_eq(bus_max_cable_mm(BUS_SE, BUS_SPEED_SCSI2, 8), 6000);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_SE, BUS_SPEED_SCSI2, 16), 6000);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_SE, BUS_SPEED_FAST, 8), 3000);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_SE, BUS_SPEED_FAST, 16), 3000);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_HVD, BUS_SPEED_SCSI2, 8),
			  25000);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_HVD, BUS_SPEED_FAST, 16),
			  25000);
	/* Fast-20 draft: SE 3 m up to 4 devices, 1.5 m up to 8, HVD 25 m. */
	ck_assert_uint_eq(bus_max_cable_mm(BUS_SE, BUS_SPEED_FAST20, 2), 3000);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_SE, BUS_SPEED_FAST20, 4), 3000);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_SE, BUS_SPEED_FAST20, 5), 1500);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_SE, BUS_SPEED_FAST20, 8), 1500);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_SE, BUS_SPEED_FAST20, 9), 0);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_SE, BUS_SPEED_FAST20, 16), 0);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_HVD, BUS_SPEED_FAST20, 16),
			  25000);
	/* No bus has 0 or more than 16 devices. */
	ck_assert_uint_eq(bus_max_cable_mm(BUS_SE, BUS_SPEED_SCSI2, 0), 0);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_HVD, BUS_SPEED_SCSI2, 17), 0);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_SE, BUS_SPEED_SCSI2, 1), 6000);
	/* Values outside the enums are not allowed. */
	ck_assert_uint_eq(bus_max_cable_mm((enum bus_electrical)5,
					   BUS_SPEED_SCSI2, 8), 0);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_SE, (enum bus_speed)9, 8), 0);
	ck_assert_uint_eq(bus_max_cable_mm(BUS_HVD, (enum bus_speed)9, 8), 0);
	/* Faster never allows a longer cable. */
	for (unsigned d = 1; d <= 16; d++) {
		ck_assert_uint_le(bus_max_cable_mm(BUS_SE, BUS_SPEED_FAST, d),
				  bus_max_cable_mm(BUS_SE, BUS_SPEED_SCSI2, d));
		ck_assert_uint_le(bus_max_cable_mm(BUS_SE, BUS_SPEED_FAST20, d),
				  bus_max_cable_mm(BUS_SE, BUS_SPEED_FAST, d));
	}
}
END_TEST

Suite *bus_timing_suite(void)
{
	Suite *s = suite_create("bus_timing");
	TCase *tc = tcase_create("tables");
	tcase_add_test(tc, scsi2_constants_exact);
	tcase_add_test(tc, fast_constants_exact);
	tcase_add_test(tc, constants_match_their_text);
	tcase_add_test(tc, scsi2_table);
	tcase_add_test(tc, fast_table_differs_where_spec_says);
	tcase_add_test(tc, fast20_table);
	tcase_add_test(tc, timing_for_unknown_speed);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, speed_names);
	tcase_add_test(tc, electrical_names);
	tcase_add_test(tc, width_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("sdtr");
	tcase_add_test(tc, sdtr_period_values);
	tcase_add_test(tc, sdtr_invalid_factors);
	tcase_add_test(tc, sdtr_factor_values);
	tcase_add_test(tc, sdtr_round_trips);
	suite_add_tcase(s, tc);

	tc = tcase_create("cable");
	tcase_add_test(tc, cable_limits);
	suite_add_tcase(s, tc);
	return s;
}
