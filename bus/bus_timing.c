/*
 * bus_timing.c - the SCSI bus timing tables per speed class, names for
 * scenario files, SDTR period factors and cable length limits.
 *
 * Values and their sources are in bus_timing.h: SCSI-2 X3.131-1994 bus
 * timing list and Annex B Table B.2 (fast option); Fast-20 from SPI-era
 * drive manuals; SDTR factor codes from the SPI transfer period factor
 * table; cable limits from protocol-facts.md 2.11 and the Fast-20 draft.
 */
#include "bus_timing.h"

#include <stddef.h>
#include <string.h>

/* The rules every speed class shares: SCSI-2's control timing. */
#define BUS_COMMON_TIMING                                              \
	.arbitration_delay = BUS_ARBITRATION_DELAY,                    \
	.bus_clear_delay = BUS_CLEAR_DELAY,                            \
	.bus_free_delay = BUS_FREE_DELAY,                              \
	.bus_set_delay = BUS_SET_DELAY,                                \
	.bus_settle_delay = BUS_SETTLE_DELAY,                          \
	.cable_skew_delay = BUS_CABLE_SKEW_DELAY,                      \
	.data_release_delay = BUS_DATA_RELEASE_DELAY,                  \
	.deskew_delay = BUS_DESKEW_DELAY,                              \
	.disconnection_delay = BUS_DISCONNECTION_DELAY,                \
	.power_on_to_selection = BUS_POWER_ON_TO_SELECTION,            \
	.reset_to_selection = BUS_RESET_TO_SELECTION,                  \
	.reset_hold_time = BUS_RESET_HOLD_TIME,                        \
	.selection_abort_time = BUS_SELECTION_ABORT_TIME,              \
	.selection_timeout_delay = BUS_SELECTION_TIMEOUT_DELAY

static const struct bus_timing timing_scsi2 = {
	.speed = BUS_SPEED_SCSI2,
	.sync = {
		.assertion_period = BUS_ASSERTION_PERIOD,
		.negation_period = BUS_NEGATION_PERIOD,
		.cable_skew_delay = BUS_CABLE_SKEW_DELAY,
		.deskew_delay = BUS_DESKEW_DELAY,
		.hold_time = BUS_HOLD_TIME,
		.min_period = BUS_SYNC_PERIOD_MIN,
	},
	BUS_COMMON_TIMING,
};

static const struct bus_timing timing_fast = {
	.speed = BUS_SPEED_FAST,
	.sync = {
		.assertion_period = BUS_FAST_ASSERTION_PERIOD,
		.negation_period = BUS_FAST_NEGATION_PERIOD,
		.cable_skew_delay = BUS_FAST_CABLE_SKEW_DELAY,
		.deskew_delay = BUS_FAST_DESKEW_DELAY,
		.hold_time = BUS_FAST_HOLD_TIME,
		.min_period = BUS_FAST_SYNC_PERIOD_MIN,
	},
	BUS_COMMON_TIMING,
};

static const struct bus_timing timing_fast20 = {
	.speed = BUS_SPEED_FAST20,
	.sync = {
		.assertion_period = BUS_FAST20_ASSERTION_PERIOD,
		.negation_period = BUS_FAST20_NEGATION_PERIOD,
		.cable_skew_delay = BUS_FAST20_CABLE_SKEW_DELAY,
		.deskew_delay = BUS_FAST20_DESKEW_DELAY,
		.hold_time = BUS_FAST20_HOLD_TIME,
		.min_period = BUS_FAST20_SYNC_PERIOD_MIN,
	},
	BUS_COMMON_TIMING,
};

const struct bus_timing *bus_timing_for(enum bus_speed speed)
{
	switch (speed) {
	case BUS_SPEED_SCSI2:
		return &timing_scsi2;
	case BUS_SPEED_FAST:
		return &timing_fast;
	case BUS_SPEED_FAST20:
		return &timing_fast20;
	}
	return NULL;
}

/* ---- names ------------------------------------------------------------ */

struct name_map {
	const char *name;
	int value;
};

/* The first entry for a value is its canonical name. */
static const struct name_map speed_names[] = {
	{ "scsi2", BUS_SPEED_SCSI2 },
	{ "scsi1", BUS_SPEED_SCSI2 },
	{ "fast", BUS_SPEED_FAST },
	{ "fast20", BUS_SPEED_FAST20 },
};

static const struct name_map electrical_names[] = {
	{ "se", BUS_SE },
	{ "hvd", BUS_HVD },
};

static const struct name_map width_names[] = {
	{ "narrow", BUS_NARROW },
	{ "wide", BUS_WIDE },
	{ "8", BUS_NARROW },
	{ "16", BUS_WIDE },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *map_name(const struct name_map *map, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (map[i].value == value)
			return map[i].name;
	return "?";
}

static enum sn_err map_parse(const struct name_map *map, size_t n,
			     const char *name, int *value)
{
	if (name == NULL)
		return SN_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(map[i].name, name) == 0) {
			*value = map[i].value;
			return SN_OK;
		}
	}
	return SN_EINVAL;
}

const char *bus_speed_name(enum bus_speed speed)
{
	return map_name(speed_names, COUNT(speed_names), (int)speed);
}

const char *bus_electrical_name(enum bus_electrical el)
{
	return map_name(electrical_names, COUNT(electrical_names), (int)el);
}

const char *bus_width_name(enum bus_width width)
{
	return map_name(width_names, COUNT(width_names), (int)width);
}

enum sn_err bus_speed_parse(const char *name, enum bus_speed *out)
{
	int v;
	enum sn_err err = map_parse(speed_names, COUNT(speed_names), name, &v);
	if (err == SN_OK)
		*out = (enum bus_speed)v;
	return err;
}

enum sn_err bus_electrical_parse(const char *name, enum bus_electrical *out)
{
	int v;
	enum sn_err err = map_parse(electrical_names, COUNT(electrical_names),
				    name, &v);
	if (err == SN_OK)
		*out = (enum bus_electrical)v;
	return err;
}

enum sn_err bus_width_parse(const char *name, enum bus_width *out)
{
	int v;
	enum sn_err err = map_parse(width_names, COUNT(width_names), name, &v);
	if (err == SN_OK)
		*out = (enum bus_width)v;
	return err;
}

/* ---- SDTR transfer period factors ------------------------------------- */

/* Fast-20's factor: 0Ch means 50 ns, not 48 ns (MAX-B1; FJ-MCP
 * Table 7.9).  Below it lie reserved and Fast-40 codes. */
#define SDTR_FACTOR_FAST20 12
#define SDTR_FAST20_PERIOD (50 * SIM_NS)
#define SDTR_FACTOR_UNIT (4 * SIM_NS)

sim_time_t bus_sdtr_period(uint8_t factor)
{
	if (factor < SDTR_FACTOR_FAST20)
		return 0;
	if (factor == SDTR_FACTOR_FAST20)
		return SDTR_FAST20_PERIOD;
	return (sim_time_t)factor * SDTR_FACTOR_UNIT;
}

uint8_t bus_sdtr_factor(sim_time_t period)
{
	/* Periods rise with the factor from 12 (50 ns) to 255 (1020 ns), so
	 * the first factor that reaches `period` is the smallest. */
	if (period <= SDTR_FAST20_PERIOD)
		return SDTR_FACTOR_FAST20;
	if (period > UINT8_MAX * SDTR_FACTOR_UNIT)
		return 0;
	sim_time_t f = (period + SDTR_FACTOR_UNIT - 1) / SDTR_FACTOR_UNIT;
	/* 50 ns < period <= 52 ns rounds to 13: 52 ns, the next period. */
	return (uint8_t)f;
}

/* ---- cable limits ------------------------------------------------------ */

#define MAX_DEVICES 16u           /* a wide bus has 16 IDs */
#define FAST20_SE_FEW_DEVICES 4u  /* T10-F20: 3 m with at most 4 */
#define FAST20_SE_MAX_DEVICES 8u  /* T10-F20: 1.5 m with at most 8 */

uint32_t bus_max_cable_mm(enum bus_electrical el, enum bus_speed speed,
			  unsigned devices)
{
	if (devices == 0 || devices > MAX_DEVICES)
		return 0;
	switch (el) {
	case BUS_HVD:
		switch (speed) {
		case BUS_SPEED_SCSI2:
		case BUS_SPEED_FAST:
		case BUS_SPEED_FAST20:
			return 25000;
		}
		return 0;
	case BUS_SE:
		switch (speed) {
		case BUS_SPEED_SCSI2:
			return 6000;
		case BUS_SPEED_FAST:
			return 3000;
		case BUS_SPEED_FAST20:
			if (devices <= FAST20_SE_FEW_DEVICES)
				return 3000;
			if (devices <= FAST20_SE_MAX_DEVICES)
				return 1500;
			return 0;
		}
		return 0;
	}
	return 0;
}
