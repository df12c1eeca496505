"""Interleaved timing: every library runs each repetition in turn, medians and ranges reported."""

import statistics
import time


def interleaved(cases, repeats, number):
    """Time ``cases`` ({label: fn}) ``repeats`` times each, alternating between them.

    Returns {label: [seconds per call, one per repetition]}.
    """
    times = {label: [] for label in cases}
    for fn in cases.values():  # warm-up: caches, allocator, lazy imports
        for _ in range(max(1, number // 10)):
            fn()
    for _ in range(repeats):
        for label, fn in cases.items():
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            times[label].append((time.perf_counter() - t0) / number)
    return times


def summary(samples):
    """(median, min, max) of a list of timings."""
    return statistics.median(samples), min(samples), max(samples)
