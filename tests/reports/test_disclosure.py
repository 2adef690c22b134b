"""Disclosure control: which counts are suppressed, which text is refused and what is removed."""
from datetime import date

import pytest

from iom.reports.disclosure import Identifiers, date_forms, suppress, suppressed
from tests.builders import client, watch


def test_counts_of_one_to_four_become_less_than_five():
    assert [suppressed(n) for n in range(7)] == [0, "<5", "<5", "<5", "<5", 5, 6]
    assert suppress({"a": 0, "b": 3, "c": 12}) == {"a": 0, "b": "<5", "c": 12}


def test_dates_of_birth_in_the_forms_people_write_them():
    assert date_forms(date(1985, 2, 3)) == ["1985-02-03", "03/02/1985", "3/2/1985", "03.02.1985", "03-02-1985",
                                            "3 February 1985", "3 Feb 1985"]


@pytest.fixture
def identifiers(app):
    with app.app_context():
        client("IOM-0009", given="Mark", family="Best", born=date(1985, 2, 3), pnc="11/123456H", ward="Central")
        watch(date(2011, 4, 1), given="Rowan", family="Hartigan", pnc="12/111111U")
        yield Identifiers.from_database()


def test_what_a_manager_may_not_save(identifiers):
    refused = {
        "Mark Best attended": ["name"], "best, mark": ["name"], "Spoke to Mr Best": ["name"],
        "born 3/2/1985": ["date of birth"], "PNC 11/123456h": ["PNC ID"], "ref iom-0009": ["reference"],
        "lives in Central": ["ward"], "Rowan Hartigan on the watch list": ["name"], "12/111111U": ["PNC ID"],
    }
    for text, kinds in refused.items():
        assert identifiers.found_in(text) == kinds, text
    for text in ("best practice across partners", "we mark progress monthly", "central to our approach",
                 "Mark the date", "Rowan trees", "2011-12 figures", "11/12 meetings"):
        assert identifiers.found_in(text) == [], text


def test_what_the_pack_removes(identifiers):
    assert identifiers.scrub("Mark engaged; best outcome for Best in Central (11/123456H).") == \
        "[removed] engaged; [removed] outcome for [removed] in [removed] ([removed])."
    assert identifiers.scrub("we mark progress") == "we mark progress"
    assert identifiers.scrub(None) is None
