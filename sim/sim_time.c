/*
 * sim_time.c - exact decimal parsing and formatting of durations.
 *
 * Parsing accumulates the digits as an integer count of the unit's smallest
 * step (one picosecond) with overflow checks, so no value ever passes
 * through floating point.
 */
#include "sim_time.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

struct unit {
	const char *name;
	sim_time_t ps;       /* picoseconds per unit */
	unsigned decimals;   /* decimal places down to one picosecond */
};

/* Longest names first where one is a suffix-sharing prefix of another. */
static const struct unit units[] = {
	{ "ps", SIM_PS, 0 },
	{ "ns", SIM_NS, 3 },
	{ "us", SIM_US, 6 },
	{ "\xC2\xB5s", SIM_US, 6 }, /* U+00B5 MICRO SIGN in UTF-8 */
	{ "ms", SIM_MS, 9 },
	{ "s", SIM_S, 12 },
};

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* acc = acc * 10 + digit, with overflow check. */
static int mul10_add(sim_time_t *acc, unsigned digit)
{
	if (*acc > (SIM_TIME_MAX - digit) / 10)
		return -1;
	*acc = *acc * 10 + digit;
	return 0;
}

enum sn_err sim_time_parse(const char *text, sim_time_t *out)
{
	if (text == NULL)
		return SN_EINVAL;
	const char *p = text;
	while (is_space(*p))
		p++;

	const char *int_start = p;
	while (is_digit(*p))
		p++;
	const char *int_end = p;
	const char *frac_start = p, *frac_end = p;
	if (*p == '.') {
		frac_start = ++p;
		while (is_digit(*p))
			p++;
		frac_end = p;
	}
	if (int_end == int_start && frac_end == frac_start)
		return SN_EINVAL; /* no digits at all (also catches "", ".", "-1") */

	const struct unit *u = NULL;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		size_t n = strlen(units[i].name);
		if (strncmp(p, units[i].name, n) == 0) {
			const char *q = p + n;
			while (is_space(*q))
				q++;
			if (*q == '\0') {
				u = &units[i];
				break;
			}
		}
	}
	if (u == NULL)
		return SN_EINVAL; /* missing, unknown unit or trailing garbage */

	/* Drop trailing zeros of the fraction: "2.500us" is "2.5us". */
	while (frac_end > frac_start && frac_end[-1] == '0')
		frac_end--;
	size_t frac_len = (size_t)(frac_end - frac_start);
	if (frac_len > u->decimals)
		return SN_EINVAL; /* finer than one picosecond */

	sim_time_t acc = 0;
	int overflow = 0;
	for (const char *d = int_start; d < int_end; d++)
		overflow |= mul10_add(&acc, (unsigned)(*d - '0'));
	for (const char *d = frac_start; d < frac_end; d++)
		overflow |= mul10_add(&acc, (unsigned)(*d - '0'));
	for (size_t k = frac_len; k < u->decimals; k++)
		overflow |= mul10_add(&acc, 0);
	if (overflow)
		return SN_ERANGE;
	*out = acc;
	return SN_OK;
}

int sim_time_format(sim_time_t t, char *buf, size_t size)
{
	static const struct unit *const ladder[] = {
		&units[5], &units[4], &units[2], &units[1], &units[0],
	};
	if (t == 0)
		return snprintf(buf, size, "0s");
	const struct unit *u = ladder[4];
	for (size_t i = 0; i < 5; i++) {
		if (t >= ladder[i]->ps) {
			u = ladder[i];
			break;
		}
	}
	sim_time_t whole = t / u->ps, frac = t % u->ps;
	if (frac == 0)
		return snprintf(buf, size, "%llu%s", (unsigned long long)whole,
				u->name);
	char digits[24];
	int n = snprintf(digits, sizeof digits, "%0*llu", (int)u->decimals,
			 (unsigned long long)frac);
	while (n > 0 && digits[n - 1] == '0')
		digits[--n] = '\0';
	return snprintf(buf, size, "%llu.%s%s", (unsigned long long)whole,
			digits, u->name);
}

int sim_time_format_fixed(sim_time_t t, sim_time_t unit, unsigned decimals,
			  char *buf, size_t size)
{
	assert(decimals <= 12);
	/* One step of the last printed non-padding decimal is `step` ps. */
	sim_time_t step = unit;
	unsigned shown = 0;
	while (shown < decimals && step % 10 == 0) {
		step /= 10;
		shown++;
	}
	sim_time_t steps = t / step;
	if (step > 1 && 2 * (t % step) >= step)
		steps++; /* round half away from zero */
	sim_time_t div = 1;
	for (unsigned i = 0; i < shown; i++)
		div *= 10;
	char frac[24] = "";
	if (shown > 0)
		snprintf(frac, sizeof frac, "%0*llu", (int)shown,
			 (unsigned long long)(steps % div));
	/* decimals beyond picosecond resolution are zeros */
	return snprintf(buf, size, "%llu%s%s%.*s",
			(unsigned long long)(steps / div), decimals ? "." : "",
			frac, (int)(decimals - shown), "000000000000");
}
