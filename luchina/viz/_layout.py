"""A layered (Sugiyama-style) layout of a DAG, top to bottom, as Graphviz's dot draws.

1. layers: longest path from the sources; a source then sits just above its first consumer;
2. edges spanning several layers pass through dummy points, one per layer crossed;
3. crossings: barycentre sweeps down and up, keeping the order with the fewest crossings;
4. x: each node pulled towards its neighbours' mean, order and spacing kept by an
   isotonic-regression projection (pool adjacent violators), alternating down and up passes.
All loops are iterative: a 1,000-op chain lays out in milliseconds.
"""

from dataclasses import dataclass

__all__ = ["Layout", "layout"]

NODE_GAP = 18.0   # horizontal space between boxes
RANK_GAP = 36.0   # vertical space between layers
MARGIN = 12.0
SWEEPS = 6
X_PASSES = 8


@dataclass
class Layout:
    x: list          # centre of each node
    y: list
    routes: list     # per input edge: the list of (x, y) points from source to destination
    width: float
    height: float


def layout(sizes, edges):
    """Place nodes of ``sizes`` [(w, h)] for directed ``edges`` [(u, v)] (u above v)."""
    n = len(sizes)
    succ = [[] for _ in range(n)]
    pred = [[] for _ in range(n)]
    uniq = []
    seen = set()
    for u, v in edges:
        if u != v and (u, v) not in seen:
            seen.add((u, v))
            uniq.append((u, v))
            succ[u].append(v)
            pred[v].append(u)
    rank = _ranks(n, succ, pred)

    # dummy points for long edges: node ids n, n+1, ...
    w = [s[0] for s in sizes]
    h = [s[1] for s in sizes]
    rank = list(rank)
    chains = {}
    up = [list(p) for p in pred]
    down = [list(s) for s in succ]
    for u, v in uniq:
        if rank[v] - rank[u] > 1:
            chain = [u]
            for r in range(rank[u] + 1, rank[v]):
                d = len(w)
                w.append(0.0)
                h.append(0.0)
                rank.append(r)
                up.append([])
                down.append([])
                chain.append(d)
            chain.append(v)
            down[u].remove(v)
            up[v].remove(u)
            for a, b in zip(chain, chain[1:]):
                down[a].append(b)
                up[b].append(a)
            chains[(u, v)] = chain
    layers = [[] for _ in range(max(rank) + 1 if rank else 0)]
    for i in _discovery(len(w), down, up):
        layers[rank[i]].append(i)
    _order(layers, up, down)
    x = _xcoords(layers, w, up, down)
    y = [0.0] * len(w)
    top = MARGIN
    for layer in layers:
        lh = max((h[i] for i in layer), default=0.0)
        for i in layer:
            y[i] = top + lh / 2
        top += lh + RANK_GAP
    height = top - RANK_GAP + MARGIN if layers else 2 * MARGIN
    width = max((x[i] + w[i] / 2 for i in range(len(w))), default=0.0) + MARGIN
    routes = []
    for u, v in edges:
        if u == v:
            routes.append([])
            continue
        path = chains.get((u, v), [u, v])
        pts = [(x[u], y[u] + h[u] / 2)]
        pts += [(x[d], y[d]) for d in path[1:-1]]
        pts.append((x[v], y[v] - h[v] / 2))
        routes.append(pts)
    return Layout(x[:n], y[:n], routes, width, height)


def _ranks(n, succ, pred):
    indeg = [len(p) for p in pred]
    order = [i for i in range(n) if indeg[i] == 0]
    k = 0
    while k < len(order):
        u = order[k]
        k += 1
        for v in succ[u]:
            indeg[v] -= 1
            if indeg[v] == 0:
                order.append(v)
    if len(order) != n:  # a cycle cannot come from autograd; place the rest below
        order += [i for i in range(n) if i not in set(order)]
    rank = [0] * n
    for u in order:
        for v in succ[u]:
            if rank[v] < rank[u] + 1:
                rank[v] = rank[u] + 1
    for u in order:  # sources: just above their nearest consumer
        if not pred[u] and succ[u]:
            rank[u] = min(rank[v] for v in succ[u]) - 1
    low = min(rank, default=0)
    return [r - low for r in rank]


def _discovery(m, down, up):
    """Nodes in depth-first order from the sinks up, for a readable initial order."""
    seen = [False] * m
    out = []
    for s in range(m):
        if down[s] or seen[s]:
            continue
        stack = [s]
        while stack:
            i = stack.pop()
            if seen[i]:
                continue
            seen[i] = True
            out.append(i)
            stack.extend(reversed(up[i]))
    out += [i for i in range(m) if not seen[i]]
    return out


def _crossings(top, bottom, down):
    pos = {v: i for i, v in enumerate(bottom)}
    seq = []
    for u in top:
        seq.extend(sorted(pos[v] for v in down[u] if v in pos))
    # inversions of seq, with a Fenwick tree
    size = len(bottom) + 1
    tree = [0] * (size + 1)
    count = 0
    for k, p in enumerate(seq):
        i = p + 1
        s = 0
        while i > 0:
            s += tree[i]
            i -= i & -i
        count += k - s
        i = p + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return count


def _total(layers, down):
    return sum(_crossings(a, b, down) for a, b in zip(layers, layers[1:]))


def _order(layers, up, down):
    best = [list(layer) for layer in layers]
    best_c = _total(layers, down)
    for sweep in range(SWEEPS):
        if best_c == 0:
            break
        rng = range(1, len(layers)) if sweep % 2 == 0 else range(len(layers) - 2, -1, -1)
        for r in rng:
            ref = layers[r - 1] if sweep % 2 == 0 else layers[r + 1]
            nb = up if sweep % 2 == 0 else down
            pos = {v: i for i, v in enumerate(ref)}
            cur = layers[r]
            keys = []
            for i, v in enumerate(cur):
                ps = [pos[u] for u in nb[v] if u in pos]
                keys.append((sum(ps) / len(ps), i) if ps else (float(i), i))
            layers[r] = [v for _, v in sorted(zip(keys, cur))]
        c = _total(layers, down)
        if c < best_c:
            best_c = c
            best = [list(layer) for layer in layers]
    layers[:] = best


def _xcoords(layers, w, up, down):
    x = [0.0] * len(w)
    for layer in layers:
        left = MARGIN
        for i in layer:
            x[i] = left + w[i] / 2
            left += w[i] + NODE_GAP
    for p in range(X_PASSES):
        rng = layers if p % 2 == 0 else list(reversed(layers))
        nb = up if p % 2 == 0 else down
        for layer in rng:
            want = []
            for i in layer:
                ns = nb[i] or (down[i] if p % 2 == 0 else up[i])
                want.append(sum(x[j] for j in ns) / len(ns) if ns else x[i])
            for i, xi in zip(layer, _project(want, [w[i] for i in layer])):
                x[i] = xi
    low = min((x[i] - w[i] / 2 for i in range(len(w))), default=MARGIN)
    return [xi - low + MARGIN for xi in x]


def _project(want, widths):
    """Closest positions to ``want`` (least squares) that keep order and spacing."""
    offs = [0.0]
    for a, b in zip(widths, widths[1:]):
        offs.append(offs[-1] + (a + b) / 2 + NODE_GAP)
    target = [t - o for t, o in zip(want, offs)]
    blocks = []  # [sum, count]: pool adjacent violators
    for t in target:
        blocks.append([t, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    out = []
    for s, c in blocks:
        out.extend([s / c] * c)
    return [v + o for v, o in zip(out, offs)]
