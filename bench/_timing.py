"""Interleaved timing: every library runs each repetition in turn, medians and ranges reported."""

import os
import platform
import statistics
import time


def libraries():
    """{"luchina": luchina, "torch": torch}, without torch where it is not installed."""
    import luchina
    libs = {"luchina": luchina}
    try:
        import torch
    except ImportError:
        return libs
    libs["torch"] = torch
    return libs


def interleaved(cases, repeats, number, warmup=None):
    """Time ``cases`` ({label: fn}) ``repeats`` times each, alternating between them.

    ``warmup`` calls of each case run first (default ``number // 10``, at least one).
    Returns {label: [seconds per call, one per repetition]}.
    """
    times = {label: [] for label in cases}
    for fn in cases.values():  # warm-up: caches, allocator, lazy imports
        for _ in range(max(1, number // 10) if warmup is None else warmup):
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


def machine():
    """One line naming the CPU, its cores, the load and the library versions."""
    import numpy as np
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    parts = [cpu, f"{os.cpu_count()} cores", f"Python {platform.python_version()}",
             f"NumPy {np.__version__}"]
    try:
        import torch
        parts.append(f"PyTorch {torch.__version__}")
    except ImportError:
        pass
    if hasattr(os, "getloadavg"):
        parts.append("load average %.1f" % os.getloadavg()[0])
    return ", ".join(parts)


def load_average():
    """The 1-minute load average (0.0 where the platform has none)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
