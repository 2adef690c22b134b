"""Time: stored in UTC, shown in Europe/London."""
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
    return f"{value.day} {value:%B %Y}"


def uk_datetime(moment: datetime | None) -> str:
    """A moment in UK local time: 5 April 2011, 2:05pm."""
    local = to_london(moment)
    if local is None:
        return ""
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{uk_date(local.date())}, {hour}:{local:%M}{suffix}"
