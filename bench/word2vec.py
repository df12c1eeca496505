"""Word2Vec skip-gram training speed and quality: luchina next to gensim, in the same run.

Both train on gensim's bundled text8 excerpt (head500.noblanks.cor) with gensim's
hyperparameters (vector_size 100, window 5, min_count 5, negative 5, epochs 5); gensim uses 2
worker threads, luchina one. Repetitions alternate between the libraries; words/s is raw corpus
words times epochs over the wall time of the whole constructor (vocabulary scan included),
median over repetitions. words/CPU-s divides by the process CPU time instead (all threads
summed), which depends less on other load on the machine than wall time. The vectors of the
last repetition are scored on wordsim353 and simlex999 (Spearman over in-vocabulary pairs, via
each library's evaluate_word_pairs). The 1-minute load average is reported alongside.
"""

import os
import statistics
import time

PARAMS = {"vector_size": 100, "window": 5, "min_count": 5, "negative": 5, "epochs": 5, "sg": 1,
          "seed": 1}


def _data():
    from gensim.test.utils import datapath
    return (datapath("head500.noblanks.cor"), datapath("wordsim353.tsv"),
            datapath("simlex999.txt"))


def _train(lib, corpus, params):
    if lib == "gensim":
        from gensim.models import Word2Vec
        return Word2Vec(corpus_file=None, sentences=_sentences(corpus), workers=2, **params)
    from luchina.text._word2vec import Word2Vec
    return Word2Vec(sentences=_sentences(corpus), progress=False, **params)


_CACHE = {}


def _sentences(path):
    if path not in _CACHE:
        with open(path, encoding="utf8") as f:
            _CACHE[path] = [line.split() for line in f]
    return _CACHE[path]


def run(quick=False):
    """Train both libraries alternately; returns a dict of words/s and quality per library."""
    try:
        import gensim  # noqa: F401
    except ImportError:
        return {"skipped": "gensim is not installed (pip install gensim)"}
    corpus, ws353, simlex = _data()
    params = dict(PARAMS)
    repeats = 1 if quick else 3
    if quick:
        params["epochs"] = 1
    n_words = sum(len(s) for s in _sentences(corpus)) * params["epochs"]
    rates = {"luchina": [], "gensim": []}
    cpu = {"luchina": [], "gensim": []}
    models = {}
    loads = []
    for _ in range(repeats):
        for lib in rates:
            t0, c0 = time.perf_counter(), time.process_time()
            models[lib] = _train(lib, corpus, params)
            rates[lib].append(n_words / (time.perf_counter() - t0))
            cpu[lib].append(n_words / max(time.process_time() - c0, 1e-9))
            loads.append(os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan"))
    result = {"epochs": params["epochs"], "words": n_words, "repeats": repeats,
              "load": statistics.median(loads)}
    for lib, model in models.items():
        result[lib] = {
            "words_per_s": statistics.median(rates[lib]),
            "min": min(rates[lib]), "max": max(rates[lib]),
            "words_per_cpu_s": statistics.median(cpu[lib]),
            "wordsim353": float(model.wv.evaluate_word_pairs(ws353)[1][0]),
            "simlex999": float(model.wv.evaluate_word_pairs(simlex)[1][0]),
            "vocab": len(model.wv)}
    result["ratio"] = result["luchina"]["words_per_s"] / result["gensim"]["words_per_s"]
    result["cpu_ratio"] = (result["luchina"]["words_per_cpu_s"]
                           / result["gensim"]["words_per_cpu_s"])
    return result


def report(result):
    """Print the table of words/s and Spearman scores."""
    if "skipped" in result:
        print(f"word2vec: skipped ({result['skipped']})")
        return
    print(f"word2vec skip-gram on head500 ({result['words']:,} words = corpus x "
          f"{result['epochs']} epochs, {result['repeats']} interleaved repetitions, "
          f"load average {result['load']:.2f})")
    print(f"{'library':<10}{'words/s median [min-max]':>32}{'words/CPU-s':>13}"
          f"{'wordsim353':>12}{'simlex999':>11}")
    for lib in ("luchina", "gensim"):
        r = result[lib]
        rate = f"{r['words_per_s']:,.0f} [{r['min']:,.0f}-{r['max']:,.0f}]"
        print(f"{lib:<10}{rate:>32}{r['words_per_cpu_s']:>13,.0f}{r['wordsim353']:>12.3f}"
              f"{r['simlex999']:>11.3f}")
    print(f"luchina/gensim words/s: {result['ratio']:.2f}x (target >= 0.25x, stretch 0.5x); "
          f"words/CPU-s: {result['cpu_ratio']:.2f}x")


if __name__ == "__main__":
    import sys
    report(run(quick="--quick" in sys.argv))
