"""Vanishing gradients (002, "Проблема затухания градиента"): gradient norm per layer.

The notes explain that the sigmoid's derivative sigma(z)(1 - sigma(z)) is at most 0.25, so in a
deep sigmoid network the backward pass multiplies the gradient by small factors layer after
layer and the first layers barely learn; ReLU, whose derivative is 1 on half of its domain,
does not shrink it. Two 10-layer nets of width 64 with the same He-normal initial weights
(``nn.init.kaiming_normal_``) and the same batch differ only in the activation; after one
backward pass the script prints the norm of each Linear layer's weight gradient, first layer
to last, and the ratio first/last, and saves the two profiles as vanishing_gradients.png.

Run: python examples/vanishing_gradients.py
"""

import luchina as torch
from luchina import nn

try:
    from _figures import new_figure, save_png
except ImportError:  # imported as examples.vanishing_gradients
    from examples._figures import new_figure, save_png

DEPTH, WIDTH = 10, 64


def deep_net(activation, seed=0):
    """DEPTH Linear layers, each but the last followed by ``activation()``; He-normal weights."""
    torch.manual_seed(seed)
    layers = []
    for i in range(DEPTH):
        linear = nn.Linear(WIDTH, WIDTH if i < DEPTH - 1 else 1)
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < DEPTH - 1:
            layers.append(activation())
    return nn.Sequential(*layers)


def grad_norms(model, x, y):
    """One MSE backward pass; the weight-gradient norm of every Linear layer, first to last."""
    model.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    return [m.weight.grad.norm().item() for m in model if isinstance(m, nn.Linear)]


def main(out_dir="."):
    """Print the per-layer gradient norms of the sigmoid and ReLU nets and save the profiles."""
    torch.manual_seed(1)
    x = torch.randn(128, WIDTH)
    y = torch.randn(128, 1)
    norms = {name: grad_norms(deep_net(act), x, y)
             for name, act in (("sigmoid", nn.Sigmoid), ("relu", nn.ReLU))}
    print(f"{DEPTH} Linear layers of width {WIDTH}, He-normal init, MSE on a random batch")
    print("layer   |grad W| sigmoid   |grad W| ReLU")
    for i, (s, r) in enumerate(zip(norms["sigmoid"], norms["relu"]), 1):
        print(f"{i:5d}   {s:16.3e}   {r:13.3e}")
    ratios = {name: n[0] / n[-1] for name, n in norms.items()}
    print(f"first/last layer: sigmoid {ratios['sigmoid']:.1e}, ReLU {ratios['relu']:.1e}")

    png = None
    fig = new_figure(figsize=(6, 4))
    if fig is not None:
        ax = fig.add_subplot(1, 1, 1)
        layers = list(range(1, DEPTH + 1))
        ax.semilogy(layers, norms["sigmoid"], "o-", label="Sigmoid")
        ax.semilogy(layers, norms["relu"], "s-", label="ReLU")
        ax.set_xlabel("layer (1 = nearest the input)")
        ax.set_ylabel("weight gradient norm")
        ax.set_title("Gradient norm per layer")
        ax.legend()
        fig.tight_layout()
        png = save_png(fig, out_dir, "vanishing_gradients.png")
    return {"norms": norms, "ratios": ratios, "png": png}


if __name__ == "__main__":
    main()
