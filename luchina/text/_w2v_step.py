"""Word2Vec's training step: a fused NumPy kernel and the autograd reference it is checked against.

Both work on one batch of centre positions (see ``_w2v_corpus.make_batch``): ``ctx`` holds the
word ids of the centres plus ``window`` positions of context on each side, ``ctx_sid`` their
sentence ids, ``reduced`` each centre's effective window (0 for padding), ``neg`` the negative
samples, one row per group of ``G = reduced.size // len(neg)`` consecutive centres. Every
(context, centre) pair of a group uses the group's negatives, each weighted ``negative /
len(neg[0])`` (in expectation the same update as gensim's ``negative`` samples per pair). A
context position then scores each negative once, weighted by its number of pairs in the group,
so a group is three small dense matrix products: scores ``A @ T.T`` and the gradients ``g @ T``
and ``g.T @ A``, where ``A`` holds the group's ``G + 2*window`` context rows (skip-gram) or its
``G`` averaged contexts (CBOW) and ``T`` its ``G`` centre rows and its negative rows.

Gradients are returned as *ascent* directions of the log-likelihood (gensim's ``g`` convention):
``rows += lr * grad`` for SGD. Scratch arrays come from a ``Workspace`` reused across batches:
allocating tens of MB of fresh temporaries per batch costs as much in page faults as the maths.
"""

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

__all__ = ["batch_masks", "fused_grads", "reference_grads", "RowOptimizer", "Workspace"]


class Workspace:
    """Named scratch arrays that are allocated once and reused (grown when a batch is larger)."""

    def __init__(self):
        self._bufs = {}

    def __call__(self, name, shape, dtype=np.float32):
        """An uninitialised array of this shape and dtype; valid until the next call for name."""
        size = math.prod(shape)
        buf = self._bufs.get(name)
        if buf is None or buf.dtype != dtype or buf.size < size:
            buf = self._bufs[name] = np.empty(size, dtype=dtype)
        return buf[:size].reshape(shape)


def batch_masks(ctx, ctx_sid, reduced, neg, window):
    """Per-centre view of a batch: (pair mask (N, 2w+1), targets (N, 1+M), target mask (N, 1+M)).

    targets[i] is centre i followed by its group's M negatives; the target mask drops a
    negative equal to the centre word (gensim skips those).
    """
    n = reduced.size
    w = window
    group = n // max(len(neg), 1)
    sid = ctx_sid[w:w + n]
    offs = np.abs(np.arange(-w, w + 1))
    mask = sliding_window_view(ctx_sid, 2 * w + 1)[:n] == sid[:, None]
    mask &= offs[None, :] <= reduced[:, None]
    mask[:, w] = False
    centre = ctx[w:w + n]
    targets = np.concatenate([centre[:, None], np.repeat(neg, group, axis=0)], axis=1)
    tmask = targets != centre[:, None]  # gensim skips a negative equal to the positive word
    tmask[:, 0] = True
    return mask, targets, tmask


def _blocks(a, group, length):
    """Overlapping blocks ``a[g*group : g*group + length]`` for every group, as a view."""
    ng = (a.shape[0] - length) // group + 1
    return as_strided(a, shape=(ng, length) + a.shape[1:],
                      strides=(a.strides[0] * group,) + a.strides, writeable=False)


def _pair_weights(ctx, ctx_sid, reduced, neg, window, negative, dtype, work):
    """Centre ids (ng, G), pair mask (ng, G+2w, G) as dtype, negative-vs-centre weights
    (ng, G, M): 0 where a negative equals the centre, else negative / M."""
    ng, m = neg.shape
    group = reduced.size // ng
    w, length = window, group + 2 * window
    off = np.abs(np.arange(length)[:, None] - w - np.arange(group)[None, :])
    csid = ctx_sid[w:w + ng * group].reshape(ng, 1, group)
    mask = np.equal(_blocks(ctx_sid, group, length)[:, :, None], csid,
                    out=work("mask", (ng, length, group), bool))
    mask &= off <= reduced.reshape(ng, 1, group)
    mask &= off > 0
    mf = work("mf", mask.shape, dtype)
    np.copyto(mf, mask)
    centre = ctx[w:w + ng * group].reshape(ng, group)
    neq = np.not_equal(neg[:, None, :], centre[:, :, None]).astype(dtype)
    if negative is not None and negative != m:  # each pair counts as `negative` samples
        neq *= dtype.type(negative / m)
    return centre, mf, neq


def fused_grads(win, wout, ctx, ctx_sid, reduced, neg, window, sg=True, cbow_mean=True,
                compute_loss=True, negative=None, work=None):
    """One vectorised forward/backward: returns (loss, in_ids, in_grad, out_ids, out_grad).

    Gathers the touched rows, computes every group's scores and gradients with batched matrix
    products (O(batch x dim)); duplicate ids in ``in_ids``/``out_ids`` are summed by the caller.
    The gradients are views into ``work`` (a Workspace): use them before the next call.
    """
    work = Workspace() if work is None else work
    dtype = win.dtype
    d = win.shape[1]
    w = window
    n = reduced.size
    ng, m = neg.shape
    group = n // ng
    length = group + 2 * w
    centre, mf, neq = _pair_weights(ctx, ctx_sid, reduced, neg, w, negative, dtype, work)
    targets = np.concatenate([centre, neg], axis=1)                    # (ng, G+M)
    t = np.take(wout, targets, axis=0, out=work("t", targets.shape + (d,), dtype), mode="clip")
    hp = np.take(win, ctx, axis=0, out=work("hp", (ctx.size, d), dtype), mode="clip")
    x = _blocks(hp, group, length)                                     # (ng, L, d) view
    if sg:
        a = x
        # weights: 1 for a (context, centre) pair; for a negative, the number of the
        # position's pairs (whose centre differs from it) times negative / M
        wt = work("wt", (ng, length, group + m), dtype)
        wt[:, :, :group] = mf
        np.matmul(mf, neq, out=wt[:, :, group:])
    else:
        cnt = mf.sum(1)                                                # (ng, G)
        inv = (1.0 / np.maximum(cnt, 1)).astype(dtype)
        a = np.matmul(mf.transpose(0, 2, 1), x, out=work("a", (ng, group, d), dtype))
        if cbow_mean:
            a *= inv[:, :, None]
        wt = work("wt", (ng, group, group + m), dtype)
        wt[:, :, :group] = np.eye(group, dtype=dtype)
        wt[:, :, group:] = neq
        wt *= (cnt > 0)[:, :, None]
    s = np.matmul(a, t.transpose(0, 2, 1), out=work("s", wt.shape, dtype))   # scores
    # g = label - sigmoid(s) = (label - 0.5) + 0.5 * tanh(-s / 2); label 1 on the centres
    g = np.multiply(s, -0.5, out=work("g", wt.shape, dtype))
    np.tanh(g, out=g)
    g *= 0.5
    g -= 0.5
    if sg:
        g[:, :, :group] += 1.0
    else:
        g[:, :, :group] += np.eye(group, dtype=dtype)
    loss = _loss(s, wt, group, sg) if compute_loss else 0.0
    g *= wt
    out_grad = np.matmul(g.transpose(0, 2, 1), a, out=work("dt", t.shape, dtype))
    if sg:
        dx = np.matmul(g, t, out=work("dx", x.shape, dtype))          # (ng, L, d)
    else:
        da = np.matmul(g, t, out=work("da", a.shape, dtype))          # (ng, G, d)
        if not cbow_mean:  # word2vec/gensim: the summed input's error is divided by the count,
            da *= inv[:, :, None]  # the mean's is not (so neither is the exact gradient)
        dx = np.matmul(mf, da, out=work("dx", x.shape, dtype))        # (ng, L, d)
    in_grad = _overlap_add(dx, group, work("dhp", (ng * group + length, d), dtype))
    return loss, ctx, in_grad[:ctx.size], targets.reshape(-1), out_grad.reshape(-1, d)


def _loss(s, wt, group, sg):
    """Summed negative-sampling loss: softplus(-s) on the centres, softplus(s) elsewhere."""
    z = s.astype(np.float64)
    if sg:
        z[:, :, :group] *= -1
    else:
        z[:, :, :group] -= 2 * np.eye(group) * z[:, :, :group]
    return float((np.logaddexp(0.0, z) * wt).sum())


def _overlap_add(blocks, group, out):
    """Sum blocks (ng, L, d), block g starting at row g*group, into ``out`` (zeroed here)."""
    ng, length, d = blocks.shape
    out.fill(0)
    for a in range(0, length, group):
        piece = blocks[:, a:a + group]
        out[a:a + ng * group].reshape(ng, group, d)[:, :piece.shape[1]] += piece
    return out


class RowOptimizer:
    """Sparse row updates for an embedding matrix: 'sgd' (gensim's rule) or 'adagrad'.

    ``step(weight, ids, grads, lr)`` sums the gradients of repeated ids, then updates only the
    touched rows; Adagrad keeps one accumulator per element (torch.optim.Adagrad's formula with
    eps=1e-10, applied to the touched rows only).
    """

    def __init__(self, kind, shape, dtype=np.float32, eps=1e-10):
        if kind not in ("sgd", "adagrad"):
            raise ValueError(f"Word2Vec: optimizer must be 'sgd' or 'adagrad', got {kind!r}")
        self.kind = kind
        self.eps = eps
        self.sum = np.zeros(shape, dtype=dtype) if kind == "adagrad" else None
        self._lut = np.zeros(shape[0], dtype=np.intp)   # id -> slot among the touched rows
        self._col = np.arange(shape[1], dtype=np.intp)
        self._work = Workspace()

    def _flat(self, slots, d):
        flat = np.add((slots * d)[:, None], self._col,
                      out=self._work("flat", (slots.size, d), np.intp))
        return flat.reshape(-1)

    def step(self, weight, ids, grads, lr):
        """weight[ids] += update(sum of grads per id); grads are ascent directions."""
        d = weight.shape[1]
        work = self._work
        grads = np.ascontiguousarray(grads, dtype=weight.dtype)
        if self.kind == "sgd":
            # unbuffered scatter-add: numpy's 1-d add.at fast path beats sort + reduceat here
            scaled = np.multiply(grads, lr, out=work("g", grads.shape, weight.dtype))
            np.add.at(weight.reshape(-1), self._flat(ids, d), scaled.reshape(-1))
            return
        # distinct ids in O(len(ids)) (no O(vocab) pass): the position that wins a scatter
        # represents its id; then sum repeats into a compact (rows, d) buffer
        pos = np.arange(ids.size)
        lut = self._lut
        lut[ids] = pos
        rows = ids[lut[ids] == pos]
        lut[rows] = pos[:rows.size]
        g = work("sum", (rows.size, d), weight.dtype)
        g.fill(0)
        np.add.at(g.reshape(-1), self._flat(lut[ids], d), grads.reshape(-1))
        acc = np.take(self.sum, rows, axis=0, out=work("acc", g.shape, weight.dtype),
                      mode="clip")
        tmp = np.multiply(g, g, out=work("tmp", g.shape, weight.dtype))
        acc += tmp
        self.sum[rows] = acc
        np.sqrt(acc, out=acc)
        acc += self.eps
        g *= lr
        g /= acc
        np.take(weight, rows, axis=0, out=tmp, mode="clip")
        tmp += g
        weight[rows] = tmp


def reference_grads(win, wout, ctx, ctx_sid, reduced, neg, window, sg=True, cbow_mean=True,
                    optimizer="sgd", lr=0.025, state=None, negative=None):
    """The same step written with luchina's Embedding, autograd and optim (slow, for tests).

    Builds one explicit (input, target) pair per context word, embeds only the rows the batch
    touches (so the step is O(batch x dim)), backpropagates the summed negative-sampling loss
    and applies luchina.optim.SGD or Adagrad to those rows; each of a pair's M negatives
    weighs ``negative / M`` (1 when negative is None). Returns (loss, new_win, new_wout,
    new_state) without modifying the inputs.
    """
    import luchina
    from luchina import nn, optim
    from luchina.nn import functional as F

    w = window
    mask, targets, tmask = batch_masks(ctx, ctx_sid, reduced, neg, w)
    weight = tmask.astype(win.dtype)
    if negative is not None:
        weight[:, 1:] *= negative / neg.shape[1]
    n = reduced.size
    uin, inv_in = np.unique(ctx, return_inverse=True)
    uout, inv_out = np.unique(targets, return_inverse=True)
    inv_out = inv_out.reshape(targets.shape)
    emb_in = nn.Embedding.from_pretrained(luchina.tensor(win[uin].copy()), freeze=False)
    emb_out = nn.Embedding.from_pretrained(luchina.tensor(wout[uout].copy()), freeze=False)
    label = np.zeros(targets.shape, dtype=win.dtype)
    label[:, 0] = 1
    sign = luchina.tensor(1 - 2 * label)            # +1 for negatives, -1 for the positive
    ci, cj = np.nonzero(mask)
    if sg:
        h = emb_in(luchina.tensor(inv_in[ci + cj]))                 # (P, d)
        o = emb_out(luchina.tensor(inv_out[ci]))                    # (P, k+1, d)
        s = (o * h.unsqueeze(1)).sum(-1)                            # (P, k+1)
        m = luchina.tensor(weight[ci])
        loss = (F.softplus(s * sign[ci]) * m).sum()
    else:
        cnt = mask.sum(1)
        rows = emb_in(luchina.tensor(inv_in[ci + cj]))             # (P, d)
        owner = np.zeros((n, ci.size), dtype=win.dtype)
        owner[ci, np.arange(ci.size)] = 1
        total = luchina.tensor(owner) @ rows                        # (n, d): sums of contexts
        inv = luchina.tensor((1.0 / np.maximum(cnt, 1)).astype(win.dtype)).unsqueeze(1)
        # word2vec's gradient convention (see fused_grads): the forward value is the mean (or
        # sum) but each context row receives the error of the mean undivided (or of the sum
        # divided); a straight-through term gives autograd exactly that gradient.
        if cbow_mean:
            h = (total * inv).detach() + total - total.detach()
        else:
            h = total.detach() + total * inv - (total * inv).detach()
        o = emb_out(luchina.tensor(inv_out))                        # (n, k+1, d)
        s = (o * h.unsqueeze(1)).sum(-1)
        m = luchina.tensor(weight * (cnt > 0)[:, None])
        loss = (F.softplus(s * sign) * m).sum()
    loss.backward()
    params = [emb_in.weight, emb_out.weight]
    new_state = None
    if optimizer == "sgd":
        opt = optim.SGD(params, lr=lr)
    else:
        opt = optim.Adagrad(params, lr=lr, eps=1e-10)
        acc_in, acc_out = state
        opt.state[emb_in.weight]["sum"] = luchina.tensor(acc_in[uin].copy())
        opt.state[emb_out.weight]["sum"] = luchina.tensor(acc_out[uout].copy())
    opt.step()
    new_win, new_wout = win.copy(), wout.copy()
    new_win[uin] = emb_in.weight.detach().numpy()
    new_wout[uout] = emb_out.weight.detach().numpy()
    if optimizer != "sgd":
        new_state = (acc_in.copy(), acc_out.copy())
        new_state[0][uin] = opt.state[emb_in.weight]["sum"].numpy()
        new_state[1][uout] = opt.state[emb_out.weight]["sum"].numpy()
    return float(loss.item()), new_win, new_wout, new_state
