/*
 * sim_time.h - simulated time: integer picoseconds, and durations as text.
 *
 * The whole model runs on one clock counted in picoseconds in a uint64_t,
 * which covers about 213 days of simulated time.  Picoseconds are fine
 * enough for every SCSI-2 timing value (the smallest, the fast cable skew
 * delay, is 5 ns) and for cable propagation (about 5.4 ns/m), and integers
 * keep runs bit-for-bit reproducible where floating point would not.
 *
 * Durations as text ("2.4us", "250ms", "45ns") are how scenario files and
 * output express time.  Parsing is exact decimal arithmetic: no floating
 * point is involved, so "2.4us" is exactly 2 400 000 ps.
 */
#ifndef SIM_TIME_H
#define SIM_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "sn_error.h"

typedef uint64_t sim_time_t;

#define SIM_PS ((sim_time_t)1)
#define SIM_NS ((sim_time_t)1000)
#define SIM_US ((sim_time_t)1000000)
#define SIM_MS ((sim_time_t)1000000000)
#define SIM_S  ((sim_time_t)1000000000000)

/* The largest representable time; also "never" where a deadline is unset. */
#define SIM_TIME_MAX UINT64_MAX

/*
 * Parse a duration: a non-negative decimal number immediately followed by
 * a unit, one of ps, ns, us (or the micro sign µs), ms, s.  Leading and
 * trailing spaces are allowed; nothing else is.  Examples: "2.4us", "250ms",
 * "45ns", "0.5s", "0ps".
 * Returns SN_OK and stores *out; SN_EINVAL for bad syntax (empty string,
 * missing or unknown unit, sign, stray characters, a fraction finer than one
 * picosecond); SN_ERANGE when the value does not fit in sim_time_t.
 * On error *out is unchanged.
 */
enum sn_err sim_time_parse(const char *text, sim_time_t *out);

/*
 * Format `t` exactly in the largest unit in which its value is at least 1,
 * with as many decimals as needed and no trailing zeros: 2400000 ps gives
 * "2.4us", 250 ms gives "250ms", 0 gives "0s".  sim_time_parse() reads the
 * result back to the same value.  Writes at most `size` bytes including the
 * terminating NUL; returns the length the full text has (as snprintf).
 * SIM_TIME_FORMAT_MAX bytes always suffice.
 */
#define SIM_TIME_FORMAT_MAX 32
int sim_time_format(sim_time_t t, char *buf, size_t size);

/*
 * Format `t` in a fixed unit with a fixed number of decimals (rounded to
 * nearest, ties away from zero), for aligned columns in tables and logs:
 * sim_time_format_fixed(3200000, SIM_US, 3, ...) gives "3.200".  `unit` must
 * be one of SIM_PS..SIM_S and `decimals` at most 12.  Returns as snprintf.
 */
int sim_time_format_fixed(sim_time_t t, sim_time_t unit, unsigned decimals,
			  char *buf, size_t size);

#endif
