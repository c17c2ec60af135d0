/* check_queue_main.c - the engine's suites, built against the alternative
 * event queue (SIM_QUEUE_HEAP); the Makefile compiles sim/ and these tests
 * with that choice. */
#include <stdio.h>

#include "suites.h"

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("event queue: %s\n", sim_queue_name());
	SRunner *sr = srunner_create(sim_suite());
	srunner_add_suite(sr, trace_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
