/*
 * cli_demo.c - `scsinet demo`: the engine on its own, until the scenario
 * runner exists.
 *
 * A PHOLD model (see bench/phold_common.h for the benchmark variant): N
 * logical processes pass messages; each hop waits an exponential delay
 * (mean 1 us, at least 100 ns) drawn from the receiving LP's own RNG
 * stream, then goes to a uniformly chosen LP.  The demo prints what the
 * engine did; the output depends only on the options, so two runs with
 * the same seed are byte-identical (wall-clock figures need --timing).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sim.h"

struct lp {
	struct sim_rng rng;
	uint64_t received;
};

struct demo {
	struct sim sim;
	struct lp *lps;
	uint64_t n_lps;
	uint64_t limit, handled;
	sim_time_t max_gap;
};

struct demo_msg {
	struct sim_event ev;
	struct demo *d;
	uint32_t lp;
	sim_time_t sent;
};

static sim_time_t hop_delay(struct sim_rng *rng)
{
	return 100 * SIM_NS +
	       (sim_time_t)(-log(sim_rng_open_unit(rng)) * (double)SIM_US);
}

static void on_msg(struct sim *sim, struct sim_event *ev, void *arg)
{
	struct demo_msg *m = arg;
	struct demo *d = m->d;
	struct lp *here = &d->lps[m->lp];
	here->received++;
	sim_time_t gap = sim_now(sim) - m->sent;
	if (gap > d->max_gap)
		d->max_gap = gap;
	if (++d->handled >= d->limit) {
		sim_stop(sim);
		return;
	}
	m->lp = (uint32_t)sim_rng_below(&here->rng, d->n_lps);
	m->sent = sim_now(sim);
	sim_schedule_in(sim, ev, hop_delay(&here->rng));
}

static double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int cli_demo(int argc, char **argv)
{
	uint64_t seed = 1, n_lps = 64, events = 1000000, per_lp = 4;
	int timing = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--seed") == 0) {
			if (cli_parse_u64(a, v, 0, UINT64_MAX, &seed))
				return CLI_USAGE;
			i++;
		} else if (strcmp(a, "--lps") == 0) {
			if (cli_parse_u64(a, v, 1, 1u << 20, &n_lps))
				return CLI_USAGE;
			i++;
		} else if (strcmp(a, "--events") == 0) {
			if (cli_parse_u64(a, v, 1, UINT64_C(1) << 40, &events))
				return CLI_USAGE;
			i++;
		} else if (strcmp(a, "--timing") == 0) {
			timing = 1;
		} else {
			fprintf(stderr, "scsinet demo: unknown option '%s'\n"
					"usage: scsinet demo [--seed N] "
					"[--lps N] [--events N] [--timing]\n",
				a);
			return CLI_USAGE;
		}
	}

	struct demo d = { .n_lps = n_lps, .limit = events };
	if (sim_init(&d.sim, seed) != SN_OK) {
		fputs("scsinet demo: out of memory\n", stderr);
		return CLI_FAIL;
	}
	uint64_t n_msgs = n_lps * per_lp;
	d.lps = sim_calloc(&d.sim, n_lps, sizeof *d.lps);
	struct demo_msg *msgs = sim_calloc(&d.sim, n_msgs, sizeof *msgs);
	if (d.lps == NULL || msgs == NULL) {
		fputs("scsinet demo: out of memory\n", stderr);
		sim_free(&d.sim, d.lps);
		sim_free(&d.sim, msgs);
		sim_fini(&d.sim);
		return CLI_FAIL;
	}
	char name[32];
	for (uint64_t i = 0; i < n_lps; i++) {
		snprintf(name, sizeof name, "lp:%llu", (unsigned long long)i);
		sim_rng_stream(&d.sim, &d.lps[i].rng, name);
	}
	for (uint64_t k = 0; k < n_msgs; k++) {
		struct demo_msg *m = &msgs[k];
		m->d = &d;
		m->lp = (uint32_t)(k % n_lps);
		sim_event_init(&m->ev, on_msg, m, "demo-hop");
		sim_schedule_in(&d.sim, &m->ev, hop_delay(&d.lps[m->lp].rng));
	}

	double t0 = wall_seconds();
	sim_run(&d.sim);
	double dt = wall_seconds() - t0;

	uint64_t min_rx = UINT64_MAX, max_rx = 0;
	for (uint64_t i = 0; i < n_lps; i++) {
		if (d.lps[i].received < min_rx)
			min_rx = d.lps[i].received;
		if (d.lps[i].received > max_rx)
			max_rx = d.lps[i].received;
	}
	char end[SIM_TIME_FORMAT_MAX], gap[SIM_TIME_FORMAT_MAX];
	char mean[32];
	sim_time_format(sim_now(&d.sim), end, sizeof end);
	sim_time_format(d.max_gap, gap, sizeof gap);
	sim_time_format_fixed(sim_now(&d.sim) * n_msgs / d.handled, SIM_US, 3,
			      mean, sizeof mean);
	printf("scsinet engine demo (PHOLD): the scenario runner is not "
	       "built yet\n");
	printf("  seed                %llu\n", (unsigned long long)seed);
	printf("  logical processes   %llu, %llu messages in flight\n",
	       (unsigned long long)n_lps, (unsigned long long)n_msgs);
	printf("  events run          %llu\n",
	       (unsigned long long)sim_events_run(&d.sim));
	printf("  simulated time      %s\n", end);
	printf("  mean hop delay      %s us\n", mean);
	printf("  longest hop         %s\n", gap);
	printf("  messages per LP     %llu..%llu\n",
	       (unsigned long long)min_rx, (unsigned long long)max_rx);
	printf("  pending at stop     %u\n", sim_pending_count(&d.sim));
	if (timing)
		printf("  wall time           %.3f s (%.2f M events/s)\n", dt,
		       (double)d.handled / dt / 1e6);

	sim_free(&d.sim, msgs);
	sim_free(&d.sim, d.lps);
	int leaked = sim_alloc_stats(&d.sim)->live_allocs != 0;
	sim_fini(&d.sim);
	return leaked ? CLI_FAIL : CLI_OK;
}
