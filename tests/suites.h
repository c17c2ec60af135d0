/* suites.h - every Check suite of scsinet; check_main.c runs them all. */
#ifndef SUITES_H
#define SUITES_H

#include <check.h>
#include <stdlib.h>

#include "sim.h"

Suite *error_suite(void);
Suite *time_suite(void);
Suite *rng_suite(void);
Suite *sim_suite(void);
Suite *trace_suite(void);
Suite *bus_timing_suite(void);
Suite *bus_suite(void);
Suite *bus_check_suite(void);
Suite *vcd_suite(void);
Suite *bus_dev_suite(void);
Suite *aic6260_suite(void);
Suite *isa_suite(void);
Suite *ha_driver_suite(void);
Suite *adapter_suite(void);
Suite *ip_parts_suite(void);
Suite *ipstack_suite(void);
Suite *pcap_suite(void);
Suite *scn_suite(void);
Suite *apps_suite(void);
Suite *scn_check_suite(void);
Suite *cli_suite(void);
Suite *sweep_suite(void);
Suite *gen_suite(void);
Suite *view_suite(void);
Suite *plot_suite(void);
Suite *faults_suite(void);
Suite *rogue_suite(void);

/* SCSINET_TEST_QUICK=1 (set by `make memcheck`) shrinks randomized tests
 * so that they finish under valgrind; so does a sanitizer build, where
 * coverage, not volume, is what finds memory errors.  Their logic is
 * unchanged; the plain `make test` runs them at full size. */
static inline int test_quick(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
	return 1;
#else
	const char *q = getenv("SCSINET_TEST_QUICK");
	return q != NULL && q[0] == '1';
#endif
}

/* Teardown check for every fixture: no pending events, no live
 * allocations made through the sim. */
#define ck_assert_sim_clean(sim)                                          \
	do {                                                              \
		ck_assert_uint_eq(sim_pending_count(sim), 0);             \
		ck_assert_uint_eq(sim_alloc_stats(sim)->live_allocs, 0);  \
		ck_assert_uint_eq(sim_alloc_stats(sim)->live_bytes, 0);   \
	} while (0)

#endif
