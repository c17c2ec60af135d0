/*
 * phold_common.h - the PHOLD workload definition shared by bench/phold.c
 * (scsinet) and bench/phold_ns3.cc (ns-3), so both do exactly the same work.
 *
 * N logical processes, P initial events each.  Every initial event time and
 * every delay is 100 + floor(-ln(u) * 1000) ns with u uniform in (0,1) from
 * xorshift64* (seed 88172645463325252), u = ((r >> 11) + 0.5) / 2^53.
 * Handling an event counts it; after E events the run stops; otherwise it
 * draws a destination r % N, then a delay, and schedules a new event there.
 * Each LP counts what it receives; the run prints the final simulated time
 * and a checksum of those counts, which must agree between the two engines
 * (both order equal times FIFO), proving they did the same work.
 *
 * Timing covers scheduling the N*P initial events and running until E
 * events were handled.  Engines differ in where they pay for ordering (an
 * ns-3 scheduler sorts on Schedule(), a ladder queue on the first dequeue),
 * so timing only the run would charge one engine for work the other did
 * before the clock started.  Allocating the model's memory is not timed.
 */
#ifndef PHOLD_COMMON_H
#define PHOLD_COMMON_H

#include <math.h>
#include <stdint.h>

#define PHOLD_SEED 88172645463325252ULL

static inline uint64_t phold_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* A delay in whole nanoseconds. */
static inline uint64_t phold_delay_ns(uint64_t *s)
{
	double u = ((double)(phold_next(s) >> 11) + 0.5) / 9007199254740992.0;
	return 100 + (uint64_t)floor(-log(u) * 1000.0);
}

/* Order-sensitive checksum of the per-LP receive counts. */
static inline uint64_t phold_checksum(const uint64_t *counts, uint64_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (uint64_t i = 0; i < n; i++) {
		h ^= counts[i];
		h *= 1099511628211ULL;
	}
	return h;
}

#endif
