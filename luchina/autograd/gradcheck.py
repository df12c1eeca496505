"""gradcheck: analytical gradients against float64 central differences."""

import numpy as np

__all__ = ["gradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    pass


def _flat_outputs(out):
    from luchina._tensor import Tensor
    if isinstance(out, Tensor):
        return [out]
    return [o for o in out if isinstance(o, Tensor)]


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, fast_mode=False, masked=None):
    """torch.autograd.gradcheck: compare backward with central differences (float64 inputs).

    Every Jacobian entry is checked; ``fast_mode=True`` checks one random direction instead.
    """
    from luchina._tensor import Tensor
    from luchina.autograd import grad as autograd_grad
    from luchina.autograd.grad_mode import no_grad

    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    for i in diff:
        if inputs[i].dtype.name != "float64":
            import warnings
            warnings.warn(f"gradcheck: input {i} is {inputs[i].dtype}, not float64: the check "
                          "may fail from rounding alone", UserWarning, stacklevel=2)
    outs = _flat_outputs(func(*inputs))

    def numeric(i, direction):
        x = inputs[i]._data
        step = inputs[i].device.xp.asarray(eps * direction)  # on the input's device
        saved = x.copy()
        with no_grad():
            x += step
            plus = [np.asarray(o).astype(np.float64) for o in _flat_outputs(func(*inputs))]
            x[...] = saved - step
            minus = [np.asarray(o).astype(np.float64) for o in _flat_outputs(func(*inputs))]
            x[...] = saved
        return [(p - m) / (2 * eps) for p, m in zip(plus, minus)]

    rng = np.random.default_rng(0)
    if not fast_mode:  # numerical Jacobian columns, one input element at a time
        jac = {}
        for i in diff:
            x = inputs[i]
            cols = []
            for j in range(x.numel()):
                e = np.zeros(x.shape)
                e.flat[j] = 1.0
                cols.append(numeric(i, e))
            jac[i] = cols
    for k, out in enumerate(outs):
        if not out.requires_grad:
            continue
        probes = ([rng.standard_normal(out.shape)] if fast_mode else
                  [np.eye(out.numel())[j].reshape(out.shape) for j in range(out.numel())])
        for u in probes:
            analytic = autograd_grad(out, [inputs[i] for i in diff],
                                     grad_outputs=Tensor._make(u.astype(out._data.dtype)),
                                     retain_graph=True, allow_unused=True)
            for i, a in zip(diff, analytic):
                x = inputs[i]
                a = np.zeros(x.shape) if a is None else np.asarray(a, dtype=np.float64)
                if fast_mode:
                    v = rng.standard_normal(x.shape)
                    num = float(np.sum(numeric(i, v)[k] * u))
                    ana = float(np.sum(a * v))
                    bad = not np.isclose(ana, num, rtol=rtol, atol=atol)
                    detail = f"analytical {ana:.6g} vs numerical {num:.6g} along a random direction"
                else:
                    num = np.array([np.sum(col[k] * u) for col in jac[i]]).reshape(x.shape)
                    bad = not np.allclose(a, num, rtol=rtol, atol=atol)
                    detail = f"analytical:\n{a}\nnumerical:\n{num}"
                if bad:
                    if raise_exception:
                        raise GradcheckError(
                            f"Jacobian mismatch for output {k} with respect to input {i},\n"
                            f"{detail}")
                    return False
    return True
