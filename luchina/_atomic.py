"""Atomic file writes: every file luchina writes appears whole or not at all.

``with atomic_open(path) as f: f.write(...)`` writes a temporary file in the destination's
folder, flushes and fsyncs it, renames it over ``path`` and fsyncs the folder; if anything
raises, the temporary file is removed and ``path`` is left as it was.
"""

import contextlib
import os

__all__ = ["atomic_open", "write_bytes"]


@contextlib.contextmanager
def atomic_open(path, mode="wb", encoding=None):
    """A file object for writing ``path`` atomically (``mode`` 'wb' or 'w')."""
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_open: mode must be 'wb' or 'w', got {mode!r}")
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {path}: the folder {folder} does not exist")
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.{os.urandom(4).hex()}"
                               ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    try:
        with os.fdopen(fd, mode, encoding=encoding if mode == "w" else None) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def write_bytes(path, data):
    """Write ``data`` (bytes) to ``path`` atomically."""
    with atomic_open(path) as fh:
        fh.write(data)
