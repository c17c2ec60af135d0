/*
 * phold_ns3.cc - PHOLD on ns-3's core simulator, the peer for bench/phold.
 * Same workload, same draws, same output line (bench/phold_common.h).
 *
 * Usage: phold_ns3 SCHEDULER N P E
 *   SCHEDULER: Map, Heap, Calendar or PriorityQueue (ns3::<name>Scheduler)
 *
 * Events are scheduled the ordinary ns-3 way, Simulator::Schedule() with a
 * free function and its argument; ns-3 orders equal times by event UID,
 * i.e. FIFO, as scsinet does, so both runs end at the same simulated time.
 */
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ns3/core-module.h"

extern "C" {
#include "bench_util.h"
#include "phold_common.h"
}

using namespace ns3;

static uint64_t g_rng = PHOLD_SEED;
static uint64_t g_nlp, g_limit, g_handled;
static std::vector<uint64_t> g_received;

static void Handle(uint32_t lp)
{
	g_received[lp]++;
	if (++g_handled >= g_limit) {
		Simulator::Stop();
		return;
	}
	uint32_t dst = (uint32_t)(phold_next(&g_rng) % g_nlp);
	Simulator::Schedule(NanoSeconds(phold_delay_ns(&g_rng)), &Handle, dst);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		std::fprintf(stderr, "usage: phold_ns3 Map|Heap|Calendar|PriorityQueue N P E\n");
		return 2;
	}
	std::string sched = argv[1];
	uint64_t n = std::strtoull(argv[2], nullptr, 10);
	uint64_t p = std::strtoull(argv[3], nullptr, 10);
	uint64_t e = std::strtoull(argv[4], nullptr, 10);
	if (n == 0 || p == 0 || e == 0 ||
	    (sched != "Map" && sched != "Heap" && sched != "Calendar" &&
	     sched != "PriorityQueue")) {
		std::fprintf(stderr, "phold_ns3: bad arguments\n");
		return 2;
	}
	ObjectFactory factory;
	factory.SetTypeId("ns3::" + sched + "Scheduler");
	Simulator::SetScheduler(factory);
	g_nlp = n;
	g_limit = e;
	g_received.assign(n, 0);
	double t0 = bench_seconds();
	for (uint64_t lp = 0; lp < n; lp++)
		for (uint64_t k = 0; k < p; k++)
			Simulator::Schedule(NanoSeconds(phold_delay_ns(&g_rng)),
					    &Handle, (uint32_t)lp);
	Simulator::Run();
	double dt = bench_seconds() - t0;
	std::printf("phold engine=ns3 sched=%s N=%llu P=%llu E=%llu "
		    "seconds=%.3f events_per_s=%.0f peak_rss_kb=%ld "
		    "sim_end_ns=%llu checksum=%016llx\n",
		    sched.c_str(), (unsigned long long)n, (unsigned long long)p,
		    (unsigned long long)e, dt, (double)g_handled / dt,
		    bench_peak_rss_kb(),
		    (unsigned long long)Simulator::Now().GetNanoSeconds(),
		    (unsigned long long)phold_checksum(g_received.data(), n));
	Simulator::Destroy();
	return 0;
}
