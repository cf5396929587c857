"""The C heap, set up for a pass that allocates and frees chunk-sized arrays over and over.

A loss allocates its temporaries anew for every chunk (hundreds of KiB each). Left to itself,
glibc's malloc serves such blocks with ``mmap`` or gives the top of its heap back to the
kernel when they are freed, so every chunk's arrays come back as fresh pages, zero-filled on
first touch: on a memory-mapped NPY pair that made ``--loss mse``'s arithmetic 5× slower.
Blocks below 4 MiB come from the heap, and up to 64 MiB of free heap stays mapped (resident
memory grows by at most that, only where a pass freed it). Without glibc's ``mallopt``
nothing changes.
"""

from __future__ import annotations

import ctypes  # NumPy imports it already: free here

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's <malloc.h>
MMAP_THRESHOLD = 4 << 20
TRIM_THRESHOLD = 64 << 20

_set = False


def keep_heap_pages() -> None:
    """Have malloc serve chunk-sized blocks from a heap it keeps mapped (once per process)."""
    global _set
    if _set:
        return
    _set = True
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # no C library handle, or a malloc without mallopt
        return
    mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
