"""How identifiers are matched in free text (iom/reports/disclosure.py's Identifiers): the edges of
whole words, parts split or run together, accents, PNC IDs inside other numbers, the longest match,
and a very long text. The spellings people use are in test_free_text_guard.py."""
from datetime import date

import pytest

from iom.extensions import db
from iom.reports.disclosure import Identifiers
from tests.builders import client, watch


@pytest.fixture
def identifiers(app):
    with app.app_context():
        client("IOM-0001", [("catch_convict", date(2010, 1, 1), None)], given="Mary-Ann", family="Smith",
               born=date(2006, 7, 26), pnc="06/0123456X")
        client("IOM-0003", [("catch_convict", date(2010, 1, 1), None)], given="Kai", family="Lloyd-Webber",
               ward="Salt Marsh")
        client("IOM-0004", [("catch_convict", date(2010, 1, 1), None)], given="Seán", family="O'Neil",
               pnc="2001/0000042Q")
        watch(date(2011, 4, 1), given="Zoë", family="Núñez")
        db.session.commit()
        yield Identifiers.from_database()


@pytest.mark.parametrize("text, kind, words", [
    ("MARYANNSMITH was seen", "name", "MARYANNSMITH"),  # every part run together, any case
    ("seen: smithmaryann", "name", "smithmaryann"),
    ("Lloyd-Webber, Kai", "name", "Lloyd-Webber, Kai"),
    ("Kai LloydWebber", "name", "Kai LloydWebber"),
    ("Sean ONeil", "name", "Sean ONeil"),
    ("Seán O\u2019Neil", "name", "Seán O\u2019Neil"),
    ("ZOË NÚÑEZ", "name", "ZOË NÚÑEZ"),  # accents folded one character for one: the words as typed
    ("zoe núnez", "name", "zoe núnez"),
    ("(O'Neil)", "name", "O'Neil"),  # a family name as written
    ("IOM/0001", "reference", "IOM/0001"),  # a slash between the parts joins them
    ("iom__0004", "reference", "iom__0004"),
    ("file 1234 / 06/0123456X", "PNC ID", "06/0123456X"),  # a PNC ID after a number it could have been part of
    ("20010000042q", "PNC ID", "20010000042q"),
    ("01 42 Q", "PNC ID", "01 42 Q"),
])
def test_found(identifiers, text, kind, words):
    assert [(found.kind, found.text) for found in identifiers.findings(text)] == [(kind, words)]


@pytest.mark.parametrize("text", [
    "Smi-th",  # a part split where the name has no break
    "Mary Ann Smithson", "Smithy", "the Smiths",  # parts of longer words
    "Smith/Jones", "x/Smith", "Smith_2",  # next to a slash or underscore: not a whole word
    "IOM-0001/2", "IOM-00011", "IOM-0001x",
    "mary - - ann - smith, and more",  # too much between the parts (more than three characters)
    "06/0123456X/1", "106/0123456X", "06/01234567X", "07/0123456X", "06/0123456Y",
    "2101/0000042Q",  # a four-digit year begins 19 or 20
    "06/" + "0" * 5000 + "1X", "06/" + "9" * 5000 + "X", "9" * 5000 + "X",  # far too long to be a serial
])
def test_not_found(identifiers, text):
    assert identifiers.findings(text) == []


def test_the_longest_match_is_removed_whole(identifiers):
    assert identifiers.scrub("Mary Ann Smith; Mary-Ann; Smith; mary") == "[removed]; [removed]; [removed]; mary"
    assert identifiers.scrub("Seán and Sean, seán") == "[removed] and [removed], seán"  # given names as written
    assert identifiers.scrub("in salt-marsh, by Salt Marsh") == "in [removed], by [removed]"


def test_a_very_long_text(identifiers):
    """A megabyte of text, with an identifier every few hundred characters, is checked whole (and in
    about the time of a few thousand short ones: no pattern here backtracks on a long text)."""
    paragraph = ("Partners met weekly to review progress and agree actions; 11/12 meetings were held, "
                 "and 2006/07 figures were compared with the year before. " * 3)
    text = (paragraph + "Smith Mary-Ann was discussed. ") * 2500
    assert len(text) > 1_000_000
    scrubbed = identifiers.scrub(text)
    assert scrubbed.count("[removed]") == 2500
    assert "Smith" not in scrubbed and scrubbed.startswith(paragraph)
    assert identifiers.found_in(text) == ["name"]
    assert identifiers.found_in(paragraph * 2000) == []
