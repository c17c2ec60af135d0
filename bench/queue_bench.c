/*
 * queue_bench.c - the engine's event queue under two classic workloads, at
 * pending-queue sizes from 10 to 10^6.  The Makefile builds it once per
 * queue implementation (queue_bench_ladder, queue_bench_heap2/4/8).
 *
 *   hold:       the classic "hold model" (Jones, CACM 1986): pop the
 *               earliest event and schedule it again after an exponential
 *               delay (mean 1 us), keeping the queue size constant.  This is
 *               what a network of independent timers does.
 *   reschedule: the bus-timer pattern: move a random pending event to a new
 *               time (as a time-out restarted on every REQ edge does), then
 *               hold once.  Exercises the heap's in-place move.
 *
 * Usage: queue_bench [ops-per-size]
 * Prints one line per workload and size:
 *   queue impl=ladder workload=hold pending=1000 ops=.. ns_per_op=..
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "sim.h"

/* The event that just ran; the hold step schedules it again. */
static struct sim_event *g_fired;

static void noop(struct sim *sim, struct sim_event *ev, void *arg)
{
	(void)sim;
	(void)arg;
	g_fired = ev;
}

static sim_time_t exp_delay(struct sim_rng *rng)
{
	/* exponential, mean 1 us, at least 1 ps */
	double u = sim_rng_open_unit(rng);
	return (sim_time_t)(-log(u) * 1e6) + 1;
}

static double run(const char *workload, uint32_t pending, uint64_t ops)
{
	struct sim sim;
	struct sim_rng rng;
	if (sim_init(&sim, 42) != SN_OK)
		exit(1);
	sim_rng_stream(&sim, &rng, workload);
	struct sim_event *evs = calloc(pending, sizeof *evs);
	if (!evs)
		exit(1);
	for (uint32_t i = 0; i < pending; i++) {
		sim_event_init(&evs[i], noop, NULL, "q");
		sim_schedule_in(&sim, &evs[i], exp_delay(&rng));
	}
	int resched = workload[0] == 'r';
	double t0 = bench_seconds();
	for (uint64_t k = 0; k < ops; k++) {
		if (resched) {
			struct sim_event *v = &evs[sim_rng_below(&rng, pending)];
			sim_schedule_in(&sim, v, exp_delay(&rng));
		}
		/* hold: pop the earliest (running it) and push it back */
		sim_step(&sim);
		sim_schedule_in(&sim, g_fired, exp_delay(&rng));
	}
	double dt = bench_seconds() - t0;
	printf("queue impl=%s workload=%s pending=%u ops=%llu ns_per_op=%.1f\n",
	       sim_queue_name(), workload, pending, (unsigned long long)ops,
	       dt * 1e9 / (double)ops);
	fflush(stdout);
	sim_fini(&sim);
	free(evs);
	return dt;
}

int main(int argc, char **argv)
{
	uint64_t ops = 2000000;
	if (argc > 1)
		ops = strtoull(argv[1], NULL, 10);
	if (ops == 0) {
		fprintf(stderr, "usage: queue_bench [ops-per-size > 0]\n");
		return 2;
	}
	static const uint32_t sizes[] = { 10, 100, 1000, 10000, 100000, 1000000 };
	for (size_t w = 0; w < 2; w++)
		for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
			run(w ? "reschedule" : "hold", sizes[i], ops);
	return 0;
}
