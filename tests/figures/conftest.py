"""The figures pages' tests: a fixed 'today' (mid-November 2011: October is the latest complete
month, November is under way, December to March are still to come in the financial year 2011-12)."""
from datetime import date

import pytest

TODAY = date(2011, 11, 15)


@pytest.fixture
def today(monkeypatch):
    """Fix 'today' in London (the figures code reads it through iom.clock) at TODAY."""
    def set_today(day: date = TODAY) -> date:
        monkeypatch.setattr("iom.clock.today_in_london", lambda: day)
        return day
    set_today()
    return set_today
