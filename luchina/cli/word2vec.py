"""``luchina word2vec train | query``: train word vectors on a text file and query them."""

import os
import sys

__all__ = ["add_parsers"]


def add_parsers(subparsers):
    """Register ``word2vec train`` and ``word2vec query`` under ``subparsers``."""
    p = subparsers.add_parser("word2vec", help="train and query word2vec embeddings",
                              description="Train word2vec vectors on a text corpus (one "
                              "sentence per line, tokens separated by spaces) and query them.")
    sub = p.add_subparsers(dest="word2vec_command", metavar="ACTION")
    sub.required = True

    t = sub.add_parser("train", help="train vectors on a text file",
                       description="Train skip-gram or CBOW vectors; the corpus is streamed "
                       "line by line.")
    t.add_argument("corpus", metavar="CORPUS", help="text file, one sentence per line")
    t.add_argument("--out", required=True, help="output vectors file (word2vec format)")
    t.add_argument("--sg", type=int, choices=(0, 1), default=1,
                   help="1: skip-gram (default), 0: CBOW")
    t.add_argument("--size", type=int, default=100, help="vector size (default 100)")
    t.add_argument("--window", type=int, default=5, help="maximum context window (default 5)")
    t.add_argument("--min-count", type=int, default=5,
                   help="ignore words seen fewer times (default 5)")
    t.add_argument("--negative", type=int, default=5, help="negative samples (default 5)")
    t.add_argument("--sample", type=float, default=1e-3,
                   help="sub-sampling threshold of frequent words (default 1e-3)")
    t.add_argument("--epochs", type=int, default=5, help="passes over the corpus (default 5)")
    t.add_argument("--alpha", type=float, default=0.025, help="initial learning rate")
    t.add_argument("--optimizer", choices=("adagrad", "sgd"), default="adagrad",
                   help="row update rule (default adagrad; sgd is gensim's)")
    t.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    t.add_argument("--workers", type=int, default=1,
                   help="accepted for gensim parity; training is single-threaded")
    fmt = t.add_mutually_exclusive_group()
    fmt.add_argument("--binary", dest="binary", action="store_true", default=None,
                     help="write the binary word2vec format (default unless --out ends in .txt)")
    fmt.add_argument("--text", dest="binary", action="store_false",
                     help="write the text word2vec format")
    t.add_argument("--quiet", action="store_true", help="no progress output")
    t.set_defaults(handler=_train)

    q = sub.add_parser("query", help="nearest words, analogies, odd one out",
                       description="Query a word2vec vectors file (binary or text format).")
    q.add_argument("vectors", metavar="VECTORS", help="vectors file written by word2vec train "
                   "(or any word2vec-format file)")
    what = q.add_mutually_exclusive_group(required=True)
    what.add_argument("--similar", metavar="WORD", help="words closest to WORD")
    what.add_argument("--analogy", nargs=3, metavar=("A", "B", "C"),
                      help="A is to B as C is to ?  (B - A + C)")
    what.add_argument("--odd", nargs="+", metavar="W", help="the word that doesn't match")
    q.add_argument("--topn", type=int, default=10, help="how many answers (default 10)")
    q.add_argument("--text", action="store_true",
                   help="the file is in the text format (default: guessed from the file)")
    q.set_defaults(handler=_query)


def _error(msg):
    print(f"luchina word2vec: error: {msg}", file=sys.stderr)
    return 2


def _train(args):
    from luchina.text._word2vec import Word2Vec
    if not os.path.isfile(args.corpus):
        return _error(f"corpus file not found: {args.corpus}")
    binary = args.binary if args.binary is not None else not args.out.endswith(".txt")
    try:
        model = Word2Vec(corpus_file=args.corpus, vector_size=args.size, window=args.window,
                         min_count=args.min_count, negative=args.negative, sample=args.sample,
                         epochs=args.epochs, alpha=args.alpha, sg=args.sg, seed=args.seed,
                         workers=args.workers, optimizer=args.optimizer,
                         progress=False if args.quiet else True)
    except (ValueError, RuntimeError) as e:
        return _error(str(e))
    model.wv.save_word2vec_format(args.out, binary=binary)
    if not args.quiet:
        print(f"wrote {len(model.wv)} vectors of size {model.vector_size} to {args.out} "
              f"({'binary' if binary else 'text'} word2vec format)")
    return 0


def _is_binary(path):
    with open(path, "rb") as f:
        f.readline()
        chunk = f.read(4096)
    try:
        chunk.decode("utf8")
    except UnicodeDecodeError as e:
        return e.start < len(chunk) - 4  # a cut multi-byte character at the end is still text
    return b"\0" in chunk


def _query(args):
    from luchina.text._keyedvectors import KeyedVectors
    if not os.path.isfile(args.vectors):
        return _error(f"vectors file not found: {args.vectors}")
    binary = False if args.text else _is_binary(args.vectors)
    kv = KeyedVectors.load_word2vec_format(args.vectors, binary=binary)
    words = args.similar and [args.similar] or args.analogy or args.odd
    missing = [w for w in words if w not in kv.key_to_index]
    if missing:
        return _error(f"not in the vocabulary of {args.vectors} ({len(kv)} words): "
                      + ", ".join(missing))
    if args.similar:
        for w, s in kv.most_similar(args.similar, topn=args.topn):
            print(f"{w}\t{s:.4f}")
    elif args.analogy:
        a, b, c = args.analogy
        for w, s in kv.most_similar(positive=[b, c], negative=[a], topn=args.topn):
            print(f"{w}\t{s:.4f}")
    else:
        if len(args.odd) < 2:
            return _error("--odd needs at least two words")
        print(kv.doesnt_match(args.odd))
    return 0
