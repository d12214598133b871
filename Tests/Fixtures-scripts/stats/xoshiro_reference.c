/* Reference outputs of SplitMix64 and xoshiro256** 1.0, written from the algorithms as
   published by Vigna (prng.di.unimi.it) and Blackman & Vigna (2021). */
#include <stdint.h>
#include <stdio.h>
static uint64_t sm;
static uint64_t splitmix64(void) {
  uint64_t z = (sm += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static uint64_t s[4];
static inline uint64_t rotl(const uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static uint64_t next(void) {
  const uint64_t result = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
  s[2] ^= t; s[3] = rotl(s[3], 45);
  return result;
}
int main(void) {
  uint64_t seeds[] = {0, 1, 20261130, 0xFFFFFFFFFFFFFFFFULL};
  printf("{\n");
  for (int i = 0; i < 4; i++) {
    sm = seeds[i];
    for (int j = 0; j < 4; j++) s[j] = splitmix64();
    printf("  \"%llu\": [", (unsigned long long)seeds[i]);
    for (int k = 0; k < 8; k++) printf("%s\"%llu\"", k ? ", " : "", (unsigned long long)next());
    printf("]%s\n", i < 3 ? "," : "");
  }
  printf("}\n");
  return 0;
}
