/*
 * scn_load.c - scenario files: JSON (cJSON) into struct scn, validated
 * completely, every error with its file, JSON path and reason (scn.h).
 *
 * Validation is one for every command: what scn_world_build() would
 * refuse (a route it cannot install, a port two applications want, a
 * ping whose last request is past the clock's end...) is refused here,
 * with its path, so that `scsinet check` refuses all that `run` does.
 * The text rules (names, UTF-8, what cJSON hides) are in scn_text.c,
 * --set in scn_set.c, the checks across elements (unique names, IDs and
 * addresses, routes, ports) in scn_validate.c.
 */
#include "scn.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "ip_apps.h"
#include "ip_host.h"
#include "ip_wire.h"
#include "scn_priv.h"

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

void scn_err(struct scn_rd *r, const char *fmt, ...)
{
	r->errs->count++;
	if (r->errs->out == NULL || r->errs->count > r->errs->max)
		return;
	/* the message is scenario text too (a key, a value): written
	 * through scn_put_safe, so that a file cannot act on a terminal */
	char small[512], *msg = small;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof small && (msg = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	FILE *out = r->errs->out;
	scn_put_safe(out, r->file);
	fputs(": ", out);
	scn_put_safe(out, r->path[0] ? r->path : "(top level)");
	fputs(": ", out);
	scn_put_safe(out, msg ? msg : small);
	fputc('\n', out);
	if (msg != small)
		free(msg);
}

size_t scn_push_key(struct scn_rd *r, const char *key)
{
	size_t n = strlen(r->path);
	size_t len = strlen(key);
	snprintf(r->path + n, sizeof r->path - n, "%s%.*s%s", n ? "." : "",
		 len > 64 ? 60 : (int)len, key, len > 64 ? "..." : "");
	return n;
}

size_t scn_push_index(struct scn_rd *r, int i)
{
	size_t n = strlen(r->path);
	snprintf(r->path + n, sizeof r->path - n, "[%d]", i);
	return n;
}

void scn_pop(struct scn_rd *r, size_t n)
{
	r->path[n] = '\0';
}

void scn_mark(struct scn_rd *r)
{
	if (r->nmarks < SCN_MARKS &&
	    (r->marks[r->nmarks] = strdup(r->path)) != NULL)
		r->nmarks++;
}

int scn_marked(const struct scn_rd *r)
{
	for (int i = 0; i < r->nmarks; i++)
		if (strcmp(r->marks[i], r->path) == 0)
			return 1;
	return 0;
}

void scn_unmark_all(struct scn_rd *r)
{
	for (int i = 0; i < r->nmarks; i++)
		free(r->marks[i]);
	r->nmarks = 0;
}

const char *scn_type_name(const cJSON *j)
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
 * default.  A comment (any value, read by nobody) is checked here, where
 * every object that allows one passes. */
static void check_keys(struct scn_rd *r, const cJSON *obj,
		       const char *const *allowed)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, obj) {
		int ok = 0;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, m->string) == 0)
				ok = 1;
		size_t n = scn_push_key(r, m->string);
		if (!ok)
			scn_err(r, "unknown key");
		else if (strcmp(m->string, "comment") == 0 ||
			 strcmp(m->string, "$schema") == 0)
			scn_check_comment(r, m);
		scn_pop(r, n);
	}
}

/* Each getter: 1 if the key is there and good, 0 if absent (the caller
 * keeps its default), -1 if there and bad (reported). */
static int get_string(struct scn_rd *r, const cJSON *obj, const char *key,
		      char *out, size_t size, int required)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t n = scn_push_key(r, key);
	int rc = 1;
	if (j == NULL) {
		if (required)
			scn_err(r, "missing (required)");
		rc = required ? -1 : 0;
	} else if (!cJSON_IsString(j)) {
		scn_err(r, "is %s; want a string", scn_type_name(j));
		rc = -1;
	} else if (scn_marked(r)) {
		rc = -1; /* its text is reported already */
	} else if (strlen(j->valuestring) >= size || j->valuestring[0] == 0) {
		scn_err(r, "\"%.40s\" must have 1 to %zu characters",
		    j->valuestring, size - 1);
		rc = -1;
	} else {
		snprintf(out, size, "%s", j->valuestring);
	}
	scn_pop(r, n);
	return rc;
}

#define NAME_RULE "a name is 1 to 31 ASCII letters, digits, '.', '_' or " \
		  "'-', starting with a letter or a digit"

/* A name (scn_name_check): the scenario's, a bus's, a host's, a label. */
static int get_name(struct scn_rd *r, const cJSON *obj, const char *key,
		    char *out, size_t size, int required)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t n = scn_push_key(r, key);
	char why[64];
	int rc = 1;
	if (j == NULL) {
		if (required)
			scn_err(r, "missing (required)");
		rc = required ? -1 : 0;
	} else if (!cJSON_IsString(j)) {
		scn_err(r, "is %s; want a name", scn_type_name(j));
		rc = -1;
	} else if (scn_marked(r)) {
		rc = -1; /* its text is reported already */
	} else if (scn_name_check(j->valuestring, why, sizeof why) != 0) {
		scn_err(r, "\"%.40s%s\" is not a name: %s (" NAME_RULE ")",
			j->valuestring,
			strlen(j->valuestring) > 40 ? "..." : "", why);
		/* kept where it fits, so that what refers to it finds it and
		 * only this mistake is reported (the scenario is refused) */
		if (strlen(j->valuestring) < size)
			snprintf(out, size, "%s", j->valuestring);
		rc = -1;
	} else {
		snprintf(out, size, "%s", j->valuestring);
	}
	scn_pop(r, n);
	return rc;
}

/* Free text (scn_text_check) of 1 to size - 1 bytes. */
static int get_text(struct scn_rd *r, const cJSON *obj, const char *key,
		    char *out, size_t size)
{
	char why[96];
	int rc = get_string(r, obj, key, out, size, 0);
	if (rc == 1 && scn_text_check(out, why, sizeof why) != 0) {
		size_t n = scn_push_key(r, key);
		scn_err(r, "free text may be any UTF-8 but control "
			"characters, and %s", why);
		scn_pop(r, n);
		out[0] = '\0';
		rc = -1;
	}
	return rc;
}

static int get_int(struct scn_rd *r, const cJSON *obj, const char *key,
		   long long min, long long max, long long *out, int required)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t n = scn_push_key(r, key);
	int rc = 1;
	if (j == NULL) {
		if (required)
			scn_err(r, "missing (required)");
		rc = required ? -1 : 0;
	} else if (!cJSON_IsNumber(j)) {
		scn_err(r, "is %s; want an integer", scn_type_name(j));
		rc = -1;
	} else if (!isfinite(j->valuedouble) ||
		   j->valuedouble < (double)min ||
		   j->valuedouble > (double)max ||
		   /* in range now, so the cast is defined */
		   j->valuedouble != (double)(long long)j->valuedouble) {
		scn_err(r, "%g is not an integer in %lld..%lld", j->valuedouble,
		    min, max);
		rc = -1;
	} else {
		*out = (long long)j->valuedouble;
	}
	scn_pop(r, n);
	return rc;
}

static int get_bool(struct scn_rd *r, const cJSON *obj, const char *key,
		    int *out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (j == NULL)
		return 0;
	size_t n = scn_push_key(r, key);
	int rc = 1;
	if (!cJSON_IsBool(j)) {
		scn_err(r, "is %s; want true or false", scn_type_name(j));
		rc = -1;
	} else {
		*out = cJSON_IsTrue(j);
	}
	scn_pop(r, n);
	return rc;
}

/* A duration: "250ms", "2.4us", "10s" (sim_time_parse). */
static int get_time(struct scn_rd *r, const cJSON *obj, const char *key,
		    sim_time_t min, sim_time_t max, sim_time_t *out,
		    int required)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t n = scn_push_key(r, key);
	int rc = 1;
	sim_time_t t = 0;
	enum sn_err pe;
	if (j == NULL) {
		if (required)
			scn_err(r, "missing (required)");
		rc = required ? -1 : 0;
	} else if (!cJSON_IsString(j)) {
		scn_err(r, "is %s; want a duration such as \"250ms\"",
		    scn_type_name(j));
		rc = -1;
	} else if (scn_marked(r)) {
		rc = -1; /* its text is reported already */
	} else if ((pe = sim_time_parse(j->valuestring, &t)) != SN_OK) {
		scn_err(r, "\"%.40s\" is not a duration (%s; write e.g. "
			"\"2.4us\", \"250ms\", \"10s\")",
			j->valuestring,
			pe == SN_ERANGE
				? "longer than the clock holds, about 213 days"
				: "a decimal number and a unit, ps, ns, us, ms "
				  "or s");
		rc = -1;
	} else if (t < min || t > max) {
		char a[32], b[32];
		sim_time_format(min, a, sizeof a);
		sim_time_format(max, b, sizeof b);
		scn_err(r, "\"%.40s\" is out of range %s..%s", j->valuestring,
			a, b);
		rc = -1;
	} else {
		*out = t;
	}
	scn_pop(r, n);
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
static int get_length(struct scn_rd *r, const cJSON *obj, uint32_t *mm)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, "length");
	if (j == NULL)
		return 0;
	size_t n = scn_push_key(r, "length");
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
		scn_err(r, "want a cable length from 0.01m to 100m, e.g. "
			"\"3m\"");
		rc = -1;
	} else {
		*mm = (uint32_t)(m * 1000 + 0.5);
	}
	scn_pop(r, n);
	return rc;
}

static void load_bus(struct scn_rd *r, const cJSON *j, struct scn_bus *b)
{
	static const char *const keys[] = { "name", "width", "speed",
					    "electrical", "length",
					    "termination", "comment", NULL };
	check_keys(r, j, keys);
	get_name(r, j, "name", b->name, sizeof b->name, 1);
	char text[16];
	b->width = BUS_NARROW;
	b->speed = BUS_SPEED_SCSI2;
	b->electrical = BUS_SE;
	b->length_mm = 1000;
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(j, "width");
	if (w != NULL) {
		size_t n = scn_push_key(r, "width");
		if (cJSON_IsNumber(w) && (w->valuedouble == 8 ||
					  w->valuedouble == 16))
			b->width = w->valuedouble == 8 ? BUS_NARROW : BUS_WIDE;
		else if (!cJSON_IsString(w) ||
			 bus_width_parse(w->valuestring, &b->width) != SN_OK)
			scn_err(r, "want \"narrow\" (8), or \"wide\" (16)");
		scn_pop(r, n);
	}
	if (get_string(r, j, "speed", text, sizeof text, 0) == 1 &&
	    bus_speed_parse(text, &b->speed) != SN_OK) {
		size_t n = scn_push_key(r, "speed");
		scn_err(r, "\"%s\" is not a speed class (\"scsi1\", \"scsi2\", "
		       "\"fast\", \"fast20\")",
		    text);
		scn_pop(r, n);
	}
	if (get_string(r, j, "electrical", text, sizeof text, 0) == 1 &&
	    bus_electrical_parse(text, &b->electrical) != SN_OK) {
		size_t n = scn_push_key(r, "electrical");
		scn_err(r, "\"%s\" is not \"se\" or \"hvd\"", text);
		scn_pop(r, n);
	}
	get_length(r, j, &b->length_mm);
	if (get_string(r, j, "termination", text, sizeof text, 0) == 1 &&
	    strcmp(text, "both") != 0) {
		size_t n = scn_push_key(r, "termination");
		scn_err(r, "\"%s\": only \"both\" (terminated at both ends, as "
		       "SCSI-2 requires) is modelled",
		    text);
		scn_pop(r, n);
	}
}

/* --- hosts -------------------------------------------------------------------- */

static void load_adapter(struct scn_rd *r, const cJSON *j,
			 struct scn_adapter *a)
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
			size_t n = scn_push_key(r, "bus");
			scn_err(r, "no bus named \"%s\"", bus);
			scn_pop(r, n);
		}
	}
	snprintf(a->profile, sizeof a->profile, "aha1522");
	if (get_string(r, j, "profile", a->profile, sizeof a->profile, 0) ==
		    1 &&
	    adapter_profile_find(a->profile) == NULL) {
		size_t n = scn_push_key(r, "profile");
		scn_err(r, "\"%s\" is not a profile (aha1522, aic6360, pci-fw)",
		    a->profile);
		scn_pop(r, n);
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
			size_t n = scn_push_key(r, "id");
			scn_err(r, "%d is out of range 0..%d (%s)", a->id,
				ids - 1,
			    ids == 8 && a->bus >= 0 &&
					    s->buses[a->bus].width == BUS_WIDE
				    ? "a narrow adapter on a wide bus"
				    : "a narrow bus");
			scn_pop(r, n);
		}
	}
	if (get_string(r, j, "ip", ip, sizeof ip, 1) == 1 &&
	    (parse_prefix(ip, &a->addr, &a->plen) != 0 || a->addr == 0 ||
	     a->plen == 0 || a->plen > 30)) {
		size_t n = scn_push_key(r, "ip");
		scn_err(r, "\"%s\" is not an address with a prefix such as "
		       "\"10.0.1.7/24\" (prefix 1..30)",
		    ip);
		scn_pop(r, n);
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
		size_t n = scn_push_key(r, "target_disconnect");
		scn_err(r, "the %s profile answers BUSY when it has no receive "
		       "buffer; only the AIC-6x60 driver (aha1522, aic6360) "
		       "disconnects",
		    a->profile);
		scn_pop(r, n);
	}
	a->pos_mm = UINT32_MAX; /* spread along the cable by the builder */
	if (get_int(r, j, "position", 0, 100000, &v, 0) == 1) {
		a->pos_mm = (uint32_t)v;
		/* bus_attach: a device sits on its cable */
		if (a->bus >= 0 && a->pos_mm > s->buses[a->bus].length_mm) {
			size_t n = scn_push_key(r, "position");
			scn_err(r, "%u mm is past the end of bus \"%s\", whose "
				"cable is %u mm long",
				(unsigned)a->pos_mm, s->buses[a->bus].name,
				(unsigned)s->buses[a->bus].length_mm);
			scn_pop(r, n);
		}
	}
}


static void load_route(struct scn_rd *r, const cJSON *j, struct scn_route *rt,
		       const struct scn_host *h)
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
			size_t n = scn_push_key(r, "to");
			scn_err(r, "\"%s\" is not a network such as "
				"\"10.0.2.0/24\" "
			       "(no host bits) or \"default\"",
			    to);
			scn_pop(r, n);
		}
	}
	if (get_string(r, j, "via", via, sizeof via, 1) != 1)
		return;
	size_t n = scn_push_key(r, "via");
	char nets[160];
	if (parse_prefix(via, &rt->via, NULL) != 0)
		scn_err(r, "\"%s\" is not an address", via);
	else if (rt->via == 0)
		scn_err(r, "0.0.0.0 is not a gateway: a route goes through "
			"a station's address");
	else if (scn_iface_for(h, rt->via) < 0)
		/* ip_host_add_route finds no interface for it */
		scn_err(r, "%s is on none of host \"%s\"'s subnets (%s): a "
			"gateway must be a station on one of the host's own "
			"buses",
			via, h->name, scn_subnets(h, nets, sizeof nets));
	scn_pop(r, n);
}

/* ip_rtable_add refuses a route the host holds already. */
static void duplicate_routes(struct scn_rd *r, const struct scn_host *h)
{
	for (int q = 0; q < h->nroutes; q++)
		for (int y = 0; y < q; y++) {
			const struct scn_route *a = &h->routes[q];
			const struct scn_route *b = &h->routes[y];
			if (!a->via || a->via != b->via ||
			    a->prefix != b->prefix || a->plen != b->plen)
				continue;
			size_t k = scn_push_index(r, q);
			scn_err(r, "the same route as routes[%d]: a host holds "
				"a route once", y);
			scn_pop(r, k);
			break;
		}
}

static void load_host(struct scn_rd *r, const cJSON *j, struct scn_host *h)
{
	static const char *const keys[] = { "name", "forwarding",
					    "input_cost", "adapters",
					    "routes", "comment", NULL };
	check_keys(r, j, keys);
	get_name(r, j, "name", h->name, sizeof h->name, 1);
	h->input_cost = IP_INPUT_COST;
	get_time(r, j, "input_cost", 1 * SIM_NS, 1 * SIM_S, &h->input_cost,
		 0);
	const cJSON *ads = cJSON_GetObjectItemCaseSensitive(j, "adapters");
	size_t n = scn_push_key(r, "adapters");
	if (!cJSON_IsArray(ads) || cJSON_GetArraySize(ads) < 1 ||
	    cJSON_GetArraySize(ads) > SCN_MAX_ADAPTERS) {
		scn_err(r, ads == NULL ? "missing (required): a host needs at "
				     "least one adapter"
				   : "want an array of 1 to 8 adapters");
	} else {
		int i = 0;
		const cJSON *a;
		cJSON_ArrayForEach(a, ads) {
			size_t k = scn_push_index(r, i);
			if (!cJSON_IsObject(a))
				scn_err(r, "is %s; want an object",
					scn_type_name(a));
			else
				load_adapter(r, a, &h->adapters[i]);
			scn_pop(r, k);
			i++;
		}
		h->nadapters = i;
	}
	scn_pop(r, n);
	h->forwarding = h->nadapters > 1;
	get_bool(r, j, "forwarding", &h->forwarding);
	const cJSON *routes = cJSON_GetObjectItemCaseSensitive(j, "routes");
	if (routes != NULL) {
		n = scn_push_key(r, "routes");
		if (!cJSON_IsArray(routes) ||
		    cJSON_GetArraySize(routes) > SCN_MAX_ROUTES) {
			scn_err(r, "want an array of at most %d routes",
			    SCN_MAX_ROUTES);
		} else {
			int i = 0;
			const cJSON *rt;
			cJSON_ArrayForEach(rt, routes) {
				size_t k = scn_push_index(r, i);
				if (!cJSON_IsObject(rt))
					scn_err(r, "is %s; want an object",
					    scn_type_name(rt));
				else
					load_route(r, rt, &h->routes[i], h);
				scn_pop(r, k);
				i++;
			}
			h->nroutes = i;
			duplicate_routes(r, h);
		}
		scn_pop(r, n);
	}
}

/* --- traffic ------------------------------------------------------------------ */

/* A host by name, or an address one of its adapters has. */
static int resolve_host(struct scn_rd *r, const cJSON *obj, const char *key,
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
	size_t n = scn_push_key(r, key);
	scn_err(r, "no host named or addressed \"%s\"", text);
	scn_pop(r, n);
	return -1;
}

/* "stop" where it would mean nothing: refused rather than ignored. */
static void refuse_stop(struct scn_rd *r, const cJSON *j, const char *why)
{
	if (!cJSON_HasObjectItem(j, "stop"))
		return;
	size_t n = scn_push_key(r, "stop");
	scn_err(r, "only ping and udp traffic stop; %s", why);
	scn_pop(r, n);
}

static void load_traffic(struct scn_rd *r, const cJSON *j,
			 struct scn_traffic *t,
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
		size_t n = scn_push_key(r, "type");
		scn_err(r, "\"%s\" is not a traffic type (ping, udp, "
			"traceroute, "
		       "workdist)",
		    type);
		scn_pop(r, n);
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
	if (get_name(r, j, "label", t->label, sizeof t->label, 0) != 1)
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
			size_t n = scn_push_key(r, "to");
			scn_err(r, "is the sending host itself");
			scn_pop(r, n);
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
		/* ip_ping_create: the last request's time must fit the clock */
		if ((SIM_TIME_MAX - t->start) / t->count < t->interval) {
			char a[SIM_TIME_FORMAT_MAX], b[SIM_TIME_FORMAT_MAX];
			sim_time_format(t->interval, a, sizeof a);
			sim_time_format(t->start, b, sizeof b);
			size_t n = scn_push_key(r, "count");
			scn_err(r, "%u requests %s apart from %s end past the "
				"clock's last picosecond (about 213 days)",
				(unsigned)t->count, a, b);
			scn_pop(r, n);
		} else if (t->stop && t->stop <= t->start) {
			size_t n = scn_push_key(r, "stop");
			scn_err(r, "is not after \"start\"");
			scn_pop(r, n);
		} else if (t->stop) {
			/* no request at or after stop: the count it allows */
			uint64_t before = (t->stop - t->start - 1) / t->interval + 1;
			if (before < t->count)
				t->count = (uint32_t)before;
		}
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
		/* ip_udp_flow_create: a flow stops after it starts */
		if (t->stop && t->stop <= t->start) {
			size_t n = scn_push_key(r, "stop");
			scn_err(r, "is not after \"start\"");
			scn_pop(r, n);
		}
	} else if (t->kind == SCN_TRACEROUTE) {
		refuse_stop(r, j, "a traceroute ends when it reaches its "
				  "destination or max_hops");
		t->max_hops = 30;
		t->probes = 3;
		if (get_int(r, j, "max_hops", 1, 255, &v, 0) == 1)
			t->max_hops = (uint32_t)v;
		if (get_int(r, j, "probes", 1, 10, &v, 0) == 1)
			t->probes = (uint32_t)v;
	} else {
		refuse_stop(r, j, "a work distribution ends when its units "
				  "are done");
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
		/* each unit and result starts with the unit's number and
		 * serial (ip_apps.h) */
		if (get_int(r, j, "size", IP_WORKDIST_HDR, IP_UDP_MAX_DATA, &v,
			    0) == 1)
			t->size = (uint32_t)v;
		if (get_int(r, j, "result_size", IP_WORKDIST_HDR,
			    IP_UDP_MAX_DATA, &v, 0) == 1)
			t->result_size = (uint32_t)v;
		if (get_int(r, j, "port", 1, 65535, &v, 0) == 1)
			t->port = (uint16_t)v;
		get_time(r, j, "compute", 0, 3600 * SIM_S, &t->compute, 0);
		const cJSON *ws = cJSON_GetObjectItemCaseSensitive(j, "workers");
		size_t n = scn_push_key(r, "workers");
		if (!cJSON_IsArray(ws) || cJSON_GetArraySize(ws) < 1 ||
		    cJSON_GetArraySize(ws) > SCN_MAX_WORKERS) {
			scn_err(r, "want an array of 1 to %d host names",
			    SCN_MAX_WORKERS);
		} else {
			const cJSON *w;
			cJSON_ArrayForEach(w, ws) {
				size_t k = scn_push_index(r, t->nworkers);
				int h = cJSON_IsString(w)
						? find_host(r->s, w->valuestring)
						: -1;
				int dup = -1;
				for (int x = 0; h >= 0 && x < t->nworkers; x++)
					if (t->workers[x] == h && dup < 0)
						dup = x;
				if (h < 0 && scn_marked(r))
					; /* its text is reported already */
				else if (h < 0)
					scn_err(r, "no host named %s%.40s%s",
					    cJSON_IsString(w) ? "\"" : "",
					    cJSON_IsString(w) ? w->valuestring
						      : scn_type_name(w),
					    cJSON_IsString(w) ? "\"" : "");
				else if (h == t->from)
					scn_err(r, "is the master itself");
				else if (dup >= 0)
					scn_err(r, "is also workers[%d]: a "
						"host works for a master once",
						dup);
				t->workers[t->nworkers++] = h;
				scn_pop(r, k);
			}
		}
		scn_pop(r, n);
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

static void load_fault(struct scn_rd *r, const cJSON *j, struct scn_fault *f,
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
		size_t n = scn_push_key(r, "type");
		scn_err(r, "\"%s\" is not a fault (bus_reset, host_down, "
		       "cable_pull, parity)",
		    type);
		scn_pop(r, n);
		return;
	}
	if (get_name(r, j, "label", f->label, sizeof f->label, 0) != 1)
		snprintf(f->label, sizeof f->label, "%s-%d", type, index);
	get_time(r, j, "at", 0, 1000000 * SIM_S, &f->at, 1);
	if (get_time(r, j, "until", 0, 1000000 * SIM_S, &f->until, 0) == 1 &&
	    f->until <= f->at) {
		size_t n = scn_push_key(r, "until");
		scn_err(r, "is not after \"at\"");
		scn_pop(r, n);
	}
	f->bus = f->host = f->adapter = -1;
	if (get_string(r, j, "bus", name, sizeof name, 0) == 1 &&
	    (f->bus = find_bus(s, name)) < 0) {
		size_t n = scn_push_key(r, "bus");
		scn_err(r, "no bus named \"%s\"", name);
		scn_pop(r, n);
	}
	if (get_string(r, j, "host", name, sizeof name, 0) == 1 &&
	    (f->host = find_host(s, name)) < 0) {
		size_t n = scn_push_key(r, "host");
		scn_err(r, "no host named \"%s\"", name);
		scn_pop(r, n);
	}
	if (f->kind == SCN_FAULT_HOST_DOWN && f->host < 0 &&
	    !cJSON_HasObjectItem(j, "host")) {
		size_t n = scn_push_key(r, "host");
		scn_err(r, "missing (required): which host goes down");
		scn_pop(r, n);
	}
	if (f->kind != SCN_FAULT_HOST_DOWN && !cJSON_HasObjectItem(j, "bus")) {
		size_t n = scn_push_key(r, "bus");
		scn_err(r, "missing (required)");
		scn_pop(r, n);
	}
	if ((f->kind == SCN_FAULT_CABLE_PULL || f->kind == SCN_FAULT_PARITY) &&
	    !cJSON_HasObjectItem(j, "host")) {
		size_t n = scn_push_key(r, "host");
		scn_err(r, f->kind == SCN_FAULT_PARITY
			       ? "missing (required): whose adapter sends the "
				 "bad byte"
			       : "missing (required): whose cable is pulled");
		scn_pop(r, n);
	}
	f->byte = 1;
	long long v;
	if (get_int(r, j, "byte", 1, 100000000, &v, 0) == 1) {
		f->byte = (uint32_t)v;
		if (f->kind != SCN_FAULT_PARITY) {
			size_t n = scn_push_key(r, "byte");
			scn_err(r, "only a parity fault takes a byte");
			scn_pop(r, n);
		}
	}
	if (f->bus >= 0 && f->host >= 0) {
		f->adapter = adapter_on(s, f->host, f->bus);
		if (f->adapter < 0) {
			size_t n = scn_push_key(r, "host");
			scn_err(r, "\"%s\" has no adapter on bus \"%s\"",
			    s->hosts[f->host].name, s->buses[f->bus].name);
			scn_pop(r, n);
		}
	} else if (f->kind == SCN_FAULT_BUS_RESET && f->bus >= 0) {
		/* by the first host on the bus */
		for (int h = 0; h < s->nhosts && f->host < 0; h++)
			if (adapter_on(s, h, f->bus) >= 0) {
				f->host = h;
				f->adapter = adapter_on(s, h, f->bus);
			}
		if (f->host < 0) {
			size_t n = scn_push_key(r, "bus");
			scn_err(r, "no host is on bus \"%s\" to reset it",
			    s->buses[f->bus].name);
			scn_pop(r, n);
		}
	}
}

static int load_array(struct scn_rd *r, const cJSON *root, const char *key,
		      int max, int required, const cJSON **out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(root, key);
	*out = NULL;
	if (j == NULL) {
		if (required) {
			size_t n = scn_push_key(r, key);
			scn_err(r, "missing (required)");
			scn_pop(r, n);
		}
		return 0;
	}
	if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) > max ||
	    (required && cJSON_GetArraySize(j) == 0)) {
		size_t n = scn_push_key(r, key);
		scn_err(r, "want an array of %d to %d elements", required, max);
		scn_pop(r, n);
		return 0;
	}
	*out = j;
	return cJSON_GetArraySize(j);
}

static void load_all(struct scn_rd *r, const cJSON *root)
{
	struct scn *s = r->s;
	static const char *const keys[] = { "name", "description", "seed",
					    "duration", "routing", "check",
					    "buses", "hosts", "traffic",
					    "faults", "comment", "$schema",
					    NULL };
	if (!cJSON_IsObject(root)) {
		scn_err(r, "the file holds %s; want a scenario object",
		    scn_type_name(root));
		return;
	}
	check_keys(r, root, keys);
	get_name(r, root, "name", s->name, sizeof s->name, 0);
	get_text(r, root, "description", s->description,
		 sizeof s->description);
	long long v;
	s->seed = 1;
	if (get_int(r, root, "seed", 0, (long long)SCN_SEED_MAX, &v, 0) == 1)
		s->seed = (uint64_t)v;
	s->duration = 10 * SIM_S;
	get_time(r, root, "duration", SCN_DURATION_MIN, SCN_DURATION_MAX,
		 &s->duration, 0);
	char routing[16];
	s->auto_routes = 1;
	if (get_string(r, root, "routing", routing, sizeof routing, 0) == 1) {
		if (strcmp(routing, "static") == 0) {
			s->auto_routes = 0;
		} else if (strcmp(routing, "auto") != 0) {
			size_t n = scn_push_key(r, "routing");
			scn_err(r, "\"%s\": want \"auto\" or \"static\"",
				routing);
			scn_pop(r, n);
		}
	}
	get_bool(r, root, "check", &s->check);
	const cJSON *arr, *e;
	int n = load_array(r, root, "buses", SCN_MAX_BUSES, 1, &arr);
	s->buses = n ? calloc((size_t)n, sizeof *s->buses) : NULL;
	if (n && s->buses == NULL)
		scn_err(r, "out of memory");
	if (n && s->buses) {
		int i = 0;
		cJSON_ArrayForEach(e, arr) {
			size_t k = scn_push_key(r, "buses");
			scn_push_index(r, i);
			if (!cJSON_IsObject(e))
				scn_err(r, "is %s; want an object",
					scn_type_name(e));
			else
				load_bus(r, e, &s->buses[i]);
			scn_pop(r, k);
			i++;
		}
		s->nbuses = n;
	}
	n = load_array(r, root, "hosts", SCN_MAX_HOSTS, 1, &arr);
	s->hosts = n ? calloc((size_t)n, sizeof *s->hosts) : NULL;
	if (n && s->hosts == NULL)
		scn_err(r, "out of memory");
	if (n && s->hosts) {
		int i = 0;
		cJSON_ArrayForEach(e, arr) {
			size_t k = scn_push_key(r, "hosts");
			scn_push_index(r, i);
			if (!cJSON_IsObject(e))
				scn_err(r, "is %s; want an object",
					scn_type_name(e));
			else
				load_host(r, e, &s->hosts[i]);
			scn_pop(r, k);
			i++;
		}
		s->nhosts = n;
	}
	scn_cross_check(r);
	n = load_array(r, root, "faults", SCN_MAX_FAULTS, 0, &arr);
	s->faults = n ? calloc((size_t)n, sizeof *s->faults) : NULL;
	if (n && s->faults == NULL)
		scn_err(r, "out of memory");
	if (n && s->faults) {
		int i = 0;
		cJSON_ArrayForEach(e, arr) {
			size_t k = scn_push_key(r, "faults");
			scn_push_index(r, i);
			if (!cJSON_IsObject(e))
				scn_err(r, "is %s; want an object",
					scn_type_name(e));
			else
				load_fault(r, e, &s->faults[i], i);
			scn_pop(r, k);
			i++;
		}
		s->nfaults = n;
	}
	n = load_array(r, root, "traffic", SCN_MAX_TRAFFIC, 0, &arr);
	s->traffic = n ? calloc((size_t)n, sizeof *s->traffic) : NULL;
	if (n && s->traffic == NULL)
		scn_err(r, "out of memory");
	if (n && s->traffic) {
		int i = 0;
		cJSON_ArrayForEach(e, arr) {
			size_t k = scn_push_key(r, "traffic");
			scn_push_index(r, i);
			if (!cJSON_IsObject(e))
				scn_err(r, "is %s; want an object",
					scn_type_name(e));
			else
				load_traffic(r, e, &s->traffic[i], i);
			scn_pop(r, k);
			i++;
		}
		s->ntraffic = n;
	}
	scn_check_ports(r);
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

/* The scenario's name when the file gives none: the file's base name up
 * to its first '.', made a name (scn_name_check), since it names the
 * results directory too: each run of other bytes becomes one '-', the
 * front is dropped up to a letter or a digit, 31 bytes at most are kept;
 * "scenario" if nothing is left. */
static void default_name(const char *file, char *out, size_t size)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t n = 0;
	for (const char *p = base; *p && *p != '.' && n + 1 < size &&
				   n < SCN_NAME_MAX - 1;
	     p++) {
		char c = *p;
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9');
		if (n == 0 && !alnum)
			continue;
		if (!alnum && c != '_' && c != '-') {
			if (out[n - 1] == '-')
				continue;
			c = '-';
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, size, "scenario");
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
	struct scn_rd r = { .errs = errs, .file = path };
	int before = errs->count;
	*out = NULL;
	size_t len = 0;
	char *text = slurp(path, &len);
	if (text == NULL) {
		scn_err(&r, "cannot read the file: %s", strerror(errno ? errno
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
	struct scn_rd r = { .errs = errs, .file = name };
	int before = errs->count;
	*out = NULL;
	if (memchr(text, '\0', len) != NULL) {
		scn_err(&r, "the file holds a NUL byte: not a JSON text");
		return errs->count - before;
	}
	scn_scan_text(&r, text, len);
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
		scn_err(&r, "not valid JSON near line %d, column %d", line,
			col);
		scn_unmark_all(&r);
		return errs->count - before;
	}
	for (int i = 0; i < nsets; i++)
		scn_apply_set(&r, root, sets[i]);
	scn_check_duplicates(&r, root); /* the file's, and any --set value's */
	struct scn *s = calloc(1, sizeof *s);
	if (s == NULL) {
		cJSON_Delete(root);
		scn_err(&r, "out of memory");
		scn_unmark_all(&r);
		return errs->count - before;
	}
	snprintf(s->file, sizeof s->file, "%s", name);
	r.s = s;
	load_all(&r, root);
	cJSON_Delete(root);
	if (s->name[0] == 0)
		default_name(name, s->name, sizeof s->name);
	scn_unmark_all(&r);
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
