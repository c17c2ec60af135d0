/*
 * scn_load.c - scenario files: JSON (cJSON) into struct scn, validated
 * completely, every error with its file, JSON path and reason (scn.h).
 */
#include "scn.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "ip_host.h"
#include "ip_wire.h"

/* --- the defaults, in one table ------------------------------------------ */

struct scn_default {
	const char *key, *value, *why;
};

static const struct scn_default defaults[] = {
	{ "seed", "1", "any seed; results depend only on it and the file" },
	{ "duration", "10s", "long enough for resolution over absent IDs" },
	{ "routing", "auto", "shortest paths through forwarding hosts" },
	{ "check", "false", "the protocol checker costs about 5x run time" },
	{ "buses[].width", "narrow", "SCSI-1/SCSI-2's 8 data bits" },
	{ "buses[].speed", "scsi2", "5 MHz: what an AHA-1522 runs" },
	{ "buses[].electrical", "se", "single-ended, as ISA cards were" },
	{ "buses[].length", "1m", "a short internal cable" },
	{ "hosts[].forwarding", "true if it has more than one adapter",
	  "a multi-homed host is a gateway (RFC 2143 section 5)" },
	{ "hosts[].input_cost", "20us", "IP_INPUT_COST (ip_host.h)" },
	{ "hosts[].adapters[].profile", "aha1522", "the card RFC 2143's "
	  "article used" },
	{ "hosts[].adapters[].mtu", "65535", "SEND MESSAGE(10)'s 16-bit "
	  "length (RFC 2143 section 3)" },
	{ "hosts[].adapters[].rx_slots", "4", "receive buffers per station" },
	{ "hosts[].adapters[].target_disconnect", "false", "with no buffer "
	  "free answer BUSY (RFC 2143 leaves it open; BUSY needs no "
	  "reselection)" },
	{ "hosts[].adapters[].arp_cache_time", "1200s", "BSD's arpt_keep" },
	{ "hosts[].adapters[].arp_neg_time", "20s", "BSD's arpt_down; also "
	  "how long an absent SCSI ID is skipped" },
	{ "traffic[].start", "1s", "after the stacks are up" },
	{ "traffic[].count", "5 (ping), 100 (udp)", "" },
	{ "traffic[].interval", "1s (ping)", "ping(8)'s default" },
	{ "traffic[].rate", "100 per second (udp)", "0 is saturation" },
	{ "traffic[].size", "56 (ping), 1024 (udp), 64512 (workdist unit)",
	  "56: ping's default" },
	{ "traffic[].result_size", "1024 (workdist)", "" },
	{ "traffic[].compute", "100ms (workdist)", "" },
	{ "traffic[].timeout", "10s (ping, workdist), 2s (others)",
	  "10 s: iputils ping's -W" },
};

void scn_print_defaults(FILE *out)
{
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		fprintf(out, "%-30s %-24s %s\n", defaults[i].key,
			defaults[i].value, defaults[i].why);
}

/* --- the reader: where we are, what went wrong -------------------------------- */

struct rd {
	struct scn_errors *errs;
	const char *file;
	char path[256];
	struct scn *s;
};

static void err(struct rd *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void err(struct rd *r, const char *fmt, ...)
{
	r->errs->count++;
	if (r->errs->out == NULL || r->errs->count > r->errs->max)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(r->errs->out, "%s: %s: ", r->file,
		r->path[0] ? r->path : "(top level)");
	vfprintf(r->errs->out, fmt, ap);
	fputc('\n', r->errs->out);
	va_end(ap);
}

/* Enter a member or an element; returns the length to restore. */
static size_t push_key(struct rd *r, const char *key)
{
	size_t n = strlen(r->path);
	snprintf(r->path + n, sizeof r->path - n, "%s%s", n ? "." : "", key);
	return n;
}

static size_t push_index(struct rd *r, int i)
{
	size_t n = strlen(r->path);
	snprintf(r->path + n, sizeof r->path - n, "[%d]", i);
	return n;
}

static void pop(struct rd *r, size_t n)
{
	r->path[n] = '\0';
}

static const char *type_name(const cJSON *j)
{
	if (cJSON_IsString(j)) return "a string";
	if (cJSON_IsNumber(j)) return "a number";
	if (cJSON_IsBool(j)) return "a boolean";
	if (cJSON_IsArray(j)) return "an array";
	if (cJSON_IsObject(j)) return "an object";
	if (cJSON_IsNull(j)) return "null";
	return "something else";
}

/* Unknown keys are errors: a misspelt key must not become a silent
 * default. */
static void check_keys(struct rd *r, const cJSON *obj,
		       const char *const *allowed)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, obj) {
		int ok = 0;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, m->string) == 0)
				ok = 1;
		if (!ok) {
			size_t n = push_key(r, m->string);
			err(r, "unknown key");
			pop(r, n);
		}
	}
}

/* Each getter: 1 if the key is there and good, 0 if absent (the caller
 * keeps its default), -1 if there and bad (reported). */
static int get_string(struct rd *r, const cJSON *obj, const char *key,
		      char *out, size_t size, int required)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t n = push_key(r, key);
	int rc = 1;
	if (j == NULL) {
		if (required)
			err(r, "missing (required)");
		rc = required ? -1 : 0;
	} else if (!cJSON_IsString(j)) {
		err(r, "is %s; want a string", type_name(j));
		rc = -1;
	} else if (strlen(j->valuestring) >= size || j->valuestring[0] == 0) {
		err(r, "\"%.40s\" must have 1 to %zu characters",
		    j->valuestring, size - 1);
		rc = -1;
	} else {
		snprintf(out, size, "%s", j->valuestring);
	}
	pop(r, n);
	return rc;
}

static int get_int(struct rd *r, const cJSON *obj, const char *key,
		   long long min, long long max, long long *out, int required)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t n = push_key(r, key);
	int rc = 1;
	if (j == NULL) {
		if (required)
			err(r, "missing (required)");
		rc = required ? -1 : 0;
	} else if (!cJSON_IsNumber(j)) {
		err(r, "is %s; want an integer", type_name(j));
		rc = -1;
	} else if (j->valuedouble != (double)(long long)j->valuedouble ||
		   j->valuedouble < (double)min ||
		   j->valuedouble > (double)max) {
		err(r, "%g is not an integer in %lld..%lld", j->valuedouble,
		    min, max);
		rc = -1;
	} else {
		*out = (long long)j->valuedouble;
	}
	pop(r, n);
	return rc;
}

static int get_bool(struct rd *r, const cJSON *obj, const char *key,
		    int *out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (j == NULL)
		return 0;
	size_t n = push_key(r, key);
	int rc = 1;
	if (!cJSON_IsBool(j)) {
		err(r, "is %s; want true or false", type_name(j));
		rc = -1;
	} else {
		*out = cJSON_IsTrue(j);
	}
	pop(r, n);
	return rc;
}

/* A duration: "250ms", "2.4us", "10s" (sim_time_parse). */
static int get_time(struct rd *r, const cJSON *obj, const char *key,
		    sim_time_t min, sim_time_t max, sim_time_t *out,
		    int required)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t n = push_key(r, key);
	int rc = 1;
	sim_time_t t = 0;
	if (j == NULL) {
		if (required)
			err(r, "missing (required)");
		rc = required ? -1 : 0;
	} else if (!cJSON_IsString(j)) {
		err(r, "is %s; want a duration such as \"250ms\"",
		    type_name(j));
		rc = -1;
	} else if (sim_time_parse(j->valuestring, &t) != SN_OK) {
		err(r, "\"%.40s\" is not a duration (write e.g. \"2.4us\", "
		       "\"250ms\", \"10s\")",
		    j->valuestring);
		rc = -1;
	} else if (t < min || t > max) {
		char a[32], b[32];
		sim_time_format(min, a, sizeof a);
		sim_time_format(max, b, sizeof b);
		err(r, "\"%s\" is out of range %s..%s", j->valuestring, a, b);
		rc = -1;
	} else {
		*out = t;
	}
	pop(r, n);
	return rc;
}

/* "10.0.1.7/24" (plen required) or "10.0.1.7" (plen_out NULL). */
static int parse_prefix(const char *text, uint32_t *addr, uint8_t *plen)
{
	char buf[32];
	if (strlen(text) >= sizeof buf)
		return -1;
	snprintf(buf, sizeof buf, "%s", text);
	char *slash = strchr(buf, '/');
	if ((slash != NULL) != (plen != NULL))
		return -1;
	if (slash) {
		*slash = '\0';
		char *end;
		errno = 0;
		long v = strtol(slash + 1, &end, 10);
		if (*end || slash[1] < '0' || slash[1] > '9' || v < 0 ||
		    v > 32 || errno)
			return -1;
		*plen = (uint8_t)v;
	}
	return ip_addr_parse(buf, addr) == SN_OK ? 0 : -1;
}

static int find_bus(const struct scn *s, const char *name)
{
	for (int i = 0; i < s->nbuses; i++)
		if (strcmp(s->buses[i].name, name) == 0)
			return i;
	return -1;
}

static int find_host(const struct scn *s, const char *name)
{
	for (int i = 0; i < s->nhosts; i++)
		if (strcmp(s->hosts[i].name, name) == 0)
			return i;
	return -1;
}

/* --- buses -------------------------------------------------------------------- */

/* A length: "3m", "1500mm", or a number of metres. */
static int get_length(struct rd *r, const cJSON *obj, uint32_t *mm)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, "length");
	if (j == NULL)
		return 0;
	size_t n = push_key(r, "length");
	double m = -1;
	if (cJSON_IsNumber(j)) {
		m = j->valuedouble;
	} else if (cJSON_IsString(j)) {
		char *end;
		double v = strtod(j->valuestring, &end);
		if (end != j->valuestring && strcmp(end, "m") == 0)
			m = v;
		else if (end != j->valuestring && strcmp(end, "mm") == 0)
			m = v / 1000;
		else if (end != j->valuestring && strcmp(end, "cm") == 0)
			m = v / 100;
	}
	int rc = 1;
	if (!(m >= 0.01 && m <= 100)) {
		err(r, "want a cable length from 0.01m to 100m, e.g. \"3m\"");
		rc = -1;
	} else {
		*mm = (uint32_t)(m * 1000 + 0.5);
	}
	pop(r, n);
	return rc;
}

static void load_bus(struct rd *r, const cJSON *j, struct scn_bus *b)
{
	static const char *const keys[] = { "name", "width", "speed",
					    "electrical", "length",
					    "termination", "comment", NULL };
	check_keys(r, j, keys);
	get_string(r, j, "name", b->name, sizeof b->name, 1);
	char text[16];
	b->width = BUS_NARROW;
	b->speed = BUS_SPEED_SCSI2;
	b->electrical = BUS_SE;
	b->length_mm = 1000;
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(j, "width");
	if (w != NULL) {
		size_t n = push_key(r, "width");
		if (cJSON_IsNumber(w) && (w->valuedouble == 8 ||
					  w->valuedouble == 16))
			b->width = w->valuedouble == 8 ? BUS_NARROW : BUS_WIDE;
		else if (!cJSON_IsString(w) ||
			 bus_width_parse(w->valuestring, &b->width) != SN_OK)
			err(r, "want \"narrow\" (8), or \"wide\" (16)");
		pop(r, n);
	}
	if (get_string(r, j, "speed", text, sizeof text, 0) == 1 &&
	    bus_speed_parse(text, &b->speed) != SN_OK) {
		size_t n = push_key(r, "speed");
		err(r, "\"%s\" is not a speed class (\"scsi1\", \"scsi2\", "
		       "\"fast\", \"fast20\")",
		    text);
		pop(r, n);
	}
	if (get_string(r, j, "electrical", text, sizeof text, 0) == 1 &&
	    bus_electrical_parse(text, &b->electrical) != SN_OK) {
		size_t n = push_key(r, "electrical");
		err(r, "\"%s\" is not \"se\" or \"hvd\"", text);
		pop(r, n);
	}
	get_length(r, j, &b->length_mm);
	if (get_string(r, j, "termination", text, sizeof text, 0) == 1 &&
	    strcmp(text, "both") != 0) {
		size_t n = push_key(r, "termination");
		err(r, "\"%s\": only \"both\" (terminated at both ends, as "
		       "SCSI-2 requires) is modelled",
		    text);
		pop(r, n);
	}
}

/* --- hosts -------------------------------------------------------------------- */

static void load_adapter(struct rd *r, const cJSON *j, struct scn_adapter *a)
{
	static const char *const keys[] = { "bus", "id", "profile", "ip",
					    "mtu", "rx_slots", "position",
					    "arp_cache_time", "arp_neg_time",
					    "target_disconnect", "comment",
					    NULL };
	check_keys(r, j, keys);
	struct scn *s = r->s;
	char bus[SCN_NAME_MAX] = "", ip[32] = "";
	a->bus = -1;
	if (get_string(r, j, "bus", bus, sizeof bus, 1) == 1) {
		a->bus = find_bus(s, bus);
		if (a->bus < 0) {
			size_t n = push_key(r, "bus");
			err(r, "no bus named \"%s\"", bus);
			pop(r, n);
		}
	}
	snprintf(a->profile, sizeof a->profile, "aha1522");
	if (get_string(r, j, "profile", a->profile, sizeof a->profile, 0) ==
		    1 &&
	    adapter_profile_find(a->profile) == NULL) {
		size_t n = push_key(r, "profile");
		err(r, "\"%s\" is not a profile (aha1522, aic6360, pci-fw)",
		    a->profile);
		pop(r, n);
	}
	const struct adapter_profile *prof = adapter_profile_find(a->profile);
	int ids = a->bus >= 0 && s->buses[a->bus].width == BUS_WIDE &&
				  prof && prof->wide
			  ? 16
			  : 8;
	long long v = -1;
	if (get_int(r, j, "id", 0, 15, &v, 1) == 1) {
		a->id = (int)v;
		if (a->id >= ids) {
			size_t n = push_key(r, "id");
			err(r, "%d is out of range 0..%d (%s)", a->id, ids - 1,
			    ids == 8 && a->bus >= 0 &&
					    s->buses[a->bus].width == BUS_WIDE
				    ? "a narrow adapter on a wide bus"
				    : "a narrow bus");
			pop(r, n);
		}
	}
	if (get_string(r, j, "ip", ip, sizeof ip, 1) == 1 &&
	    (parse_prefix(ip, &a->addr, &a->plen) != 0 || a->addr == 0 ||
	     a->plen == 0 || a->plen > 30)) {
		size_t n = push_key(r, "ip");
		err(r, "\"%s\" is not an address with a prefix such as "
		       "\"10.0.1.7/24\" (prefix 1..30)",
		    ip);
		pop(r, n);
	}
	a->mtu = 65535;
	if (get_int(r, j, "mtu", IP_MIN_MTU, IP_MAX_LEN, &v, 0) == 1)
		a->mtu = (uint32_t)v;
	a->rx_slots = 4;
	if (get_int(r, j, "rx_slots", 1, 1024, &v, 0) == 1)
		a->rx_slots = (uint32_t)v;
	get_time(r, j, "arp_cache_time", 1 * SIM_MS, 1000000 * SIM_S,
		 &a->arp_cache_time, 0);
	get_time(r, j, "arp_neg_time", 1 * SIM_MS, 1000000 * SIM_S,
		 &a->arp_neg_time, 0);
	if (get_bool(r, j, "target_disconnect", &a->target_disconnect) == 1 &&
	    a->target_disconnect && prof && prof->kind != AD_KIND_ISA_PIO) {
		size_t n = push_key(r, "target_disconnect");
		err(r, "the %s profile answers BUSY when it has no receive "
		       "buffer; only the AIC-6x60 driver (aha1522, aic6360) "
		       "disconnects",
		    a->profile);
		pop(r, n);
	}
	a->pos_mm = UINT32_MAX; /* spread along the cable by the builder */
	if (get_int(r, j, "position", 0, 100000, &v, 0) == 1)
		a->pos_mm = (uint32_t)v;
}

static void load_route(struct rd *r, const cJSON *j, struct scn_route *rt)
{
	static const char *const keys[] = { "to", "via", "comment", NULL };
	check_keys(r, j, keys);
	char to[32] = "", via[32] = "";
	rt->adapter = -1;
	if (get_string(r, j, "to", to, sizeof to, 1) == 1) {
		if (strcmp(to, "default") == 0) {
			rt->prefix = 0;
			rt->plen = 0;
		} else if (parse_prefix(to, &rt->prefix, &rt->plen) != 0 ||
			   (rt->plen < 32 &&
			    (rt->prefix & ~(rt->plen ? 0xffffffffu
							       << (32 - rt->plen)
						     : 0u)) != 0)) {
			size_t n = push_key(r, "to");
			err(r, "\"%s\" is not a network such as \"10.0.2.0/24\" "
			       "(no host bits) or \"default\"",
			    to);
			pop(r, n);
		}
	}
	if (get_string(r, j, "via", via, sizeof via, 1) == 1 &&
	    parse_prefix(via, &rt->via, NULL) != 0) {
		size_t n = push_key(r, "via");
		err(r, "\"%s\" is not an address", via);
		pop(r, n);
	}
}

static void load_host(struct rd *r, const cJSON *j, struct scn_host *h)
{
	static const char *const keys[] = { "name", "forwarding",
					    "input_cost", "adapters",
					    "routes", "comment", NULL };
	check_keys(r, j, keys);
	get_string(r, j, "name", h->name, sizeof h->name, 1);
	h->input_cost = IP_INPUT_COST;
	get_time(r, j, "input_cost", 1 * SIM_NS, 1 * SIM_S, &h->input_cost,
		 0);
	const cJSON *ads = cJSON_GetObjectItemCaseSensitive(j, "adapters");
	size_t n = push_key(r, "adapters");
	if (!cJSON_IsArray(ads) || cJSON_GetArraySize(ads) < 1 ||
	    cJSON_GetArraySize(ads) > SCN_MAX_ADAPTERS) {
		err(r, ads == NULL ? "missing (required): a host needs at "
				     "least one adapter"
				   : "want an array of 1 to 8 adapters");
	} else {
		int i = 0;
		const cJSON *a;
		cJSON_ArrayForEach(a, ads) {
			size_t k = push_index(r, i);
			if (!cJSON_IsObject(a))
				err(r, "is %s; want an object", type_name(a));
			else
				load_adapter(r, a, &h->adapters[i]);
			pop(r, k);
			i++;
		}
		h->nadapters = i;
	}
	pop(r, n);
	h->forwarding = h->nadapters > 1;
	get_bool(r, j, "forwarding", &h->forwarding);
	const cJSON *routes = cJSON_GetObjectItemCaseSensitive(j, "routes");
	if (routes != NULL) {
		n = push_key(r, "routes");
		if (!cJSON_IsArray(routes) ||
		    cJSON_GetArraySize(routes) > SCN_MAX_ROUTES) {
			err(r, "want an array of at most %d routes",
			    SCN_MAX_ROUTES);
		} else {
			int i = 0;
			const cJSON *rt;
			cJSON_ArrayForEach(rt, routes) {
				size_t k = push_index(r, i);
				if (!cJSON_IsObject(rt))
					err(r, "is %s; want an object",
					    type_name(rt));
				else
					load_route(r, rt, &h->routes[i]);
				pop(r, k);
				i++;
			}
			h->nroutes = i;
		}
		pop(r, n);
	}
}

/* --- traffic ------------------------------------------------------------------ */

/* A host by name, or an address one of its adapters has. */
static int resolve_host(struct rd *r, const cJSON *obj, const char *key,
			int *host, uint32_t *addr, int required)
{
	char text[SCN_NAME_MAX];
	int rc = get_string(r, obj, key, text, sizeof text, required);
	if (rc != 1)
		return rc;
	*host = find_host(r->s, text);
	if (*host >= 0)
		return 1;
	uint32_t a;
	if (addr != NULL && parse_prefix(text, &a, NULL) == 0) {
		for (int i = 0; i < r->s->nhosts; i++)
			for (int k = 0; k < r->s->hosts[i].nadapters; k++)
				if (r->s->hosts[i].adapters[k].addr == a) {
					*host = i;
					*addr = a;
					return 1;
				}
	}
	size_t n = push_key(r, key);
	err(r, "no host named or addressed \"%s\"", text);
	pop(r, n);
	return -1;
}

static void load_traffic(struct rd *r, const cJSON *j, struct scn_traffic *t,
			 int index)
{
	char type[16] = "";
	if (get_string(r, j, "type", type, sizeof type, 1) != 1)
		return;
	static const char *const common[] = { "type", "label", "start",
					      "stop", "comment" };
	static const char *const ping_keys[] = { "from", "to", "count",
						 "interval", "size",
						 "timeout", NULL };
	static const char *const udp_keys[] = { "from", "to", "count",
						"rate", "size", "window",
						"port", "timeout", NULL };
	static const char *const trace_keys[] = { "from", "to", "max_hops",
						  "probes", "timeout", NULL };
	static const char *const work_keys[] = { "master", "workers",
						 "units", "size",
						 "result_size", "compute",
						 "port", "timeout", NULL };
	const char *const *specific;
	if (strcmp(type, "ping") == 0) {
		t->kind = SCN_PING;
		specific = ping_keys;
	} else if (strcmp(type, "udp") == 0) {
		t->kind = SCN_UDP;
		specific = udp_keys;
	} else if (strcmp(type, "traceroute") == 0) {
		t->kind = SCN_TRACEROUTE;
		specific = trace_keys;
	} else if (strcmp(type, "workdist") == 0) {
		t->kind = SCN_WORKDIST;
		specific = work_keys;
	} else {
		size_t n = push_key(r, "type");
		err(r, "\"%s\" is not a traffic type (ping, udp, traceroute, "
		       "workdist)",
		    type);
		pop(r, n);
		return;
	}
	const char *keys[16];
	int nk = 0;
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
		keys[nk++] = common[i];
	for (const char *const *k = specific; *k; k++)
		keys[nk++] = *k;
	keys[nk] = NULL;
	check_keys(r, j, keys);
	if (get_string(r, j, "label", t->label, sizeof t->label, 0) != 1)
		snprintf(t->label, sizeof t->label, "%s-%d", type, index);
	t->start = 1 * SIM_S;
	get_time(r, j, "start", 0, 1000000 * SIM_S, &t->start, 0);
	get_time(r, j, "stop", 0, 1000000 * SIM_S, &t->stop, 0);
	t->timeout = 2 * SIM_S;
	get_time(r, j, "timeout", 1 * SIM_US, 3600 * SIM_S, &t->timeout, 0);
	long long v;
	t->from = t->to = -1;
	switch (t->kind) {
	case SCN_PING:
	case SCN_UDP:
	case SCN_TRACEROUTE:
		resolve_host(r, j, "from", &t->from, NULL, 1);
		resolve_host(r, j, "to", &t->to, &t->to_addr, 1);
		if (t->from >= 0 && t->from == t->to) {
			size_t n = push_key(r, "to");
			err(r, "is the sending host itself");
			pop(r, n);
		}
		break;
	case SCN_WORKDIST:
		resolve_host(r, j, "master", &t->from, NULL, 1);
		break;
	}
	if (t->kind == SCN_PING) {
		/* iputils ping waits 10 s (-W) for a reply */
		if (!cJSON_HasObjectItem(j, "timeout"))
			t->timeout = 10 * SIM_S;
		t->count = 5;
		t->interval = 1 * SIM_S;
		t->size = 56;
		/* sequence numbers are 16 bits (RFC 792) */
		if (get_int(r, j, "count", 1, 65535, &v, 0) == 1)
			t->count = (uint32_t)v;
		get_time(r, j, "interval", 1 * SIM_US, 3600 * SIM_S,
			 &t->interval, 0);
		if (get_int(r, j, "size", 0,
			    IP_MAX_LEN - IP_HDR_LEN - ICMP_HDR_LEN, &v, 0) == 1)
			t->size = (uint32_t)v;
	} else if (t->kind == SCN_UDP) {
		t->count = 100;
		t->size = 1024;
		t->rate = 100;
		t->window = 1;
		t->port = 9000;
		if (get_int(r, j, "count", 1, 100000000, &v, 0) == 1)
			t->count = (uint32_t)v;
		if (get_int(r, j, "rate", 0, 1000000, &v, 0) == 1)
			t->rate = (uint32_t)v;
		if (get_int(r, j, "size", 16,
			    IP_MAX_LEN - IP_HDR_LEN - UDP_HDR_LEN, &v, 0) == 1)
			t->size = (uint32_t)v;
		if (get_int(r, j, "window", 1, 1024, &v, 0) == 1)
			t->window = (uint32_t)v;
		if (get_int(r, j, "port", 1, 65535, &v, 0) == 1)
			t->port = (uint16_t)v;
	} else if (t->kind == SCN_TRACEROUTE) {
		t->max_hops = 30;
		t->probes = 3;
		if (get_int(r, j, "max_hops", 1, 255, &v, 0) == 1)
			t->max_hops = (uint32_t)v;
		if (get_int(r, j, "probes", 1, 10, &v, 0) == 1)
			t->probes = (uint32_t)v;
	} else {
		t->units = 10;
		t->size = 65536 - 1024;
		t->result_size = 1024;
		t->compute = 100 * SIM_MS;
		t->port = 7000;
		t->timeout = 10 * SIM_S;
		get_time(r, j, "timeout", 1 * SIM_US, 3600 * SIM_S,
			 &t->timeout, 0);
		if (get_int(r, j, "units", 1, 1000000, &v, 0) == 1)
			t->units = (uint32_t)v;
		if (get_int(r, j, "size", 1, 65507, &v, 0) == 1)
			t->size = (uint32_t)v;
		if (get_int(r, j, "result_size", 1, 65507, &v, 0) == 1)
			t->result_size = (uint32_t)v;
		if (get_int(r, j, "port", 1, 65535, &v, 0) == 1)
			t->port = (uint16_t)v;
		get_time(r, j, "compute", 0, 3600 * SIM_S, &t->compute, 0);
		const cJSON *ws = cJSON_GetObjectItemCaseSensitive(j, "workers");
		size_t n = push_key(r, "workers");
		if (!cJSON_IsArray(ws) || cJSON_GetArraySize(ws) < 1 ||
		    cJSON_GetArraySize(ws) > SCN_MAX_WORKERS) {
			err(r, "want an array of 1 to %d host names",
			    SCN_MAX_WORKERS);
		} else {
			const cJSON *w;
			cJSON_ArrayForEach(w, ws) {
				size_t k = push_index(r, t->nworkers);
				int h = cJSON_IsString(w)
						? find_host(r->s, w->valuestring)
						: -1;
				if (h < 0)
					err(r, "no host named %s%.40s%s",
					    cJSON_IsString(w) ? "\"" : "",
					    cJSON_IsString(w) ? w->valuestring
							      : type_name(w),
					    cJSON_IsString(w) ? "\"" : "");
				else if (h == t->from)
					err(r, "is the master itself");
				t->workers[t->nworkers++] = h;
				pop(r, k);
			}
		}
		pop(r, n);
	}
}

/* --- faults -------------------------------------------------------------------- */

/* The adapter of host h on bus b, or -1. */
static int adapter_on(const struct scn *s, int h, int b)
{
	for (int k = 0; k < s->hosts[h].nadapters; k++)
		if (s->hosts[h].adapters[k].bus == b)
			return k;
	return -1;
}

static void load_fault(struct rd *r, const cJSON *j, struct scn_fault *f,
		       int index)
{
	static const char *const keys[] = { "type", "label", "at", "until",
					    "bus", "host", "byte", "comment",
					    NULL };
	check_keys(r, j, keys);
	struct scn *s = r->s;
	char type[16] = "", name[SCN_NAME_MAX];
	if (get_string(r, j, "type", type, sizeof type, 1) != 1)
		return;
	if (strcmp(type, "bus_reset") == 0) {
		f->kind = SCN_FAULT_BUS_RESET;
	} else if (strcmp(type, "host_down") == 0) {
		f->kind = SCN_FAULT_HOST_DOWN;
	} else if (strcmp(type, "cable_pull") == 0) {
		f->kind = SCN_FAULT_CABLE_PULL;
	} else if (strcmp(type, "parity") == 0) {
		f->kind = SCN_FAULT_PARITY;
	} else {
		size_t n = push_key(r, "type");
		err(r, "\"%s\" is not a fault (bus_reset, host_down, "
		       "cable_pull, parity)",
		    type);
		pop(r, n);
		return;
	}
	if (get_string(r, j, "label", f->label, sizeof f->label, 0) != 1)
		snprintf(f->label, sizeof f->label, "%s-%d", type, index);
	get_time(r, j, "at", 0, 1000000 * SIM_S, &f->at, 1);
	if (get_time(r, j, "until", 0, 1000000 * SIM_S, &f->until, 0) == 1 &&
	    f->until <= f->at) {
		size_t n = push_key(r, "until");
		err(r, "is not after \"at\"");
		pop(r, n);
	}
	f->bus = f->host = f->adapter = -1;
	if (get_string(r, j, "bus", name, sizeof name, 0) == 1 &&
	    (f->bus = find_bus(s, name)) < 0) {
		size_t n = push_key(r, "bus");
		err(r, "no bus named \"%s\"", name);
		pop(r, n);
	}
	if (get_string(r, j, "host", name, sizeof name, 0) == 1 &&
	    (f->host = find_host(s, name)) < 0) {
		size_t n = push_key(r, "host");
		err(r, "no host named \"%s\"", name);
		pop(r, n);
	}
	if (f->kind == SCN_FAULT_HOST_DOWN && f->host < 0 &&
	    !cJSON_HasObjectItem(j, "host")) {
		size_t n = push_key(r, "host");
		err(r, "missing (required): which host goes down");
		pop(r, n);
	}
	if (f->kind != SCN_FAULT_HOST_DOWN && !cJSON_HasObjectItem(j, "bus")) {
		size_t n = push_key(r, "bus");
		err(r, "missing (required)");
		pop(r, n);
	}
	if ((f->kind == SCN_FAULT_CABLE_PULL || f->kind == SCN_FAULT_PARITY) &&
	    !cJSON_HasObjectItem(j, "host")) {
		size_t n = push_key(r, "host");
		err(r, f->kind == SCN_FAULT_PARITY
			       ? "missing (required): whose adapter sends the "
				 "bad byte"
			       : "missing (required): whose cable is pulled");
		pop(r, n);
	}
	f->byte = 1;
	long long v;
	if (get_int(r, j, "byte", 1, 100000000, &v, 0) == 1) {
		f->byte = (uint32_t)v;
		if (f->kind != SCN_FAULT_PARITY) {
			size_t n = push_key(r, "byte");
			err(r, "only a parity fault takes a byte");
			pop(r, n);
		}
	}
	if (f->bus >= 0 && f->host >= 0) {
		f->adapter = adapter_on(s, f->host, f->bus);
		if (f->adapter < 0) {
			size_t n = push_key(r, "host");
			err(r, "\"%s\" has no adapter on bus \"%s\"",
			    s->hosts[f->host].name, s->buses[f->bus].name);
			pop(r, n);
		}
	} else if (f->kind == SCN_FAULT_BUS_RESET && f->bus >= 0) {
		/* by the first host on the bus */
		for (int h = 0; h < s->nhosts && f->host < 0; h++)
			if (adapter_on(s, h, f->bus) >= 0) {
				f->host = h;
				f->adapter = adapter_on(s, h, f->bus);
			}
		if (f->host < 0) {
			size_t n = push_key(r, "bus");
			err(r, "no host is on bus \"%s\" to reset it",
			    s->buses[f->bus].name);
			pop(r, n);
		}
	}
}

/* --- the whole file ---------------------------------------------------------------- */

/* Cross-checks once everything is read: unique names, unique IDs per
 * bus, unique addresses. */
static void cross_check(struct rd *r)
{
	struct scn *s = r->s;
	for (int i = 0; i < s->nbuses; i++)
		for (int k = 0; k < i; k++)
			if (s->buses[i].name[0] &&
			    strcmp(s->buses[i].name, s->buses[k].name) == 0) {
				snprintf(r->path, sizeof r->path,
					 "buses[%d].name", i);
				err(r, "\"%s\" is also buses[%d]'s name",
				    s->buses[i].name, k);
			}
	for (int i = 0; i < s->nhosts; i++) {
		for (int k = 0; k < i; k++)
			if (s->hosts[i].name[0] &&
			    strcmp(s->hosts[i].name, s->hosts[k].name) == 0) {
				snprintf(r->path, sizeof r->path,
					 "hosts[%d].name", i);
				err(r, "\"%s\" is also hosts[%d]'s name",
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
						err(r, "SCSI ID %d is taken on bus "
						       "\"%s\" by hosts[%d]."
						       "adapters[%d]",
						    x->id,
						    s->buses[x->bus].name, k, b);
					if (x->addr && x->addr == y->addr)
						err(r, "address taken by "
						       "hosts[%d].adapters[%d]",
						    k, b);
				}
		}
	}
	r->path[0] = '\0';
}

static int load_array(struct rd *r, const cJSON *root, const char *key,
		      int max, int required, const cJSON **out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, key);
	*out = NULL;
	if (j == NULL) {
		if (required) {
			size_t n = push_key(r, key);
			err(r, "missing (required)");
			pop(r, n);
		}
		return 0;
	}
	if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) > max ||
	    (required && cJSON_GetArraySize(j) == 0)) {
		size_t n = push_key(r, key);
		err(r, "want an array of %d to %d elements", required, max);
		pop(r, n);
		return 0;
	}
	*out = j;
	return cJSON_GetArraySize(j);
}

static void load_all(struct rd *r, const cJSON *root)
{
	struct scn *s = r->s;
	static const char *const keys[] = { "name", "description", "seed",
					    "duration", "routing", "check",
					    "buses", "hosts", "traffic",
					    "faults", "comment", "$schema",
					    NULL };
	if (!cJSON_IsObject(root)) {
		err(r, "the file holds %s; want a scenario object",
		    type_name(root));
		return;
	}
	check_keys(r, root, keys);
	get_string(r, root, "name", s->name, sizeof s->name, 0);
	get_string(r, root, "description", s->description,
		   sizeof s->description, 0);
	long long v;
	s->seed = 1;
	if (get_int(r, root, "seed", 0, (1LL << 53), &v, 0) == 1)
		s->seed = (uint64_t)v;
	s->duration = 10 * SIM_S;
	get_time(r, root, "duration", 1 * SIM_US, 100000 * SIM_S, &s->duration,
		 0);
	char routing[16];
	s->auto_routes = 1;
	if (get_string(r, root, "routing", routing, sizeof routing, 0) == 1) {
		if (strcmp(routing, "static") == 0) {
			s->auto_routes = 0;
		} else if (strcmp(routing, "auto") != 0) {
			size_t n = push_key(r, "routing");
			err(r, "\"%s\": want \"auto\" or \"static\"", routing);
			pop(r, n);
		}
	}
	get_bool(r, root, "check", &s->check);
	const cJSON *arr, *e;
	int n = load_array(r, root, "buses", SCN_MAX_BUSES, 1, &arr);
	s->buses = n ? calloc((size_t)n, sizeof *s->buses) : NULL;
	if (n && s->buses) {
		int i = 0;
		cJSON_ArrayForEach(e, arr) {
			size_t k = push_key(r, "buses");
			push_index(r, i);
			if (!cJSON_IsObject(e))
				err(r, "is %s; want an object", type_name(e));
			else
				load_bus(r, e, &s->buses[i]);
			pop(r, k);
			i++;
		}
		s->nbuses = n;
	}
	n = load_array(r, root, "hosts", SCN_MAX_HOSTS, 1, &arr);
	s->hosts = n ? calloc((size_t)n, sizeof *s->hosts) : NULL;
	if (n && s->hosts) {
		int i = 0;
		cJSON_ArrayForEach(e, arr) {
			size_t k = push_key(r, "hosts");
			push_index(r, i);
			if (!cJSON_IsObject(e))
				err(r, "is %s; want an object", type_name(e));
			else
				load_host(r, e, &s->hosts[i]);
			pop(r, k);
			i++;
		}
		s->nhosts = n;
	}
	cross_check(r);
	n = load_array(r, root, "faults", SCN_MAX_FAULTS, 0, &arr);
	s->faults = n ? calloc((size_t)n, sizeof *s->faults) : NULL;
	if (n && s->faults) {
		int i = 0;
		cJSON_ArrayForEach(e, arr) {
			size_t k = push_key(r, "faults");
			push_index(r, i);
			if (!cJSON_IsObject(e))
				err(r, "is %s; want an object", type_name(e));
			else
				load_fault(r, e, &s->faults[i], i);
			pop(r, k);
			i++;
		}
		s->nfaults = n;
	}
	n = load_array(r, root, "traffic", SCN_MAX_TRAFFIC, 0, &arr);
	s->traffic = n ? calloc((size_t)n, sizeof *s->traffic) : NULL;
	if (n && s->traffic) {
		int i = 0;
		cJSON_ArrayForEach(e, arr) {
			size_t k = push_key(r, "traffic");
			push_index(r, i);
			if (!cJSON_IsObject(e))
				err(r, "is %s; want an object", type_name(e));
			else
				load_traffic(r, e, &s->traffic[i], i);
			pop(r, k);
			i++;
		}
		s->ntraffic = n;
	}
}

/* --- --set KEY=VALUE ------------------------------------------------------------ */

/* Walk "a.b[2].c" to the parent and last key/index; create object
 * members that are missing only at the last step. */
static int apply_set(struct rd *r, cJSON *root, const char *set)
{
	const char *eq = strchr(set, '=');
	if (eq == NULL || eq == set) {
		snprintf(r->path, sizeof r->path, "--set %.200s", set);
		err(r, "want KEY=VALUE, e.g. duration=5s");
		r->path[0] = 0;
		return -1;
	}
	char key[200];
	snprintf(key, sizeof key, "%.*s", (int)(eq - set), set);
	snprintf(r->path, sizeof r->path, "%s", key);
	const char *value = eq + 1;
	cJSON *parsed = cJSON_ParseWithOpts(value, NULL, 1);
	cJSON *node = parsed ? parsed : cJSON_CreateString(value);
	if (node == NULL)
		return -1;
	cJSON *cur = root;
	char *p = key;
	while (*p) {
		char name[64];
		int idx = -1;
		size_t len = strcspn(p, ".[");
		if (len >= sizeof name)
			break;
		memcpy(name, p, len);
		name[len] = 0;
		p += len;
		cJSON *next = len ? cJSON_GetObjectItemCaseSensitive(cur, name)
				  : cur;
		if (*p == '[') {
			idx = atoi(p + 1);
			p = strchr(p, ']');
			if (p == NULL)
				break;
			p++;
			next = next && cJSON_IsArray(next)
				       ? cJSON_GetArrayItem(next, idx)
				       : NULL;
		}
		int last = *p == '\0';
		if (*p == '.')
			p++;
		if (last) {
			if (idx >= 0 && next != NULL) {
				cJSON *arr = len ? cJSON_GetObjectItemCaseSensitive(
							   cur, name)
						 : cur;
				cJSON_ReplaceItemInArray(arr, idx, node);
				r->path[0] = 0;
				return 0;
			}
			if (idx < 0 && cJSON_IsObject(cur)) {
				if (next)
					cJSON_ReplaceItemInObjectCaseSensitive(
						cur, name, node);
				else
					cJSON_AddItemToObject(cur, name, node);
				r->path[0] = 0;
				return 0;
			}
			break;
		}
		if (next == NULL)
			break;
		cur = next;
	}
	cJSON_Delete(node);
	err(r, "--set: no such place in the scenario");
	r->path[0] = 0;
	return -1;
}

/* --- entry points ---------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	while (buf != NULL) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		if (cap >= (64u << 20)) { /* 64 MiB: not a scenario */
			free(buf);
			buf = NULL;
			break;
		}
		char *nb = realloc(buf, cap * 2 + 1);
		if (nb == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (buf == NULL || bad) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

/* Line and column of byte `at` in `text` (for a JSON syntax error). */
static void line_col(const char *text, const char *at, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = text; p < at && *p; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int scn_load(const char *path, const char *const *sets, int nsets,
	     struct scn_errors *errs, struct scn **out)
{
	struct rd r = { .errs = errs, .file = path };
	int before = errs->count;
	*out = NULL;
	size_t len = 0;
	char *text = slurp(path, &len);
	if (text == NULL) {
		err(&r, "cannot read the file: %s", strerror(errno ? errno
								    : EIO));
		return errs->count - before;
	}
	int n = scn_load_text(path, text, len, sets, nsets, errs, out);
	free(text);
	return n;
}

int scn_load_text(const char *name, const char *text, size_t len,
		  const char *const *sets, int nsets, struct scn_errors *errs,
		  struct scn **out)
{
	struct rd r = { .errs = errs, .file = name };
	int before = errs->count;
	*out = NULL;
	if (memchr(text, '\0', len) != NULL) {
		err(&r, "the file holds a NUL byte: not a JSON text");
		return errs->count - before;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	/* cJSON's own "require NUL-terminated" check fails on a text whose
	 * length is given; anything but white space after the value is a
	 * syntax error here. */
	while (root != NULL && end < text + len &&
	       strchr(" \t\r\n", *end) != NULL)
		end++;
	if (root == NULL || end != text + len) {
		int line, col;
		const char *at = root ? end : cJSON_GetErrorPtr();
		cJSON_Delete(root);
		line_col(text, at ? at : text, &line, &col);
		err(&r, "not valid JSON near line %d, column %d", line, col);
		return errs->count - before;
	}
	for (int i = 0; i < nsets; i++)
		apply_set(&r, root, sets[i]);
	struct scn *s = calloc(1, sizeof *s);
	if (s == NULL) {
		cJSON_Delete(root);
		err(&r, "out of memory");
		return errs->count - before;
	}
	snprintf(s->file, sizeof s->file, "%s", name);
	r.s = s;
	load_all(&r, root);
	cJSON_Delete(root);
	if (s->name[0] == 0) {
		const char *base = strrchr(name, '/');
		base = base ? base + 1 : name;
		snprintf(s->name, sizeof s->name, "%.*s",
			 (int)strcspn(base, "."), base);
	}
	if (errs->count != before) {
		scn_free(s);
		return errs->count - before;
	}
	*out = s;
	return 0;
}

void scn_free(struct scn *s)
{
	if (s == NULL)
		return;
	free(s->buses);
	free(s->hosts);
	free(s->traffic);
	free(s->faults);
	free(s);
}
