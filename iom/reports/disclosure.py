"""Disclosure control for the review pack: small counts in breakdowns shown as "<5", the cells that
would give them back withheld (secondary suppression), and client identifiers kept out of the free
text people type (self-assessment evidence, questions, unit costs, the review's words)."""
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select

from iom.clients.models import Client
from iom.extensions import db
from iom.form_fields import PNC_PATTERN
from iom.watch.models import WatchEntry

SMALL_COUNT = "<5"
REMOVED = "[removed]"


def suppressed(count: int) -> int | str:
    """A count in a breakdown by a personal attribute: 1 to 4 become "<5"; 0 and 5 or more stay."""
    return SMALL_COUNT if 1 <= count <= 4 else count


def suppress(counts: dict[str, int]) -> dict[str, int | str]:
    """Primary suppression only: each count of 1 to 4 becomes "<5" (see protect for what the pack uses)."""
    return {key: suppressed(value) for key, value in counts.items()}


# --- secondary suppression (the ICO's anonymisation code: no suppressed count may be worked out) -------
# A breakdown's cells add up to a total the pack shows. With one "<5" among them, the total less the
# other cells gives it back; with two "<5"s that add up to 2 (or 8), each must be 1 (or 4). So after the
# counts of 1 to 4 become "<5", the next-smallest cells are withheld too, shown as SECONDARY, until every
# hidden cell could still be more than one number, whatever a reader subtracts. A SECONDARY cell says
# nothing about its number (it may be 0, 1 to 4, or more), so a reader can only assume 0 to the total.

SECONDARY = "[c]"
HIDDEN = (SMALL_COUNT, SECONDARY)


def is_hidden(value) -> bool:
    return isinstance(value, str) and value in HIDDEN


def _spread(reachable: int, low: int, high: int, cap: int) -> int:
    """The sums reachable (a bit per sum, up to cap) once one more cell of low to high is added."""
    spread = 0
    for value in range(low, high + 1):
        spread |= reachable << value
    return spread & ((1 << (cap + 1)) - 1)


def possible_values(shown: dict, total: int) -> dict[str, list[int]]:
    """For each hidden cell, every number it could be, given the total, the cells shown and what each
    marker says ("<5": 1 to 4; SECONDARY: anything from 0 to the total)."""
    hidden = [key for key, value in shown.items() if is_hidden(value)]
    rest = total - sum(value for value in shown.values() if not is_hidden(value))
    if rest < 0:
        return {key: [] for key in hidden}
    ranges = {key: ((1, min(4, rest)) if shown[key] == SMALL_COUNT else (0, rest)) for key in hidden}
    found = {}
    for key in hidden:
        reachable = 1  # the other hidden cells can add up to 0 before any is added
        for other in hidden:
            if other != key:
                reachable = _spread(reachable, *ranges[other], rest)
        low, high = ranges[key]
        found[key] = [value for value in range(low, high + 1) if reachable >> (rest - value) & 1]
    return found


def recoverable(shown: dict, total: int) -> list[str]:
    """The hidden cells a reader could work out exactly (only one number fits)."""
    return [key for key, values in possible_values(shown, total).items() if len(values) <= 1]


def secure(shown: dict, counts: dict[str, int], total: int | None = None, *,
           known: tuple[str, ...] = ()) -> dict:
    """Withhold more cells of one breakdown (smallest first, zeros last) until no hidden cell can be
    worked out from the total; if none is left to withhold, every "<5" becomes SECONDARY too. Cells
    `known` from elsewhere in the pack are never withheld: hiding them would protect nothing."""
    total = sum(counts.values()) if total is None else total
    shown = dict(shown)
    if not any(is_hidden(value) for value in shown.values()):
        return shown
    candidates = sorted((key for key, value in shown.items() if not is_hidden(value) and key not in known),
                        key=lambda key: (counts[key] == 0, counts[key]))
    while recoverable(shown, total):
        if candidates:
            shown[candidates.pop(0)] = SECONDARY
        elif SMALL_COUNT in shown.values():
            shown = {key: SECONDARY if value == SMALL_COUNT else value for key, value in shown.items()}
        else:
            break  # a breakdown of one cell: its total is the cell, and headline totals are shown
    return shown


def protect(counts: dict[str, int], *, published: tuple[str, ...] = ()) -> dict[str, int | str]:
    """A breakdown as the pack shows it: counts of 1 to 4 as "<5" and, where the total would give one
    back, the next-smallest cells withheld as SECONDARY. Cells in `published` are shown elsewhere in the
    pack as headline figures (the contract's), so they are shown here too and count as known."""
    shown = {key: value if key in published else suppressed(value) for key, value in counts.items()}
    return secure(shown, counts, known=published)


def protect_columns(rows: dict[str, dict[str, int]], columns: tuple[str, ...],
                    linked: tuple[tuple[str, ...], ...] = ()) -> dict[str, dict[str, int | str]]:
    """A two-way table (rows by a personal attribute, each column a count adding up to a total shown):
    each column protected as a breakdown; a row whose `linked` columns add up to one another (clients =
    those followed + those not yet a year) hides all of them when it hides one. Repeated until settled."""
    shown = {row: {name: suppressed(values[name]) for name in columns} for row, values in rows.items()}
    for _ in range(4 * len(columns) * max(len(rows), 1)):
        before = {row: dict(values) for row, values in shown.items()}
        for name in columns:
            column = secure({row: shown[row][name] for row in rows}, {row: rows[row][name] for row in rows})
            for row, value in column.items():
                shown[row][name] = value
        for row in rows:
            for group in linked:
                if any(is_hidden(shown[row][name]) for name in group):
                    for name in group:
                        if not is_hidden(shown[row][name]):
                            shown[row][name] = SECONDARY
        if shown == before:
            break
    return shown


def date_forms(day: date) -> list[str]:
    """The ways a date of birth is commonly written: ISO, UK numeric with and without zeros, in words."""
    return [day.isoformat(), f"{day:%d/%m/%Y}", f"{day.day}/{day.month}/{day.year}", f"{day:%d.%m.%Y}",
            f"{day:%d-%m-%Y}", f"{day.day} {day:%B %Y}", f"{day.day} {day:%b %Y}"]


# Between the parts of a name or reference people write a space for a hyphen, an apostrophe or none
# ("Mary Ann" for "Mary-Ann", "O Neil", "IOM 0001" for "IOM-0001"), or put a comma ("Smith, John"):
# up to three of these characters, or nothing at all ("MaryAnn", "IOM0001").
_JOIN_CHARACTERS = r"\s\-\u2010\u2011\u2013\u2014'\u2019.,_/"
_JOIN = re.compile(rf"[{_JOIN_CHARACTERS}]{{1,3}}")
# An identifier is a whole word: not next to a letter, digit, underscore or slash ("11/123456H" is not in
# "x11/123456H", nor "IOM-0001" in "IOM-0001/2").
_NOT_AN_EDGE = "_/"
_MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
    ("december", "dec")), start=1) for name in names}
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![a-z])\.?"
_DAY = r"(?P<day>\d{1,2})(?!\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4}|\d{2})(?!\d)"
# 26/7/06, 26-07-2006, 26.7.2006, 26 7 2006; 2006-07-26; 26th July 2006, 26 Jul 06, 26th of July, 2006;
# July 26th, 2006. A day and month without a year are not looked for: too many people share them.
_DATES = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"(?<![\w/.\-])(?P<day>\d{1,2})\s?(?P<sep>[/.\-\s])\s?(?P<month>\d{1,2})\s?(?P=sep)\s?" + _YEAR,
    r"(?<![\w/.\-])(?P<year>\d{4})\s?(?P<sep>[/.\-])\s?(?P<month>\d{1,2})\s?(?P=sep)\s?(?P<day>\d{1,2})(?!\d)",
    r"(?<!\w)" + _DAY + r"[\s\-/.]*(?:of\s+)?" + _MONTH + r"[\s\-/.,]*" + _YEAR,
    r"(?<!\w)" + _MONTH + r"[\s\-/.]*" + _DAY + r"(?:,?[\s\-/.]+|,)" + _YEAR,
)]


def _fold(text: str) -> str:
    """Accents off, one character for one (so a match's place is its place in the text as typed)."""
    if text.isascii():
        return text
    return "".join(unicodedata.normalize("NFKD", char)[0] if not char.isascii() else char for char in text)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", _fold(text or ""))


_RUN = re.compile(r"[^\W_]+")  # letters and digits: the parts of an identifier, and of a text
# A PNC ID as people write it: a two- or four-digit year (06 or 2006), a slash, a space or none, the
# serial with or without its leading zeros, then the check letter. Any text of that shape is read every
# way it can be (year, serial, letter) and looked up; so one small pattern serves every PNC ID.
_PNC_SHAPE = re.compile(r"(?<![\w/])(?P<first>\d+)(?:(?P<sep>[\s/\-\u2010\u2011\u2013\u2014._]{1,3})(?P<serial>\d+))?"
                        r"\s?(?P<letter>[a-z])(?![\w/])", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w/])\d")


def pnc_key(pnc_id: str) -> tuple[str, int, str] | None:
    """A PNC ID on the record as (two-digit year, serial as a number, check letter in lower case)."""
    parsed = PNC_PATTERN.match("".join(pnc_id.split()).upper())  # normalise_pnc_id's form, without a regex
    if not parsed:
        return None
    year, serial, letter = parsed.groups()
    return year[-2:], int(serial), letter.lower()


def _serial(digits: str) -> int | None:
    """A serial as written, leading zeros or not, as a number; None when it is none or too long to be one."""
    significant = digits.lstrip("0")
    return int(significant or "0") if digits and len(significant) <= 7 else None


def _pnc_readings(match: re.Match) -> list[tuple[str, int, str]]:
    """Each (year, serial, letter) a PNC-shaped text can be: with a separator, the year is what comes
    before it (two digits, or four beginning 19 or 20); without one, the first two digits are the year,
    or the first four when they begin 19 or 20, and the rest is the serial."""
    first, serial, letter = match["first"], match["serial"], match["letter"].lower()
    if serial is not None:
        years = [first] if len(first) == 2 else [first[2:]] if len(first) == 4 and first[:2] in ("19", "20") else []
        readings = [(year, serial) for year in years]
    else:
        readings = [(first[:2], first[2:])] + ([(first[2:4], first[4:])] if first[:2] in ("19", "20") else [])
    return [(year, number, letter) for year, digits in readings
            if len(year) == 2 and (number := _serial(digits)) is not None]


class _Words:
    """Identifiers made of words (names, references, wards), found in a text without one pattern per
    identifier: each is kept as its parts run together (the key) with the places where one part ends
    and the next begins. A text is cut into its runs of letters and digits; runs one after another,
    with at most three joining characters between each, are run together and looked up. They match
    an identifier when the key is the same and every place one run ends is a place a part ends (a
    part boundary may also fall inside a run: parts joined by nothing).

    The places are a bit mask (bit n: a part ends after n characters) and each key's entries a tuple
    of (places, kind): numbers, strings and tuples of them, which the garbage collector soon stops
    scanning. With a set of frozensets for each of 30,000 keys, its collections took half the time of
    loading the identifiers at 5,000 clients and made it grow faster than the caseload."""

    def __init__(self, any_case: bool) -> None:
        self.any_case = any_case
        self.keys: dict[str, tuple[tuple[int, str], ...]] = {}
        self.prefixes: set[str] = set()  # every key cut at a part boundary, to stop looking early
        self.longest = 0

    def add(self, kind: str, parts: list[str]) -> None:
        if self.any_case:
            parts = [part.lower() for part in parts]
        if not parts:
            return
        key = "".join(parts)
        places, at = 0, 0
        for part in parts:
            at += len(part)
            places |= 1 << at
            self.prefixes.add(key[:at])
        entry = (places & ~(1 << at), kind)  # where a part ends and the next begins
        entries = self.keys.get(key, ())
        if entry not in entries:
            self.keys[key] = entries + (entry,)
        self.longest = max(self.longest, len(key))

    def spans(self, folded: str, runs: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
        """(kind, start, end) of every identifier in the folded text, runs its runs of letters and digits."""
        if not self.keys:
            return []
        found = []
        words = [folded[start:end].lower() if self.any_case else folded[start:end] for start, end in runs]
        for first, (start, _) in enumerate(runs):
            if start and folded[start - 1] in _NOT_AN_EDGE:
                continue
            key, ends = "", 0  # ends: a bit for each place a run ends inside the key
            for last in range(first, len(runs)):
                if last > first:
                    gap = folded[runs[last - 1][1]:runs[last][0]]
                    if len(gap) > 3 or not _JOIN.fullmatch(gap):
                        break
                    ends |= 1 << len(key)
                key += words[last]
                if len(key) > self.longest or key not in self.prefixes:
                    break
                end = runs[last][1]
                after = folded[end:end + 1]
                if key in self.keys and not (after and after in _NOT_AN_EDGE):
                    found += [(kind, start, end) for places, kind in self.keys[key] if not ends & ~places]
        return found


def _year_candidates(text: str) -> list[int]:
    year = int(text)
    return [year] if len(text) == 4 else [1900 + year, 2000 + year]


def dates_in(text: str) -> list[tuple[int, int, date]]:
    """Every date written in the text, in the forms above: (start, end, date). A numeric one is read
    month-first as well as day-first (7/26/06), and a two-digit year in either century, so none slips through."""
    found = []
    for index, pattern in enumerate(_DATES):
        for match in pattern.finditer(text):
            month = match["month"]
            readings = [(int(match["day"]), _MONTHS[month.lower()] if month.isalpha() else int(month))]
            if index == 0:
                readings.append(readings[0][::-1])
            for day, month_number in readings:
                for year in _year_candidates(match["year"]):
                    try:
                        found.append((match.start(), match.end(), date(year, month_number, day)))
                    except ValueError:
                        pass  # not a real date in this reading
    return found


@dataclass(frozen=True)
class Found:
    """An identifier found in a text: its kind ('name', 'PNC ID', ...) and the words as written."""
    kind: str
    text: str


# The kinds refused in what people type; the others ("given name", "family name, any case", "ward, any case")
# are only removed from the pack (a family name or ward is refused as written: "best practice" is not Best).
_REFUSED = ("name", "date of birth", "PNC ID", "reference", "family name", "ward")


@dataclass
class Identifiers:
    """Every identifier of every client and watch-list person, ready to find in text.

    A manager's or reviewer's text is refused when it holds a full name (either order, any case, the
    parts joined by a space, hyphen or nothing), a date of birth (in any of the forms dates_in reads),
    a PNC ID (two- or four-digit year, with or without the slash and leading zeros) or a reference
    (IOM-0001, IOM 0001, IOM0001), or a family name or ward as written (capitalised: so "best
    practice" is not refused for a client called Best). When the pack is built all of these are
    removed in any case, and given names on their own as written, which would be too common as words
    to refuse. Every match is of whole words, the longest at each place."""

    any_case: _Words = field(default_factory=lambda: _Words(any_case=True))
    as_written: _Words = field(default_factory=lambda: _Words(any_case=False))
    pnc_ids: set[tuple[str, int, str]] = field(default_factory=set)
    dates_of_birth: set[date] = field(default_factory=set)

    @classmethod
    def from_database(cls) -> "Identifiers":
        identifiers = cls()
        # a disposed record's placeholders ("Disposed record") identify no one (iom/data_protection/retention.py)
        people = list(db.session.execute(select(Client.given_name, Client.family_name, Client.date_of_birth,
                                                Client.pnc_id, Client.reference, Client.ward)
                                         .where(Client.disposed_at.is_(None))))
        disposed = select(Client.id).where(Client.disposed_at.is_not(None))
        people += [(*row, None, None) for row in db.session.execute(
            select(WatchEntry.given_name, WatchEntry.family_name, WatchEntry.date_of_birth, WatchEntry.pnc_id)
            .where(or_(WatchEntry.client_id.is_(None), WatchEntry.client_id.not_in(disposed))))]
        wards = set()
        for given_name, family_name, born, pnc_id, reference, ward in people:
            identifiers.add(given_name, family_name, born, pnc_id, reference, None if ward in wards else ward)
            wards.add(ward)  # many share a ward: its words are added once
        return identifiers

    def add(self, given_name: str | None, family_name: str | None, born: date | None = None,
            pnc_id: str | None = None, reference: str | None = None, ward: str | None = None) -> None:
        """One person's identifiers, to be looked for."""
        given, family = _words(given_name), _words(family_name)
        if given and family:
            self.any_case.add("name", given + family)
            self.any_case.add("name", family + given)
        if len("".join(family)) >= 2:
            self.as_written.add("family name", family)
            self.any_case.add("family name, any case", family)
        if len("".join(given)) >= 2:
            self.as_written.add("given name", given)
        if born:
            self.dates_of_birth.add(born)
        if pnc_id and pnc_id.strip():
            key = pnc_key(pnc_id)
            if key:
                self.pnc_ids.add(key)
            else:  # not in the PNC's form: looked for as its words
                self.any_case.add("PNC ID", _words(pnc_id))
        if reference and reference.strip():
            self.any_case.add("reference", _words(reference))
        words = _words(ward)
        if len("".join(words)) >= 2:
            self.as_written.add("ward", words)
            self.any_case.add("ward, any case", words)

    def _spans(self, folded: str) -> list[tuple[str, int, int]]:
        """(kind, start, end) of every identifier in the folded text, dates of birth included."""
        spans = [("date of birth", start, end) for start, end, day in dates_in(folded) if day in self.dates_of_birth]
        if self.pnc_ids:
            # tried at every number's start, as one PNC-shaped text may hold another ("1234 / 06/0123456X")
            for number in _NUMBER.finditer(folded):
                match = _PNC_SHAPE.match(folded, number.start())
                if match and any(reading in self.pnc_ids for reading in _pnc_readings(match)):
                    spans.append(("PNC ID", *match.span()))
        runs = [match.span() for match in _RUN.finditer(folded)]
        return spans + self.any_case.spans(folded, runs) + self.as_written.spans(folded, runs)

    def findings(self, text: str | None) -> list[Found]:
        """Each identifier the text holds, by kind ('name', 'date of birth', 'PNC ID', 'reference',
        'ward'; a family name alone is a 'name'), the first of each kind with the words as written."""
        if not text:
            return []
        refused = [item for item in self._spans(_fold(text)) if item[0] in _REFUSED]
        found: dict[str, Found] = {}
        for kind, start, end in sorted(refused, key=lambda item: (item[1], -item[2])):
            kind = "name" if kind == "family name" else kind
            found.setdefault(kind, Found(kind, text[start:end]))
        order = ("name", "date of birth", "PNC ID", "reference", "ward")
        return sorted(found.values(), key=lambda item: order.index(item.kind))

    def found_in(self, text: str | None) -> list[str]:
        """The kinds of identifier the text holds ('name', 'PNC ID', ...), each once."""
        return [item.kind for item in self.findings(text)]

    def scrub(self, text: str | None) -> str | None:
        """The text with every identifier replaced by [removed]."""
        if not text:
            return text
        kept, at = [], 0
        for _, start, end in sorted(self._spans(_fold(text)), key=lambda item: (item[1], -item[2])):
            if start < at:
                continue  # inside a longer identifier already removed
            kept += [text[at:start], REMOVED]
            at = end
        return "".join(kept) + text[at:]


def refusal(what: str, findings: list[Found], pseudonymised: str) -> str:
    """The message for text refused because it identifies someone: which kinds, and the words found."""
    listed = " and a ".join(f"{item.kind} (\u201c{item.text.strip()}\u201d)" for item in findings)
    return f"{what} must not identify anyone: it contains a {listed}. {pseudonymised} is pseudonymised, so remove it"
