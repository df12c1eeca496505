"""torch.nn.utils.rnn.pad_sequence (packed sequences are not implemented)."""

import numpy as np

from luchina._tensor import Tensor
from luchina.autograd.function import Function

__all__ = ["pad_sequence"]


class PadSequence(Function):
    _backward_name = "CopySlices"
    _qualified_name = "torch::autograd::CopySlices"  # node.name(), as torch reports it

    @staticmethod
    def forward(ctx, batch_first, value, left, *seqs):
        xp = ctx.xp
        n = max(s.shape[0] for s in seqs)
        dt = np.result_type(*seqs)
        trail = seqs[0].shape[1:]
        out = xp.full((len(seqs), n) + trail, value, dtype=dt)
        spans = []
        for i, s in enumerate(seqs):
            if s.shape[1:] != trail:
                raise RuntimeError(
                    f"pad_sequence: every sequence must have the same trailing shape; sequence 0 "
                    f"has {tuple(seqs[0].shape)} and sequence {i} has {tuple(s.shape)}")
            span = slice(n - s.shape[0], n) if left else slice(0, s.shape[0])
            out[i, span] = s
            spans.append((span, s.dtype))
        ctx.meta = (batch_first, spans)
        return out if batch_first else out.swapaxes(0, 1)

    @staticmethod
    def backward(ctx, grad):
        batch_first, spans = ctx.meta
        g = grad if batch_first else grad.swapaxes(0, 1)
        return (None, None, None) + tuple(
            g[i, span].astype(dt, copy=False) if need else None
            for i, ((span, dt), need) in enumerate(zip(spans, ctx.needs_input_grad[3:])))


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """torch.nn.utils.rnn.pad_sequence: (L, B, *) or, with batch_first, (B, L, *)."""
    if padding_side not in ("left", "right"):
        raise RuntimeError("Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    return PadSequence.apply(bool(batch_first), padding_value, padding_side == "left",
                             *sequences)
