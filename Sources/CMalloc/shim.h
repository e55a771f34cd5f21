#ifndef FAXLINE_CMALLOC_SHIM_H
#define FAXLINE_CMALLOC_SHIM_H

#include <malloc.h>

// glibc's malloc tuning, which Swift's Glibc module does not export.

/// At most `arenas` malloc arenas (glibc's default is 8 per core: every thread that ever
/// allocated keeps its own heap). Blocks of `mmap_threshold` bytes or more are mapped on their
/// own and unmapped when freed; the threshold stays fixed instead of rising to the size of the
/// first such block freed, which would keep every later one in a heap that never shrinks.
static inline void faxline_malloc_limit(int arenas, int mmap_threshold, int trim_threshold) {
    mallopt(M_ARENA_MAX, arenas);
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
}

/// Gives the free pages of every arena back to the system.
static inline void faxline_malloc_trim(void) {
    malloc_trim(0);
}

#endif
