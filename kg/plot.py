"""`kg stats --plot`: one figure with entities per type, posts per level and initiatives
per province (matplotlib, Agg backend, so it works with no screen)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import OutputError
from kg.view import LEVEL_NAMES, STYLES, anchor_places, province_of

if TYPE_CHECKING:
    import networkx as nx

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei",
             "Source Han Sans SC", "SimHei", "Microsoft YaHei")
TOP_PROVINCES = 15


@dataclass(frozen=True)
class Plot:
    path: Path
    font: str | None  # the CJK font used, None when none was found (labels may show boxes)
    counts: dict[str, dict[str, int]]  # the three panels' data


def counts(nxg: nx.MultiDiGraph) -> dict[str, dict[str, int]]:
    """Entities per type; posts (holdsPost facts) per level of the place the post's
    organisation sits in; initiatives per province of whoever launched them."""
    places = anchor_places(nxg)
    by_type = Counter(d["type"] for _, d in nxg.nodes(data=True))
    posts: Counter[str] = Counter()
    for _, target, d in nxg.edges(data=True):
        if d["relation"] == "holdsPost":
            place = places.get(target)
            posts[nxg.nodes[place].get("level") or "unknown" if place else "unknown"] += 1
    initiatives: Counter[str] = Counter()
    for node, d in nxg.nodes(data=True):
        if d["type"] == "Initiative":
            place = places.get(node)
            initiatives[(province_of(nxg, place) if place else "") or "unknown"] += 1
    order = list(LEVEL_NAMES) + ["unknown"]
    return {"types": {k: by_type[k] for k in STYLES if by_type[k]},
            "posts": {k: posts[k] for k in sorted(posts, key=lambda k: (
                order.index(k) if k in order else len(order), k))},
            "initiatives": dict(sorted(initiatives.items(), key=lambda kv: (-kv[1], kv[0])))}


def cjk_font() -> str | None:
    """The first installed CJK font matplotlib knows, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def write_plot(nxg: nx.MultiDiGraph, path: str | Path, *, title: str = "基层治理知识图谱"
               ) -> Plot:
    """Draw the three panels as one PNG (or any format matplotlib knows by extension)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data, font = counts(nxg), cjk_font()
    rc = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
          "axes.unicode_minus": False}
    with plt.rc_context(rc):
        fig, axes = plt.subplots(1, 3, figsize=(15, 5.5), layout="constrained")
        kinds = data["types"]
        _bars(axes[0], [f"{STYLES[k][2]}\n{k}" for k in kinds], list(kinds.values()),
              [STYLES[k][0] for k in kinds], "实体 · entities per type")
        posts = data["posts"]
        _bars(axes[1], [f"{LEVEL_NAMES.get(k, '未知')}\n{k}" for k in posts],
              list(posts.values()), "#4e79a7", "职务 · posts per level of the place")
        shown = dict(list(data["initiatives"].items())[:TOP_PROVINCES])
        _bars(axes[2], [("未知" if k == "unknown" else k) for k in shown], list(shown.values()),
              STYLES["Initiative"][0], "举措 · initiatives per province", horizontal=True)
        fig.suptitle(f"{title}  ·  {nxg.number_of_nodes()} 个实体 · "
                     f"{nxg.number_of_edges()} 条关系")
        target = Path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(target, dpi=110)
        except (OSError, ValueError) as exc:
            raise OutputError(f"{target}: cannot write the plot ({exc}); choose another "
                              "path with --plot (.png, .svg or .pdf)") from None
        finally:
            plt.close(fig)
    return Plot(target, font, data)


def _bars(ax, labels: list[str], values: list[int], colour, title: str, *,  # type: ignore[no-untyped-def]
          horizontal: bool = False) -> None:
    ax.set_title(title)
    if not values:
        ax.text(0.5, 0.5, "（无数据 · no data）", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return
    if horizontal:
        bars = ax.barh(labels[::-1], values[::-1], color=colour)
    else:
        bars = ax.bar(labels, values, color=colour)
    ax.bar_label(bars, padding=2)
    ax.tick_params(labelsize=9)
    ax.spines[["top", "right"]].set_visible(False)
