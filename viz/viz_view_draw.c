/*
 * viz_view_draw.c - the live view's pictures (see viz_view.h), with SDL2
 * and SDL2_ttf: one drawing routine for both the offscreen snapshot (a
 * software renderer on a surface, saved with SDL2_image as PNG: no
 * window, no display) and the live window with its keys.
 *
 * The layout is fixed and scales with the picture: a status bar on top,
 * the topology pane on the left (one row per bus, its devices with SCSI
 * ID and IP address, gateways marked, the initiator and target of the
 * connection holding the bus lit), the logic-analyser pane on the right
 * (the nine control lines of SCSI-2 Table 6, DB in hex, the phase band
 * coloured per SCSI-2 5.1 phase, the decoded steps, a time axis and the
 * colour legend).  Nothing depends on the wall clock but the window's
 * pace, so a snapshot is the same pixels for the same inputs.
 */
#include "viz_view.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn.h"

/* The control lines in the order an analyser lists them. */
static const uint16_t line_order[BUS_NLINES] = {
	BUS_BSY, BUS_SEL, BUS_ATN, BUS_MSG, BUS_CD,
	BUS_IO,  BUS_REQ, BUS_ACK, BUS_RST,
};

static const char *const font_paths[] = {
	"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/freefont/FreeMono.ttf",
};

#define VIZ_VIEW_IDS 16 /* SCSI IDs on a wide bus */
#define TEXT_RGB 0xd8d8d8u
#define DIM_RGB 0x8090a0u
#define PANE_RGB 0x1a2028u
#define SEL_RGB 0x80c0ffu
#define INI_RGB 0x40d040u
#define TGT_RGB 0xffa030u
#define GW_RGB 0xc080ffu
#define DEV_RGB 0x405060u

uint32_t viz_view_phase_rgb(enum bus_phase ph)
{
	switch (ph) {
	case BUS_PH_DATA_OUT: return 0x2a6fffu;
	case BUS_PH_DATA_IN: return 0x20b8c8u;
	case BUS_PH_COMMAND: return 0xe0a020u;
	case BUS_PH_STATUS: return 0xa060e0u;
	case BUS_PH_MSG_OUT: return 0xe04848u;
	case BUS_PH_MSG_IN: return 0xf090a0u;
	case BUS_PH_RESERVED_4:
	case BUS_PH_RESERVED_5: return 0x707070u;
	case BUS_PH_BUS_FREE: return 0x2c343cu;
	case BUS_PH_ARBITRATION: return 0xd8d040u;
	case BUS_PH_SELECTION: return 0x50c050u;
	case BUS_PH_RESELECTION: return 0x2c9068u;
	case BUS_PH_RESET: return 0xff2020u;
	default: return 0x585858u; /* unknown: older than the ring */
	}
}

void viz_view_geometry(int width, int height, struct viz_view_geom *g)
{
	memset(g, 0, sizeof *g);
	g->top_h = height / 28 > 18 ? height / 28 : 18;
	g->topo_x1 = width * 36 / 100;
	int label_w = (width - g->topo_x1) / 12;
	if (label_w < 36)
		label_w = 36;
	g->tl_x0 = g->topo_x1 + label_w;
	g->tl_x1 = width - 10;
	if (g->tl_x1 <= g->tl_x0)
		g->tl_x1 = g->tl_x0 + 1;
	/* rows, in units: a title 1, nine lines 9, DB 1.5, the band 1, four
	 * note lanes 4, the axis 1, the legend 1: 18.5 units */
	int y0 = g->top_h + 4;
	int avail = height - y0 - 4;
	int u = avail * 2 / 37;
	if (u < 4)
		u = 4;
	int y = y0 + u;
	for (int r = 0; r < BUS_NLINES; r++) {
		int bit = __builtin_ctz(line_order[r]);
		g->line_hi[bit] = y + u / 5;
		g->line_lo[bit] = y + u - u / 5;
		y += u;
	}
	g->data_y0 = y + u / 5;
	g->data_y1 = y + u * 3 / 2 - u / 5;
	y += u * 3 / 2;
	g->band_y0 = y;
	g->band_y1 = y + u;
	y += u;
	g->note_y0 = y;
	g->note_y1 = y + 4 * u;
	/* the topology pane: bus rows on the upper half, the strip chart
	 * and the datagram list share the rest */
	int py0 = g->top_h + 4, py1 = height - 4;
	g->topo_y1 = py0 + (py1 - py0) / 2;
	g->chart_x0 = 6 + 44;
	g->chart_x1 = g->topo_x1 - 8;
	if (g->chart_x1 <= g->chart_x0)
		g->chart_x1 = g->chart_x0 + 1;
	g->chart_y0 = g->topo_y1 + 6;
	g->chart_y1 = g->chart_y0 + (py1 - g->chart_y0) / 2;
	g->dgram_y0 = g->chart_y1 + 4;
	g->dgram_y1 = py1;
}

/* The chart's title line takes the first 14 pixels, each row at least
 * 12. */
#define CHART_TITLE_H 14
#define CHART_ROW_MIN 12

int viz_view_chart_rows(const struct viz_view_geom *g, int nbus)
{
	int room = (g->chart_y1 - g->chart_y0 - CHART_TITLE_H) / CHART_ROW_MIN;
	int n = nbus < VIZ_VIEW_CHART_ROWS ? nbus : VIZ_VIEW_CHART_ROWS;
	return n < room ? n : room > 0 ? room : 0;
}

void viz_view_chart_row(const struct viz_view_geom *g, int nrows, int i,
			int *y0, int *y1)
{
	int top = g->chart_y0 + CHART_TITLE_H;
	int h = nrows > 0 ? (g->chart_y1 - top) / nrows : 0;
	*y0 = top + i * h;
	*y1 = top + (i + 1) * h - 2;
}

int viz_view_time_x(const struct viz_view_geom *g,
		    const struct viz_view_frame *f, sim_time_t t)
{
	sim_time_t t0 = f->end > f->window ? f->end - f->window : 0;
	double span = (double)(g->tl_x1 - g->tl_x0);
	double rel = ((double)t - (double)t0) / (double)f->window;
	double x = g->tl_x0 + rel * span;
	if (x < -1e6)
		x = -1e6;
	if (x > 1e6)
		x = 1e6;
	return (int)(x < 0 ? x - 0.5 : x + 0.5);
}

/* --- a drawing context ---------------------------------------------------- */

struct drawer {
	SDL_Renderer *r;
	TTF_Font *font;
	int font_size;
	int line_h;
};

/* Why the window could not be had, kept past SDL_Quit (which clears
 * SDL's own message). */
static char why_not[256];

const char *viz_view_sdl_error(void)
{
	if (why_not[0])
		return why_not;
	const char *e = SDL_GetError();
	return e ? e : "";
}

static void set_rgb(struct drawer *d, uint32_t rgb, uint8_t a)
{
	SDL_SetRenderDrawColor(d->r, (uint8_t)(rgb >> 16), (uint8_t)(rgb >> 8),
			       (uint8_t)rgb, a);
}

static void fill(struct drawer *d, int x, int y, int w, int h, uint32_t rgb)
{
	if (w <= 0 || h <= 0)
		return;
	SDL_Rect rc = { x, y, w, h };
	set_rgb(d, rgb, 255);
	SDL_RenderFillRect(d->r, &rc);
}

static void frame_rect(struct drawer *d, int x, int y, int w, int h,
		       uint32_t rgb)
{
	SDL_Rect rc = { x, y, w, h };
	set_rgb(d, rgb, 255);
	SDL_RenderDrawRect(d->r, &rc);
}

static void hline(struct drawer *d, int x0, int x1, int y, uint32_t rgb)
{
	set_rgb(d, rgb, 255);
	SDL_RenderDrawLine(d->r, x0, y, x1, y);
}

static void vline(struct drawer *d, int x, int y0, int y1, uint32_t rgb)
{
	set_rgb(d, rgb, 255);
	SDL_RenderDrawLine(d->r, x, y0, x, y1);
}

/* Open the font at `size` points (kept while the size stays). */
static void font_size(struct drawer *d, int size)
{
	if (size < 7)
		size = 7;
	if (d->font && d->font_size == size)
		return;
	if (d->font)
		TTF_CloseFont(d->font);
	d->font = NULL;
	const char *env = getenv("SCSINET_FONT");
	if (env && *env)
		d->font = TTF_OpenFont(env, size);
	for (size_t i = 0; !d->font && i < sizeof font_paths /
						     sizeof font_paths[0];
	     i++)
		d->font = TTF_OpenFont(font_paths[i], size);
	d->font_size = size;
	d->line_h = d->font ? TTF_FontLineSkip(d->font) : size + 2;
}

static int text_w(struct drawer *d, const char *s)
{
	int w = 0, h = 0;
	if (d->font == NULL || *s == '\0' || TTF_SizeUTF8(d->font, s, &w, &h))
		return (int)strlen(s) * d->font_size * 6 / 10;
	return w;
}

/* Draw s with its top-left corner at (x, y); align 1 centres it on x,
 * 2 ends it at x.  Returns its width.  Without a font nothing is drawn. */
static int text(struct drawer *d, int x, int y, uint32_t rgb, const char *s,
		int align)
{
	if (d->font == NULL || s == NULL || *s == '\0')
		return 0;
	SDL_Color c = { (uint8_t)(rgb >> 16), (uint8_t)(rgb >> 8), (uint8_t)rgb,
			255 };
	SDL_Surface *surf = TTF_RenderUTF8_Blended(d->font, s, c);
	if (surf == NULL)
		return 0;
	SDL_Texture *tex = SDL_CreateTextureFromSurface(d->r, surf);
	int w = surf->w;
	if (tex) {
		SDL_Rect dst = { align == 1 ? x - w / 2 : align == 2 ? x - w : x,
				 y, w, surf->h };
		SDL_RenderCopy(d->r, tex, NULL, &dst);
		SDL_DestroyTexture(tex);
	}
	SDL_FreeSurface(surf);
	return w;
}

/* --- the panes -------------------------------------------------------------- */

static void ip_text(uint32_t a, uint8_t plen, char *buf, size_t n)
{
	snprintf(buf, n, "%u.%u.%u.%u/%u", a >> 24 & 255u, a >> 16 & 255u,
		 a >> 8 & 255u, a & 255u, plen);
}

/* The devices on bus b in ID order: host and adapter indices.  Returns
 * how many. */
static int bus_devices(const struct scn *s, int b, int *host, int *adapter)
{
	int n = 0;
	for (int id = 0; id < VIZ_VIEW_IDS; id++)
		for (int h = 0; h < s->nhosts; h++)
			for (int k = 0; k < s->hosts[h].nadapters; k++)
				if (s->hosts[h].adapters[k].bus == b &&
				    s->hosts[h].adapters[k].id == id &&
				    n < VIZ_VIEW_IDS) {
					host[n] = h;
					adapter[n++] = k;
				}
	return n;
}

/* Where bus b sits in the topology pane: a row in one of `cols` columns
 * (more columns when the buses would not leave room for their names). */
struct topo_cell {
	int x0, x1, y, row;
};

static int topo_cols(const struct viz_view_geom *g, int nb, int lh)
{
	int avail = g->topo_y1 - (g->top_h + 4);
	for (int c = 1; c < 4; c++)
		if ((nb + c - 1) / c * (2 * lh + 10) <= avail)
			return c;
	return 4;
}

static void topo_cell(const struct viz_view_geom *g, int nb, int cols, int b,
		      struct topo_cell *c)
{
	int rows = (nb + cols - 1) / cols;
	int y0 = g->top_h + 4;
	int rowh = (g->topo_y1 - y0) / rows;
	int colw = (g->topo_x1 - 6) / cols;
	c->x0 = 6 + (b / rows) * colw;
	c->x1 = c->x0 + colw - 6;
	c->y = y0 + (b % rows) * rowh;
	c->row = rowh;
}

/* The topology pane: a row per bus, its devices in ID order. */
static void draw_topology(struct drawer *d, struct viz_view *v,
			  const struct viz_view_geom *g, int height, int sel,
			  const struct viz_view_frame *f)
{
	const struct scn *s = scn_world_scenario(viz_view_world(v));
	int nb = viz_view_bus_count(v);
	fill(d, 0, g->top_h, g->topo_x1, height - g->top_h, PANE_RGB);
	if (nb == 0)
		return;
	int lh = d->line_h;
	int cols = topo_cols(g, nb, lh);
	for (int b = 0; b < nb; b++) {
		struct topo_cell cell;
		topo_cell(g, nb, cols, b, &cell);
		int x0 = cell.x0, x1 = cell.x1, y = cell.y, row = cell.row;
		int ini, tgt;
		enum bus_phase ph;
		viz_view_connection(v, b, &ini, &tgt, &ph);
		if (b == sel)
			frame_rect(d, x0 - 3, y, x1 - x0 + 6, row - 2, SEL_RGB);
		char head[96];
		if (ini >= 0 || tgt >= 0)
			snprintf(head, sizeof head, "%s  %d -> %d  %s",
				 viz_view_bus_name(v, b), ini, tgt,
				 bus_phase_name(ph));
		else
			snprintf(head, sizeof head, "%s  %s",
				 viz_view_bus_name(v, b), bus_phase_name(ph));
		int show_text = row >= lh * 2;
		if (show_text) {
			SDL_Rect hc = { x0, y, x1 - x0, lh + 2 };
			SDL_RenderSetClipRect(d->r, &hc);
			text(d, x0, y + 1, b == sel ? SEL_RGB : TEXT_RGB, head,
			     0);
			SDL_RenderSetClipRect(d->r, NULL);
		}
		/* the cable, and a box per device below it */
		int cy = show_text ? y + lh + 3 : y + row / 4;
		hline(d, x0, x1, cy, 0x90a0b0u);
		int dh[VIZ_VIEW_IDS], dk[VIZ_VIEW_IDS];
		int ndev = bus_devices(s, b, dh, dk);
		if (ndev == 0)
			continue;
		int slot = (x1 - x0) / ndev;
		int bw = slot - 4 < 150 ? slot - 4 : 150;
		int bh = row - (cy - y) - 8;
		if (bh > lh * 3 + 6)
			bh = lh * 3 + 6;
		if (bh < 3)
			bh = 3;
		for (int i = 0; i < ndev; i++) {
			int h = dh[i];
			const struct scn_host *sh = &s->hosts[h];
			const struct scn_adapter *a = &sh->adapters[dk[i]];
			int id = a->id;
			int bx = x0 + i * slot + 2;
			int by = cy + 4;
			vline(d, bx + bw / 2, cy, by, 0x90a0b0u);
			uint32_t c = id == ini	 ? INI_RGB
				     : id == tgt ? TGT_RGB
						 : DEV_RGB;
			int gw = sh->nadapters > 1 || sh->forwarding;
			sim_time_t last;
			uint64_t nfwd = viz_view_forwards(v, h, &last);
			/* lit while a datagram it forwarded is in the
			 * timeline's window */
			int hot = gw && last != SIM_TIME_MAX && last <= f->end &&
				  f->end - last <= f->window;
			fill(d, bx, by, bw, bh, c);
			if (gw) {
				frame_rect(d, bx, by, bw, bh, GW_RGB);
				if (hot)
					frame_rect(d, bx + 1, by + 1, bw - 2,
						   bh - 2, GW_RGB);
			}
			if (h == f->host) {
				/* the selected host, on each of its buses */
				frame_rect(d, bx - 2, by - 2, bw + 4, bh + 4,
					   SEL_RGB);
				frame_rect(d, bx - 3, by - 3, bw + 6, bh + 6,
					   SEL_RGB);
			}
			if (bh < lh)
				continue;
			SDL_Rect bc = { bx, by, bw - 1, bh };
			SDL_RenderSetClipRect(d->r, &bc);
			char t1[80], t2[40];
			if (gw && nfwd)
				snprintf(t1, sizeof t1, "%d %s GW %llu fwd", id,
					 sh->name, (unsigned long long)nfwd);
			else
				snprintf(t1, sizeof t1, "%d %s%s", id,
					 sh->name, gw ? " GW" : "");
			uint32_t tc = c == DEV_RGB ? TEXT_RGB : 0x101010u;
			text(d, bx + 2, by + 1, tc, t1, 0);
			if (bh >= 2 * lh) {
				ip_text(a->addr, a->plen, t2, sizeof t2);
				text(d, bx + 2, by + 1 + lh, tc, t2, 0);
			}
			SDL_RenderSetClipRect(d->r, NULL);
		}
	}
}

/* The state of bus b in effect at time t: the latest edge at or before
 * it (or all lines off, BUS FREE, before the first). */
static struct viz_view_edge state_at(struct viz_view *v, int b, sim_time_t t,
				     uint64_t *next)
{
	struct viz_view_edge e = { .t = 0, .phase = BUS_PH_BUS_FREE };
	uint64_t s = viz_view_edge_at(v, b, t);
	uint64_t n = viz_view_edge_count(v, b);
	if (s != UINT64_MAX) {
		e = *viz_view_edge(v, b, s);
		*next = s + 1;
	} else {
		e.phase = (uint8_t)viz_view_phase_at(v, b, t);
		*next = n > VIZ_VIEW_EDGES ? n - VIZ_VIEW_EDGES : 0;
	}
	return e;
}

static void draw_analyser(struct drawer *d, struct viz_view *v,
			  const struct viz_view_geom *g,
			  const struct viz_view_frame *f, int width, int height)
{
	int b = f->bus;
	sim_time_t t0 = f->end > f->window ? f->end - f->window : 0;
	sim_time_t t1 = f->end;
	int xa = g->tl_x0, xb = g->tl_x1;
	fill(d, g->topo_x1, g->top_h, width - g->topo_x1, height - g->top_h,
	     VIZ_VIEW_BG_RGB);
	/* title */
	char title[160], w[SIM_TIME_FORMAT_MAX];
	sim_time_format(f->window, w, sizeof w);
	snprintf(title, sizeof title, "%s: the last %s", viz_view_bus_name(v, b),
		 w);
	text(d, g->topo_x1 + 6, g->top_h + 2, SEL_RGB, title, 0);
	/* labels */
	int lx = g->topo_x1 + 6;
	for (int r = 0; r < BUS_NLINES; r++) {
		int bit = __builtin_ctz(line_order[r]);
		int ym = (g->line_hi[bit] + g->line_lo[bit]) / 2;
		text(d, lx, ym - d->line_h / 2, TEXT_RGB,
		     bus_line_name(line_order[r]), 0);
	}
	text(d, lx, (g->data_y0 + g->data_y1) / 2 - d->line_h / 2, TEXT_RGB,
	     "DB", 0);
	text(d, lx, (g->band_y0 + g->band_y1) / 2 - d->line_h / 2, TEXT_RGB,
	     "phase", 0);
	if (b < 0 || b >= viz_view_bus_count(v))
		return;
	SDL_Rect clip = { xa, g->top_h, xb - xa + 1, height - g->top_h };
	SDL_RenderSetClipRect(d->r, &clip);
	uint64_t seq;
	struct viz_view_edge cur = state_at(v, b, t0, &seq);
	uint64_t n = viz_view_edge_count(v, b);
	/* per line: level and the x where it began */
	int lvl[BUS_NLINES], from[BUS_NLINES];
	for (int k = 0; k < BUS_NLINES; k++) {
		lvl[k] = cur.ctl >> k & 1;
		from[k] = xa;
	}
	int band_from = xa, data_from = xa;
	enum bus_phase band_ph = (enum bus_phase)cur.phase;
	uint16_t data = cur.db;
	int data_valid = cur.phase != BUS_PH_BUS_FREE;
	char hex[8];
	int wide = scn_world_bus(viz_view_world(v), b)->width == BUS_WIDE;
	for (;; seq++) {
		const struct viz_view_edge *e =
			seq < n ? viz_view_edge(v, b, seq) : NULL;
		int end = e == NULL || e->t > t1;
		int x = end ? xb : viz_view_time_x(g, f, e->t);
		if (x < xa)
			x = xa;
		if (x > xb)
			x = xb;
		uint16_t ctl = end ? 0 : e->ctl;
		for (int k = 0; k < BUS_NLINES; k++) {
			int nl = ctl >> k & 1;
			if (!end && nl == lvl[k])
				continue;
			hline(d, from[k], x, lvl[k] ? g->line_hi[k]
						    : g->line_lo[k],
			      VIZ_VIEW_TRACE_RGB);
			if (lvl[k])
				hline(d, from[k], x, g->line_hi[k] + 1,
				      VIZ_VIEW_TRACE_RGB);
			if (end)
				continue;
			vline(d, x, g->line_hi[k], g->line_lo[k],
			      VIZ_VIEW_TRACE_RGB);
			lvl[k] = nl;
			from[k] = x;
		}
		if (end || (enum bus_phase)e->phase != band_ph) {
			fill(d, band_from, g->band_y0, x - band_from + 1,
			     g->band_y1 - g->band_y0,
			     viz_view_phase_rgb(band_ph));
			if (!end) {
				band_ph = (enum bus_phase)e->phase;
				band_from = x;
			}
		}
		if (end || e->db != data ||
		    (e->phase != BUS_PH_BUS_FREE) != data_valid) {
			int ym = (g->data_y0 + g->data_y1) / 2;
			if (data_valid) {
				hline(d, data_from + 1, x - 1, g->data_y0,
				      0xc0c0c0u);
				hline(d, data_from + 1, x - 1, g->data_y1,
				      0xc0c0c0u);
				snprintf(hex, sizeof hex, "%0*X", wide ? 4 : 2,
					 data);
				if (x - data_from > text_w(d, hex) + 4)
					text(d, (data_from + x) / 2,
					     ym - d->line_h / 2, TEXT_RGB, hex,
					     1);
			} else {
				hline(d, data_from, x, ym, 0x606060u);
			}
			if (!end) {
				vline(d, x, g->data_y0, g->data_y1,
				      0xc0c0c0u);
				data = e->db;
				data_valid = e->phase != BUS_PH_BUS_FREE;
				data_from = x;
			}
		}
		if (end)
			break;
	}
	/* the decoded steps, in lanes */
	int lanes = 4, lane_h = (g->note_y1 - g->note_y0) / lanes;
	int lane_end[4] = { INT_MIN, INT_MIN, INT_MIN, INT_MIN };
	uint64_t nn = viz_view_note_count(v, b);
	uint64_t s0 = nn > VIZ_VIEW_NOTES ? nn - VIZ_VIEW_NOTES : 0;
	for (uint64_t i = s0; i < nn; i++) {
		const struct viz_view_note *nt = viz_view_note(v, b, i);
		if (nt == NULL || nt->t > t1 || nt->t_end < t0)
			continue;
		int x = viz_view_time_x(g, f, nt->t < t0 ? t0 : nt->t);
		int tw = text_w(d, nt->text);
		int l = 0;
		while (l < lanes && lane_end[l] >= x)
			l++;
		if (l == lanes)
			l = lanes - 1; /* crowded: overdraw the last lane */
		int y = g->note_y0 + l * lane_h;
		uint32_t c = viz_view_phase_rgb((enum bus_phase)nt->phase);
		if (nt->kind == VIZ_NOTE_CHECK) {
			/* a finding: red, through the traces down to it */
			c = VIZ_VIEW_CHECK_RGB;
			vline(d, x, g->line_hi[0] - 2, g->band_y1, c);
		}
		vline(d, x, g->band_y1, y + lane_h - 2, c);
		text(d, x + 3, y + (lane_h - d->line_h) / 2, c, nt->text, 0);
		lane_end[l] = x + tw + 8;
	}
	SDL_RenderSetClipRect(d->r, NULL);
	/* the axis: the window's ends and the middle */
	int ay = g->note_y1 + 2;
	hline(d, xa, xb, ay, DIM_RGB);
	for (int k = 0; k <= 4; k++) {
		int x = xa + (xb - xa) * k / 4;
		vline(d, x, ay, ay + 4, DIM_RGB);
		char ts[40];
		sim_time_format_fixed(t0 + f->window / 4 * (sim_time_t)k,
				      SIM_S, 9, ts, sizeof ts);
		text(d, x, ay + 5, DIM_RGB, ts, k == 0 ? 0 : k == 4 ? 2 : 1);
	}
	/* the legend */
	static const enum bus_phase legend[] = {
		BUS_PH_BUS_FREE, BUS_PH_ARBITRATION, BUS_PH_SELECTION,
		BUS_PH_RESELECTION, BUS_PH_MSG_OUT, BUS_PH_COMMAND,
		BUS_PH_DATA_OUT, BUS_PH_DATA_IN, BUS_PH_STATUS, BUS_PH_MSG_IN,
		BUS_PH_RESET,
	};
	int ly = ay + 6 + d->line_h, x = g->topo_x1 + 6;
	for (size_t i = 0; i < sizeof legend / sizeof legend[0]; i++) {
		const char *nm = bus_phase_name(legend[i]);
		int tw = text_w(d, nm);
		if (x + d->line_h + tw + 4 > width) {
			/* on to a second line, if there is room for it */
			if (x == g->topo_x1 + 6 ||
			    ly + 2 * d->line_h > height)
				break;
			x = g->topo_x1 + 6;
			ly += d->line_h;
		}
		fill(d, x, ly + 2, d->line_h - 4, d->line_h - 4,
		     viz_view_phase_rgb(legend[i]));
		x += d->line_h;
		x += text(d, x, ly, DIM_RGB, nm, 0) + 10;
	}
}

static void rate_text(double bytes_per_s, char *buf, size_t n)
{
	if (bytes_per_s >= 1e6)
		snprintf(buf, n, "%.2f MB/s", bytes_per_s / 1e6);
	else if (bytes_per_s >= 1e3)
		snprintf(buf, n, "%.1f kB/s", bytes_per_s / 1e3);
	else
		snprintf(buf, n, "%.0f B/s", bytes_per_s);
}

/* The strip chart: data bytes per second on each shown bus, in bins of
 * VIZ_VIEW_CHART_BIN pixels over the chart's span, one scale for all
 * rows (so that buses compare), from the data phases the view saw end. */
static void draw_chart(struct drawer *d, struct viz_view *v,
		       const struct viz_view_geom *g,
		       const struct viz_view_frame *f)
{
	int nb = viz_view_bus_count(v);
	int rows = viz_view_chart_rows(g, nb);
	sim_time_t span = f->chart ? f->chart : VIZ_VIEW_CHART_DEFAULT;
	int w = g->chart_x1 - g->chart_x0;
	int nbins = w / VIZ_VIEW_CHART_BIN;
	if (rows == 0 || nbins < 1)
		return;
	sim_time_t t1 = f->end;
	sim_time_t binw = span / (sim_time_t)nbins;
	if (binw == 0)
		binw = 1;
	/* the rows' buses: the selected one first */
	int bus[VIZ_VIEW_CHART_ROWS];
	bus[0] = f->bus;
	for (int b = 0, i = 1; i < rows && b < nb; b++)
		if (b != f->bus)
			bus[i++] = b;
	double *rate = calloc((size_t)rows * (size_t)nbins, sizeof *rate);
	if (rate == NULL)
		return;
	double peak = 0;
	for (int r = 0; r < rows; r++) {
		for (int k = 0; k < nbins; k++) {
			sim_time_t back = (sim_time_t)(nbins - 1 - k) * binw;
			if (back + binw > t1) /* before time 0 */
				continue;
			sim_time_t be = t1 - back;
			uint64_t a = viz_view_data_bytes(v, bus[r], be - binw);
			uint64_t z = viz_view_data_bytes(v, bus[r], be);
			if (a == UINT64_MAX || z == UINT64_MAX)
				continue;
			double x = (double)(z - a) * (double)SIM_S /
				   (double)binw;
			rate[r * nbins + k] = x;
			if (x > peak)
				peak = x;
		}
	}
	char title[96], ps[32], sp[SIM_TIME_FORMAT_MAX];
	rate_text(peak, ps, sizeof ps);
	sim_time_format(span, sp, sizeof sp);
	snprintf(title, sizeof title, "data throughput, last %s (peak %s)", sp,
		 ps);
	text(d, 6, g->chart_y0 - 2, DIM_RGB, title, 0);
	for (int r = 0; r < rows; r++) {
		int y0, y1;
		viz_view_chart_row(g, rows, r, &y0, &y1);
		fill(d, g->chart_x0, y0, w, y1 - y0, VIZ_VIEW_BG_RGB);
		hline(d, g->chart_x0, g->chart_x1 - 1, y1 - 1, DIM_RGB);
		if (y1 - y0 >= d->line_h - 4)
			text(d, 6, y0 + (y1 - y0 - d->line_h) / 2,
			     r == 0 ? SEL_RGB : TEXT_RGB,
			     viz_view_bus_name(v, bus[r]), 0);
		for (int k = 0; peak > 0 && k < nbins; k++) {
			double x = rate[r * nbins + k];
			if (x <= 0)
				continue;
			int h = (int)(x / peak * (double)(y1 - y0 - 1) + 0.5);
			if (h < 1)
				h = 1;
			int bx = g->chart_x1 - (nbins - k) * VIZ_VIEW_CHART_BIN;
			fill(d, bx, y1 - 1 - h, VIZ_VIEW_CHART_BIN - 1, h,
			     VIZ_VIEW_CHART_RGB);
		}
	}
	free(rate);
}

static void addr_text(uint32_t a, char *buf, size_t n)
{
	snprintf(buf, n, "%u.%u.%u.%u", a >> 24 & 255u, a >> 16 & 255u,
		 a >> 8 & 255u, a & 255u);
}

/* The latest datagrams up to the frame's end, newest at the bottom;
 * those a gateway takes to forward in the gateway colour. */
static void draw_dgrams(struct drawer *d, struct viz_view *v,
			const struct viz_view_geom *g,
			const struct viz_view_frame *f)
{
	const struct scn *s = scn_world_scenario(viz_view_world(v));
	int lh = d->line_h;
	if (g->dgram_y1 - g->dgram_y0 < 2 * lh)
		return;
	text(d, 6, g->dgram_y0, DIM_RGB, "datagrams received (newest last; fwd: to forward)", 0);
	int lines = (g->dgram_y1 - g->dgram_y0) / lh - 1;
	uint64_t n = viz_view_dgram_count(v);
	/* the latest at or before the frame's end */
	uint64_t last = n;
	while (last > 0) {
		const struct viz_view_dgram *x = viz_view_dgram(v, last - 1);
		if (x == NULL || x->t <= f->end)
			break;
		last--;
	}
	uint64_t first = last > (uint64_t)lines ? last - (uint64_t)lines : 0;
	SDL_Rect clip = { 0, g->dgram_y0, g->topo_x1 - 2,
			  g->dgram_y1 - g->dgram_y0 };
	SDL_RenderSetClipRect(d->r, &clip);
	int y = g->dgram_y0 + lh;
	for (uint64_t i = first; i < last; i++, y += lh) {
		const struct viz_view_dgram *x = viz_view_dgram(v, i);
		if (x == NULL)
			continue;
		char ts[40], a[20], b[20], what[24], line[200];
		sim_time_format_fixed(x->t, SIM_S, 6, ts, sizeof ts);
		addr_text(x->ip_src, a, sizeof a);
		addr_text(x->ip_dst, b, sizeof b);
		if (x->ethertype == 0x0806)
			snprintf(what, sizeof what, "ARP %s",
				 x->proto == 1	 ? "who-has"
				 : x->proto == 2 ? "reply"
						 : "?");
		else
			snprintf(what, sizeof what, "%s",
				 x->proto == 1	  ? "ICMP"
				 : x->proto == 17 ? "UDP"
				 : x->proto == 6  ? "TCP"
						  : "IP");
		snprintf(line, sizeof line, "%ss %s %u>%u %s %s>%s %uB%s%s", ts,
			 viz_view_bus_name(v, x->bus), x->src_id, x->dst_id,
			 what, a, b, x->len, x->forwards ? " fwd:" : "",
			 x->forwards ? s->hosts[x->host].name : "");
		text(d, 6, y,
		     x->forwards		 ? GW_RGB
		     : x->ethertype == 0x0806 ? DIM_RGB
					      : TEXT_RGB,
		     line, 0);
	}
	SDL_RenderSetClipRect(d->r, NULL);
}

static void draw_status(struct drawer *d, int width,
			const struct viz_view_geom *g, const char *status)
{
	fill(d, 0, 0, width, g->top_h, 0x283848u);
	text(d, 6, (g->top_h - d->line_h) / 2, TEXT_RGB, status, 0);
}

static void draw_help(struct drawer *d, int width, int height)
{
	static const char *const lines[] = {
		"scsinet view - keys",
		"",
		"space      pause / run",
		"e          step one edge (selected bus)",
		"p          step one phase",
		"c          step one command (to BUS FREE)",
		"d          step one datagram (received on the bus)",
		"+ / -      faster / slower (simulated time per second)",
		"up / down  zoom in / out (also the mouse wheel)",
		"left/right pan back / forward; end: follow now",
		"tab        next bus (shift: previous); or click a bus",
		"click      a device: select its host (addresses, counts)",
		"[ / ]      strip chart span shorter / longer",
		"i          skip idle time on / off",
		"h          this help;  q, Esc  quit",
	};
	int n = (int)(sizeof lines / sizeof lines[0]);
	int w = width * 2 / 3, h = (n + 2) * d->line_h;
	int x = (width - w) / 2, y = (height - h) / 2;
	SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_BLEND);
	SDL_Rect rc = { x, y, w, h };
	SDL_SetRenderDrawColor(d->r, 0, 0, 0, 220);
	SDL_RenderFillRect(d->r, &rc);
	SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_NONE);
	frame_rect(d, x, y, w, h, SEL_RGB);
	for (int i = 0; i < n; i++)
		text(d, x + d->line_h, y + (i + 1) * d->line_h,
		     i ? TEXT_RGB : SEL_RGB, lines[i], 0);
}

/* The selected host: its adapters (bus, ID, address) and what the view
 * saw it receive and forward up to the frame's end. */
static void host_text(struct viz_view *v, const struct viz_view_frame *f,
		      char *buf, size_t n)
{
	const struct scn *s = scn_world_scenario(viz_view_world(v));
	const struct scn_host *h = &s->hosts[f->host];
	size_t len = (size_t)snprintf(buf, n, "host %s:", h->name);
	for (int k = 0; k < h->nadapters && len < n; k++) {
		char a[40];
		ip_text(h->adapters[k].addr, h->adapters[k].plen, a, sizeof a);
		len += (size_t)snprintf(buf + len, n - len, " %s %s ID %d%s",
					a, viz_view_bus_name(v,
							     h->adapters[k].bus),
					h->adapters[k].id,
					k + 1 < h->nadapters ? "," : ";");
	}
	uint64_t got = 0, fwd = 0;
	for (uint64_t i = 0; i < viz_view_dgram_count(v); i++) {
		const struct viz_view_dgram *g = viz_view_dgram(v, i);
		if (g && g->host == f->host && g->t <= f->end) {
			got++;
			fwd += g->forwards;
		}
	}
	if (len < n)
		snprintf(buf + len, n - len, " received %llu, to forward %llu",
			 (unsigned long long)got, (unsigned long long)fwd);
}

/* The whole picture. */
static void draw_all(struct drawer *d, struct viz_view *v,
		     const struct viz_view_frame *f, const char *status,
		     int help)
{
	struct viz_view_geom g;
	viz_view_geometry(f->width, f->height, &g);
	int fs = f->height / 52;
	font_size(d, fs < 9 ? 9 : fs > 16 ? 16 : fs);
	set_rgb(d, VIZ_VIEW_BG_RGB, 255);
	SDL_RenderClear(d->r);
	char line[512];
	if (f->host >= 0) {
		host_text(v, f, line, sizeof line);
		char both[800];
		snprintf(both, sizeof both, "%s  |  %s", status, line);
		draw_status(d, f->width, &g, both);
	} else {
		draw_status(d, f->width, &g, status);
	}
	draw_topology(d, v, &g, f->height, f->bus, f);
	draw_chart(d, v, &g, f);
	draw_dgrams(d, v, &g, f);
	draw_analyser(d, v, &g, f, f->width, f->height);
	if (help)
		draw_help(d, f->width, f->height);
}

static int frame_ok(const struct viz_view *v, const struct viz_view_frame *f)
{
	int nh = scn_world_scenario(viz_view_world(v))->nhosts;
	return f->width >= 64 && f->height >= 64 && f->width <= 16384 &&
	       f->height <= 16384 && f->window > 0 && f->bus >= 0 &&
	       f->bus < viz_view_bus_count(v) && f->host >= -1 &&
	       f->host < nh;
}

static void status_text(struct viz_view *v, sim_time_t now, const char *mode,
			char *buf, size_t n)
{
	char ts[40];
	sim_time_format_fixed(now, SIM_S, 9, ts, sizeof ts);
	const struct scn *s = scn_world_scenario(viz_view_world(v));
	snprintf(buf, n, "scsinet view  %s  t = %s s  %s", s->name, ts, mode);
}

enum sn_err viz_view_snapshot(struct viz_view *v,
			      const struct viz_view_frame *f, const char *png)
{
	if (v == NULL || f == NULL || png == NULL || !frame_ok(v, f))
		return SN_EINVAL;
	int ttf_was = TTF_WasInit();
	if (!ttf_was && TTF_Init() != 0)
		return SN_ESTATE;
	enum sn_err err = SN_OK;
	SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(
		0, f->width, f->height, 32, SDL_PIXELFORMAT_ARGB8888);
	SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
	if (r == NULL) {
		err = surf ? SN_ESTATE : SN_ENOMEM;
	} else {
		struct drawer d = { .r = r };
		char st[160];
		status_text(v, f->end, "(snapshot)", st, sizeof st);
		draw_all(&d, v, f, st, 0);
		SDL_RenderPresent(r);
		if (d.font)
			TTF_CloseFont(d.font);
		if (IMG_SavePNG(surf, png) != 0)
			err = SN_EIO;
	}
	if (r)
		SDL_DestroyRenderer(r);
	if (surf)
		SDL_FreeSurface(surf);
	if (!ttf_was)
		TTF_Quit();
	return err;
}

/* --- the window ------------------------------------------------------------- */

struct live {
	struct viz_view *v;
	const struct viz_view_live *opt;
	int bus, host, paused, help, quit, skip_idle, follow;
	int line_h;                /* the font's, as last drawn (clicks) */
	sim_time_t window, speed, end, chart;
	int width, height;
	const char *keys;          /* scripted keys still to send */
};

static int all_free(struct viz_view *v)
{
	for (int b = 0; b < viz_view_bus_count(v); b++) {
		enum bus_phase ph;
		viz_view_connection(v, b, NULL, NULL, &ph);
		if (ph != BUS_PH_BUS_FREE)
			return 0;
	}
	return 1;
}

static void on_key(struct live *L, SDL_Keycode k, int shift)
{
	struct sim *sim = scn_world_sim(viz_view_world(L->v));
	sim_time_t now = sim_now(sim);
	int nb = viz_view_bus_count(L->v);
	switch (k) {
	case SDLK_q:
	case SDLK_ESCAPE: L->quit = 1; break;
	case SDLK_SPACE: L->paused = !L->paused; L->follow = 1; break;
	case SDLK_h: L->help = !L->help; break;
	case SDLK_i: L->skip_idle = !L->skip_idle; break;
	case SDLK_e:
	case SDLK_p:
	case SDLK_c:
	case SDLK_d:
		L->paused = 1;
		L->follow = 1;
		viz_view_step(L->v, L->bus,
			      k == SDLK_e   ? VIZ_STEP_EDGE
			      : k == SDLK_p ? VIZ_STEP_PHASE
			      : k == SDLK_c ? VIZ_STEP_COMMAND
					    : VIZ_STEP_DATAGRAM,
			      L->opt->until);
		break;
	case SDLK_LEFTBRACKET:
		if (L->chart > 100 * SIM_US)
			L->chart /= 2;
		break;
	case SDLK_RIGHTBRACKET:
		if (L->chart < 100 * SIM_S)
			L->chart *= 2;
		break;
	case SDLK_PLUS:
	case SDLK_KP_PLUS:
	case SDLK_EQUALS:
		if (L->speed < SIM_S)
			L->speed *= 2;
		break;
	case SDLK_MINUS:
	case SDLK_KP_MINUS:
		if (L->speed > 2 * SIM_PS)
			L->speed /= 2;
		break;
	case SDLK_UP:
		if (L->window > 16 * SIM_NS)
			L->window /= 2;
		break;
	case SDLK_DOWN:
		if (L->window < 10 * SIM_S)
			L->window *= 2;
		break;
	case SDLK_LEFT:
		L->follow = 0;
		L->end = L->end > L->window / 4 ? L->end - L->window / 4 : 0;
		break;
	case SDLK_RIGHT:
		L->end += L->window / 4;
		if (L->end >= now) {
			L->end = now;
			L->follow = 1;
		}
		break;
	case SDLK_END: L->follow = 1; break;
	case SDLK_TAB:
		if (nb > 0)
			L->bus = (L->bus + (shift ? nb - 1 : 1)) % nb;
		break;
	default: break;
	}
}

static void on_click(struct live *L, int x, int y)
{
	struct viz_view_geom g;
	viz_view_geometry(L->width, L->height, &g);
	int nb = viz_view_bus_count(L->v);
	if (x >= g.topo_x1 || nb == 0 || y < g.top_h + 4 || y >= g.topo_y1)
		return;
	int cols = topo_cols(&g, nb, L->line_h);
	int b = 0;
	struct topo_cell c = { 0, 0, 0, 0 };
	for (; b < nb; b++) {
		topo_cell(&g, nb, cols, b, &c);
		if (x >= c.x0 && x < c.x1 && y >= c.y && y < c.y + c.row)
			break;
	}
	if (b == nb)
		return;
	L->bus = b;
	/* a device's box (below the bus's name and cable): its host */
	const struct scn *s = scn_world_scenario(viz_view_world(L->v));
	int dh[VIZ_VIEW_IDS], dk[VIZ_VIEW_IDS];
	int ndev = bus_devices(s, b, dh, dk);
	int slot = ndev ? (c.x1 - c.x0) / ndev : 0;
	if (ndev && slot > 0 && y - c.y > c.row / 3) {
		int i = (x - c.x0) / slot;
		L->host = i < ndev ? dh[i] : -1;
	} else {
		L->host = -1;
	}
}

/* A scripted key (for tests): letters as they are, and a few names in
 * braces ({tab} {up} {down} {left} {right} {end} {space}). */
static SDL_Keycode next_key(const char **p)
{
	static const struct { const char *name; SDL_Keycode k; } named[] = {
		{ "{tab}", SDLK_TAB },     { "{up}", SDLK_UP },
		{ "{down}", SDLK_DOWN },   { "{left}", SDLK_LEFT },
		{ "{right}", SDLK_RIGHT }, { "{end}", SDLK_END },
		{ "{space}", SDLK_SPACE }, { "{resize}", SDLK_UNKNOWN },
	};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		size_t n = strlen(named[i].name);
		if (strncmp(*p, named[i].name, n) == 0) {
			*p += n;
			return named[i].k;
		}
	}
	char c = *(*p)++;
	return c == ' ' ? SDLK_SPACE : (SDL_Keycode)c;
}

static enum sn_err save_window(SDL_Renderer *r, int w, int h, const char *png)
{
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32,
							SDL_PIXELFORMAT_ARGB8888);
	if (s == NULL)
		return SN_ENOMEM;
	enum sn_err err = SN_OK;
	if (SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels,
				 s->pitch) != 0)
		err = SN_ESTATE;
	else if (IMG_SavePNG(s, png) != 0)
		err = SN_EIO;
	SDL_FreeSurface(s);
	return err;
}

enum sn_err viz_view_window(struct viz_view *v,
			    const struct viz_view_live *opt)
{
	if (v == NULL || opt == NULL || viz_view_bus_count(v) == 0)
		return SN_EINVAL;
	if (SDL_Init(SDL_INIT_VIDEO) != 0)
		return SN_ESTATE;
	/* Without a display SDL falls back to a driver that shows nothing
	 * ("offscreen", "dummy"): a window nobody sees is a failure, unless
	 * that driver was asked for by name (SDL_VIDEODRIVER) */
	const char *drv = SDL_GetCurrentVideoDriver();
	const char *want = getenv("SDL_VIDEODRIVER");
	if (drv && (strcmp(drv, "offscreen") == 0 ||
		    strcmp(drv, "dummy") == 0) &&
	    !(want && strcmp(want, drv) == 0)) {
		snprintf(why_not, sizeof why_not,
			 "no display: SDL found only its '%s' video driver "
			 "(is DISPLAY set?)",
			 drv);
		SDL_Quit();
		return SN_ESTATE;
	}
	if (TTF_Init() != 0) {
		SDL_Quit();
		return SN_ESTATE;
	}
	struct scn_world *w = viz_view_world(v);
	struct sim *sim = scn_world_sim(w);
	char title[128];
	snprintf(title, sizeof title, "scsinet view - %s",
		 scn_world_scenario(w)->name);
	struct live L = {
		.v = v, .opt = opt, .bus = opt->bus, .host = opt->host,
		.paused = opt->start_paused, .skip_idle = 1, .follow = 1,
		.window = opt->window ? opt->window : 50 * SIM_US,
		.speed = opt->speed ? opt->speed : 20 * SIM_US,
		.chart = opt->chart ? opt->chart : VIZ_VIEW_CHART_DEFAULT,
		.width = opt->width > 0 ? opt->width : 1280,
		.height = opt->height > 0 ? opt->height : 720,
		.keys = opt->keys,
	};
	SDL_Window *win = SDL_CreateWindow(title, SDL_WINDOWPOS_UNDEFINED,
					   SDL_WINDOWPOS_UNDEFINED, L.width,
					   L.height, SDL_WINDOW_RESIZABLE);
	SDL_Renderer *r = NULL;
	if (win) {
		r = SDL_CreateRenderer(win, -1, SDL_RENDERER_ACCELERATED |
							SDL_RENDERER_PRESENTVSYNC);
		if (r == NULL)
			r = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
	}
	if (r == NULL) {
		if (win)
			SDL_DestroyWindow(win);
		TTF_Quit();
		SDL_Quit();
		return SN_ESTATE;
	}
	struct drawer d = { .r = r };
	enum sn_err err = SN_OK;
	uint64_t freq = SDL_GetPerformanceFrequency();
	uint64_t last = SDL_GetPerformanceCounter();
	long frames = 0;
	while (!L.quit) {
		SDL_Event ev;
		while (SDL_PollEvent(&ev)) {
			if (ev.type == SDL_QUIT)
				L.quit = 1;
			else if (ev.type == SDL_KEYDOWN)
				on_key(&L, ev.key.keysym.sym,
				       (ev.key.keysym.mod & KMOD_SHIFT) != 0);
			else if (ev.type == SDL_MOUSEWHEEL)
				on_key(&L, ev.wheel.y > 0 ? SDLK_UP : SDLK_DOWN,
				       0);
			else if (ev.type == SDL_MOUSEBUTTONDOWN)
				on_click(&L, ev.button.x, ev.button.y);
		}
		if (L.keys && *L.keys) {
			int cx, cy, used = 0;
			SDL_Keycode key;
			if (sscanf(L.keys, "{click:%d,%d}%n", &cx, &cy,
				   &used) == 2 &&
			    used > 0) {
				/* as a user clicking there would */
				L.keys += used;
				on_click(&L, cx, cy);
			} else if ((key = next_key(&L.keys)) == SDLK_UNKNOWN) {
				/* {resize}: as a user dragging the border
				 * would, to three quarters of the size */
				SDL_SetWindowSize(win, L.width * 3 / 4,
						  L.height * 3 / 4);
			} else {
				SDL_Event k;
				memset(&k, 0, sizeof k);
				k.type = SDL_KEYDOWN;
				k.key.keysym.sym = key;
				SDL_PushEvent(&k);
			}
		}
		uint64_t nowc = SDL_GetPerformanceCounter();
		double dt = (double)(nowc - last) / (double)freq;
		last = nowc;
		if (dt > 0.1)
			dt = 0.1;
		sim_time_t now = sim_now(sim);
		if (!L.paused && now < opt->until) {
			if (L.skip_idle && all_free(v))
				viz_view_step(v, -1, 0, opt->until);
			now = sim_now(sim);
			sim_time_t target = now + (sim_time_t)((double)L.speed * dt);
			if (target > opt->until)
				target = opt->until;
			viz_view_advance(v, target);
			now = sim_now(sim);
			if (now >= opt->until)
				L.paused = 1;
		}
		if (L.follow || L.end > now)
			L.end = now;
		SDL_GetRendererOutputSize(r, &L.width, &L.height);
		if (L.width < 64 || L.height < 64) {
			SDL_Delay(20);
			continue;
		}
		char mode[192], st[320], sp[SIM_TIME_FORMAT_MAX],
			wn[SIM_TIME_FORMAT_MAX];
		sim_time_format(L.speed, sp, sizeof sp);
		sim_time_format(L.window, wn, sizeof wn);
		char ch[SIM_TIME_FORMAT_MAX];
		sim_time_format(L.chart, ch, sizeof ch);
		snprintf(mode, sizeof mode,
			 "%s  %s/s  window %s  chart %s%s%s   h: help",
			 now >= opt->until ? "END"
			 : L.paused	   ? "PAUSED"
					   : "RUNNING",
			 sp, wn, ch, L.skip_idle ? "  skip idle" : "",
			 L.follow ? "" : "  (panned)");
		status_text(v, now, mode, st, sizeof st);
		struct viz_view_frame f = {
			.width = L.width, .height = L.height, .bus = L.bus,
			.end = L.end, .window = L.window, .chart = L.chart,
			.host = L.host,
		};
		draw_all(&d, v, &f, st, L.help);
		L.line_h = d.line_h;
		frames++;
		if (opt->frames > 0 && frames >= opt->frames) {
			if (opt->dump_png)
				err = save_window(r, L.width, L.height,
						  opt->dump_png);
			L.quit = 1;
		}
		SDL_RenderPresent(r);
		SDL_Delay(15);
	}
	if (d.font)
		TTF_CloseFont(d.font);
	SDL_DestroyRenderer(r);
	SDL_DestroyWindow(win);
	TTF_Quit();
	SDL_Quit();
	return err;
}
