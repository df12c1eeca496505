"""draw_graph / make_dot: well-formed SVG and DOT, one node per op, torchviz's node count."""

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

import luchina
from luchina import nn
from luchina.viz import draw_graph, make_dot

SVG = "{http://www.w3.org/2000/svg}"


def graph_counts(out):
    """(op nodes, leaves requiring grad) of a torch or luchina graph, via next_functions."""
    ops, leaves = set(), set()
    stack = [out.grad_fn]
    while stack:
        fn = stack.pop()
        if hasattr(fn, "variable"):
            leaves.add(id(fn.variable))
            continue
        if id(fn) in ops:
            continue
        ops.add(id(fn))
        stack.extend(f for f, _ in fn.next_functions if f is not None)
    return len(ops), len(leaves)


def torchviz_count(out):
    """The nodes torchviz's make_dot draws: ops, an AccumulateGrad and a box per leaf, output."""
    ops, leaves = graph_counts(out)
    return ops + 2 * leaves + 1


def parse_dot(src):
    """A small DOT reader: {id: attrs} and [(tail, head, attrs)]; asserts the syntax."""
    assert src.startswith("digraph {") and src.rstrip().endswith("}")
    ident = r'(?:[A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*")'
    attr = rf'{ident}={ident}'
    attrs = rf'\[((?:{attr})(?: {attr})*)\]'
    nodes, edges = {}, []
    for line in src.strip().split("\n")[1:-1]:
        line = line.strip()
        if re.fullmatch(rf"(graph|node) {attrs}", line):
            continue
        m = re.fullmatch(rf"({ident}) -> ({ident})(?: {attrs})?", line)
        if m:
            edges.append((m.group(1), m.group(2), m.group(3) or ""))
            continue
        m = re.fullmatch(rf"({ident}) {attrs}", line)
        assert m, f"not a DOT statement: {line!r}"
        assert m.group(1) not in nodes, "node declared twice"
        nodes[m.group(1)] = m.group(2)
    for a, b, _ in edges:
        assert a in nodes and b in nodes, f"edge {a} -> {b} to an undeclared node"
    return nodes, edges


def mlp_loss(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 3))
    x = lib.randn(5, 4)
    y = lib.tensor([0, 1, 2, 1, 0])
    return model, lib.nn.CrossEntropyLoss()(model(x), y)


def svg_nodes(svg, kind):
    root = ET.fromstring(svg.encode("utf-8"))
    return [g for g in root.iter(SVG + "g") if g.get("class") == f"node {kind}"]


def svg_text(svg):
    return " ".join(t.text or "" for t in ET.fromstring(svg.encode()).iter(SVG + "text"))


def test_mlp_svg_is_xml_with_one_node_per_op_and_parameter_names():
    model, loss = mlp_loss(luchina)
    d = draw_graph(loss, show_values=True, show_grads=True, show_saved=True)
    svg = d.svg()
    n_ops, n_leaves = graph_counts(loss)
    assert len(svg_nodes(svg, "op")) == n_ops
    assert len(svg_nodes(svg, "leaf")) == n_leaves == 4
    assert len(svg_nodes(svg, "output")) == 1
    text = svg_text(svg)
    for name in ("0.weight", "0.bias", "2.weight", "2.bias", "AddmmBackward0", "NllLossBackward0"):
        assert name in text
    assert len(ET.fromstring(svg.encode()).findall(f".//{SVG}path[@class='edge']")) == \
        len(d.edges)
    nodes, edges = parse_dot(d.source)
    assert len(nodes) == len(d.nodes) and len(edges) == len(d.edges)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.fc2 = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc2(luchina.relu(self.fc1(x)))


def test_named_module_paths_depth_and_params():
    net = Net()
    out = net(luchina.randn(2, 3)).sum()
    text = svg_text(draw_graph(out).svg())
    assert "fc1.weight" in text and "fc2.bias" in text
    whole = draw_graph(out, depth=0)
    assert [n.kind for n in whole.nodes].count("module") == 1
    assert "Net" in whole.source and "fc1.weight" not in whole.source
    per_layer = draw_graph(out, depth=1)
    mods = [n for n in per_layer.nodes if n.kind == "module"]
    assert sorted(n.lines[0] for n in mods) == ["fc1: Linear", "fc2: Linear"]
    assert any(n.lines[0] == "ReluBackward0" for n in per_layer.nodes)
    named = draw_graph(out, params={"a<b&\"c\"": net.fc1.weight})
    assert 'a<b&"c"' in svg_text(named.svg())        # escaped in SVG, parsed back intact
    parse_dot(named.source)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program not installed")
def test_dot_program_accepts_the_source():
    _, loss = mlp_loss(luchina)
    for d in (draw_graph(loss, show_values=True, show_saved=True),
              make_dot(loss, show_attrs=True, show_saved=True)):
        res = subprocess.run(["dot", "-Tsvg"], input=d.source.encode(), capture_output=True)
        assert res.returncode == 0, res.stderr
        ET.fromstring(res.stdout)
        ET.fromstring(d.svg(engine="dot").encode())


def test_make_dot_node_count_matches_torchviz_on_the_same_torch_graph():
    torch = pytest.importorskip("torch")

    def build(lib):
        x, y, z = (lib.tensor([v], requires_grad=True) for v in (1.0, 2.0, 3.0))
        a = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        yield (x + y) * (y - z)
        w = lib.tensor(2.0, requires_grad=True)
        yield 1 / (1 + lib.exp(-1 * (w * x + y * z + w)))
        yield (lib.tanh(a) * a).sum() + lib.sigmoid(a).mean()

    for ours, theirs in zip(build(luchina), build(torch)):
        nodes, _ = parse_dot(make_dot(ours).source)
        assert len(nodes) == torchviz_count(theirs) == torchviz_count(ours)
    _, loss = mlp_loss(luchina)   # fused ops: compare with luchina's own next_functions
    nodes, edges = parse_dot(make_dot(loss).source)
    assert len(nodes) == torchviz_count(loss)
    assert sum(1 for _, _, a in edges if "dir=none" in a) == 0


def test_dag_several_outputs_and_leaves():
    x = luchina.tensor([1.0, 2.0], requires_grad=True)
    a = x * x                                  # shared by b and c: drawn once
    b = a + a
    c = a * b
    d = draw_graph({"b": b, "c": c}, show_values=True)
    ops = [n.lines[0] for n in d.nodes if n.kind == "op"]
    assert sorted(ops) == ["AddBackward0", "MulBackward0", "MulBackward0"]
    assert [n.lines[0] for n in d.nodes if n.kind == "output"] == ["b", "c"]
    assert [n.lines[0] for n in d.nodes if n.kind == "leaf"] == ["x"]
    assert len(draw_graph([b, c]).nodes) == len(draw_graph((b, c)).nodes) == 6
    plain = draw_graph(luchina.ones(3))        # no grad at all: one output node
    assert [n.kind for n in plain.nodes] == ["output"]
    ET.fromstring(plain.svg().encode())
    leaf = draw_graph(x)                       # a leaf that requires grad, alone
    assert [n.kind for n in leaf.nodes] == ["output"]
    assert len(make_dot(x).nodes) == 1


def test_values_and_grads_for_tiny_and_large_tensors():
    w = luchina.tensor([2.0, -3.0], requires_grad=True)
    big = luchina.ones(10, 10, requires_grad=True)
    out = (w * w).sum() + big.sum()
    d = draw_graph(out, show_values=True, show_grads=True)
    leaf = next(n for n in d.nodes if n.lines[0] == "w")
    assert leaf.lines[2:] == ["value [2, -3]", "grad [4, -6]"]
    big_node = next(n for n in d.nodes if n.lines[0] == "big")
    assert big_node.lines[2] == "value min 1 mean 1 max 1 norm 10"
    assert w.grad is None


def test_deep_chain_and_save(tmp_path):
    h = luchina.tensor([0.5], requires_grad=True)
    for _ in range(1000):
        h = luchina.tanh(h) * 1.01
    d = draw_graph(h)
    assert len(svg_nodes(d.svg(), "op")) == 2000
    assert len(parse_dot(make_dot(h).source)[0]) == 2003
    small = draw_graph(luchina.tensor(1.0, requires_grad=True) * 2)
    for ext in ("svg", "dot", "html"):
        p = small.save(tmp_path / f"g.{ext}")
        assert (tmp_path / f"g.{ext}").read_text().strip()
        assert p.endswith(ext)
    ET.parse(tmp_path / "g.svg")
    with pytest.raises(ValueError, match=r"\.svg, \.dot"):
        small.save(tmp_path / "g.png")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["g.dot", "g.html", "g.svg"]
    assert small._repr_svg_().startswith("<?xml") and "<svg" in small._repr_html_()


def test_bad_arguments():
    with pytest.raises(TypeError, match="draw_graph: outputs must be"):
        draw_graph(3)
    with pytest.raises(TypeError, match="params"):
        draw_graph(luchina.ones(1), params=5)
    with pytest.raises(ValueError, match="depth"):
        draw_graph(luchina.ones(1), depth=-1)
    with pytest.raises(ValueError, match="engine"):
        draw_graph(luchina.ones(1)).svg(engine="neato")
