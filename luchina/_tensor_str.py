"""Tensor printing on NumPy arrays that reproduces PyTorch's ``repr``/``str`` of tensors exactly.

The rules (column widths, scientific-notation switching, summarisation with ``...``, line
wrapping, suffix placement) follow ``torch/_tensor_str.py``; this module never imports torch.
"""

import contextlib
import math

import numpy as np

__all__ = [
    "PARAMETER_HEADER",
    "PRINT_OPTS",
    "dtype_suffix_needed",
    "format_tensor",
    "get_printoptions",
    "printoptions",
    "set_printoptions",
]

# What torch.nn.Parameter.__repr__ puts before the ordinary tensor repr.
PARAMETER_HEADER = "Parameter containing:\n"

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


class _PrintOptions:
    """The current print options (torch._tensor_str.PRINT_OPTS)."""

    def __init__(self):
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None

    def __repr__(self):
        return f"PrintOptions({get_printoptions()})"


PRINT_OPTS = _PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set the printing options, with the semantics of torch.set_printoptions."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"unknown print profile {profile!r}; "
                             f"expected one of {sorted(_PROFILES)}")
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    # Like torch: sci_mode is always overwritten, so omitting it restores automatic choice.
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """Return the current print options as a dict usable as set_printoptions(**kwargs)."""
    return {"precision": PRINT_OPTS.precision, "threshold": PRINT_OPTS.threshold,
            "edgeitems": PRINT_OPTS.edgeitems, "linewidth": PRINT_OPTS.linewidth,
            "sci_mode": PRINT_OPTS.sci_mode}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (context manager, like torch's printoptions)."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


def dtype_suffix_needed(np_dtype, default_float_np_dtype, empty=False):
    """Whether torch shows ``dtype=...`` for a tensor of this dtype (``empty``: numel == 0)."""
    np_dtype = np.dtype(np_dtype)
    default = np.dtype(default_float_np_dtype)
    if empty:
        # An empty tensor has no values to hint at its type: only the default float is implied.
        return np_dtype != default
    return np_dtype not in (default, np.dtype(np.int64), np.dtype(np.bool_))


class _Formatter:
    """Chooses one element width and notation for all the values that will be shown."""

    def __init__(self, values):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not self.floating:
            self.max_width = max([1] + [len(str(v)) for v in values.tolist()])
            return
        shown = values[np.isfinite(values) & (values != 0)]
        if shown.size == 0:
            return  # only zeros / nan / inf: integer style whatever sci_mode says
        magnitudes = np.abs(shown).astype(np.float64)
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = bool(PRINT_OPTS.sci_mode)
        precision = PRINT_OPTS.precision
        if self.sci_mode:
            strings = [f"{v:.{precision}e}" for v in shown.tolist()]
        elif self.int_mode:
            strings = [f"{v:.0f}." for v in shown.tolist()]  # the "." marks a float tensor
        else:
            strings = [f"{v:.{precision}f}" for v in shown.tolist()]
        self.max_width = max(len(s) for s in strings)

    def format(self, value):
        """Format one Python scalar, right-aligned to the common width."""
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{PRINT_OPTS.precision}f}"
        return text.rjust(self.max_width)


def _summarized_values(a):
    """The values of ``a`` that a summarised print shows, flattened (torch's rule, quirks too)."""
    edge = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a.reshape(1)
    if a.ndim == 1:
        # Note: with edge == 0, a[-0:] is the whole vector, exactly as in torch.
        return np.concatenate((a[:edge], a[-edge:])) if a.shape[0] > 2 * edge else a
    if not edge:
        return a.reshape(-1)[:0]
    n = a.shape[0]
    rows = list(range(edge)) + list(range(n - edge, n)) if n > 2 * edge else range(n)
    return np.concatenate([_summarized_values(a[i]) for i in rows])


def _vector_str(a, indent, summarize, fmt):
    """Format a 1-d array, wrapping it to the line width."""
    edge = PRINT_OPTS.edgeitems
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fmt.max_width + 2)))
    if summarize and not edge:
        items = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        items = ([fmt.format(v) for v in a[:edge].tolist()] + [" ..."]
                 + [fmt.format(v) for v in a[-edge:].tolist()])
    else:
        items = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a, indent, summarize, fmt):
    """Format an array of any rank as nested brackets; ``indent`` is the column of its '['."""
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    edge, n = PRINT_OPTS.edgeitems, a.shape[0]
    if summarize and n > 2 * edge:
        slices = ([_nested_str(a[i], indent + 1, summarize, fmt) for i in range(edge)] + ["..."]
                  + [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(n - edge, n)])
    else:
        slices = [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _body_str(a, indent):
    """The bracketed contents of a non-empty array (torch's _tensor_str)."""
    summarize = a.size > PRINT_OPTS.threshold
    fmt = _Formatter(_summarized_values(a) if summarize else a.reshape(-1))
    return _nested_str(a, indent, summarize, fmt)


def _add_suffixes(text, suffixes, indent):
    """Append ``, suffix`` items and the closing ')', wrapping to the line width as torch does."""
    parts = [text]
    # torch's own arithmetic (one more than the true length of the last line, plus one).
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(data, suffixes=(), prefix="tensor(", indent=None):
    """Return torch's repr of a tensor holding ``data`` followed by the given suffix strings."""
    if hasattr(data, "get"):  # CuPy array: bring it to the host first
        data = data.get()
    a = np.asarray(data)
    if indent is None:
        indent = len(prefix)
    suffixes = list(suffixes)
    # torch puts size= right after device= and before dtype=, grad_fn=, requires_grad=.
    size_at = 0
    while size_at < len(suffixes) and suffixes[size_at].startswith("device="):
        size_at += 1
    size_suffix = "size=" + str(tuple(int(d) for d in a.shape))
    if a.size == 0:
        if a.ndim != 1:
            suffixes.insert(size_at, size_suffix)
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.insert(size_at, size_suffix)
        body = _body_str(a, indent)
    return _add_suffixes(prefix + body, suffixes, indent)
