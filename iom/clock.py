"""Time: stored in UTC, shown in Europe/London."""
import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def today_in_london() -> date:
    """Today's date as people in the partnership see it."""
    return utcnow().astimezone(LONDON).date()


def to_london(moment: datetime | None) -> datetime | None:
    """Convert a stored UTC moment to UK local time."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LONDON)


def uk_date(value: date | datetime | None) -> str:
    """A date as the GOV.UK style writes it: 5 April 2011."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_london(value).date()
    # the month's name from our own list, not strftime's %B: the same whatever the server's locale, and a
    # caseload page writes 50 of these
    return f"{value.day} {_MONTH_NAMES[value.month]} {value.year}"


_MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")


def uk_datetime(moment: datetime | None) -> str:
    """A moment in UK local time: 5 April 2011, 2:05pm."""
    local = to_london(moment)
    if local is None:
        return ""
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{uk_date(local.date())}, {hour}:{local:%M}{suffix}"


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date_text(text: str | None) -> date | None:
    """'2011-04-05' or the UK '5/4/2011' to a date; None when blank; ValueError when not a real date."""
    text = (text or "").strip()
    if not text:
        return None
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _UK.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(f"'{text}' is not a date in the form 27/3/2011 or 2011-03-27")
    return date(year, month, day)  # ValueError for 31/02
