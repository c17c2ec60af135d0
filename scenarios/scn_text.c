/*
 * scn_text.c - the loader's rules for text (scn.h, scn_priv.h): UTF-8
 * (RFC 3629), names, free text, what the raw JSON text holds that
 * cJSON's tree hides (RFC 8259 strings and numbers), duplicate keys,
 * and printing scenario text safely to a terminal.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scn_priv.h"

/* --- UTF-8 ------------------------------------------------------------ */

size_t scn_utf8_seq(const unsigned char *p, size_t avail, uint32_t *cp)
{
	if (avail == 0)
		return 0;
	unsigned c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t n;
	uint32_t v;
	unsigned lo = 0x80, hi = 0xbf; /* the second byte's range */
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;      /* not overlong */
		if (c == 0xed)
			hi = 0x9f;      /* not a surrogate */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;      /* not overlong */
		if (c == 0xf4)
			hi = 0x8f;      /* not past U+10FFFF */
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		unsigned b = p[i];
		if (b < lo || b > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		v = v << 6 | (b & 0x3f);
	}
	*cp = v;
	return n;
}

/* C0, DEL and C1 (Unicode's Cc): what terminals act on instead of
 * showing. */
static int is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

void scn_put_safe(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	while (left > 0) {
		uint32_t cp;
		size_t n = scn_utf8_seq(p, left, &cp);
		if (n == 0 || is_control(cp)) {
			fprintf(out, "\\x%02x", p[0]);
			n = 1;
		} else {
			fwrite(p, 1, n, out);
		}
		p += n;
		left -= n;
	}
}

/* --- names and free text ------------------------------------------------ */

static void why_set(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void why_set(char *why, size_t len, const char *fmt, ...)
{
	if (why == NULL || len == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/*
 * Names travel further than any other scenario text: the scenario's name
 * is a directory (results/NAME), bus and host names are VCD scopes and
 * pcapng interface names, labels become graph file names and titles in
 * gnuplot scripts and cells in CSV, and all of them are printed on
 * terminals.  Each of those has its own quoting rules, and a name that
 * needs quoting in any of them (a '/', a '"', a space, a ';', an escape
 * sequence, a leading '-' or '.') is a bug waiting in one writer or
 * another.  So one narrow shape, safe in all of them without quoting, is
 * the only one accepted: at most 31 ASCII letters, digits, '.', '_' and
 * '-', the first a letter or a digit (no "..", no hidden file, nothing
 * an option parser would take).
 */
int scn_name_check(const char *name, char *why, size_t len)
{
	size_t n = strlen(name);
	if (n == 0) {
		why_set(why, len, "it is empty");
		return -1;
	}
	if (n > SCN_NAME_MAX - 1) {
		why_set(why, len, "it has %zu characters; at most %d", n,
			SCN_NAME_MAX - 1);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (is_alnum(c) || c == '.' || c == '_' || c == '-')
			continue;
		if (c >= 0x20 && c < 0x7f)
			why_set(why, len, "it holds '%c'", c);
		else
			why_set(why, len, "it holds the byte 0x%02x", c);
		return -1;
	}
	if (!is_alnum((unsigned char)name[0])) {
		why_set(why, len, "it starts with '%c'", name[0]);
		return -1;
	}
	return 0;
}

/* Free text only has to be readable: printed on a terminal, it must not
 * be able to act on it (move the cursor, clear the screen, retitle the
 * window: control characters), and every reader expects UTF-8. */
int scn_text_check(const char *text, char *why, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t left = strlen(text);
	while (left > 0) {
		uint32_t cp;
		size_t n = scn_utf8_seq(p, left, &cp);
		size_t at = (size_t)(p - (const unsigned char *)text);
		if (n == 0) {
			why_set(why, len, "byte %zu (0x%02x) is not UTF-8", at,
				p[0]);
			return -1;
		}
		if (is_control(cp)) {
			why_set(why, len, "it holds the control character "
				"U+%04X at byte %zu", (unsigned)cp, at);
			return -1;
		}
		p += n;
		left -= n;
	}
	return 0;
}

void scn_check_comment(struct scn_rd *r, const cJSON *j)
{
	char why[96];
	if (cJSON_IsString(j)) {
		if (!scn_marked(r) &&
		    scn_text_check(j->valuestring, why, sizeof why) != 0)
			scn_err(r, "a comment is free text, and %s", why);
		return;
	}
	int i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, j) {
		size_t n;
		if (cJSON_IsObject(j)) {
			if (scn_text_check(e->string, why, sizeof why) != 0)
				scn_err(r, "a member name in a comment is free "
					"text, and %s", why);
			n = scn_push_key(r, e->string);
		} else {
			n = scn_push_index(r, i);
		}
		scn_check_comment(r, e);
		scn_pop(r, n);
		i++;
	}
}

/* --- duplicate keys ----------------------------------------------------- */

struct member {
	const char *name;
	int index;
};

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* cJSON keeps every member of an object, in order, and lookups find the
 * first: a key given twice would silently lose its second value (which
 * the writer may well have meant).  Sorting the names finds them in
 * O(n log n), whatever the object's size. */
static void object_duplicates(struct scn_rd *r, const cJSON *obj)
{
	int n = cJSON_GetArraySize(obj);
	if (n < 2)
		return;
	struct member *m = malloc((size_t)n * sizeof *m);
	int *first = malloc((size_t)n * sizeof *first);
	if (m == NULL || first == NULL) {
		free(m);
		free(first);
		scn_err(r, "out of memory looking for duplicate keys");
		return;
	}
	int i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, obj) {
		m[i].name = e->string;
		m[i].index = i;
		first[i] = -1;
		i++;
	}
	qsort(m, (size_t)n, sizeof *m, member_cmp);
	/* sorted by name then place: each group starts with its first */
	for (int k = 1, g = 0; k < n; k++) {
		if (strcmp(m[k - 1].name, m[k].name) != 0)
			g = k;
		else
			first[m[k].index] = m[g].index;
	}
	char where[sizeof r->path];
	snprintf(where, sizeof where, "%s",
		 r->path[0] ? r->path : "the top level");
	i = 0;
	cJSON_ArrayForEach(e, obj) {
		if (first[i] >= 0) {
			size_t k = scn_push_key(r, e->string);
			scn_err(r, "duplicate key: member %d of %s repeats "
				"member %d (which one was meant?)",
				i + 1, where, first[i] + 1);
			scn_pop(r, k);
		}
		i++;
	}
	free(m);
	free(first);
}

void scn_check_duplicates(struct scn_rd *r, const cJSON *j)
{
	if (cJSON_IsObject(j))
		object_duplicates(r, j);
	int i = 0;
	const cJSON *e;
	if (!cJSON_IsObject(j) && !cJSON_IsArray(j))
		return;
	cJSON_ArrayForEach(e, j) {
		size_t n = cJSON_IsObject(j) ? scn_push_key(r, e->string)
					     : scn_push_index(r, i);
		scn_check_duplicates(r, e);
		scn_pop(r, n);
		i++;
	}
}

/* --- the raw text, before cJSON reads it --------------------------------- */

/*
 * Some things wrong in a scenario's text cannot be seen in the tree cJSON
 * makes of it, or not with a path:
 *   - "\u0000" decodes to a NUL, which ends the C string there: "ab\u0000cd"
 *     reads as "ab", and a key "name\u0000x" as "name";
 *   - bytes that are not UTF-8, and raw control characters in strings
 *     (which JSON requires escaped), pass through as they are;
 *   - a lone UTF-16 surrogate ("\ud800" alone) makes cJSON give up, with
 *     a position but no path;
 *   - a number is kept as a double: 9007199254740993 reads as
 *     9007199254740992, 4503599627370496.5 as an integer, 1e-400 as 0.
 * So the text is scanned first, by a small tokenizer that keeps the JSON
 * path the way the loader writes it (a stack of member names and element
 * indexes), and each such string or number is an error at its path.  The
 * scan judges strings and numbers only: where the text stops being JSON
 * it stops quietly, and cJSON reports the syntax error with a line and a
 * column.  (Marking the strings as cJSON decodes them would need a
 * changed cJSON; the tree has no lengths and no positions.)
 */

#define SCAN_DEPTH 1100         /* beyond cJSON's CJSON_NESTING_LIMIT */
#define KEY_SHOWN 64            /* bytes of a member name kept for a path */

struct frame {
	size_t path;               /* r->path's length at the container */
	int array;
	int index;                 /* the element being read */
};

struct scan {
	struct scn_rd *r;
	const unsigned char *p, *end;
	struct frame *st;
	int depth;
};

static void skip_ws(struct scan *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' ||
				   *sc->p == '\n' || *sc->p == '\r'))
		sc->p++;
}

static int hex4(const unsigned char *p, const unsigned char *end,
		uint32_t *v)
{
	if (end - p < 4)
		return -1;
	*v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i];
		unsigned d = c >= '0' && c <= '9'   ? c - '0'
			     : c >= 'a' && c <= 'f' ? c - 'a' + 10
			     : c >= 'A' && c <= 'F' ? c - 'A' + 10
						    : 16;
		if (d == 16)
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	unsigned char *o = (unsigned char *)out;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A string at sc->p (its opening quote).  The first problem in it is
 * reported (at the current path; `key`: it is a member name of the
 * object there).  A member name is decoded into key[KEY_SHOWN + 4] for
 * the path, shortened with "...".  Returns 0 where the text stops being
 * a JSON string. */
static int scan_string(struct scan *sc, char *key)
{
	const unsigned char *end = sc->end;
	const char *what = key ? "a member name" : "the string";
	char why[80] = "";
	size_t kl = 0;
	int cut = 0;
	sc->p++;
	for (;;) {
		const unsigned char *p = sc->p;
		char dec[4];
		size_t dn = 0;
		if (p >= end)
			return 0;
		if (*p == '"') {
			sc->p++;
			break;
		}
		if (*p == '\\') {
			if (end - p < 2)
				return 0;
			static const char esc[] = "\"\\/bfnrt";
			static const char map[] = "\"\\/\b\f\n\r\t";
			uint32_t cp, lo;
			const char *simple = strchr(esc, p[1]);
			if (simple != NULL && p[1] != '\0') {
				dec[0] = map[simple - esc];
				dn = 1;
				sc->p += 2;
			} else if (p[1] == 'u' && hex4(p + 2, end, &cp) == 0) {
				sc->p += 6;
				if (cp >= 0xd800 && cp <= 0xdbff &&
				    end - sc->p >= 6 && sc->p[0] == '\\' &&
				    sc->p[1] == 'u' &&
				    hex4(sc->p + 2, end, &lo) == 0 &&
				    lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
					sc->p += 6;
				} else if (cp >= 0xd800 && cp <= 0xdfff) {
					if (!why[0])
						snprintf(why, sizeof why,
							 "a lone UTF-16 "
							 "surrogate \\u%04x "
							 "(not a character)",
							 (unsigned)cp);
					cp = 0xfffd;
				} else if (cp == 0) {
					if (!why[0])
						snprintf(why, sizeof why,
							 "\\u0000, a NUL "
							 "character, which "
							 "would cut it short");
				}
				dn = put_utf8(dec, cp);
			} else {
				return 0; /* a bad escape: cJSON says where */
			}
		} else if (*p < 0x20) {
			if (!why[0])
				snprintf(why, sizeof why, "a raw control "
					 "character (0x%02x), which JSON "
					 "requires escaped", *p);
			sc->p++;
			continue;
		} else {
			uint32_t cp;
			dn = scn_utf8_seq(p, (size_t)(end - p), &cp);
			if (dn == 0) {
				if (!why[0])
					snprintf(why, sizeof why, "the byte "
						 "0x%02x, which is not UTF-8",
						 *p);
				sc->p++;
				continue;
			}
			memcpy(dec, p, dn);
			sc->p += dn;
		}
		if (key && !cut) {
			if (kl + dn <= KEY_SHOWN) {
				memcpy(key + kl, dec, dn);
				kl += dn;
			} else {
				cut = 1;
			}
		}
	}
	if (key) {
		memcpy(key + kl, cut ? "..." : "", cut ? 4 : 1);
		for (size_t i = 0; i < kl; i++)
			if (key[i] == '\0')
				key[i] = '?'; /* a \u0000: the path stays a
					       * string */
	}
	if (why[0]) {
		scn_err(sc->r, "%s holds %s", what, why);
		if (!key)
			scn_mark(sc->r);
	}
	return 1;
}

/* Does the double cJSON makes of number text `tok` (d) stand for what
 * the text says, where it matters: wherever the double is an integer
 * within 2^53 (the integers a scenario holds), is the text that same
 * integer?  Beyond 2^53 or not finite, every range check refuses it
 * anyway. */
static int number_exact(const char *tok, double d)
{
	if (!isfinite(d) || fabs(d) > 9007199254740992.0)
		return 1;
	int d_int = d == (double)(long long)d;
	const char *q = tok;
	int neg = *q == '-';
	if (neg)
		q++;
	const char *ip = q;
	while (*q >= '0' && *q <= '9')
		q++;
	size_t ilen = (size_t)(q - ip);
	const char *fp = q;
	size_t flen = 0;
	if (*q == '.') {
		fp = ++q;
		while (*q >= '0' && *q <= '9')
			q++;
		flen = (size_t)(q - fp);
	}
	long e = 0;
	if (*q == 'e' || *q == 'E') {
		q++;
		int eneg = *q == '-';
		if (*q == '+' || *q == '-')
			q++;
		while (*q >= '0' && *q <= '9') {
			if (e < 1000000)
				e = e * 10 + (*q - '0');
			q++;
		}
		if (eneg)
			e = -e;
	}
	/* the significant digits S (integer then fraction digits, leading
	 * and trailing zeros dropped): the value is S * 10^e */
	char digits[24];
	size_t nd = 0, lead = 1, zeros = 0, total = 0;
	e -= (long)flen;
	for (size_t i = 0; i < ilen + flen; i++) {
		char c = i < ilen ? ip[i] : fp[i - ilen];
		if (lead && c == '0')
			continue;
		lead = 0;
		if (c == '0') {
			zeros++;
			continue;
		}
		for (; zeros > 0; zeros--, total++)
			if (nd < sizeof digits - 1)
				digits[nd++] = '0';
		if (nd < sizeof digits - 1)
			digits[nd++] = c;
		total++;
	}
	e += (long)zeros; /* trailing zeros count as a power of ten */
	if (total == 0)
		return d == 0;
	if (e < 0)
		return !d_int; /* a fraction: it must not have become whole */
	if ((long)total + e > 17 || !d_int || (d < 0) != neg)
		return 0;      /* more than 2^53's 16 digits */
	char want[40], got[40];
	snprintf(want, sizeof want, "%.*s%0*d", (int)nd, digits, (int)e, 0);
	if (e == 0)
		want[nd] = '\0';
	snprintf(got, sizeof got, "%lld", (long long)fabs(d));
	return strcmp(want, got) == 0;
}

static void scan_number(struct scan *sc)
{
	const unsigned char *s = sc->p;
	while (sc->p < sc->end && strchr("+-.eE0123456789", *sc->p) != NULL &&
	       *sc->p != '\0')
		sc->p++;
	size_t n = (size_t)(sc->p - s);
	char *tok = malloc(n + 1);
	if (tok == NULL)
		return;
	memcpy(tok, s, n);
	tok[n] = '\0';
	char *end;
	double d = strtod(tok, &end);
	if (end == tok + n && !number_exact(tok, d))
		scn_err(sc->r, "%.40s%s cannot be held as written: a JSON "
			"number is a double here, and this one reads as %.17g",
			tok, n > 40 ? "..." : "", d);
	free(tok);
}

/* A member name and its colon; enters the member. */
static int scan_key(struct scan *sc)
{
	char key[KEY_SHOWN + 4];
	skip_ws(sc);
	if (sc->p >= sc->end || *sc->p != '"' || !scan_string(sc, key))
		return 0;
	skip_ws(sc);
	if (sc->p >= sc->end || *sc->p != ':')
		return 0;
	sc->p++;
	scn_push_key(sc->r, key);
	return 1;
}

/* The next member or element of the container on top; 0 when the text
 * stops making sense. */
static int scan_next(struct scan *sc)
{
	struct frame *f = &sc->st[sc->depth - 1];
	if (f->array) {
		scn_push_index(sc->r, f->index);
		return 1;
	}
	return scan_key(sc);
}

void scn_scan_text(struct scn_rd *r, const char *text, size_t len)
{
	struct scan sc = { .r = r, .p = (const unsigned char *)text,
			   .end = (const unsigned char *)text + len };
	sc.st = malloc(SCAN_DEPTH * sizeof *sc.st);
	if (sc.st == NULL)
		return; /* cJSON's own parse runs out first */
	size_t base = strlen(r->path);
	for (;;) {
		skip_ws(&sc);
		if (sc.p >= sc.end)
			break;
		unsigned c = *sc.p;
		if (c == '{' || c == '[') {
			if (sc.depth == SCAN_DEPTH)
				break;
			struct frame *f = &sc.st[sc.depth++];
			*f = (struct frame){ .path = strlen(r->path),
					     .array = c == '[' };
			sc.p++;
			skip_ws(&sc);
			if (sc.p < sc.end && *sc.p == (f->array ? ']' : '}')) {
				sc.p++;
				sc.depth--;
			} else {
				if (!scan_next(&sc))
					break;
				continue;
			}
		} else if (c == '"') {
			if (!scan_string(&sc, NULL))
				break;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			scan_number(&sc);
		} else {
			const unsigned char *s = sc.p;
			while (sc.p < sc.end && *sc.p >= 'a' && *sc.p <= 'z')
				sc.p++;
			if (sc.p == s)
				break;
		}
		/* a value ended: close what it ends, move to the next */
		int go = 0;
		while (sc.depth > 0) {
			struct frame *f = &sc.st[sc.depth - 1];
			scn_pop(r, f->path);
			skip_ws(&sc);
			if (sc.p < sc.end && *sc.p == ',') {
				sc.p++;
				f->index++;
				go = scan_next(&sc);
				break;
			}
			if (sc.p < sc.end && *sc.p == (f->array ? ']' : '}')) {
				sc.p++;
				sc.depth--;
				continue;
			}
			break;
		}
		if (!go)
			break;
	}
	scn_pop(r, base);
	free(sc.st);
}
