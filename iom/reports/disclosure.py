"""Disclosure control for the review pack: small counts in breakdowns shown as "<5", the cells that
would give them back withheld (secondary suppression), and client identifiers kept out of the free
text people type (self-assessment evidence, questions, unit costs, the review's words)."""
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from iom.clients.models import Client
from iom.extensions import db
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


def _pattern(words: set[str], ignore_case: bool = True) -> re.Pattern | None:
    words = {word for word in words if word and len(word) >= 2}
    if not words:
        return None
    # longest first, so a full name is matched (and removed) before its parts
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w/]){'(?:' + alternatives + ')'}(?![\w/])", re.IGNORECASE if ignore_case else 0)


@dataclass
class Identifiers:
    """Every identifier of every client and watch-list person, as patterns to find in text.

    A manager's text is refused when it holds a full name, date of birth, PNC id or reference (in any
    case), or a family name or ward as written (capitalised: so "best practice" is not refused for
    a client called Best). When the pack is built all of these are removed in any case, and given
    names on their own as written, which would be too common as words to refuse."""

    refuse_any_case: re.Pattern | None = None
    refuse_as_written: re.Pattern | None = None
    remove_any_case: re.Pattern | None = None
    remove_as_written: re.Pattern | None = None
    kinds: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_database(cls) -> "Identifiers":
        kinds: dict[str, set[str]] = {"name": set(), "date of birth": set(), "PNC ID": set(), "reference": set(),
                                      "family name": set(), "ward": set()}
        given: set[str] = set()
        people = list(db.session.execute(select(Client.given_name, Client.family_name, Client.date_of_birth,
                                                Client.pnc_id, Client.reference, Client.ward)))
        people += [(*row, None, None) for row in db.session.execute(
            select(WatchEntry.given_name, WatchEntry.family_name, WatchEntry.date_of_birth, WatchEntry.pnc_id))]
        for given_name, family_name, born, pnc_id, reference, ward in people:
            given_name, family_name = (given_name or "").strip(), (family_name or "").strip()
            kinds["name"].update({f"{given_name} {family_name}", f"{family_name}, {given_name}",
                                  f"{family_name} {given_name}"})
            kinds["family name"].add(family_name)
            given.add(given_name)
            if born:
                kinds["date of birth"].update(date_forms(born))
            if pnc_id:
                kinds["PNC ID"].add(pnc_id)
                kinds["PNC ID"].add(pnc_id.replace("/", ""))
            if reference:
                kinds["reference"].add(reference)
            if ward and ward.strip():
                kinds["ward"].add(ward.strip())
        any_case = kinds["name"] | kinds["date of birth"] | kinds["PNC ID"] | kinds["reference"]
        as_written = kinds["family name"] | kinds["ward"]
        return cls(refuse_any_case=_pattern(any_case), refuse_as_written=_pattern(as_written, ignore_case=False),
                   remove_any_case=_pattern(any_case | as_written), remove_as_written=_pattern(given, ignore_case=False),
                   kinds=kinds)

    def found_in(self, text: str | None) -> list[str]:
        """The kinds of identifier the text holds ('name', 'PNC ID', ...), each once."""
        if not text:
            return []
        found: set[str] = set()
        for pattern in (self.refuse_any_case, self.refuse_as_written):
            if pattern is not None:
                found |= {match.group(0).lower() for match in pattern.finditer(text)}
        kinds = []
        for kind, values in self.kinds.items():
            label = "name" if kind == "family name" else kind
            if found & {value.lower() for value in values} and label not in kinds:
                kinds.append(label)
        return kinds

    def scrub(self, text: str | None) -> str | None:
        """The text with every identifier replaced by [removed]."""
        if not text:
            return text
        for pattern in (self.remove_any_case, self.remove_as_written):
            if pattern is not None:
                text = pattern.sub(REMOVED, text)
        return text
