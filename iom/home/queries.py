"""The home page's "today" panel: counts only, so no person is named on it."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from iom.auth.permissions import HOUSING, MANAGER, OFFICER
from iom.clients.models import Client
from iom.clients.queries import period_on
from iom.extensions import db
from iom.payments.models import SupportPayment
from iom.referrals.queries import housing_queue, release_worklist
from iom.watch.models import WatchEntry


@dataclass
class TodayItem:
    count: int
    text: str
    endpoint: str
    params: dict


def today_items(user, today: date) -> list[TodayItem]:
    """What needs doing today for this person's role, each with the page that lists it."""

    items: list[TodayItem] = []
    if user.role in (OFFICER, MANAGER):
        mine = db.session.scalar(select(func.count()).select_from(Client).where(
            Client.offender_manager_id == user.id, period_on(today).is_not(None)))
        items.append(TodayItem(mine, "on the scheme in your caseload", "clients.list_clients",
                               {"officer": user.id}))
        due = db.session.scalar(select(func.count()).select_from(WatchEntry).where(
            WatchEntry.outcome.is_(None), WatchEntry.next_review_on <= today))
        items.append(TodayItem(due, "watch list reviews due or overdue", "watch.list_entries", {}))
    if user.role in (OFFICER, MANAGER, HOUSING):
        releases = release_worklist(today)
        # a release date passed with no release recorded still counts: someone has to record it
        items.append(TodayItem(len(releases), "due for release in the next 28 days or with the release date passed",
                               "referrals.release_worklist", {}))
        items.append(TodayItem(sum(row.is_release_passed for row in releases),
                               "in custody past their expected release date, with no release recorded",
                               "referrals.release_worklist", {}))
        items.append(TodayItem(sum(row.has_neither for row in releases),
                               "due for release with no housing referral or Duty to Refer",
                               "referrals.release_worklist", {}))
    if user.role == HOUSING:
        queue = housing_queue(today)
        items.append(TodayItem(len(queue), "open housing referrals", "referrals.housing_queue", {}))
        items.append(TodayItem(sum(row.next_action == "overdue" for row in queue),
                               "housing referrals with an overdue next action", "referrals.housing_queue", {}))
    if user.role == MANAGER:
        waiting = db.session.scalar(select(func.count()).select_from(SupportPayment).where(
            SupportPayment.status == "requested", SupportPayment.requested_by_id != user.id))
        items.append(TodayItem(waiting, "support payments waiting for your decision", "payments.approvals", {}))
    return items
