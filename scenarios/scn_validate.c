/*
 * scn_validate.c - the scenario checks across elements, once every
 * element is read (scn_load.c): unique names, SCSI IDs and addresses;
 * the routes scn_world_build() would install (automatic routes through
 * scn_auto_hops, the search the builder uses too); the UDP ports the
 * applications bind, as the builder hands them out.  Each refusal names
 * its JSON path, so that `check` refuses all that `run` does.
 */
#include <stdlib.h>
#include <string.h>

#include "ip_apps.h"
#include "ip_host.h"
#include "scn_priv.h"

uint32_t scn_mask_of(uint8_t plen)
{
	return plen ? 0xffffffffu << (32 - plen) : 0;
}

/* The adapter of h whose subnet holds `gw`, as ip_host_add_route picks
 * the interface for a gateway (the first), or -1. */
int scn_iface_for(const struct scn_host *h, uint32_t gw)
{
	for (int k = 0; k < h->nadapters; k++) {
		const struct scn_adapter *a = &h->adapters[k];
		if (gw && a->addr && ((gw ^ a->addr) & scn_mask_of(a->plen)) == 0)
			return k;
	}
	return -1;
}

/* "10.0.0.0/24, 10.0.1.0/24": h's subnets, for messages. */
const char *scn_subnets(const struct scn_host *h, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int k = 0; k < h->nadapters && used < len; k++) {
		const struct scn_adapter *a = &h->adapters[k];
		char x[16];
		if (a->addr == 0)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s/%u",
					 used ? ", " : "",
					 ip_addr_str(a->addr & scn_mask_of(a->plen),
						     x),
					 (unsigned)a->plen);
	}
	return buf[0] ? buf : "none";
}

/* --- the whole file ---------------------------------------------------------------- */

/* Cross-checks once everything is read: unique names, unique IDs per
 * bus, unique addresses. */
static void cross_check(struct scn_rd *r)
{
	struct scn *s = r->s;
	for (int i = 0; i < s->nbuses; i++)
		for (int k = 0; k < i; k++)
			if (s->buses[i].name[0] &&
			    strcmp(s->buses[i].name, s->buses[k].name) == 0) {
				snprintf(r->path, sizeof r->path,
					 "buses[%d].name", i);
				scn_err(r, "\"%s\" is also buses[%d]'s name",
				    s->buses[i].name, k);
			}
	for (int i = 0; i < s->nhosts; i++) {
		for (int k = 0; k < i; k++)
			if (s->hosts[i].name[0] &&
			    strcmp(s->hosts[i].name, s->hosts[k].name) == 0) {
				snprintf(r->path, sizeof r->path,
					 "hosts[%d].name", i);
				scn_err(r, "\"%s\" is also hosts[%d]'s name",
				    s->hosts[i].name, k);
			}
		for (int a = 0; a < s->hosts[i].nadapters; a++) {
			const struct scn_adapter *x = &s->hosts[i].adapters[a];
			for (int k = 0; k <= i; k++)
				for (int b = 0;
				     b < (k == i ? a : s->hosts[k].nadapters);
				     b++) {
					const struct scn_adapter *y =
						&s->hosts[k].adapters[b];
					snprintf(r->path, sizeof r->path,
						 "hosts[%d].adapters[%d]", i, a);
					if (x->bus >= 0 && x->bus == y->bus &&
					    x->id == y->id)
						scn_err(r, "SCSI ID %d is taken on "
							"bus "
						       "\"%s\" by hosts[%d]."
						       "adapters[%d]",
						    x->id,
						    s->buses[x->bus].name, k, b);
					if (x->addr && x->addr == y->addr)
						scn_err(r, "address taken by "
						       "hosts[%d].adapters[%d]",
						    k, b);
				}
		}
	}
	r->path[0] = '\0';
}

/* --- what building needs ----------------------------------------------------- */

/* Every adapter on an existing bus with an address: what the routing
 * computations below index by. */
static int topology_usable(const struct scn *s)
{
	for (int h = 0; h < s->nhosts; h++)
		for (int k = 0; k < s->hosts[h].nadapters; k++) {
			const struct scn_adapter *a = &s->hosts[h].adapters[k];
			if (a->bus < 0 || a->bus >= s->nbuses || a->addr == 0 ||
			    a->plen < 1 || a->plen > 30)
				return 0;
		}
	return s->nbuses > 0;
}

void scn_auto_hops(const struct scn *s, int h, int *dist, uint32_t *via,
		   int *queue)
{
	for (int b = 0; b < s->nbuses; b++) {
		dist[b] = -1;
		via[b] = 0;
	}
	int head = 0, tail = 0;
	const struct scn_host *me = &s->hosts[h];
	for (int k = 0; k < me->nadapters; k++) {
		int b = me->adapters[k].bus;
		if (dist[b] < 0) {
			dist[b] = 0;
			queue[tail++] = b;
		}
	}
	while (head < tail) {
		int b = queue[head++];
		for (int g = 0; g < s->nhosts; g++) {
			const struct scn_host *gw = &s->hosts[g];
			if (g == h || !gw->forwarding)
				continue;
			uint32_t on_b = 0;
			for (int k = 0; k < gw->nadapters; k++)
				if (gw->adapters[k].bus == b && !on_b)
					on_b = gw->adapters[k].addr;
			if (!on_b)
				continue;
			for (int k = 0; k < gw->nadapters; k++) {
				int nb2 = gw->adapters[k].bus;
				if (dist[nb2] >= 0)
					continue;
				dist[nb2] = dist[b] + 1;
				/* leaving h's own bus: this gateway is the
				 * first hop; further on, inherit it */
				via[nb2] = dist[b] == 0 ? on_b : via[b];
				queue[tail++] = nb2;
			}
		}
	}
}

/* Host h's automatic route to the subnet of hosts[g].adapters[k] goes
 * through gw, which none of h's subnets holds. */
static void report_auto_route(struct scn_rd *r, int h, int g, int k,
			      uint32_t gw)
{
	const struct scn *s = r->s;
	const struct scn_adapter *a = &s->hosts[g].adapters[k];
	int gh = -1;
	for (int x = 0; x < s->nhosts && gh < 0; x++)
		for (int y = 0; y < s->hosts[x].nadapters; y++)
			if (s->hosts[x].adapters[y].addr == gw)
				gh = x;
	char p[16], q[16], nets[160];
	snprintf(r->path, sizeof r->path, "hosts[%d]", h);
	scn_err(r, "the automatic route to %s/%u (hosts[%d].adapters[%d]'s "
		"subnet) goes through %s (host \"%s\"), which is in none of "
		"this host's subnets (%s) although they share a bus: the route "
		"cannot be installed",
		ip_addr_str(a->addr & scn_mask_of(a->plen), p), (unsigned)a->plen,
		g, k, ip_addr_str(gw, q), gh >= 0 ? s->hosts[gh].name : "?",
		scn_subnets(&s->hosts[h], nets, sizeof nets));
}

/* With "auto" routing, the builder gives each host a route to every
 * subnet it does not share, through the first gateway on the way; that
 * gateway's address must be in one of the host's own subnets (a host
 * that shares a bus with a gateway but not its subnet cannot use it). */
static void check_auto_routes(struct scn_rd *r)
{
	struct scn *s = r->s;
	int *dist = malloc((size_t)s->nbuses * sizeof *dist);
	int *queue = malloc((size_t)s->nbuses * sizeof *queue);
	uint32_t *via = malloc((size_t)s->nbuses * sizeof *via);
	if (!dist || !queue || !via) {
		scn_err(r, "out of memory checking the automatic routes");
	}
	for (int h = 0; dist && queue && via && h < s->nhosts; h++) {
		scn_auto_hops(s, h, dist, via, queue);
		int done = 0;
		for (int g = 0; g < s->nhosts && !done; g++)
			for (int k = 0; k < s->hosts[g].nadapters && !done;
			     k++) {
				const struct scn_adapter *a =
					&s->hosts[g].adapters[k];
				uint32_t gw = via[a->bus];
				if (dist[a->bus] <= 0 ||
				    scn_iface_for(&s->hosts[h], gw) >= 0)
					continue;
				report_auto_route(r, h, g, k, gw);
				done = 1;
			}
	}
	r->path[0] = '\0';
	free(dist);
	free(queue);
	free(via);
}

/*
 * UDP ports, bound as scn_world_build binds them (ip_apps.c, in traffic
 * order): a udp item binds its receiver at (to, port) unless an earlier
 * udp item did, then its sender's socket; a traceroute binds a socket;
 * a workdist binds its port on every worker, then the master's socket.
 * A sender's socket takes the next free port from 49152 up on its host
 * (ip_host.c's UDP_EPHEMERAL_FIRST).  A port bound twice fails the build
 * (SN_EEXIST), so it is refused here with both owners named.  Where
 * ip_apps.c or ip_host.c change how they bind, this must follow.
 */
#define PORT_EPHEMERAL_FIRST 49152u

struct port_owner {
	uint32_t key;              /* host << 16 | port; 0: empty slot */
	int traffic;
	int sender;                /* a sending socket, not a receiver */
};

struct ports {
	struct port_owner *slot;
	uint32_t mask;             /* slots - 1 */
	uint32_t *next;            /* per host: where the next sender
				    * socket's search starts */
};

static struct port_owner *port_find(struct ports *pt, int h, uint32_t port)
{
	uint32_t key = (uint32_t)(h + 1) << 16 | port;
	uint32_t i = (key * 2654435761u) & pt->mask;
	while (pt->slot[i].key != 0 && pt->slot[i].key != key)
		i = (i + 1) & pt->mask;
	return &pt->slot[i];
}

/* Bind (h, port) to traffic item i, or say who holds it already. */
static int port_bind(struct scn_rd *r, struct ports *pt, int h,
		     uint32_t port, int i, int sender)
{
	struct port_owner *o = port_find(pt, h, port);
	if (o->key != 0) {
		scn_err(r, "UDP port %u of host \"%s\" is taken already, by "
			"traffic[%d]'s %s",
			(unsigned)port, r->s->hosts[h].name, o->traffic,
			o->sender ? "sending socket (a sender takes the next "
				    "free port from 49152 up, in traffic "
				    "order): choose a port below 49152"
				  : "receiver");
		return -1;
	}
	*o = (struct port_owner){ .key = (uint32_t)(h + 1) << 16 | port,
				  .traffic = i, .sender = sender };
	return 0;
}

static void port_sender(struct ports *pt, int h, int i)
{
	for (uint32_t n = 0; n < 65536 - PORT_EPHEMERAL_FIRST; n++) {
		uint32_t p = pt->next[h]++;
		if (pt->next[h] == 65536)
			pt->next[h] = PORT_EPHEMERAL_FIRST;
		struct port_owner *o = port_find(pt, h, p);
		if (o->key == 0) {
			*o = (struct port_owner){
				.key = (uint32_t)(h + 1) << 16 | p,
				.traffic = i, .sender = 1 };
			return;
		}
	}
	/* cannot happen: each item takes one sender port per host, and a
	 * host has 16384 for at most SCN_MAX_TRAFFIC items */
}

void scn_check_ports(struct scn_rd *r)
{
	struct scn *s = r->s;
	size_t binds = 1;
	for (int i = 0; i < s->ntraffic; i++)
		binds += 2 + (size_t)s->traffic[i].nworkers;
	uint32_t size = 16;
	while (size < 2 * binds)
		size *= 2;
	struct ports pt = { .slot = calloc(size, sizeof *pt.slot),
			    .mask = size - 1,
			    .next = malloc(((size_t)s->nhosts + 1) *
					   sizeof *pt.next) };
	if (pt.slot == NULL || pt.next == NULL) {
		scn_err(r, "out of memory checking the UDP ports");
		free(pt.slot);
		free(pt.next);
		return;
	}
	for (int h = 0; h < s->nhosts; h++)
		pt.next[h] = PORT_EPHEMERAL_FIRST;
	for (int i = 0; i < s->ntraffic; i++) {
		const struct scn_traffic *t = &s->traffic[i];
		int ok = t->from >= 0 && t->from < s->nhosts;
		for (int w = 0; w < t->nworkers; w++)
			ok &= t->workers[w] >= 0 && t->workers[w] < s->nhosts;
		if (t->kind == SCN_UDP)
			ok &= t->to >= 0 && t->to < s->nhosts;
		if (!ok)
			continue; /* reported already */
		if (t->kind == SCN_UDP) {
			int shared = 0;
			for (int k = 0; k < i && !shared; k++)
				shared = s->traffic[k].kind == SCN_UDP &&
					 s->traffic[k].to == t->to &&
					 s->traffic[k].port == t->port;
			snprintf(r->path, sizeof r->path, "traffic[%d].port",
				 i);
			if (!shared)
				port_bind(r, &pt, t->to, t->port, i, 0);
			port_sender(&pt, t->from, i);
		} else if (t->kind == SCN_TRACEROUTE) {
			port_sender(&pt, t->from, i);
		} else if (t->kind == SCN_WORKDIST) {
			for (int w = 0; w < t->nworkers; w++) {
				int again = 0; /* reported as a duplicate */
				for (int x = 0; x < w; x++)
					again |= t->workers[x] == t->workers[w];
				snprintf(r->path, sizeof r->path,
					 "traffic[%d].workers[%d]", i, w);
				if (!again)
					port_bind(r, &pt, t->workers[w],
						  t->port, i, 0);
			}
			port_sender(&pt, t->from, i);
		}
	}
	r->path[0] = '\0';
	free(pt.slot);
	free(pt.next);
}


void scn_cross_check(struct scn_rd *r)
{
	cross_check(r);
	if (r->s->auto_routes && topology_usable(r->s))
		check_auto_routes(r);
}
