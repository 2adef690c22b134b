"""Days at risk from custody intervals (iom/custody/spans.py): checked against the contract's rule
applied one day at a time, which the code itself never does."""
from collections import namedtuple
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from iom.custody.spans import Spell, days_in_community, spells

Event = namedtuple("Event", "from_date status")


def status_on(events, day: date) -> str:
    """The contract, word for word: the latest event dated on or before the day; community when none."""
    earlier = [event for event in events if event.from_date <= day]
    return max(earlier, key=lambda event: event.from_date).status if earlier else "community"


def test_no_events_is_all_community():
    assert days_in_community([], date(2011, 4, 1), date(2012, 3, 31)) == 366
    assert spells([], date(2011, 4, 1), date(2011, 4, 1)) == [Spell("community", date(2011, 4, 1), date(2011, 4, 1))]


def test_a_spell_in_custody_is_taken_out_both_ends_included():
    events = [Event(date(2011, 5, 1), "remand"), Event(date(2011, 5, 11), "community")]
    # remand from 1 May to 10 May: 10 days out of April to June's 91
    assert days_in_community(events, date(2011, 4, 1), date(2011, 6, 30)) == 91 - 10


def test_an_event_before_the_span_sets_its_first_status():
    events = [Event(date(2010, 1, 1), "custody"), Event(date(2011, 4, 15), "community")]
    found = spells(events, date(2011, 4, 1), date(2011, 4, 30))
    assert [(spell.status, spell.first, spell.last, spell.days) for spell in found] == [
        ("custody", date(2011, 4, 1), date(2011, 4, 14), 14), ("community", date(2011, 4, 15), date(2011, 4, 30), 16)]
    assert found[0].event is events[0]
    assert days_in_community(events, date(2011, 4, 1), date(2011, 4, 30)) == 16


def test_events_after_the_span_do_not_count_and_order_does_not_matter():
    events = [Event(date(2012, 1, 1), "custody"), Event(date(2011, 4, 1), "remand"), Event(date(2011, 4, 3), "community")]
    assert days_in_community(events, date(2011, 4, 1), date(2011, 4, 10)) == 8


def test_an_empty_span_has_no_days():
    assert spells([], date(2011, 4, 2), date(2011, 4, 1)) == []
    assert days_in_community([], date(2011, 4, 2), date(2011, 4, 1)) == 0


def test_rows_with_attributes_do_for_events():
    """Rows of select(CustodyEvent.from_date, CustodyEvent.status) have the same attributes."""
    class Row:
        def __init__(self, from_date, status):
            self.from_date, self.status = from_date, status
    assert days_in_community([Row(date(2011, 4, 5), "custody")], date(2011, 4, 1), date(2011, 4, 30)) == 4


DAY0 = date(2010, 1, 1)
histories = st.lists(st.tuples(st.integers(0, 800), st.sampled_from(["community", "remand", "custody"])),
                     max_size=12, unique_by=lambda event: event[0])


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(history=histories, start=st.integers(-30, 830), length=st.integers(0, 400))
def test_days_at_risk_agree_with_the_rule_applied_day_by_day(history, start, length):
    events = [Event(DAY0 + timedelta(days=offset), status) for offset, status in history]
    first, last = DAY0 + timedelta(days=start), DAY0 + timedelta(days=start + length)
    by_day = [status_on(events, first + timedelta(days=n)) for n in range(length + 1)]
    assert days_in_community(events, first, last) == by_day.count("community")
    found = spells(events, first, last)
    assert sum(spell.days for spell in found) == length + 1
    assert [spell.status for spell in found for _ in range(spell.days)] == by_day
