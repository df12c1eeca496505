"""Seeing inside a graph: drawings of the autograd graph and the backward pass as a table."""

from luchina.viz._drawing import GraphDrawing, draw_graph, make_dot
from luchina.viz._trace import BackwardTrace, TraceRow, trace_backward
from luchina.viz._values import keep_values

__all__ = ["draw_graph", "make_dot", "trace_backward", "keep_values", "GraphDrawing",
           "BackwardTrace", "TraceRow"]
