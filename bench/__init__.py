"""Benchmarks run side by side with PyTorch; see docs/benchmarks.md for the method."""
