/*
 * cli_gen.c - `scsinet gen`: regular topologies (grid, torus, hypercube)
 * written as scenario JSON (the format scenarios/scn_load.c defines).
 *
 * Every shape is built the same way, the way RFC 2143 section 5 scales:
 * small SCSI networks joined by IP gateways.  A bus sits at each vertex
 * of the shape and a gateway host at each edge, with one adapter on each
 * of the two buses it joins; each bus also holds --hosts plain hosts.  So
 * a bus needs (its degree + --hosts) SCSI IDs, which the 8 IDs of a
 * narrow bus (16 of a wide one, with wide adapters) bound.
 *
 * The network is laid out in arrays first and checked against those
 * bounds and the loader's (SCN_MAX_*), so that every file written loads;
 * cJSON then prints it.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "bus_timing.h"
#include "cli.h"
#include "scn.h"

#define GEN_MAX_PINGS 16
#define GEN_MAX_DIM 8           /* 2^8 = 256 buses = SCN_MAX_BUSES */

static void gen_usage(FILE *out)
{
	fputs("usage: scsinet gen grid --rows R --cols C [OPTIONS]\n"
	      "       scsinet gen torus --rows R --cols C [OPTIONS]\n"
	      "       scsinet gen hypercube --dim D [OPTIONS]\n"
	      "\n"
	      "Writes a scenario (JSON, for `scsinet run`) with a regular "
	      "topology.\n"
	      "A SCSI bus sits at each vertex of the shape and a gateway "
	      "host on each\n"
	      "edge: the gateway has an adapter on each of the two buses "
	      "it joins and\n"
	      "forwards between them (RFC 2143 section 5).  Each bus also "
	      "holds\n"
	      "--hosts plain hosts.  Routing is automatic (shortest paths).\n"
	      "\n"
	      "  grid       R x C buses b<r>-<c> (0 <= r < R, 0 <= c < C). "
	      " Gateway\n"
	      "             gx<r>-<c> joins b<r>-<c> to b<r>-<c+1> (to the "
	      "right),\n"
	      "             gy<r>-<c> joins it to b<r+1>-<c> (below): "
	      "R(C-1) + C(R-1)\n"
	      "             gateways, up to 4 on a bus.\n"
	      "  torus      the grid with wraparound: in a dimension of 3 "
	      "or more,\n"
	      "             gx<r>-<C-1> joins the last bus of row r to the "
	      "first (gy\n"
	      "             likewise for columns): 4 gateways on every "
	      "bus.  A\n"
	      "             dimension of 1 has no links (--rows 1 makes a "
	      "ring, 2\n"
	      "             gateways on a bus); 2 is refused (the "
	      "wraparound would\n"
	      "             repeat its only link).\n"
	      "  hypercube  2^D buses v<bits> (D binary digits, bit 0 "
	      "rightmost).\n"
	      "             Gateway e<bits>-<k> joins v<bits> (bit k "
	      "clear) to the\n"
	      "             vertex with bit k set: D 2^(D-1) gateways, D "
	      "on a bus.\n"
	      "\n"
	      "SCSI IDs: on each bus the plain hosts take 0, 1, ..., the "
	      "gateways the\n"
	      "next ones (a higher arbitration priority, for forwarded "
	      "traffic);\n"
	      "address resolution asks the lowest IDs first, so it never "
	      "waits for an\n"
	      "absent ID.  Plain hosts: h<r>-<c> (hypercube h<bits>), or "
	      "h<r>-<c>-<k>\n"
	      "with --hosts 2 or more.  Addresses: the bus at r,c is "
	      "10.<r>.<c>.0/24,\n"
	      "hypercube vertex v 10.0.<v>.0/24; SCSI ID i on it is host "
	      "number i+1.\n"
	      "\n"
	      "options:\n"
	      "  --rows R --cols C  grid and torus size: 1..256 each, 256 "
	      "buses at most\n"
	      "  --dim D            hypercube dimension, 1..8\n"
	      "  --hosts N          plain hosts per bus (default 1), "
	      "0..16, as many as\n"
	      "                     the IDs left by the gateways allow\n"
	      "  --profile P        adapters: aha1522 (default), aic6360, "
	      "pci-fw\n"
	      "  --speed S          scsi1, scsi2, fast, fast20 (default: "
	      "the profile's,\n"
	      "                     scsi2 for aha1522, fast for the others)\n"
	      "  --width W          narrow (default: 8 IDs) or wide (16 "
	      "IDs, pci-fw)\n"
	      "  --mtu N            every interface's MTU, 576..65535 "
	      "(default 65535)\n"
	      "  --duration T       simulated time (default 10s)\n"
	      "  --seed N           the random seed (default 1)\n"
	      "  --name NAME        the scenario's name (default e.g. "
	      "grid-3x3)\n"
	      "  --ping A,B         a ping from host A to host B (5 "
	      "requests 1 s apart\n"
	      "                     from 500 ms); up to 16.  Default: one "
	      "ping across\n"
	      "                     the network, from the first plain host "
	      "of the\n"
	      "                     first bus to the last one of the last "
	      "bus\n"
	      "                     (gateways with --hosts 0)\n"
	      "  --no-traffic       no traffic at all\n"
	      "  --out FILE         write to FILE (default: standard "
	      "output)\n"
	      "\n"
	      "example: scsinet gen torus --rows 3 --cols 4 --out t.json\n"
	      "         scsinet run t.json\n"
	      "\n"
	      "exit status: 0 written, 1 the file could not be written, 2 "
	      "bad input\n",
	      out);
}

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report a bad argument; returns CLI_USAGE for `return bad(...)`. */
static int bad(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("scsinet gen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return CLI_USAGE;
}

/* --- the network, laid out before it is printed --------------------- */

enum shape { GRID, TORUS, HYPERCUBE };

struct gbus {
	char name[SCN_NAME_MAX];
	unsigned net[2];           /* subnet 10.net[0].net[1].0/24 */
	int nids;                  /* IDs taken so far */
};

struct ghost {
	char name[SCN_NAME_MAX];
	int nad;                   /* 1 (plain) or 2 (gateway) */
	int bus[2], id[2];
};

struct gnet {
	struct gbus *bus;
	int nbuses;
	struct ghost *host;
	int nhosts, cap;
	int nplain;                /* hosts[0..nplain) are plain */
};

static int add_host(struct gnet *n, const char *name, int b0, int b1)
{
	if (n->nhosts == n->cap) {
		int cap = n->cap ? 2 * n->cap : 64;
		struct ghost *h = realloc(n->host, (size_t)cap * sizeof *h);
		if (h == NULL)
			return -1;
		n->host = h;
		n->cap = cap;
	}
	struct ghost *h = &n->host[n->nhosts++];
	snprintf(h->name, sizeof h->name, "%s", name);
	h->nad = b1 < 0 ? 1 : 2;
	h->bus[0] = b0;
	h->bus[1] = b1;
	h->id[0] = n->bus[b0].nids++;
	h->id[1] = b1 < 0 ? -1 : n->bus[b1].nids++;
	return 0;
}

static void bits_name(char *buf, size_t size, unsigned v, int dim)
{
	size_t k = 0;
	for (int i = dim - 1; i >= 0 && k + 1 < size; i--)
		buf[k++] = (char)('0' + ((v >> i) & 1));
	buf[k] = '\0';
}

/* Lay out the shape; -1 only when out of memory. */
static int build(struct gnet *n, enum shape shape, int rows, int cols,
		 int dim, int hosts)
{
	char name[SCN_NAME_MAX], bits[16];
	n->nbuses = shape == HYPERCUBE ? 1 << dim : rows * cols;
	n->bus = calloc((size_t)n->nbuses, sizeof *n->bus);
	if (n->bus == NULL)
		return -1;
	for (int b = 0; b < n->nbuses; b++) {
		struct gbus *g = &n->bus[b];
		if (shape == HYPERCUBE) {
			bits_name(bits, sizeof bits, (unsigned)b, dim);
			snprintf(g->name, sizeof g->name, "v%s", bits);
			g->net[0] = 0;
			g->net[1] = (unsigned)b;
		} else {
			snprintf(g->name, sizeof g->name, "b%d-%d", b / cols,
				 b % cols);
			g->net[0] = (unsigned)(b / cols);
			g->net[1] = (unsigned)(b % cols);
		}
	}
	/* plain hosts first: they take the low IDs */
	for (int b = 0; b < n->nbuses; b++)
		for (int k = 0; k < hosts; k++) {
			const char *base = n->bus[b].name + 1; /* no b/v */
			if (hosts == 1)
				snprintf(name, sizeof name, "h%s", base);
			else
				snprintf(name, sizeof name, "h%s-%d", base, k);
			if (add_host(n, name, b, -1))
				return -1;
		}
	n->nplain = n->nhosts;
	if (shape == HYPERCUBE) {
		for (int b = 0; b < n->nbuses; b++)
			for (int k = 0; k < dim; k++) {
				if (b & (1 << k))
					continue;
				bits_name(bits, sizeof bits, (unsigned)b, dim);
				snprintf(name, sizeof name, "e%s-%d", bits, k);
				if (add_host(n, name, b, b | 1 << k))
					return -1;
			}
		return 0;
	}
	int wrap_c = shape == TORUS && cols >= 3;
	int wrap_r = shape == TORUS && rows >= 3;
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols; c++) {
			int b = r * cols + c;
			if (c + 1 < cols || wrap_c) {
				snprintf(name, sizeof name, "gx%d-%d", r, c);
				if (add_host(n, name, b,
					     r * cols + (c + 1) % cols))
					return -1;
			}
			if (r + 1 < rows || wrap_r) {
				snprintf(name, sizeof name, "gy%d-%d", r, c);
				if (add_host(n, name, b,
					     ((r + 1) % rows) * cols + c))
					return -1;
			}
		}
	return 0;
}

static int find_host(const struct gnet *n, const char *name)
{
	for (int i = 0; i < n->nhosts; i++)
		if (strcmp(n->host[i].name, name) == 0)
			return i;
	return -1;
}

/* --- printing ------------------------------------------------------ */

struct gen_opts {
	enum shape shape;
	const char *shape_name;
	int rows, cols, dim, hosts;
	const char *profile, *speed, *width, *name, *out;
	const char *duration;
	uint64_t seed;
	long mtu;                  /* 0: not written (the loader's) */
	int no_traffic;
	int pings[GEN_MAX_PINGS][2];
	int npings;
};

static cJSON *to_json(const struct gnet *n, const struct gen_opts *o,
		      const char *cmdline)
{
	char buf[1024], ip[32];
	cJSON *root = cJSON_CreateObject();
	if (o->name)
		snprintf(buf, sizeof buf, "%s", o->name);
	else if (o->shape == HYPERCUBE)
		snprintf(buf, sizeof buf, "hypercube-%d", o->dim);
	else
		snprintf(buf, sizeof buf, "%s-%dx%d", o->shape_name, o->rows,
			 o->cols);
	cJSON_AddStringToObject(root, "name", buf);
	int ngw = n->nhosts - n->nplain;
	char shape_text[64];
	if (o->shape == HYPERCUBE)
		snprintf(shape_text, sizeof shape_text,
			 "A %d-dimensional hypercube", o->dim);
	else
		snprintf(shape_text, sizeof shape_text, "A %d x %d %s",
			 o->rows, o->cols, o->shape_name);
	snprintf(buf, sizeof buf,
		 "%s of SCSI buses (%s, %s, %s adapters): %d buses at the "
		 "vertices, %d gateway hosts on the edges (two adapters each, "
		 "forwarding between the buses they join), %d plain host%s "
		 "per bus; %d hosts in all. Generated by `%s`.",
		 shape_text, o->width, o->speed, o->profile, n->nbuses, ngw,
		 o->hosts, o->hosts == 1 ? "" : "s", n->nhosts, cmdline);
	cJSON_AddStringToObject(root, "description", buf);
	cJSON_AddNumberToObject(root, "seed", (double)o->seed);
	cJSON_AddStringToObject(root, "duration", o->duration);
	cJSON_AddStringToObject(root, "routing", "auto");
	cJSON *buses = cJSON_AddArrayToObject(root, "buses");
	for (int b = 0; b < n->nbuses; b++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "name", n->bus[b].name);
		cJSON_AddStringToObject(x, "width", o->width);
		cJSON_AddStringToObject(x, "speed", o->speed);
		cJSON_AddItemToArray(buses, x);
	}
	cJSON *hosts = cJSON_AddArrayToObject(root, "hosts");
	for (int i = 0; i < n->nhosts; i++) {
		const struct ghost *h = &n->host[i];
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "name", h->name);
		cJSON *ads = cJSON_AddArrayToObject(x, "adapters");
		for (int k = 0; k < h->nad; k++) {
			const struct gbus *g = &n->bus[h->bus[k]];
			cJSON *a = cJSON_CreateObject();
			cJSON_AddStringToObject(a, "bus", g->name);
			cJSON_AddNumberToObject(a, "id", h->id[k]);
			cJSON_AddStringToObject(a, "profile", o->profile);
			snprintf(ip, sizeof ip, "10.%u.%u.%d/24", g->net[0],
				 g->net[1], h->id[k] + 1);
			cJSON_AddStringToObject(a, "ip", ip);
			if (o->mtu)
				cJSON_AddNumberToObject(a, "mtu",
							(double)o->mtu);
			cJSON_AddItemToArray(ads, a);
		}
		cJSON_AddItemToArray(hosts, x);
	}
	cJSON *tr = cJSON_AddArrayToObject(root, "traffic");
	for (int p = 0; p < o->npings; p++) {
		const char *from = n->host[o->pings[p][0]].name;
		const char *to = n->host[o->pings[p][1]].name;
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "type", "ping");
		snprintf(buf, sizeof buf, "ping-%s-%s", from, to);
		if (strlen(buf) < SCN_NAME_MAX)
			cJSON_AddStringToObject(x, "label", buf);
		cJSON_AddStringToObject(x, "from", from);
		cJSON_AddStringToObject(x, "to", to);
		cJSON_AddNumberToObject(x, "count", 5);
		cJSON_AddStringToObject(x, "interval", "1s");
		cJSON_AddStringToObject(x, "start", "500ms");
		cJSON_AddItemToArray(tr, x);
	}
	return root;
}

/* --- the command --------------------------------------------------- */

/* "--ping A,B" once the network exists. */
static int add_ping(const struct gnet *n, struct gen_opts *o, const char *v)
{
	const char *comma = strchr(v, ',');
	char a[SCN_NAME_MAX + 1], b[SCN_NAME_MAX + 1];
	if (comma == NULL || comma == v || comma[1] == '\0' ||
	    strchr(comma + 1, ',') != NULL)
		return bad("--ping: '%s': want two host names, A,B", v);
	if ((size_t)(comma - v) >= sizeof a || strlen(comma + 1) >= sizeof b)
		return bad("--ping: '%s': no host has so long a name", v);
	snprintf(a, sizeof a, "%.*s", (int)(comma - v), v);
	snprintf(b, sizeof b, "%s", comma + 1);
	int ha = find_host(n, a), hb = find_host(n, b);
	if (ha < 0 || hb < 0)
		return bad("--ping: no host named '%s' in this network (hosts "
			   "are e.g. %s, %s)",
			   ha < 0 ? a : b, n->host[0].name,
			   n->host[n->nhosts - 1].name);
	if (ha == hb)
		return bad("--ping: '%s' pings itself", v);
	o->pings[o->npings][0] = ha;
	o->pings[o->npings][1] = hb;
	o->npings++;
	return CLI_OK;
}

int cli_gen(int argc, char **argv)
{
	struct gen_opts o = { .hosts = 1, .profile = "aha1522",
			      .width = "narrow", .duration = "10s",
			      .seed = 1 };
	const char *ping_args[GEN_MAX_PINGS];
	int nping_args = 0;
	int have_rows = 0, have_cols = 0, have_dim = 0;
	if (argc < 2) {
		gen_usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		gen_usage(stdout);
		return CLI_OK;
	}
	o.shape_name = argv[1];
	if (strcmp(argv[1], "grid") == 0)
		o.shape = GRID;
	else if (strcmp(argv[1], "torus") == 0)
		o.shape = TORUS;
	else if (strcmp(argv[1], "hypercube") == 0)
		o.shape = HYPERCUBE;
	else
		return bad("unknown shape '%s' (grid, torus, hypercube; "
			   "`scsinet gen --help`)",
			   argv[1]);
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t u;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			gen_usage(stdout);
			return CLI_OK;
		}
		if (strcmp(a, "--no-traffic") == 0) {
			o.no_traffic = 1;
			continue;
		}
		static const char *const with_value[] = {
			"--rows", "--cols", "--dim", "--hosts", "--profile",
			"--speed", "--width", "--mtu", "--duration", "--seed",
			"--name", "--ping", "--out", NULL
		};
		int known = 0;
		for (const char *const *w = with_value; *w; w++)
			known |= strcmp(a, *w) == 0;
		if (!known) {
			bad("unknown option '%s'", a);
			gen_usage(stderr);
			return CLI_USAGE;
		}
		if (v == NULL)
			return bad("%s: missing value", a);
		i++;
		if (strcmp(a, "--rows") == 0 || strcmp(a, "--cols") == 0) {
			if (o.shape == HYPERCUBE)
				return bad("%s: a hypercube has --dim, not "
					   "rows and columns", a);
			if (cli_parse_u64(a, v, 1, SCN_MAX_BUSES, &u))
				return CLI_USAGE;
			if (a[2] == 'r') {
				o.rows = (int)u;
				have_rows = 1;
			} else {
				o.cols = (int)u;
				have_cols = 1;
			}
		} else if (strcmp(a, "--dim") == 0) {
			if (o.shape != HYPERCUBE)
				return bad("--dim: a %s has --rows and --cols",
					   o.shape_name);
			if (cli_parse_u64(a, v, 1, GEN_MAX_DIM, &u))
				return CLI_USAGE;
			o.dim = (int)u;
			have_dim = 1;
		} else if (strcmp(a, "--hosts") == 0) {
			if (cli_parse_u64(a, v, 0, 16, &u))
				return CLI_USAGE;
			o.hosts = (int)u;
		} else if (strcmp(a, "--profile") == 0) {
			if (adapter_profile_find(v) == NULL)
				return bad("--profile: '%s' is not a profile "
					   "(aha1522, aic6360, pci-fw)", v);
			o.profile = v;
		} else if (strcmp(a, "--speed") == 0) {
			enum bus_speed s;
			if (bus_speed_parse(v, &s) != SN_OK)
				return bad("--speed: '%s' is not a speed "
					   "(scsi1, scsi2, fast, fast20)", v);
			o.speed = v;
		} else if (strcmp(a, "--width") == 0) {
			if (strcmp(v, "narrow") != 0 && strcmp(v, "wide") != 0)
				return bad("--width: '%s' is not narrow or "
					   "wide", v);
			o.width = v;
		} else if (strcmp(a, "--mtu") == 0) {
			if (cli_parse_u64(a, v, 576, 65535, &u))
				return CLI_USAGE;
			o.mtu = (long)u;
		} else if (strcmp(a, "--duration") == 0) {
			sim_time_t t;
			if (cli_parse_time_range(a, v, SCN_DURATION_MIN,
						 SCN_DURATION_MAX, &t))
				return CLI_USAGE;
			o.duration = v;
		} else if (strcmp(a, "--seed") == 0) {
			if (cli_parse_u64(a, v, 0, SCN_SEED_MAX, &u))
				return CLI_USAGE;
			o.seed = u;
		} else if (strcmp(a, "--name") == 0) {
			char why[64];
			if (scn_name_check(v, why, sizeof why) != 0)
				return bad("--name: '%s' is not a name: %s (1 "
					   "to 31 ASCII letters, digits, '.', "
					   "'_' or '-', starting with a letter "
					   "or a digit)",
					   v, why);
			o.name = v;
		} else if (strcmp(a, "--ping") == 0) {
			if (nping_args == GEN_MAX_PINGS)
				return bad("--ping: at most %d", GEN_MAX_PINGS);
			ping_args[nping_args++] = v;
		} else {
			o.out = v;
		}
	}
	if (o.shape == HYPERCUBE && !have_dim)
		return bad("hypercube: --dim D is required");
	if (o.shape != HYPERCUBE && (!have_rows || !have_cols))
		return bad("%s: --rows R and --cols C are required",
			   o.shape_name);
	if (o.no_traffic && nping_args)
		return bad("--ping and --no-traffic contradict each other");
	const struct adapter_profile *prof = adapter_profile_find(o.profile);
	if (o.speed == NULL)
		o.speed = bus_speed_name(prof->speed);
	int ids = strcmp(o.width, "wide") == 0 && prof->wide ? 16 : 8;

	/* the bounds, before anything is laid out */
	int nbuses, degree, ngw;
	if (o.shape == HYPERCUBE) {
		nbuses = 1 << o.dim;
		degree = o.dim;
		ngw = o.dim << (o.dim - 1);
	} else {
		if (o.rows * o.cols > SCN_MAX_BUSES)
			return bad("%s %dx%d: %d buses; at most %d",
				   o.shape_name, o.rows, o.cols,
				   o.rows * o.cols, SCN_MAX_BUSES);
		if (o.shape == TORUS && (o.rows == 2 || o.cols == 2))
			return bad("torus %dx%d: a dimension of 2 would join "
				   "the same two buses twice; use 1 (no "
				   "links) or 3 and more, or `gen grid`",
				   o.rows, o.cols);
		nbuses = o.rows * o.cols;
		int dr = o.shape == TORUS ? (o.rows >= 3 ? 2 : 0)
					  : (o.rows >= 3 ? 2 : o.rows - 1);
		int dc = o.shape == TORUS ? (o.cols >= 3 ? 2 : 0)
					  : (o.cols >= 3 ? 2 : o.cols - 1);
		degree = dr + dc;
		ngw = o.shape == TORUS
			      ? (o.cols >= 3 ? nbuses : 0) +
					(o.rows >= 3 ? nbuses : 0)
			      : o.rows * (o.cols - 1) + o.cols * (o.rows - 1);
	}
	if (degree + o.hosts > ids) {
		char hint[64];
		if (degree < ids)
			snprintf(hint, sizeof hint, "--hosts %d or fewer",
				 ids - degree);
		else if (degree == ids)
			snprintf(hint, sizeof hint, "--hosts 0");
		else
			snprintf(hint, sizeof hint,
				 "--width wide --profile pci-fw");
		return bad("a bus would need %d SCSI IDs (%d gateway%s + "
			   "--hosts %d); a %s bus%s has %d (try %s)",
			   degree + o.hosts, degree, degree == 1 ? "" : "s",
			   o.hosts, o.width,
			   ids == 8 && strcmp(o.width, "wide") == 0
				   ? " with narrow adapters"
				   : "",
			   ids, hint);
	}
	long total = (long)ngw + (long)o.hosts * nbuses;
	if (total > SCN_MAX_HOSTS)
		return bad("%ld hosts (%d gateways + %d per bus); a scenario "
			   "holds at most %d",
			   total, ngw, o.hosts, SCN_MAX_HOSTS);
	if (total < 2)
		return bad("the network would have %ld host%s; give it at "
			   "least 2 (--hosts)",
			   total, total == 1 ? "" : "s");

	struct gnet n = { 0 };
	int status = CLI_OK;
	if (build(&n, o.shape, o.rows, o.cols, o.dim, o.hosts) != 0) {
		fprintf(stderr, "scsinet gen: out of memory\n");
		status = CLI_FAIL;
	}
	for (int p = 0; status == CLI_OK && p < nping_args; p++)
		status = add_ping(&n, &o, ping_args[p]);
	if (status == CLI_OK && !o.no_traffic && nping_args == 0) {
		/* across the network: first bus's first plain host to the
		 * last bus's last (gateways when there are none) */
		o.pings[0][0] = 0;
		o.pings[0][1] = n.nplain >= 2 ? n.nplain - 1 : n.nhosts - 1;
		o.npings = 1;
	}
	char cmdline[512];
	size_t len = (size_t)snprintf(cmdline, sizeof cmdline, "scsinet gen");
	for (int i = 1; i < argc && len < sizeof cmdline; i++) {
		if (strcmp(argv[i], "--out") == 0) {
			i++; /* where it went is not what it is */
			continue;
		}
		len += (size_t)snprintf(cmdline + len, sizeof cmdline - len,
					" %s", argv[i]);
	}
	/* the description is free text (scn_text_check): a tab a
	 * duration may hold becomes a space, and a command line cut short
	 * loses the bytes of a character it cut */
	if (len >= sizeof cmdline) {
		len = strlen(cmdline);
		while (len > 0 && ((unsigned char)cmdline[len - 1] & 0x80))
			cmdline[--len] = '\0';
	}
	for (char *c = cmdline; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	char *text = NULL;
	if (status == CLI_OK) {
		cJSON *root = to_json(&n, &o, cmdline);
		text = root ? cJSON_Print(root) : NULL;
		cJSON_Delete(root);
		if (text == NULL) {
			fprintf(stderr, "scsinet gen: out of memory\n");
			status = CLI_FAIL;
		}
	}
	if (status == CLI_OK) {
		FILE *f = o.out ? fopen(o.out, "w") : stdout;
		if (f == NULL) {
			fprintf(stderr, "scsinet gen: --out %s: cannot write: "
					"%s\n", o.out, strerror(errno));
			status = CLI_USAGE;
		} else {
			int bad_write = fputs(text, f) < 0 ||
					fputc('\n', f) == EOF;
			if (o.out)
				bad_write |= fclose(f) != 0;
			else
				bad_write |= fflush(f) != 0;
			if (bad_write) {
				fprintf(stderr, "scsinet gen: %s: write "
						"failed\n",
					o.out ? o.out : "standard output");
				status = CLI_FAIL;
			}
		}
	}
	cJSON_free(text);
	free(n.bus);
	free(n.host);
	return status;
}
