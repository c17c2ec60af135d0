/*
 * test_faults.c - networks under injected faults stay alive.
 *
 * Regressions: each file in tests/scenarios_faults/ is a fault scenario
 * that once wedged a bus, crashed the engine or made the model break the
 * protocol (its "description" says what happened).  Each must now run
 * with the protocol checker on every bus, end with the datagram ledger
 * balanced, no bus or adapter stuck (scn_world_ok, the verdict `scsinet
 * run` exits with) and no checker finding.
 *
 * Run from the top of the source tree, as `make test` does.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn.h"
#include "scn_world.h"
#include "suites.h"

#define FAULT_DIR "tests/scenarios_faults"

/* Load, build with the checker, run to the end; the world (caller frees
 * it with the scenario). */
static struct scn_world *run_file(const char *path, struct scn **s)
{
	struct scn_errors errs = { .out = stderr, .max = 20 };
	ck_assert_msg(scn_load(path, NULL, 0, &errs, s) == 0,
		      "%s does not load", path);
	(*s)->check = 1;
	struct scn_world *w = NULL;
	char why[256] = "";
	ck_assert_msg(scn_world_build(*s, &w, why, sizeof why) == SN_OK,
		      "%s: %s", path, why);
	scn_world_run(w, (*s)->duration, NULL, NULL);
	return w;
}

START_TEST(fault_regressions_stay_alive)
{
	DIR *d = opendir(FAULT_DIR);
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", FAULT_DIR, e->d_name);
		struct scn *s = NULL;
		struct scn_world *w = run_file(path, &s);
		int ok = scn_world_ok(w);
		if (!ok)
			scn_world_summary(w, stderr);
		ck_assert_msg(ok, "%s: a bus or adapter is stuck, the ledger "
				  "is unbalanced or the checker found a "
				  "violation (summary above)",
			      path);
		scn_world_destroy(w);
		scn_free(s);
		n++;
	}
	closedir(d);
	ck_assert_int_ge(n, 4);
}
END_TEST

Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("regressions");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, fault_regressions_stay_alive);
	suite_add_tcase(s, tc);
	return s;
}
