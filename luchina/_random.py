"""Random generators: torch.Generator, manual_seed, seed_everything (PCG64 underneath)."""

import random as _pyrandom

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "seed_everything", "default_generator"]


class Generator:
    """torch.Generator: an independent random stream; ``manual_seed`` makes it reproducible.

    Same seed, same numbers within luchina (not the same numbers as torch's Mersenne Twister).
    """

    def __init__(self, device="cpu"):
        self.device = device
        self._seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed):
        seed = int(seed)
        if not -(2 ** 63) <= seed < 2 ** 64:
            raise RuntimeError(f"Overflow when unpacking long: seed {seed} does not fit 64 bits")
        self._seed = seed % (2 ** 64)
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self):
        s = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from luchina._creation import tensor
        state = self._rng.bit_generator.state
        words = [state["state"]["state"], state["state"]["inc"], state["has_uint32"],
                 state["uinteger"], self._seed]
        raw = b"".join(int(w).to_bytes(16, "little") for w in words)
        return tensor(list(raw), dtype="uint8")

    def set_state(self, new_state):
        raw = bytes(np.asarray(new_state, dtype=np.uint8).tolist())
        if len(raw) != 80:
            raise RuntimeError("Generator.set_state: expected a state from Generator.get_state() "
                               f"(80 bytes), got {len(raw)} bytes")
        w = [int.from_bytes(raw[i:i + 16], "little") for i in range(0, 80, 16)]
        self._rng.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": w[0], "inc": w[1]},
            "has_uint32": w[2], "uinteger": w[3]}
        self._seed = w[4]
        return self

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"


default_generator = Generator()


def rng(generator=None):
    """The numpy Generator behind ``generator`` (the default one when None)."""
    return (generator or default_generator)._rng


def manual_seed(seed):
    """torch.manual_seed: seeds all of luchina's randomness (init, dropout, shuffling)."""
    default_generator.manual_seed(seed)
    return default_generator


def seed():
    """torch.seed"""
    return default_generator.seed()


def initial_seed():
    """torch.initial_seed"""
    return default_generator.initial_seed()


def get_rng_state():
    """torch.get_rng_state"""
    return default_generator.get_state()


def set_rng_state(new_state):
    """torch.set_rng_state"""
    default_generator.set_state(new_state)


def seed_everything(seed):
    """Seed luchina, Python's ``random`` and NumPy's global generator in one call."""
    manual_seed(seed)
    _pyrandom.seed(seed)
    np.random.seed(seed % (2 ** 32))
    return seed
