/*
 * sim_trace.h - the trace hub: the model's one way of being watched.
 *
 * Model code emits typed records (time, source, kind, payload); observers
 * (VCD and pcap writers, statistics, the live view, the protocol checker,
 * tests) subscribe to the kinds they want.  The model never knows who
 * watches.  With no subscriber for a kind, sim_trace_emit() costs one
 * branch: the hub keeps the OR of all subscribers' masks.
 *
 * Ownership: a record and its payload belong to the emitter and are valid
 * only during the subscriber callback; a subscriber that wants to keep
 * anything copies it.  Subscriber structs are owned by the subscriber and
 * must stay alive until sim_trace_unsubscribe() or sim_destroy().
 *
 * Reentrancy: a subscriber callback may emit further records (they are
 * delivered immediately, depth first) but must not subscribe or
 * unsubscribe anyone during delivery.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "sim_time.h"
#include "sn_error.h"

struct sim;

/* Record kinds; each later layer owns its own.  Payload layouts are
 * declared by the layer that emits them. */
enum sim_trace_kind {
	SIM_TR_LOG = 0,     /* free text: payload is a NUL-terminated string */
	SIM_TR_EVENT,       /* engine: an event is about to run (debugging) */
	SIM_TR_BUS_LINES,   /* bus/: visible control lines or data changed */
	SIM_TR_BUS_PHASE,   /* bus/: decoded bus phase changed */
	SIM_TR_BUS_PROTO,   /* bus/: protocol step (arbitration won, message) */
	SIM_TR_BUS_CHECK,   /* bus/: protocol checker found a violation */
	SIM_TR_REG,         /* hostadapter/: chip register access */
	SIM_TR_IRQ,         /* hostadapter/: interrupt line changed */
	SIM_TR_PACKET,      /* ipstack/: a datagram was sent/received/dropped */
	SIM_TR_KIND_COUNT_  /* number of kinds; at most 64 */
};

#define SIM_TR_MASK(kind) ((uint64_t)1 << (kind))
#define SIM_TR_MASK_ALL ((SIM_TR_MASK(SIM_TR_KIND_COUNT_ - 1) << 1) - 1)

/* Identifies who emitted a record; names are registered with the hub. */
typedef uint32_t sim_trace_source_t;

struct sim_trace_record {
	sim_time_t time;            /* simulated time of the emission */
	sim_trace_source_t source;  /* from sim_trace_source_add() */
	uint16_t kind;              /* enum sim_trace_kind */
	uint16_t flags;             /* meaning defined per kind */
	uint32_t len;               /* payload length in bytes */
	const void *data;           /* payload; owned by the emitter */
};

struct sim_trace_sub;
/* Called for each record whose kind is in the subscriber's mask. */
typedef void (*sim_trace_fn)(const struct sim_trace_record *rec, void *arg);

/* Subscriber; caller-owned (embed it).  Fields are private to the hub. */
struct sim_trace_sub {
	sim_trace_fn fn;
	void *arg;
	uint64_t mask;
	struct sim_trace_sub *next;
};

/* The hub as embedded in struct sim.  Fields are private. */
struct sim_trace_hub {
	uint64_t mask;                 /* OR of all subscribers' masks */
	struct sim_trace_sub *subs;    /* in subscription order */
	char **source_names;           /* index = source id */
	uint32_t source_count, source_cap;
};

/* Register a source name (copied); returns its id through *id.
 * Names need not be unique, but a unique name helps readers. */
enum sn_err sim_trace_source_add(struct sim *sim, const char *name,
				 sim_trace_source_t *id);

/* The name given for `id`, or NULL if there is none. */
const char *sim_trace_source_name(const struct sim *sim,
				  sim_trace_source_t id);
uint32_t sim_trace_source_count(const struct sim *sim);

/* Start delivering records whose kind is in `mask` (SIM_TR_MASK(...) ORed)
 * to fn(rec, arg).  Subscribers are called in subscription order. */
void sim_trace_subscribe(struct sim *sim, struct sim_trace_sub *sub,
			 uint64_t mask, sim_trace_fn fn, void *arg);
void sim_trace_unsubscribe(struct sim *sim, struct sim_trace_sub *sub);

/* Is anyone watching `kind`?  Lets emitters skip building a payload. */
static inline int sim_trace_wants(const struct sim_trace_hub *hub,
				  unsigned kind)
{
	return (hub->mask >> kind) & 1;
}

/* Out-of-line delivery; call sim_trace_emit() instead. */
void sim_trace_deliver_(struct sim_trace_hub *hub,
			const struct sim_trace_record *rec);

#endif
