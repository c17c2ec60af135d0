/*
 * scn_check.c - a scenario checked before anything is bought or run
 * (scn_check.h): SCSI-2's physical limits (protocol-facts 2.11, via
 * bus_max_cable_mm), the adapter profiles (adapter.h), IP addressing
 * (RFC 1122 3.2.1.3), and every host-to-address path followed through
 * the routing tables the simulated stacks would hold.
 *
 * The routing tables are rebuilt here from the scenario, not taken from
 * a built world: checking must not need a simulation, and it must see
 * what building would refuse.  They follow scn_world.c and ip_host.c
 * rule for rule: a connected route per interface (metric 0), then the
 * host's static routes (metric 0, interface from the 'via'), then, with
 * "auto" routing, scn_world's breadth-first routes (metric = buses
 * away); lookups as ip_route.h says (longest prefix, lowest metric,
 * first added); a datagram for any of a host's addresses is that host's
 * (ip_host.c's weak-host input); a host that does not forward drops
 * what is not its own; a next hop is reached only if a station on the
 * outgoing interface's bus holds that address and the adapter can
 * select its ID (netif_scsi.c's address resolution).  Where scn_world
 * changes, this file must follow.
 */
#include "scn_check.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "bus_timing.h"
#include "ip_host.h"
#include "ip_wire.h"

/* How many examples a line lists before "and N more". */
#define FEW 3

/* --- what the checks share ------------------------------------------------ */

/* A station: one adapter of one host on an existing bus. */
struct sta {
	int h, k, bus, id;
	uint32_t addr, mask;
	uint8_t plen;
	int ip_ok;                 /* addr != 0 and plen <= 32 */
	int grp;                   /* its (bus, subnet) group, or -1 */
	const struct adapter_profile *prof; /* NULL: unknown profile */
};

/* A subnet on a bus: the stations with it, the first of them. */
struct group {
	int bus, first, count;
	uint32_t prefix;
	uint8_t plen;
};

enum rt_origin { RT_CONNECTED, RT_STATIC, RT_AUTO };

/* A route as ip_rtable holds it, plus where it came from (messages). */
struct rt {
	uint32_t prefix, mask, gw;
	uint8_t plen;
	int ifk;                   /* the host's adapter index */
	uint32_t metric;
	int seq;                   /* insertion order */
	enum rt_origin origin;
	int index;                 /* adapter k or route r; -1 for auto */
};

struct table {
	struct rt *r;
	int n;
};

/* Where a datagram for one destination ends, from one host on. */
enum end_kind {
	E_REACHED,   /* a host holding the address took it */
	E_NOROUTE,   /* no route matched at `at` */
	E_NORESOLVE, /* no station on the bus holds the next hop */
	E_NARROW,    /* the next hop is at an ID the adapter cannot select */
	E_NOFWD,     /* `at` does not forward and the datagram is not its */
	E_LOOP,      /* it circles (loop `loop`) */
	E_TTL        /* more gateways than the TTL allows */
};

struct outcome {
	enum end_kind kind;
	int at;                    /* the host where it ended */
	int rt;                    /* E_NORESOLVE/E_NARROW: at's route */
	int from, from_rt;         /* E_NOFWD: who sent it there, by which */
	int hops;                  /* E_REACHED: buses crossed */
	int loop;                  /* E_LOOP */
	uint32_t nexthop;          /* E_NORESOLVE, E_NARROW */
	int bus;                   /* ... on this bus */
	int id;                    /* E_NARROW: the ID out of sight */
};

/* One routing loop: the hosts in order, each with the route it used,
 * starting at the lowest host index. */
struct loop {
	int n;
	int *host, *rt;
	uint32_t dst;
	int dst_host;
	int pairs;
};

/* Per source host: what it cannot reach. */
struct unreach {
	int count, total;
	int ndst;
	int dst[FEW];              /* destination station indices */
	struct outcome why[FEW];
};

/* Per host that does not forward: the routes that still use it. */
#define NOFWD_KEEP 16
struct nofwd {
	int pairs;
	int n;                     /* distinct (host, route) entries kept */
	int more;                  /* more than NOFWD_KEEP: some not kept */
	int from[NOFWD_KEEP], rt[NOFWD_KEEP];
};

struct ck {
	const struct scn *s;
	FILE *out;                 /* NULL or quiet: count only */
	struct scn_check_summary sum;
	int nh, nb;
	struct sta *st;
	int nst;
	int *sidx;                 /* [h * SCN_MAX_ADAPTERS + k] -> station */
	int *bus_first, *bus_list; /* stations per bus: list[first[b]..] */
	int *bus_hosts;            /* distinct hosts per bus */
	struct group *grp;         /* subnets per bus, in station order */
	int ngrp;
	struct table *tab;
	struct loop *loops;
	int nloops;
	int *part;                 /* per host: which cabled part it is in */
	int nparts;
};

static void problem(struct ck *c, int warning, const char *path,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void problem(struct ck *c, int warning, const char *path,
		    const char *fmt, ...)
{
	if (warning)
		c->sum.warnings++;
	else
		c->sum.errors++;
	if (c->out == NULL)
		return;
	fprintf(c->out, "%s: %s", path, warning ? "warning: " : "");
	va_list ap;
	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
}

static uint32_t mask_of(uint8_t plen)
{
	return plen ? 0xffffffffu << (32 - plen) : 0;
}

static int nadapters(const struct scn_host *h)
{
	return h->nadapters < 0 ? 0
	       : h->nadapters > SCN_MAX_ADAPTERS ? SCN_MAX_ADAPTERS
						 : h->nadapters;
}

static int nroutes(const struct scn_host *h)
{
	return h->nroutes < 0 ? 0
	       : h->nroutes > SCN_MAX_ROUTES ? SCN_MAX_ROUTES
					     : h->nroutes;
}

static const char *hname(const struct ck *c, int h)
{
	return c->s->hosts[h].name;
}

static const char *bname(const struct ck *c, int b)
{
	return c->s->buses[b].name;
}

/* "3m", "1.5m", "2.345m". */
static const char *mm_str(uint32_t mm, char *buf, size_t len)
{
	if (mm % 1000 == 0) {
		snprintf(buf, len, "%um", (unsigned)(mm / 1000));
		return buf;
	}
	char frac[8];
	snprintf(frac, sizeof frac, "%03u", (unsigned)(mm % 1000));
	for (int i = 2; i > 0 && frac[i] == '0'; i--)
		frac[i] = '\0';
	snprintf(buf, len, "%u.%sm", (unsigned)(mm / 1000), frac);
	return buf;
}

static const char *speed_words(enum bus_speed sp)
{
	switch (sp) {
	case BUS_SPEED_SCSI2: return "SCSI-2 (5 MHz)";
	case BUS_SPEED_FAST: return "Fast (10 MHz)";
	case BUS_SPEED_FAST20: return "Fast-20 (20 MHz)";
	}
	return "?";
}

static unsigned speed_mhz(enum bus_speed sp)
{
	switch (sp) {
	case BUS_SPEED_SCSI2: return 5;
	case BUS_SPEED_FAST: return 10;
	case BUS_SPEED_FAST20: return 20;
	}
	return 0;
}

static const char *el_words(enum bus_electrical el)
{
	return el == BUS_HVD ? "differential" : "single-ended";
}

/* IDs a station can select on its bus: a narrow adapter on a wide bus
 * sees only DB(7-0), so IDs 0-7 (adapter.c's `ids`). */
static int view_of(const struct ck *c, const struct sta *a)
{
	if (c->s->buses[a->bus].width != BUS_WIDE)
		return 8;
	return a->prof == NULL || a->prof->wide ? 16 : 8;
}

/* --- stations ---------------------------------------------------------- */

static enum sn_err index_stations(struct ck *c)
{
	const struct scn *s = c->s;
	c->sidx = malloc(((size_t)c->nh * SCN_MAX_ADAPTERS + 1) *
			 sizeof *c->sidx);
	c->st = malloc(((size_t)c->nh * SCN_MAX_ADAPTERS + 1) *
		       sizeof *c->st);
	c->bus_first = calloc((size_t)c->nb + 1, sizeof *c->bus_first);
	c->bus_hosts = calloc((size_t)c->nb + 1, sizeof *c->bus_hosts);
	if (!c->sidx || !c->st || !c->bus_first || !c->bus_hosts)
		return SN_ENOMEM;
	char path[64];
	for (int h = 0; h < c->nh; h++) {
		const struct scn_host *ho = &s->hosts[h];
		for (int k = 0; k < SCN_MAX_ADAPTERS; k++)
			c->sidx[h * SCN_MAX_ADAPTERS + k] = -1;
		for (int k = 0; k < nadapters(ho); k++) {
			const struct scn_adapter *a = &ho->adapters[k];
			if (a->bus < 0 || a->bus >= c->nb) {
				/* only a struct built by hand gets here */
				snprintf(path, sizeof path,
					 "hosts[%d].adapters[%d].bus", h, k);
				problem(c, 0, path, "bus index %d does not "
					"exist (%d buses): this adapter is "
					"left out of every other check",
					a->bus, c->nb);
				continue;
			}
			struct sta *t = &c->st[c->nst];
			t->h = h;
			t->k = k;
			t->bus = a->bus;
			t->id = a->id;
			t->addr = a->addr;
			t->plen = a->plen;
			t->ip_ok = a->addr != 0 && a->plen <= 32;
			t->mask = t->ip_ok ? mask_of(a->plen) : 0;
			t->prof = adapter_profile_find(a->profile);
			c->sidx[h * SCN_MAX_ADAPTERS + k] = c->nst++;
			c->bus_first[a->bus + 1]++;
		}
	}
	for (int b = 0; b < c->nb; b++)
		c->bus_first[b + 1] += c->bus_first[b];
	c->bus_list = malloc(((size_t)c->nst + 1) * sizeof *c->bus_list);
	int *fill = calloc((size_t)c->nb + 1, sizeof *fill);
	if (!c->bus_list || !fill) {
		free(fill);
		return SN_ENOMEM;
	}
	for (int i = 0; i < c->nst; i++) {
		int b = c->st[i].bus;
		c->bus_list[c->bus_first[b] + fill[b]++] = i;
	}
	free(fill);
	/* subnets per bus, in station order */
	c->grp = malloc(((size_t)c->nst + 1) * sizeof *c->grp);
	if (c->grp == NULL)
		return SN_ENOMEM;
	for (int i = 0; i < c->nst; i++) {
		struct sta *a = &c->st[i];
		a->grp = -1;
		if (!a->ip_ok)
			continue;
		uint32_t prefix = a->addr & a->mask;
		int x = 0;
		while (x < c->ngrp &&
		       !(c->grp[x].bus == a->bus && c->grp[x].prefix == prefix &&
			 c->grp[x].plen == a->plen))
			x++;
		if (x == c->ngrp)
			c->grp[c->ngrp++] = (struct group){
				.bus = a->bus, .first = i, .prefix = prefix,
				.plen = a->plen
			};
		c->grp[x].count++;
		a->grp = x;
	}
	/* stations are in host order, so a new host on a bus is one that
	 * differs from the previous station's */
	for (int b = 0; b < c->nb; b++) {
		int last = -1;
		for (int j = c->bus_first[b]; j < c->bus_first[b + 1]; j++) {
			int h = c->st[c->bus_list[j]].h;
			if (h != last)
				c->bus_hosts[b]++;
			last = h;
		}
	}
	return SN_OK;
}

/* --- physical: IDs, devices, cables, widths, speeds ------------------------ */

static void check_ids(struct ck *c)
{
	char path[64];
	for (int i = 0; i < c->nst; i++) {
		const struct sta *a = &c->st[i];
		const struct scn_bus *b = &c->s->buses[a->bus];
		const char *pname = c->s->hosts[a->h].adapters[a->k].profile;
		if (a->prof == NULL) {
			snprintf(path, sizeof path,
				 "hosts[%d].adapters[%d].profile", a->h, a->k);
			problem(c, 0, path, "\"%s\" is not a profile (aha1522, "
				"aic6360, pci-fw): its width and speed cannot "
				"be checked, and scsinet run refuses it", pname);
		}
		int ids = view_of(c, a);
		snprintf(path, sizeof path, "hosts[%d].adapters[%d].id", a->h,
			 a->k);
		if (a->id < 0 || a->id >= ids) {
			problem(c, 0, path, "%d is out of range 0..%d on the "
				"%s bus \"%s\"%s: an ID is the data line a "
				"device arbitrates and is selected on, and "
				"there is no such line for it",
				a->id, ids - 1, bus_width_name(b->width),
				b->name,
				ids == 8 && b->width == BUS_WIDE
					? " for a narrow adapter"
					: "");
			continue;
		}
		for (int j = c->bus_first[a->bus]; j < c->bus_first[a->bus + 1];
		     j++) {
			const struct sta *o = &c->st[c->bus_list[j]];
			if (o == a)
				break; /* report each clash once, at the later */
			if (o->id == a->id) {
				problem(c, 0, path, "SCSI ID %d on bus \"%s\" is "
					"also hosts[%d].adapters[%d]'s: both "
					"would arbitrate on one data line and "
					"answer one selection, so neither can "
					"be reached reliably",
					a->id, b->name, o->h, o->k);
				break;
			}
		}
	}
}

static void check_buses(struct ck *c)
{
	char path[64], l1[24], l2[24], l3[24];
	for (int b = 0; b < c->nb; b++) {
		const struct scn_bus *bus = &c->s->buses[b];
		int n = c->bus_first[b + 1] - c->bus_first[b];
		int ids = bus->width == BUS_WIDE ? 16 : 8;
		snprintf(path, sizeof path, "buses[%d]", b);
		if (n > ids) {
			problem(c, 0, path, "%d adapters on the %s bus \"%s\", "
				"which has %d IDs (0-%d): at least two of "
				"them share an ID; split them over more buses "
				"joined by gateways",
				n, bus_width_name(bus->width), bus->name, ids,
				ids - 1);
			continue;
		}
		if (n == 0)
			continue; /* nothing to measure (reported below) */
		uint32_t max = bus_max_cable_mm(bus->electrical, bus->speed,
						(unsigned)n);
		if (max == 0) {
			int most = 0;
			for (unsigned m = 1; m <= 16; m++)
				if (bus_max_cable_mm(bus->electrical,
						     bus->speed, m) > 0)
					most = (int)m;
			problem(c, 0, path, "%d devices on a %s %s bus: at "
				"most %d are allowed there at any cable length "
				"(%s); use fewer devices per bus, differential "
				"(hvd), or a slower class",
				n, el_words(bus->electrical),
				speed_words(bus->speed), most,
				bus->speed == BUS_SPEED_FAST20
					? "Fast-20 draft, T10-F20"
					: "SCSI-2");
			continue;
		}
		if (bus->length_mm <= max)
			continue;
		snprintf(path, sizeof path, "buses[%d].length", b);
		/* what would do instead: "A", "A or B", "A, B, or C" */
		char opt[3][64];
		int nopt = 0;
		snprintf(opt[nopt++], sizeof opt[0], "shorten it to %s",
			 mm_str(max, l3, sizeof l3));
		uint32_t hvd = bus_max_cable_mm(BUS_HVD, bus->speed,
						(unsigned)n);
		if (bus->electrical == BUS_SE && hvd >= bus->length_mm)
			snprintf(opt[nopt++], sizeof opt[0], "use differential "
				 "(hvd, %s)", mm_str(hvd, l3, sizeof l3));
		uint32_t slow = bus_max_cable_mm(bus->electrical,
						 BUS_SPEED_SCSI2, (unsigned)n);
		if (bus->speed != BUS_SPEED_SCSI2 && slow >= bus->length_mm)
			snprintf(opt[nopt++], sizeof opt[0], "run the bus at "
				 "the scsi2 class (%s at 5 MHz)",
				 mm_str(slow, l3, sizeof l3));
		char alt[200];
		snprintf(alt, sizeof alt, "%s%s%s%s%s", opt[0],
			 nopt == 3 ? ", " : nopt == 2 ? " or " : "",
			 nopt >= 2 ? opt[1] : "", nopt == 3 ? ", or " : "",
			 nopt == 3 ? opt[2] : "");
		problem(c, 0, path, "%s is longer than the %s a %s %s bus with "
			"%d devices allows (%s): on a longer cable, "
			"reflections and skew eat the timing margins, giving "
			"parity errors and failed transfers; %s",
			mm_str(bus->length_mm, l1, sizeof l1),
			mm_str(max, l2, sizeof l2), el_words(bus->electrical),
			speed_words(bus->speed), n,
			bus->speed == BUS_SPEED_FAST20 &&
					bus->electrical == BUS_SE
				? "Fast-20 draft, T10-F20"
				: "SCSI-2",
			alt);
	}
}

static void check_widths(struct ck *c)
{
	char path[64];
	for (int i = 0; i < c->nst; i++) {
		const struct sta *a = &c->st[i];
		const struct scn_bus *b = &c->s->buses[a->bus];
		if (a->prof == NULL || a->prof->wide || b->width != BUS_WIDE)
			continue;
		int far = 0, first = -1;
		for (int j = c->bus_first[a->bus]; j < c->bus_first[a->bus + 1];
		     j++) {
			const struct sta *o = &c->st[c->bus_list[j]];
			if (o->id >= 8) {
				if (first < 0)
					first = c->bus_list[j];
				far++;
			}
		}
		char more[160] = "";
		if (far == 1)
			snprintf(more, sizeof more, "; it cannot select "
				 "hosts[%d].adapters[%d] at ID %d",
				 c->st[first].h, c->st[first].k,
				 c->st[first].id);
		else if (far > 1)
			snprintf(more, sizeof more, "; it cannot select the %d "
				 "stations at IDs 8-15 (hosts[%d].adapters[%d] "
				 "at ID %d, ...)",
				 far, c->st[first].h, c->st[first].k,
				 c->st[first].id);
		snprintf(path, sizeof path, "hosts[%d].adapters[%d].profile",
			 a->h, a->k);
		problem(c, 1, path, "wide/narrow mismatch: %s is a narrow "
			"(8-bit) adapter on the wide bus \"%s\": it sees only "
			"IDs 0-7 and every transfer with it moves 8 bits, half "
			"of what the bus was bought for%s",
			a->prof->name, b->name, more);
	}
}

static void check_speeds(struct ck *c)
{
	char path[64], l1[24], l2[24];
	for (int i = 0; i < c->nst; i++) {
		const struct sta *a = &c->st[i];
		const struct scn_bus *b = &c->s->buses[a->bus];
		if (a->prof == NULL || a->prof->speed <= b->speed)
			continue;
		unsigned bytes = a->prof->wide && b->width == BUS_WIDE ? 2 : 1;
		int n = c->bus_first[a->bus + 1] - c->bus_first[a->bus];
		uint32_t need = bus_max_cable_mm(b->electrical, a->prof->speed,
						 (unsigned)n);
		char cable[200] = "";
		if (need > 0 && b->length_mm > need)
			snprintf(cable, sizeof cable, "; and the %s %s cable "
				 "could not carry %s anyway (%s at most; "
				 "differential allows 25m)",
				 mm_str(b->length_mm, l1, sizeof l1),
				 el_words(b->electrical),
				 speed_words(a->prof->speed),
				 mm_str(need, l2, sizeof l2));
		snprintf(path, sizeof path, "hosts[%d].adapters[%d].profile",
			 a->h, a->k);
		problem(c, 1, path, "%s is a %s adapter, but bus \"%s\" is of "
			"the %s class, so it will transfer at %u MHz: %u MB/s "
			"at most instead of %u (speed paid for and not "
			"used)%s",
			a->prof->name, speed_words(a->prof->speed), b->name,
			bus_speed_name(b->speed), speed_mhz(b->speed),
			bytes * speed_mhz(b->speed),
			bytes * speed_mhz(a->prof->speed), cable);
	}
}

/* --- topology: who shares a bus with whom ---------------------------------- */

static void check_topology(struct ck *c)
{
	char path[64];
	for (int b = 0; b < c->nb; b++) {
		snprintf(path, sizeof path, "buses[%d]", b);
		if (c->bus_hosts[b] == 0) {
			problem(c, 1, path, "no adapter is on bus \"%s\": it "
				"joins nothing (a cable and terminators bought "
				"for nothing)",
				bname(c, b));
		} else if (c->bus_hosts[b] == 1) {
			const struct sta *a = &c->st[c->bus_list[c->bus_first[b]]];
			problem(c, 1, path, "only host \"%s\" (hosts[%d]) is on "
				"bus \"%s\": it has nobody to talk to there, "
				"and every address resolution on it asks the "
				"%d other IDs in turn, each absent one costing "
				"a 250 ms selection time-out (RFC 2143 "
				"section 4)",
				hname(c, a->h), a->h, bname(c, b),
				view_of(c, a) - 1);
		}
	}
	for (int h = 0; h < c->nh; h++) {
		int shared = 0, nad = 0;
		char buses[120] = "";
		size_t used = 0;
		for (int k = 0; k < nadapters(&c->s->hosts[h]); k++) {
			int i = c->sidx[h * SCN_MAX_ADAPTERS + k];
			if (i < 0)
				continue;
			int b = c->st[i].bus;
			if (c->bus_hosts[b] >= 2)
				shared = 1;
			if (used < sizeof buses)
				used += (size_t)snprintf(buses + used,
							 sizeof buses - used,
							 "%s\"%s\"",
							 nad ? ", " : "",
							 bname(c, b));
			nad++;
		}
		if (shared)
			continue;
		snprintf(path, sizeof path, "hosts[%d]", h);
		if (nad == 0)
			problem(c, 0, path, "host \"%s\" has no adapter on any "
				"bus: it can send to nobody and nobody to it",
				hname(c, h));
		else
			problem(c, 0, path, "host \"%s\" shares no bus with "
				"another host (it is on %s): it can send to "
				"nobody and nobody to it",
				hname(c, h), buses);
	}
}

/* --- addressing ------------------------------------------------------------ */

/* Stations by address, to find duplicates in one pass. */
struct by_addr {
	uint32_t addr;
	int i;
};

static int cmp_by_addr(const void *pa, const void *pb)
{
	const struct by_addr *a = pa, *b = pb;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return a->i - b->i;
}

static enum sn_err check_addresses(struct ck *c)
{
	char path[64], a1[16], a2[16];
	struct by_addr *order = malloc(((size_t)c->nst + 1) * sizeof *order);
	int *dup_of = malloc(((size_t)c->nst + 1) * sizeof *dup_of);
	int *major = malloc(((size_t)c->nb + 1) * sizeof *major);
	if (!order || !dup_of || !major) {
		free(order);
		free(dup_of);
		free(major);
		return SN_ENOMEM;
	}
	int n = 0;
	for (int i = 0; i < c->nst; i++) {
		dup_of[i] = -1;
		if (c->st[i].ip_ok)
			order[n++] = (struct by_addr){ c->st[i].addr, i };
	}
	qsort(order, (size_t)n, sizeof *order, cmp_by_addr);
	for (int i = 1, first = 0; i < n; i++) {
		if (order[i].addr != order[first].addr)
			first = i;
		else
			dup_of[order[i].i] = order[first].i;
	}
	/* stations of one bus should share one subnet: the biggest group
	 * (ties: the first) is taken as the bus's */
	for (int b = 0; b < c->nb; b++)
		major[b] = -1;
	for (int x = 0; x < c->ngrp; x++) {
		int *m = &major[c->grp[x].bus];
		if (*m < 0 || c->grp[x].count > c->grp[*m].count)
			*m = x;
	}
	const struct group *g = c->grp;
	for (int i = 0; i < c->nst; i++) {
		const struct sta *a = &c->st[i];
		snprintf(path, sizeof path, "hosts[%d].adapters[%d].ip", a->h,
			 a->k);
		if (!a->ip_ok) {
			problem(c, 0, path, "%s/%u is not a usable address "
				"(address 0, or a prefix longer than 32)",
				ip_addr_str(a->addr, a1), (unsigned)a->plen);
			continue;
		}
		if (dup_of[i] >= 0) {
			const struct sta *o = &c->st[dup_of[i]];
			problem(c, 0, path, "%s is also hosts[%d].adapters[%d]'s "
				"address: datagrams for it reach only one of "
				"the two (the first to answer address "
				"resolution, or the sender itself)",
				ip_addr_str(a->addr, a1), o->h, o->k);
		}
		uint32_t host = a->addr & ~a->mask;
		if (a->plen <= 30 && (host == 0 || host == ~a->mask)) {
			problem(c, 0, path, "%s is the %s address of %s/%u (host "
				"part all %s), not a host's: %s (RFC 1122 "
				"3.2.1.3)",
				ip_addr_str(a->addr, a1),
				host == 0 ? "network" : "broadcast",
				ip_addr_str(a->addr & a->mask, a2),
				(unsigned)a->plen, host == 0 ? "zeros" : "ones",
				host == 0 ? "it names the subnet itself, and "
					    "older stacks (4.2BSD) take it as "
					    "the broadcast address, so "
					    "datagrams to it may be refused "
					    "or go to every host"
					  : "datagrams to it are meant for "
					    "every host of the subnet, and "
					    "stacks refuse it as a source");
		}
		int maj = major[a->bus];
		if (maj != a->grp) {
			const struct sta *o = &c->st[g[maj].first];
			problem(c, 0, path, "%s/%u is on bus \"%s\", whose "
				"other stations are in %s/%u (hosts[%d]."
				"adapters[%d], ...): a station reaches others "
				"directly only within its own subnet, so these "
				"cannot talk without a route through a gateway",
				ip_addr_str(a->addr, a1), (unsigned)a->plen,
				bname(c, a->bus),
				ip_addr_str(g[maj].prefix, a2),
				(unsigned)g[maj].plen, o->h, o->k);
		}
		/* the same (or an overlapping) subnet on another bus: said
		 * at the first station of the later group, against the
		 * first such group before it */
		const struct group *me = &g[a->grp];
		if (me->first != i)
			continue;
		for (int x = 0; x < a->grp; x++) {
			const struct group *o = &g[x];
			uint8_t shorter = o->plen < me->plen ? o->plen : me->plen;
			uint32_t m = mask_of(shorter);
			if (o->bus == me->bus ||
			    (o->prefix & m) != (me->prefix & m))
				continue;
			const struct sta *os = &c->st[o->first];
			char other[40];
			snprintf(other, sizeof other, "%s/%u",
				 ip_addr_str(o->prefix, a2), (unsigned)o->plen);
			problem(c, 0, path, "subnet %s/%u of bus \"%s\" %s%s on "
				"bus \"%s\" (hosts[%d].adapters[%d]): a host "
				"sends a subnet to one bus only (its connected "
				"route or one gateway), so the stations of it "
				"on the other bus are unreachable from there "
				"(ambiguous routing); give each bus its own "
				"subnet",
				ip_addr_str(me->prefix, a1), (unsigned)me->plen,
				bname(c, me->bus),
				o->plen == me->plen ? "is also" : "overlaps ",
				o->plen == me->plen ? "" : other,
				bname(c, o->bus), os->h, os->k);
			break;
		}
	}
	free(order);
	free(dup_of);
	free(major);
	return SN_OK;
}

/* --- routing tables, as the built world would hold them -------------------- */

/* The adapter of host h whose subnet holds `gw` (ip_host_add_route with
 * ifindex -1: the first such interface), or -1. */
static int iface_for(const struct ck *c, int h, uint32_t gw)
{
	if (gw == 0)
		return -1;
	for (int k = 0; k < nadapters(&c->s->hosts[h]); k++) {
		int i = c->sidx[h * SCN_MAX_ADAPTERS + k];
		if (i >= 0 && c->st[i].ip_ok &&
		    ((gw ^ c->st[i].addr) & c->st[i].mask) == 0)
			return k;
	}
	return -1;
}

/* Does host h hold address a (ip_host.c: any interface's address is the
 * host's, whichever interface the datagram came in on)? */
static int owns(const struct ck *c, int h, uint32_t a)
{
	for (int k = 0; k < nadapters(&c->s->hosts[h]); k++) {
		int i = c->sidx[h * SCN_MAX_ADAPTERS + k];
		if (i >= 0 && c->st[i].ip_ok && c->st[i].addr == a)
			return 1;
	}
	return 0;
}

static int rt_same(const struct rt *a, const struct rt *b)
{
	return a->prefix == b->prefix && a->plen == b->plen &&
	       a->gw == b->gw && a->ifk == b->ifk && a->metric == b->metric;
}

/* ip_route.h's order: longest prefix, lowest metric, first added. */
static int rt_cmp(const void *pa, const void *pb)
{
	const struct rt *a = pa, *b = pb;
	if (a->plen != b->plen)
		return a->plen > b->plen ? -1 : 1;
	if (a->metric != b->metric)
		return a->metric < b->metric ? -1 : 1;
	return a->seq - b->seq;
}

/* The station holding `addr` on bus b, other than `self`, that an
 * adapter seeing `view` IDs finds first (address resolution asks the
 * lowest ID first); *hidden gets one it cannot select, if any. */
static int station_at(const struct ck *c, int b, uint32_t addr, int self,
		      int view, int *hidden)
{
	int best = -1;
	*hidden = -1;
	for (int j = c->bus_first[b]; j < c->bus_first[b + 1]; j++) {
		int i = c->bus_list[j];
		const struct sta *o = &c->st[i];
		if (i == self || !o->ip_ok || o->addr != addr)
			continue;
		if (o->id < 0 || o->id >= view) {
			*hidden = i;
			continue;
		}
		if (best < 0 || o->id < c->st[best].id)
			best = i;
	}
	return best;
}

/* Scratch for auto_routes, sized once. */
struct bfs {
	int *dist, *queue;
	uint32_t *via;
	int *added;                /* per group: h + 1 once routed */
};

/* scn_world's auto_routes for host h, rule for rule: breadth first over
 * buses through forwarding hosts; to each subnet on a bus that is not
 * h's, the first gateway of a path with the fewest buses, metric = that
 * count.  Appends to r[*n].  Returns 1 and fills *bad with the first
 * route whose gateway no interface of h reaches (building would fail
 * there), *bad_sta with the station whose subnet it is for; else 0. */
static int auto_routes(struct ck *c, int h, struct bfs *x, struct rt *r,
		       int *n, struct rt *bad, int *bad_sta)
{
	const struct scn *s = c->s;
	int head = 0, tail = 0;
	for (int b = 0; b < c->nb; b++)
		x->dist[b] = -1;
	for (int k = 0; k < nadapters(&s->hosts[h]); k++) {
		int i = c->sidx[h * SCN_MAX_ADAPTERS + k];
		if (i < 0)
			continue;
		int b = c->st[i].bus;
		if (x->dist[b] < 0) {
			x->dist[b] = 0;
			x->via[b] = 0;
			x->queue[tail++] = b;
		}
	}
	while (head < tail) {
		int b = x->queue[head++];
		/* the bus's stations come in host order: one host at a time,
		 * as scn_world's loop over hosts meets them */
		int j = c->bus_first[b];
		while (j < c->bus_first[b + 1]) {
			int g = c->st[c->bus_list[j]].h;
			uint32_t on_b = 0;
			for (; j < c->bus_first[b + 1] &&
			       c->st[c->bus_list[j]].h == g;
			     j++)
				if (!on_b)
					on_b = c->st[c->bus_list[j]].addr;
			if (g == h || !s->hosts[g].forwarding || !on_b)
				continue;
			for (int k = 0; k < nadapters(&s->hosts[g]); k++) {
				int i = c->sidx[g * SCN_MAX_ADAPTERS + k];
				if (i < 0)
					continue;
				int nb2 = c->st[i].bus;
				if (x->dist[nb2] >= 0)
					continue;
				x->dist[nb2] = x->dist[b] + 1;
				x->via[nb2] = x->dist[b] == 0 ? on_b
							      : x->via[b];
				x->queue[tail++] = nb2;
			}
		}
	}
	int failed = 0;
	for (int i = 0; i < c->nst; i++) {
		const struct sta *a = &c->st[i];
		if (x->dist[a->bus] <= 0 || !a->ip_ok)
			continue;
		/* stations of one group give the same route: scn_world's
		 * second one gets SN_EEXIST and is ignored */
		if (x->added[a->grp] == h + 1)
			continue;
		x->added[a->grp] = h + 1;
		struct rt t = { .prefix = a->addr & a->mask, .mask = a->mask,
				.plen = a->plen, .gw = x->via[a->bus],
				.metric = (uint32_t)x->dist[a->bus], .seq = *n,
				.origin = RT_AUTO, .index = -1 };
		t.ifk = iface_for(c, h, t.gw);
		if (t.ifk < 0) {
			if (!failed) {
				*bad = t;
				*bad_sta = i;
			}
			failed = 1;
			continue;
		}
		r[(*n)++] = t;
	}
	return failed;
}

/* A static route as ip_host_add_route would take it, or -1 (reported)
 * when building would refuse it. */
static int static_route(struct ck *c, int h, int q, const struct rt *r,
			int n, struct rt *out)
{
	const struct scn_host *ho = &c->s->hosts[h];
	const struct scn_route *sr = &ho->routes[q];
	char path[64], a1[16], a2[16];
	if (sr->plen > 32 || (sr->prefix & ~mask_of(sr->plen)) != 0) {
		snprintf(path, sizeof path, "hosts[%d].routes[%d].to", h, q);
		problem(c, 0, path, "%s/%u is not a network (bits set past "
			"the prefix): scsinet run refuses this route",
			ip_addr_str(sr->prefix, a1), (unsigned)sr->plen);
		return -1;
	}
	*out = (struct rt){ .prefix = sr->prefix, .mask = mask_of(sr->plen),
			    .plen = sr->plen, .gw = sr->via, .seq = n,
			    .origin = RT_STATIC, .index = q };
	out->ifk = iface_for(c, h, sr->via);
	snprintf(path, sizeof path, "hosts[%d].routes[%d].via", h, q);
	if (out->ifk < 0) {
		char nets[160] = "";
		size_t used = 0;
		int shown = 0;
		for (int k = 0; k < nadapters(ho); k++) {
			int i = c->sidx[h * SCN_MAX_ADAPTERS + k];
			if (i < 0 || !c->st[i].ip_ok || used >= sizeof nets)
				continue;
			used += (size_t)snprintf(
				nets + used, sizeof nets - used, "%s%s/%u",
				shown++ ? ", " : "",
				ip_addr_str(c->st[i].addr & c->st[i].mask, a2),
				(unsigned)c->st[i].plen);
		}
		problem(c, 0, path, "%s is on none of host \"%s\"'s subnets "
			"(%s): a gateway must be a station on one of the "
			"host's own buses, so scsinet run refuses this route",
			ip_addr_str(sr->via, a1), hname(c, h),
			shown ? nets : "it has none");
		return -1;
	}
	for (int y = 0; y < n; y++)
		if (r[y].origin == RT_STATIC && rt_same(&r[y], out)) {
			snprintf(path, sizeof path, "hosts[%d].routes[%d]", h,
				 q);
			problem(c, 0, path, "the same route as "
				"hosts[%d].routes[%d]: scsinet run refuses a "
				"duplicate",
				h, r[y].index);
			return -1;
		}
	/* accepted; but will its gateway answer? */
	int self = c->sidx[h * SCN_MAX_ADAPTERS + out->ifk];
	int hidden;
	if (owns(c, h, sr->via)) {
		problem(c, 0, path, "%s is host \"%s\"'s own address: a host "
			"cannot be its own gateway (address resolution finds "
			"no other station with it), so datagrams routed this "
			"way are dropped",
			ip_addr_str(sr->via, a1), hname(c, h));
	} else if (station_at(c, c->st[self].bus, sr->via, self,
			      view_of(c, &c->st[self]), &hidden) < 0) {
		problem(c, 0, path, "no station on bus \"%s\" %s %s: address "
			"resolution for the gateway fails, so datagrams "
			"routed this way are dropped",
			bname(c, c->st[self].bus),
			hidden >= 0 ? "that this host's narrow adapter can "
				      "select has"
				    : "has",
			ip_addr_str(sr->via, a1));
	}
	return 0;
}

static enum sn_err build_tables(struct ck *c)
{
	const struct scn *s = c->s;
	char path[64], a1[16], a2[16];
	struct bfs x = {
		.dist = malloc(((size_t)c->nb + 1) * sizeof *x.dist),
		.queue = malloc(((size_t)c->nb + 1) * sizeof *x.queue),
		.via = malloc(((size_t)c->nb + 1) * sizeof *x.via),
		.added = calloc((size_t)c->ngrp + 1, sizeof *x.added),
	};
	c->tab = calloc((size_t)c->nh + 1, sizeof *c->tab);
	enum sn_err err = SN_OK;
	if (!c->tab || !x.dist || !x.queue || !x.via || !x.added)
		err = SN_ENOMEM;
	for (int h = 0; h < c->nh && err == SN_OK; h++) {
		const struct scn_host *ho = &s->hosts[h];
		size_t cap = (size_t)SCN_MAX_ADAPTERS + SCN_MAX_ROUTES + 1 +
			     (s->auto_routes ? (size_t)c->ngrp : 0);
		struct rt *r = malloc(cap * sizeof *r);
		if (r == NULL) {
			err = SN_ENOMEM;
			break;
		}
		c->tab[h].r = r;
		int n = 0;
		for (int k = 0; k < nadapters(ho); k++) {
			int i = c->sidx[h * SCN_MAX_ADAPTERS + k];
			if (i < 0 || !c->st[i].ip_ok)
				continue;
			const struct sta *a = &c->st[i];
			r[n] = (struct rt){ .prefix = a->addr & a->mask,
					    .mask = a->mask, .plen = a->plen,
					    .ifk = k, .seq = n,
					    .origin = RT_CONNECTED, .index = k };
			n++;
		}
		for (int q = 0; q < nroutes(ho); q++)
			if (static_route(c, h, q, r, n, &r[n]) == 0)
				n++;
		struct rt bad = { .ifk = -1 };
		int bad_sta = 0;
		if (s->auto_routes &&
		    auto_routes(c, h, &x, r, &n, &bad, &bad_sta)) {
			const struct sta *t = &c->st[bad_sta];
			int gi = -1;
			for (int i = 0; i < c->nst && gi < 0; i++)
				if (c->st[i].ip_ok && c->st[i].addr == bad.gw)
					gi = c->st[i].h;
			snprintf(path, sizeof path, "hosts[%d]", h);
			problem(c, 0, path, "the automatic route to %s/%u "
				"(hosts[%d].adapters[%d]'s subnet) goes "
				"through %s (host \"%s\"), which is on none "
				"of host \"%s\"'s subnets although they share "
				"a bus: scsinet run cannot install it and "
				"refuses to build the scenario",
				ip_addr_str(bad.prefix, a1), (unsigned)bad.plen,
				t->h, t->k, ip_addr_str(bad.gw, a2),
				gi >= 0 ? hname(c, gi) : "?", hname(c, h));
		}
		c->tab[h].n = n;
		qsort(r, (size_t)n, sizeof *r, rt_cmp);
	}
	free(x.dist);
	free(x.queue);
	free(x.via);
	free(x.added);
	return err;
}

/* --- following datagrams --------------------------------------------------- */

static const struct rt *lookup(const struct ck *c, int h, uint32_t dst)
{
	const struct table *t = &c->tab[h];
	for (int i = 0; i < t->n; i++)
		if ((dst & t->r[i].mask) == t->r[i].prefix)
			return &t->r[i];
	return NULL;
}

/* "hosts[2].routes[1]", "hosts[2]'s automatic route to 10.0.3.0/24",
 * "hosts[2].adapters[0]'s subnet". */
static const char *route_name(const struct ck *c, int h, int ri, char *buf,
			      size_t len)
{
	const struct rt *r = &c->tab[h].r[ri];
	char a[16];
	switch (r->origin) {
	case RT_STATIC:
		snprintf(buf, len, "hosts[%d].routes[%d]", h, r->index);
		break;
	case RT_AUTO:
		snprintf(buf, len, "hosts[%d]'s automatic route to %s/%u", h,
			 ip_addr_str(r->prefix, a), (unsigned)r->plen);
		break;
	case RT_CONNECTED:
		snprintf(buf, len, "hosts[%d].adapters[%d]'s subnet", h,
			 r->index);
		break;
	}
	return buf;
}

enum { ST_NEXT = -1 };

/* One hop: from host h towards dst.  Returns ST_NEXT with *next set, or
 * an end_kind with the outcome filled. */
static int step(const struct ck *c, int h, uint32_t dst, int *next,
		struct outcome *o)
{
	const struct rt *r = lookup(c, h, dst);
	memset(o, 0, sizeof *o);
	o->at = h;
	o->from = -1;
	if (r == NULL) {
		o->kind = E_NOROUTE;
		return E_NOROUTE;
	}
	o->rt = (int)(r - c->tab[h].r);
	int self = c->sidx[h * SCN_MAX_ADAPTERS + r->ifk];
	uint32_t hop = r->gw ? r->gw : dst;
	int hidden;
	int i = station_at(c, c->st[self].bus, hop, self,
			   view_of(c, &c->st[self]), &hidden);
	o->nexthop = hop;
	o->bus = c->st[self].bus;
	if (i < 0) {
		o->kind = hidden >= 0 ? E_NARROW : E_NORESOLVE;
		o->id = hidden >= 0 ? c->st[hidden].id : -1;
		return o->kind;
	}
	*next = c->st[i].h;
	return ST_NEXT;
}

/* The per-destination walk's scratch: outcome of a datagram arriving at
 * each host as a transit, the hop each took, a DFS stack. */
struct walk {
	unsigned char *state;      /* 0 new, 1 on the stack, 2 done */
	struct outcome *out;
	int *next, *stack;
};

/* Record the cycle stack[from..top] as a loop (or find it again). */
static enum sn_err note_loop(struct ck *c, struct walk *w, int from, int top,
			     uint32_t dst, int dst_host, int *id)
{
	int n = top - from + 1, start = 0;
	for (int i = 1; i < n; i++)
		if (w->stack[from + i] < w->stack[from + start])
			start = i;
	for (int l = 0; l < c->nloops; l++) {
		struct loop *lp = &c->loops[l];
		if (lp->n != n)
			continue;
		int same = 1;
		for (int i = 0; i < n && same; i++) {
			int h = w->stack[from + (start + i) % n];
			same = lp->host[i] == h && lp->rt[i] == w->out[h].rt;
		}
		if (same) {
			*id = l;
			return SN_OK;
		}
	}
	if (c->nloops % 16 == 0) {
		struct loop *nl = realloc(c->loops, ((size_t)c->nloops + 16) *
							    sizeof *nl);
		if (nl == NULL)
			return SN_ENOMEM;
		c->loops = nl;
	}
	struct loop *lp = &c->loops[c->nloops];
	memset(lp, 0, sizeof *lp);
	lp->host = malloc((size_t)n * sizeof *lp->host);
	lp->rt = malloc((size_t)n * sizeof *lp->rt);
	if (!lp->host || !lp->rt) {
		free(lp->host);
		free(lp->rt);
		return SN_ENOMEM;
	}
	lp->n = n;
	for (int i = 0; i < n; i++) {
		int h = w->stack[from + (start + i) % n];
		lp->host[i] = h;
		lp->rt[i] = w->out[h].rt;
	}
	lp->dst = dst;
	lp->dst_host = dst_host;
	*id = c->nloops++;
	return SN_OK;
}

/* What happens to a datagram for dst arriving at host x as a transit:
 * out[x], computed depth first along the hops (each host once). */
static enum sn_err resolve(struct ck *c, struct walk *w, int x, uint32_t dst,
			   int dst_host)
{
	const struct scn *s = c->s;
	int top = 0;
	w->stack[0] = x;
	while (top >= 0) {
		int h = w->stack[top];
		if (w->state[h] == 2) {
			top--;
			continue;
		}
		struct outcome *o = &w->out[h];
		if (w->state[h] == 0) {
			if (owns(c, h, dst)) {
				memset(o, 0, sizeof *o);
				o->kind = E_REACHED;
				o->at = h;
				o->from = -1;
				w->state[h] = 2;
				continue;
			}
			if (!s->hosts[h].forwarding) {
				memset(o, 0, sizeof *o);
				o->kind = E_NOFWD;
				o->at = h;
				o->from = -1;
				w->state[h] = 2;
				continue;
			}
			w->state[h] = 1;
			if (step(c, h, dst, &w->next[h], o) != ST_NEXT) {
				w->state[h] = 2;
				continue;
			}
			int n = w->next[h];
			if (w->state[n] == 0) {
				w->stack[++top] = n;
				continue;
			}
			if (w->state[n] == 1) {
				int from = top;
				while (w->stack[from] != n)
					from--;
				int id;
				if (note_loop(c, w, from, top, dst, dst_host,
					      &id) != SN_OK)
					return SN_ENOMEM;
				for (int i = from; i <= top; i++) {
					struct outcome *lo =
						&w->out[w->stack[i]];
					lo->kind = E_LOOP;
					lo->loop = id;
					w->state[w->stack[i]] = 2;
				}
				top = from - 1;
				continue;
			}
		}
		/* the next hop's outcome is known: it is ours, one hop on */
		int n = w->next[h];
		int rt = o->rt;
		*o = w->out[n];
		if (o->kind == E_REACHED)
			o->hops++;
		if (o->kind == E_NOFWD && o->from < 0) {
			o->from = h;
			o->from_rt = rt;
		}
		w->state[h] = 2;
		top--;
	}
	return SN_OK;
}

static int find_part(int *up, int x)
{
	while (up[x] != x)
		x = up[x] = up[up[x]];
	return x;
}

/* The parts of the network no cable joins: hosts on one bus are in one
 * part, and a host on two buses joins theirs (forwarding or not: this is
 * about cables, routing is checked by the walks). */
static enum sn_err find_parts(struct ck *c)
{
	const struct scn *s = c->s;
	int *up = malloc((size_t)(c->nh + 1) * sizeof *up);
	int *bus_host = malloc((size_t)(c->nb + 1) * sizeof *bus_host);
	c->part = malloc((size_t)(c->nh + 1) * sizeof *c->part);
	if (!up || !bus_host || !c->part) {
		free(up);
		free(bus_host);
		return SN_ENOMEM;
	}
	for (int h = 0; h < c->nh; h++)
		up[h] = h;
	for (int b = 0; b < c->nb; b++)
		bus_host[b] = -1;
	for (int h = 0; h < c->nh; h++)
		for (int k = 0; k < s->hosts[h].nadapters; k++) {
			int b = s->hosts[h].adapters[k].bus;
			if (b < 0 || b >= c->nb)
				continue;
			if (bus_host[b] < 0)
				bus_host[b] = h;
			else
				up[find_part(up, h)] = find_part(up, bus_host[b]);
		}
	c->nparts = 0;
	for (int h = 0; h < c->nh; h++) {
		c->part[h] = find_part(up, h);
		if (c->part[h] == h)
			c->nparts++;
	}
	free(up);
	free(bus_host);
	return SN_OK;
}

static enum sn_err follow_all(struct ck *c, struct unreach *un,
			      struct nofwd *nf)
{
	struct walk w = {
		.state = malloc((size_t)c->nh + 1),
		.out = malloc(((size_t)c->nh + 1) * sizeof *w.out),
		.next = malloc(((size_t)c->nh + 1) * sizeof *w.next),
		.stack = malloc(((size_t)c->nh + 1) * sizeof *w.stack),
	};
	enum sn_err err = SN_OK;
	if (!w.state || !w.out || !w.next || !w.stack)
		err = SN_ENOMEM;
	for (int d = 0; d < c->nst && err == SN_OK; d++) {
		const struct sta *ds = &c->st[d];
		if (!ds->ip_ok)
			continue;
		int dup = 0; /* one host's address twice is one destination */
		for (int k = 0; k < ds->k && !dup; k++) {
			int e = c->sidx[ds->h * SCN_MAX_ADAPTERS + k];
			dup = e >= 0 && c->st[e].ip_ok &&
			      c->st[e].addr == ds->addr;
		}
		if (dup)
			continue;
		memset(w.state, 0, (size_t)c->nh);
		for (int src = 0; src < c->nh && err == SN_OK; src++) {
			if (src == ds->h || owns(c, src, ds->addr))
				continue;
			/* no cable joins them: separate networks, reported
			 * once as such (report_parts), not as lost routes */
			if (c->part && c->part[src] != c->part[ds->h])
				continue;
			un[src].total++;
			struct outcome o;
			int n;
			if (step(c, src, ds->addr, &n, &o) == ST_NEXT) {
				if (w.state[n] != 2)
					err = resolve(c, &w, n, ds->addr, ds->h);
				if (err != SN_OK)
					break;
				int rt = o.rt;
				o = w.out[n];
				if (o.kind == E_REACHED &&
				    ++o.hops - 1 >= IP_DEFAULT_TTL) {
					o.kind = E_TTL;
				} else if (o.kind == E_NOFWD && o.from < 0) {
					o.from = src;
					o.from_rt = rt;
				}
			}
			if (o.kind == E_REACHED)
				continue;
			struct unreach *u = &un[src];
			if (u->ndst < FEW) {
				u->dst[u->ndst] = d;
				u->why[u->ndst++] = o;
			}
			u->count++;
			if (o.kind == E_LOOP)
				c->loops[o.loop].pairs++;
			if (o.kind == E_NOFWD) {
				struct nofwd *f = &nf[o.at];
				f->pairs++;
				int seen = 0;
				for (int i = 0; i < f->n && !seen; i++)
					seen = f->from[i] == o.from &&
					       f->rt[i] == o.from_rt;
				if (!seen && f->n < NOFWD_KEEP) {
					f->from[f->n] = o.from;
					f->rt[f->n++] = o.from_rt;
				} else if (!seen) {
					f->more = 1;
				}
			}
		}
	}
	free(w.state);
	free(w.out);
	free(w.next);
	free(w.stack);
	return err;
}

/* A short reason for one unreachable address. */
static void why_str(const struct ck *c, const struct outcome *o, char *buf,
		    size_t len)
{
	char a[16];
	switch (o->kind) {
	case E_REACHED:
		snprintf(buf, len, "reached");
		break;
	case E_NOROUTE:
		snprintf(buf, len, "no route at \"%s\"", hname(c, o->at));
		break;
	case E_NORESOLVE:
		snprintf(buf, len, "\"%s\"'s next hop %s is no station on "
			 "bus \"%s\"", hname(c, o->at),
			 ip_addr_str(o->nexthop, a), bname(c, o->bus));
		break;
	case E_NARROW:
		snprintf(buf, len, "\"%s\"'s narrow adapter cannot select "
			 "ID %d", hname(c, o->at), o->id);
		break;
	case E_NOFWD:
		snprintf(buf, len, "dropped at \"%s\", which does not "
			 "forward", hname(c, o->at));
		break;
	case E_LOOP: {
		const struct loop *lp = &c->loops[o->loop];
		snprintf(buf, len, "routing loop at \"%s\"",
			 hname(c, lp->host[0]));
		break;
	}
	case E_TTL:
		snprintf(buf, len, "more than %d gateways on the way (TTL)",
			 IP_DEFAULT_TTL - 1);
		break;
	}
}

static void report_routing(struct ck *c, const struct unreach *un,
			   const struct nofwd *nf)
{
	char path[64], a1[16], a2[16], rn[96];
	for (int l = 0; l < c->nloops; l++) {
		const struct loop *lp = &c->loops[l];
		char chain[512] = "";
		size_t used = 0;
		for (int i = 0; i < lp->n && used < sizeof chain; i++) {
			const struct rt *r = &c->tab[lp->host[i]].r[lp->rt[i]];
			used += (size_t)snprintf(
				chain + used, sizeof chain - used,
				"\"%s\" (%s, via %s) -> ", hname(c, lp->host[i]),
				route_name(c, lp->host[i], lp->rt[i], rn,
					   sizeof rn),
				ip_addr_str(r->gw ? r->gw : lp->dst, a1));
		}
		if (used < sizeof chain)
			snprintf(chain + used, sizeof chain - used, "\"%s\"",
				 hname(c, lp->host[0]));
		const struct rt *r0 = &c->tab[lp->host[0]].r[lp->rt[0]];
		if (r0->origin == RT_STATIC)
			snprintf(path, sizeof path, "hosts[%d].routes[%d]",
				 lp->host[0], r0->index);
		else
			snprintf(path, sizeof path, "hosts[%d]", lp->host[0]);
		problem(c, 0, path, "routing loop %s: datagrams for %s (host "
			"\"%s\") circle until their TTL runs out (%d "
			"host-to-address pair%s caught in it)",
			chain, ip_addr_str(lp->dst, a2), hname(c, lp->dst_host),
			lp->pairs, lp->pairs == 1 ? "" : "s");
	}
	for (int h = 0; h < c->nh; h++) {
		const struct nofwd *f = &nf[h];
		if (f->pairs == 0)
			continue;
		struct nofwd sorted = *f; /* by host, then route: readable */
		for (int i = 1; i < sorted.n; i++)
			for (int j = i; j > 0 &&
			     (sorted.from[j - 1] > sorted.from[j] ||
			      (sorted.from[j - 1] == sorted.from[j] &&
			       sorted.rt[j - 1] > sorted.rt[j]));
			     j--) {
				int t = sorted.from[j];
				sorted.from[j] = sorted.from[j - 1];
				sorted.from[j - 1] = t;
				t = sorted.rt[j];
				sorted.rt[j] = sorted.rt[j - 1];
				sorted.rt[j - 1] = t;
			}
		f = &sorted;
		char who[400] = "";
		size_t used = 0;
		int shown = f->n < FEW ? f->n : FEW;
		int rest = f->n - shown;
		for (int i = 0; i < shown && used < sizeof who; i++)
			used += (size_t)snprintf(
				who + used, sizeof who - used,
				"%s%s (host \"%s\")",
				i == 0 ? ""
				: i + 1 == shown && !rest && !f->more ? " and "
								     : ", ",
				route_name(c, f->from[i], f->rt[i], rn,
					   sizeof rn),
				hname(c, f->from[i]));
		if ((rest || f->more) && used < sizeof who)
			snprintf(who + used, sizeof who - used,
				 " and %s%d other route%s",
				 f->more ? "more than " : "", rest,
				 rest == 1 && !f->more ? "" : "s");
		snprintf(path, sizeof path, "hosts[%d].forwarding", h);
		problem(c, 0, path, "host \"%s\" does not forward (forwarding "
			"is false), yet %s send%s datagrams through it as a "
			"gateway: they are dropped there (%d host-to-address "
			"pair%s); let it forward, or route around it",
			hname(c, h), who, f->n == 1 ? "s" : "", f->pairs,
			f->pairs == 1 ? "" : "s");
	}
	for (int h = 0; h < c->nh; h++) {
		const struct unreach *u = &un[h];
		if (u->count == 0)
			continue;
		char list[600] = "";
		size_t used = 0;
		for (int i = 0; i < u->ndst && used < sizeof list; i++) {
			char why[200];
			why_str(c, &u->why[i], why, sizeof why);
			const struct sta *d = &c->st[u->dst[i]];
			used += (size_t)snprintf(list + used, sizeof list - used,
						 "%s%s of \"%s\" (%s)",
						 i ? ", " : "",
						 ip_addr_str(d->addr, a1),
						 hname(c, d->h), why);
		}
		if (u->count > u->ndst && used < sizeof list)
			snprintf(list + used, sizeof list - used,
				 ", and %d more", u->count - u->ndst);
		snprintf(path, sizeof path, "hosts[%d]", h);
		problem(c, 0, path, "host \"%s\" cannot reach %d of the %d "
			"addresses of other hosts, so datagrams to them are "
			"lost: %s",
			hname(c, h), u->count, u->total, list);
	}
}

/* --- the whole check --------------------------------------------------------- */

static void free_ck(struct ck *c)
{
	free(c->sidx);
	free(c->st);
	free(c->bus_first);
	free(c->bus_list);
	free(c->bus_hosts);
	free(c->grp);
	for (int h = 0; c->tab && h < c->nh; h++)
		free(c->tab[h].r);
	free(c->tab);
	for (int l = 0; l < c->nloops; l++) {
		free(c->loops[l].host);
		free(c->loops[l].rt);
	}
	free(c->loops);
	free(c->part);
}

static int count_gateways(const struct ck *c)
{
	int n = 0;
	for (int h = 0; h < c->nh; h++) {
		if (!c->s->hosts[h].forwarding)
			continue;
		int first = -1, two = 0;
		for (int k = 0; k < nadapters(&c->s->hosts[h]); k++) {
			int i = c->sidx[h * SCN_MAX_ADAPTERS + k];
			if (i < 0)
				continue;
			if (first < 0)
				first = c->st[i].bus;
			else if (c->st[i].bus != first)
				two = 1;
		}
		n += two;
	}
	return n;
}

enum sn_err scn_check_ex(const struct scn *s, FILE *report, unsigned flags,
			 struct scn_check_summary *sum)
{
	struct ck c = { .s = s,
			.out = flags & SCN_CHECK_QUIET ? NULL : report,
			.nh = s->nhosts > 0 && s->hosts ? s->nhosts : 0,
			.nb = s->nbuses > 0 && s->buses ? s->nbuses : 0 };
	struct unreach *un = NULL;
	struct nofwd *nf = NULL;
	enum sn_err err = index_stations(&c);
	if (err == SN_OK) {
		check_ids(&c);
		check_buses(&c);
		check_widths(&c);
		check_speeds(&c);
		check_topology(&c);
		err = check_addresses(&c);
	}
	if (err == SN_OK)
		err = build_tables(&c);
	if (err == SN_OK) {
		un = calloc((size_t)c.nh + 1, sizeof *un);
		nf = calloc((size_t)c.nh + 1, sizeof *nf);
		if (!un || !nf)
			err = SN_ENOMEM;
	}
	if (err == SN_OK)
		err = find_parts(&c);
	if (err == SN_OK)
		err = follow_all(&c, un, nf);
	if (err == SN_OK)
		report_routing(&c, un, nf);
	if (err == SN_OK && c.nparts > 1 && c.out != NULL)
		/* not a problem: side-by-side experiments are built so */
		fprintf(c.out, "note: the network is in %d parts that no "
			       "cable joins; hosts in different parts cannot "
			       "talk (routes are checked within each part): "
			       "join them with a gateway host if they should\n",
			c.nparts);
	c.sum.buses = c.nb;
	c.sum.hosts = c.nh;
	c.sum.gateways = err == SN_OK ? count_gateways(&c) : 0;
	c.sum.problems = c.sum.errors + c.sum.warnings;
	if (err == SN_OK && report != NULL) {
		fprintf(report, "check %s: %d bus%s, %d host%s, %d gateway%s: ",
			s->name, c.nb, c.nb == 1 ? "" : "es", c.nh,
			c.nh == 1 ? "" : "s", c.sum.gateways,
			c.sum.gateways == 1 ? "" : "s");
		if (c.sum.problems == 0)
			fputs("no problems\n", report);
		else
			fprintf(report, "%d problem%s (%d error%s, %d "
					"warning%s)\n",
				c.sum.problems, c.sum.problems == 1 ? "" : "s",
				c.sum.errors, c.sum.errors == 1 ? "" : "s",
				c.sum.warnings, c.sum.warnings == 1 ? "" : "s");
	}
	if (sum != NULL)
		*sum = c.sum;
	free(un);
	free(nf);
	free_ck(&c);
	return err;
}

int scn_check(const struct scn *s, FILE *report)
{
	struct scn_check_summary sum;
	if (scn_check_ex(s, report, 0, &sum) != SN_OK)
		return -1;
	return sum.problems;
}
