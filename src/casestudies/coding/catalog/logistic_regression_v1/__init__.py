"""logistic-regression-v1: logistic regression with L2 by Newton or gradient descent.

Examples
--------
>>> from casestudies.coding.catalog.logistic_regression_v1 import reference
>>> float(reference.sigmoid(0.0))
0.5
"""

__all__: list[str] = []
