"""The learner's own copies of a case's frames, made when first read.

``make`` keeps the frames it generated (everything is scored from them) and
hands the learner copies to edit freely. Copying is deferred to the first
read of ``case.train`` or ``case.test``: a case only evaluated, scored or
exported never copies its frames. Assigning replaces the copy, as with any
attribute.

Examples
--------
>>> import pandas as pd
>>> class Holder:
...     frame = OwnCopy("_frame")
...     def __init__(self) -> None:
...         self._frame = pd.DataFrame({"x": [1, 2]})
>>> holder = Holder()
>>> OwnCopy.made(holder, "frame")
False
>>> holder.frame.loc[0, "x"] = 9
>>> int(holder._frame.loc[0, "x"]), int(holder.frame.loc[0, "x"]), OwnCopy.made(holder, "frame")
(1, 9, True)
"""

from __future__ import annotations

from typing import Any, overload

import pandas as pd

__all__ = ["OwnCopy"]

_PREFIX = "_own_"
"""The instance attribute that holds a copy: this prefix and the public name."""


class OwnCopy:
    """A data-frame attribute whose value is a copy of the private frame ``source``, made on first read.

    Parameters
    ----------
    source : str
        Name of the instance attribute holding the frame to copy.

    Examples
    --------
    >>> import pandas as pd
    >>> class Holder:
    ...     frame = OwnCopy("_frame")
    ...     def __init__(self) -> None:
    ...         self._frame = pd.DataFrame({"x": [1, 2]})
    >>> holder = Holder()
    >>> holder.frame is holder.frame, holder.frame is holder._frame
    (True, False)
    """

    def __init__(self, source: str) -> None:
        self._source = source
        self._slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = _PREFIX + name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> OwnCopy: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> pd.DataFrame: ...

    def __get__(self, obj: object, owner: type | None = None) -> OwnCopy | pd.DataFrame:
        if obj is None:
            return self
        values = vars(obj)
        if self._slot not in values:
            source: pd.DataFrame = getattr(obj, self._source)
            values[self._slot] = source.copy()
        frame: pd.DataFrame = values[self._slot]
        return frame

    def __set__(self, obj: object, value: Any) -> None:
        vars(obj)[self._slot] = value

    @staticmethod
    def made(obj: object, name: str) -> bool:
        """Whether ``obj.<name>`` has been read or assigned (else it still equals its source by construction).

        Examples
        --------
        >>> import pandas as pd
        >>> class Holder:
        ...     frame = OwnCopy("_frame")
        >>> holder = Holder()
        >>> holder._frame = pd.DataFrame({"x": [1]})
        >>> OwnCopy.made(holder, "frame"), len(holder.frame), OwnCopy.made(holder, "frame")
        (False, 1, True)
        """
        return _PREFIX + name in vars(obj)
