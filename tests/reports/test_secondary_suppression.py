"""Secondary suppression (issue 13, item 7): no count of 1 to 4 in the pack can be worked out by
subtraction. For generated caseloads, every breakdown's total less its visible cells is tried, by an
attacker written here independently of iom/reports/disclosure.py: it lists every way the hidden cells
could add up, and no hidden cell may be left with one possible number."""
import random
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from iom.clients.models import EXIT_REASONS, PROGRAMMES
from iom.offending.models import OFFENCE_TYPES
from iom.payments.models import ACHIEVEMENTS, PURPOSES
from iom.referrals.models import REFERRAL_OUTCOMES
from iom.reports import formats
from iom.reports.disclosure import SECONDARY, SMALL_COUNT, protect, protect_columns
from iom.reports.pack import WINDOW_COUNTS, build_pack
from iom.years import FinancialYear
from tests.builders import client, offence, payment, referral

FY = FinancialYear.parse("2011-12")
TODAY = date(2012, 6, 1)


def candidates(value, total: int) -> range:
    """What a reader may take a cell to be: its number, 1 to 4 for "<5", anything up to the total for [c]."""
    if value == SMALL_COUNT:
        return range(1, 5)
    if value == SECONDARY:
        return range(0, total + 1)
    return range(value, value + 1)


def attack(cells: dict, total: int) -> dict[str, set[int]]:
    """Every number each hidden cell could be, by trying every assignment the total allows."""
    hidden = [key for key, value in cells.items() if value in (SMALL_COUNT, SECONDARY)]
    rest = total - sum(value for value in cells.values() if value not in (SMALL_COUNT, SECONDARY))
    found = {key: set() for key in hidden}

    def walk(index: int, left: int, chosen: list[int]):
        if index == len(hidden):
            if left == 0:
                for key, value in zip(hidden, chosen):
                    found[key].add(value)
            return
        for value in candidates(cells[hidden[index]], total):
            if value <= left:
                walk(index + 1, left - value, [*chosen, value])
    walk(0, rest, [])
    return found


def recovered(cells: dict, total: int) -> list[str]:
    """The hidden cells the subtraction gives back exactly as a count of 1 to 4: a small count worked out.
    (A hidden cell pinned to 0, or to 5 or more, gives away no small count.)"""
    return [key for key, values in attack(cells, total).items() if len(values) == 1 and values <= {1, 2, 3, 4}]


# --- one breakdown at a time -----------------------------------------------------------------------

def test_the_age_bands_that_added_to_77_of_79_no_longer_give_the_under_18s_back():
    counts = {"under_18": 2, "18_to_24": 11, "25_to_34": 30, "35_to_44": 24, "45_and_over": 12, "not_recorded": 0}
    shown = protect(counts)
    assert shown["under_18"] == SMALL_COUNT and shown["18_to_24"] == SECONDARY  # the next smallest
    assert recovered(shown, 79) == []
    assert sum(value for value in shown.values() if isinstance(value, int)) == 66


def test_two_small_counts_that_could_only_be_ones_are_protected_too():
    shown = protect({"a": 1, "b": 1, "c": 40})
    assert recovered(shown, 42) == [] and shown["c"] == SECONDARY


def test_a_breakdown_whose_only_count_is_the_total_hides_every_cell():
    assert set(protect({"a": 1, "b": 0, "c": 0}).values()) == {SECONDARY}


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.integers(min_value=0, max_value=9), min_size=2, max_size=5))
def test_no_breakdown_gives_a_small_count_back(values):
    counts = {f"cell{n}": value for n, value in enumerate(values)}
    shown = protect(counts)
    for key, value in counts.items():
        assert shown[key] in (value, SMALL_COUNT, SECONDARY)
        assert (shown[key] == SMALL_COUNT) <= (1 <= value <= 4)  # "<5" is never said of anything else
        assert (1 <= value <= 4) <= (shown[key] != value)        # and no 1 to 4 is ever shown
    assert recovered(shown, sum(values)) == []


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(st.lists(st.lists(st.integers(min_value=0, max_value=8), min_size=3, max_size=3), min_size=2, max_size=4))
def test_no_column_of_a_two_way_table_gives_a_small_count_back(table):
    rows = {f"row{n}": dict(zip(("x", "y", "z"), values)) for n, values in enumerate(table)}
    shown = protect_columns(rows, ("x", "y", "z"), linked=(("x", "y"),))
    for name in ("x", "y", "z"):
        column = {row: shown[row][name] for row in rows}
        assert recovered(column, sum(rows[row][name] for row in rows)) == [], name
    for row in shown.values():  # the linked cells are hidden together or not at all
        assert (row["x"] in (SMALL_COUNT, SECONDARY)) == (row["y"] in (SMALL_COUNT, SECONDARY))


# --- the whole pack, for generated caseloads ---------------------------------------------------------

def breakdowns(pack: dict) -> list[tuple[str, dict, int]]:
    """(name, cells, the total the pack shows) for every breakdown in the pack that adds up to a total."""
    found = [("left_by_reason", pack["scheme_flow"]["left_by_reason"], pack["scheme_flow"]["left"])]
    cohort = pack["cohort"]
    for name in ("by_age_band", "by_programme", "by_alcohol_related"):
        found.append((name, cohort[name], cohort["clients"]))
    for kind, details in pack["referral_details"].items():
        found.append((f"{kind} closed_by_status", details["closed_by_status"], details["closed"]))
        found.append((f"{kind} outcomes", details["outcomes"], details["closed"]))
        if "duty_to_refer" in details:
            found.append(("duty_to_refer", details["duty_to_refer"]["outcomes"], details["duty_to_refer"]["made"]))
    details = pack["payment_details"]
    found.append(("by_purpose", {code: row["count"] for code, row in details["by_purpose"].items()},
                  pack["payments"]["count"]))
    found.append(("achieved", details["achieved"], pack["payments"]["count"]))
    watch = pack["watch_list"]
    found.append(("watch closed", watch["closed_other_by_outcome"], watch["closed_other"]))
    offending = pack["offending"]
    in_year, adoptions = offending["in_year"], offending["adoptions"]
    for name in WINDOW_COUNTS:
        found.append((f"in_year {name}", {code: row[name] for code, row in in_year["by_tier"].items()},
                      in_year[name]))
        for side in ("before", "after"):
            found.append((f"{side} {name}", {code: row[side][name] for code, row in adoptions["by_tier"].items()},
                          adoptions[side][name]))
    for name in ("clients", "not_yet_a_year"):
        found.append((f"adoptions {name}", {code: row[name] for code, row in adoptions["by_tier"].items()},
                      adoptions[name]))
    return found


def generated_caseload(seed: int) -> None:
    """A random caseload: ages, programmes, alcohol, leaving reasons, tiers, referrals, payments, offences."""
    rng = random.Random(seed)
    people = []
    for n in range(rng.randint(6, 30)):
        joined = date(2010, 4, 1) + timedelta(days=rng.randint(0, 700))
        left = joined + timedelta(days=rng.randint(30, 400)) if rng.random() < 0.3 else None
        reason = rng.choice(list(EXIT_REASONS))
        born = None if rng.random() < 0.1 else date(rng.choice([1994, 1995, 1990, 1985, 1975, 1960]), 5, 1)
        person = client(f"G{seed}-{n}", [("catch_convict", joined, left, reason)], born=born,
                        programme=rng.choice(list(PROGRAMMES)), alcohol=rng.choice(["yes", "no", "unknown"]))
        person.tier = rng.choice([None, "fixed", "flex", "free"])
        people.append(person)
        for _ in range(rng.choice([0, 0, 1, 2, 5])):
            offence(person, joined + timedelta(days=rng.randint(-300, 300)), rng.choice(list(OFFENCE_TYPES)))
    for person in rng.sample(people, k=min(len(people), rng.randint(0, 8))):
        kind = rng.choice(["housing", "mental_health"])
        referral(person, kind, date(2011, 5, 1), status="completed", closed_on=date(2011, 9, 1),
                 outcome=rng.choice(list(REFERRAL_OUTCOMES[kind])))
    for person in rng.sample(people, k=min(len(people), rng.randint(0, 6))):
        payment(person, date(2011, 6, 1), "10.00", purpose=rng.choice(list(PURPOSES)),
                achieved=rng.choice([None, *ACHIEVEMENTS]))


def test_every_subtraction_the_pack_allows_gives_no_small_count_back(ctx):
    from iom.extensions import db
    seen = set()
    for seed in range(12):
        generated_caseload(seed)
        db.session.flush()
        pack = build_pack(FY, today=TODAY)
        for name, cells, total in breakdowns(pack):
            seen |= {value for value in cells.values() if value in (SMALL_COUNT, SECONDARY)}
            assert recovered(cells, total) == [], (seed, name, cells, total)
            assert not [value for value in cells.values() if isinstance(value, int) and 1 <= value <= 4
                        and name not in ("by_alcohol_related", "housing closed_by_status",
                                         "mental_health closed_by_status")], (seed, name, cells)
        for window in (*pack["offending"]["in_year"]["by_tier"].values(),
                       *[row[side] for row in pack["offending"]["adoptions"]["by_tier"].values()
                         for side in ("before", "after")]):
            assert window["clients"] not in (1, 2, 3, 4)
        for side in ("before", "after"):  # a withheld figure that adds up to a total is never alone
            for name in ("days_at_risk", "cost_gbp"):
                withheld = [code for code, row in pack["offending"]["adoptions"]["by_tier"].items()
                            if name in row[side]["withheld"]]
                assert len(withheld) != 1 or len(pack["offending"]["adoptions"]["by_tier"]) == 1, (seed, side, name)
        # every format is written from the same protected pack: no 1 to 4 turns up in the spreadsheet either
        formats.as_xlsx(pack)
        db.session.rollback()
    assert seen == {SMALL_COUNT, SECONDARY}  # the caseloads do make small counts to protect


def test_the_attacker_here_finds_what_primary_suppression_alone_gives_away():
    """The check above has teeth: with "<5" alone, 79 less the other bands gives the 2 under-18s back."""
    primary = {"under_18": SMALL_COUNT, "18_to_24": 11, "25_to_34": 30, "35_to_44": 24, "45_and_over": 12}
    assert recovered(primary, 79) == ["under_18"]
    assert recovered({"a": SMALL_COUNT, "b": SMALL_COUNT, "c": 40}, 42) == ["a", "b"]


def test_a_count_the_pack_publishes_as_a_headline_is_never_withheld_in_its_breakdown():
    shown = protect({"yes": 0, "no": 1, "unknown": 0}, published=("yes",))
    assert shown["yes"] == 0 and recovered(shown, 1) == []
    shown = protect({"yes": 3, "no": 30, "unknown": 2}, published=("yes",))
    assert shown == {"yes": 3, "no": SECONDARY, "unknown": SMALL_COUNT}
