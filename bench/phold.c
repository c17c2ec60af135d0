/*
 * phold.c - PHOLD on the scsinet engine (workload: bench/phold_common.h).
 *
 * Usage: phold N P E
 * Prints one machine-readable line:
 *   phold engine=scsinet sched=heap<D> N=.. P=.. E=.. seconds=..
 *         events_per_s=.. peak_rss_kb=.. sim_end_ns=.. checksum=..
 *
 * Each PHOLD message is a caller-owned struct holding its sim_event, as
 * every scsinet model object does; handling a message reschedules the same
 * struct to its new destination, so the run allocates nothing per event.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "phold_common.h"
#include "sim.h"

struct phold {
	struct sim sim;
	uint64_t rng;
	uint64_t n_lp, limit, handled;
	uint64_t *received; /* per LP */
};

struct msg {
	struct sim_event ev;
	struct phold *ph;
	uint32_t lp;
};

static void on_msg(struct sim *sim, struct sim_event *ev, void *arg)
{
	struct msg *m = arg;
	struct phold *ph = m->ph;
	ph->received[m->lp]++;
	if (++ph->handled >= ph->limit) {
		sim_stop(sim);
		return;
	}
	m->lp = (uint32_t)(phold_next(&ph->rng) % ph->n_lp);
	sim_schedule_in(sim, ev, phold_delay_ns(&ph->rng) * SIM_NS);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v == 0)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t n, p, e;
	if (argc != 4 || parse_u64(argv[1], &n) || parse_u64(argv[2], &p) ||
	    parse_u64(argv[3], &e) || n > UINT32_MAX || n * p > UINT32_MAX) {
		fprintf(stderr, "usage: phold N P E (positive integers, "
				"N*P < 2^32)\n");
		return 2;
	}
	static struct phold ph;
	if (sim_init(&ph.sim, 1) != SN_OK)
		return 1;
	ph.rng = PHOLD_SEED;
	ph.n_lp = n;
	ph.limit = e;
	ph.received = calloc(n, sizeof *ph.received);
	struct msg *msgs = calloc(n * p, sizeof *msgs);
	if (!ph.received || !msgs) {
		fprintf(stderr, "phold: out of memory\n");
		return 1;
	}
	double t0 = bench_seconds();
	for (uint64_t lp = 0; lp < n; lp++) {
		for (uint64_t k = 0; k < p; k++) {
			struct msg *m = &msgs[lp * p + k];
			m->ph = &ph;
			m->lp = (uint32_t)lp;
			sim_event_init(&m->ev, on_msg, m, "phold");
			sim_schedule_at(&ph.sim, &m->ev,
					phold_delay_ns(&ph.rng) * SIM_NS);
		}
	}
	sim_run(&ph.sim);
	double dt = bench_seconds() - t0;
	printf("phold engine=scsinet sched=%s N=%llu P=%llu E=%llu "
	       "seconds=%.3f events_per_s=%.0f peak_rss_kb=%ld "
	       "sim_end_ns=%llu checksum=%016llx\n",
	       sim_queue_name(), (unsigned long long)n, (unsigned long long)p,
	       (unsigned long long)e, dt, (double)ph.handled / dt,
	       bench_peak_rss_kb(),
	       (unsigned long long)(sim_now(&ph.sim) / SIM_NS),
	       (unsigned long long)phold_checksum(ph.received, n));
	sim_fini(&ph.sim);
	free(msgs);
	free(ph.received);
	return 0;
}
