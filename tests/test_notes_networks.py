"""The course notes' networks (/work/shared/seeds 001, 002, 004), cell by cell as the notes write
them, with ``import luchina as torch``: each cell runs in one shared namespace, as in a notebook.

Only unavailable data is replaced: MNIST -> random tensors of the same shape, RuTweetCorp -> a
small synthetic corpus of short texts with 0/1 labels (``tweet_frame``), plotting is dropped.
Where a cell prints, the same cell is also run with real torch 2.13 (its luchina imports
rewritten to torch ones) and the printed strings are compared.
"""

import contextlib
import io
import linecache
import random
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

import luchina

real_torch = pytest.importorskip("torch")

DOCS = Path(__file__).resolve().parents[1] / "docs" / "nn.md"


# -- running notebook cells ------------------------------------------------------------------------
def as_torch(src):
    """The cell with its luchina imports turned into the notes' torch imports."""
    return re.sub(r"^(\s*(?:import|from) )luchina\b", r"\1torch", src, flags=re.M)


def run(cells, lib="luchina", ns=None, name="cell"):
    """Exec ``cells`` (a string or a list of strings) one after another in one namespace, as a
    notebook does; return (namespace, printed text). ``lib='torch'`` runs them on real torch."""
    ns = {} if ns is None else ns
    buf = io.StringIO()
    for i, src in enumerate([cells] if isinstance(cells, str) else cells):
        src = textwrap.dedent(src)
        if lib == "torch":
            src = as_torch(src)
        fname = f"<notes {name}[{i}] {lib}>"
        linecache.cache[fname] = (len(src), None, src.splitlines(True), fname)
        with contextlib.redirect_stdout(buf):
            exec(compile(src, fname, "exec"), ns)
    return ns, buf.getvalue()


def to_torch_state(sd):
    return {k: real_torch.from_numpy(v.detach().numpy().copy()) for k, v in sd.items()}


def same_outputs(a, b):
    return np.array_equal(a.detach().numpy(), b.detach().numpy())


# == 004: the 5 -> 10 -> 1 DeepNN and its forward pass ============================================
DEEPNN = """
import luchina as torch
import luchina.nn as nn

# Определение архитектуры сети
class DeepNN(nn.Module):
    def __init__(self):
        super(DeepNN, self).__init__()
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

# Создание экземпляра
net = DeepNN()

# net.train()

# Создание случайных входных данных
input_data = torch.randn(1, 5)
print(f'input_data: {input_data}')

# Прохождение данных через сеть
output_data = net(input_data)

# Вывод результата
print(output_data)
"""


def test_deepnn_forward_pass_prints_like_torch():
    luchina.manual_seed(0)
    ns, out = run(DEEPNN, name="004 DeepNN")
    lines = out.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"input_data: tensor\(\[\[( ?-?\d\.\d{4},\s+){4} ?-?\d\.\d{4}\]\]\)",
                        lines[0])
    assert re.fullmatch(r"tensor\(\[\[0\.\d{4}\]\], grad_fn=<SigmoidBackward0>\)", lines[1])
    assert tuple(ns["output_data"].shape) == (1, 1)
    # the same cell on torch, with luchina's weights and input: identical printed lines
    tns, _ = run(DEEPNN, "torch", name="004 DeepNN")
    tns["net"].load_state_dict(to_torch_state(ns["net"].state_dict()))
    t_in = real_torch.from_numpy(ns["input_data"].numpy().copy())
    assert f"input_data: {t_in}" == lines[0]
    assert str(tns["net"](t_in)) == lines[1]
    assert str(ns["net"]) == str(tns["net"])


def test_deepnn_trained_state_dict_round_trip(tmp_path):
    luchina.manual_seed(1)
    ns, _ = run(DEEPNN, name="004 DeepNN")
    torch, net = luchina, ns["net"]
    x, y = torch.randn(64, 5), (torch.rand(64, 1) > 0.5).float()
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    losses = []
    for _ in range(30):
        loss = torch.nn.BCELoss()(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    path = tmp_path / "deepnn.pth"
    torch.save(net.state_dict(), path)
    fresh = ns["DeepNN"]()
    assert not same_outputs(fresh(x), net(x))
    fresh.load_state_dict(torch.load(path))
    assert same_outputs(fresh(x), net(x))


# == 002: a sigmoid neuron =========================================================================
SIGMOID_NEURON = """
import luchina as torch
import luchina.nn as nn

# Определяем класс нейрона
class SigmoidNeuron(nn.Module):
    def __init__(self, input_dim):
        super(SigmoidNeuron, self).__init__()
        # Линейный слой:  $y = wx + b$
        self.linear = nn.Linear(input_dim, 1)
        # Сигмоидная функция активации
        self.activation = nn.Sigmoid()

    def forward(self, x):
        # Применяем линейное преобразование
        z = self.linear(x)
        # Применяем сигмоидную активацию
        a = self.activation(z)
        return a

# Пример использования
input_dim = 3 # Размерность входного вектора
model = SigmoidNeuron(input_dim)

# Создаем случайный входной вектор (батч из 2 примеров)
x = torch.tensor([[0.5, 1.0, -0.5], [1.0, -1.0, 0.0]], dtype=torch.float32)

# Прямой проход через нейрон
output = model(x)
print("Входные векторы:\\n", x)
"""


def test_sigmoid_neuron():
    ns, out = run(SIGMOID_NEURON, name="002 SigmoidNeuron")
    assert out == ("Входные векторы:\n tensor([[ 0.5000,  1.0000, -0.5000],\n"
                   "        [ 1.0000, -1.0000,  0.0000]])\n")
    assert tuple(ns["output"].shape) == (2, 1)
    _, t_out = run(SIGMOID_NEURON, "torch", name="002 SigmoidNeuron")
    assert out == t_out


# == 002: fitting x^2 with k ReLU neurons ==========================================================
# The notes' cell lost its loop indentation in the PDF extraction (backward/step fell out of the
# loop); it is restored here, and the plotting lines are dropped.
QUADRATIC_SETUP = """
import luchina as torch
import luchina.nn as nn
import luchina.optim as optim
import numpy as np

# Генерация данных
x = torch.linspace(-2, 2, 100).view(-1, 1) # Входные данные (от -2 до 2)
y = x ** 2 # Целевые значения (y = x^2)

# Определение модели
class QuadraticNet(nn.Module):
    def __init__(self, k=2):
        super(QuadraticNet, self).__init__()
        self.fc1 = nn.Linear(1, k) # Первый полносвязный слой
        self.fc2 = nn.Linear(k, 1) # Выходной слой
        self.relu = nn.ReLU() # Функция активации ReLU

    def forward(self, x):
        x = self.relu(self.fc1(x)) # Применяем ReLU к первому слою
        x = self.fc2(x) # Выходной слой (без активации)
        return x

# Создание модели, функции потерь и оптимизатора
model = QuadraticNet(k=k)
criterion = nn.MSELoss() # Функция потерь (среднеквадратичная ошибка)
optimizer = optim.Adam(model.parameters(), lr=0.1) # Оптимизатор Adam
"""

QUADRATIC_TRAIN = """
# Обучение модели
num_epochs = 100

for epoch in range(num_epochs):
    # Прямой проход
    outputs = model(x)
    loss = criterion(outputs, y)

    # Обратный проход и оптимизация
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
"""


@pytest.mark.parametrize("k", [2, 4, 8])
def test_quadratic_fit_with_k_relu_neurons(k):
    luchina.manual_seed(k)
    ns, _ = run(QUADRATIC_SETUP, ns={"k": k}, name="002 QuadraticNet")
    start = ns["criterion"](ns["model"](ns["x"]), ns["y"]).item()
    init = to_torch_state(ns["model"].state_dict())
    run(QUADRATIC_TRAIN, ns=ns, name="002 QuadraticNet")
    final = ns["loss"].item()
    assert final < start
    assert final < 0.5 * start
    with luchina.no_grad():
        assert tuple(ns["model"](ns["x"]).numpy().shape) == (100, 1)
    # the same 100 Adam steps on torch from the same initial weights
    tns, _ = run(QUADRATIC_SETUP, "torch", ns={"k": k}, name="002 QuadraticNet")
    tns["model"].load_state_dict(init)
    run(QUADRATIC_TRAIN, "torch", ns=tns, name="002 QuadraticNet")
    assert final == pytest.approx(tns["loss"].item(), rel=1e-3, abs=1e-5)


# == 002: the 784-256-128-10 nets ==================================================================
SEQUENTIAL_NET = """
import luchina as torch
import luchina.nn as nn
import luchina.optim as optim

# Определение модели с помощью nn.Sequential
model = nn.Sequential(
    nn.Linear(784, 256), # Полносвязный слой с 784 входами и 256 выходами
    nn.Sigmoid(),        # Функция активации ReLU
    nn.Linear(256, 128), # Второй полносвязный слой
    nn.Sigmoid(),        # Функция активации ReLU
    nn.Linear(128, 10)   # Выходной слой для 10 классов
)

# Пример входных данных (батч из 32 примеров, каждый размером 784)
x = torch.randn(32, 784)

# Прямой проход через модель
output = model(x)
"""

MODULE_NET = """
import luchina as torch
import luchina.nn as nn

# Определение модели как подкласса nn.Module
class DeepNeuralNetwork(nn.Module):
    def __init__(self):
        super(DeepNeuralNetwork, self).__init__()
        self.fc1 = nn.Linear(784, 256) # Первый полносвязный слой
        self.fc2 = nn.Linear(256, 128)  # Второй полносвязный слой
        self.fc3 = nn.Linear(128, 10)   # Выходной слой
        self.sigmoid = nn.Sigmoid()     # Функция активации

    def forward(self, x):
        x = self.sigmoid(self.fc1(x))   # Применяем активацию к первому слою
        x = self.sigmoid(self.fc2(x))   # Применяем активацию ко второму слою
        x = self.fc3(x)                 # Выходной слой (без активации)
        return x

# Создание экземпляра модели
model = DeepNeuralNetwork()

# Пример входных данных (батч из 32 примеров, каждый размером 784)
x = torch.randn(32, 784)

# Прямой проход через модель
output = model(x)
"""

MODULELIST_NET = """
import luchina as torch
import luchina.nn as nn

# Определение модели с динамическим созданием слоев
class DeepNeuralNetwork(nn.Module):
    def __init__(self, layer_sizes):
        super(DeepNeuralNetwork, self).__init__()
        self.layers = nn.ModuleList()
        for i in range(len(layer_sizes) - 1):
            self.layers.append(nn.Linear(layer_sizes[i], layer_sizes[i + 1]))
            if i < len(layer_sizes) - 2: # Добавляем активацию, кроме последнего слоя
                self.layers.append(nn.Sigmoid())

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

# Создание экземпляра модели с заданной архитектурой
layer_sizes = [784, 256, 128, 10] # Архитектура сети
model = DeepNeuralNetwork(layer_sizes)

# Пример входных данных (батч из 32 примеров, каждый размером 784)
x = torch.randn(32, 784)

# Прямой проход через модель
output = model(x)
"""

MNIST_NETS = {"Sequential": SEQUENTIAL_NET, "Module": MODULE_NET, "ModuleList": MODULELIST_NET}


@pytest.mark.parametrize("kind", list(MNIST_NETS))
def test_784_256_128_10_nets(kind):
    luchina.manual_seed(3)
    ns, _ = run(MNIST_NETS[kind], name=f"002 {kind}")
    model, x = ns["model"], ns["x"]
    assert tuple(ns["output"].shape) == (32, 10)
    assert sum(p.numel() for p in model.parameters()) == 784 * 256 + 256 + 256 * 128 + 128 + 1290
    tns, _ = run(MNIST_NETS[kind], "torch", name=f"002 {kind}")
    assert str(model) == str(tns["model"])
    assert list(model.state_dict()) == list(tns["model"].state_dict())
    tns["model"].load_state_dict(to_torch_state(model.state_dict()))
    t_out = tns["model"](real_torch.from_numpy(x.numpy().copy()))
    np.testing.assert_allclose(ns["output"].detach().numpy(), t_out.detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    # and it trains: a few SGD steps on random "MNIST" batches (images -> random labels)
    torch, nn = luchina, luchina.nn
    labels = torch.randint(0, 10, (32,))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    criterion = nn.CrossEntropyLoss()
    losses = []
    for _ in range(20):
        loss = criterion(model(x), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


# == 002: custom loss and activation modules =======================================================
# `return mse_loss` fell out of the method in the PDF extraction; restored.
CUSTOM_MSE = """
import luchina as torch
import luchina.nn as nn

class CustomMSELoss(nn.Module):
    \"\"\"
    Пользовательская функция потерь: среднеквадратичная ошибка (MSE)
    \"\"\"
    def __init__(self, l2_lambda=0.01):
        super(CustomMSELoss, self).__init__()

    def forward(self, predictions, targets):
        # Вычисляем среднеквадратичную ошибку (MSE)
        mse_loss = torch.mean((predictions - targets) ** 2)
        return mse_loss
"""

CUSTOM_MSE_USE = """
import luchina as torch
import luchina.nn as nn

# Определение модели
model = nn.Sequential(
    nn.Linear(100, 10),
    nn.Sigmoid(),
    nn.Linear(10, 1)
)

# Пример входных данных (батч из 32 примеров)
x = torch.randn(32, 100)
y = torch.randn(32, 1)

# Прямой проход через модель
output = model(x)

# Создаём экземпляр пользовательской функции потерь
criterion = CustomMSELoss()

# Вычисление функции потерь
loss = criterion(output, y)
"""


def test_custom_mse_loss():
    luchina.manual_seed(4)
    ns, _ = run([CUSTOM_MSE, CUSTOM_MSE_USE], name="002 CustomMSELoss")
    loss, model = ns["loss"], ns["model"]
    assert loss.shape == ()
    ref = luchina.nn.MSELoss()(ns["output"], ns["y"])
    assert loss.item() == pytest.approx(ref.item(), rel=1e-6)
    loss.backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())
    # same value and gradients as torch from the same weights and data
    tns, _ = run([CUSTOM_MSE, CUSTOM_MSE_USE], "torch", name="002 CustomMSELoss")
    tns["model"].load_state_dict(to_torch_state(model.state_dict()))
    t_loss = tns["criterion"](tns["model"](real_torch.from_numpy(ns["x"].numpy().copy())),
                              real_torch.from_numpy(ns["y"].numpy().copy()))
    t_loss.backward()
    assert loss.item() == pytest.approx(t_loss.item(), rel=1e-5)
    for p, tp in zip(model.parameters(), tns["model"].parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-6)
    assert str(ns["criterion"]) == str(tns["criterion"]) == "CustomMSELoss()"


CUSTOM_ELU = """
import luchina as torch
import luchina.nn as nn

# Реализация ELU
class ELU(nn.Module):
    def __init__(self, alpha=1.0):
        super(ELU, self).__init__()
        self.alpha = alpha

    def forward(self, x):
        # Применяем ELU к каждому элементу тензора
        return torch.where(x > 0, x, self.alpha * (torch.exp(x) - 1))

# Пример использования
elu = ELU(alpha=1.0)
input_tensor = torch.tensor([-1.0, 0.0, 1.0, 2.0])

output_tensor = elu(input_tensor)
print(output_tensor)
"""


def test_custom_elu_module():
    ns, out = run(CUSTOM_ELU, name="002 ELU")
    assert out == "tensor([-0.6321,  0.0000,  1.0000,  2.0000])\n"  # as printed in the notes
    assert out == run(CUSTOM_ELU, "torch", name="002 ELU")[1]
    x = luchina.linspace(-3, 3, 13, requires_grad=True)
    ours, builtin = ns["elu"](x), luchina.nn.ELU()(x)
    np.testing.assert_allclose(ours.detach().numpy(), builtin.detach().numpy(), rtol=1e-6)
    ours.sum().backward()
    assert x.grad is not None and tuple(x.grad.shape) == (13,)


# == 001: the tweet classifier =====================================================================
POS = "хорошо отлично люблю рад класс супер ура спасибо good love happy great".split()
NEG = "плохо ужасно грустно устал бесит жаль нет болит bad sad hate awful".split()
NEUTRAL = "я ты мы сегодня день утро вечер опять это и все the a".split()


class _Str:
    def __init__(self, col):
        self.col = col

    def split(self):
        return _Column([s.split() for s in self.col.values])


class _Column:
    """The corner of pandas.Series that the notes use: .values, .str.split(), iteration, [:n]."""

    def __init__(self, items):
        self.values = np.empty(len(items), dtype=object)
        self.values[:] = list(items)
        if all(isinstance(v, (int, np.integer)) for v in items):
            self.values = self.values.astype(np.int64)

    def __iter__(self):
        return iter(self.values)

    def __getitem__(self, index):
        return _Column(self.values[index]) if isinstance(index, slice) else self.values[index]

    @property
    def str(self):
        return _Str(self)


class _Frame:
    """A stand-in for the notes' pandas DataFrame of RuTweetCorp (pandas is not installed)."""

    def __init__(self, **cols):
        self.cols = {k: _Column(v) for k, v in cols.items()}

    def __getitem__(self, name):
        return self.cols[name]

    def __setitem__(self, name, col):
        self.cols[name] = col

    def __getattr__(self, name):
        if name == "cols":
            raise AttributeError(name)
        return self.cols[name]

    def __len__(self):
        return len(next(iter(self.cols.values())).values)

    @property
    def shape(self):
        return (len(self), len(self.cols))


def tweet_frame(n=10000, seed=0):
    """Short texts: 1-3 sentiment words among 2-5 neutral ones; tone 1 if the sentiment words
    are positive. Every word appears well over 10 times, so all of them enter word2id."""
    r = random.Random(seed)
    texts, tones = [], []
    for _ in range(n):
        tone = r.randint(0, 1)
        words = r.choices(POS if tone else NEG, k=r.randint(1, 3)) + \
            r.choices(NEUTRAL, k=r.randint(2, 5))
        r.shuffle(words)
        texts.append(" ".join(words))
        tones.append(tone)
    return _Frame(text=list(texts), preprocessed=list(texts), tone=tones)


TWEET_CELLS = [
    """
df['preprocessed'] = df['preprocessed'].str.split()
""", """
from collections import Counter

vocabulary = Counter()
for text in df['preprocessed']:
    vocabulary.update(text)
print(f'Total unique tokens: {len(vocabulary)}\\n')

word2id = {'PAD':0}
for word in vocabulary:
    if vocabulary[word] > 10:
        word2id[word] = len(word2id)
print(f'Mapping word2id dictionary: {word2id}\\n')

id2word = {i:word for word,i in word2id.items()}
print(f'Mapping id2word dictionary: {id2word}\\n')

print(f'Unique tokens that appeared more than 10 times: {len(word2id)}')
""", """
import luchina as torch
from luchina.nn.utils.rnn import pad_sequence

X = []
for tokens in df.preprocessed[:3]:
    ids = torch.LongTensor([word2id[token] for token in tokens if token in word2id])
    X.append(ids)
X = pad_sequence(X, batch_first=True)

print("Sentence 1 in batch")
print(f"Padded sequence of indexes: {X[0]}")
print(f"Padded sequense of tokens: {[id2word[int(_)] for _ in X[0]]}\\n")
print("Sentence 2 in batch")
print(f"Padded sequence of indexes: {X[1]}")
print(f"Padded sequense of tokens: {[id2word[int(_)] for _ in X[1]]}\\n")
print("Sentence 3 in batch")
print(f"Padded sequence of indexes: {X[2]}")
print(f"Padded sequense of tokens: {[id2word[int(_)] for _ in X[2]]}")
""", """
from luchina.utils.data import Dataset

class ToneDataset(Dataset):

    def __init__(self, dataset, word2id):
        self.dataset = dataset['preprocessed'].values
        self.word2id = word2id
        self.length = dataset.shape[0]
        self.target = dataset['tone'].values

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        tokens = self.dataset[index]
        ids = torch.LongTensor([self.word2id[token] for token in tokens if token in self.word2id])
        y = [self.target[index]]
        return ids, y

    def collate_fn(self, batch):
        ids, y = list(zip(*batch))
        padded_ids = pad_sequence(ids, batch_first=True)
        y = torch.Tensor(y)
        return padded_ids, y
""", """
dataset = ToneDataset(df, word2id)
""", """
import luchina as torch
import random
import numpy as np


def set_random_seed(seed):
    torch.manual_seed(seed)
    torch.cuda.manual_seed(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    np.random.seed(seed)
    random.seed(seed)


set_random_seed(42)
""", """
from luchina.utils.data import random_split

lengths = [int(len(df)*0.8), int(len(df)*0.1), int(len(df)*0.1)]
train_dataset, val_dataset, test_dataset = random_split(dataset, lengths=lengths)
print(f'Train dataset length:      {len(train_dataset)}')
print(f'Validation dataset length: {len(val_dataset)}')
print(f'Test dataset length:       {len(test_dataset)}')
""", """
from luchina.utils.data import DataLoader

train_dataloader = DataLoader(train_dataset,
                              collate_fn = dataset.collate_fn,
                              batch_size=3,
                              shuffle=True)
val_dataloader = DataLoader(val_dataset,
                            collate_fn = dataset.collate_fn,
                            batch_size=3,
                            shuffle=False)
test_dataloader = DataLoader(test_dataset,
                             collate_fn = dataset.collate_fn,
                             batch_size=3,
                             shuffle=False)
""", """
# get one next batch

batch, y = next(iter(train_dataloader))

print(f"Batch size: {batch.size()[0]}\\n")
print(f"Texts in batch:\\n{batch}")
print(f"Size of text matrix: {batch.size()} : [batch_size, num_tokens]\\n")
print(f"Targets in batch:\\n{y}")
print(f"Size of target vector: {y.size()} : [batch_size, num_targets]\\n")
""", """
device = "cuda" if torch.cuda.is_available() else "cpu"
print(f"Using {device} device")
""", """
from luchina import nn

class NeuralNetwork(nn.Module):

    def __init__(self, vocab_size, embedding_dim):

        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.embedding2hidden = nn.Linear(embedding_dim, 10)
        self.act1 = nn.ReLU()
        self.dropout = nn.Dropout(p=0.5)
        self.hidden2out = nn.Linear(10, 1)
        self.act2 = nn.Sigmoid()

    def forward(self, text): # seq_len
        embedded = self.embedding(text) # seq_len x embedding_dim
        mean_emb = torch.mean(embedded, dim=1) # embedding_dim
        hidden = self.embedding2hidden(mean_emb) # 10
        hidden = self.act1(hidden) # 10
        hidden = self.dropout(hidden) # 10
        out = self.hidden2out(hidden) # 1
        proba = self.act2(out) # 1
        return proba
""", """
vocab_size = len(word2id)
embedding_dim = 5
model = NeuralNetwork(vocab_size, embedding_dim).to(device)
print(model)
""", """
batch, y = next(iter(train_dataloader))
batch, y = batch.to(device), y.to(device)

output = model(batch)

print(f"Size of text matrix:   {batch.size()} : [batch_size, num_tokens]")
print(f"Size of target vector: {y.size()} : [batch_size, num_targets]")
print(f"Size of output vector: {output.size()} : [batch_size, num_predictions]")
print(f"Output:\\n{output}")
""", """
embedding = nn.Embedding(vocab_size, embedding_dim)
print(f"Embedding layer size: {embedding.weight.shape}: [vocab_size, embedding_dim]\\n")
print(f"Embedding layer weights:\\n{embedding.weight.data}")
""", """
print(f"Text matrix in batch:\\n{batch}")
print(f"Size of text matrix : {batch.size()} : [batch_size, num_tokens]")
""", """
embedded = embedding(batch)
print(f"Size of text matrix after embedding layer:        {embedded.shape} : [batch_size, num_tokens, embedding_dim]")
print(f"Size of embedded input for 1st sentence in batch: {embedded[0,:,:].shape}    : [num_tokens, embedding_dim]")
print(f"Embedded input for 1st sentence in batch:\\n{embedded[0,:,:]}")
""",  # noqa: E501 (the notes' long lines, kept)
    """
mean_emb = torch.mean(embedded, dim=1)
print(f"Size of text matrix after averaging: {mean_emb.shape} : [batch_size, num_tokens]")
print(f"Mean embedded input:\\n{mean_emb}")
""", """
embedding2hidden = nn.Linear(embedding_dim, 10)
hidden = embedding2hidden(mean_emb)
print(f"Input size:         {mean_emb.size()} : [batch_size, num_tokens]")
print(f"Size after Linear:  {hidden.size()}: [batch_size, out_features]")
""", """
print(f"Size of linear layer weights: {embedding2hidden.weight.size()}")
print(f"Type of linear layer weights: {type(embedding2hidden.weight)}")

print(f"\\nSize of linear layer biases: {embedding2hidden.bias.size()}")
print(f"Type of linear layer biases: {type(embedding2hidden.bias)}")
""", """
act1 = nn.ReLU()(hidden)

print(f"Vector for 1st sentence before ReLU:\\n{hidden[0,:]}\\n")
print(f"Vector for 1st sentence after ReLU:\\n{act1[0,:]}\\n")
print(f"Size before ReLU:  {hidden.size()} : [batch_size, num_features]")
print(f"Size after ReLU:   {act1.size()} : [batch_size, num_features]")
""", """
dropout = nn.Dropout(p=0.5)(act1)
print(f"Vector for 1st sentence before Dropout:\\n{act1[0,:]}\\n")
print(f"Vector for 1st sentence after Dropout:\\n{dropout[0,:]}\\n")
print(f"Size before Dropout:  {act1.size()} : [batch_size, num_features]")
print(f"Size after Dropout:   {dropout.size()} : [batch_size, num_features]")
""", """
hidden2out = nn.Linear(10, 1)
logits = hidden2out(dropout)
print(f"Input size:         {dropout.size()} : [batch_size, in_features]")
print(f"Size after Linear:  {logits.size()}:   [batch_size, out_features]")
""", """
act2 = nn.Sigmoid()

pred_probab = act2(logits)

print(f"Logits:\\n{logits}\\n")
print(f"Predicted probabilities:\\n{pred_probab}\\n")
print(f"Size before Sigmoid: {logits.size()} : [batch_size, num_predictions]")
print(f"Size after Sigmoid:  {pred_probab.size()} : [batch_size, num_predictions]")
""", """
print(f"Model structure: {model}\\n")

for name, param in model.named_parameters():
    print(
        f"Layer: {name:23}  Requires grad: {param.requires_grad}  Size: {param.size()}"
    )
""", """
num_epochs = 15
batch_size = 256
learning_rate = 0.001
""", """
train_dataloader = DataLoader(train_dataset,
                              collate_fn=dataset.collate_fn,
                              batch_size=batch_size,
                              shuffle=True)
val_dataloader = DataLoader(val_dataset,
                            collate_fn=dataset.collate_fn,
                            batch_size=batch_size,
                            shuffle=False)
test_dataloader = DataLoader(test_dataset,
                             collate_fn=dataset.collate_fn,
                             batch_size=batch_size,
                             shuffle=False)
""", """
# Initialize the loss function
criterion = nn.BCELoss()
""", """
model = NeuralNetwork(vocab_size, embedding_dim).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
""", """
def train_loop(dataloader, model, criterion, optimizer):

    num_batches = len(dataloader)
    train_loss = 0
    model.train()

    for texts, labels in dataloader:
        # Compute prediction and loss
        pred = model(texts.to(device))
        loss = criterion(pred, labels.to(device))

        # Optimization
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        train_loss += loss.detach().item()

    train_loss /= num_batches
    print(f"Train loss: {train_loss:>8f}")

    return train_loss


def val_loop(dataloader, model, criterion):

    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    val_loss, correct = 0, 0
    model.eval()

    with torch.no_grad():
        for texts, labels in dataloader:
            # Compute prediction and loss
            pred = model(texts.to(device))
            loss = criterion(pred, labels.to(device))

            val_loss += loss.item()
            correct += ((pred>0.5).int() == labels.to(device)).sum().item()

    val_loss /= num_batches
    accuracy = correct / size
    print(f"Val loss: {val_loss:>8f}, val accuracy: {(100*accuracy):>0.1f}% \\n")

    return val_loss
""", """
# for plotting
loss_history = {"train": [], "val": []}

for i in range(num_epochs):
    print(f"Epoch {i+1}")
    train_loss = train_loop(train_dataloader, model, criterion, optimizer)
    val_loss = val_loop(val_dataloader, model, criterion)

    loss_history["train"].append(train_loss)
    loss_history["val"].append(val_loss)
print("Done!")
""", """
torch.save(model.state_dict(), "model_weights.pth")
""", """
model = NeuralNetwork(vocab_size, embedding_dim)
model.load_state_dict(torch.load("model_weights.pth"))
model.to(device)
print(model)
""", """
size = len(test_dataloader.dataset)
val_loss, correct = 0, 0
model.eval()

with torch.no_grad():
    for texts, labels in test_dataloader:
        # Compute prediction
        pred = model(texts.to(device))
        correct += ((pred>0.5).int() == labels.to(device)).sum().item()

    accuracy = correct / size
    print(f"Test accuracy: {(100*accuracy):>0.1f}%")
""",
]

# indexes of cells in TWEET_CELLS, for the assertions below
_SPLIT, _FIRST_BATCH, _MODEL_PRINT, _LAYERS, _NAMED_PARAMS, _TRAINING = 6, 8, 11, 13, 23, 29


def run_tweets(lib, cwd, monkeypatch, upto=None):
    monkeypatch.chdir(cwd)
    outs, ns = [], {"df": tweet_frame()}
    for i, cell in enumerate(TWEET_CELLS[:upto]):
        ns, out = run(cell, lib, ns=ns, name=f"001 tweets {i}")
        outs.append(out)
        if i == _TRAINING:
            ns["trained_model"] = ns["model"]  # the next cells rebind `model` to a reloaded one
    ns["weights_file"] = Path(cwd) / "model_weights.pth"
    return ns, outs


@pytest.fixture(scope="module")
def tweets(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        lu = run_tweets("luchina", tmp_path_factory.mktemp("lu"), mp)
        to = run_tweets("torch", tmp_path_factory.mktemp("to"), mp, upto=_NAMED_PARAMS + 1)
    return lu, to


def test_tweet_classifier_data_pipeline(tweets):
    (ns, outs), (_, t_outs) = tweets
    # vocabulary, word2id and padding do not depend on the library
    assert outs[1] == t_outs[1]
    assert "Padded sequence of indexes: tensor([" in outs[2]
    assert outs[2] == t_outs[2]
    assert outs[_SPLIT] == ("Train dataset length:      8000\nValidation dataset length: 1000\n"
                            "Test dataset length:       1000\n")
    batch, y = ns["batch"], ns["y"]
    assert batch.dtype == luchina.int64 and tuple(batch.shape)[0] == 3
    assert y.dtype == luchina.float32 and tuple(y.shape) == (3, 1)
    first = outs[_FIRST_BATCH]
    assert first.startswith("Batch size: 3\n\nTexts in batch:\ntensor([[")
    assert re.search(r"Size of text matrix: torch.Size\(\[3, \d+\]\) :", first)
    assert "Size of target vector: torch.Size([3, 1]) :" in first
    # the three splits partition the data set
    seen = sorted(list(ns["train_dataset"].indices) + list(ns["val_dataset"].indices)
                  + list(ns["test_dataset"].indices))
    assert seen == list(range(10000))


def test_tweet_classifier_prints_model_like_torch(tweets):
    (_, outs), (_, t_outs) = tweets
    assert outs[_MODEL_PRINT] == t_outs[_MODEL_PRINT]
    assert outs[_MODEL_PRINT].startswith("NeuralNetwork(\n  (embedding): Embedding(")
    assert outs[_NAMED_PARAMS] == t_outs[_NAMED_PARAMS]
    assert "Layer: embedding.weight         Requires grad: True  Size: torch.Size([" \
        in outs[_NAMED_PARAMS]
    out = outs[_MODEL_PRINT + 1]
    assert "Size of output vector: torch.Size([3, 1]) : [batch_size, num_predictions]" in out
    assert re.search(r"Output:\ntensor\(\[\[0\.\d{4}\],\n +\[0\.\d{4}\],\n +\[0\.\d{4}\]\], "
                     r"grad_fn=<SigmoidBackward0>\)", out)


def test_tweet_classifier_trains(tweets):
    (ns, outs), _ = tweets
    history = ns["loss_history"]
    assert len(history["train"]) == len(history["val"]) == 15
    assert history["train"][-1] < history["train"][0] - 0.05
    assert history["val"][-1] < history["val"][0] - 0.05
    assert outs[_TRAINING].startswith("Epoch 1\nTrain loss: 0.")
    assert outs[_TRAINING].endswith("Done!\n")
    assert re.search(r"Val loss: \d\.\d{6}, val accuracy: \d+\.\d% \n", outs[_TRAINING])
    assert re.fullmatch(r"Test accuracy: \d+\.\d%\n", outs[-1])
    accuracy = float(outs[-1].split()[-1].rstrip("%"))
    assert accuracy > 80.0


def test_tweet_classifier_save_load_state_dict(tweets, tmp_path):
    (ns, outs), (_, t_outs) = tweets
    torch = luchina
    # the reloaded model printed as after construction
    assert outs[-2] == t_outs[_MODEL_PRINT]
    model, trained = ns["model"], ns["trained_model"]  # reloaded from the file / trained
    assert model is not trained
    batch = ns["batch"]
    model.eval()
    trained.eval()
    with torch.no_grad():
        assert same_outputs(model(batch), trained(batch))
    assert set(torch.load(ns["weights_file"])) == set(trained.state_dict())
    path = tmp_path / "again.pth"
    torch.save(model.state_dict(), path)
    fresh = ns["NeuralNetwork"](ns["vocab_size"], ns["embedding_dim"]).eval()
    with torch.no_grad():
        assert not same_outputs(fresh(batch), model(batch))
    result = fresh.load_state_dict(torch.load(path))
    assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
    with torch.no_grad():
        assert same_outputs(fresh(batch), model(batch))


def train_epochs(ns, model, optimizer, epochs):
    """The notes' epoch loop, reseeded per epoch so that shuffling and dropout of epoch i do not
    depend on what ran before (a fresh process resuming from a checkpoint)."""
    torch = luchina
    history = []
    with contextlib.redirect_stdout(io.StringIO()):
        for epoch in epochs:
            ns["set_random_seed"](1000 + epoch)
            loader = torch.utils.data.DataLoader(ns["train_dataset"], batch_size=64,
                                                 collate_fn=ns["dataset"].collate_fn,
                                                 shuffle=True)
            history.append(ns["train_loop"](loader, model, ns["criterion"], optimizer))
    return history


def test_tweet_classifier_checkpoint_resumes_training(tweets, tmp_path):
    (ns, _), _ = tweets
    torch = luchina
    NeuralNetwork, vocab_size, embedding_dim = ns["NeuralNetwork"], ns["vocab_size"], 5

    def fresh(seed):
        torch.manual_seed(seed)
        model = NeuralNetwork(vocab_size, embedding_dim)
        return model, torch.optim.Adam(model.parameters(), lr=0.01)

    # uninterrupted: 4 epochs
    model, optimizer = fresh(7)
    full = train_epochs(ns, model, optimizer, range(4))
    # interrupted after 2 epochs, saved as the notes save a general checkpoint
    model2, optimizer2 = fresh(7)
    part = train_epochs(ns, model2, optimizer2, range(2))
    assert part == full[:2]
    PATH = tmp_path / "checkpoint.pth"
    torch.save({
        'epoch': 2,
        'model_state_dict': model2.state_dict(),
        'optimizer_state_dict': optimizer2.state_dict(),
        'loss': part[-1],
        'loss_history': {"train": part, "val": []},
    }, PATH)
    del model2, optimizer2
    # a fresh model and optimizer (other initial weights) resume from the file
    model3, optimizer3 = fresh(99)
    checkpoint = torch.load(PATH)
    assert set(checkpoint) == {'epoch', 'model_state_dict', 'optimizer_state_dict', 'loss',
                               'loss_history'}
    model3.load_state_dict(checkpoint['model_state_dict'])
    optimizer3.load_state_dict(checkpoint['optimizer_state_dict'])
    epoch, loss = checkpoint['epoch'], checkpoint['loss']
    assert epoch == 2 and loss == part[-1]
    rest = train_epochs(ns, model3, optimizer3, range(epoch, 4))
    assert part + rest == full
    for (name, p), (_, q) in zip(model.named_parameters(), model3.named_parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy()), name
    for a, b in zip(optimizer.state.values(), optimizer3.state.values()):
        for key in a:
            assert np.array_equal(np.asarray(a[key]), np.asarray(b[key])), key


# == 001: WeightedRandomSampler snippet ============================================================
WEIGHTED_SAMPLER = """
_, classes_counts = torch.unique(y, return_counts=True)  # y — tensor of labels in train set
weights_for_classes = classes_counts.max() / classes_counts
""", """
from luchina.utils.data import WeightedRandomSampler

weight_for_every_sample = []  # Every sample must have a weight
for label in y:
    weight_for_every_sample.append(weights_for_classes[label].item())

sampler = WeightedRandomSampler(torch.tensor(weight_for_every_sample), len(dataset))
dataloader = DataLoader(dataset, batch_size=batch_size, sampler=sampler)
"""


def test_weighted_random_sampler_balances_classes():
    torch = luchina
    from luchina.utils.data import DataLoader, TensorDataset
    torch.manual_seed(5)
    y = torch.cat([torch.zeros(900, dtype=torch.long), torch.ones(100, dtype=torch.long)])
    dataset = TensorDataset(torch.randn(1000, 3), y)
    ns = {"torch": torch, "y": y, "dataset": dataset, "DataLoader": DataLoader,
          "batch_size": 100}
    ns, _ = run(list(WEIGHTED_SAMPLER), ns=ns, name="001 WeightedRandomSampler")
    assert ns["weights_for_classes"].tolist() == pytest.approx([1.0, 9.0])
    drawn = torch.cat([labels for _, labels in ns["dataloader"]])
    assert tuple(drawn.shape) == (1000,)
    assert 0.4 < drawn.float().mean().item() < 0.6


# == docs/nn.md: the Maxout example ===============================================================
def doc_snippet(marker):
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    found = [b for b in blocks if marker in b]
    assert len(found) == 1, f"docs/nn.md should hold one python block with {marker!r}"
    return found[0]


def test_docs_maxout_example_runs():
    ns, out = run(doc_snippet("class Maxout"), name="docs/nn.md Maxout")
    maxout = ns["Maxout"](4, 3)
    x = luchina.randn(5, 4, requires_grad=True)
    expected = luchina.maximum(maxout.w(x), maxout.v(x))
    assert same_outputs(maxout(x), expected)
    maxout(x).sum().backward()
    assert tuple(x.grad.shape) == (5, 4)
    assert out  # the snippet prints its result


def test_docs_torch_to_luchina_conversion_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    t_model = real_torch.nn.Linear(3, 2)
    real_torch.save(t_model.state_dict(), "model_weights.pth")
    with pytest.raises(RuntimeError, match="PyTorch checkpoint"):
        luchina.load("model_weights.pth")
    model = luchina.nn.Linear(3, 2)
    run(doc_snippet("np.savez"), ns={"model": model}, name="docs/nn.md conversion")
    for k, v in t_model.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[k].numpy(), v.numpy())
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(model(luchina.from_numpy(x)).detach().numpy(),
                               t_model(real_torch.from_numpy(x)).detach().numpy(), rtol=1e-6,
                               atol=1e-6)


def test_tweet_classifier_layer_by_layer_cells(tweets):
    (_, outs), (_, t_outs) = tweets
    text = "".join(outs[_LAYERS:_NAMED_PARAMS])
    t_text = "".join(t_outs[_LAYERS:_NAMED_PARAMS])
    assert "Embedding layer size: torch.Size([" in text
    assert "Size after Linear:  torch.Size([3, 10]): [batch_size, out_features]" in text
    assert "Size after Sigmoid:  torch.Size([3, 1]) : [batch_size, num_predictions]" in text
    assert re.search(r"Predicted probabilities:\ntensor\(\[\[0\.\d{4}\],", text)
    # the lines that do not depend on random values are torch's, word for word
    fixed = re.compile(r"^(Embedding layer size|Size after Linear|Size of linear|Type of|"
                       r"Size before|Size after)")
    ours = [ln for ln in text.splitlines() if fixed.match(ln)]
    theirs = [ln for ln in t_text.splitlines() if fixed.match(ln)]
    assert len(ours) == 13
    assert ours == theirs
