"""Filters, facet counts, sorts and pages over a result list held in memory.

Searches fetch the whole candidate set once (cached per query and catalogue
version); refining it is pure Python, so changing a filter or a sort never
touches the database. Facet counts follow the usual rule: an option's count
is how many results there would be with that option chosen and every other
group's filters kept. One pass computes, per result, the bitmask of the
groups it fails; a result counts toward group g when it fails no group but g.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Group:
    """One filter group.

    mode:
    - "one": the result has one key; it must be among the chosen ones.
    - "subset": the result has several keys (airlines, connecting airports);
      every one must be chosen. A result with no key passes.
    - "has": the result must have every chosen key (amenities).
    - "flag": a yes/no filter; the key function returns a bool.
    - "min" / "max": the chosen value is a threshold on the key.
    - "range": (low, high) on the key; its facet is the span of keys.
    """

    name: str
    mode: str
    key: Callable[[Any], Any]
    options: Callable[[list], dict[str, str]] | dict[str, str] | None = None


def _active(group: Group, chosen) -> bool:
    if group.mode == "range":
        return chosen is not None and any(v is not None for v in chosen)
    if group.mode == "flag":
        return bool(chosen)
    if group.mode in ("min", "max"):
        return chosen is not None
    return bool(chosen)


def _passes(group: Group, chosen, value) -> bool:
    mode = group.mode
    if mode == "one":
        return value in chosen
    if mode == "subset":
        return all(v in chosen for v in value)
    if mode == "has":
        return chosen <= value
    if mode == "flag":
        return bool(value)
    if mode == "min":
        return value is not None and value >= chosen
    if mode == "max":
        return value is not None and value <= chosen
    low, high = chosen
    return (low is None or value >= low) and (high is None or value <= high)


@dataclass
class Refined:
    items: list  # this page
    total: int  # results after the filters
    unfiltered: int  # results before them
    page: int
    pages: int
    facets: dict[str, Any]
    relax: list[str]  # filter groups that, dropped alone, would bring results back


def refine(
    items: list,
    groups: Iterable[Group],
    chosen: dict[str, Any],
    sort_key: Callable[[Any], Any],
    page: int,
    per_page: int,
    reverse: bool = False,
) -> Refined:
    groups = list(groups)
    # Each group's key of each result, computed once.
    values = [[group.key(item) for item in items] for group in groups]
    active = [(bit, g) for bit, g in enumerate(groups) if _active(g, chosen.get(g.name))]
    masks = [0] * len(items)
    for bit, group in active:
        wanted, flag = chosen[group.name], 1 << bit
        for n, value in enumerate(values[bit]):
            if not _passes(group, wanted, value):
                masks[n] |= flag
    kept = [item for item, mask in zip(items, masks, strict=True) if mask == 0]
    facets = {}
    for bit, group in enumerate(groups):
        flag = ~(1 << bit)
        pool = [v for v, mask in zip(values[bit], masks, strict=True) if mask & flag == 0]
        facets[group.name] = _facet(group, pool, chosen.get(group.name), items)
    relax = []
    if not kept:
        for bit, group in active:
            if any(mask == 1 << bit for mask in masks):
                relax.append(group.name)
    kept.sort(key=sort_key, reverse=reverse)
    pages = max(1, -(-len(kept) // per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return Refined(
        kept[start : start + per_page], len(kept), len(items), page, pages, facets, relax
    )


def _facet(group: Group, pool: list, chosen, everything: list) -> Any:
    """Counts over `pool` (this group's keys of the results every other group lets
    through); the options come from `everything`, so an option never vanishes."""
    mode = group.mode
    if mode == "range":
        return {"min": min(pool), "max": max(pool)} if pool else {"min": None, "max": None}
    if mode == "flag":
        return {"count": sum(1 for value in pool if value)}
    options = group.options(everything) if callable(group.options) else dict(group.options or {})
    counts = dict.fromkeys(options, 0)
    if mode in ("min", "max"):
        ordered = sorted(value for value in pool if value is not None)
        for option in options:
            threshold = Decimal(option) if "." in option else int(option)
            if mode == "min":
                counts[option] = len(ordered) - bisect.bisect_left(ordered, threshold)
            else:
                counts[option] = bisect.bisect_right(ordered, threshold)
    else:
        selected = chosen or frozenset()
        for keys in pool:
            if mode == "one":
                keys = (keys,)
            if mode == "has" and not selected <= keys:
                continue
            for key in keys:
                if key in counts:
                    counts[key] += 1
    return [{"value": v, "label": label, "count": counts[v]} for v, label in options.items()]
