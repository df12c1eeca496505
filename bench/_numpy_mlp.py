"""The benchmark MLP written by hand in NumPy: no framework, the baseline a framework must meet.

784-256-128-10, ReLU, cross-entropy (mean), Adam with torch's defaults. Float32 throughout,
every buffer of the update preallocated, parameters packed in one flat array so that Adam is a
handful of whole-buffer ufunc calls.
"""

import numpy as np


class NumpyMLP:
    """Layers ``sizes`` (e.g. (784, 256, 128, 10)) initialised like torch.nn.Linear."""

    def __init__(self, sizes=(784, 256, 128, 10), lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                 seed=0):
        rng = np.random.default_rng(seed)
        shapes = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            shapes += [(fan_out, fan_in), (fan_out,)]
        n = sum(int(np.prod(s)) for s in shapes)
        self.flat = np.empty(n, np.float32)
        self.grad = np.zeros(n, np.float32)
        self.params, self.grads = _views(self.flat, shapes), _views(self.grad, shapes)
        for i in range(0, len(shapes), 2):
            bound = 1 / np.sqrt(shapes[i][1])
            self.params[i][...] = rng.uniform(-bound, bound, shapes[i])
            self.params[i + 1][...] = rng.uniform(-bound, bound, shapes[i + 1])
        self.m = np.zeros(n, np.float32)
        self.v = np.zeros(n, np.float32)
        self.tmp = np.empty(n, np.float32)
        self.lr, self.b1, self.b2, self.eps = lr, betas[0], betas[1], eps
        self.t = 0

    def forward(self, x):
        """Logits of a batch (no caching: inference)."""
        h = x
        ws = self.params
        for i in range(0, len(ws), 2):
            h = h @ ws[i].T
            h += ws[i + 1]
            if i + 2 < len(ws):
                np.maximum(h, 0, out=h)
        return h

    def train_step(self, x, y):
        """One forward, backward and Adam update on batch (x, y); returns the mean loss."""
        ws, gs = self.params, self.grads
        acts = [x]
        h = x
        for i in range(0, len(ws), 2):
            h = h @ ws[i].T
            h += ws[i + 1]
            if i + 2 < len(ws):
                np.maximum(h, 0, out=h)
                acts.append(h)
        # cross-entropy: softmax - onehot, divided by the batch size
        n = x.shape[0]
        h -= h.max(axis=1, keepdims=True)
        np.exp(h, out=h)
        s = h.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = float(np.mean(np.log(s[:, 0]) - np.log(h[rows, y])))
        h /= s
        h[rows, y] -= 1.0
        h *= np.float32(1.0 / n)
        g = h
        for i in range(len(ws) - 2, -1, -2):
            a = acts[i // 2]
            np.matmul(g.T, a, out=gs[i])
            g.sum(axis=0, out=gs[i + 1])
            if i:
                g = g @ ws[i]
                g *= a > 0
        self._adam()
        return loss

    def _adam(self):
        self.t += 1
        b1, b2 = self.b1, self.b2
        m, v, g, tmp = self.m, self.v, self.grad, self.tmp
        m *= b1
        np.multiply(g, 1 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - b2
        v += tmp
        bc2 = (1 - b2 ** self.t) ** 0.5
        np.sqrt(v, out=tmp)
        tmp *= 1 / bc2
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= -self.lr / (1 - b1 ** self.t)
        self.flat += tmp


def _views(flat, shapes):
    out, start = [], 0
    for s in shapes:
        k = int(np.prod(s))
        out.append(flat[start:start + k].reshape(s))
        start += k
    return out
