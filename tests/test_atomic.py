"""luchina._atomic: a file is replaced whole or not at all."""

import os

import pytest

from luchina._atomic import atomic_open, write_bytes


def test_write_replaces_whole_file(tmp_path):
    p = tmp_path / "f.bin"
    write_bytes(p, b"old")
    write_bytes(p, b"new contents")
    assert p.read_bytes() == b"new contents"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_error_keeps_old_file_and_leaves_no_temporary(tmp_path):
    p = tmp_path / "f.txt"
    p.write_text("precious")
    with pytest.raises(ZeroDivisionError):
        with atomic_open(p, "w") as fh:
            fh.write("half written")
            raise ZeroDivisionError("simulated failure mid-write")
    assert p.read_text() == "precious"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_text_mode_and_errors(tmp_path):
    with atomic_open(tmp_path / "t.json", "w", encoding="utf-8") as fh:
        fh.write("привет")
    assert (tmp_path / "t.json").read_text(encoding="utf-8") == "привет"
    with pytest.raises(ValueError, match="mode must be"):
        with atomic_open(tmp_path / "x", "a"):
            pass
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_bytes(tmp_path / "missing" / "x", b"")
