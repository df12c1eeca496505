"""Universal approximation (002): x^2 on [-2, 2] fitted by a ReLU net with 2, 4 and 8 neurons.

``QuadraticNet`` and its training loop (MSELoss, Adam lr = 0.1, 100 epochs, full batch of 100
points) are the notes' code, run with ``import luchina as torch``. A two-layer ReLU net is a
broken line with at most k kinks, so the error falls as the hidden layer widens; the script
prints each fit's mean squared error (and that of the best constant, 1.4798, for scale) and
saves the three fits over the target as universal_approximation.png, like the notes' figure
"Аппроксимация квадратичной зависимости ... 2, 4, 8". With only 100 epochs the result depends
on the initial weights: for some seeds a narrow net starts with a dead ReLU and stays at a
one-sided fit (k = 2 then ends near MSE 0.94); ``main(seed=...)`` shows it.

Run: python examples/universal_approximation.py
"""

import luchina as torch
import luchina.nn as nn
import luchina.optim as optim

try:
    from _figures import new_figure, save_png
except ImportError:  # imported as examples.universal_approximation
    from examples._figures import new_figure, save_png

# Генерация данных
x = torch.linspace(-2, 2, 100).view(-1, 1) # Входные данные (от -2 до 2)
y = x ** 2 # Целевые значения (y = x^2)


# Определение модели
class QuadraticNet(nn.Module):
    def __init__(self, k=2):
        super(QuadraticNet, self).__init__()  # noqa: UP008 (the notes write it so)
        self.fc1 = nn.Linear(1, k) # Первый полносвязный слой
        self.fc2 = nn.Linear(k, 1) # Выходной слой
        self.relu = nn.ReLU() # Функция активации ReLU

    def forward(self, x):
        x = self.relu(self.fc1(x)) # Применяем ReLU к первому слою
        x = self.fc2(x) # Выходной слой (без активации)
        return x


def train(model, num_epochs=100):
    """The notes' loop: MSELoss and Adam(lr=0.1) on the full batch; returns the final MSE."""
    criterion = nn.MSELoss() # Функция потерь (среднеквадратичная ошибка)
    optimizer = optim.Adam(model.parameters(), lr=0.1) # Оптимизатор Adam

    for epoch in range(num_epochs):  # noqa: B007 (the notes' code)
        # Прямой проход
        outputs = model(x)
        loss = criterion(outputs, y)

        # Обратный проход и оптимизация
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return criterion(model(x), y).item()


def main(out_dir=".", seed=3, widths=(2, 4, 8)):
    """Fit x^2 with each width, print the errors and save the three fits."""
    torch.manual_seed(seed)
    baseline = ((y - y.mean()) ** 2).mean().item()
    print(f"target y = x^2 on [-2, 2], 100 points; best constant fit: MSE = {baseline:.4f}")
    errors, models = {}, {}
    for k in widths:
        model = QuadraticNet(k=k)
        errors[k] = train(model)
        models[k] = model
        print(f"k = {k}: MSE = {errors[k]:.4f}")

    png = None
    fig = new_figure(figsize=(12, 3))
    if fig is not None:
        for i, k in enumerate(widths):
            ax = fig.add_subplot(1, len(widths), i + 1)
            ax.plot(x.numpy(), y.numpy(), "k--", label="true", lw=1)
            ax.plot(x.numpy(), models[k](x).detach().numpy(), label="predictions",
                    color="#000099", lw=2)
            ax.set_title(f"k = {k}, MSE = {errors[k]:.4f}")
            ax.set_xlabel("$x$")
            ax.set_ylabel("$y$")
            ax.legend()
        fig.tight_layout()
        png = save_png(fig, out_dir, "universal_approximation.png")
    return {"baseline": baseline, "errors": errors, "png": png}


if __name__ == "__main__":
    main()
