"""parameters_to_vector and vector_to_parameters."""

from luchina._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """torch.nn.utils.parameters_to_vector: one flat tensor (differentiable, like torch's cat)."""
    from luchina.ops._join import cat
    return cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """torch.nn.utils.vector_to_parameters: each parameter's data becomes a view into vec."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    flat = vec._data.reshape(-1)
    for p in parameters:
        n = p.numel()
        if pointer + n > flat.shape[0]:
            raise RuntimeError(f"vector_to_parameters: the vector has {flat.shape[0]} elements, "
                               f"fewer than the parameters need (at least {pointer + n})")
        p._data = flat[pointer:pointer + n].reshape(p._data.shape)
        pointer += n
