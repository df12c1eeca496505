"""DOT text (Graphviz's language) for a graph, in the layout graphviz.Digraph.source has."""

__all__ = ["to_dot", "quote"]

NODE_ATTR = {"align": "left", "fontname": "monospace", "fontsize": "10", "height": "0.2",
             "ranksep": "0.1", "shape": "box", "style": "filled"}


def quote(s):
    """A DOT ID: bare when it is a plain identifier or number, else a quoted string."""
    s = str(s)
    if s and (s.isidentifier() or s.replace(".", "", 1).isdigit()) and s.isascii():
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(d):
    return " ".join(f"{k}={quote(v)}" for k, v in d.items())


def to_dot(nodes, edges, size=None):
    """nodes: .key .lines .color; edges: .src .dst (indices) .style .arrow."""
    rows = len(nodes) + len(edges)
    if size is None:  # as torchviz's resize_graph: 0.15 inch per statement, at least 12
        size = max(12.0, rows * 0.15)
    out = ["digraph {", f"\tgraph [size={quote(f'{size:g},{size:g}')}]",
           f"\tnode [{_attrs(NODE_ATTR)}]"]
    for n in nodes:
        attrs = {"label": "\n".join(n.lines)}
        if n.color != "lightgrey":
            attrs["fillcolor"] = n.color
        out.append(f"\t{quote(n.key)} [{_attrs(attrs)}]")
    for e in edges:
        attrs = {}
        if not e.arrow:
            attrs["dir"] = "none"
        if e.style != "solid":
            attrs["style"] = e.style
        tail = f" [{_attrs(attrs)}]" if attrs else ""
        out.append(f"\t{quote(nodes[e.src].key)} -> {quote(nodes[e.dst].key)}{tail}")
    out.append("}")
    return "\n".join(out) + "\n"
