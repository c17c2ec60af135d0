/*
 * scn_set.c - `--set KEY=VALUE` (scn.h): a value put at a JSON path of
 * the scenario before it is validated, as if the file had held it.
 *
 * KEY is member names joined by '.', each followed by any number of
 * element indexes: "hosts[2].adapters[0].mtu".  An index is a decimal
 * number below the array's length, or '*' for every element
 * ("hosts[*].adapters[*].mtu"), expanded here against the scenario as it
 * stands (the file, and the --set before this one).  Anything else is an
 * error naming the --set: a key that does not parse, an index out of
 * range, a path through a value that is not an object or an array, a
 * member that is missing anywhere but at the last step (where it is
 * created).  VALUE is JSON if it parses as JSON ("576", "true",
 * "\"wide\"", "[...]"), else a string ("10s", "wide").
 */
#include <stdlib.h>
#include <string.h>

#include "scn_priv.h"

#define SET_KEY_MAX 255
#define SET_STEPS_MAX 128       /* a key of 255 bytes has fewer */
#define SET_INDEX_DIGITS 9      /* more is out of range of any array */

struct set_step {
	const char *name;          /* a member: its name, len bytes ... */
	size_t len;
	long index;                /* ... or an element: its index; -1: [*] */
};

/* Split `key` into steps; 0, or -1 with the reason in why. */
static int parse_key(const char *key, struct set_step *st, int *n,
		     char *why, size_t whylen)
{
	const char *p = key;
	*n = 0;
	for (;;) {
		size_t len = strcspn(p, ".[]");
		if (len == 0) {
			if (*p == '[' && p == key)
				snprintf(why, whylen, "it starts with an "
					 "index, but the top level is an "
					 "object: start with a member name");
			else
				snprintf(why, whylen, "an empty member name "
					 "at byte %zu", (size_t)(p - key));
			return -1;
		}
		st[(*n)++] = (struct set_step){ .name = p, .len = len };
		p += len;
		while (*p == '[') {
			const char *idx = ++p;
			size_t d = strcspn(p, "]");
			if (p[d] != ']') {
				snprintf(why, whylen, "'[' at byte %zu has no "
					 "']'", (size_t)(idx - 1 - key));
				return -1;
			}
			size_t digits = strspn(p, "0123456789");
			long v = -1;
			if (d == 1 && *p == '*') {
				v = -1;
			} else if (d > 0 && digits == d) {
				v = 0;
				for (size_t i = 0; i < d; i++)
					if (v < 1000000000L)
						v = v * 10 + (p[i] - '0');
			} else {
				snprintf(why, whylen, "[%.*s] is not an index: "
					 "want a decimal number, or * for "
					 "every element",
					 (int)(d > 20 ? 20 : d), p);
				return -1;
			}
			st[(*n)++] = (struct set_step){ .index = v };
			p += d + 1;
		}
		if (*p == '\0')
			return 0;
		if (*p == ']') {
			snprintf(why, whylen, "']' at byte %zu has no '['",
				 (size_t)(p - key));
			return -1;
		}
		if (*p != '.') {
			snprintf(why, whylen, "byte %zu: want '.' or '[' after "
				 "an index", (size_t)(p - key));
			return -1;
		}
		p++;
	}
}

/* Put copies of `value` wherever steps st[i..n) lead from `node`, whose
 * path is at[0..atlen) ("" for the top level).  Returns the number of
 * errors reported. */
static int walk(struct scn_rd *r, cJSON *node, const struct set_step *st,
		int i, int n, const cJSON *value, char *at, size_t atlen)
{
	const struct set_step *s = &st[i];
	const char *here = atlen ? at : "the top level";
	int last = i == n - 1;
	if (s->name != NULL) {
		if (!cJSON_IsObject(node)) {
			scn_err(r, "--set: %s is %s, not an object with "
				"members", here, scn_type_name(node));
			return 1;
		}
		char name[SET_KEY_MAX + 1];
		memcpy(name, s->name, s->len);
		name[s->len] = '\0';
		cJSON *m = cJSON_GetObjectItemCaseSensitive(node, name);
		if (last) {
			cJSON *copy = cJSON_Duplicate(value, 1);
			int ok = copy != NULL &&
				 (m ? cJSON_ReplaceItemInObjectCaseSensitive(
					      node, name, copy)
				    : cJSON_AddItemToObject(node, name, copy));
			if (!ok) {
				cJSON_Delete(copy);
				scn_err(r, "--set: out of memory");
				return 1;
			}
			return 0;
		}
		if (m == NULL) {
			scn_err(r, "--set: no such place in the scenario: %s "
				"has no member \"%s\"", here, name);
			return 1;
		}
		snprintf(at + atlen, SET_KEY_MAX * 2 - atlen, "%s%s",
			 atlen ? "." : "", name);
		int e = walk(r, m, st, i + 1, n, value, at,
			     strlen(at));
		at[atlen] = '\0';
		return e;
	}
	if (!cJSON_IsArray(node)) {
		scn_err(r, "--set: %s is %s, not an array", here,
			scn_type_name(node));
		return 1;
	}
	int size = cJSON_GetArraySize(node);
	if (s->index >= size && size == 0) {
		scn_err(r, "--set: no such place in the scenario: %s has no "
			"elements", here);
		return 1;
	}
	if (s->index >= size) {
		scn_err(r, "--set: no such place in the scenario: %s has %d "
			"element%s (0..%d)",
			here, size, size == 1 ? "" : "s", size - 1);
		return 1;
	}
	if (s->index < 0 && size == 0) {
		scn_err(r, "--set: %s is empty: [*] stands for no element",
			here);
		return 1;
	}
	int errors = 0, k = 0;
	cJSON *e = node->child;
	while (e != NULL) {
		cJSON *next = e->next;
		if (s->index < 0 || s->index == k) {
			snprintf(at + atlen, SET_KEY_MAX * 2 - atlen, "[%d]",
				 k);
			if (last) {
				cJSON *copy = cJSON_Duplicate(value, 1);
				if (copy == NULL ||
				    !cJSON_ReplaceItemViaPointer(node, e,
								 copy)) {
					cJSON_Delete(copy);
					scn_err(r, "--set: out of memory");
					return errors + 1;
				}
			} else {
				errors += walk(r, e, st, i + 1, n, value, at,
					       strlen(at));
			}
			at[atlen] = '\0';
		}
		e = next;
		k++;
	}
	return errors;
}

void scn_apply_set(struct scn_rd *r, cJSON *root, const char *set)
{
	const char *eq = strchr(set, '=');
	if (eq == NULL || eq == set) {
		snprintf(r->path, sizeof r->path, "--set %.200s", set);
		scn_err(r, "want KEY=VALUE, e.g. duration=5s");
		r->path[0] = '\0';
		return;
	}
	size_t klen = (size_t)(eq - set);
	if (klen > SET_KEY_MAX) {
		snprintf(r->path, sizeof r->path, "--set %.60s...", set);
		scn_err(r, "--set: the key has %zu characters; at most %d",
			klen, SET_KEY_MAX);
		r->path[0] = '\0';
		return;
	}
	char key[SET_KEY_MAX + 1], why[160];
	memcpy(key, set, klen);
	key[klen] = '\0';
	snprintf(r->path, sizeof r->path, "%s", key);
	struct set_step st[SET_STEPS_MAX];
	int n;
	if (parse_key(key, st, &n, why, sizeof why) != 0) {
		scn_err(r, "--set: %s", why);
		r->path[0] = '\0';
		return;
	}
	const char *value = eq + 1;
	cJSON *node = cJSON_ParseWithOpts(value, NULL, 1);
	if (node != NULL)
		scn_scan_text(r, value, strlen(value)); /* as in a file */
	else
		node = cJSON_CreateString(value);
	if (node == NULL) {
		scn_err(r, "--set: out of memory");
	} else {
		/* the concrete path walked, for messages: at most the key
		 * with each [*] become an index */
		char at[SET_KEY_MAX * 2 + 1] = "";
		walk(r, root, st, 0, n, node, at, 0);
	}
	cJSON_Delete(node);
	r->path[0] = '\0';
}
