/* test_time.c - duration parsing and formatting (sim/sim_time.h). */
#include <string.h>

#include "suites.h"

static sim_time_t parse_ok(const char *text)
{
	sim_time_t t = 12345;
	enum sn_err err = sim_time_parse(text, &t);
	ck_assert_msg(err == SN_OK, "'%s' rejected: %s", text,
		      sn_strerror(err));
	return t;
}

START_TEST(parse_good)
{
	ck_assert_uint_eq(parse_ok("2.4us"), 2400000);
	ck_assert_uint_eq(parse_ok("250ms"), 250 * SIM_MS);
	ck_assert_uint_eq(parse_ok("45ns"), 45000);
	ck_assert_uint_eq(parse_ok("0ps"), 0);
	ck_assert_uint_eq(parse_ok("1s"), SIM_S);
	ck_assert_uint_eq(parse_ok("1ps"), 1);
	ck_assert_uint_eq(parse_ok("0.5s"), 500 * SIM_MS);
	ck_assert_uint_eq(parse_ok(".5us"), 500 * SIM_NS);
	ck_assert_uint_eq(parse_ok("5.us"), 5 * SIM_US);
	ck_assert_uint_eq(parse_ok("2.500us"), 2500 * SIM_NS);
	ck_assert_uint_eq(parse_ok("1.000000000000s"), SIM_S);
	ck_assert_uint_eq(parse_ok("0.000000000001s"), 1);
	ck_assert_uint_eq(parse_ok("  400ns\t"), 400 * SIM_NS);
	ck_assert_uint_eq(parse_ok("3\xC2\xB5s"), 3 * SIM_US);
	ck_assert_uint_eq(parse_ok("18446744073709551615ps"), SIM_TIME_MAX);
	ck_assert_uint_eq(parse_ok("18446744.073709551615s"), SIM_TIME_MAX);
}
END_TEST

static void parse_bad(const char *text, enum sn_err want)
{
	sim_time_t t = 777;
	enum sn_err err = sim_time_parse(text, &t);
	ck_assert_msg(err == want, "'%s': got %s, want %s", text,
		      sn_strerror(err), sn_strerror(want));
	ck_assert_uint_eq(t, 777); /* untouched on error */
}

START_TEST(parse_bad_strings)
{
	parse_bad("", SN_EINVAL);
	parse_bad("   ", SN_EINVAL);
	parse_bad("us", SN_EINVAL);
	parse_bad(".us", SN_EINVAL);
	parse_bad("1", SN_EINVAL);        /* unit is required */
	parse_bad("-1ns", SN_EINVAL);
	parse_bad("+1ns", SN_EINVAL);
	parse_bad("1 ns", SN_EINVAL);     /* unit follows the number */
	parse_bad("1xs", SN_EINVAL);
	parse_bad("1nsx", SN_EINVAL);
	parse_bad("1ns 2ns", SN_EINVAL);
	parse_bad("1.2.3us", SN_EINVAL);
	parse_bad("1e3ns", SN_EINVAL);
	parse_bad("0x10ns", SN_EINVAL);
	parse_bad("1.5ps", SN_EINVAL);    /* finer than a picosecond */
	parse_bad("0.0001ns", SN_EINVAL);
	parse_bad("1NS", SN_EINVAL);      /* units are case-sensitive */
	parse_bad("18446744073709551616ps", SN_ERANGE);
	parse_bad("18446745s", SN_ERANGE);
	parse_bad("99999999999999999999999s", SN_ERANGE);
	ck_assert_int_eq(sim_time_parse(NULL, &(sim_time_t){ 0 }), SN_EINVAL);
}
END_TEST

/* What a hostile scenario or command line may write for a duration:
 * the forms floating point would read (inf, nan, exponents), signs, and
 * digit strings far past the clock, which must neither wrap nor take
 * long; all exact integer arithmetic, so UBSan has nothing to find. */
START_TEST(parse_hostile)
{
	parse_bad("inf", SN_EINVAL);
	parse_bad("infs", SN_EINVAL);
	parse_bad("nan", SN_EINVAL);
	parse_bad("nans", SN_EINVAL);
	parse_bad("1e400s", SN_EINVAL);
	parse_bad("1E3s", SN_EINVAL);
	parse_bad("-0s", SN_EINVAL);
	parse_bad("-inf", SN_EINVAL);
	parse_bad("0x1p3s", SN_EINVAL);
	parse_bad("1,5s", SN_EINVAL);
	parse_bad("1\xC2s", SN_EINVAL);       /* half a micro sign */
	parse_bad("1\xC2\xB5", SN_EINVAL);    /* a micro sign, no s */
	parse_bad("1\xB5s", SN_EINVAL);
	parse_bad("1s\n", SN_EINVAL);
	parse_bad("18446744.073709551616s", SN_ERANGE); /* 2^64 ps */
	parse_bad("18446744073709551.616ms", SN_ERANGE);
	enum { N = 100000 };
	char *big = malloc(N + 3);
	ck_assert_ptr_nonnull(big);
	memset(big, '9', N);
	memcpy(big + N, "s", 2);
	parse_bad(big, SN_ERANGE);
	memset(big, '0', N);             /* leading zeros are only zeros */
	memcpy(big + N - 1, "7s", 3);
	ck_assert_uint_eq(parse_ok(big), 7 * SIM_S);
	big[0] = '0';
	big[1] = '.';
	memset(big + 2, '0', N - 2);     /* and trailing ones too */
	memcpy(big + N, "s", 2);
	ck_assert_uint_eq(parse_ok(big), 0);
	free(big);
}
END_TEST

static void fmt(sim_time_t t, const char *want)
{
	char buf[SIM_TIME_FORMAT_MAX];
	int n = sim_time_format(t, buf, sizeof buf);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(n, (int)strlen(want));
}

START_TEST(format_exact)
{
	fmt(0, "0s");
	fmt(1, "1ps");
	fmt(999, "999ps");
	fmt(1500, "1.5ns");
	fmt(45000, "45ns");
	fmt(2400000, "2.4us");
	fmt(250 * SIM_MS, "250ms");
	fmt(SIM_S, "1s");
	fmt(SIM_S + 1, "1.000000000001s");
	fmt(SIM_TIME_MAX, "18446744.073709551615s");
}
END_TEST

START_TEST(format_parse_round_trip)
{
	struct sim_rng rng;
	sim_rng_init(&rng, 7, "round-trip");
	int n = test_quick() ? 2000 : 200000;
	for (int i = 0; i < n; i++) {
		/* mix of magnitudes: shift a random value right by 0..63 */
		sim_time_t t = sim_rng_u64(&rng) >> sim_rng_below(&rng, 64);
		char buf[SIM_TIME_FORMAT_MAX];
		sim_time_format(t, buf, sizeof buf);
		sim_time_t back = 0;
		ck_assert_int_eq(sim_time_parse(buf, &back), SN_OK);
		ck_assert_uint_eq(back, t);
	}
}
END_TEST

START_TEST(format_truncates_like_snprintf)
{
	char buf[4];
	int n = sim_time_format(2400000, buf, sizeof buf);
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(buf, "2.4");
}
END_TEST

static void fixed(sim_time_t t, sim_time_t unit, unsigned dec,
		  const char *want)
{
	char buf[64];
	sim_time_format_fixed(t, unit, dec, buf, sizeof buf);
	ck_assert_str_eq(buf, want);
}

START_TEST(format_fixed_columns)
{
	fixed(3200000, SIM_US, 3, "3.200");
	fixed(1234567, SIM_US, 3, "1.235");   /* rounds half up */
	fixed(1234499, SIM_US, 3, "1.234");
	fixed(999999, SIM_US, 3, "1.000");
	fixed(5, SIM_NS, 0, "0");
	fixed(500, SIM_NS, 0, "1");           /* half away from zero */
	fixed(1, SIM_PS, 2, "1.00");          /* padding past resolution */
	fixed(7, SIM_NS, 5, "0.00700");
	fixed(250 * SIM_MS, SIM_S, 1, "0.3");
	fixed(0, SIM_MS, 2, "0.00");
}
END_TEST

Suite *time_suite(void)
{
	Suite *s = suite_create("time");
	TCase *tc = tcase_create("parse-format");
	tcase_add_test(tc, parse_good);
	tcase_add_test(tc, parse_bad_strings);
	tcase_add_test(tc, parse_hostile);
	tcase_add_test(tc, format_exact);
	tcase_add_test(tc, format_parse_round_trip);
	tcase_add_test(tc, format_truncates_like_snprintf);
	tcase_add_test(tc, format_fixed_columns);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
