"""`make audit`: known vulnerabilities in the packages the project installs.

pip-audit checks requirements/lock.txt against PyPI's vulnerability data, or OSV's when PyPI's cannot be
had; npm audit checks package-lock.json (dev dependencies too: they build the assets) against the npm
registry's advisories. A check whose service this machine cannot reach is skipped, with one line saying
which and why. A vulnerability found fails the audit (exit 1) unless requirements/audit-ignore.txt lists
its advisory, with the reason it was accepted beside it.

Run with the project's virtual environment (`.venv/bin/python requirements/audit.py`), which has pip-audit.
"""
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
IGNORES = ROOT / "requirements" / "audit-ignore.txt"
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"
TIMEOUT = 600  # seconds for one whole check; pip-audit's own per-request timeout is below
# what a failed connection, or a service out of order, leaves in pip-audit's error output
UNREACHABLE_SIGNS = ("ConnectionError", "ConnectTimeout", "ReadTimeout", "NameResolutionError", "Max retries exceeded",
                     "Could not connect", "ServiceError", "HTTPError")
NETWORK_CODES = {"ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH",
                 "ENETUNREACH", "EPROTO", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "SELF_SIGNED_CERT_IN_CHAIN"}
ADVISORY_URL = re.compile(r"/advisories/(GHSA(?:-[0-9a-z]{4}){3})", re.IGNORECASE)


@dataclass
class Outcome:
    """What one check gave: 'passed', 'skipped' (its service out of reach) or 'failed', and the lines to print."""
    status: str
    lines: list[str] = field(default_factory=list)


def read_ignores(path: Path = IGNORES) -> dict[str, str]:
    """The accepted advisories, id (upper case) -> reason; a line without a reason is an error."""
    ignores = {}
    if not path.exists():
        return ignores
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        advisory, _, reason = re.sub(r"\s+", " ", line).partition(" ")
        if not reason:
            raise ValueError(f"{path.name}:{number}: {advisory}: give the reason it is accepted after the id")
        ignores[advisory.upper()] = reason
    return ignores


def _found(kind: str, findings: list[tuple[str, list[str], str]], ignores: dict[str, str], clean: str) -> Outcome:
    """findings: (what is vulnerable, the advisory's ids, its words); each accepted when an id is in ignores."""
    failed, noted = [], []
    for what, ids, words in findings:
        accepted = next((advisory for advisory in ids if advisory.upper() in ignores), None)
        if accepted:
            noted.append(f"{kind}: accepted {accepted} in {what}: {ignores[accepted.upper()]}")
        else:
            failed.append(f"{kind}: VULNERABLE {what}: {' / '.join(ids)}{': ' + words if words else ''}")
    if failed:
        return Outcome("failed", failed + noted + [f"{kind}: fix these (upgrade, then `make lock`), or list each "
                                                     f"advisory in requirements/audit-ignore.txt with its reason"])
    return Outcome("passed", noted + [clean if not noted else f"{kind}: passed, no other known vulnerability"])


def _connection_words(stderr: str) -> str:
    """Why a connection failed, in a few words, from the error pip-audit printed."""
    host = re.search(r"host='([^']+)'", stderr)
    where = host.group(1) if host else "the service"
    if "Failed to resolve" in stderr or "NameResolutionError" in stderr:
        return f"cannot resolve {where}"
    if "Timeout" in stderr:
        return f"{where} did not answer in time"
    if "Connection refused" in stderr:
        return f"{where} refused the connection"
    last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "")
    return last[:200]


def pip_audit_outcome(report: str | None, returncode: int, stderr: str, ignores: dict[str, str],
                      service: str) -> Outcome:
    """Reads pip-audit's JSON report (None when it wrote none) for the lock."""
    if report is None:
        if any(sign in stderr for sign in UNREACHABLE_SIGNS):
            return Outcome("skipped", [f"{service}: {_connection_words(stderr)}"])
        return Outcome("failed", [f"pip-audit: exited {returncode} without a report:", stderr.strip()[-2000:]])
    dependencies = json.loads(report)["dependencies"]
    skipped = [dependency for dependency in dependencies if "skip_reason" in dependency]
    if dependencies and len(skipped) == len(dependencies):
        return Outcome("skipped", [f"{service} gave no vulnerability data for any of the {len(dependencies)} locked "
                                   f"packages (pip-audit: {skipped[0]['skip_reason']})"])
    if skipped:
        return Outcome("failed", [f"pip-audit: could not audit {dependency['name']}: {dependency['skip_reason']}"
                                  for dependency in skipped])
    findings = [(f"{dependency['name']} {dependency['version']}", [vuln["id"], *vuln.get("aliases", [])],
                 f"fixed in {', '.join(vuln['fix_versions'])}" if vuln.get("fix_versions") else "no fix yet")
                for dependency in dependencies for vuln in dependency.get("vulns", [])]
    return _found("pip-audit", findings, ignores,
                  f"pip-audit: passed, no known vulnerability in the {len(dependencies)} locked packages ({service})")


def npm_audit_outcome(report: str, returncode: int, ignores: dict[str, str]) -> Outcome:
    """Reads `npm audit --json`'s output for package-lock.json."""
    try:
        answer = json.loads(report)
    except ValueError:
        return Outcome("failed", [f"npm audit: exited {returncode} without a JSON report: {report.strip()[:500]}"])
    if "error" in answer or "statusCode" in answer:
        error = answer.get("error") or {}
        code = str(error.get("code") or "")
        words = answer.get("message") or error.get("summary") or code or "no answer"
        if "statusCode" in answer or code in NETWORK_CODES or re.fullmatch(r"E[45]\d\d", code):
            return Outcome("skipped", [f"the npm registry's audit endpoint answered: {words}"])
        return Outcome("failed", [f"npm audit: {code or 'error'}: {words} {error.get('detail') or ''}".rstrip()])
    findings = []
    for package, vulnerability in sorted(answer.get("vulnerabilities", {}).items()):
        for via in vulnerability.get("via", []):
            if isinstance(via, dict):  # an advisory; a plain string names the vulnerable package it comes through
                match = ADVISORY_URL.search(via.get("url") or "")
                ids = [match.group(1)] if match else [str(via.get("source"))]
                findings.append((f"{package} ({via.get('range', '')})", ids,
                                 f"{via.get('severity', '')}: {via.get('title', '')}"))
    total = (answer.get("metadata") or {}).get("dependencies", {}).get("total")
    return _found("npm audit", findings, ignores,
                  "npm audit: passed, no known vulnerability in package-lock.json"
                  + (f" ({total} packages)" if total else ""))


def run_pip_audit(ignores: dict[str, str]) -> Outcome:
    """pip-audit over the lock, against PyPI's data, then OSV's if PyPI's cannot be had."""
    reasons = []
    for service, name in (("pypi", "PyPI"), ("osv", "OSV")):
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder) / "report.json"
            command = [str(PIP_AUDIT), "--requirement", str(LOCK), "--require-hashes", "--disable-pip",
                       "--vulnerability-service", service, "--format", "json", "--aliases", "on", "--desc", "off",
                       "--progress-spinner", "off", "--timeout", "30", "--output", str(output)]
            try:
                done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False)
            except subprocess.TimeoutExpired:
                reasons.append(f"{name}: no answer within {TIMEOUT} s")
                continue
            report = output.read_text() if output.exists() and output.stat().st_size else None
        outcome = pip_audit_outcome(report, done.returncode, done.stderr, ignores, name)
        if outcome.status != "skipped":
            return outcome
        reasons += outcome.lines
    return Outcome("skipped", ["SKIPPED pip-audit (requirements/lock.txt): no vulnerability service can be "
                               "reached from here: " + "; ".join(reasons)])


def run_npm_audit(ignores: dict[str, str]) -> Outcome:
    """npm audit over package-lock.json."""
    npm = shutil.which("npm")
    if npm is None:
        return Outcome("skipped", ["SKIPPED npm audit (package-lock.json): npm is not installed here"])
    try:
        done = subprocess.run([npm, "audit", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired:
        return Outcome("skipped", [f"SKIPPED npm audit (package-lock.json): no answer within {TIMEOUT} s"])
    outcome = npm_audit_outcome(done.stdout, done.returncode, ignores)
    if outcome.status == "skipped":
        outcome.lines = [f"SKIPPED npm audit (package-lock.json): {' '.join(outcome.lines)}"]
    return outcome


def main() -> int:
    try:
        ignores = read_ignores()
    except ValueError as error:
        print(f"audit: {error}")
        return 1
    outcomes = [run_pip_audit(ignores), run_npm_audit(ignores)]
    for outcome in outcomes:
        print("\n".join(outcome.lines), flush=True)
    return 1 if any(outcome.status == "failed" for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
