"""One place gives the app its "today" (iom/clock.py), and the suite pins it (tests/conftest.py).

These tests keep it so: no other module of the app or the suite reads the wall clock, and the
pinned day is the one the run asked for (IOM_TEST_TODAY), so `make test-dates` really runs the
suite on each of the days that once broke it."""
import ast
import os
from datetime import date
from pathlib import Path

from iom import clock

ROOT = Path(__file__).resolve().parent.parent
WALL_CLOCK_CALLS = {
    ("date", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
    ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime"),
}
# The clock itself; the suite's pin, which starts from the clock's own reading.
ALLOWED = {Path("iom/clock.py")}


def wall_clock_calls(path: Path) -> list[str]:
    """Calls to the wall clock (WALL_CLOCK_CALLS) in a file, as 'file:line: call'."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else None
            if (name, node.func.attr) in WALL_CLOCK_CALLS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}.{node.func.attr}()")
    return found


def test_only_the_clock_module_reads_the_wall_clock():
    files = [path for folder in ("iom", "tests", "bench") for path in (ROOT / folder).rglob("*.py")]
    offenders = [call for path in files if path.relative_to(ROOT) not in ALLOWED
                 for call in wall_clock_calls(path)]
    assert offenders == [], "read the time through iom.clock (and pin it in tests):\n" + "\n".join(offenders)


def test_the_suite_runs_on_the_pinned_day():
    wanted = os.environ.get("IOM_TEST_TODAY", "").strip()
    if wanted:
        assert clock.today_in_london() == date.fromisoformat(wanted)
    # Whatever the day, the moment the app sees and its London date agree.
    assert clock.utcnow().astimezone(clock.LONDON).date() == clock.today_in_london()


def test_the_clock_ticks_under_the_pin():
    """The pin keeps time moving, so expiry and durations behave as they do for real."""
    first = clock.utcnow()
    second = clock.utcnow()
    assert second >= first
