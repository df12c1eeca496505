"""The notes' homework (004): write a deep network in PyTorch and check its forward pass.

The 5 -> 10 -> 1 ``DeepNN`` (Linear, ReLU, Linear, Sigmoid) is the notes' code unchanged, run
with ``import luchina as torch``. One random input row goes through the network and the output
prints as a tensor carrying ``grad_fn=<SigmoidBackward0>``, as in the notes (whose numbers,
``tensor([[0.4682]], ...)``, came from an unseeded run; this script seeds luchina's generator,
so it prints its own but always the same numbers).

Run: python examples/deep_nn_forward.py
"""

import luchina as torch
import luchina.nn as nn


# Определение архитектуры сети
class DeepNN(nn.Module):
    def __init__(self):
        super(DeepNN, self).__init__()  # noqa: UP008 (the notes write it so)
        self.fc1 = nn.Linear(5, 10)
        self.fc2 = nn.Linear(10, 1)
        self.relu = nn.ReLU()
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        x = self.fc1(x)
        x = self.relu(x)
        x = self.fc2(x)
        x = self.sigmoid(x)
        return x


def main(out_dir=".", seed=0):
    """Build DeepNN, push one random row through it and print input and output as the notes do."""
    torch.manual_seed(seed)

    # Создание экземпляра
    net = DeepNN()

    # Создание случайных входных данных
    input_data = torch.randn(1, 5)
    print(f'input_data: {input_data}')

    # Прохождение данных через сеть
    output_data = net(input_data)

    # Вывод результата
    print(output_data)

    print(net)
    n_params = sum(p.numel() for p in net.parameters())
    print(f"parameters: {n_params}")
    return {
        "input": input_data.tolist(),
        "output": output_data.item(),
        "grad_fn": output_data.grad_fn.name(),
        "n_params": n_params,
        "state_dict": {k: v.detach().numpy().copy() for k, v in net.state_dict().items()},
    }


if __name__ == "__main__":
    main()
