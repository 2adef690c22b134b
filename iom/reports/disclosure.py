"""Disclosure control for the review pack: small counts in breakdowns shown as "<5", and client
identifiers kept out of the free text people type (self-assessment evidence, questions, unit costs)."""
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
    return {key: suppressed(value) for key, value in counts.items()}


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
