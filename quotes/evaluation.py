"""Scoring the statement suggestions against the curated statements (`make eval-statements`).

The gold: the curated statements, each the set of its appearances. The run: the suggestions
made from scratch (every quote out of its statement, no suggestion yet), confirmed all at once
in the mind: each group of quotes the suggestions link, directly or through others (the
connected components of the suggestion graph), is what confirming them would make a statement
of. Scored on pairs of quotes:

- pair precision and recall: of the pairs of quotes put in one group, how many the curators
  put in one statement, and of the curators' pairs, how many are in one group;
- suggestion precision: of the suggestions themselves, how many pair two appearances of one
  curated statement;
- statements found: the curated statements at least two of whose appearances are in one group
  (complete: all of them).
"""

from dataclasses import dataclass, field
from itertools import combinations


@dataclass
class StatementScore:
    suggestions: int = 0
    correct_suggestions: int = 0
    predicted_pairs: int = 0
    gold_pairs: int = 0
    correct_pairs: int = 0
    statements: int = 0
    found: int = 0
    complete: int = 0
    by_method: dict = field(default_factory=dict)  # method: (suggestions, correct)
    missed: list = field(default_factory=list)  # (statement, quote pks not reached)
    wrong: list = field(default_factory=list)  # suggestions pairing two statements' quotes

    @staticmethod
    def ratio(a, b):
        return a / b if b else 0.0

    @property
    def pair_precision(self):
        return self.ratio(self.correct_pairs, self.predicted_pairs)

    @property
    def pair_recall(self):
        return self.ratio(self.correct_pairs, self.gold_pairs)

    @property
    def pair_f1(self):
        p, r = self.pair_precision, self.pair_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def suggestion_precision(self):
        return self.ratio(self.correct_suggestions, self.suggestions)

    @property
    def statement_recall(self):
        return self.ratio(self.found, self.statements)


def pairs_of(groups) -> set[frozenset]:
    return {frozenset(pair) for group in groups for pair in combinations(sorted(group), 2)}


def components(edges) -> list[set]:
    """The groups of nodes that `edges` link, directly or through others."""
    parent: dict = {}

    def root(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in edges:
        parent[root(a)] = root(b)
    groups: dict = {}
    for node in parent:
        groups.setdefault(root(node), set()).add(node)
    return list(groups.values())


def score(gold: dict[str, set], suggestions: list[tuple[int, int, str]]) -> StatementScore:
    """`gold`: {statement: its appearances (quote pks)}; `suggestions`: (quote, quote, method)."""
    result = StatementScore(statements=len(gold), suggestions=len(suggestions))
    member = {pk: name for name, pks in gold.items() for pk in pks}
    for a, b, method in suggestions:
        right = member.get(a) is not None and member.get(a) == member.get(b)
        result.correct_suggestions += right
        total, correct = result.by_method.get(method, (0, 0))
        result.by_method[method] = (total + 1, correct + right)
        if not right:
            result.wrong.append((a, b, method))
    groups = components((a, b) for a, b, _method in suggestions)
    predicted, curated = pairs_of(groups), pairs_of(gold.values())
    result.predicted_pairs, result.gold_pairs = len(predicted), len(curated)
    result.correct_pairs = len(predicted & curated)
    for name, pks in sorted(gold.items()):
        best = max((len(pks & group) for group in groups), default=0)
        result.found += best >= 2
        result.complete += best == len(pks)
        reached = set().union(*(group for group in groups if len(pks & group) >= 2), set())
        if pks - reached:
            result.missed.append((name, sorted(pks - reached)))
    return result
