"""The benchmarks run (quick mode, no timing assertions): they must not rot between releases."""

import numpy as np
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


def test_mlp_quick_runs(capsys):
    pytest.importorskip("torch")
    from bench import mlp
    result = mlp.run(quick=True, batches=(256,))
    mlp.report(result)
    out = capsys.readouterr().out
    samples = result["batches"][256]
    assert {"luchina", "torch", "torch fused", "numpy"} <= set(samples)
    assert all(s > 0 for v in samples.values() for s in v)
    assert result["gflops"] > 0 and result["limit"] > 0
    assert "vs torch best" in out and "% of limit" in out


def test_flops_per_sample_counts_the_step():
    from bench.mlp import flops_per_sample
    # forward and weight gradients of all three layers, input gradients of layers 2 and 3
    pairs = [784 * 256, 256 * 128, 128 * 10]
    assert flops_per_sample() == 2 * (2 * sum(pairs) + pairs[1] + pairs[2])


def test_inference_quick_runs(capsys):
    pytest.importorskip("torch")
    from bench import inference
    inference.report(inference.run(quick=True))
    out = capsys.readouterr().out
    assert "batch 1 latency" in out and "batch 1024 throughput" in out


def test_memory_quick_runs(capsys):
    pytest.importorskip("torch")
    from bench import memory
    result = memory.run(quick=True, batches=(256,))
    memory.report(result)
    if "skipped" in result:
        pytest.skip(result["skipped"])
    figs = result[256]
    assert set(figs) == {"luchina", "torch"}
    for f in figs.values():
        assert f["peak_kb"] >= f["baseline_kb"] > 0
    assert "epoch peak - baseline" in capsys.readouterr().out


def test_main_runs_selected_suites_and_refuses_unknown_names(capsys):
    pytest.importorskip("torch")
    from bench.__main__ import main
    assert main(["--quick", "--only", "op_overhead"]) == 0
    out = capsys.readouterr().out
    assert "[op_overhead]" in out and "[mlp]" not in out and "machine:" in out
    with pytest.raises(SystemExit, match="unknown suite"):
        main(["--quick", "--only", "nope"])


def test_numpy_mlp_baseline_matches_torch():
    """The hand-written baseline does the same work as the frameworks: same loss, same update."""
    torch = pytest.importorskip("torch")
    from bench._numpy_mlp import NumpyMLP
    from bench.mlp import SIZES, build_model, make_data
    x, y = make_data(64, seed=3)
    net = NumpyMLP(SIZES)
    model = build_model(torch)
    with torch.no_grad():
        for p, a in zip(model.parameters(), net.params):
            p.copy_(torch.from_numpy(a))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(3):
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        got = net.train_step(x, y)
        assert got == pytest.approx(loss.item(), rel=1e-5)
        for p, g in zip(model.parameters(), net.grads):
            np.testing.assert_allclose(g, p.grad.numpy(), atol=1e-6)
    # Adam's first steps are sign-like where a gradient is tiny: a few last-bit differences
    for p, a in zip(model.parameters(), net.params):
        np.testing.assert_allclose(a, p.detach().numpy(), atol=2e-5)
