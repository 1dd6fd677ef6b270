"""Dependency audit driver for scripts/audit.sh: runs pip-audit / npm audit and decides from their JSON.

    python scripts/audit_report.py python               # the locked Python dependencies (uv.lock)
    python scripts/audit_report.py npm DIR              # DIR/package-lock.json (production deps)
    python scripts/audit_report.py classify-npm FILE LABEL   # decide on a saved `npm audit --json`

Exit 0: audited and nothing to act on, or the advisory service could not be reached (one line says
"... advisory service unreachable (<reason>) — not audited"; AUDIT_STRICT=1 turns that into exit 1).
Exit 1: a known vulnerability with a fixed version (Python), a high/critical advisory (npm), or the
audit itself broke (no lock, unreadable output).

The decision is made on structured data only: pip-audit's JSON report, the type of the exception that
stopped pip-audit (run in a child through its own console entry point), and npm's JSON output.

Environment: AUDIT_STRICT=1; AUDIT_OSV_URL (default OSV's public /v1/query); AUDIT_TIMEOUT (seconds for
one tool run, default 240); UV (the uv binary, default .tools/uv/bin/uv, then uv on PATH).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # noqa: S404 - runs uv, pip-audit and npm with fixed argument lists
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OSV_URL = "https://api.osv.dev/v1/query"
# npm's error codes for "the request never got an answer" (npm-registry-fetch / node's net errors).
NPM_NETWORK_CODES = {
    "ENOTFOUND",
    "EAI_AGAIN",
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "EPIPE",
    "ERR_SOCKET_TIMEOUT",
    "FETCH_ERROR",
}
PIP_AUDIT_SERVICE_ERROR = 3  # exit code of `pip-audit-child` when the advisory service failed


def _strict() -> bool:
    return os.environ.get("AUDIT_STRICT", "") == "1"


def _timeout() -> float:
    return float(os.environ.get("AUDIT_TIMEOUT", "240"))


def say(line: str) -> None:
    print(line, flush=True)


def unreachable(kind: str, reason: str) -> int:
    reason = " ".join(reason.split())
    if len(reason) > 200:  # keep both ends: where it went and why it failed
        reason = reason[:80] + " ... " + reason[-115:]
    say(f"audit: {kind} advisory service unreachable ({reason}) — not audited")
    if _strict():
        say(f"audit: {kind} FAILED — AUDIT_STRICT=1 and the advisory service could not be used")
        return 1
    return 0


# ---------------------------------------------------------------------------------------------------
# Python: uv.lock -> requirements -> pip-audit (OSV) -> JSON report
# ---------------------------------------------------------------------------------------------------


def _uv() -> str | None:
    if os.environ.get("UV"):
        return os.environ["UV"]
    local = ROOT / ".tools" / "uv" / "bin" / "uv"
    if local.is_file():
        return str(local)
    return shutil.which("uv")


def _describe_request_error(exc: BaseException) -> str:
    """One short reason for an exception raised while talking to the advisory service."""
    import requests

    response = getattr(exc, "response", None)
    if response is None and exc.__cause__ is not None:
        response = getattr(exc.__cause__, "response", None)
    if response is not None:
        return f"HTTP {response.status_code} from {urlsplit(response.url).netloc}"
    request = getattr(exc, "request", None)
    host = urlsplit(request.url).netloc if request is not None and request.url else "the service"
    if isinstance(exc, requests.Timeout):
        return f"timed out talking to {host}"
    if isinstance(exc, requests.ConnectionError):
        import urllib3.exceptions as u3

        inner: object = exc.args[0] if exc.args else None
        inner = getattr(inner, "reason", inner)
        if isinstance(inner, u3.NameResolutionError):
            return f"cannot resolve {host}"
        if isinstance(inner, u3.NewConnectionError):
            return f"cannot connect to {host}"
        return f"connection to {host} failed"
    if isinstance(exc, requests.exceptions.InvalidJSONError):
        return f"{host} answered something that is not JSON"
    return f"{type(exc).__name__} from {host}"


def pip_audit_child(status_file: str, argv: list[str]) -> int:
    """Run pip-audit's console entry point in this process; record a service failure by exception type."""
    import requests
    from pip_audit._cli import audit
    from pip_audit._service.interface import ConnectionError as ServiceConnectionError
    from pip_audit._service.interface import ServiceError

    service_errors = (requests.RequestException, ServiceError, ServiceConnectionError)

    def service_failure(exc: BaseException | None) -> BaseException | None:
        # pip-audit turns a ConnectTimeout into its own ConnectionError and exits from inside the
        # `except` block: the SystemExit then carries that error as its __context__.
        seen = 0
        while exc is not None and seen < 8:
            if isinstance(exc, service_errors):
                return exc
            exc = exc.__cause__ or exc.__context__
            seen += 1
        return None

    sys.argv = ["pip-audit", *argv]
    try:
        audit()
    except SystemExit as stop:
        failure = service_failure(stop.__context__) if stop.code not in (0, None) else None
        if failure is None:
            raise
        exc: BaseException = failure
    except Exception as error:
        failure = service_failure(error)
        if failure is None:
            raise
        exc = failure
    else:
        return 0
    # Prefer the requests-level error (it has the URL / status) over pip-audit's wrapper.
    inner: BaseException = exc
    while isinstance(inner, (ServiceError, ServiceConnectionError)):
        below = inner.__cause__ or inner.__context__
        if below is None:
            break
        inner = below
    Path(status_file).write_text(json.dumps({"service_error": _describe_request_error(inner)}))
    return PIP_AUDIT_SERVICE_ERROR


def classify_pip_audit(report: dict[str, Any], osv_url: str) -> int:
    deps = report.get("dependencies")
    if not isinstance(deps, list):
        say("audit: python FAILED — pip-audit's JSON has no 'dependencies' list")
        return 1
    audited = [d for d in deps if "skip_reason" not in d]
    skipped = [d for d in deps if "skip_reason" in d]
    if deps and not audited:
        return unreachable(
            "python", f"every one of {len(deps)} packages skipped: {skipped[0]['skip_reason']}"
        )
    fixable: list[str] = []
    for dep in audited:
        for vuln in dep.get("vulns", []):
            ids = ", ".join([vuln["id"], *vuln.get("aliases", [])])
            where = f"{dep['name']} {dep['version']}: {ids}"
            if vuln.get("fix_versions"):
                fixable.append(dep["name"])
                say(f"audit: python VULNERABLE — {where} (fixed in {', '.join(vuln['fix_versions'])})")
            else:
                say(f"audit: python note — {where} (no fixed version published yet)")
    for dep in skipped:
        say(f"audit: python note — {dep['name']} not audited: {dep['skip_reason']}")
    host = urlsplit(osv_url).netloc
    if fixable:
        say(
            f"audit: python FAILED — {len(fixable)} known vulnerabilities with a fix in "
            f"{len(set(fixable))} locked packages (OSV at {host})"
        )
        return 1
    say(
        f"audit: python ok — {len(audited)} locked packages, no known vulnerability with a fix (OSV at {host})"
    )
    return 0


def audit_python() -> int:
    uv = _uv()
    if uv is None:
        say("audit: python FAILED — uv not found (run `make setup`, or set UV)")
        return 1
    osv_url = os.environ.get("AUDIT_OSV_URL") or DEFAULT_OSV_URL
    with tempfile.TemporaryDirectory(prefix="snapleads-audit-") as tmp:
        reqs, out, status = Path(tmp, "requirements.txt"), Path(tmp, "report.json"), Path(tmp, "status.json")
        export = subprocess.run(  # noqa: S603
            [uv, "export", "--frozen", "--no-hashes", "--no-emit-project", "--all-groups", "--no-header"]
            + ["--no-annotate", "--output-file", str(reqs)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if export.returncode != 0:
            say(f"audit: python FAILED — `uv export --frozen` exited {export.returncode}")
            sys.stderr.write(export.stderr)
            return 1
        pip_audit_args = [
            "--requirement",
            str(reqs),
            "--no-deps",
            "--disable-pip",
            "--vulnerability-service",
            "osv",
            "--osv-url",
            osv_url,
            "--format",
            "json",
            "--output",
            str(out),
            "--progress-spinner",
            "off",
            "--timeout",
            "15",
            "--cache-dir",
            str(Path(tmp, "cache")),
        ]
        try:
            run = subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "pip-audit-child",
                    str(status),
                    *pip_audit_args,
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=_timeout(),
                check=False,
            )
        except subprocess.TimeoutExpired:
            return unreachable("python", f"pip-audit did not finish within {_timeout():.0f} s")
        if run.returncode == PIP_AUDIT_SERVICE_ERROR and status.is_file():
            return unreachable("python", json.loads(status.read_text())["service_error"])
        if run.returncode in (0, 1) and out.is_file():
            try:
                report = json.loads(out.read_text())
            except json.JSONDecodeError:
                report = None
            if isinstance(report, dict):
                return classify_pip_audit(report, osv_url)
        say(f"audit: python FAILED — pip-audit exited {run.returncode} without a report")
        sys.stderr.write(run.stderr[-4000:])
        return 1


# ---------------------------------------------------------------------------------------------------
# npm: `npm audit --json --omit=dev` -> report, or the shape of a failed advisory request
# ---------------------------------------------------------------------------------------------------

SEVERE = ("high", "critical")


def classify_npm(raw: str, label: str) -> int:
    try:
        data = json.loads(raw) if raw.strip() else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        say(f"audit: npm FAILED — {label}: `npm audit --json` printed no JSON object")
        return 1
    if "auditReportVersion" in data:
        counts = data.get("metadata", {}).get("vulnerabilities", {})
        # npm counts the root project itself among the "prod" dependencies.
        prod_deps = max(int(data.get("metadata", {}).get("dependencies", {}).get("prod", 0)) - 1, 0)
        severe = 0
        for name, vuln in sorted(data.get("vulnerabilities", {}).items()):
            if vuln.get("severity") in SEVERE:
                severe += 1
                fix = vuln.get("fixAvailable")
                fix_text = "fix available" if fix else "no fix available"
                if isinstance(fix, dict):
                    fix_text = f"fix: {fix.get('name')}@{fix.get('version')}"
                say(
                    f"audit: npm VULNERABLE — {label}: {name} ({vuln['severity']}, {vuln.get('range', '?')}; {fix_text})"
                )
        lesser = sum(int(counts.get(k, 0)) for k in ("info", "low", "moderate"))
        if severe:
            say(f"audit: npm FAILED — {label}: {severe} packages with high/critical advisories")
            return 1
        tail = f"; {lesser} low/moderate advisories" if lesser else ""
        if prod_deps == 0:
            say(f"audit: npm ok — {label}: no production dependencies (only dev ones, not shipped){tail}")
        else:
            say(
                f"audit: npm ok — {label}: {prod_deps} production dependencies, no high/critical advisory{tail}"
            )
        return 0
    # No report: npm printed its error object. An HTTP answer from the advisory endpoint carries
    # statusCode; a request that got no answer carries a network code or only the failed request's
    # message (npm leaves error.code empty then); anything with an npm code of its own (ENOLOCK, ...) is
    # a broken audit, not an unreachable service.
    error: dict[str, Any] = data["error"] if isinstance(data.get("error"), dict) else {}
    code = data.get("code") or error.get("code")
    status = data.get("statusCode")
    if isinstance(status, int):
        host = urlsplit(str(data.get("uri", ""))).netloc or "the registry"
        return unreachable("npm", f"{label}: HTTP {status} from {host}'s advisory endpoint")
    if code in NPM_NETWORK_CODES or (not code and data.get("message")):
        detail = str(code or data.get("message"))
        return unreachable("npm", f"{label}: {detail}")
    say(
        f"audit: npm FAILED — {label}: npm audit error {code or '?'}: {error.get('summary') or data.get('message', '')}"
    )
    return 1


def audit_npm(directory: str) -> int:
    path = (ROOT / directory).resolve() if not Path(directory).is_absolute() else Path(directory)
    label = f"{directory.rstrip('/')}/"
    if not (path / "package-lock.json").is_file():
        say(f"audit: npm FAILED — {label}: no package-lock.json")
        return 1
    npm = shutil.which("npm")
    if npm is None:
        say("audit: npm FAILED — npm not found on PATH")
        return 1
    cmd = [npm, "audit", "--json", "--omit=dev", "--audit-level=high", "--fetch-retries=0"]
    cmd += ["--fetch-timeout=20000", "--no-fund", "--no-update-notifier"]
    try:
        run = subprocess.run(cmd, cwd=path, capture_output=True, text=True, timeout=_timeout(), check=False)  # noqa: S603
    except subprocess.TimeoutExpired:
        return unreachable("npm", f"{label}: npm audit did not finish within {_timeout():.0f} s")
    return classify_npm(run.stdout, label)


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "pip-audit-child":
        return pip_audit_child(argv[1], argv[2:])
    if argv == ["python"]:
        return audit_python()
    if len(argv) == 2 and argv[0] == "npm":
        return audit_npm(argv[1])
    if len(argv) == 3 and argv[0] == "classify-npm":
        return classify_npm(Path(argv[1]).read_text(), argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
