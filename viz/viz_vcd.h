/*
 * viz_vcd.h - Value Change Dump of SCSI bus lines, and a GTKWave save file
 * to view it.
 *
 * The writer is a trace subscriber: it reads the SIM_TR_BUS_LINES records
 * the buses emit (bus/bus.h) and writes them as an IEEE 1364-2001 clause 18
 * four-state VCD file (only 0 and 1 occur).  It never changes the model:
 * it schedules no events, drives nothing and allocates nothing through the
 * sim, so a run gives the same results with or without it.
 *
 * WHAT IS WRITTEN.  One `$scope module <bus name>` per bus, with the
 * logical state of the bus (the OR of all drives, without cable delay):
 *   BSY SEL CD IO MSG REQ ACK ATN RST  1-bit wires, 1 = asserted
 *   DB     8 or 16-bit wire: DB(7-0), or DB(15-0) on a wide bus
 *   DBP    1 bit DB(P) on a narrow bus; 2 bits DB(P1) DB(P) on a wide one
 *   phase  a `$var string` (the GTKWave extension of VCD): the decoded
 *          phase, bus_phase_name() with spaces as underscores, e.g.
 *          sBUS_FREE, sMESSAGE_OUT
 * Vars carry no bit range, so GTKWave knows them as "bus0.DB" etc.  Scope
 * names are the trace-source names of the buses, with anything but
 * letters, digits, '_' and '-' replaced by '_' (GTKWave reads '.' as a
 * hierarchy separator and '[' as a bit range), and "_2", "_3"... appended
 * to a name already used.  `$dumpvars` at time
 * 0 gives every var its idle value (all lines 0, phase BUS_FREE); after
 * that only values that changed are written.  At close a last timestamp
 * marks the time the run reached, so viewers show the final values for
 * their real duration.
 *
 * `$date` holds the seed instead of a wall-clock date: the same scenario
 * and seed give a byte-identical file.
 *
 * TIME.  With VIZ_VCD_1PS every edge is at its exact time.  With
 * VIZ_VCD_1NS times are rounded down to whole nanoseconds, and a var that
 * changes several times within one nanosecond shows only its last value
 * then (a glitch shorter than that may vanish).  Within one timestamp the
 * buses come in the order they were added, each var in the order above.
 *
 * ORDER ACROSS BUSES.  Each bus emits its records in time order but
 * lazily (a future-dated REQ pulse is emitted when the bus next does
 * something), so records of different buses can arrive out of order.  The
 * writer holds each bus's changes in a queue and writes a timestamp only
 * once no added bus can still emit a record for it: a bus with no trace
 * records pending inside it can only emit at the current time or later; a
 * bus with some pending holds the others back to its last record's time.
 * Memory is thus bounded by what happens while one bus sits on a
 * future-dated change.
 *
 * USE.
 *   viz_vcd_open(&v, sim, "run.vcd", VIZ_VCD_1PS);
 *   viz_vcd_add_bus(v, bus0); viz_vcd_add_bus(v, bus1);  // before the run
 *   ... run ...
 *   bus_trace_flush(bus0); bus_trace_flush(bus1);       // the last edges
 *   err = viz_vcd_close(v);                              // before the buses go
 * The header is written when the first record arrives (or at close), after
 * which the set of buses is fixed.  Records from buses not added are
 * ignored and counted (viz_vcd_ignored()).  Every added bus must stay
 * alive until viz_vcd_close().
 *
 * Ownership: the writer is allocated with malloc (it is not a model
 * object) and freed by viz_vcd_close(); it keeps no pointer to `path`.
 */
#ifndef VIZ_VCD_H
#define VIZ_VCD_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "sim.h"

enum viz_vcd_timescale {
	VIZ_VCD_1PS, /* exact: the engine's own resolution */
	VIZ_VCD_1NS, /* rounded down to ns; same-ns changes collapse */
};

struct viz_vcd;

/* Create `path` (truncating it) and subscribe to SIM_TR_BUS_LINES.
 * Errors: SN_EINVAL (NULL argument, unknown timescale), SN_EIO (the file
 * cannot be created), SN_ENOMEM.  On error *out is unchanged. */
enum sn_err viz_vcd_open(struct viz_vcd **out, struct sim *sim,
			 const char *path, enum viz_vcd_timescale ts);

/* Declare a bus: its records will be written, under its own scope.  Call
 * for each bus before the run starts.  Errors: SN_EINVAL (NULL, or a bus
 * of another sim), SN_EEXIST (added already), SN_ESTATE (the header is
 * written: a record has arrived), SN_ENOMEM. */
enum sn_err viz_vcd_add_bus(struct viz_vcd *v, const struct bus *bus);

/* Records of SIM_TR_BUS_LINES from sources that were not added. */
uint64_t viz_vcd_ignored(const struct viz_vcd *v);

/* Write everything held back and the final timestamp (the current sim
 * time), unsubscribe, close the file and free the writer.  Returns SN_OK,
 * SN_EIO if any write or the close failed, or SN_ENOMEM if a change could
 * not be queued during the run (the file then misses changes).  NULL is a
 * no-op.  Must not be called from a trace callback. */
enum sn_err viz_vcd_close(struct viz_vcd *v);

/*
 * Write a GTKWave save file `gtkw_path` that opens `vcd_path` (written as
 * given: a relative path is resolved by GTKWave, not here) and shows, per
 * bus, a group named after the bus with BSY SEL ATN MSG CD IO REQ ACK RST
 * DB DBP phase, DB in hex and the rest in binary.  `buses` must be the
 * buses given to viz_vcd_add_bus(), in the same order, so that the scope
 * names match.  Errors: SN_EINVAL (NULL, or a path containing '"' or a
 * line break, which the save-file syntax cannot quote), SN_EIO.
 */
enum sn_err viz_vcd_write_gtkw(const char *vcd_path, const char *gtkw_path,
			       const struct bus *const *buses, size_t nbuses);

#endif
