"""The mutants of the coding exercises, kept as data: one ``<exercise folder>.toml`` per exercise.

A mutant is the exercise's reference solution with one plausible mistake. Its
file entry names it, says what the mistake is, names the hidden test that must
catch it (``caught_by``) and gives the mistake as exact text edits on the
reference (``old`` -> ``new``; a few lines, or a whole function body for the
larger mistakes). :meth:`Mutant.source` applies them and fails loudly when the
reference has drifted: each ``old`` text must occur exactly once in the
reference, and the edited code must differ from the reference's, so a
reference change can never leave a "mutant" that is the reference itself.
"""

from __future__ import annotations

import ast
import sys
import types
from dataclasses import dataclass
from pathlib import Path

from casestudies.coding import exercise

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 installs tomli (pyproject.toml)
    import tomli as tomllib

HERE = Path(__file__).parent


class MutantDrift(AssertionError):
    """A mutant's edits no longer apply to its exercise's reference solution, or change nothing in it."""


@dataclass(frozen=True)
class Edit:
    """Replace the text ``old`` (which must occur exactly once) by ``new``."""

    old: str
    new: str


@dataclass(frozen=True)
class Mutant:
    """One plausible mistake in an exercise's reference solution, and the hidden test that must catch it."""

    exercise: str  # the exercise id, e.g. "metrics-v1"
    file: Path  # the data file it comes from, for messages
    name: str
    mistake: str
    caught_by: str
    edits: tuple[Edit, ...]

    @property
    def label(self) -> str:
        """``<exercise folder>/<name>``: the test id."""
        return f"{self.file.stem}/{self.name}"

    def source(self) -> str:
        """The reference solution's source with this mutant's edits applied."""
        reference = exercise(self.exercise).reference.read_text(encoding="utf-8")
        return apply_edits(reference, self.edits, f"mutant {self.name!r} in {self.file.name}")

    def load(self, module_name: str) -> types.ModuleType:
        """Import :meth:`source` as the module ``module_name`` (registered in ``sys.modules``, as dataclasses need)."""
        module = types.ModuleType(module_name)
        sys.modules[module_name] = module
        exec(compile(self.source(), f"<{self.label}>", "exec"), module.__dict__)
        return module


def apply_edits(reference: str, edits: tuple[Edit, ...], what: str) -> str:
    """``reference`` with every edit applied in turn; :class:`MutantDrift` if one cannot apply or all change nothing."""
    mutated = reference
    for edit in edits:
        found, left = reference.count(edit.old), mutated.count(edit.old)
        if found != 1 or left != 1:
            where = "the reference" if found != 1 else "the reference after the previous edits"
            raise MutantDrift(
                f"{what}: expected the text {edit.old!r} exactly once in {where}, found it "
                f"{found if found != 1 else left} times. Update the edit's `old` text to the reference's current "
                "code (enough of it to be unique) and check the mutant still makes its mistake."
            )
        mutated = mutated.replace(edit.old, edit.new)
    if ast.dump(ast.parse(mutated)) == ast.dump(ast.parse(reference)):
        raise MutantDrift(
            f"{what}: expected its edits to change the reference's code, but the edited source parses to the "
            "same program. Give the mutant an edit that makes its mistake."
        )
    return mutated


def load_mutants(folder: Path = HERE) -> tuple[Mutant, ...]:
    """Every mutant in ``folder/*.toml``, by file then in file order; labels are unique."""
    mutants = []
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for entry in data["mutant"]:
            edits = tuple(Edit(item["old"], item["new"]) for item in entry["edit"])
            mutants.append(Mutant(data["exercise"], path, entry["name"], entry["mistake"], entry["caught_by"], edits))
    labels = [mutant.label for mutant in mutants]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise MutantDrift(f"expected one mutant per name in each file; found {repeated} more than once. Rename them.")
    return tuple(mutants)
