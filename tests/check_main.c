/* check_main.c - runs every Check suite; the exit status is the verdict. */
#include <stdio.h>

#include "suites.h"

int main(void)
{
	/* Line-buffered so that the summary stays the last line even when
	 * forked tests write to stderr. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	SRunner *sr = srunner_create(error_suite());
	srunner_add_suite(sr, time_suite());
	srunner_add_suite(sr, rng_suite());
	srunner_add_suite(sr, sim_suite());
	srunner_add_suite(sr, trace_suite());
	srunner_add_suite(sr, bus_timing_suite());
	srunner_add_suite(sr, bus_suite());
	srunner_add_suite(sr, bus_check_suite());
	srunner_add_suite(sr, vcd_suite());
	srunner_add_suite(sr, bus_dev_suite());
	srunner_add_suite(sr, aic6260_suite());
	srunner_add_suite(sr, isa_suite());
	srunner_add_suite(sr, ha_driver_suite());
	srunner_add_suite(sr, adapter_suite());
	srunner_add_suite(sr, ip_parts_suite());
	srunner_add_suite(sr, ipstack_suite());
	srunner_add_suite(sr, apps_suite());
	srunner_add_suite(sr, pcap_suite());
	srunner_add_suite(sr, scn_suite());
	srunner_add_suite(sr, scn_check_suite());
	srunner_add_suite(sr, cli_suite());
	srunner_add_suite(sr, sweep_suite());
	srunner_add_suite(sr, gen_suite());
	srunner_add_suite(sr, view_suite());
	srunner_add_suite(sr, plot_suite());
	srunner_add_suite(sr, faults_suite());
	srunner_add_suite(sr, rogue_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
