/*
 * adapter_stream.c - two hosts streaming SEND MESSAGE(10) commands of
 * 65535 bytes (the largest the 16-bit length carries) from one to the
 * other, back to back, through the adapter layer (adapter.h): every
 * register access an ISA cycle (or every command block a DMA fetch) and
 * every REQ/ACK edge on the bus.
 *
 * Usage: adapter_stream [--check] [--bare-isa] PROFILE [SECONDS]
 *   PROFILE: aha1522  AIC-6260, narrow, synchronous up to 5 MB/s
 *            aic6360  AIC-6360 with fast sync, up to 10 MB/s (Fast bus)
 *            pci-fw   PCI bus-master, Fast-Wide, up to 20 MB/s
 *   The bus is the profile's: narrow SCSI-2, narrow Fast, wide Fast.
 *   --check attaches the protocol checker; --bare-isa runs the ISA
 *   profiles on ISA_TIMING_AT_BARE (no I/O recovery) instead of the
 *   default ISA_TIMING_AT.
 * mb_per_s is the payload of the commands completed, over the time from
 * the first command's start to the last one's end.
 * One line of output:
 *   adapter_stream profile=.. bytes=.. commands=.. sim_s=.. mb_per_s=..
 *     host_share=.. host_data_share=.. cpu_share=.. irq_share=..
 *     scsi_share=.. scsi_data_share=.. limit=.. wall_s=.. rtf=..
 *     [violations=..]
 * The shares are of the simulated time, for the sender (the receiver's
 * are alike): host = its host bus (ISA I/O cycles, busy-wait polling
 * included as the driver's loops poll; or PCI DMA), host_data = of that
 * moving the datagram's bytes, cpu = driver work, irq = interrupts on
 * their way, scsi = the bus not free, scsi_data = the bus in DATA OUT.
 * scsi_data_mb_per_s is the payload rate inside the DATA OUT phases,
 * against scsi_peak_mb_per_s, what the agreed period and width allow.
 * `limit` says what the data phase waits on: the host bus (isa or pci:
 * the host's copying fills 90% of it), the SCSI bus (the phase runs at
 * 95% of its peak or more), else the driver (neither is saturated: the
 * time goes to the polling and handshakes between FIFO chunks), or the
 * CPU if its work outweighs both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "bus_check.h"
#include "adapter.h"

#define DG_BYTES 65535u

struct stream {
	struct sim sim;
	struct bus *bus;
	struct adapter *ad[2];
	struct adapter_tx tx;
	uint8_t dg[DG_BYTES];
	uint64_t commands, bytes, received;
	sim_time_t stop_at, last_done;
	sim_time_t ph_last[BUS_PH_COUNT_]; /* bus phases at last_done */
};

static void issue(struct stream *st);

static void sent(struct adapter *ad, struct adapter_tx *tx, void *arg)
{
	(void)ad;
	struct stream *st = arg;
	if (tx->result != AD_SENT) {
		fprintf(stderr, "adapter_stream: datagram not sent: %s\n",
			adapter_result_name(tx->result));
		exit(1);
	}
	st->commands++;
	st->bytes += tx->len;
	st->last_done = tx->t_done;
	bus_phase_times(st->bus, tx->t_done, st->ph_last);
	if (tx->t_done < st->stop_at)
		issue(st);
}

static void issue(struct stream *st)
{
	struct adapter_tx *tx = &st->tx;
	memset(tx, 0, sizeof *tx);
	tx->target = 6;
	tx->data = st->dg;
	tx->len = DG_BYTES;
	tx->done = sent;
	tx->arg = st;
	if (adapter_send(st->ad[0], tx) != SN_OK) {
		fprintf(stderr, "adapter_stream: cannot send\n");
		exit(1);
	}
}

static void received(struct adapter *ad, int from, uint8_t type,
		     const uint8_t *data, uint32_t len, void *arg)
{
	(void)from;
	(void)type;
	struct stream *st = arg;
	if (memcmp(data, st->dg, len) != 0) {
		fprintf(stderr, "adapter_stream: datagram corrupted\n");
		exit(1);
	}
	st->received += len;
	adapter_rx_done(ad); /* the host takes it at once */
}

int main(int argc, char **argv)
{
	int check = 0, bare = 0;
	while (argc > 1 && strncmp(argv[1], "--", 2) == 0) {
		if (strcmp(argv[1], "--check") == 0)
			check = 1;
		else if (strcmp(argv[1], "--bare-isa") == 0)
			bare = 1;
		else
			break;
		argv++;
		argc--;
	}
	const struct adapter_profile *prof =
		argc >= 2 ? adapter_profile_find(argv[1]) : NULL;
	if (argc < 2 || argc > 3 || prof == NULL) {
		fprintf(stderr, "usage: adapter_stream [--check] [--bare-isa] "
				"PROFILE "
				"[SECONDS]\n  profiles:");
		for (size_t i = 0; i < adapter_profile_count(); i++)
			fprintf(stderr, " %s", adapter_profile_at(i)->name);
		fprintf(stderr, "\n");
		return 2;
	}
	double seconds = argc == 3 ? atof(argv[2]) : 1.0;
	if (!(seconds > 0 && seconds <= 1000)) {
		fprintf(stderr, "adapter_stream: SECONDS must be in (0, 1000]\n");
		return 2;
	}
	static struct stream st;
	sim_init(&st.sim, 1);
	struct bus_config bc = { .name = "scsi0",
				 .width = prof->wide ? BUS_WIDE : BUS_NARROW,
				 .electrical = BUS_SE, .speed = prof->speed,
				 .length_mm = 1000 };
	if (bus_create(&st.sim, &bc, &st.bus) != SN_OK)
		return 1;
	for (int i = 0; i < 2; i++) {
		struct adapter_config ac = {
			.profile = prof->name, .name = i ? "rx" : "tx",
			.scsi_id = 7 - i, .pos_mm = i ? 1000 : 0,
			.rx_slots = 1, .busy_retries = -1,
			.error_retries = 0,
			.isa_timing = bare ? &ISA_TIMING_AT_BARE : NULL,
		};
		if (adapter_create(st.bus, &ac, &st.ad[i]) != SN_OK)
			return 1;
	}
	if (adapter_set_receiver(st.ad[1], received, &st) != SN_OK)
		return 1;
	for (size_t i = 0; i < DG_BYTES; i++)
		st.dg[i] = (uint8_t)(i * 13);
	struct bus_check *chk = NULL;
	if (check && bus_check_attach(&chk, st.bus) != SN_OK)
		return 1;
	sim_time_t end = (sim_time_t)(seconds * (double)SIM_S);
	st.stop_at = end;
	issue(&st);
	double t0 = bench_seconds();
	sim_run_until(&st.sim, end);
	bus_trace_flush(st.bus);
	double wall = bench_seconds() - t0;
	sim_time_t ph[BUS_PH_COUNT_];
	bus_phase_times(st.bus, end, ph);
	const struct adapter_stats *as = adapter_stats(st.ad[0]);
	double sim_s = (double)end / (double)SIM_S;
	double host = (double)as->host_io_time / (double)end;
	double host_data = (double)as->host_data_time / (double)end;
	double cpu = (double)as->cpu_time / (double)end;
	double irq = (double)as->irq_time / (double)end;
	double scsi = 1.0 - (double)ph[BUS_PH_BUS_FREE] / (double)end;
	double scsi_data = (double)ph[BUS_PH_DATA_OUT] / (double)end;
	/* the data phase lasts as long as the slower side takes: if the
	 * host's copying fills most of it, the host bus limits */
	/* the peak the agreement allows: the profile's period, unless the
	 * bus's class is slower; 2 bytes a transfer when wide */
	sim_time_t period = prof->min_period > st.bus->timing->sync.min_period
				    ? prof->min_period
				    : st.bus->timing->sync.min_period;
	double peak = (prof->wide ? 2.0 : 1.0) * 1e3 / (double)(period /
								 SIM_PS);
	peak *= 1e3; /* bytes per ps -> MB/s: 1e12 / 1e6 */
	/* the bytes of the completed commands over their DATA OUT time */
	double in_phase = st.ph_last[BUS_PH_DATA_OUT]
				  ? (double)st.bytes * (double)SIM_S /
					    (double)st.ph_last[BUS_PH_DATA_OUT] /
					    1e6
				  : 0.0;
	const char *limit = host_data > 0.9 * scsi_data
				    ? (prof->kind == AD_KIND_ISA_PIO ? "isa"
								    : "pci")
			    : in_phase >= 0.95 * peak ? "scsi"
						      : "driver";
	if (cpu > host_data && cpu > scsi_data)
		limit = "cpu";
	char checked[48] = "";
	if (chk != NULL)
		snprintf(checked, sizeof checked, " violations=%llu",
			 (unsigned long long)bus_check_total(chk));
	printf("adapter_stream profile=%s%s bytes=%llu commands=%llu "
	       "sim_s=%.4f mb_per_s=%.3f host_share=%.3f "
	       "host_data_share=%.3f cpu_share=%.3f irq_share=%.3f "
	       "scsi_share=%.3f scsi_data_share=%.3f scsi_data_mb_per_s=%.3f "
	       "scsi_peak_mb_per_s=%.1f limit=%s wall_s=%.3f "
	       "rtf=%.2f%s\n",
	       prof->name, bare ? " isa=bare" : "",
	       (unsigned long long)st.bytes,
	       (unsigned long long)st.commands, sim_s,
	       st.last_done ? (double)st.bytes * (double)SIM_S /
				      (double)st.last_done / 1e6
			    : 0.0,
	       host, host_data, cpu, irq,
	       scsi, scsi_data, in_phase, peak, limit, wall, sim_s / wall,
	       checked);
	bus_check_detach(chk);
	if (st.received != st.bytes &&
	    st.received != st.bytes + DG_BYTES) {
		fprintf(stderr, "adapter_stream: sent %llu, received %llu\n",
			(unsigned long long)st.bytes,
			(unsigned long long)st.received);
		return 1;
	}
	for (int i = 0; i < 2; i++)
		adapter_destroy(st.ad[i]);
	bus_destroy(st.bus);
	sim_fini(&st.sim);
	return 0;
}
