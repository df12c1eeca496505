"""luchina.optim: torch.optim's optimizers and learning-rate schedulers."""

from luchina.optim import lr_scheduler
from luchina.optim.adagrad import Adagrad
from luchina.optim.adam import Adam, AdamW
from luchina.optim.optimizer import Optimizer
from luchina.optim.rmsprop import RMSprop
from luchina.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
