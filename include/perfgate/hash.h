/* hash.h - 64-bit FNV-1a: short, stable fingerprints (definition hashes, the dashboard's page keys) */
#ifndef PERFGATE_HASH_H
#define PERFGATE_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a's offset basis. */
#define PG_FNV_BASIS 14695981039346656037ULL

/*
 * The basis definition hashes were first stored with (one digit short of
 * FNV's): kept, so that the hashes of stored results still match.
 */
#define PG_FNV_BASIS_STORED 1469598103934665603ULL

/* h extended with len bytes of data: FNV-1a streams, so parts hash as their concatenation. */
uint64_t pg_fnv1a(uint64_t h, const void *data, size_t len);

/* h extended with s and its terminating NUL (so that "ab","c" and "a","bc" differ); NULL as "". */
uint64_t pg_fnv1a_field(uint64_t h, const char *s);

#endif
