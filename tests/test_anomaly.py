"""detect_anomaly: forward NaN/Inf checks, backward NaN checks, source lines, state restore."""

import os
import sys
import threading

import numpy as np
import pytest

import luchina
import luchina.nn as nn
from luchina.autograd import engine, function

torch = pytest.importorskip("torch")

pytestmark = [pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled"),
              pytest.mark.filterwarnings("ignore::RuntimeWarning"),
              pytest.mark.filterwarnings("ignore:Error detected in")]

HERE = os.path.abspath(__file__)
ORIG_APPLY = function.Function.__dict__["apply"]
ORIG_BACKWARD = engine._call_backward


def _line():
    return sys._getframe(1).f_lineno


def _assert_untouched():
    assert function.Function.__dict__["apply"] is ORIG_APPLY
    assert engine._call_backward is ORIG_BACKWARD
    assert not luchina.autograd.is_anomaly_enabled()


def test_forward_nan_from_log_of_negative_names_op_and_line():
    x = luchina.tensor([-1.0, 2.0], requires_grad=True)
    with luchina.autograd.detect_anomaly():
        with pytest.raises(RuntimeError) as ei:
            line = _line() + 1
            luchina.log(x)
    msg = str(ei.value)
    assert msg.startswith("detect_anomaly: log produced 1 NaN")
    assert "LogBackward0" in msg
    assert f"{HERE}:{line}: `luchina.log(x)`" in msg
    assert "inputs were all finite" in msg
    # torch checks no forward output: the NaN passes silently there
    with torch.autograd.detect_anomaly():
        assert torch.isnan(torch.log(torch.tensor([-1.0, 2.0], requires_grad=True))).any()
    _assert_untouched()


def test_zero_over_zero_is_named_div():
    a = luchina.zeros(3, requires_grad=True)
    b = luchina.zeros(3)
    with luchina.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match=r"div produced 3 NaN among the 3 elements") as ei:
            line = _line() + 1
            c = a / b  # noqa: F841
    assert f"{HERE}:{line}:" in str(ei.value)


def test_inf_from_finite_inputs_is_reported_but_an_inf_mask_is_not():
    with luchina.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match=r"log produced 1 Inf"):
            luchina.log(luchina.tensor([0.0, 1.0]))
        scores = luchina.randn(2, 3, requires_grad=True)
        mask = luchina.tensor([[False, True, False], [False, False, True]])
        masked = scores.masked_fill(mask, float("-inf"))  # Inf asked for: not an anomaly
        p = masked.softmax(dim=1)  # -inf in, finite out
        assert np.isfinite(p.detach().numpy()).all()
        p.sum().backward()


def test_nan_already_in_the_input_is_said_to_come_from_outside():
    x = luchina.tensor([float("nan"), 1.0])
    with luchina.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="An input already held nan"):
            luchina.exp(x)


def test_backward_nan_from_sqrt_at_zero_matches_torch_and_cites_forward_line():
    z = luchina.tensor([0.0, 1.0], requires_grad=True)
    with luchina.autograd.detect_anomaly():
        line = _line() + 1
        s = luchina.sqrt(z)
        loss = (s * 0.0).sum()
        with pytest.raises(RuntimeError) as ei:
            loss.backward()
    tz = torch.tensor([0.0, 1.0], requires_grad=True)
    with torch.autograd.detect_anomaly():
        tloss = (torch.sqrt(tz) * 0.0).sum()
        with pytest.raises(RuntimeError) as tei:
            tloss.backward()
    assert str(ei.value).startswith(str(tei.value))  # torch's wording, then the line
    assert str(tei.value) == "Function 'SqrtBackward0' returned nan values in its 0th output."
    assert f"{HERE}:{line}: `s = luchina.sqrt(z)`" in str(ei.value)
    _assert_untouched()


def test_error_raised_in_backward_gets_the_forward_line_as_note_and_warning():
    class Boom(luchina.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("boom in backward")

    x = luchina.ones(2, requires_grad=True)
    with luchina.autograd.detect_anomaly():
        line = _line() + 1
        y = Boom.apply(x)
        with pytest.warns(UserWarning, match="Error detected in BoomBackward"):
            with pytest.raises(ValueError, match="boom in backward") as ei:
                y.sum().backward()
    notes = "\n".join(getattr(ei.value, "__notes__", []))
    assert f"{HERE}:{line}" in notes
    assert "traceback_" in y.grad_fn.metadata  # torch's key for the forward traceback


def test_inplace_version_error_cites_forward_line():
    a = luchina.randn(3, requires_grad=True)
    with luchina.autograd.detect_anomaly():
        b = a * 1.0
        line = _line() + 1
        c = b.exp()
        c.add_(1.0)  # exp saved its output
        with pytest.raises(RuntimeError, match="modified by an inplace operation") as ei:
            c.sum().backward()
    assert any(f"{HERE}:{line}" in n for n in getattr(ei.value, "__notes__", []))


def test_second_backward_error_cites_forward_line():
    a = luchina.randn(3, requires_grad=True)
    with luchina.autograd.detect_anomaly():
        line = _line() + 1
        y = a.exp().sum()
        y.backward()
        with pytest.raises(RuntimeError, match="second time") as ei:
            y.backward()
    assert f"{HERE}:{line}" in str(ei.value)


def test_line_is_the_users_even_through_modules():
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    with luchina.no_grad():
        model[0].weight[0, 0] = float("nan")
    with luchina.autograd.detect_anomaly():
        with pytest.raises(RuntimeError) as ei:
            line = _line() + 1
            model(luchina.ones(4, 3))
    msg = str(ei.value)
    assert "AddmmBackward0" in msg and "An input already held nan" in msg
    assert f"{HERE}:{line}: `model(luchina.ones(4, 3))`" in msg


def test_off_means_original_objects_and_no_checks():
    _assert_untouched()
    y = luchina.log(luchina.tensor([-1.0]))  # no error without anomaly mode
    assert np.isnan(y.numpy()).all()
    with luchina.autograd.detect_anomaly():
        assert function.Function.__dict__["apply"] is not ORIG_APPLY
        assert luchina.autograd.is_anomaly_enabled()
    _assert_untouched()


def test_nesting_and_set_detect_anomaly_restore_the_outer_state():
    with luchina.autograd.detect_anomaly():
        with luchina.autograd.detect_anomaly(check_nan=False):
            assert not luchina.autograd.is_anomaly_check_nan_enabled()
            luchina.log(luchina.tensor([-1.0]))  # no NaN check in here
        assert luchina.autograd.is_anomaly_check_nan_enabled()
        with luchina.autograd.set_detect_anomaly(False):
            assert not luchina.autograd.is_anomaly_enabled()
            assert function.Function.__dict__["apply"] is ORIG_APPLY
            luchina.log(luchina.tensor([-1.0]))
        assert luchina.autograd.is_anomaly_enabled()
        with pytest.raises(RuntimeError):
            luchina.log(luchina.tensor([-1.0]))
    _assert_untouched()
    luchina.autograd.set_detect_anomaly(True)  # torch: also a plain function call
    assert luchina.autograd.is_anomaly_enabled()
    luchina.autograd.set_detect_anomaly(False)
    _assert_untouched()


def test_exception_inside_block_restores_state():
    with pytest.raises(KeyError):
        with luchina.autograd.detect_anomaly():
            raise KeyError("user error")
    _assert_untouched()
    with pytest.raises(RuntimeError):
        with luchina.autograd.detect_anomaly():
            luchina.log(luchina.tensor([-1.0]))
    _assert_untouched()


def test_decorator_and_warning_like_torch():
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        deco = luchina.autograd.detect_anomaly()

    @deco
    def run(x):
        assert luchina.autograd.is_anomaly_enabled()
        return luchina.log(x)

    with pytest.raises(RuntimeError, match="log produced"):
        run(luchina.tensor([-2.0]))
    assert run(luchina.tensor([2.0])).item() == pytest.approx(np.log(2.0))
    _assert_untouched()


def test_anomaly_mode_is_per_thread():
    seen = {}

    def other():
        seen["enabled"] = luchina.autograd.is_anomaly_enabled()
        seen["value"] = luchina.log(luchina.tensor([-1.0])).item()  # passes unchecked here

    with luchina.autograd.detect_anomaly():
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen["enabled"] is False and np.isnan(seen["value"])
    _assert_untouched()


def test_results_and_gradients_unchanged_by_anomaly_mode():
    luchina.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    x = luchina.randn(6, 4)
    model(x).pow(2).mean().backward()
    ref = [p.grad.numpy().copy() for p in model.parameters()]
    model.zero_grad()
    with luchina.autograd.detect_anomaly():
        model(x).pow(2).mean().backward()
    for r, p in zip(ref, model.parameters()):
        np.testing.assert_array_equal(r, p.grad.numpy())


def test_interleaved_foreign_patch_of_apply_is_survived():
    calls = []
    with luchina.autograd.detect_anomaly():
        under = function.Function.__dict__["apply"]
        plain = under.__func__

        def foreign(cls, *args):
            calls.append(cls)
            return plain(cls, *args)
        function.Function.apply = classmethod(foreign)  # another tool wraps apply meanwhile
    # ours is buried under the foreign wrapper: it must pass through now that the mode is off
    assert np.isnan(luchina.log(luchina.tensor([-1.0])).item()) and calls
    function.Function.apply = under  # the other tool restores what it found: our wrapper
    with luchina.autograd.detect_anomaly():
        with pytest.raises(RuntimeError):
            luchina.log(luchina.tensor([-1.0]))
    _assert_untouched()  # and the next exit puts the true original back
