/*
 * sim_rng.h - seeded random numbers in independent named streams.
 *
 * Generator: xoshiro256** 1.0 (Blackman and Vigna, 2018,
 * https://prng.di.unimi.it/xoshiro256starstar.c), 256 bits of state,
 * period 2^256 - 1.  State is seeded with SplitMix64 as its authors advise.
 *
 * Streams: each part of the model draws from its own stream, derived from
 * the simulation's master seed and a stable name ("host:A/arp",
 * "bus:backbone/fault").  A stream's draws depend only on (seed, name), so
 * adding a host to a scenario does not change any other host's draws.
 * Derivation: 64-bit FNV-1a of the name, mixed with the seed through
 * SplitMix64; the four state words are four further SplitMix64 outputs.
 *
 * A struct sim_rng is a plain value owned by whoever embeds it; there is no
 * global state.  Copying one forks the sequence.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

struct sim_rng {
	uint64_t s[4];
};

/* Seed a stream from a master seed and a stream name (any NUL-terminated
 * string, "" allowed). */
void sim_rng_init(struct sim_rng *rng, uint64_t seed, const char *name);

/* Next 64 raw bits. */
uint64_t sim_rng_u64(struct sim_rng *rng);

/* Uniform integer in [0, bound), unbiased (Lemire's multiply-and-reject).
 * bound must be > 0. */
uint64_t sim_rng_below(struct sim_rng *rng, uint64_t bound);

/* Uniform double in [0, 1) with 53 random bits. */
double sim_rng_unit(struct sim_rng *rng);

/* Uniform double in (0, 1): never 0, so safe under log(). */
double sim_rng_open_unit(struct sim_rng *rng);

/* 1 with probability p (p <= 0 never, p >= 1 always). */
int sim_rng_chance(struct sim_rng *rng, double p);

/* SplitMix64 step, exposed for derivations and tests. */
uint64_t sim_splitmix64(uint64_t *state);

#endif
