"""Helpers for the bulk stages of an import (parsing, duplicate marking, building rows)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block, as bulk loaders do.

    A 100,000-row import allocates millions of lists, tuples and dicts that live to the
    end of the import and form no reference cycles; the collector would scan them again
    and again as they age (about a fifth of the parse's CPU time,
    bench/import_customers.py) and free nothing. Reference counting still frees
    everything that is let go, so memory does not grow; objects in cycles made meanwhile
    wait for the next collection after the block. Re-entrant: only the outermost block
    turns the collector back on, and only when it was on before. Never raises."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
