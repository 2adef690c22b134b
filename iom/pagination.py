"""One pagination for every list (the caseload, the watch list, the audit trail): each page starts
where the last one ended, found by its sort keys (keyset, or "seek", paging), never by OFFSET.

A page's address names the row it follows or precedes, by number (`?after=123`, `?before=123`):
a client's or an entry's id, or the audit trail's entry number. Nothing else about the row goes
into the address (no names in the server's logs), so the database looks up that row's place in
the list's order: in the same statement, from a one-row common table expression. The database
never counts through the rows before a page; rows added or removed meanwhile do not make a page
repeat or skip one; and a page runs the same two statements whatever its number: one count (the
total, and how many rows come before the page, which gives "page 3 of 9"), one page of rows.

An address naming no row, an unknown one, or one past either end, is the first page: a hand-edited
or stale address is never an error. templates/_macros/pagination.html draws the links."""
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import Integer, Select, and_, bindparam, case, func, not_, or_, select, true, tuple_

from iom.extensions import db

PAGE_SIZE = 50
LARGEST_ID = 2**62    # within every database's integer: a larger number in an address is no row


@dataclass(frozen=True)
class Key:
    """One expression of a list's order."""
    expression: Any
    descending: bool = False

    def ordered(self, backwards: bool = False):
        return self.expression.desc() if self.descending != backwards else self.expression.asc()


@dataclass(frozen=True)
class Cursor:
    """The row a page follows (`forward`) or precedes, from the address."""
    anchor: int
    forward: bool


@dataclass(frozen=True)
class Paging:
    """A list's two address arguments: the next page's and the previous page's. The audit trail, newest
    first, calls its next page `before` (older entries) and its previous one `after`."""
    next_name: str = "after"
    previous_name: str = "before"

    @property
    def names(self) -> tuple[str, str]:
        return self.next_name, self.previous_name

    def cursor(self, args: Mapping[str, str]) -> Cursor | None:
        """The cursor in the address; none (the first page) for anything but a whole number in range."""
        for name, forward in ((self.next_name, True), (self.previous_name, False)):
            value = args.get(name) or ""
            if value.isascii() and value.isdigit() and len(value) < 20 and 0 < int(value) < LARGEST_ID:
                return Cursor(int(value), forward)
        return None


@dataclass
class Page:
    rows: list
    number: int
    pages: int
    total: int
    previous: dict | None   # the previous page's address arguments ({"before": 123}), None on the first
    next: dict | None       # the next page's, None on the last


def _beyond(keys: Sequence[Key], values: Sequence, backwards: bool = False):
    """Rows after (or, backwards, before) the row whose keys are `values`, in the keys' order:
    equal on the first keys and further on the next one. The last key is unique, so no row is both.
    Keys all in one direction are compared as one row value, (a, b, id) > (x, y, z): the same rows, and a
    database can then start reading its index at the anchor instead of at the top."""
    if len(keys) > 1 and len({key.descending for key in keys}) == 1:
        row, anchor = tuple_(*(key.expression for key in keys)), tuple_(*values)
        lower = keys[0].descending != backwards
        # The first key's own bound adds no condition (the row value implies it) but lets SQLite start its
        # index scan at the anchor: without it, it reads the index from the top (page 37: 1.0 ms, 0.18 with).
        first = keys[0].expression <= values[0] if lower else keys[0].expression >= values[0]
        return and_(first, row < anchor if lower else row > anchor)
    clauses = []
    for index, key in enumerate(keys):
        value = values[index]
        further = key.expression < value if key.descending != backwards else key.expression > value
        clauses.append(and_(*(k.expression == v for k, v in zip(keys[:index], values[:index])), further))
    return or_(*clauses)


class Prepared:
    """A list's statements: the count, the first page, and the pages after and before a row, each built the
    first time it is needed. The row a page follows is a bound parameter (`page_anchor_id`), and so are the
    keys the count hands back (`page_key_0`...), so one Prepared serves every page of a list of that shape.
    Building a statement and working out its cache key cost SQLAlchemy more than running it (the caseload:
    about 2 ms a page), so a list that is read often keeps its Prepared (iom/clients/queries.py) and gives its
    own values as parameters: see prepare()."""

    def __init__(self, query: Select, keys: Sequence[Key], anchor: Callable[[Any], Select] | None, size: int,
                 counted_from: Select | None):
        self.query, self.keys, self.anchor, self.size = query, tuple(keys), anchor, size
        self.counted_from = query if counted_from is None else counted_from
        self.anchored = anchor is not None
        self._count_to: dict = {}

    @cached_property
    def _ordered(self) -> list:
        return [key.ordered() for key in self.keys]

    @cached_property
    def first(self) -> Select:
        return self.query.order_by(*self._ordered).limit(self.size)

    @cached_property
    def count(self) -> Select:
        return select(func.count()).select_from(
            self.counted_from.with_only_columns(self.keys[-1].expression).subquery())

    @cached_property
    def _anchored_rows(self) -> tuple[list, Select, list]:
        """The anchor's keys as the count sees them, the rows counted with them, and the keys handed back."""
        anchor_id = bindparam("page_anchor_id", type_=Integer)
        if self.anchor is None:
            return [anchor_id], self.counted_from, []
        # The anchor's keys: one row, or none for an unknown id, worked out once in the count, which
        # also hands them back, so the page's own query compares with plain values and can start
        # reading its index at the anchor.
        row = self.anchor(anchor_id).cte("page_anchor").prefix_with("MATERIALIZED")
        values = list(row.c)
        return values, self.counted_from.outerjoin(row, true()), [
            value.label(f"anchor_{index}") for index, value in enumerate(values)]

    def count_to(self, forward: bool) -> Select:
        """The count of all and of those ahead of the page, with the anchor's keys."""
        if forward not in self._count_to:
            values, counted_from, carried = self._anchored_rows
            # rows ahead of the page: up to the anchor going forward; before it going back
            ahead_of_page = not_(_beyond(self.keys, values)) if forward else _beyond(self.keys, values,
                                                                                     backwards=True)
            counted = counted_from.with_only_columns(self.keys[-1].expression,
                                                     case((ahead_of_page, 1)).label("ahead"), *carried).subquery()
            self._count_to[forward] = select(func.count(), func.count(counted.c.ahead),
                                             *(func.max(counted.c[value.name]) for value in carried))
        return self._count_to[forward]

    @cached_property
    def _found(self) -> list:
        return [bindparam(f"page_key_{index}", type_=key.expression.type) for index, key in enumerate(self.keys)]

    @cached_property
    def after(self) -> Select:
        return self.query.where(_beyond(self.keys, self._found)).order_by(*self._ordered).limit(self.size)

    @cached_property
    def before(self) -> Select:
        return (self.query.where(_beyond(self.keys, self._found, backwards=True))
                .order_by(*(key.ordered(backwards=True) for key in self.keys)).limit(self.size))

    def page(self, cursor: Cursor | None, params: Mapping[str, Any] | None = None, *,
             row_id: Callable[[Any], int] = lambda row: row.id, scalars: bool = True,
             paging: Paging = Paging()) -> Page:
        """One page: its count, then its rows (a list read often may keep the page: iom/kept_pages.py)."""
        params = dict(params or {})
        fetch = db.session.scalars if scalars else db.session.execute
        size = self.size
        if cursor is None:
            total = db.session.scalar(self.count, params)
            rows, ahead = fetch(self.first, params).all(), 0
        else:
            total, ahead, *found = db.session.execute(
                self.count_to(cursor.forward), params | {"page_anchor_id": cursor.anchor}).one()
            if not self.anchored:
                found = [cursor.anchor]
            if not found or found[-1] is None:  # an unknown row, or no row matches: the first page
                rows, ahead = fetch(self.first, params).all(), 0
            else:
                at = params | {f"page_key_{index}": value for index, value in enumerate(found)}
                if cursor.forward:
                    rows = fetch(self.after, at).all()
                elif ahead > size:
                    rows = fetch(self.before, at).all()[::-1]
                    ahead -= size
                else:  # fewer than a page before it: the first page
                    rows, ahead = fetch(self.first, params).all(), 0
        pages = max((total + size - 1) // size, 1)
        next_name, previous_name = paging.names
        return Page(rows=list(rows), number=min(ahead // size + 1, pages), pages=pages, total=total,
                    previous={previous_name: row_id(rows[0])} if rows and ahead > 0 else None,
                    next={next_name: row_id(rows[-1])} if rows and ahead + len(rows) < total else None)


def prepare(query: Select, keys: Sequence[Key], *, anchor: Callable[[Any], Select] | None = None,
            size: int = PAGE_SIZE, counted_from: Select | None = None) -> Prepared:
    """The statements for pages of `query` (its rows, filtered, not ordered) in the order of `keys`, whose
    last is the row's unique id (or, for the audit trail, its entry number).

    anchor(id): a select of the keys' values for the row with that id, in the keys' order and without
    the list's filters (a row may have left them since); it is given a bound parameter, not a number. None
    when the cursor is itself the only key's value. counted_from: the same rows with only what the filters
    and keys need, for the count (the caseload leaves out its adoption scores there unless it is sorted by
    them); `query` when None."""
    return Prepared(query, keys, anchor, size, counted_from)


def keyset_page(query: Select, keys: Sequence[Key], cursor: Cursor | None, *,
                anchor: Callable[[Any], Select] | None = None, row_id: Callable[[Any], int] = lambda row: row.id,
                scalars: bool = True, paging: Paging = Paging(), size: int = PAGE_SIZE,
                counted_from: Select | None = None) -> Page:
    """One page of `query` in the order of `keys` (see prepare()), its statements built for this page alone.
    row_id(row) is what the page's links carry; scalars=False for a query of several columns."""
    return prepare(query, keys, anchor=anchor, size=size, counted_from=counted_from).page(
        cursor, row_id=row_id, scalars=scalars, paging=paging)


def without_paging(args: Mapping[str, str]) -> dict:
    """The address's other arguments (filters, sort), to carry to another page or another sort; an old
    `page` number is dropped. (A template filter.)"""
    return {name: value for name, value in args.items() if name not in ("page", "after", "before")}
