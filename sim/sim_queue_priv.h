/*
 * sim_queue_priv.h - the pending-event queue behind sim.c.
 *
 * Two implementations share this interface, chosen at compile time:
 *   sim_queue_ladder.c  ladder queue (default; SIM_QUEUE_LADDER)
 *   sim_queue_heap.c    cache-aligned d-ary heap (SIM_QUEUE_HEAP)
 * bench/queue_bench measures both; bench/README.md has the figures behind
 * the default.  Both order events by (time, seq) exactly; the engine sets
 * ev->time and ev->seq before inserting.
 */
#ifndef SIM_QUEUE_PRIV_H
#define SIM_QUEUE_PRIV_H

#include "sim.h"

enum sn_err sq_init(struct sim_queue *q);
/* Free the queue; every event still in it is left idle. */
void sq_fini(struct sim_queue *q);
/* Insert an idle event (ev->time, ev->seq set).  SN_ENOMEM leaves it idle. */
enum sn_err sq_insert(struct sim_queue *q, struct sim_event *ev);
/* Remove a pending event; it becomes idle. */
void sq_remove(struct sim_queue *q, struct sim_event *ev);
/* Reposition a pending event whose time and seq were just changed. */
void sq_moved(struct sim_queue *q, struct sim_event *ev);
/* The earliest pending event, or NULL.  May reorganise the queue
 * internally; the order it presents never changes. */
struct sim_event *sq_first(struct sim_queue *q);
/* Remove the event sq_first() just returned; it becomes idle. */
void sq_pop_first(struct sim_queue *q);

#endif
