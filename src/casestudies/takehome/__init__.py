"""Take-home tasks for interviewers: per-candidate bundles, a private answer key, grading.

:func:`create_takehome` writes one bundle per candidate (their own hidden
variant of a scenario) and the interviewer's key; :func:`grade_takehome`
checks that nothing changed, scores a submission on the hidden holdout and
writes grading reports; :func:`check_takehome` is the scenario contract's
round trip through both.

Inside the folder: ``_create`` (the front door, :class:`Takehome`),
``_variant`` (secrets, disguised ids, commitments), ``_difficulty`` (equal
difficulty across variants), ``_rubric`` (rubrics as data), ``_content``
(what the README, notebook and key say), ``_bundle`` (writing the files),
``_layout`` (file names, checksums, private files), ``_seal`` (what the
bundles' commitment covers of the key), ``_verify`` (integrity of key and
bundle), ``_grade`` (grading and the round trip), ``_results`` (grades and
their reports), ``_diagnosis`` (diagnosis graders), ``_check`` (the round
trip's checks).

Examples
--------
>>> from casestudies.takehome import takehome_rubric
>>> rubric = takehome_rubric("fraud-v1")
>>> rubric.items[0].topic, rubric.items[0].points
('Accuracy misleads', 2.0)
"""

from __future__ import annotations

from casestudies._public import present_as_public
from casestudies.takehome._create import Takehome, create_takehome
from casestudies.takehome._grade import check_takehome, grade_takehome
from casestudies.takehome._results import CandidateGrade, Grading
from casestudies.takehome._rubric import Rubric, takehome_rubric

__all__ = [
    "CandidateGrade",
    "Grading",
    "Rubric",
    "Takehome",
    "check_takehome",
    "create_takehome",
    "grade_takehome",
    "takehome_rubric",
]

present_as_public(CandidateGrade, Grading, Rubric, Takehome, create_takehome, grade_takehome, takehome_rubric)
