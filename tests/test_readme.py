"""The README's headline command, read from the README and run with the installed script, does what the README says.

"Set up" promises that ``casestudies evaluate fraud-v1 --seed 7 --pipeline
simple`` scores a real pipeline end to end: public and private holdout scores
with 95 % confidence intervals, the baselines, the expert reference, the oracle
and what the numbers mean. The command is parsed out of the README (a changed
README is tested as changed) and run like a user would, next to the same
command with ``--json``, which gives every number the text rounds.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from _tools import clean_environment, installed_script

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TIMEOUT = 300  # seconds; the command takes 10-20 s on 2 cores

pytestmark = pytest.mark.slow


def setup_commands(readme: str) -> list[list[str]]:
    """The commands of the first code block under "## Set up", in order (``&&`` separates them)."""
    section = readme.split("\n## Set up\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"^```(?:bash|sh|console)?\n(.*?)^```", section, flags=re.DOTALL | re.MULTILINE)
    assert block is not None, "no code block under '## Set up' in README.md"
    return [shlex.split(step) for step in block.group(1).replace("\\\n", " ").split("&&")]


def headline_command(readme: str) -> list[str]:
    """The ``casestudies ...`` command of the set-up block, after the step that installs the package."""
    commands = setup_commands(readme)
    assert commands[0][:4] == ["python", "-m", "pip", "install"], commands  # CI installed it: pip install ".[test]"
    (command,) = [words for words in commands if words[0] == "casestudies"]
    return command


@dataclass(frozen=True)
class Headline:
    args: list[str]
    code: int
    text: str
    err: str
    json_code: int
    json_out: str
    json_err: str

    @property
    def data(self) -> dict[str, Any]:
        """The report of ``--json``; the test fails with the command's message if it did not run."""
        assert self.json_code == 0, f"`casestudies {shlex.join(self.args)} --json` failed: {self.json_err}"
        data: dict[str, Any] = json.loads(self.json_out)
        return data


@pytest.fixture(scope="module")
def headline(tmp_path_factory: pytest.TempPathFactory) -> Headline:
    """The headline command as printed, and the same command with ``--json``, run at the same time."""
    args = headline_command(README.read_text(encoding="utf-8"))[1:]
    script, env, folder = installed_script(), clean_environment(), tmp_path_factory.mktemp("readme")
    outputs = {name: (folder / f"{name}.out", folder / f"{name}.err") for name in ("text", "json")}
    processes = {}
    for name, extra in (("text", []), ("json", ["--json"])):
        out_path, err_path = outputs[name]
        with out_path.open("w", encoding="utf-8") as stdout, err_path.open("w", encoding="utf-8") as stderr:
            processes[name] = subprocess.Popen(  # from the clone, as "Set up" says
                [script, *args, *extra], cwd=ROOT, env=env, stdout=stdout, stderr=stderr
            )
    try:
        codes = {name: process.wait(timeout=TIMEOUT) for name, process in processes.items()}
    finally:  # a timeout leaves nothing running
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
    text, err, json_out, json_err = (path.read_text(encoding="utf-8") for pair in outputs.values() for path in pair)
    return Headline(args, codes["text"], text, err, codes["json"], json_out, json_err)


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def rows_of_the_table(text: str) -> dict[str, list[str]]:
    """Label -> cells of the score table: public, private, [low, high], then the whole-holdout metrics."""
    rows = {}
    for line in text.splitlines():
        match = re.match(r"^(\S.*?)\s{2,}(\S+)\s+(\S+) \[(\S+), (\S+)\]\s*(.*)$", line)
        if match:
            label, *cells, rest = match.groups()
            rows[label] = [*cells, *rest.split()]
    return rows


def label_of(entry: Mapping[str, Any]) -> str:
    """How the report names a row: the README's "baselines, the expert reference, the oracle"."""
    kind, name = entry["kind"], entry["name"]
    return {"baseline": f"baseline: {name}", "reference": "expert reference", "oracle": "oracle"}.get(kind, "you")


def assert_shows(cell: str, value: float) -> None:
    """``cell`` is ``value`` rounded to the digits it shows."""
    decimals = len(cell.partition(".")[2])
    assert abs(float(cell) - value) <= 0.5 * 10.0**-decimals + 1e-12, (cell, value)


def test_headline_command_is_the_documented_one(headline: Headline) -> None:
    args = headline.args
    assert headline.code == 0, f"`casestudies {shlex.join(args)}` failed: {headline.err}"
    assert args[:2] == ["evaluate", "fraud-v1"] and option(args, "--pipeline") == "simple", args
    assert (headline.data["scenario_id"], headline.data["seed"]) == ("fraud-v1", int(option(args, "--seed")))


def test_headline_command_prints_the_table_the_readme_promises(headline: Headline) -> None:
    assert headline.code == 0, f"`casestudies {shlex.join(headline.args)}` failed: {headline.err}"
    assert "Traceback" not in headline.err and "error" not in headline.err.lower(), headline.err
    data, text = headline.data, headline.text
    holdout = data["holdout"]
    assert holdout["public"] + holdout["private"] == holdout["all"]
    assert text.splitlines()[0] == (
        f"fraud-v1 · seed {data['seed']} · holdout {holdout['all']:,} rows "
        f"(public {holdout['public']:,}, private {holdout['private']:,})"
    )
    # The header names the primary metric for the public part and the private part with its 95 % interval.
    header = next(line for line in text.splitlines() if "private [95% CI]" in line)
    short = re.match(r"^\s*(.+?) public\s", header)
    assert short is not None and f"{short.group(1)} = average precision" in text, header
    entries = [data["submission"], *data["references"]]
    assert [entry["name"] for entry in data["references"]] == ["prior", "simple", "expert", "oracle"]
    rows = rows_of_the_table(text)
    assert len(rows) == len(entries), rows
    metric, metrics = data["metric"], data["metrics"]
    # The columns marked * are metrics on the whole holdout, in the report's order (the primary may lead them).
    starred = header.split("private [95% CI]", 1)[1].split()
    assert all(column.endswith("*") for column in starred), header
    assert len(starred) in (len(metrics), len(metrics) - 1), (starred, metrics)
    whole = metrics[len(metrics) - len(starred) :]
    for entry, (label, cells) in zip(entries, rows.items(), strict=True):
        assert label.startswith(label_of(entry)), (label, entry["name"])
        public, private = entry["scores"]["public"][metric], entry["scores"]["private"][metric]
        assert_shows(cells[0], public["estimate"])
        for cell, key in zip(cells[1:4], ("estimate", "low", "high"), strict=True):
            assert_shows(cell, private[key])
        assert private["low"] <= private["estimate"] <= private["high"]
        for cell, name in zip(cells[4:], whole, strict=True):
            assert_shows(cell, entry["scores"]["all"][name]["estimate"])


def test_headline_scores_rank_as_the_references_promise(headline: Headline) -> None:
    data = headline.data
    metric = data["metric"]
    entries = {entry["name"]: entry for entry in data["references"]}
    for part in ("public", "private"):
        prior, simple, expert, oracle = (
            entries[name]["scores"][part][metric]["estimate"] for name in ("prior", "simple", "expert", "oracle")
        )
        assert prior < simple < expert < oracle, (part, prior, simple, expert, oracle)
        # Constant scores rank nothing: their average precision is the share of positives (theory).
        assert prior == pytest.approx(data["submission"]["scores"][part]["prevalence"]["estimate"], abs=1e-12)
    # "--pipeline simple" is the simple baseline: same data, same model, so the same scores to the last bit.
    assert data["submission"]["scores"] == entries["simple"]["scores"]
    rows = list(rows_of_the_table(headline.text).values())
    assert rows[0] == rows[2]  # "you" and "baseline: simple" print the same numbers


def test_headline_explains_the_numbers(headline: Headline) -> None:
    data, text = headline.data, headline.text
    findings = data["findings"]
    assert {finding["id"] for finding in findings} >= {"accuracy_paradox", "pr_vs_roc", "alert_budget", "oracle_gap"}
    explained = text.split("\nWhat the numbers say:\n", 1)[1]
    bullets = re.findall(r"^  - (.+?):", explained, flags=re.MULTILINE)
    assert bullets == [finding["title"] for finding in findings]
    # The distance to the best possible quotes the oracle of the table (whole holdout).
    oracle = next(entry for entry in data["references"] if entry["kind"] == "oracle")
    gap = explained.split("  - Distance to the best possible:", 1)[1].split("\n  - ", 1)[0]
    assert f"the oracle reaches {oracle['scores']['all'][data['metric']]['estimate']:.3f}" in " ".join(gap.split())
