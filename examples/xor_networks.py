"""XOR, the notes' example of a linearly inseparable task (001, 002), solved twice.

1. The hand-set superposition of threshold neurons from 002,
   th(th(x1 + x2 - 1.5) + th(-x1 - x2 + 0.5) - 0.5), written as two luchina ``nn.Linear``
   layers with fixed weights and a step activation (``torch.heaviside``). Substituting the four
   corners reproduces the notes' table: th(0 + 1 - 0.5) = 1, th(0 + 0 - 0.5) = 0, ... Note that
   this superposition outputs 1 on (0, 0) and (1, 1): it is the *equivalence* function, which
   the notes treat together with XOR (they differ by which diagonal is labelled 1). XOR itself
   is the same hidden layer with the output neuron's signs flipped: th(-h1 - h2 + 0.5). The
   notes' smooth version replaces th by sigma_c(z) = 1 / (1 + exp(-c z)), which approaches the
   threshold as c grows.
2. A 2 -> 4 -> 1 MLP (Tanh hidden layer, BCEWithLogitsLoss, Adam) trained on the four points to
   100% accuracy; its decision surface is saved next to the threshold network's band as
   xor_networks.png.

Run: python examples/xor_networks.py
"""

import numpy as np

import luchina as torch
from luchina import nn

try:
    from _figures import new_figure, save_png
except ImportError:  # imported as examples.xor_networks
    from examples._figures import new_figure, save_png

X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y_XOR = torch.tensor([[0.0], [1.0], [1.0], [0.0]])


def th(z):
    """The threshold activation: 1 where z > 0, else 0."""
    return torch.heaviside(z, torch.tensor(0.0))


class ThresholdNet(nn.Module):
    """Two threshold neurons and one combining neuron, weights set by hand as in the notes."""

    def __init__(self, out_weights=(1.0, 1.0), out_bias=-0.5, c=None):
        super().__init__()
        self.hidden = nn.Linear(2, 2)
        self.out = nn.Linear(2, 1)
        self.c = c  # None: threshold th; a number: the notes' sigmoid sigma_c
        with torch.no_grad():
            self.hidden.weight.copy_(torch.tensor([[1.0, 1.0], [-1.0, -1.0]]))
            self.hidden.bias.copy_(torch.tensor([-1.5, 0.5]))
            self.out.weight.copy_(torch.tensor([list(out_weights)]))
            self.out.bias.fill_(out_bias)

    def act(self, z):
        return th(z) if self.c is None else torch.sigmoid(self.c * z)

    def forward(self, x):
        return self.act(self.out(self.act(self.hidden(x))))


def threshold_part():
    """Print the notes' substitution table for equivalence and XOR, and the sigma_c outputs."""
    equivalence = ThresholdNet()
    xor = ThresholdNet(out_weights=(-1.0, -1.0), out_bias=0.5)
    with torch.no_grad():
        hidden = th(equivalence.hidden(X))
        eq_out = equivalence(X).flatten().tolist()
        xor_out = xor(X).flatten().tolist()
    print("threshold network th(th(x1 + x2 - 1.5) + th(-x1 - x2 + 0.5) - 0.5):")
    print(" x1 x2 | h1 h2 | notes' net (equivalence) | XOR = th(-h1 - h2 + 0.5)")
    for (x1, x2), (h1, h2), e, x in zip(X.tolist(), hidden.tolist(), eq_out, xor_out):
        print(f"  {x1:.0f}  {x2:.0f} |  {h1:.0f}  {h2:.0f} |"
              f" th({h1:.0f} + {h2:.0f} - 0.5) = {e:.0f}             | {x:.0f}")
    smooth = {}
    print("sigma_c in place of th, XOR outputs at the four corners:")
    for c in (1, 5, 20):
        with torch.no_grad():
            out = ThresholdNet(out_weights=(-1.0, -1.0), out_bias=0.5, c=c)(X).flatten()
        smooth[c] = out.tolist()
        print(f"  c = {c:2d}: " + "  ".join(f"{v:.4f}" for v in smooth[c]))
    return {"hidden": hidden.tolist(), "equivalence": eq_out, "xor": xor_out, "smooth": smooth}


def make_mlp(seed=0):
    """The 2 -> 4 -> 1 MLP with Tanh hidden units, seeded initial weights."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))


def train_mlp(model, epochs=300, lr=0.1):
    """Train the MLP on XOR with BCEWithLogitsLoss and Adam; returns every epoch's loss."""
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        loss = criterion(model(X), Y_XOR)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if epoch % 50 == 0 or epoch == epochs - 1:
            print(f"  epoch {epoch:3d}  loss {loss.item():.4f}")
    return losses


def plot(model, threshold_xor, out_dir):
    """Decision surfaces of the threshold network and the trained MLP, side by side."""
    fig = new_figure(figsize=(9, 4))
    if fig is None:
        return None
    grid = np.linspace(-0.5, 1.5, 201)
    gx, gy = np.meshgrid(grid, grid)
    points = torch.tensor(np.stack([gx.ravel(), gy.ravel()], axis=1), dtype=torch.float32)
    with torch.no_grad():
        surfaces = [threshold_xor(points), torch.sigmoid(model(points))]
    titles = ["threshold network (hand-set)", "trained 2-4-1 MLP: P(class 1)"]
    for i, (surface, title) in enumerate(zip(surfaces, titles)):
        ax = fig.add_subplot(1, 2, i + 1)
        cs = ax.contourf(gx, gy, surface.reshape(201, 201).numpy(),
                         levels=20, cmap="RdBu_r", vmin=0, vmax=1)
        ax.contour(gx, gy, surface.reshape(201, 201).numpy(), levels=[0.5],
                   colors="k")
        ax.scatter([0, 1], [1, 0], c="red", edgecolors="k", s=80, label="XOR = 1")
        ax.scatter([0, 1], [0, 1], c="blue", edgecolors="k", s=80, label="XOR = 0")
        ax.set_title(title)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.legend(loc="center", fontsize=8)
        fig.colorbar(cs, ax=ax)
    fig.tight_layout()
    return save_png(fig, out_dir, "xor_networks.png")


def main(out_dir="."):
    """Run the threshold network, train the MLP, print its accuracy and save the plot."""
    result = threshold_part()
    print("\nMLP 2 -> 4 -> 1 (Tanh), BCEWithLogitsLoss, Adam lr = 0.1:")
    model = make_mlp()
    losses = train_mlp(model)
    with torch.no_grad():
        prob = torch.sigmoid(model(X))
    pred = (prob > 0.5).float()
    accuracy = (pred == Y_XOR).float().mean().item()
    for (a, b), p, k in zip(X.tolist(), prob.flatten().tolist(), pred.flatten().tolist()):
        print(f"  {a:.0f} xor {b:.0f} -> {p:.4f} ({k:.0f})")
    print(f"accuracy: {accuracy:.0%}")
    png = plot(model, ThresholdNet(out_weights=(-1.0, -1.0), out_bias=0.5), out_dir)
    result.update(mlp_losses=losses, mlp_prob=prob.flatten().tolist(), accuracy=accuracy,
                  png=png)
    return result


if __name__ == "__main__":
    main()
