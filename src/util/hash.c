/* hash.c - 64-bit FNV-1a */
#include "perfgate/hash.h"

#include <string.h>

uint64_t pg_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

uint64_t pg_fnv1a_field(uint64_t h, const char *s)
{
	return pg_fnv1a(h, s ? s : "", s ? strlen(s) + 1 : 1);
}
