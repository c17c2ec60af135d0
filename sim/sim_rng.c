/* sim_rng.c - xoshiro256** streams seeded by SplitMix64 (see sim_rng.h). */
#include "sim_rng.h"

#include <assert.h>

uint64_t sim_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV offset basis */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL; /* FNV prime */
	}
	return h;
}

void sim_rng_init(struct sim_rng *rng, uint64_t seed, const char *name)
{
	uint64_t mix = seed;
	uint64_t st = sim_splitmix64(&mix) ^ fnv1a64(name ? name : "");
	for (int i = 0; i < 4; i++)
		rng->s[i] = sim_splitmix64(&st);
	/* All-zero state is the one fixed point; SplitMix64 output makes it
	 * astronomically unlikely, but never allow it. */
	if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0)
		rng->s[0] = 1;
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_u64(struct sim_rng *rng)
{
	uint64_t *s = rng->s;
	const uint64_t result = rotl(s[1] * 5, 7) * 9;
	const uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t sim_rng_below(struct sim_rng *rng, uint64_t bound)
{
	assert(bound > 0);
	/* Lemire, "Fast Random Integer Generation in an Interval", 2019. */
	unsigned __int128 m = (unsigned __int128)sim_rng_u64(rng) * bound;
	uint64_t low = (uint64_t)m;
	if (low < bound) {
		uint64_t threshold = -bound % bound;
		while (low < threshold) {
			m = (unsigned __int128)sim_rng_u64(rng) * bound;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double sim_rng_unit(struct sim_rng *rng)
{
	return (double)(sim_rng_u64(rng) >> 11) * 0x1.0p-53;
}

double sim_rng_open_unit(struct sim_rng *rng)
{
	return ((double)(sim_rng_u64(rng) >> 11) + 0.5) * 0x1.0p-53;
}

int sim_rng_chance(struct sim_rng *rng, double p)
{
	if (p <= 0.0)
		return 0;
	if (p >= 1.0)
		return 1;
	return sim_rng_unit(rng) < p;
}
