"""The ``luchina`` command line: ``luchina train | evaluate | predict | word2vec ...``.

Each subcommand lives in its own module, which exposes ``add_parsers(subparsers)``; this module
only builds the top-level parser and dispatches. Subcommand modules are imported when the
parser is built, so ``luchina --help`` lists them all.
"""

import argparse
import importlib
import sys

# module name -> the subcommands it registers
_SUBCOMMAND_MODULES = ("luchina.cli.train", "luchina.cli.word2vec")


def build_parser():
    """The top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="luchina", description="luchina: train, evaluate and query models from the shell.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _SUBCOMMAND_MODULES:
        importlib.import_module(name).add_parsers(sub)
    return parser


def main(argv=None):
    """Entry point of the console script and of ``python -m luchina``; returns the exit code."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
