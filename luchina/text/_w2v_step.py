"""Word2Vec's training step: a fused NumPy kernel and the autograd reference it is checked against.

Both work on one batch of centre positions (see ``_w2v_corpus.make_batch``): ``ctx`` holds the
word ids of the centres plus ``window`` positions of context on each side, ``ctx_sid`` their
sentence ids, ``reduced`` each centre's effective window, ``neg`` the negative samples. The
negatives are drawn per centre word and shared by its context words (pWord2Vec's layout), which
turns the per-pair dot products into small matrix products; in expectation the update is the
same as gensim's per-pair sampling.

Gradients are returned as *ascent* directions of the log-likelihood (gensim's ``g`` convention):
``rows += lr * grad`` for SGD.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["batch_masks", "fused_grads", "reference_grads", "RowOptimizer"]


def batch_masks(ctx, ctx_sid, reduced, neg, window):
    """(pair mask (N, 2w+1), targets (N, K+1), target mask (N, K+1)) for a batch."""
    n = reduced.size
    w = window
    sid = ctx_sid[w:w + n]
    offs = np.abs(np.arange(-w, w + 1))
    mask = sliding_window_view(ctx_sid, 2 * w + 1)[:n] == sid[:, None]
    mask &= offs[None, :] <= reduced[:, None]
    mask[:, w] = False
    centre = ctx[w:w + n]
    targets = np.concatenate([centre[:, None], neg], axis=1)
    tmask = np.ones(targets.shape, dtype=bool)
    tmask[:, 1:] = neg != centre[:, None]  # gensim skips a negative equal to the positive word
    return mask, targets, tmask


def _softplus(x):
    return np.logaddexp(0.0, x, dtype=np.float64)


def fused_grads(win, wout, ctx, ctx_sid, reduced, neg, window, sg=True, cbow_mean=True,
                compute_loss=True):
    """One vectorised forward/backward: returns (loss, in_ids, in_grad, out_ids, out_grad).

    Gather rows, batched dot products, sigmoid, and the gradients of the touched rows only
    (O(batch x dim)); duplicate ids in ``in_ids``/``out_ids`` are summed by the caller.
    """
    w = window
    n = reduced.size
    mask, targets, tmask = batch_masks(ctx, ctx_sid, reduced, neg, w)
    hp = win[ctx]                                   # (n + 2w, d)
    out = wout[targets]                             # (n, k+1, d)
    hw = sliding_window_view(hp, 2 * w + 1, axis=0)[:n].transpose(0, 2, 1)  # (n, 2w+1, d)
    label = np.zeros(targets.shape[1], dtype=win.dtype)
    label[0] = 1
    dhp = np.zeros_like(hp)
    if sg:
        s = np.matmul(hw, out.transpose(0, 2, 1))   # (n, 2w+1, k+1)
        m = (mask[:, :, None] & tmask[:, None, :]).astype(win.dtype)
        g = (label - _sigmoid(s)) * m
        loss = float((_softplus(np.where(label > 0, -s, s)) * m).sum()) if compute_loss else 0.0
        r = np.matmul(g, out)                       # (n, 2w+1, d): grads of the context rows
        for j in range(2 * w + 1):
            dhp[j:j + n] += r[:, j]
        dout = np.matmul(g.transpose(0, 2, 1), hw)  # (n, k+1, d)
    else:
        mf = mask.astype(win.dtype)
        cnt = mf.sum(1)
        h = np.matmul(mf[:, None, :], hw)[:, 0]     # (n, d): sum of the context rows
        inv = (1.0 / np.maximum(cnt, 1)).astype(win.dtype)
        if cbow_mean:
            h *= inv[:, None]
        tm = (tmask & (cnt > 0)[:, None]).astype(win.dtype)
        s = np.matmul(out, h[:, :, None])[:, :, 0]  # (n, k+1)
        g = (label - _sigmoid(s)) * tm
        loss = float((_softplus(np.where(label > 0, -s, s)) * tm).sum()) if compute_loss else 0.0
        work = np.matmul(g[:, None, :], out)[:, 0]  # (n, d)
        if not cbow_mean:  # word2vec/gensim: the summed input's error is divided by the count,
            work *= inv[:, None]  # the mean's is not (so neither is the exact gradient)
        r = mf[:, :, None] * work[:, None, :]
        for j in range(2 * w + 1):
            dhp[j:j + n] += r[:, j]
        dout = g[:, :, None] * h[:, None, :]
    return loss, ctx, dhp, targets.reshape(-1), dout.reshape(-1, win.shape[1])


def _sigmoid(x):
    # tanh form: no overflow warning for large |x|, stays in x's dtype
    return np.tanh(x * 0.5) * 0.5 + 0.5


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
        self._buf = np.zeros(shape, dtype=dtype)
        self._col = np.arange(shape[1], dtype=np.intp)

    def step(self, weight, ids, grads, lr):
        """weight[ids] += update(sum of grads per id); grads are ascent directions."""
        d = weight.shape[1]
        flat = (ids.astype(np.intp)[:, None] * d + self._col).reshape(-1)
        if self.kind == "sgd":
            # unbuffered scatter-add: numpy's 1-d add.at fast path beats sort + reduceat here
            np.add.at(weight.reshape(-1), flat, (grads * lr).reshape(-1))
            return
        buf = self._buf
        np.add.at(buf.reshape(-1), flat, grads.reshape(-1))
        rows = np.flatnonzero(np.bincount(ids, minlength=weight.shape[0]))
        g = buf[rows]
        buf[rows] = 0
        acc = self.sum[rows] + g * g
        self.sum[rows] = acc
        weight[rows] += (lr * g) / (np.sqrt(acc) + self.eps)


def reference_grads(win, wout, ctx, ctx_sid, reduced, neg, window, sg=True, cbow_mean=True,
                    optimizer="sgd", lr=0.025, state=None):
    """The same step written with luchina's Embedding, autograd and optim (slow, for tests).

    Builds one explicit (input, target) pair per context word, embeds only the rows the batch
    touches (so the step is O(batch x dim)), backpropagates the summed negative-sampling loss
    and applies luchina.optim.SGD or Adagrad to those rows. Returns (loss, new_win, new_wout,
    new_state) without modifying the inputs.
    """
    import luchina
    from luchina import nn, optim
    from luchina.nn import functional as F

    w = window
    mask, targets, tmask = batch_masks(ctx, ctx_sid, reduced, neg, w)
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
        m = luchina.tensor(tmask[ci].astype(win.dtype))
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
        m = luchina.tensor((tmask & (cnt > 0)[:, None]).astype(win.dtype))
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
