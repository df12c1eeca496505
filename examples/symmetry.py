"""Symmetry (003): why the weights cannot start at zero.

The notes' lecture ends with "Мы не можем инициализировать нулями": started from zero weights,
the hidden units of an MLP receive identical gradients and are updated identically, so they
stay copies of each other and the network is no richer than one with a single hidden unit;
random initial weights break that symmetry. The task is the lecture's triangle: points inside
a triangle are class 1, which a 2 -> 3 -> 1 sigmoid MLP solves by "propping up" the triangle
with three lines, one per hidden unit. Trained twice with the same data and optimizer (Adam),
once from all-zero weights and once from luchina's default random initialisation, the script
prints the hidden layer's weights, the largest difference between any two hidden units (exactly
0.0 for the zero start, after every step) and the accuracy of each.

Run: python examples/symmetry.py
"""

import luchina as torch
from luchina import nn

# the triangle of the lecture's example, class 1 inside
VERTICES = ((0.0, 0.8), (-0.8, -0.6), (0.8, -0.6))


def triangle_data(n=400, seed=0):
    """n points uniform in [-1, 1]^2 and their labels (1 inside the triangle)."""
    torch.manual_seed(seed)
    x = torch.rand(n, 2) * 2 - 1
    inside = torch.ones(n, dtype=torch.bool)
    for (ax, ay), (bx, by) in zip(VERTICES, VERTICES[1:] + VERTICES[:1]):
        # the triangle is listed counter-clockwise: inside means left of every edge
        cross = (bx - ax) * (x[:, 1] - ay) - (by - ay) * (x[:, 0] - ax)
        inside = inside & (cross > 0)
    return x, inside.float().unsqueeze(1)


def make_net(zero_init, seed=0):
    """2 -> 3 -> 1 MLP with sigmoid hidden units; all weights and biases zero if zero_init."""
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1))
    if zero_init:
        for p in net.parameters():
            nn.init.zeros_(p)
    return net


def unit_spread(net):
    """Largest difference between two hidden units' incoming weights, biases or outgoing weights."""
    w1, b1, w2 = net[0].weight, net[0].bias, net[2].weight
    per_unit = torch.cat([w1, b1.unsqueeze(1), w2.t()], dim=1)  # one row per hidden unit
    return (per_unit - per_unit[0]).abs().max().item()


def train(net, x, y, steps=1000, lr=0.05):
    """Full-batch Adam on BCEWithLogitsLoss; returns (final loss, largest spread seen)."""
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    spread = 0.0
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(net(x), y)
        loss.backward()
        optimizer.step()
        spread = max(spread, unit_spread(net))
    return loss.item(), spread


def main(out_dir=".", steps=1000):
    """Train from zero and from random weights; print the hidden units and the accuracies."""
    x, y = triangle_data()
    print(f"triangle task: {len(x)} points, {y.mean().item():.0%} inside; MLP 2 -> 3 -> 1")
    result = {}
    for name, zero in (("zero", True), ("random", False)):
        net = make_net(zero_init=zero)
        start = unit_spread(net)
        loss, spread = train(net, x, y, steps=steps)
        with torch.no_grad():
            accuracy = ((net(x) > 0).float() == y).float().mean().item()
        print(f"\n{name} initialisation: loss {loss:.4f}, accuracy {accuracy:.1%}")
        print("  hidden units (w_x1, w_x2, bias | outgoing weight):")
        for (w_a, w_b), b, v in zip(net[0].weight.tolist(), net[0].bias.tolist(),
                                    net[2].weight[0].tolist()):
            print(f"    {w_a:8.4f} {w_b:8.4f} {b:8.4f} | {v:8.4f}")
        print(f"  largest difference between hidden units: at start {start:.4f}, "
              f"over {steps} steps {spread:.4f}, at the end {unit_spread(net):.4f}")
        result[name] = {"loss": loss, "accuracy": accuracy, "start_spread": start,
                        "max_spread": spread, "end_spread": unit_spread(net),
                        "hidden": net[0].weight.tolist()}
    print("\nFrom zero the three units stay copies (one line, not three); noise breaks it.")
    return result


if __name__ == "__main__":
    main()
