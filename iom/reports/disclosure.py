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
from iom.form_fields import PNC_PATTERN, normalise_pnc_id
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
# ("Mary Ann" for "Mary-Ann", "O Neil", "IOM 0001" for "IOM-0001"), or put a comma ("Smith, John").
_JOIN = r"[\s\-\u2010\u2011\u2013\u2014'\u2019.,_/]{0,3}"
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
    return "".join(unicodedata.normalize("NFKD", char)[0] if not char.isascii() else char for char in text)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", _fold(text or ""))


def _joined(parts: list[str]) -> str:
    return _JOIN.join(re.escape(part) for part in parts)


def _pattern(alternatives: set[str], ignore_case: bool = True) -> re.Pattern | None:
    """One pattern for many alternatives (already regular expressions), longest first, as whole words."""
    alternatives = {alternative for alternative in alternatives if alternative}
    if not alternatives:
        return None
    joined = "|".join(sorted(alternatives, key=len, reverse=True))
    return re.compile(rf"(?<![\w/])(?:{joined})(?![\w/])", re.IGNORECASE if ignore_case else 0)


def pnc_pattern(pnc_id: str) -> str:
    """A PNC ID as people write it: a two- or four-digit year (06 or 2006), a slash, a space or none,
    the serial with or without its leading zeros, then the check letter."""
    parsed = PNC_PATTERN.match(normalise_pnc_id(pnc_id) or "")
    if not parsed:
        return _joined(_words(pnc_id))
    year, serial, letter = parsed.groups()
    return rf"(?:19|20)?{year[-2:]}[\s/\-\u2010\u2011\u2013\u2014._]{{0,3}}0*{serial.lstrip('0') or '0'}\s?{letter}"


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


@dataclass
class Identifiers:
    """Every identifier of every client and watch-list person, as patterns to find in text.

    A manager's or reviewer's text is refused when it holds a full name (either order, any case, the
    parts joined by a space, hyphen or nothing), a date of birth (in any of the forms dates_in reads),
    a PNC ID (two- or four-digit year, with or without the slash and leading zeros) or a reference
    (IOM-0001, IOM 0001, IOM0001), or a family name or ward as written (capitalised: so "best
    practice" is not refused for a client called Best). When the pack is built all of these are
    removed in any case, and given names on their own as written, which would be too common as words
    to refuse."""

    refuse: list[tuple[str, re.Pattern]] = field(default_factory=list)
    remove: list[re.Pattern] = field(default_factory=list)
    dates_of_birth: set[date] = field(default_factory=set)

    @classmethod
    def from_database(cls) -> "Identifiers":
        alternatives: dict[str, set[str]] = {"name": set(), "PNC ID": set(), "reference": set(),
                                             "family name": set(), "ward": set(), "given name": set()}
        dates_of_birth: set[date] = set()
        # a disposed record's placeholders ("Disposed record") identify no one (iom/data_protection/retention.py)
        people = list(db.session.execute(select(Client.given_name, Client.family_name, Client.date_of_birth,
                                                Client.pnc_id, Client.reference, Client.ward)
                                         .where(Client.disposed_at.is_(None))))
        disposed = select(Client.id).where(Client.disposed_at.is_not(None))
        people += [(*row, None, None) for row in db.session.execute(
            select(WatchEntry.given_name, WatchEntry.family_name, WatchEntry.date_of_birth, WatchEntry.pnc_id)
            .where(or_(WatchEntry.client_id.is_(None), WatchEntry.client_id.not_in(disposed))))]
        for given_name, family_name, born, pnc_id, reference, ward in people:
            given, family = _joined(_words(given_name)), _joined(_words(family_name))
            if given and family:
                alternatives["name"].update({given + _JOIN + family, family + _JOIN + given})
            if len("".join(_words(family_name))) >= 2:
                alternatives["family name"].add(family)
            if len("".join(_words(given_name))) >= 2:
                alternatives["given name"].add(given)
            if born:
                dates_of_birth.add(born)
            if pnc_id and pnc_id.strip():
                alternatives["PNC ID"].add(pnc_pattern(pnc_id))
            if reference and reference.strip():
                alternatives["reference"].add(_joined(_words(reference)))
            if ward and len("".join(_words(ward))) >= 2:
                alternatives["ward"].add(_joined(_words(ward)))
        any_case = {kind: _pattern(alternatives[kind]) for kind in ("name", "PNC ID", "reference")}
        as_written = {kind: _pattern(alternatives[kind], ignore_case=False) for kind in ("family name", "ward")}
        refuse = [(kind, pattern) for kind, pattern in (*any_case.items(), *as_written.items()) if pattern]
        remove = [pattern for pattern in (*any_case.values(), _pattern(alternatives["family name"]),
                                          _pattern(alternatives["ward"]),
                                          _pattern(alternatives["given name"], ignore_case=False)) if pattern]
        return cls(refuse=refuse, remove=remove, dates_of_birth=dates_of_birth)

    def _dates_of_birth_in(self, folded: str) -> list[tuple[int, int]]:
        return [(start, end) for start, end, day in dates_in(folded) if day in self.dates_of_birth]

    def findings(self, text: str | None) -> list[Found]:
        """Each identifier the text holds, by kind ('name', 'date of birth', 'PNC ID', 'reference',
        'ward'; a family name alone is a 'name'), the first of each kind with the words as written."""
        if not text:
            return []
        folded = _fold(text)
        spans = [("date of birth", span) for span in self._dates_of_birth_in(folded)]
        spans += [(kind, match.span()) for kind, pattern in self.refuse for match in pattern.finditer(folded)]
        found: dict[str, Found] = {}
        for kind, (start, end) in sorted(spans, key=lambda item: (item[1][0], -item[1][1])):
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
        folded = _fold(text)
        spans = self._dates_of_birth_in(folded)
        spans += [match.span() for pattern in self.remove for match in pattern.finditer(folded)]
        kept, at = [], 0
        for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
            if start < at:
                continue  # inside a longer identifier already removed
            kept += [text[at:start], REMOVED]
            at = end
        return "".join(kept) + text[at:]


def refusal(what: str, findings: list[Found], pseudonymised: str) -> str:
    """The message for text refused because it identifies someone: which kinds, and the words found."""
    listed = " and a ".join(f"{item.kind} (\u201c{item.text.strip()}\u201d)" for item in findings)
    return f"{what} must not identify anyone: it contains a {listed}. {pseudonymised} is pseudonymised, so remove it"
