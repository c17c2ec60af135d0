/*
 * bus_stream.c - two devices streaming 64 KiB DATA OUT commands back to
 * back for one simulated second, every REQ/ACK edge modelled.
 *
 * Usage: bus_stream [--check] MODE [SECONDS [VCD-FILE]]
 *   --check  attach the protocol checker and print its violation count
 *   MODE: async     narrow SCSI-2 bus, asynchronous (no SDTR)
 *         fast      narrow Fast SCSI-2, synchronous 100 ns, offset 8
 *         fastwide  wide Fast SCSI-2, 16-bit synchronous 100 ns, offset 8
 * One line of output:
 *   bus_stream mode=.. bytes=.. commands=.. sim_s=.. mb_per_s=..
 *              overhead_us_per_cmd=.. wall_s=.. rtf=.. events=..
 * mb_per_s is payload (DATA phase bytes) per simulated second, in 10^6
 * bytes as SCSI rates are quoted; rtf is simulated seconds per wall
 * second.  overhead_us_per_cmd is the measured command time minus its
 * data-phase time at the agreed rate: arbitration, selection, messages,
 * CDB, status, and the bus free gap.
 *
 * Each command is a 12-byte CDB (opcode AAh, SEND MESSAGE(12) in the
 * SCSI-2 communications class) with a 32-bit transfer length in bytes
 * 6-9, because 65536 does not fit the 16-bit length of SEND MESSAGE(10).
 * The devices are 1 m apart with the 50 ns default response latency.
 * With a VCD file the whole run is also written as a trace (1 ps), with a
 * GTKWave save file beside it (FILE.gtkw): `gtkwave FILE FILE.gtkw`.
 * Every simulated figure must come out the same (bench/run.sh checks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "bus_check.h"
#include "bus_dev.h"
#include "viz_vcd.h"

#define CMD_BYTES 65536u

static uint8_t g_tbuf[CMD_BYTES];

static void tgt_command(struct bus_dev *dev, int initiator, uint8_t lun,
			const uint8_t *cdb, uint8_t cdb_len,
			struct bus_target_reply *reply, void *arg)
{
	(void)dev;
	(void)initiator;
	(void)lun;
	(void)cdb_len;
	(void)arg;
	reply->status = 0;
	reply->dir = BUS_DIR_OUT;
	reply->data = g_tbuf;
	reply->data_len = (uint32_t)cdb[6] << 24 | (uint32_t)cdb[7] << 16 |
			  (uint32_t)cdb[8] << 8 | cdb[9];
	if (reply->data_len > CMD_BYTES)
		reply->data_len = CMD_BYTES;
}

static const struct bus_dev_target_ops tops = { tgt_command, NULL };

struct stream {
	struct bus_dev *ini;
	struct bus_cmd cmd;
	uint8_t payload[CMD_BYTES];
	uint64_t commands;
	sim_time_t cmd_time_sum;
	sim_time_t stop_at;
};

static void issue(struct stream *st);

static void done(struct bus_dev *dev, struct bus_cmd *cmd, void *arg)
{
	(void)dev;
	struct stream *st = arg;
	if (cmd->result != BUS_CMD_DONE) {
		fprintf(stderr, "bus_stream: command failed: %s\n",
			bus_cmd_result_name(cmd->result));
		exit(1);
	}
	st->commands++;
	st->cmd_time_sum += cmd->t_done - cmd->t_start;
	if (cmd->t_done < st->stop_at)
		issue(st);
}

static void issue(struct stream *st)
{
	struct bus_cmd *c = &st->cmd;
	memset(c, 0, sizeof *c);
	c->target = 0;
	c->cdb_len = 12;
	c->cdb[0] = 0xAA;
	c->cdb[8] = (uint8_t)(CMD_BYTES >> 8);
	c->cdb[7] = (uint8_t)(CMD_BYTES >> 16);
	c->dir = BUS_DIR_OUT;
	c->data = st->payload;
	c->data_len = CMD_BYTES;
	c->done = done;
	c->arg = st;
	if (bus_dev_command(st->ini, c) != SN_OK) {
		fprintf(stderr, "bus_stream: cannot issue\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	int check = 0, no_lookahead = 0;
	while (argc > 1 && strncmp(argv[1], "--", 2) == 0) {
		if (strcmp(argv[1], "--check") == 0) {
			check = 1;
		} else if (strcmp(argv[1], "--no-lookahead") == 0) {
			no_lookahead = 1;
		} else {
			fprintf(stderr, "bus_stream: unknown option '%s'\n",
				argv[1]);
			return 2;
		}
		argv++;
		argc--;
	}
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: bus_stream [--check] [--no-lookahead] "
				"async|fast|fastwide [SECONDS [VCD-FILE]]\n");
		return 2;
	}
	const char *mode = argv[1];
	struct bus_config bc = { .name = "stream", .electrical = BUS_SE,
				 .length_mm = 1000 };
	struct bus_dev_config ic = { .id = 7, .latency = BUS_DEV_DEFAULT_LATENCY };
	ic.no_lookahead = (uint8_t)no_lookahead;
	sim_time_t period = 0;
	unsigned unit = 1;
	if (strcmp(mode, "async") == 0) {
		bc.width = BUS_NARROW;
		bc.speed = BUS_SPEED_SCSI2;
	} else if (strcmp(mode, "fast") == 0) {
		bc.width = BUS_NARROW;
		bc.speed = BUS_SPEED_FAST;
		ic.sync_period = period = 100 * SIM_NS;
		ic.sync_offset = 8;
	} else if (strcmp(mode, "fastwide") == 0) {
		bc.width = BUS_WIDE;
		bc.speed = BUS_SPEED_FAST;
		ic.sync_period = period = 100 * SIM_NS;
		ic.sync_offset = 8;
		ic.wide = 1;
		unit = 2;
	} else {
		fprintf(stderr, "bus_stream: unknown mode '%s'\n", mode);
		return 2;
	}
	double seconds = argc >= 3 ? atof(argv[2]) : 1.0;
	if (!(seconds > 0 && seconds <= 1000)) {
		fprintf(stderr, "bus_stream: SECONDS must be in (0, 1000]\n");
		return 2;
	}
	static struct sim sim;
	static struct stream st;
	sim_init(&sim, 1);
	struct bus *bus;
	if (bus_create(&sim, &bc, &bus) != SN_OK)
		return 1;
	struct bus_dev_config tc = ic;
	tc.id = 0;
	tc.target = &tops;
	struct bus_dev *tgt;
	if (bus_dev_create(bus, "initiator", 0, &ic, &st.ini) != SN_OK ||
	    bus_dev_create(bus, "target", bc.length_mm, &tc, &tgt) != SN_OK)
		return 1;
	for (size_t i = 0; i < CMD_BYTES; i++)
		st.payload[i] = (uint8_t)i;
	struct bus_check *chk = NULL;
	if (check && bus_check_attach(&chk, bus) != SN_OK)
		return 1;
	struct viz_vcd *vcd = NULL;
	if (argc == 4 && (viz_vcd_open(&vcd, &sim, argv[3], VIZ_VCD_1PS) !=
				  SN_OK ||
			  viz_vcd_add_bus(vcd, bus) != SN_OK)) {
		fprintf(stderr, "bus_stream: cannot write %s\n", argv[3]);
		return 1;
	}
	sim_time_t end = (sim_time_t)(seconds * (double)SIM_S);
	st.stop_at = end;
	issue(&st);
	double t0 = bench_seconds();
	sim_run_until(&sim, end);
	if (vcd != NULL) {
		bus_trace_flush(bus);
		char gtkw[4096];
		const struct bus *buses[1] = { bus };
		snprintf(gtkw, sizeof gtkw, "%s.gtkw", argv[3]);
		if (viz_vcd_close(vcd) != SN_OK ||
		    viz_vcd_write_gtkw(argv[3], gtkw, buses, 1) != SN_OK) {
			fprintf(stderr, "bus_stream: error writing %s\n",
				argv[3]);
			return 1;
		}
	}
	double wall = bench_seconds() - t0;
	if (chk != NULL)
		bus_trace_flush(bus);
	uint64_t bytes = bus_dev_stats(tgt)->data_bytes;
	double sim_s = (double)end / (double)SIM_S;
	/* overhead per completed command beyond its data phase at the
	 * agreed rate (async has no fixed rate: report the whole time) */
	double data_us = period ? (double)(CMD_BYTES / unit) *
					  (double)period / (double)SIM_US
				: 0.0;
	double per_cmd_us = st.commands ? (double)st.cmd_time_sum /
						  (double)st.commands /
						  (double)SIM_US
					: 0.0;
	/* no figure per command until one has completed */
	char per_cmd[32] = "na", overhead[32] = "na";
	if (st.commands) {
		snprintf(per_cmd, sizeof per_cmd, "%.2f", per_cmd_us);
		snprintf(overhead, sizeof overhead, "%.2f",
			 period ? per_cmd_us - data_us : per_cmd_us);
	}
	char checked[48] = "";
	if (chk != NULL)
		snprintf(checked, sizeof checked, " violations=%llu",
			 (unsigned long long)bus_check_total(chk));
	printf("bus_stream mode=%s vcd=%s lookahead=%s bytes=%llu "
	       "commands=%llu sim_s=%.4f "
	       "mb_per_s=%.3f cmd_us=%s overhead_us_per_cmd=%s "
	       "wall_s=%.3f rtf=%.2f events=%llu conflicts=%llu%s\n",
	       mode, vcd ? "yes" : "no", no_lookahead ? "off" : "on",
	       (unsigned long long)bytes,
	       (unsigned long long)st.commands, sim_s,
	       (double)bytes / sim_s / 1e6, per_cmd, overhead, wall,
	       sim_s / wall, (unsigned long long)sim_events_run(&sim),
	       (unsigned long long)bus->ahead_conflicts, checked);
	bus_check_detach(chk);
	bus_dev_destroy(st.ini);
	bus_dev_destroy(tgt);
	bus_destroy(bus);
	sim_fini(&sim);
	return 0;
}
