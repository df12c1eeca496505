"""Train a 2-4-1 MLP on XOR with plain luchina tensors and autograd (the notes' first network).

Run: python examples/xor.py
"""

import luchina as torch

torch.manual_seed(0)
X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])

# weights drawn small and random: starting from zeros would keep the hidden units identical
W1 = (torch.randn(2, 4) * 1.0).requires_grad_()
b1 = torch.zeros(4, requires_grad=True)
W2 = (torch.randn(4, 1) * 1.0).requires_grad_()
b2 = torch.zeros(1, requires_grad=True)
params = [W1, b1, W2, b2]
lr = 0.5

for epoch in range(2001):
    hidden = torch.tanh(X @ W1 + b1)
    p = torch.sigmoid(hidden @ W2 + b2)
    loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    for w in params:
        w.grad = None
    loss.backward()
    with torch.no_grad():
        for w in params:
            w -= lr * w.grad
    if epoch % 250 == 0:
        print(f"epoch {epoch:4d}  loss {loss.item():.4f}")

with torch.no_grad():
    p = torch.sigmoid(torch.tanh(X @ W1 + b1) @ W2 + b2)
print("predictions:")
for (a, b), prob in zip(X.tolist(), p.flatten().tolist()):
    print(f"  {int(a)} xor {int(b)} -> {prob:.3f}  ({round(prob)})")
