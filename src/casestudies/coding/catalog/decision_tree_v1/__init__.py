"""decision-tree-v1: a decision tree classifier with Gini and entropy, max_depth and min_samples_leaf.

Examples
--------
>>> from casestudies.coding.catalog.decision_tree_v1 import reference
>>> reference.gini([0, 0, 1, 1])
0.5
"""

__all__: list[str] = []
