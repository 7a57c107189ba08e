"""Who cooperates with whom: actors linked by shared working groups and agreements."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from .models import Actor, CooperationAgreement, GroupMember


@dataclass
class Edge:
    a: Actor
    b: Actor
    groups: list[str] = field(default_factory=list)
    agreements: list[str] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return len(self.groups) + len(self.agreements)


@dataclass
class Graph:
    nodes: list[Actor]
    edges: list[Edge]

    def layout(self, size: int = 640, margin: int = 90) -> dict[str, Any]:
        """Place the actors on a circle (most connected first) for an SVG drawing."""
        radius = size / 2 - margin
        centre = size / 2
        degree: dict[int, int] = defaultdict(int)
        for edge in self.edges:
            degree[edge.a.pk] += edge.weight
            degree[edge.b.pk] += edge.weight
        ordered = sorted(self.nodes, key=lambda n: (-degree[n.pk], n.name))
        points = {}
        for i, node in enumerate(ordered):
            angle = 2 * math.pi * i / max(1, len(ordered)) - math.pi / 2
            points[node.pk] = (
                round(centre + radius * math.cos(angle), 1),
                round(centre + radius * math.sin(angle), 1),
                "start" if math.cos(angle) >= 0 else "end",
            )
        return {
            "size": size,
            "nodes": [
                {
                    "actor": n,
                    "x": points[n.pk][0],
                    "y": points[n.pk][1],
                    "anchor": points[n.pk][2],
                    "degree": degree[n.pk],
                }
                for n in ordered
            ],
            "edges": [
                {
                    "x1": points[e.a.pk][0],
                    "y1": points[e.a.pk][1],
                    "x2": points[e.b.pk][0],
                    "y2": points[e.b.pk][1],
                    "weight": e.weight,
                }
                for e in self.edges
            ],
        }


def cooperation_graph(actors: Any, *, field_of_action: str = "", municipality: Any = None) -> Graph:
    """Return the graph of ``actors`` (a queryset the caller may see), optionally filtered.

    Two actors cooperate when they sit in the same working group or are partners of the same
    cooperation agreement. The filters choose the actors; edges are kept between chosen ones.
    """
    if field_of_action:
        actors = actors.filter(fields_of_action__icontains=f'"{field_of_action}"')
    if municipality is not None:
        actors = actors.filter(municipality=municipality)
    chosen = {a.pk: a for a in actors.filter(is_active=True)}
    pairs: dict[tuple[int, int], Edge] = {}

    def link(members: dict[str, set[int]], kind: str) -> None:
        for label, ids in members.items():
            for a, b in combinations(sorted(ids & chosen.keys()), 2):
                edge = pairs.setdefault((a, b), Edge(chosen[a], chosen[b]))
                getattr(edge, kind).append(label)

    by_group: dict[str, set[int]] = defaultdict(set)
    for group_name, actor_id in GroupMember.objects.filter(
        actor_id__in=chosen, group__is_active=True
    ).values_list("group__name", "actor_id"):
        by_group[group_name].add(actor_id)
    link(by_group, "groups")

    by_agreement: dict[str, set[int]] = defaultdict(set)
    for title, actor_id in CooperationAgreement.partners.through.objects.filter(
        actor_id__in=chosen
    ).values_list("cooperationagreement__title", "actor_id"):
        by_agreement[title].add(actor_id)
    link(by_agreement, "agreements")

    linked = {pk for pair in pairs for pk in pair}
    nodes = sorted((chosen[pk] for pk in linked), key=lambda a: a.name)
    edges = sorted(pairs.values(), key=lambda e: (-e.weight, e.a.name, e.b.name))
    return Graph(nodes, edges)
