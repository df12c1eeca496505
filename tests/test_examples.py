"""The worked examples in examples/: each runs, prints what the notes print, and its numbers agree
with real torch 2.13 running the same script (its ``import luchina ...`` lines pointed at torch),
with luchina's initial weights copied over wherever the script draws random numbers."""

import contextlib
import importlib.util
import io
import math
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
HAVE_MPL = importlib.util.find_spec("matplotlib") is not None

if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))  # the scripts import their plot helper as `_figures`


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """torch's thread pool on a shared 2-core machine turns 1 s of tiny ops into 30 s."""
    try:
        import torch
    except ImportError:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def load(name, backend="luchina"):
    """Execute examples/<name>.py as a fresh module; backend "torch" swaps its luchina imports."""
    if backend == "torch":
        pytest.importorskip("torch")
    path = EXAMPLES / f"{name}.py"
    source = path.read_text(encoding="utf-8")
    if backend == "torch":
        source, n = re.subn(r"^(import|from) luchina\b", r"\1 torch", source, flags=re.M)
        assert n > 0 and "luchina" not in "".join(
            line for line in source.splitlines() if line.startswith(("import", "from")))
    module = types.ModuleType(f"example_{name}_{backend}")
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def run(module, out_dir, **kwargs):
    """Call module.main(out_dir) and return (printed text, returned dict)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        result = module.main(str(out_dir), **kwargs)
    return buf.getvalue(), result


def check_png(result, out_dir, name):
    if HAVE_MPL:
        path = Path(out_dir) / name
        assert result["png"] == str(path)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert not [p for p in Path(out_dir).iterdir() if p.name.endswith(".tmp")]
    else:
        assert result["png"] is None


def to_torch_state(state):
    import torch
    return {k: torch.from_numpy(np.array(v.detach().numpy() if hasattr(v, "detach") else v))
            for k, v in state.items()}


# -- 004: the DeepNN forward pass -----------------------------------------------------------------
def test_deep_nn_forward_matches_torch_with_copied_weights(tmp_path):
    import torch
    lu = load("deep_nn_forward")
    out, res = run(lu, tmp_path)
    lines = out.splitlines()
    assert re.fullmatch(r"input_data: tensor\(\[\[[-0-9., ]+\]\]\)", lines[0])
    assert re.fullmatch(r"tensor\(\[\[0\.\d{4}\]\], grad_fn=<SigmoidBackward0>\)", lines[1])
    assert res["grad_fn"] == "SigmoidBackward0" and res["n_params"] == 5 * 10 + 10 + 10 + 1
    assert lines[1] == f"tensor([[{res['output']:.4f}]], grad_fn=<SigmoidBackward0>)"

    tm = load("deep_nn_forward", "torch")
    net = tm.DeepNN()
    net.load_state_dict(to_torch_state(res["state_dict"]))
    expected = net(torch.tensor(res["input"]))
    assert str(expected) == lines[1]
    assert abs(expected.item() - res["output"]) < 1e-6
    t_out, t_res = run(tm, tmp_path)  # the notes' code runs on torch as well, same format
    assert re.fullmatch(r"tensor\(\[\[0\.\d{4}\]\], grad_fn=<SigmoidBackward0>\)",
                        t_out.splitlines()[1])


# -- 004: Adam from scratch --------------------------------------------------------------------
def test_adam_from_scratch_agrees_with_numpy_and_torch(tmp_path):
    out, res = run(load("adam_from_scratch"), tmp_path)
    assert out.splitlines()[0] == "adam.update(w=0, grad_wrt_w=5) = -0.000999999998"
    assert res["first_update"] == pytest.approx(-0.001 * 5 / (5 + 1e-8), rel=1e-14)
    assert np.allclose(res["numpy_path"], res["luchina_path"], rtol=0, atol=1e-14)
    assert res["max_diff"] < 1e-12
    assert abs(res["luchina_final"] + 2.5) < 1e-3 and abs(res["numpy_final"] + 2.5) < 1e-3
    rows = [line.split() for line in out.splitlines() if re.match(r"^\s+\d+\s+-", line)]
    assert [float(r[2]) for r in rows] == pytest.approx(res["luchina_path"], rel=1e-13)

    _, t_res = run(load("adam_from_scratch", "torch"), tmp_path)
    assert np.allclose(t_res["luchina_path"], res["luchina_path"], rtol=0, atol=1e-14)
    assert t_res["luchina_final"] == pytest.approx(res["luchina_final"], abs=1e-12)


# -- 004: roots of x^2 - 6x + 4 ----------------------------------------------------------------
def test_quadratic_roots(tmp_path):
    out, res = run(load("quadratic_roots"), tmp_path)
    assert "Полином:    2\n1 x - 6 x + 4\nПроизводная:  \n2 x - 6\nx: 2.019801346297245\n" in out
    assert res["notes_x"] == 2.019801346297245
    small, large = 3 - math.sqrt(5), 3 + math.sqrt(5)
    expected = {0.0: small, 2.9: small, 3.1: large, 6.0: large, 10.0: small}
    for x0, root in expected.items():
        assert abs(res["starts"][x0] - root) < 1e-8, x0
        assert f"x0 = {x0:5.1f} -> x = {root:.10f}" in out
    rates = res["rates"]
    assert not rates[1e-4][2] and abs(rates[1e-4][0] - small) > 1e-3        # too small: slow
    assert all(rates[lr][2] and abs(rates[lr][0] - small) < 1e-8 for lr in (1e-3, 0.01, 0.04))
    assert rates[0.02][1] < rates[0.01][1] < rates[1e-3][1]
    assert not rates[0.06][2] and math.isfinite(rates[0.06][0])               # oscillates
    assert not rates[0.2][2] and not abs(rates[0.2][0]) < 1e12                 # diverges
    assert "diverged" in out

    def step(x):
        return x - 0.06 * (4 * x ** 3 - 36 * x ** 2 + 88 * x - 48)
    a, b = res["cycle"]
    assert abs(a - b) > 0.5 and step(a) == pytest.approx(b, abs=1e-9)
    assert step(b) == pytest.approx(a, abs=1e-9)
    assert res["autograd"][0.0] == pytest.approx(small, abs=1e-8)
    assert res["autograd"][6.0] == pytest.approx(large, abs=1e-8)

    t_out, t_res = run(load("quadratic_roots", "torch"), tmp_path)
    assert t_out == out and t_res["autograd"] == pytest.approx(res["autograd"], abs=1e-12)


# -- 001/002: XOR -------------------------------------------------------------------------------
def test_xor_networks(tmp_path):
    import torch
    lu = load("xor_networks")
    out, res = run(lu, tmp_path)
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    h1 = (corners.sum(1) - 1.5 > 0).astype(float)
    h2 = (-corners.sum(1) + 0.5 > 0).astype(float)
    assert res["hidden"] == np.stack([h1, h2], 1).tolist()
    assert res["equivalence"] == (h1 + h2 - 0.5 > 0).astype(float).tolist() == [1, 0, 0, 1]
    assert res["xor"] == [0.0, 1.0, 1.0, 0.0]
    assert "th(0 + 1 - 0.5) = 1" in out and "th(1 + 0 - 0.5) = 1" in out
    assert np.round(res["smooth"][20]).tolist() == res["xor"]
    assert res["accuracy"] == 1.0 and "accuracy: 100%" in out
    check_png(res, tmp_path, "xor_networks.png")

    tm = load("xor_networks", "torch")
    t_out = io.StringIO()
    with contextlib.redirect_stdout(t_out):
        t_thr = tm.threshold_part()
    assert t_out.getvalue() == out[:len(t_out.getvalue())]
    assert t_thr["smooth"][5] == pytest.approx(res["smooth"][5], abs=1e-6)
    model, t_model = lu.make_mlp(), tm.make_mlp()
    t_model.load_state_dict(to_torch_state(model.state_dict()))
    with contextlib.redirect_stdout(io.StringIO()):
        lu_losses, t_losses = lu.train_mlp(model), tm.train_mlp(t_model)
    assert lu_losses == res["mlp_losses"]
    assert np.allclose(lu_losses, t_losses, rtol=1e-3, atol=1e-6)
    with torch.no_grad():
        t_prob = torch.sigmoid(t_model(tm.X)).flatten().tolist()
    assert np.allclose(res["mlp_prob"], t_prob, atol=1e-4)


# -- 002: universal approximation --------------------------------------------------------------
def test_universal_approximation(tmp_path):
    lu = load("universal_approximation")
    out, res = run(lu, tmp_path)
    xs = np.linspace(-2, 2, 100, dtype=np.float32) ** 2
    assert res["baseline"] == pytest.approx(float(((xs - xs.mean()) ** 2).mean()), rel=1e-5)
    e = res["errors"]
    assert e[8] < e[4] < e[2] < res["baseline"] / 10
    for k in (2, 4, 8):
        assert f"k = {k}: MSE = {e[k]:.4f}" in out
    check_png(res, tmp_path, "universal_approximation.png")

    tm = load("universal_approximation", "torch")
    lu.torch.manual_seed(3)  # main's default seed: the same three initial nets as main's
    for k in (2, 4, 8):
        model = lu.QuadraticNet(k=k)
        t_model = tm.QuadraticNet(k=k)
        t_model.load_state_dict(to_torch_state(model.state_dict()))
        assert lu.train(model) == e[k]
        assert tm.train(t_model) == pytest.approx(e[k], rel=2e-3, abs=1e-5)


# -- 002: vanishing gradients ------------------------------------------------------------------
def test_vanishing_gradients(tmp_path):
    import torch
    lu = load("vanishing_gradients")
    out, res = run(lu, tmp_path)
    sig, relu = res["norms"]["sigmoid"], res["norms"]["relu"]
    assert len(sig) == len(relu) == 10
    assert all(a < b for a, b in zip(sig, sig[1:]))  # shrinks layer by layer towards the input
    assert res["ratios"]["sigmoid"] < 1e-3 < 1e-2 < res["ratios"]["relu"] < 10
    assert f"{1:5d}   {sig[0]:16.3e}   {relu[0]:13.3e}" in out
    check_png(res, tmp_path, "vanishing_gradients.png")

    tm = load("vanishing_gradients", "torch")
    lu.torch.manual_seed(1)
    x, y = lu.torch.randn(128, 64), lu.torch.randn(128, 1)
    tx, ty = torch.from_numpy(x.numpy()), torch.from_numpy(y.numpy())
    for name, act in (("sigmoid", "Sigmoid"), ("relu", "ReLU")):
        net, t_net = lu.deep_net(getattr(lu.nn, act)), tm.deep_net(getattr(tm.nn, act))
        t_net.load_state_dict(to_torch_state(net.state_dict()))
        assert lu.grad_norms(net, x, y) == res["norms"][name]
        assert np.allclose(tm.grad_norms(t_net, tx, ty), res["norms"][name], rtol=1e-4)


# -- 003: symmetry -------------------------------------------------------------------------------
def test_symmetry(tmp_path):
    import torch
    lu = load("symmetry")
    out, res = run(lu, tmp_path)
    zero, rnd = res["zero"], res["random"]
    assert zero["start_spread"] == zero["max_spread"] == zero["end_spread"] == 0.0
    assert len({tuple(row) for row in zero["hidden"]}) == 1 and zero["hidden"][0] != [0.0, 0.0]
    assert rnd["start_spread"] > 0.1 and rnd["end_spread"] > 1.0
    assert zero["accuracy"] <= 0.8 and rnd["accuracy"] >= 0.95 and rnd["loss"] < zero["loss"]
    assert f"zero initialisation: loss {zero['loss']:.4f}, accuracy {zero['accuracy']:.1%}" in out

    tm = load("symmetry", "torch")
    x, y = lu.triangle_data()
    tx, ty = torch.from_numpy(x.numpy()), torch.from_numpy(y.numpy())
    t_net = tm.make_net(zero_init=True)  # no random numbers involved: torch must agree alone
    t_loss, t_spread = tm.train(t_net, tx, ty)
    assert t_spread == 0.0 and t_loss == pytest.approx(zero["loss"], rel=1e-3)
    net, t_net = lu.make_net(zero_init=False), tm.make_net(zero_init=False)
    t_net.load_state_dict(to_torch_state(net.state_dict()))
    assert lu.train(net, x, y)[0] == rnd["loss"]
    assert tm.train(t_net, tx, ty)[0] == pytest.approx(rnd["loss"], rel=1e-2, abs=1e-4)


# -- 001: class weights ---------------------------------------------------------------------------
def test_class_weights_prints_the_notes_numbers_as_torch(tmp_path):
    out, res = run(load("class_weights"), tmp_path)
    assert out.splitlines()[-3:] == ["Loss = 14.00", "Loss = 22.40", "Loss = 22.40"]
    wrong = 28 + math.log1p(math.exp(-28))  # -log softmax([30, 2])[1]
    right = math.log1p(math.exp(-28))
    assert res["unweighted"] == pytest.approx((right + wrong) / 2, rel=1e-6)
    assert res["weighted"] == pytest.approx(0.2 * right + 0.8 * wrong, rel=1e-6)
    assert res["weighted_1_4"] == pytest.approx((right + 4 * wrong) / 5, rel=1e-6)
    assert res["loss_ce"] == pytest.approx(res["hand_ce"], rel=1e-6)

    t_out, t_res = run(load("class_weights", "torch"), tmp_path)
    assert out == t_out
    assert t_res == pytest.approx(res, rel=1e-6)


# -- 001/003: linear classifier templates ------------------------------------------------------
def test_linear_templates(tmp_path):
    pytest.importorskip("sklearn")
    lu = load("linear_templates")
    out, res = run(lu, tmp_path)
    assert res["accuracy"] > 0.93 and f"test accuracy {res['accuracy']:.2%}" in out
    assert min(res["match"]) > 0.5  # each class's weights look like that class
    check_png(res, tmp_path, "linear_templates.png")

    tm = load("linear_templates", "torch")
    x_train, x_test, y_train, y_test = lu.load_digits_split()
    lu.torch.manual_seed(0)
    model = lu.nn.Linear(64, 10)
    t_model = tm.nn.Linear(64, 10)
    t_model.load_state_dict(to_torch_state(model.state_dict()))
    t_loss = tm.train(t_model, tm.torch.from_numpy(x_train), tm.torch.from_numpy(y_train))
    assert t_loss == pytest.approx(res["loss"], rel=1e-3)
    t_pred = t_model(tm.torch.from_numpy(x_test)).argmax(dim=1).numpy()
    assert abs((t_pred == y_test).mean() - res["accuracy"]) <= 2 / len(y_test)


# -- the scripts run as programs ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["class_weights", "xor_networks"])
def test_script_runs_as_main(tmp_path, name):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    expected = "Loss = 22.40" if name == "class_weights" else "accuracy: 100%"
    assert expected in proc.stdout


def test_readme_lists_every_example():
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for path in EXAMPLES.glob("*.py"):
        if not path.name.startswith("_"):
            assert f"examples/{path.name}" in readme, path.name
