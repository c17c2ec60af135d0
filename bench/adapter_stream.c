/*
 * adapter_stream.c - two hosts with ISA SCSI adapters streaming SEND
 * MESSAGE(10) commands of 65535 bytes (the largest the 16-bit length
 * carries) from one to the other, back to back, every register access an
 * ISA cycle and every REQ/ACK edge on the bus.
 *
 * Usage: adapter_stream [--check] PROFILE [SECONDS]
 *   PROFILE: aha1522  AIC-6260, narrow, synchronous up to 5 MB/s
 *            aic6360  AIC-6360 with fast sync, up to 10 MB/s (Fast bus)
 * One line of output:
 *   adapter_stream profile=.. bytes=.. commands=.. sim_s=.. mb_per_s=..
 *     isa_share=.. isa_data_share=.. cpu_share=.. irq_share=..
 *     scsi_share=.. scsi_data_share=.. limit=.. wall_s=.. rtf=..
 *     [violations=..]
 * The shares are of the simulated time, for the sender (the receiver's
 * are alike): isa = its ISA bus in I/O cycles (busy-wait polling
 * included, as the driver's loops poll), isa_data = of that in REP
 * OUTSW moving the data, cpu = driver work, irq = waiting for interrupts
 * to be taken, scsi = the bus not free, scsi_data = the bus in DATA OUT.
 * `limit` compares the data-moving shares: the ISA bus (the host copies
 * slower than the SCSI bus drains) or the SCSI bus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "bus_check.h"
#include "ha_driver.h"

#define DG_BYTES 65535u

struct stream {
	struct sim sim;
	struct bus *bus;
	struct isa_host *isa[2];
	struct aha1522 *card[2];
	struct ha_driver *drv[2];
	struct ha_cmd cmd;
	uint8_t dg[DG_BYTES];
	uint64_t commands, bytes, received;
	sim_time_t stop_at;
	/* SCSI bus occupancy, from the line trace */
	struct sim_trace_sub sub;
	sim_time_t busy_since, busy_total;
	int busy;
	sim_time_t data_since, data_total;
	int in_data;
};

static void issue(struct stream *st);

static void sent(struct ha_driver *drv, struct ha_cmd *cmd, void *arg)
{
	(void)drv;
	struct stream *st = arg;
	if (cmd->result != BUS_CMD_DONE || cmd->status != HA_STATUS_GOOD) {
		fprintf(stderr, "adapter_stream: command failed: %s, status "
				"%#x\n",
			bus_cmd_result_name(cmd->result), cmd->status);
		exit(1);
	}
	st->commands++;
	st->bytes += cmd->data_moved;
	if (cmd->t_done < st->stop_at)
		issue(st);
}

static void issue(struct stream *st)
{
	struct ha_cmd *c = &st->cmd;
	memset(c, 0, sizeof *c);
	c->target = 6;
	c->cdb_len = 10;
	c->cdb[0] = 0x2A;
	c->cdb[7] = (uint8_t)(DG_BYTES >> 8);
	c->cdb[8] = (uint8_t)DG_BYTES;
	c->dir = BUS_DIR_OUT;
	c->data = st->dg;
	c->data_len = DG_BYTES;
	c->done = sent;
	c->arg = st;
	if (ha_submit(st->drv[0], c) != SN_OK) {
		fprintf(stderr, "adapter_stream: cannot issue\n");
		exit(1);
	}
}

static void received(struct ha_driver *drv, int initiator, uint8_t type,
		     const uint8_t *data, uint32_t len, void *arg)
{
	(void)initiator;
	(void)type;
	(void)data;
	struct stream *st = arg;
	st->received += len;
	ha_rx_slot_free(drv); /* the host takes it at once */
}

static void on_lines(const struct sim_trace_record *rec, void *arg)
{
	struct stream *st = arg;
	const struct bus_trace_lines *l = rec->data;
	int busy = l->phase != BUS_PH_BUS_FREE;
	if (busy && !st->busy)
		st->busy_since = rec->time;
	else if (!busy && st->busy)
		st->busy_total += rec->time - st->busy_since;
	st->busy = busy;
	int data = l->phase == BUS_PH_DATA_OUT;
	if (data && !st->in_data)
		st->data_since = rec->time;
	else if (!data && st->in_data)
		st->data_total += rec->time - st->data_since;
	st->in_data = data;
}

int main(int argc, char **argv)
{
	int check = argc > 1 && strcmp(argv[1], "--check") == 0;
	if (check) {
		argv++;
		argc--;
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: adapter_stream [--check] "
				"aha1522|aic6360 [SECONDS]\n");
		return 2;
	}
	const char *profile = argv[1];
	enum aic_chip chip;
	enum bus_speed speed;
	if (strcmp(profile, "aha1522") == 0) {
		chip = AIC_CHIP_6260;
		speed = BUS_SPEED_SCSI2;
	} else if (strcmp(profile, "aic6360") == 0) {
		chip = AIC_CHIP_6360;
		speed = BUS_SPEED_FAST;
	} else {
		fprintf(stderr, "adapter_stream: unknown profile '%s'\n",
			profile);
		return 2;
	}
	double seconds = argc == 3 ? atof(argv[2]) : 1.0;
	if (!(seconds > 0 && seconds <= 1000)) {
		fprintf(stderr, "adapter_stream: SECONDS must be in (0, 1000]\n");
		return 2;
	}
	static struct stream st;
	sim_init(&st.sim, 1);
	struct bus_config bc = { .name = "scsi0", .width = BUS_NARROW,
				 .electrical = BUS_SE, .speed = speed,
				 .length_mm = 1000 };
	if (bus_create(&st.sim, &bc, &st.bus) != SN_OK)
		return 1;
	for (int i = 0; i < 2; i++) {
		struct aha1522_config cc = {
			.io_base = AHA1522_BASE_PRIMARY, .chip = chip,
			.jumpers = AIC6260_JUMPERS_DEFAULT,
			.pos_mm = i ? 1000 : 0,
		};
		cc.jumpers.scsi_id = (uint8_t)(7 - i);
		cc.jumpers.fast_sync = chip == AIC_CHIP_6360;
		if (isa_host_create(&st.sim, &ISA_TIMING_AT, &st.isa[i]) !=
			    SN_OK ||
		    aha1522_create(st.isa[i], st.bus, &cc, &st.card[i]) !=
			    SN_OK ||
		    ha_driver_create(st.isa[i], st.card[i], &st.drv[i]) !=
			    SN_OK)
			return 1;
	}
	ha_set_receiver(st.drv[1], received, &st, 1);
	for (size_t i = 0; i < DG_BYTES; i++)
		st.dg[i] = (uint8_t)(i * 13);
	struct bus_check *chk = NULL;
	if (check && bus_check_attach(&chk, st.bus) != SN_OK)
		return 1;
	sim_trace_subscribe(&st.sim, &st.sub, SIM_TR_MASK(SIM_TR_BUS_LINES),
			    on_lines, &st);
	sim_time_t end = (sim_time_t)(seconds * (double)SIM_S);
	st.stop_at = end;
	issue(&st);
	double t0 = bench_seconds();
	sim_run_until(&st.sim, end);
	bus_trace_flush(st.bus);
	double wall = bench_seconds() - t0;
	if (st.busy)
		st.busy_total += end - st.busy_since;
	if (st.in_data)
		st.data_total += end - st.data_since;
	const struct isa_stats *is = isa_stats(st.isa[0]);
	double sim_s = (double)end / (double)SIM_S;
	double isa = (double)is->io_time / (double)end;
	double cpu = (double)is->cpu_time / (double)end;
	double irq = (double)is->irq_time / (double)end;
	double scsi = (double)st.busy_total / (double)end;
	double isa_data = (double)is->string_time / (double)end;
	double scsi_data = (double)st.data_total / (double)end;
	/* the data phase lasts as long as the slower side takes: if the
	 * host's copying fills most of it, the ISA bus limits */
	const char *limit = isa_data > 0.9 * scsi_data ? "isa" : "scsi";
	if (cpu > isa_data && cpu > scsi_data)
		limit = "cpu";
	char checked[48] = "";
	if (chk != NULL)
		snprintf(checked, sizeof checked, " violations=%llu",
			 (unsigned long long)bus_check_total(chk));
	printf("adapter_stream profile=%s bytes=%llu commands=%llu "
	       "sim_s=%.4f mb_per_s=%.3f isa_share=%.3f isa_data_share=%.3f "
	       "cpu_share=%.3f irq_share=%.3f scsi_share=%.3f "
	       "scsi_data_share=%.3f limit=%s wall_s=%.3f rtf=%.2f%s\n",
	       profile, (unsigned long long)st.bytes,
	       (unsigned long long)st.commands, sim_s,
	       (double)st.bytes / sim_s / 1e6, isa, isa_data, cpu, irq, scsi,
	       scsi_data, limit, wall, sim_s / wall, checked);
	sim_trace_unsubscribe(&st.sim, &st.sub);
	bus_check_detach(chk);
	if (st.received != st.bytes &&
	    st.received != st.bytes + DG_BYTES) {
		fprintf(stderr, "adapter_stream: sent %llu, received %llu\n",
			(unsigned long long)st.bytes,
			(unsigned long long)st.received);
		return 1;
	}
	for (int i = 0; i < 2; i++) {
		ha_driver_destroy(st.drv[i]);
		aha1522_destroy(st.card[i]);
		isa_host_destroy(st.isa[i]);
	}
	bus_destroy(st.bus);
	sim_fini(&st.sim);
	return 0;
}
