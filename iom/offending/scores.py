"""Who to adopt next: each person's Recency-Frequency-Gravity score, from their recorded offences.

A local prioritisation aid, not a risk assessment (docs/offending-scores.md says how it is meant to
be used, and why the defaults are what they are). For a person with offences, on a day:

- **Recency**: points by how many days ago the last offence was committed, in three bands
  (by default within 90 days 30 points, within 180 days 20, within 365 days 10, older 0);
- **Frequency**: the offences committed in the last 12 months (365 days ago or fewer, as the
  recency bands count days), counted up to a cap, times points per offence (by default 4 each, up
  to 10 offences);
- **Gravity**: the highest gravity weight (0 to 10 per offence type) among those same offences,
  times points per weight (by default 3);

score = recency points + frequency points + gravity points (0 to 100 with the defaults). At or
above the threshold (by default 65) a watch-list person is flagged "Consider for adoption".

Everything is one SQL aggregate over the offence table, grouped by person: a page lists any
number of people's scores in one statement, and sorts and pages by the score in the database."""
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import and_, case, func, literal, select

from iom import generations
from iom.auth.models import User
from iom.extensions import db
from iom.offending.models import OFFENCE_TYPES, GravityWeight, Offence, ScoreSettings

# "The last 12 months": offences committed this many days ago or fewer (the day itself included).
WINDOW_DAYS = 365
WEIGHT_LIMIT = 10

# How serious each offence type counts, 0 to 10: see docs/offending-scores.md for the reasoning.
DEFAULT_GRAVITY: dict[str, int] = {
    "domestic_burglary": 8,
    "non_domestic_burglary": 5,
    "robbery": 10,
    "theft_of_vehicle": 7,
    "theft_from_vehicle": 5,
    "vehicle_interference": 3,
    "theft_from_person": 6,
    "shoplifting": 2,
    "other_theft": 2,
    "violence_with_injury": 9,
    "violence_without_injury": 6,
    "criminal_damage": 3,
    "drug_offence": 3,
    "public_order": 2,
    "breach": 1,
    "other": 1,
}
assert set(DEFAULT_GRAVITY) == set(OFFENCE_TYPES)


@dataclass(frozen=True)
class ScoreRules:
    """The numbers a score is worked out with (everything but the gravity weights)."""

    recent_days: int = 90
    recent_points: int = 30
    middle_days: int = 180
    middle_points: int = 20
    older_days: int = 365
    older_points: int = 10
    points_per_offence: int = 4
    offence_cap: int = 10
    points_per_gravity: int = 3
    threshold: int = 65


RULE_FIELDS = tuple(item.name for item in fields(ScoreRules))
DEFAULT_RULES = ScoreRules()


@dataclass(frozen=True)
class Scoring:
    """The rules and the weights in force, and who set them (None: the defaults)."""

    rules: ScoreRules = DEFAULT_RULES
    weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_GRAVITY))
    version: int = 0          # the saved settings' version; 0 while the defaults apply
    set_at: datetime | None = None
    set_by: str | None = None

    @property
    def is_default(self) -> bool:
        return self.version == 0

    @property
    def highest_possible(self) -> int:
        rules = self.rules
        return (rules.recent_points + rules.points_per_offence * rules.offence_cap
                + rules.points_per_gravity * max(self.weights.values(), default=0))

    def values(self) -> dict[str, int]:
        """Every setting by its form field's name: the rules, then weight_<type> for each weight."""
        return {**{name: getattr(self.rules, name) for name in RULE_FIELDS},
                **{f"weight_{code}": self.weights[code] for code in OFFENCE_TYPES}}


# read on every page that shows scores: built once (building costs SQLAlchemy more than running them)
# (plain columns, not the settings' entity and its setter's account: the rows, not the objects, are needed)
_SETTINGS = (select(*(getattr(ScoreSettings, name) for name in RULE_FIELDS), ScoreSettings.version,
                    ScoreSettings.set_at, User.display_name.label("set_by"))
             .outerjoin(User, User.id == ScoreSettings.set_by_id))
_WEIGHTS = select(GravityWeight.offence_type, GravityWeight.weight)


def kept_scoring() -> Scoring:
    """The scoring in force, kept by the worker until the caseload's generation changes (any change to the
    settings, the weights or the setter's account replaces it): for the list pages, which read it on every
    request. A page that changes the scoring reads current_scoring()."""
    return generations.kept("scoring", current_scoring)


def current_scoring() -> Scoring:
    """The scoring in force: the manager's settings if saved, else the defaults. Two statements."""
    row = db.session.execute(_SETTINGS).first()
    weights = dict(DEFAULT_GRAVITY)
    weights.update(db.session.execute(_WEIGHTS).tuples().all())
    if row is None:
        return Scoring(weights=weights)
    return Scoring(ScoreRules(**{name: getattr(row, name) for name in RULE_FIELDS}), weights, row.version,
                   row.set_at, row.set_by)


def window_start(today: date) -> date:
    """The first day of "the last 12 months" ending today: WINDOW_DAYS days ago."""
    return today - timedelta(days=WINDOW_DAYS)


def score_table(people: tuple, scoring: Scoring, today: date, *, where=None):
    """A subquery of one row per person with offences, grouped by `people` (Offence.client_id,
    Offence.watch_entry_id, or both for everyone): those columns, last_offence_on, offences_in_year,
    gravity, recency_points, frequency_points, gravity_points and score.

    Three steps, each written once: each offence with its weight if it is of the last 12 months;
    per person the latest day, the year's count and its highest weight; then the points."""
    rules = scoring.rules
    in_window = and_(Offence.offence_on >= window_start(today), Offence.offence_on <= today)
    offences = select(*people, Offence.offence_on,
                      case((in_window, 1), else_=0).label("in_year"),
                      case((in_window, case(scoring.weights, value=Offence.offence_type, else_=0))).label("weight"))
    if len(people) == 1:
        offences = offences.where(people[0].is_not(None))
    if where is not None:
        offences = offences.where(where)
    offences = offences.subquery("offences")
    keys = [offences.c[column.key] for column in people]
    per_person = select(*keys, func.max(offences.c.offence_on).label("last_offence_on"),
                        func.sum(offences.c.in_year).label("offences_in_year"),
                        func.coalesce(func.max(offences.c.weight), 0).label("gravity")
                        ).group_by(*keys).subquery("per_person")
    last_on, in_year = per_person.c.last_offence_on, per_person.c.offences_in_year
    recency_points = case((last_on >= today - timedelta(days=rules.recent_days), rules.recent_points),
                          (last_on >= today - timedelta(days=rules.middle_days), rules.middle_points),
                          (last_on >= today - timedelta(days=rules.older_days), rules.older_points),
                          else_=0)
    frequency_points = case((in_year > rules.offence_cap, rules.offence_cap), else_=in_year) * rules.points_per_offence
    gravity_points = per_person.c.gravity * rules.points_per_gravity
    return select(*(per_person.c[column.key] for column in people), last_on, in_year, per_person.c.gravity,
                  recency_points.label("recency_points"), frequency_points.label("frequency_points"),
                  gravity_points.label("gravity_points"),
                  (recency_points + frequency_points + gravity_points).label("score")).subquery("adoption_score")


def client_scores(scoring: Scoring, today: date):
    """score_table for clients, joined on .c.client_id: built once for each day and scoring in force, not on
    every page (a statement holds no data, so one built for a day can be used by every request that day)."""
    return _client_scores(scoring.rules, tuple(sorted(scoring.weights.items())), today)


@lru_cache(maxsize=8)
def _client_scores(rules: ScoreRules, weights: tuple, today: date):
    return score_table((Offence.client_id,), Scoring(rules, dict(weights)), today)


def watch_entry_scores(scoring: Scoring, today: date):
    """score_table for watch-list people, joined on .c.watch_entry_id."""
    return score_table((Offence.watch_entry_id,), scoring, today)


@dataclass(frozen=True)
class PersonScore:
    """One person's score on a day, with each part, so a page can say how it was reached."""

    client_id: int | None
    watch_entry_id: int | None
    last_offence_on: date
    days_since_last: int
    offences_in_year: int
    gravity: int
    recency_points: int
    frequency_points: int
    gravity_points: int
    score: int
    threshold: int

    @property
    def is_at_threshold(self) -> bool:
        """At or above the "consider for adoption" threshold."""
        return self.score >= self.threshold


def person_score(row, today: date, scoring: Scoring, *, client_id=None, watch_entry_id=None) -> PersonScore | None:
    """A PersonScore from a score_table row (a mapping with its columns, or a row outer-joined to
    one, its columns None when the person has no offences): None when they have none."""
    if row is None or row["last_offence_on"] is None:
        return None
    last_on = row["last_offence_on"]
    if isinstance(last_on, str):  # SQLite hands an aggregate of dates back as text
        last_on = date.fromisoformat(last_on)
    return PersonScore(client_id=client_id, watch_entry_id=watch_entry_id, last_offence_on=last_on,
                       days_since_last=(today - last_on).days, offences_in_year=int(row["offences_in_year"]),
                       gravity=int(row["gravity"]), recency_points=int(row["recency_points"]),
                       frequency_points=int(row["frequency_points"]), gravity_points=int(row["gravity_points"]),
                       score=int(row["score"]), threshold=scoring.rules.threshold)


def everyone_scored(today: date, scoring: Scoring | None = None) -> list[PersonScore]:
    """Every client and watch-list person with offences, highest score first: one statement
    (two more to read the scoring when it is not given)."""
    scoring = scoring or current_scoring()
    table = score_table((Offence.client_id, Offence.watch_entry_id), scoring, today)
    # grouped by both columns: a row is a client's (watch_entry_id null) or a watch entry's
    rows = db.session.execute(select(table).order_by(table.c.score.desc(), table.c.client_id,
                                                     table.c.watch_entry_id)).mappings().all()
    return [person_score(row, today, scoring, client_id=row["client_id"], watch_entry_id=row["watch_entry_id"])
            for row in rows]


def score_of(person, person_id: int, today: date, scoring: Scoring) -> PersonScore | None:
    """One person's score (`person`: Offence.client_id or Offence.watch_entry_id): one statement."""
    table = score_table((person,), scoring, today, where=person == person_id)
    row = db.session.execute(select(table)).mappings().first()
    key = "client_id" if person is Offence.client_id else "watch_entry_id"
    return person_score(row, today, scoring, **{key: person_id})


def sort_value(table):
    """A score_table's score to sort by, -1 for people with no offences: descending, the highest
    score first and no offences last."""
    return func.coalesce(table.c.score, literal(-1))
