"""torch.backends: harmless compatibility settings (cudnn flags, mps availability)."""

import types

__all__ = ["cudnn", "mps", "cuda", "mkldnn", "openmp"]

cudnn = types.SimpleNamespace(deterministic=False, benchmark=False, enabled=True,
                              allow_tf32=True, is_available=lambda: False,
                              version=lambda: None)
mps = types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
mkldnn = types.SimpleNamespace(is_available=lambda: False, enabled=False)
openmp = types.SimpleNamespace(is_available=lambda: False)
cuda = types.SimpleNamespace(matmul=types.SimpleNamespace(allow_tf32=False),
                             is_built=lambda: False)
