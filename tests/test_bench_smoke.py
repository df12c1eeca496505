"""The benchmarks run (quick mode, no timing assertions): they must not rot between releases."""

import pytest


def test_op_overhead_quick_runs(capsys):
    pytest.importorskip("torch")
    from bench import op_overhead
    rows = op_overhead.run(quick=True)
    op_overhead.report(rows)
    out = capsys.readouterr().out
    assert [name for name, _ in rows] == list(op_overhead.OPS)
    for _, med in rows:
        assert set(med) == {"luchina", "torch"}
        assert all(t > 0 for t in med["luchina"])
    assert "luchina/torch" in out
