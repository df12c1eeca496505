"""A linear classifier's weights as class templates (001 "Внутриклассовая вариативность", 003).

The notes describe a linear classifier as one weight vector per class: the class whose weights
give the largest weighted sum wins, so each weight vector becomes a "template" of its class,
and one template per class is the model's limit. Here softmax regression, ``nn.Linear(64, 10)``
trained with CrossEntropyLoss, learns scikit-learn's bundled 8x8 digits (1797 images, a
stand-in for the notes' datasets, which cannot be downloaded here). The script prints the test
accuracy and, per class, how well the template matches that class's mean image (correlation
of the weights with the class mean minus the overall mean), and saves the ten weight vectors,
reshaped to 8x8, as linear_templates.png: each one looks like a blurred digit with the
strokes of the other classes subtracted.

Run: python examples/linear_templates.py   (needs scikit-learn: pip install scikit-learn)
"""

import numpy as np

import luchina as torch
from luchina import nn

try:
    from _figures import new_figure, save_png
except ImportError:  # imported as examples.linear_templates
    from examples._figures import new_figure, save_png


def load_digits_split(test_size=0.25, seed=0):
    """scikit-learn's 8x8 digits scaled to [0, 1], split stratified into train and test."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as e:
        raise ImportError("linear_templates needs scikit-learn for its bundled digits: "
                          "pip install scikit-learn") from e
    digits = load_digits()
    x = digits.data.astype(np.float32) / 16.0
    return train_test_split(x, digits.target, test_size=test_size, random_state=seed,
                            stratify=digits.target)


def train(model, x, y, epochs=150, lr=0.1, weight_decay=1e-3):
    """Full-batch Adam on CrossEntropyLoss; returns the last loss."""
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    return loss.item()


def main(out_dir=".", seed=0):
    """Train softmax regression on the digits, print accuracy and template matches, save PNG."""
    x_train, x_test, y_train, y_test = load_digits_split()
    torch.manual_seed(seed)
    model = nn.Linear(64, 10)
    loss = train(model, torch.from_numpy(x_train), torch.from_numpy(y_train))
    with torch.no_grad():
        predicted = model(torch.from_numpy(x_test)).argmax(dim=1)
    accuracy = (predicted == torch.from_numpy(y_test)).float().mean().item()
    print(f"softmax regression on 8x8 digits: {len(x_train)} train / {len(x_test)} test images")
    print(f"final training loss {loss:.4f}, test accuracy {accuracy:.2%}")

    templates = model.weight.detach().numpy()  # (10, 64): one template per class
    overall = x_train.mean(axis=0)
    match = []
    for k in range(10):
        typical = x_train[y_train == k].mean(axis=0) - overall
        match.append(float(np.corrcoef(templates[k], typical)[0, 1]))
    print("correlation of each class's weights with its mean image (minus the overall mean):")
    print("  " + "  ".join(f"{k}: {c:.2f}" for k, c in enumerate(match)))

    png = None
    fig = new_figure(figsize=(10, 1.6))
    if fig is not None:
        for k in range(10):
            ax = fig.add_subplot(1, 10, k + 1)
            limit = np.abs(templates[k]).max()
            ax.imshow(templates[k].reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set_title(str(k))
            ax.axis("off")
        fig.suptitle(f"weights of nn.Linear(64, 10) as 8x8 templates "
                     f"(test accuracy {accuracy:.2%})")
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.72, wspace=0.1)
        png = save_png(fig, out_dir, "linear_templates.png")
    return {"accuracy": accuracy, "loss": loss, "match": match, "png": png}


if __name__ == "__main__":
    main()
