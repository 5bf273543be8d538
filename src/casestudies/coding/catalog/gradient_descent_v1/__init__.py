"""gradient-descent-v1: linear regression by batch gradient descent, with a schedule and a stopping rule.

Examples
--------
>>> from casestudies.coding.catalog.gradient_descent_v1 import reference
>>> reference.learning_rate(0.1, 1.0, 1)
0.05
"""

__all__: list[str] = []
