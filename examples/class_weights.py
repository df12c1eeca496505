"""Class weights in CrossEntropyLoss (001, "Веса классов"): the 14.0 / 22.4 example.

The notes' cells unchanged: first the plain cross-entropy of three 3-class logit rows next to
the same number computed by hand with NumPy; then a batch of two samples whose second one is
misclassified (logits [30, 2], true class 1). Without weights the loss is the mean of ~0 and
~28, "Loss = 14.00"; with ``weight=[0.2, 0.8]`` the mistake on the rarer class costs more and
the weighted mean gives "Loss = 22.40"; ``weight=[1.0, 4.0]`` gives the same 22.40, since only
the ratio of the weights matters (the weighted mean divides by the sum of the targets' weights).

Run: python examples/class_weights.py
"""

import numpy as np

import luchina as torch
from luchina import nn


def main(out_dir="."):
    """Run the notes' cross-entropy cells and return the printed losses."""
    criterion = nn.CrossEntropyLoss()

    # fmt: off
    model_output = torch.tensor([[2.4, 1.9, 7.3],
                                 [9.5, 2.7, 4.0],
                                 [5.7, 4.1, 0.2]])  # logits
    # fmt: on

    print(f"model_output:\n {model_output}")

    target = torch.tensor([2, 0, 1], dtype=torch.long)  # class labels
    print(f"target: {target}")

    loss_ce = criterion(model_output, target)
    print(f"loss_ce: {loss_ce}")

    ce_1 = -np.log(np.exp(7.3) / (np.exp(2.4) + np.exp(1.9) + np.exp(7.3)))
    ce_2 = -np.log(np.exp(9.5) / (np.exp(9.5) + np.exp(2.7) + np.exp(4.0)))
    ce_3 = -np.log(np.exp(4.1) / (np.exp(5.7) + np.exp(4.1) + np.exp(0.2)))

    ce = (1 / 3) * (ce_1 + ce_2 + ce_3)
    print(f"hand-calculated loss_ce: {ce}")

    # fmt: off
    # Scores for batch of two samples
    model_output = torch.tensor([[30.0, 2.0],
                                 [30.0, 2.0]])

    target = torch.tensor([0, 1])  # Second sample belongs to class 1
    # but logit for class 0 is greater: 30 > 2. So it was misclassified
    # fmt: on

    criterion = torch.nn.CrossEntropyLoss()
    loss = criterion(model_output, target)
    print(f"Loss = {loss.item():.2f}")
    unweighted = loss.item()

    weights = torch.tensor([0.2, 0.8])
    criterion = torch.nn.CrossEntropyLoss(weight=weights)
    loss = criterion(model_output, target)
    print(f"Loss = {loss.item():.2f}")
    weighted = loss.item()

    criterion = torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, 4.0]))
    loss = criterion(model_output, target)
    print(f"Loss = {loss.item():.2f}")
    weighted_1_4 = loss.item()

    return {"loss_ce": loss_ce.item(), "hand_ce": float(ce), "unweighted": unweighted,
            "weighted": weighted, "weighted_1_4": weighted_1_4}


if __name__ == "__main__":
    main()
