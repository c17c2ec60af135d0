/*
 * scn_check.h - check a loaded scenario the way a buyer needs before
 * ordering hardware, without building or running it (`scsinet check`).
 *
 * scn_load() has already refused what cannot be read (syntax, types,
 * unknown names, clashing IDs and addresses) and what scn_world_build()
 * could not build (routes it cannot install, clashing UDP ports...), and
 * `scsinet check` builds the world as a last guard, so that it refuses
 * all that `run` refuses; this looks at what a valid file can still get
 * wrong, against SCSI-2's physical limits
 * (protocol-facts 2.11, bus_max_cable_mm), the adapter profiles
 * (adapter.h) and IP routing as the simulated stacks will do it:
 *
 *   physical   SCSI IDs in range and unique per bus; devices per bus
 *              (8 narrow, 16 wide, fewer for single-ended Fast-20);
 *              cable length for the electrical type, speed class and
 *              device count; a narrow adapter on a wide bus (warning);
 *              an adapter faster than its bus's class (warning)
 *   topology   buses with no host or a single host (warning); hosts that
 *              share no bus with another host
 *   addressing duplicate addresses; stations of one bus in different
 *              subnets; one subnet on two buses; an address that is its
 *              subnet's network or broadcast address
 *   routing    static routes whose 'via' is on none of the host's
 *              subnets, duplicate routes, automatic routes that cannot be
 *              installed; then every host to every address of every other
 *              host, hop by hop through the routing tables scn_world
 *              would build ("static": the hosts' routes; "auto": those
 *              plus its shortest paths): routing loops, hosts that do not
 *              forward used as gateways, unreachable pairs (per source
 *              host: a count and the first few)
 *
 * What the loader refuses is still found here in a struct built by hand
 * (a duplicate route, an automatic route that cannot be installed, a
 * static route off the host's subnets), as "scsinet run refuses".
 *
 * The report: one line per problem, "PATH: what is wrong, and why it
 * matters", PATH being the JSON path of the element at fault as the
 * loader writes it (buses[1].length, hosts[3].routes[0].via);
 * warning-class problems say "PATH: warning: ...".  Then one summary
 * line: "check NAME: B buses, H hosts, G gateways: N problems (E errors,
 * W warnings)" or "...: no problems".  The order is fixed (the checks
 * above, each in index order), so the same scenario gives the same bytes.
 *
 * Nothing is kept: the scenario is only read, and every allocation is
 * freed before return.  Nothing is written except to `report`.
 */
#ifndef SCN_CHECK_H
#define SCN_CHECK_H

#include <stdio.h>

#include "scn.h"
#include "sn_error.h"

/* What scn_check_ex found. */
struct scn_check_summary {
	int buses, hosts;
	int gateways;   /* forwarding hosts with adapters on two buses or more */
	int errors;     /* the scenario will not work as meant */
	int warnings;   /* it works, but worse or dearer than it could */
	int problems;   /* errors + warnings: the report's lines */
};

/* Flags of scn_check_ex. */
#define SCN_CHECK_QUIET 1u  /* write only the summary line */

/* Check `s`, writing the report to `report` (NULL: nothing written; only
 * the count).  Returns the number of problems (0: fine), or -1 when
 * memory ran out (the report may then stop short, with no summary). */
int scn_check(const struct scn *s, FILE *report);

/* The same with flags (SCN_CHECK_QUIET) and the figures in *sum (may be
 * NULL).  Errors: SN_ENOMEM. */
enum sn_err scn_check_ex(const struct scn *s, FILE *report, unsigned flags,
			 struct scn_check_summary *sum);

#endif
