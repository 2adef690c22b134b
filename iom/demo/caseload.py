"""The fictional caseload: about 80 clients over the two years ending today, their periods on
the scheme, custody spells, a few case notes and a watch list. Every change goes through the
same operations the pages use, so the audit trail records it; the command commits once."""
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random

from sqlalchemy import select

from iom.auth.models import User
from iom.clients import operations as clients
from iom.clients.models import Client, SchemePeriod
from iom.clock import today_in_london
from iom.custody.operations import record_custody_event
from iom.extensions import db
from iom.figures.months import add_months
from iom.figures.operations import record_sac_count
from iom.form_fields import PNC_LETTERS
from iom.offending import operations as offending
from iom.payments import operations as payments
from iom.referrals import operations as referrals
from iom.reports import operations as reports
from iom.reports.models import SelfAssessmentQuestion
from iom.watch import operations as watch
from iom.years import FinancialYear

COUNTED_SLOTS = 72                # places on the counted strands kept filled, give or take gaps
PREVENT_DETER_SLOTS = 4

# Trees for given names and birds for family names, marked "Demo-": nobody could take them for real.
GIVEN_NAMES = ["Alder", "Ash", "Aspen", "Birch", "Cedar", "Elder", "Elm", "Hazel", "Holly", "Juniper",
               "Larch", "Laurel", "Linden", "Maple", "Myrtle", "Oak", "Olive", "Poplar", "Rowan", "Sorrel",
               "Spruce", "Willow", "Yew", "Hawthorn", "Blackthorn", "Beech", "Cypress", "Hornbeam"]
FAMILY_NAMES = ["Demo-Bittern", "Demo-Bunting", "Demo-Chaffinch", "Demo-Curlew", "Demo-Dunlin", "Demo-Dunnock",
                "Demo-Fieldfare", "Demo-Goldcrest", "Demo-Greenfinch", "Demo-Heron", "Demo-Kestrel",
                "Demo-Kingfisher", "Demo-Lapwing", "Demo-Linnet", "Demo-Merlin", "Demo-Nightjar",
                "Demo-Nuthatch", "Demo-Pipit", "Demo-Plover", "Demo-Redstart", "Demo-Redwing", "Demo-Sandpiper",
                "Demo-Siskin", "Demo-Skylark", "Demo-Starling", "Demo-Stonechat", "Demo-Swift", "Demo-Twite",
                "Demo-Wagtail", "Demo-Warbler", "Demo-Waxwing", "Demo-Whimbrel", "Demo-Wheatear", "Demo-Yellowhammer"]
WARDS = ["Northfield (demo)", "Eastbrook (demo)", "Southmere (demo)", "Westcroft (demo)", "Hollowgate (demo)",
         "Larkhill Vale (demo)", "Riverside North (demo)", "Old Quarry (demo)", "Fennel Green (demo)"]
ESTABLISHMENTS = ["HMP Oakhollow (demo)", "HMP Fernbridge (demo)", "HMP Stonegate (demo)",
                  "HMYOI Larkmoor (demo)", "HMP Ashcombe (demo)"]
AGENCIES = ["Demo Probation Service", "Demo Youth Justice Service", "Demo Borough Housing Team",
            "Demo Drug and Alcohol Service", "Demo Neighbourhood Policing Team"]
WATCH_REASONS = [
    "Three arrests for shoplifting in the last two months; referred by the neighbourhood team.",
    "Released recently with no fixed address; housing team worried about re-offending.",
    "Named in intelligence about burglaries on the estate; not yet charged.",
    "Youth justice case closing at 18; continuing concerns about vehicle crime.",
    "Drug service reports disengagement and a return to acquisitive offending.",
]
NOTES = [
    "Home visit: settled at the hostel, attending the drug service weekly.",
    "Missed appointment; rearranged for next week. Phoned the hostel key worker.",
    "Met at the job centre with the employment adviser. Interested in a CSCS card course.",
    "Prison visit before release: accommodation confirmed, GP registration arranged.",
    "Reported a dispute with a neighbour; advised, and passed on to the housing officer.",
    "Positive week: attended every appointment and completed the first group session.",
    "Test results negative for opiates for the third month running.",
    "Reviewed risk with the police lead; no change for now, review in a month.",
]
EXIT_REASONS = ["completed"] * 5 + ["desisted"] * 4 + ["moved_away"] * 3 + ["deselected"] * 3 + \
    ["transferred"] * 3 + ["other"]


@dataclass
class PlannedClient:
    """A client worked out in memory first, so every date can be checked before it is written."""

    details: dict
    periods: list = field(default_factory=list)    # [strand, joined, left, exit_reason] by day number
    custody: list = field(default_factory=list)    # (day, status, establishment, expected_release_day)

    @property
    def first_joined(self) -> int:
        return self.periods[0][1]

    @property
    def last_left(self) -> int | None:
        return self.periods[-1][2]


class Caseload:
    """Builds the plan with one random generator, so a seed always gives the same caseload."""

    def __init__(self, seed: int, today: date):
        self.rng = Random(seed)
        self.today = today
        # From the first of the month two years ago, so every month shown is a whole month.
        self.start = date(today.year - 2, today.month, 1)
        self.days = (today - self.start).days     # today's day number
        self.names = [(given, family) for given in GIVEN_NAMES for family in FAMILY_NAMES]
        self.rng.shuffle(self.names)
        self.pnc_ids: set[str] = set()
        self.planned: list[PlannedClient] = []

    def day(self, number: int) -> date:
        return self.start + timedelta(days=number)

    # --- people ---------------------------------------------------------------------------------

    def pnc_id(self, year_of_birth: int) -> str:
        while True:
            year = min(year_of_birth + self.rng.randint(15, 24), self.today.year)
            yy, serial = f"{year % 100:02d}", f"{self.rng.randint(100000, 999999)}"
            pnc = f"{yy}/{serial}{PNC_LETTERS[int(yy + serial.zfill(7)) % 23]}"
            if pnc not in self.pnc_ids:
                self.pnc_ids.add(pnc)
                return pnc

    def person(self, officers: list) -> dict:
        rng = self.rng
        given, family = self.names.pop()
        programme = rng.choices(["ppo", "dip", "youth", "other"], [45, 30, 10, 15])[0]
        age_days = rng.randint(18 * 365 + 30, 21 * 365) if programme == "youth" else rng.randint(21 * 365, 55 * 365)
        born = self.today - timedelta(days=age_days)
        return {
            "given_name": given,
            "family_name": family,
            "date_of_birth": born,
            "pnc_id": self.pnc_id(born.year),
            "ward": rng.choice(WARDS),
            "programme": programme,
            "alcohol_related": rng.choices(["yes", "no", "unknown"], [35, 45, 20])[0],
            "risk_level": rng.choices(["low", "medium", "high", "very_high", None], [15, 40, 30, 8, 7])[0],
            "offender_manager_id": rng.choices(officers, [45, 40, 12, 3])[0],
        }

    # --- the scheme -----------------------------------------------------------------------------

    def plan_periods(self, officers: list) -> None:
        """Fill each place on the scheme in turn: a client stays a while, may leave, and after a gap
        a new client or someone who left earlier takes the place."""
        rng = self.rng
        exited: list[PlannedClient] = []
        deceased_used = False
        slots = [rng.choice(["catch_convict", "resettle_rehabilitate"]) for _ in range(COUNTED_SLOTS)] + \
            ["prevent_deter"] * PREVENT_DETER_SLOTS
        for slot_strand in slots:
            joined = rng.randint(0, 20) if rng.random() < 0.9 else rng.randint(21, 90)
            occupant = None
            while joined <= self.days:
                strand = slot_strand if slot_strand == "prevent_deter" else \
                    rng.choices(["catch_convict", "resettle_rehabilitate"], [55, 45])[0]
                candidates = [c for c in exited if c.last_left is not None and c.last_left + 45 <= joined
                              and c.periods[-1][3] != "deceased"]
                if occupant is not None and candidates and rng.random() < 0.65:
                    occupant = rng.choice(candidates)
                    exited.remove(occupant)
                else:
                    occupant = PlannedClient(self.person(officers))
                    self.planned.append(occupant)
                stay = rng.randint(200, 2600)
                left = joined + stay if joined + stay < self.days else None
                reason = None
                if left is not None:
                    reason = rng.choice(EXIT_REASONS)
                    if not deceased_used and rng.random() < 0.06:
                        reason, deceased_used = "deceased", True
                    exited.append(occupant)
                occupant.periods.append([strand, joined, left, reason])
                if left is None:
                    break
                joined = left + rng.randint(5, 80)
        # Re-adoption must show in the demo even on an unlucky seed.
        readopted = [c for c in self.planned if len(c.periods) > 1]
        for client in [c for c in exited if c.periods[-1][3] != "deceased"
                       and c.last_left + 60 <= self.days][:max(0, 3 - len(readopted))]:
            client.periods.append([client.periods[-1][0], rng.randint(client.last_left + 30, self.days), None, None])

    # --- custody --------------------------------------------------------------------------------

    def plan_custody(self, client: PlannedClient, end: int, release_soon: bool) -> None:
        """Spells of remand, custody and release from a little before adoption up to `end`."""
        rng = self.rng
        events = client.custody
        cursor = max(0, client.first_joined - rng.randint(0, 60)) + rng.randint(30, 500)
        if release_soon:
            end -= rng.randint(60, 200)    # leave room for the spell that is running now
        while cursor < end - 14:
            establishment = rng.choice(ESTABLISHMENTS)
            if rng.random() < 0.75:
                events.append((cursor, "remand", establishment, None))
                cursor += rng.randint(3, 60)
                if rng.random() < 0.35:    # bailed or acquitted
                    if cursor < end:
                        events.append((cursor, "community", None, None))
                    cursor += rng.randint(120, 600)
                    continue
            if cursor >= end:
                break
            release = cursor + rng.choice([rng.randint(28, 90), rng.randint(60, 200)])
            expected = max(cursor + 1, release + rng.randint(-10, 10))
            if release >= end == self.days:
                expected = max(expected, self.days + 1)    # still inside: the release is yet to come
            events.append((cursor, "custody", establishment, expected))
            if release >= end:
                break
            events.append((release, "community", None, None))
            cursor = release + rng.randint(120, 600)
        if release_soon:
            start = max(events[-1][0] + 14 if events else 0, self.days - rng.randint(20, 120))
            if events and events[-1][1] != "community":
                events.append((start - 7, "community", None, None))
            establishment = rng.choice(ESTABLISHMENTS)
            if rng.random() < 0.5 and start + 10 < self.days:
                events.append((start, "remand", establishment, None))
                start += rng.randint(5, 10)
            events.append((start, "custody", establishment, self.days + rng.randint(1, 28)))
        elif end < self.days and events and events[-1][1] != "community":
            # They left the scheme while inside: record the release once it has happened. A death
            # ends the history at the last time they were in the community.
            if client.periods[-1][3] == "deceased":
                while events and events[-1][1] != "community":
                    events.pop()
            else:
                release = events[-1][3] or events[-1][0] + rng.randint(7, 60)
                if release <= self.days:
                    events.append((release, "community", None, None))

    def plan(self, officers: list) -> None:
        self.plan_periods(officers)
        on_scheme = [c for c in self.planned if c.last_left is None]
        release_soon = set(id(c) for c in self.rng.sample(on_scheme, 5))
        for client in self.planned:
            # Spells start up to today for those on the scheme, up to the last leaving day for the rest.
            end = self.days if client.last_left is None else client.last_left
            self.plan_custody(client, end, id(client) in release_soon)
        self.planned.sort(key=lambda c: c.first_joined)


def _officers() -> list:
    users = {user.username: user for user in db.session.scalars(
        select(User).where(User.username.in_(("demo.officer", "demo.officer2", "demo.manager"))))}
    return [users["demo.officer"].id, users["demo.officer2"].id, users["demo.manager"].id, None]


def _write_client(plan: Caseload, planned: PlannedClient, staff: dict) -> Client:
    """Record one client's history through the operations, in date order."""
    strand, joined, left, reason = planned.periods[0]
    client = clients.add_client(planned.details, strand=strand, joined_on=plan.day(joined))
    steps = [(p[1], "adopt", p) for p in planned.periods[1:]] + \
            [(p[2], "leave", p) for p in planned.periods if p[2] is not None] + \
            [(e[0], "custody", e) for e in planned.custody]
    for _, kind, item in sorted(steps, key=lambda step: (step[0], step[1] != "leave")):
        if kind == "adopt":
            clients.adopt_client(client, strand=item[0], joined_on=plan.day(item[1]))
        elif kind == "leave":
            period = db.session.scalar(select(SchemePeriod).where(
                SchemePeriod.client_id == client.id, SchemePeriod.left_on.is_(None)))
            clients.leave_scheme(client, period, left_on=plan.day(item[2]), exit_reason=item[3],
                                 version=period.version)
        else:
            day, status, establishment, expected = item
            record_custody_event(client, status=status, from_date=plan.day(day), establishment=establishment,
                                 expected_release_on=plan.day(expected) if expected is not None else None,
                                 recorded_by=staff[client.offender_manager_id])
    return client


def _write_watch_list(plan: Caseload, officers: list) -> None:
    rng, today = plan.rng, plan.today
    entries = []
    # (days ago added, days until next review: negative is overdue, None is no date set)
    for added_ago, review_in in [(120, -30), (75, -12), (40, -3), (20, -1), (60, 14), (10, 21), (5, None),
                                 (200, -172), (150, -122), (90, -62)]:
        given, family = plan.names.pop()
        born = today - timedelta(days=rng.randint(19 * 365, 45 * 365))
        added_on = today - timedelta(days=added_ago)
        entries.append(watch.add_watch_entry({
            "given_name": given, "family_name": family, "date_of_birth": born,
            "pnc_id": plan.pnc_id(born.year) if rng.random() < 0.8 else None,
            "partner_agency": rng.choice(AGENCIES), "reason": rng.choice(WATCH_REASONS),
            "added_on": added_on,
            "next_review_on": today + timedelta(days=review_in) if review_in is not None else None,
        }))
    # Offences partners reported, for the adoption scores: (entry, days ago, type); the first scores
    # 66 (Consider for adoption with the default threshold), the third 64, just under it.
    for number, days_ago, offence_type in [(0, 8, "domestic_burglary"), (0, 35, "domestic_burglary"),
                                           (0, 70, "theft_from_vehicle"), (1, 50, "shoplifting"),
                                           (1, 130, "shoplifting"), (2, 15, "robbery"), (5, 200, "criminal_damage"),
                                           (9, 20, "theft_of_vehicle"), (9, 45, "theft_of_vehicle")]:
        watch.record_watch_offence(entries[number], {"offence_on": today - timedelta(days=days_ago),
                                                     "offence_type": offence_type, "alcohol_involved": "unknown"})
    watch.record_review(entries[4], today + timedelta(days=28), "Spoke to the partner agency: no new offences "
                        "this month, keep watching.", version=entries[4].version)
    watch.close_watch_entry(entries[7], "no_further_action", today - timedelta(days=100),
                            "No further concerns from the partner agency.", version=entries[7].version)
    watch.close_watch_entry(entries[8], "moved_away", today - timedelta(days=45), None,
                            version=entries[8].version)
    # One was adopted onto the scheme this week, the way the "Adopt onto the scheme" page does it.
    adopted = entries[9]
    details = {"given_name": adopted.given_name, "family_name": adopted.family_name,
               "date_of_birth": adopted.date_of_birth, "pnc_id": adopted.pnc_id, "ward": rng.choice(WARDS),
               "programme": "ppo", "alcohol_related": "unknown", "risk_level": "medium",
               "offender_manager_id": officers[0]}
    client = clients.add_client(details, strand="catch_convict", joined_on=today - timedelta(days=rng.randint(0, 4)))
    watch.mark_adopted(adopted, client)


def generate(seed: int) -> None:
    """Add the fictional caseload to the current transaction."""
    today = today_in_london()
    officers = _officers()
    # Who writes up a client's custody changes and notes: their offender manager, else the manager.
    staff = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(officers[:3])))}
    staff[None] = staff[officers[2]]
    plan = Caseload(seed, today)
    plan.plan(officers)
    written = [_write_client(plan, planned, staff) for planned in plan.planned]
    for client in plan.rng.sample(written, 25):
        authors = [staff[client.offender_manager_id], staff[None]]
        for body in plan.rng.sample(NOTES, plan.rng.randint(1, 3)):
            clients.add_case_note(client, plan.rng.choice(authors), body)
    _write_watch_list(plan, officers)
    _write_figures_and_support(plan, written, staff, today)
    _write_alcohol(seed, written, staff, today)


# Referral agencies for the pages' list: (name, the referrals they take).
REFERRAL_AGENCIES = [("Northfield Housing Options (demo)", "housing"), ("Larkhill Supported Housing (demo)", "housing"),
                     ("Community Mental Health Team (demo)", "mental_health"),
                     ("Eastbrook Talking Therapies (demo)", "mental_health"),
                     ("Southmere Resettlement Trust (demo)", "both")]
# The self-assessment evidence a manager might write; nothing in it names anyone.
EVIDENCE = {
    "strong": "Fortnightly partnership meeting with police, probation, housing and health; one shared plan "
              "per client, reviewed at each meeting (demo).",
    "adequate": "Cohort selection follows the local crime picture each quarter; partners attend most "
                "reviews (demo).",
    "developing": "Consequences for non-engagement are agreed but not yet applied the same way by every "
                  "partner (demo).",
    "weak": "Screening of high-risk offenders outside the PPO and DIP routes started this year (demo).",
}


def _write_figures_and_support(plan, written: list, staff: dict, today) -> None:
    """Serious acquisitive crime counts for each complete month, referral agencies and referrals,
    payments (approved and waiting), and the review's inputs, so every page of the demo has
    something to show."""

    rng = plan.rng
    first_counted = add_months(today.replace(day=1), -24)
    month = first_counted
    level = 120
    while month < today.replace(day=1):
        level = max(60, min(140, level + rng.randint(-9, 7)))
        record_sac_count(month, level, version="0")
        month = add_months(month, 1)

    manager = next(user for user in staff.values() if user is not None and user.role == "manager")
    officer = next(user for user in staff.values() if user is not None and user.role == "officer")
    agencies = {name: referrals.add_agency(name, kind) for name, kind in REFERRAL_AGENCIES}
    housing = [agency for agency in agencies.values() if agency.kind in ("housing", "both")]
    for number, client in enumerate(rng.sample(written, 12)):
        referred = today - timedelta(days=rng.randint(5, 300))
        # most to a listed agency; one to an agency typed in, as the form's "Other" allows
        where = {"agency_other": "Westcroft Night Shelter (demo)"} if number == 0 else \
            {"agency_id": rng.choice(housing).id}
        details = {"referred_on": referred, **where,
                   "need": "Needs somewhere settled to live on release", "status": "open",
                   "duty_to_refer_made": False}
        if rng.random() < 0.4:
            details.update(duty_to_refer_made=True, duty_to_refer_on=referred,
                           duty_to_refer_local_authority="Northfield Council (demo)", duty_to_refer_outcome="pending")
        if rng.random() < 0.5:
            closed = min(today, referred + timedelta(days=rng.randint(7, 90)))
            details.update(status="completed", closed_on=closed,
                           outcome=rng.choice(["settled_accommodation", "temporary_accommodation",
                                               "supported_housing"]))
        referrals.make_referral(client, "housing", details, actor=officer)
    mental_health = [agency for agency in agencies.values() if agency.kind in ("mental_health", "both")]
    for client in rng.sample(written, 5):
        referrals.make_referral(client, "mental_health", {
            "referred_on": today - timedelta(days=rng.randint(5, 200)),
            "agency_id": rng.choice(mental_health).id, "need": "Low mood; asked for support",
            "status": "open"}, actor=officer)
    _write_payments(plan, written, staff, today)
    _write_review_inputs(manager, today, first_counted)
    _write_demo_review(manager, today)


DEMO_OFFENCE_TYPES = ["violence_with_injury", "violence_without_injury", "criminal_damage", "public_order",
                      "shoplifting", "theft_from_vehicle", "domestic_burglary", "breach"]
ALCOHOL_AGENCIES = [("Northfield Community Alcohol Team (demo)", "alcohol"),
                    ("Eastbrook Recovery Service (demo)", "alcohol")]


def _write_alcohol(seed: int, written: list, staff: dict, today) -> None:
    """AUDIT-C screenings for about half the clients whose record says alcohol-related offending (and a
    few others), and referrals to alcohol services for some who screened positive. A random stream of
    its own, so the rest of the demo is the same as before it was added."""
    rng = Random(seed * 7919 + 13)
    officer = next(user for user in staff.values() if user is not None and user.role == "officer")
    agencies = [referrals.add_agency(name, kind) for name, kind in ALCOHOL_AGENCIES]
    # offences on the clients' records, alcohol involved in most of the drinkers'
    for client in rng.sample(written, min(40, len(written))):
        drinker = client.alcohol_related == "yes"
        for _ in range(rng.randint(1, 3)):
            committed = today - timedelta(days=rng.randint(1, 700))
            if client.date_of_birth is not None and committed < client.date_of_birth:
                continue
            offending.record_offence(client, {
                "offence_on": committed, "offence_type": rng.choice(DEMO_OFFENCE_TYPES),
                "outcome": rng.choice(["convicted", "charged", None]),
                "alcohol_involved": rng.choices(["yes", "no", "unknown"], [60, 20, 20] if drinker else [5, 70, 25])[0]},
                officer)
    drinkers = [client for client in written if client.alcohol_related == "yes"]
    others = [client for client in written if client.alcohol_related != "yes"]
    screened = rng.sample(drinkers, len(drinkers) // 2) + rng.sample(others, min(6, len(others)))
    for client in screened:
        heavy = client.alcohol_related == "yes"
        for times in range(rng.choice([1, 1, 2])):
            answers = [rng.randint(1, 4) if heavy else rng.randint(0, 2) for _ in range(3)]
            screening = clients.record_alcohol_screening(client, {
                "screened_on": today - timedelta(days=rng.randint(10, 330) + 120 * times),
                "drinking_frequency": answers[0], "typical_units": answers[1],
                "heavy_drinking_frequency": answers[2]}, officer)
            if times == 0 and screening.is_positive and rng.random() < 0.5:
                referred = screening.screened_on + timedelta(days=rng.randint(1, 14))
                details = {"referred_on": min(referred, today), "agency_id": rng.choice(agencies).id,
                           "need": "Positive AUDIT-C screen; drinks most days", "status": "open"}
                if rng.random() < 0.5:
                    details.update(status="completed", closed_on=min(today, referred + timedelta(days=rng.randint(14, 60))),
                                   outcome=rng.choice(["assessed", "treatment_started", "did_not_engage"]))
                referrals.make_referral(client, "alcohol", details, actor=officer)


def _write_payments(plan, written: list, staff: dict, today) -> None:
    """Approved payments like the scheme's first real ones (£70 in all, to prove qualifications
    for a job), and requests waiting: one from an officer, one from a manager that only the
    other manager may decide."""
    from decimal import Decimal


    rng = plan.rng
    manager = next(user for user in staff.values() if user is not None and user.role == "manager")
    officer = next(user for user in staff.values() if user is not None and user.role == "officer")
    for client, amount, purpose, detail in zip(
            rng.sample(written, 3), (Decimal("35.00"), Decimal("35.00"), Decimal("48.50")),
            ("proof_of_qualifications", "proof_of_qualifications", "travel_to_interview"),
            ("Replacement CSCS card certificate for a labouring job offer",
             "Copy of a forklift licence certificate for a warehouse job",
             "Train fare to an interview at a distribution centre")):
        payment = payments.request_payment(client, amount=amount, paid_on=today - timedelta(days=rng.randint(3, 60)),
                                           purpose=purpose, detail=detail, requested_by=officer)
        payments.approve_payment(payment, manager, note="Within budget; supports a job offer")
    waiting = rng.sample(written, 2)
    payments.request_payment(waiting[0], amount=Decimal("24.00"), paid_on=today, purpose="other",
                             detail="Two weeks' bus pass to start a college course", requested_by=officer)
    payments.request_payment(waiting[1], amount=Decimal("39.99"), paid_on=today, purpose="work_clothing_tools",
                             detail="Safety boots for a building site trial shift", requested_by=manager)


def _write_review_inputs(manager, today, first_counted) -> None:
    """Self-assessment answers for the last full financial year (all) and this one (so far), and
    each year's value-for-money baseline: the months before it that have crime counts, up to 12."""

    this_year = FinancialYear.of(today)
    last_year = this_year.shifted(-1)
    questions = list(db.session.scalars(select(SelfAssessmentQuestion).where(SelfAssessmentQuestion.is_active)
                                        .order_by(SelfAssessmentQuestion.position, SelfAssessmentQuestion.id)))
    ratings = ["strong", "adequate", "developing", "adequate", "weak"]
    for year, answered in ((last_year, questions), (this_year, questions[:2])):
        reports.save_self_assessment(year, [
            reports.AnswerInput(question.id, ratings[n % len(ratings)], EVIDENCE[ratings[n % len(ratings)]], "")
            for n, question in enumerate(answered)], answered_by_id=manager.id)
        last_month = add_months(year.first_day, -1)
        reports.set_baseline(year, max(first_counted, add_months(last_month, -11)), last_month, version="")


def _write_demo_review(manager, today) -> None:
    """A draft of last year's review by the demo reviewer (when there is one): four sections chosen and
    ordered, findings on the first, and a question the manager has answered. Left as a draft, so the
    reviewer can sign it off."""
    reviewer = db.session.scalar(select(User).where(User.role == "reviewer").order_by(User.id).limit(1))
    if reviewer is None:
        return
    year = FinancialYear.of(today).shifted(-1)
    reports.choose_review_sections(year, ["summary", "months", "offending", "referrals"], "County Council (demo)",
                                   based_on="", actor=reviewer)
    reports.write_review_findings(
        year, "summary", "The minimum of 70 was met in most months; the cohort is stable (demo).",
        "Record the reason a client leaves the scheme every time (demo).", based_on="1", actor=reviewer)
    question = reports.raise_review_question(year, "How are clients chosen for the Resettle and Rehabilitate "
                                             "strand? (demo)", "summary", based_on="1", actor=reviewer)
    reports.answer_review_question(question, "At the monthly partnership meeting, from the police's list of "
                                   "prolific offenders and probation's referrals (demo).", actor=manager)
