/*
 * fuzz_duration.c - durations as text (sim/sim_time.h): every scenario
 * time, --duration and --set value goes through sim_time_parse().
 *
 * The input is taken twice:
 *   - as text: sim_time_parse() must agree with an independent reading
 *     of the grammar in sim_time.h done here with 128-bit arithmetic
 *     (same verdict: OK, EINVAL or ERANGE; same value), leave *out alone
 *     on error, and what it accepts must format and parse back to the
 *     same value;
 *   - its first 8 bytes as a time t, and the next two as a unit and a
 *     number of decimals: sim_time_format(t) parses back to t, and
 *     sim_time_format_fixed() writes what it says it writes, within half
 *     a step of t.
 * UBSan watches the arithmetic of all of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "sim_time.h"

typedef unsigned __int128 u128;

static const struct {
	const char *name;
	unsigned decimals;
} ref_units[] = {
	{ "ps", 0 }, { "ns", 3 }, { "us", 6 }, { "\xC2\xB5s", 6 },
	{ "ms", 9 }, { "s", 12 },
};

static int ref_space(char c)
{
	return c == ' ' || c == '\t';
}

static int ref_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The grammar of sim_time.h, read independently: spaces, digits with an
 * optional fraction (at least one digit in all), a unit, spaces, end. */
static enum sn_err ref_parse(const char *s, sim_time_t *out)
{
	const u128 cap = (u128)1 << 100; /* far above UINT64_MAX */
	const char *p = s;
	while (ref_space(*p))
		p++;
	u128 whole = 0;
	int digits = 0;
	for (; ref_digit(*p); p++, digits++)
		if (whole < cap)
			whole = whole * 10 + (unsigned)(*p - '0');
	char frac[64];
	size_t nfrac = 0;
	int long_frac = 0;
	if (*p == '.') {
		for (p++; ref_digit(*p); p++, digits++) {
			if (nfrac < sizeof frac)
				frac[nfrac++] = *p;
			else if (*p != '0')
				long_frac = 1;
		}
	}
	if (digits == 0)
		return SN_EINVAL;
	int unit = -1;
	for (size_t i = 0; unit < 0 && i < sizeof ref_units /
						  sizeof ref_units[0]; i++) {
		size_t n = strlen(ref_units[i].name);
		if (strncmp(p, ref_units[i].name, n) != 0)
			continue;
		const char *q = p + n;
		while (ref_space(*q))
			q++;
		if (*q == '\0')
			unit = (int)i;
	}
	if (unit < 0)
		return SN_EINVAL;
	while (nfrac > 0 && frac[nfrac - 1] == '0')
		nfrac--;
	unsigned dec = ref_units[unit].decimals;
	if (long_frac || nfrac > dec)
		return SN_EINVAL;
	u128 v = whole;
	for (unsigned k = 0; k < dec; k++) {
		if (v < cap)
			v *= 10;
		if (k < nfrac)
			v += (unsigned)(frac[k] - '0');
	}
	if (v > UINT64_MAX)
		return SN_ERANGE;
	*out = (sim_time_t)v;
	return SN_OK;
}

static void round_trip(sim_time_t t)
{
	char buf[SIM_TIME_FORMAT_MAX];
	int n = sim_time_format(t, buf, sizeof buf);
	FZ_CHECK(n > 0 && (size_t)n < sizeof buf && strlen(buf) == (size_t)n,
		 "sim_time_format(%llu) returned %d for \"%s\"",
		 (unsigned long long)t, n, buf);
	sim_time_t back = 0;
	enum sn_err err = sim_time_parse(buf, &back);
	FZ_CHECK(err == SN_OK && back == t,
		 "sim_time_format(%llu) gave \"%s\", which parses as %s %llu",
		 (unsigned long long)t, buf, sn_strerror(err),
		 (unsigned long long)back);
	/* a short buffer: cut, terminated, same length reported */
	char small[4];
	int m = sim_time_format(t, small, sizeof small);
	size_t keep = (size_t)n < sizeof small ? (size_t)n : sizeof small - 1;
	FZ_CHECK(m == n && strlen(small) == keep &&
		 strncmp(small, buf, keep) == 0,
		 "sim_time_format(%llu) into 4 bytes: \"%s\", %d",
		 (unsigned long long)t, small, m);
}

static void fixed(sim_time_t t, uint8_t ub, uint8_t db)
{
	static const sim_time_t unit_ps[] = { SIM_PS, SIM_NS, SIM_US, SIM_MS,
					      SIM_S };
	static const char *const unit_name[] = { "ps", "ns", "us", "ms", "s" };
	unsigned u = ub % 5, decimals = db % 13;
	char buf[64];
	int n = sim_time_format_fixed(t, unit_ps[u], decimals, buf,
				      sizeof buf - 3);
	FZ_CHECK(n > 0 && (size_t)n < sizeof buf - 3 &&
		 strlen(buf) == (size_t)n,
		 "sim_time_format_fixed(%llu, %s, %u) returned %d",
		 (unsigned long long)t, unit_name[u], decimals, n);
	/* its value, read back with the unit, is t to within half a step */
	sim_time_t step = unit_ps[u];
	for (unsigned k = 0; k < decimals && step % 10 == 0; k++)
		step /= 10;
	strcat(buf, unit_name[u]);
	sim_time_t v = 0;
	enum sn_err err = sim_time_parse(buf, &v);
	if (err == SN_ERANGE)
		return; /* rounded up past the largest time */
	FZ_CHECK(err == SN_OK, "sim_time_format_fixed(%llu, %s, %u) gave "
		 "\"%s\", which does not parse (%s)", (unsigned long long)t,
		 unit_name[u], decimals, buf, sn_strerror(err));
	sim_time_t d = v > t ? v - t : t - v;
	FZ_CHECK(d <= step / 2, "sim_time_format_fixed(%llu, %s, %u) gave "
		 "\"%s\": %llu ps off, step %llu", (unsigned long long)t,
		 unit_name[u], decimals, buf, (unsigned long long)d,
		 (unsigned long long)step);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_strndup(data, size);
	const sim_time_t unset = 0x5a5a5a5a5a5a5a5aull;
	sim_time_t got = unset, want = unset;
	enum sn_err err = sim_time_parse(text, &got);
	enum sn_err ref = ref_parse(text, &want);
	FZ_CHECK(err == ref && got == want,
		 "sim_time_parse(\"%s\"): %s %llu; the grammar says %s %llu",
		 text, sn_strerror(err), (unsigned long long)got,
		 sn_strerror(ref), (unsigned long long)want);
	if (err == SN_OK)
		round_trip(got);
	free(text);

	struct fz_in in = { data, size };
	uint64_t t = (uint64_t)fz_u32(&in) << 32;
	t |= fz_u32(&in);
	uint8_t ub = fz_u8(&in), db = fz_u8(&in);
	round_trip(t);
	fixed(t, ub, db);
	return 0;
}
