"""What a run prints: a progress bar over batches on a terminal, plain lines otherwise."""

import sys
import time

__all__ = ["Progress", "epoch_line", "curve_chart", "fmt"]


def fmt(value, digits=4):
    """A metric for printing ('-' when it does not apply)."""
    return "-" if value is None else f"{value:.{digits}f}"


def epoch_line(rec, epochs):
    """One plain line per epoch: losses, validation accuracy and time."""
    width = len(str(epochs))
    line = (f"epoch {rec['epoch']:>{width}}/{epochs}  train_loss {fmt(rec['train_loss'])}  "
            f"val_loss {fmt(rec['val_loss'])}")
    if rec.get("val_accuracy") is not None:
        line += f"  val_acc {fmt(rec['val_accuracy'])}"
    return line + f"  time {rec['time']:.1f}s"


class Progress:
    """A one-line bar redrawn at most ten times a second; silent when ``enabled`` is False."""

    def __init__(self, stream=None, enabled=None):
        self.stream = stream or sys.stdout
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self._last = 0.0
        self._width = 0

    def update(self, epoch, epochs, done, total, loss, started):
        if not self.enabled:
            return
        now = time.perf_counter()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = int(24 * done / max(total, 1))
        bar = "#" * filled + "." * (24 - filled)
        text = (f"epoch {epoch}/{epochs} [{bar}] {done}/{total}  loss {fmt(loss)}  "
                f"{now - started:.1f}s")
        self._width = max(self._width, len(text))
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()

    def clear(self):
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


def curve_chart(history, key_a="train_loss", key_b="val_loss", width=40, max_rows=20):
    """A text chart of two per-epoch series (``#`` first, ``o`` second) for a terminal or log."""
    a = [h[key_a] for h in history]
    b = [h[key_b] for h in history]
    values = [v for v in a + b if v is not None]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    lines = [f"{key_a} (#) and {key_b} (o) per epoch, {fmt(lo)} .. {fmt(hi)}"]
    rows = list(zip(history, a, b))
    if len(rows) > max_rows:  # every k-th epoch, and always the last one
        k = -(-len(rows) // max_rows)
        rows = rows[::k] if (len(rows) - 1) % k == 0 else rows[::k] + rows[-1:]
    for h, va, vb in rows:
        row = [" "] * (width + 1)
        for v, mark in ((va, "#"), (vb, "o")):
            if v is not None:
                row[int(round((v - lo) / span * width))] = mark
        lines.append(f"{h['epoch']:>4} |{''.join(row)}| {fmt(va)} {fmt(vb)}")
    return "\n".join(lines)
