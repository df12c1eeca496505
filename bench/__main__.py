"""python -m bench [--quick]: run every benchmark side by side with PyTorch and print ratios."""

import sys

from bench import op_overhead


def main(argv):
    quick = "--quick" in argv
    op_overhead.report(op_overhead.run(quick=quick))


if __name__ == "__main__":
    main(sys.argv[1:])
