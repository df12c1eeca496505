"""SVG rendering of a laid-out graph: boxes sized to their text, curved edges with arrowheads."""

from xml.sax.saxutils import escape, quoteattr

from luchina.viz._layout import layout

__all__ = ["render_svg", "box_size", "COLOURS"]

FONT_SIZE = 10.0
CHAR_W = 6.0      # monospace advance at 10px
LINE_H = 12.0
PAD_X = 8.0
PAD_Y = 5.0

# Graphviz's X11 colour names -> SVG hex colours
COLOURS = {"lightgrey": "#d3d3d3", "lightblue": "#add8e6", "orange": "#ffa500",
           "darkolivegreen1": "#caff70", "darkolivegreen3": "#a2cd5a", "white": "#ffffff",
           "lightyellow": "#ffffe0", "plum": "#dda0dd"}


def box_size(lines):
    chars = max((len(s) for s in lines), default=1)
    return (chars * CHAR_W + 2 * PAD_X, max(1, len(lines)) * LINE_H + 2 * PAD_Y)


def _f(v):
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _path(pts):
    """A smooth path through the points, leaving and entering boxes vertically."""
    (x0, y0) = pts[0]
    out = [f"M{_f(x0)},{_f(y0)}"]
    for (xa, ya), (xb, yb) in zip(pts, pts[1:]):
        my = (ya + yb) / 2
        out.append(f"C{_f(xa)},{_f(my)} {_f(xb)},{_f(my)} {_f(xb)},{_f(yb)}")
    return " ".join(out)


def render_svg(nodes, edges):
    """nodes: objects with .key .kind .lines .color; edges: .src .dst (indices) .style .arrow."""
    sizes = [box_size(n.lines) for n in nodes]
    lay = layout(sizes, [(e.src, e.dst) for e in edges])
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(lay.width)}pt" '
           f'height="{_f(lay.height)}pt" viewBox="0 0 {_f(lay.width)} {_f(lay.height)}" '
           f'font-family="monospace" font-size="{_f(FONT_SIZE)}">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           'fill="#000000"/></marker></defs>',
           f'<rect width="{_f(lay.width)}" height="{_f(lay.height)}" fill="#ffffff"/>',
           '<g class="edges">']
    for e, pts in zip(edges, lay.routes):
        if len(pts) < 2:
            continue
        dash = {"dashed": ' stroke-dasharray="5,3"', "dotted": ' stroke-dasharray="1,3"'}.get(
            e.style, "")
        marker = ' marker-end="url(#arrow)"' if e.arrow else ""
        out.append(f'<path class="edge" data-src={quoteattr(nodes[e.src].key)} '
                   f'data-dst={quoteattr(nodes[e.dst].key)} d="{_path(pts)}" fill="none" '
                   f'stroke="#000000"{dash}{marker}/>')
    out.append('</g><g class="nodes">')
    for n, (w, h), x, y in zip(nodes, sizes, lay.x, lay.y):
        fill = COLOURS.get(n.color, n.color)
        out.append(f'<g class="node {n.kind}" id={quoteattr(n.key)}>'
                   f'<title>{escape(n.lines[0] if n.lines else n.key)}</title>'
                   f'<rect x="{_f(x - w / 2)}" y="{_f(y - h / 2)}" width="{_f(w)}" '
                   f'height="{_f(h)}" fill={quoteattr(fill)} stroke="#000000"/>')
        ty = y - h / 2 + PAD_Y + LINE_H * 0.8
        for k, line in enumerate(n.lines):
            weight = ' font-weight="bold"' if k == 0 else ""
            out.append(f'<text x="{_f(x - w / 2 + PAD_X)}" y="{_f(ty + k * LINE_H)}"'
                       f'{weight} xml:space="preserve">{escape(line)}</text>')
        out.append("</g>")
    out.append("</g></svg>")
    return "\n".join(out) + "\n"
