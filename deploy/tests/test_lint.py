"""`./fairpath lint`: every check runs and says how it went, and one failed check fails the command.
The real tools run, on stand-in repository roots."""

from pathlib import Path

import pytest

from fairpath.deploy.cli import LintStep, lint_steps, run_lint


def test_lint_fails_when_a_check_fails_and_still_runs_the_others(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "unused_import.py").write_text("import os\n")  # ruff: F401; formatted as ruff wants it

    assert run_lint(tmp_path, lint_steps()) != 0

    out = capfd.readouterr().out
    assert "fairpath lint: ruff check: FAILED" in out
    assert "fairpath lint: ruff format --check: ok" in out
    assert "fairpath lint: lint-imports: FAILED" in out  # no import contracts in this root
    assert "2 of 3 checks failed: ruff check, lint-imports" in out


def test_lint_passes_when_every_check_passes(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tidy.py").write_text('"""Nothing to say."""\n\nANSWER = 42\n')
    ruff_only = [step for step in lint_steps() if step.name.startswith("ruff")]

    assert run_lint(tmp_path, ruff_only) == 0

    assert "all 2 checks passed" in capfd.readouterr().out


def test_a_check_whose_tool_is_missing_fails(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    missing = LintStep("ruff check", (str(tmp_path / "no-such-ruff"), "check", "."))

    assert run_lint(tmp_path, [missing]) != 0

    assert "could not be run" in capfd.readouterr().err
