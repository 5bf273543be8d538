"""knn-kmeans-v1: a k-nearest-neighbours classifier and k-means, and how they differ.

Examples
--------
>>> from casestudies.coding.catalog.knn_kmeans_v1 import reference
>>> reference.pairwise_sq_distances([[0.0, 0.0]], [[3.0, 4.0]]).tolist()
[[25.0]]
"""

__all__: list[str] = []
