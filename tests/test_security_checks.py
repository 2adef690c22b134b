"""The security checks in the suite: bandit finds no medium or high issue and every `nosec` gives its
reason; requirements/lock.txt agrees with pyproject.toml's pins; `make audit` reads its tools' answers."""
import importlib.util
import json
import re
import subprocess
import sys
import tokenize
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
BANDIT = Path(sys.executable).parent / "bandit"
SCANNED = ("iom", "wsgi.py", "migrations", "requirements")
# bandit skips any line whose comment has the word nosec straight after a hash sign; the suite wants
# `# nosec B608: why this is no injection`: the test ids, a colon, and a reason of a few words
NOSEC = re.compile(r"#\s*nosec")
EXPLAINED = re.compile(r"# nosec B\d{3}(?:, B\d{3})*: \S.{9,}")


# --- bandit ------------------------------------------------------------------------------------

def bandit(root: Path) -> dict:
    """bandit's report of the medium and high issues (any confidence) in the scanned code under root."""
    targets = [target for target in SCANNED if (root / target).exists()]
    result = subprocess.run([str(BANDIT), "-r", *targets, "-ll", "-f", "json", "-q"], cwd=root,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return json.loads(result.stdout)


def findings(report: dict) -> list[str]:
    return [f"{issue['filename']}:{issue['line_number']}: {issue['test_id']} ({issue['issue_severity']}, "
            f"confidence {issue['issue_confidence']}): {issue['issue_text']}" for issue in report["results"]]


def unexplained_nosecs(root: Path, folders=SCANNED + ("tests",)) -> list[str]:
    """Every `nosec` comment without its test ids and a reason."""
    found = []
    for folder in folders:
        path = root / folder
        for file in sorted(path.rglob("*.py") if path.is_dir() else [path] if path.exists() else []):
            with file.open("rb") as source:
                for token in tokenize.tokenize(source.readline):
                    if token.type == tokenize.COMMENT and NOSEC.search(token.string) \
                            and not EXPLAINED.search(token.string):
                        found.append(f"{file.relative_to(root)}:{token.start[0]}: {token.string}")
    return found


def test_bandit_finds_no_medium_or_high_issue():
    report = bandit(ROOT)
    assert report["errors"] == []
    assert report["metrics"]["_totals"]["loc"] > 10_000  # it read the code
    assert findings(report) == [], ("fix each, or if it is a false positive mark its line "
                                    "`# nosec BXXX: the reason`")


def test_every_nosec_gives_its_test_and_reason():
    assert unexplained_nosecs(ROOT) == []


def test_a_new_medium_issue_and_a_bare_nosec_are_caught(tmp_path):
    (tmp_path / "iom").mkdir()
    (tmp_path / "iom" / "formula.py").write_text(
        "def evaluate(text):\n"
        "    return eval(text)\n"
        "\n"
        "\n"
        "def hidden(text):\n"
        "    return eval(text)  # nosec\n"
        "\n"
        "\n"
        "def explained(text):\n"
        "    return eval(text)  # nosec B307: text is one of the constant formulas above\n")
    assert [line.split(": ")[1] for line in findings(bandit(tmp_path))] == ["B307 (MEDIUM, confidence HIGH)"]
    assert unexplained_nosecs(tmp_path) == ["iom/formula.py:6: # nosec"]


# --- the lock ----------------------------------------------------------------------------------

LOCKED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def declared(pyproject: str) -> list[Requirement]:
    """What pyproject.toml asks for: the dependencies, the test extras and the build backend."""
    data = tomllib.loads(pyproject)
    return [Requirement(line) for line in (data["project"]["dependencies"]
                                           + data["project"]["optional-dependencies"]["test"]
                                           + data["build-system"]["requires"])]


def locked(lock: str) -> dict[str, dict]:
    """The lock's entries by name: version, how many hashes, and what asks for it (its `# via` lines)."""
    entries, current = {}, None
    for line in lock.splitlines():
        match = LOCKED.match(line)
        if match:
            current = entries[canonicalize_name(match.group(1))] = {"version": match.group(2), "hashes": 0, "via": []}
        elif current and line.strip().startswith("--hash="):
            current["hashes"] += 1
        elif current and line.startswith("    # "):
            via = line.strip("# ").removeprefix("via").strip()
            if via:
                current["via"].append(via)
    return entries


def disagreements(pyproject: str, lock: str) -> list[str]:
    """Where requirements/lock.txt and pyproject.toml do not say the same."""
    entries, problems = locked(lock), []
    wanted = {canonicalize_name(requirement.name): requirement for requirement in declared(pyproject)}
    for name, requirement in wanted.items():
        entry = entries.get(name)
        if entry is None:
            problems.append(f"{requirement} is not in the lock")
        elif not requirement.specifier.contains(Version(entry["version"]), prereleases=True):
            problems.append(f"pyproject.toml asks for {requirement}, the lock has {name}=={entry['version']}")
    for name, entry in entries.items():
        if name not in wanted and entry["via"] and all(via.startswith("iom (pyproject.toml") for via in entry["via"]):
            problems.append(f"the lock has {name}=={entry['version']} for pyproject.toml, which no longer asks for it")
        if entry["hashes"] == 0:
            problems.append(f"the lock has no hash for {name}")
    for line in lock.splitlines():
        if line.startswith("-") or (line.strip() and not line.startswith((" ", "#")) and not LOCKED.match(line)):
            problems.append(f"the lock has a line that is no hashed pin: {line}")
    return problems


def test_the_lock_agrees_with_the_pins_in_pyproject():
    problems = disagreements((ROOT / "pyproject.toml").read_text(), (ROOT / "requirements/lock.txt").read_text())
    assert problems == [], "run `make lock` after changing a pin in pyproject.toml, and commit both"


def test_the_lock_holds_pip_the_build_backend_and_every_package_with_hashes():
    entries = locked((ROOT / "requirements/lock.txt").read_text())
    assert {"pip", "setuptools", "wheel", "bandit", "pip-tools", "pip-audit", "flask"} <= set(entries)
    assert all(entry["hashes"] >= 1 for entry in entries.values())
    assert entries["flask"]["via"][-1] == "iom (pyproject.toml)"


def test_a_pin_changed_on_one_side_only_is_caught():
    pyproject, lock = (ROOT / "pyproject.toml").read_text(), (ROOT / "requirements/lock.txt").read_text()
    assert disagreements(pyproject.replace('"Flask==3.1.3"', '"Flask==3.1.2"'), lock) == [
        "pyproject.toml asks for Flask==3.1.2, the lock has flask==3.1.3"]
    assert disagreements(pyproject.replace('"pyotp==2.12.1",', '"pyotp==2.12.1",\n    "qrcode==8.2",'), lock) == [
        "qrcode==8.2 is not in the lock"]
    assert disagreements(pyproject.replace('    "segno==1.6.6",\n', ""), lock) == [
        "the lock has segno==1.6.6 for pyproject.toml, which no longer asks for it"]
    assert disagreements(pyproject, lock.replace("\nsetuptools==", "\nsetuptools==67.0.0\nunused==")) != []
    assert disagreements(pyproject, "--index-url https://example.invalid/simple\n" + lock) == [
        "the lock has a line that is no hashed pin: --index-url https://example.invalid/simple"]


# --- make audit --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def audit():
    spec = importlib.util.spec_from_file_location("requirements_audit", ROOT / "requirements" / "audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pip_report(*dependencies) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


FLASK = {"name": "flask", "version": "3.1.3", "vulns": []}
JINJA = {"name": "jinja2", "version": "3.1.6", "vulns": [
    {"id": "GHSA-abcd-efgh-ijkl", "fix_versions": ["3.1.7"], "aliases": ["CVE-2099-0001"]}]}
# what pip-audit reports where PyPI's JSON API answers 404 for each locked version (as on this build machine)
NOT_ON_PYPI = {"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited: flask (3.1.3)"}
OSV_UNRESOLVED = ("requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443): Max retries "
                  "exceeded with url: /v1/query (Caused by NameResolutionError(\"HTTPSConnection(host='api.osv.dev', "
                  "port=443): Failed to resolve 'api.osv.dev' ([Errno -2] Name or service not known)\"))")
# what `npm audit --json` prints where the registry refuses the audit request (as on this build machine)
NPM_405 = json.dumps({"message": "405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/"
                                 "advisories/bulk", "statusCode": 405, "error": {"summary": "", "detail": ""}})
NPM_VULNERABLE = json.dumps({
    "auditReportVersion": 2,
    "vulnerabilities": {
        "sass": {"name": "sass", "severity": "high", "via": ["immutable"], "range": "1.108.2"},
        "immutable": {"name": "immutable", "severity": "high", "range": "<5.1.5", "via": [
            {"source": 1103421, "name": "immutable", "title": "Prototype pollution", "severity": "high",
             "url": "https://github.com/advisories/GHSA-wf6x-7x77-mvgw", "range": "<5.1.5"}]}},
    "metadata": {"vulnerabilities": {"high": 2, "total": 2}, "dependencies": {"prod": 4, "dev": 20, "total": 23}}})


def test_the_committed_ignore_file_gives_a_reason_for_each_advisory(audit):
    assert all(reason for reason in audit.read_ignores().values())


def test_an_accepted_advisory_needs_its_reason(audit, tmp_path):
    ignores = tmp_path / "audit-ignore.txt"
    ignores.write_text("# a comment\n\nghsa-abcd-efgh-ijkl\tonly the CLI parses templates; until 2027-01\n")
    assert audit.read_ignores(ignores) == {"GHSA-ABCD-EFGH-IJKL": "only the CLI parses templates; until 2027-01"}
    ignores.write_text("CVE-2099-0001\n")
    with pytest.raises(ValueError, match="audit-ignore.txt:1: CVE-2099-0001: give the reason"):
        audit.read_ignores(ignores)


def test_pip_audit_passes_a_clean_lock_and_fails_on_a_vulnerability(audit):
    clean = audit.pip_audit_outcome(pip_report(FLASK), 0, "", {}, "PyPI")
    assert (clean.status, clean.lines) == ("passed", ["pip-audit: passed, no known vulnerability in the 1 locked "
                                                      "packages (PyPI)"])
    found = audit.pip_audit_outcome(pip_report(FLASK, JINJA), 1, "", {}, "PyPI")
    assert found.status == "failed"
    assert found.lines[0] == "pip-audit: VULNERABLE jinja2 3.1.6: GHSA-abcd-efgh-ijkl / CVE-2099-0001: fixed in 3.1.7"


def test_pip_audit_accepts_an_advisory_listed_by_any_of_its_ids(audit):
    outcome = audit.pip_audit_outcome(pip_report(FLASK, JINJA), 1, "", {"CVE-2099-0001": "not reachable here"}, "OSV")
    assert outcome.status == "passed"
    assert outcome.lines[0] == "pip-audit: accepted CVE-2099-0001 in jinja2 3.1.6: not reachable here"


def test_pip_audit_skips_a_service_it_cannot_use_and_fails_on_a_partial_audit(audit):
    nothing = audit.pip_audit_outcome(pip_report(NOT_ON_PYPI), 0, "", {}, "PyPI")
    assert nothing.status == "skipped"
    assert "PyPI gave no vulnerability data for any of the 1 locked packages" in nothing.lines[0]
    unresolved = audit.pip_audit_outcome(None, 1, "Traceback ...\n" + OSV_UNRESOLVED, {}, "OSV")
    assert (unresolved.status, unresolved.lines) == ("skipped", ["OSV: cannot resolve api.osv.dev"])
    partial = audit.pip_audit_outcome(pip_report(FLASK | {"name": "jinja2"}, NOT_ON_PYPI), 0, "", {}, "PyPI")
    assert partial.status == "failed"
    broken = audit.pip_audit_outcome(None, 2, "pip-audit: error: unrecognized arguments: --frobnicate", {}, "PyPI")
    assert broken.status == "failed"


def test_npm_audit_skips_an_endpoint_it_cannot_use(audit):
    refused = audit.npm_audit_outcome(NPM_405, 1, {})
    assert refused.status == "skipped"
    assert "405 Method Not Allowed" in refused.lines[0]
    offline = audit.npm_audit_outcome(json.dumps({"error": {"code": "ENOTFOUND", "summary": "getaddrinfo ENOTFOUND"}}),
                                      1, {})
    assert offline.status == "skipped"
    no_lock = audit.npm_audit_outcome(json.dumps({"error": {"code": "ENOLOCK", "summary": "needs a lockfile"}}), 1, {})
    assert no_lock.status == "failed"


def test_npm_audit_fails_on_an_advisory_unless_it_is_accepted(audit):
    found = audit.npm_audit_outcome(NPM_VULNERABLE, 1, {})
    assert found.status == "failed"
    assert found.lines[0] == "npm audit: VULNERABLE immutable (<5.1.5): GHSA-wf6x-7x77-mvgw: high: Prototype pollution"
    accepted = audit.npm_audit_outcome(NPM_VULNERABLE, 1, {"GHSA-WF6X-7X77-MVGW": "sass only compiles our own SCSS"})
    assert accepted.status == "passed"
    clean = audit.npm_audit_outcome(json.dumps({"auditReportVersion": 2, "vulnerabilities": {},
                                                "metadata": {"dependencies": {"total": 23}}}), 0, {})
    assert (clean.status, clean.lines) == ("passed", ["npm audit: passed, no known vulnerability in package-lock.json "
                                                      "(23 packages)"])


def test_make_audit_prints_each_skip_and_fails_only_on_a_finding(audit, monkeypatch, capsys):
    skipped = audit.Outcome("skipped", ["SKIPPED npm audit (package-lock.json): the endpoint answered 405"])
    monkeypatch.setattr(audit, "run_pip_audit", lambda ignores: audit.Outcome("passed", ["pip-audit: passed"]))
    monkeypatch.setattr(audit, "run_npm_audit", lambda ignores: skipped)
    assert audit.main() == 0
    assert capsys.readouterr().out == "pip-audit: passed\nSKIPPED npm audit (package-lock.json): the endpoint answered 405\n"
    monkeypatch.setattr(audit, "run_pip_audit", lambda ignores: audit.Outcome("failed", ["pip-audit: VULNERABLE x"]))
    assert audit.main() == 1
