/*
 * viz_view.h - the live view: a scenario running in an SDL2 window, with a
 * topology pane (buses, hosts with their SCSI IDs and IP addresses,
 * gateways, the connection holding each bus now) and a logic-analyser
 * pane for the selected bus (one trace per control line, DB as hex, a
 * coloured phase band and the protocol decoded on the timeline:
 * arbitration, selection, messages, CDBs, status), as a bus analyser on
 * the cable would show it (SCSI-2 clause 5; RFC 2143 for the CDB).
 *
 * The model does not know about the view: the view subscribes to the line
 * trace (SIM_TR_BUS_LINES) and keeps, per bus, a ring of the latest edges
 * and decoded annotations (bounded memory), and peeks at the scenario for
 * the topology.  Two front ends draw the same picture:
 *   - viz_view_snapshot() renders offscreen with SDL's software renderer
 *     to a PNG (no window, no display needed): deterministic pixels for
 *     the same scenario, time and size;
 *   - viz_view_window() opens a window and runs the scenario live.
 * The recorder and decoder (viz_view.c) do not use SDL; the drawing and
 * the window (viz_view_draw.c) do.  This header has no SDL types.
 *
 * Ownership: the view belongs to the caller; it keeps pointers to the
 * world, which must outlive it.  Close it before destroying the world.
 */
#ifndef VIZ_VIEW_H
#define VIZ_VIEW_H

#include <stdint.h>

#include "bus.h"
#include "scn_world.h"

struct viz_view;

/* Edges kept per bus (a ring: the oldest are overwritten). */
#define VIZ_VIEW_EDGES 16384u
/* Annotations kept per bus. */
#define VIZ_VIEW_NOTES 1024u
#define VIZ_VIEW_NOTE_LEN 160
/* Data-phase ends kept per bus, for the throughput chart. */
#define VIZ_VIEW_XFERS 8192u
/* Datagrams kept (all buses). */
#define VIZ_VIEW_DGRAMS 512u
/* The strip chart's span when a frame leaves it 0. */
#define VIZ_VIEW_CHART_DEFAULT (100 * SIM_MS)

/* One recorded state of a bus: from t on, its lines were ctl/db and the
 * decoded phase `phase` (enum bus_phase). */
struct viz_view_edge {
	sim_time_t t;
	uint16_t ctl;
	uint16_t db;
	uint8_t phase;
	uint8_t pad_[3];
};

/* What an annotation is. */
enum viz_note_kind {
	VIZ_NOTE_DECODE = 0,   /* a protocol step decoded from the lines */
	VIZ_NOTE_CHECK = 1,    /* a protocol checker finding (drawn red) */
};

/* A decoded protocol step, drawn at time t on the timeline; it spans the
 * phase it decodes, up to t_end.  A checker finding has t == t_end. */
struct viz_view_note {
	sim_time_t t, t_end;
	uint8_t phase;                 /* the phase it belongs to */
	uint8_t kind;                  /* enum viz_note_kind */
	char text[VIZ_VIEW_NOTE_LEN];
};

/* A datagram (IPv4 or address resolution) that crossed a bus, as the
 * receiving host took it (the SIM_TR_PACKET trace, ipstack/ip_trace.h). */
struct viz_view_dgram {
	sim_time_t t;
	int bus, host;                 /* indices in the scenario */
	uint8_t src_id, dst_id;        /* initiator and target SCSI IDs */
	uint16_t ethertype;            /* 0x0800 IPv4, 0x0806 ARP */
	uint32_t ip_src, ip_dst;       /* IPv4: the header's; ARP: sender
					* and target protocol addresses */
	uint8_t proto;                 /* IPv4 protocol; ARP: the operation */
	uint8_t forwards;              /* the host is a gateway and the
					* datagram is not for it */
	uint32_t len;                  /* bytes of the datagram */
};

/* Open a view on every bus of `w` (subscribes to its sim's line trace).
 * Errors: SN_EINVAL, SN_ENOMEM. */
enum sn_err viz_view_open(struct scn_world *w, struct viz_view **out);
void viz_view_close(struct viz_view *v);

/* Run the world up to time t (>= now) and flush the buses' traces, so
 * that every edge up to t has been recorded. */
void viz_view_advance(struct viz_view *v, sim_time_t t);

/* What viz_view_step() waits for. */
enum viz_step {
	VIZ_STEP_EDGE = 0,     /* a new edge */
	VIZ_STEP_PHASE = 1,    /* a new phase */
	VIZ_STEP_COMMAND = 2,  /* a connection ended (back to BUS FREE) */
	VIZ_STEP_DATAGRAM = 3, /* a datagram was received */
};

/* Run the world event by event until bus `bus` (-1: any bus) has a new
 * edge, a new phase, has finished a connection or carried a datagram
 * (`what`, enum viz_step), or until time `limit`.  Returns 1 if it
 * happened, 0 if `limit` or the end of events came first. */
int viz_view_step(struct viz_view *v, int bus, int what, sim_time_t limit);

int viz_view_bus_count(const struct viz_view *v);
/* The index of the bus named `name`, or -1. */
int viz_view_bus_find(const struct viz_view *v, const char *name);
const char *viz_view_bus_name(const struct viz_view *v, int bus);

/* Edges of bus `b` by sequence number (0 = the first ever recorded).
 * viz_view_edge_count() is one past the latest; viz_view_edge() returns
 * NULL for a sequence number no longer (or not yet) in the ring.
 * viz_view_edge_at() gives the sequence number of the latest edge at or
 * before t, or UINT64_MAX if there is none in the ring. */
uint64_t viz_view_edge_count(const struct viz_view *v, int b);
const struct viz_view_edge *viz_view_edge(const struct viz_view *v, int b,
					  uint64_t seq);
uint64_t viz_view_edge_at(const struct viz_view *v, int b, sim_time_t t);
/* The phase of bus b at time t as the ring knows it; BUS_PH_COUNT_ if the
 * ring no longer reaches back that far. */
enum bus_phase viz_view_phase_at(const struct viz_view *v, int b,
				 sim_time_t t);

/* Annotations, the same way. */
uint64_t viz_view_note_count(const struct viz_view *v, int b);
const struct viz_view_note *viz_view_note(const struct viz_view *v, int b,
					  uint64_t seq);

/* Data bytes (DATA OUT and DATA IN phases) bus b had carried by time t;
 * a data phase's bytes are known when it ends, and spread evenly over
 * its span; UINT64_MAX if the ring no longer reaches back to t. */
uint64_t viz_view_data_bytes(const struct viz_view *v, int b, sim_time_t t);

/* Datagrams, by sequence number as for edges (all buses). */
uint64_t viz_view_dgram_count(const struct viz_view *v);
const struct viz_view_dgram *viz_view_dgram(const struct viz_view *v,
					    uint64_t seq);
/* How many datagrams host h (a scenario index) has received to forward,
 * and when the latest came (SIM_TIME_MAX: never). */
uint64_t viz_view_forwards(const struct viz_view *v, int h,
			   sim_time_t *last);

/* Who holds bus b now: initiator and target (-1 when not known), and the
 * phase.  While selecting, the target is the one being selected. */
void viz_view_connection(const struct viz_view *v, int b, int *initiator,
			 int *target, enum bus_phase *phase);

struct scn_world *viz_view_world(const struct viz_view *v);

/* --- drawing (viz_view_draw.c, SDL2) --- */

/* What one picture shows. */
struct viz_view_frame {
	int width, height;        /* pixels */
	int bus;                  /* the bus in the analyser pane */
	sim_time_t end;           /* the timeline's right edge */
	sim_time_t window;        /* ... showing [end - window, end] */
	sim_time_t chart;         /* the strip chart's span, ending at end
				   * (0: VIZ_VIEW_CHART_DEFAULT) */
	int host;                 /* the selected host (framed, and its
				   * addresses and counts in the status
				   * bar), -1 for none */
};

/* Where things are in a picture of width x height (for tests, and the
 * mouse): the timeline spans x in [tl_x0, tl_x1); line k's trace (bit k
 * of enum bus_line) is drawn at y line_hi[k] when asserted and line_lo[k]
 * when not; the phase band covers y in [band_y0, band_y1); the topology
 * pane is x < topo_x1. */
struct viz_view_geom {
	int tl_x0, tl_x1;
	int line_hi[BUS_NLINES], line_lo[BUS_NLINES];
	int data_y0, data_y1;
	int band_y0, band_y1;
	int note_y0, note_y1;
	int topo_x1;
	int top_h;                 /* the status bar at the top */
	int topo_y1;               /* the bus rows end here; below them: */
	int chart_x0, chart_x1, chart_y0, chart_y1; /* the strip chart */
	int dgram_y0, dgram_y1;    /* the latest datagrams */
};
void viz_view_geometry(int width, int height, struct viz_view_geom *g);
/* The strip chart: `nrows` rows (at most VIZ_VIEW_CHART_ROWS; the
 * selected bus first, then the others in order); row i spans y in
 * [*y0, *y1), its baseline at *y1 - 1.  Bars are VIZ_VIEW_CHART_BIN
 * pixels wide, the newest ending at chart_x1. */
#define VIZ_VIEW_CHART_ROWS 8
#define VIZ_VIEW_CHART_BIN 3
void viz_view_chart_row(const struct viz_view_geom *g, int nrows, int i,
			int *y0, int *y1);
/* How many chart rows a view with nbus buses shows in this geometry. */
int viz_view_chart_rows(const struct viz_view_geom *g, int nbus);
/* The x of time t in a frame (may lie outside the timeline). */
int viz_view_time_x(const struct viz_view_geom *g,
		    const struct viz_view_frame *f, sim_time_t t);
/* The colours, 0xRRGGBB: of a phase in the band (BUS_PH_COUNT_: unknown),
 * of an asserted line trace, of the background behind the traces. */
uint32_t viz_view_phase_rgb(enum bus_phase ph);
#define VIZ_VIEW_TRACE_RGB 0x40e040u
#define VIZ_VIEW_BG_RGB 0x101418u
#define VIZ_VIEW_CHECK_RGB 0xff3030u  /* checker findings */
#define VIZ_VIEW_CHART_RGB 0x3090ffu  /* throughput bars */

/* Render a frame offscreen (software renderer, no window, no display) to
 * a PNG file.  Errors: SN_EINVAL (bad frame), SN_EIO (cannot write),
 * SN_ENOMEM, SN_ESTATE (SDL failed). */
enum sn_err viz_view_snapshot(struct viz_view *v,
			      const struct viz_view_frame *f,
			      const char *png);

/* Options of the live window.  `speed` is simulated time per wall second
 * at the start (0: 20us), `window` the timeline's span (0: 50us), `until`
 * where the run stops; `frames` > 0 closes the window after that many
 * frames (tests). */
struct viz_view_live {
	int bus;
	sim_time_t window;
	sim_time_t speed;
	sim_time_t until;
	int width, height;
	long frames;
	int start_paused;
	sim_time_t chart;         /* the strip chart's span (0: default) */
	int host;                 /* selected at the start, -1 none */
	const char *dump_png;     /* if set: the last frame is saved there */
	const char *keys;         /* scripted key presses, one per frame
				   * (tests): letters, "{tab}", "{up}",
				   * "{down}", "{left}", "{right}", "{end}",
				   * "{space}"; "{resize}" shrinks the
				   * window to 3/4 of its size;
				   * "{click:X,Y}" clicks there */
};
/* Open a window and run the scenario live until it is closed (q, Esc,
 * the window's close button).  Errors: SN_EINVAL, SN_ESTATE (no display,
 * SDL failed), SN_EIO (dump_png not written), SN_ENOMEM. */
enum sn_err viz_view_window(struct viz_view *v,
			    const struct viz_view_live *opt);

/* The SDL error text after a failure (or ""). */
const char *viz_view_sdl_error(void);

#endif
