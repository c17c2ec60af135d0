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
 * Storms: shipped networks under hundreds of random faults (below).
 *
 * Run from the top of the source tree, as `make test` does.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn.h"
#include "scn_world.h"
#include "sim_rng.h"
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

/*
 * Fault storms: a shipped network with hundreds of faults drawn from a
 * seeded RNG between 0.3 s and 3.5 s (bus resets every few tens of
 * milliseconds, parity errors, hosts switched off and on, cables pulled
 * and plugged back), every fault over a second before the end.  The run
 * must end with the ledger balanced, nothing stuck and no checker finding
 * but those the faults caused (attributed to them), and results.json
 * must report every fault with what it cost.
 */
static void add_storm(struct scn *s, uint64_t seed, int n)
{
	struct sim_rng rng;
	sim_rng_init(&rng, seed, "storm");
	free(s->faults);
	s->faults = calloc((size_t)n, sizeof *s->faults);
	ck_assert_ptr_nonnull(s->faults);
	s->nfaults = n;
	for (int i = 0; i < n; i++) {
		struct scn_fault *f = &s->faults[i];
		int h = (int)sim_rng_below(&rng, (uint64_t)s->nhosts);
		int k = (int)sim_rng_below(&rng,
					   (uint64_t)s->hosts[h].nadapters);
		f->host = h;
		f->adapter = k;
		f->bus = s->hosts[h].adapters[k].bus;
		f->at = 300 * SIM_MS + sim_rng_below(&rng, 3200 * SIM_MS);
		f->until = 0;
		snprintf(f->label, sizeof f->label, "storm-%d", i);
		switch (sim_rng_below(&rng, 4)) {
		case 0:
			f->kind = SCN_FAULT_BUS_RESET;
			break;
		case 1:
			f->kind = SCN_FAULT_PARITY;
			f->byte = 1 + (uint32_t)sim_rng_below(&rng, 200);
			break;
		case 2:
			f->kind = SCN_FAULT_HOST_DOWN;
			f->bus = f->adapter = -1;
			f->until = f->at + 1 * SIM_MS +
				   sim_rng_below(&rng, 400 * SIM_MS);
			break;
		default:
			f->kind = SCN_FAULT_CABLE_PULL;
			f->until = f->at + 1 * SIM_MS +
				   sim_rng_below(&rng, 400 * SIM_MS);
			break;
		}
	}
}

static const char *const storm_files[] = {
	"scenarios/gateway-failure.json",
	"scenarios/eight-hosts-scsi1.json",
	"scenarios/course-6-gateway.json",
	"scenarios/pvm-cluster-31.json",
};

START_TEST(fault_storms)
{
	const char *path = storm_files[_i % 4];
	struct scn_errors errs = { .out = stderr, .max = 20 };
	struct scn *s = NULL;
	ck_assert_int_eq(scn_load(path, NULL, 0, &errs, &s), 0);
	s->check = 1;
	s->duration = 5 * SIM_S;
	int n = test_quick() ? 60 : 250;
	add_storm(s, 77 + (uint64_t)_i, n);
	struct scn_world *w = NULL;
	char why[256] = "";
	ck_assert_msg(scn_world_build(s, &w, why, sizeof why) == SN_OK, "%s",
		      why);
	scn_world_run(w, s->duration, NULL, NULL);
	int ok = scn_world_ok(w);
	if (!ok)
		scn_world_summary(w, stderr);
	ck_assert_msg(ok, "%s under %d faults: stuck, unbalanced, or a "
			  "finding the model made (summary above)",
		      path, n);
	/* every fault is in results.json, happened, with its cost */
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(scn_world_results_json(w, m), 0);
	fclose(m);
	cJSON *j = cJSON_Parse(text);
	ck_assert_ptr_nonnull(j);
	const cJSON *fl = cJSON_GetObjectItemCaseSensitive(j, "faults");
	ck_assert_int_eq(cJSON_GetArraySize(fl), n);
	const cJSON *f;
	cJSON_ArrayForEach(f, fl) {
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(f, "happened")));
		const cJSON *d = cJSON_GetObjectItem(f, "while_it_lasted");
		ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(d, "delivered")));
		ck_assert(cJSON_IsObject(cJSON_GetObjectItem(d, "dropped")));
	}
	cJSON_Delete(j);
	free(text);
	scn_world_destroy(w);
	scn_free(s);
}
END_TEST

Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("regressions");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, fault_regressions_stay_alive);
	tcase_add_loop_test(tc, fault_storms, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}
