"""The exercises' catalog folders: one package per exercise, holding data files, a reference and a battery.

See :mod:`casestudies.coding._catalog` for what each folder holds.

Examples
--------
>>> from importlib import resources
>>> resources.files("casestudies.coding.catalog").joinpath("metrics_v1", "exercise.toml").is_file()
True
"""

__all__: list[str] = []
