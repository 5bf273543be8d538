"""metrics-v1: classification and regression metrics from scratch, zero divisions and ties included.

Examples
--------
>>> from casestudies.coding.catalog.metrics_v1 import reference
>>> reference.roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.1, 0.9])
0.875
"""

__all__: list[str] = []
