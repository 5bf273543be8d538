"""preprocessing-v1: splits and k-fold without leakage, standardisation and one-hot encoding fitted on train only.

Examples
--------
>>> from casestudies.coding.catalog.preprocessing_v1 import reference
>>> [test.tolist() for _, test in reference.kfold_indices(5, n_splits=2)]
[[0, 1, 2], [3, 4]]
"""

__all__: list[str] = []
