"""The models the presets train, the loss each task uses, and the optimizer from a config."""

import luchina
from luchina import nn

__all__ = ["TextClassifier", "MLP", "build_model", "build_criterion", "build_optimizer"]

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU}


class TextClassifier(nn.Module):
    """The course notes' tweet classifier, with the notes' attribute names (same state_dict).

    Embedding -> mean over tokens -> Linear -> ReLU -> Dropout -> Linear -> Sigmoid (one output)
    or logits (several classes). ``pooling='mean'`` averages over the padded length, padding
    included, exactly as the notes' ``torch.mean(embedded, dim=1)``; ``'masked'`` averages over
    the real tokens only. More than one hidden size stacks further Linear/ReLU/Dropout blocks.
    """

    def __init__(self, vocab_size, embedding_dim, hidden=(10,), num_outputs=1, dropout=0.5,
                 activation="relu", pooling="mean"):
        super().__init__()
        hidden = list(hidden)
        self.pooling = pooling
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.embedding2hidden = nn.Linear(embedding_dim, hidden[0])
        self.act1 = _ACTIVATIONS[activation]()
        self.dropout = nn.Dropout(p=dropout)
        more = []
        for a, b in zip(hidden, hidden[1:]):
            more += [nn.Linear(a, b), _ACTIVATIONS[activation](), nn.Dropout(p=dropout)]
        self.deeper = nn.Sequential(*more) if more else None
        self.hidden2out = nn.Linear(hidden[-1], num_outputs)
        self.act2 = nn.Sigmoid() if num_outputs == 1 else nn.Identity()

    def forward(self, text):
        embedded = self.embedding(text)
        if self.pooling == "mean":
            mean_emb = luchina.mean(embedded, dim=1)
        else:
            mask = (text != 0).unsqueeze(2).to(embedded.dtype)
            count = mask.sum(dim=1).clamp(min=1.0)
            mean_emb = (embedded * mask).sum(dim=1) / count
        hidden = self.dropout(self.act1(self.embedding2hidden(mean_emb)))
        if self.deeper is not None:
            hidden = self.deeper(hidden)
        return self.act2(self.hidden2out(hidden))


class MLP(nn.Module):
    """Linear/activation(/Dropout) blocks, then a Linear head (+ Sigmoid for one output)."""

    def __init__(self, in_features, hidden, num_outputs, activation="relu", dropout=0.0,
                 sigmoid=False):
        super().__init__()
        layers, size = [], in_features
        for h in hidden:
            layers += [nn.Linear(size, h), _ACTIVATIONS[activation]()]
            if dropout:
                layers.append(nn.Dropout(p=dropout))
            size = h
        layers.append(nn.Linear(size, num_outputs))
        if sigmoid:
            layers.append(nn.Sigmoid())
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x.flatten(1))


def _outputs(data):
    return 1 if data.task in ("binary", "regression") else len(data.classes)


def build_model(cfg, data):
    """The model a configuration describes, sized for ``data``."""
    m = cfg["model"]
    if m["kind"] == "text":
        return TextClassifier(len(data.encoder), m["embedding_dim"], m["hidden"], _outputs(data),
                              m["dropout"], m["activation"], m["pooling"])
    return MLP(data.n_features, m["hidden"], _outputs(data), m["activation"], m["dropout"],
               sigmoid=data.task == "binary")


def build_criterion(task):
    """BCELoss on probabilities (binary), CrossEntropyLoss on logits, or MSELoss."""
    return {"binary": nn.BCELoss, "multiclass": nn.CrossEntropyLoss,
            "regression": nn.MSELoss}[task]()


def build_optimizer(cfg, params):
    """The optimizer named in [train] with its lr, weight_decay and momentum."""
    t = cfg["train"]
    name, lr, wd = t["optimizer"], t["lr"], t["weight_decay"]
    if name == "adam":
        return luchina.optim.Adam(params, lr=lr, weight_decay=wd)
    if name == "adamw":
        return luchina.optim.AdamW(params, lr=lr, weight_decay=wd)
    if name == "sgd":
        return luchina.optim.SGD(params, lr=lr, momentum=t["momentum"], weight_decay=wd)
    if name == "rmsprop":
        return luchina.optim.RMSprop(params, lr=lr, momentum=t["momentum"], weight_decay=wd)
    return luchina.optim.Adagrad(params, lr=lr, weight_decay=wd)
