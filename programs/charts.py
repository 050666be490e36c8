"""Geometry for the Program's charts, drawn as inline SVG by the templates.

The dashboard and the history page have the pain trend; the history page adds the
sessions-per-week bars beside it.

No JavaScript and no inline styles (the CSP forbids them): the templates draw shapes at
the coordinates worked out here, and site.css colours them by class. Each chart also has
a written summary and a data table, so nothing depends on seeing the picture.

The charts fill their card at any width and their words stay one size: the SVG has no
viewBox, so its units are CSS pixels and a label is as big on a phone as on a desktop.
Across, positions are percentages of the card's width; only the lines are drawn in an
inner SVG stretched to that width (its strokes kept even with `vector-effect`).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .rules import PENDING_LABEL, Grade
from .selectors import GradedSession
from .state import ProgramState

PAIN_POINTS = 14  # the last fortnight or so of sessions
PLOT_TOP = 10  # px above the 10/10 line, so a marker there is not cut
PLOT_HEIGHT = 170  # px from 10/10 down to 0/10
PAIN_HEIGHT = PLOT_TOP + PLOT_HEIGHT + 32  # room below for the dates
LINE_WIDTH = 1000  # the inner SVG's width in its own units, stretched to the card's
EDGE = 4.0  # percent kept clear at each side, so the first and last markers show whole


@dataclass(frozen=True)
class Band:
    y: float
    height: float
    colour: str  # "green", "amber", "red"
    label: str

    @property
    def css(self) -> str:
        return f"chart-band--{self.colour}"


@dataclass(frozen=True)
class Point:
    x: float  # percent of the chart's width, from the session's date
    y_worst: float
    y_before: float
    graded: GradedSession

    @property
    def is_green(self) -> bool:
        return bool(self.graded.grade and self.graded.grade.is_green)

    @property
    def is_amber(self) -> bool:
        return bool(self.graded.grade and self.graded.grade.is_amber)

    @property
    def is_red(self) -> bool:
        return bool(self.graded.grade and self.graded.grade.is_red)

    @property
    def line_x(self) -> float:
        return self.x * LINE_WIDTH / 100


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str
    anchor: str = "middle"  # SVG text-anchor: the first date starts, the last one ends


# A diamond and a triangle around (0, 0): each marker is drawn in its own nested <svg>
# placed at the point, so its shape is never stretched with the card.
DIAMOND = "0,-6 6,0 0,6 -6,0"
TRIANGLE = "0,-6 6,5 -6,5"


@dataclass(frozen=True)
class PainChart:
    height: int
    plot_top: float
    plot_bottom: float
    line_width: int
    bands: list[Band]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    points: list[Point]
    summary: str
    diamond: str = DIAMOND
    triangle: str = TRIANGLE

    @property
    def label_y(self) -> float:
        return self.plot_bottom + 22

    @property
    def worst_line(self) -> str:
        return " ".join(f"{p.line_x:.1f},{p.y_worst:.1f}" for p in self.points)

    @property
    def before_line(self) -> str:
        return " ".join(f"{p.line_x:.1f},{p.y_before:.1f}" for p in self.points)

    @property
    def table_rows(self) -> list[GradedSession]:
        return [p.graded for p in reversed(self.points)]  # newest first, like the log list


def _summary(graded: list[GradedSession]) -> str:
    worst = [g.session.worst_pain for g in graded]
    latest = graded[-1].session
    counts = {grade: sum(1 for g in graded if g.grade == grade) for grade in Grade}
    pending = sum(1 for g in graded if g.grade is None)
    parts = [f"{counts[grade]} {grade.label.lower()}" for grade in Grade if counts[grade]]
    if pending:
        parts.append(f"{pending} {PENDING_LABEL.lower()}")
    count = len(graded)
    return (
        f"Worst pain during your last {count} session{'' if count == 1 else 's'} ranged from "
        f"{min(worst)} to {max(worst)} out of 10; the most recent was {latest.worst_pain} on "
        f"{latest.date.day} {latest.date:%B}. Grades: {', '.join(parts)}."
    )


def _date_label(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def date_positions(dates: list[dt.date]) -> list[float]:
    """Each date's place across the chart, in percent: spaced by the days between them, so
    a week's gap looks like a week. One date (or one day) sits in the middle."""
    first, last = min(dates), max(dates)
    span = (last - first).days
    if span == 0:
        return [50.0 for _ in dates]
    return [round(EDGE + (d - first).days / span * (100 - 2 * EDGE), 2) for d in dates]


def _date_ticks(first: dt.date, last: dt.date) -> list[Tick]:
    """Up to four dates along the bottom, evenly spaced in time so they never collide on
    a phone: the first and last days, and one day between (two over three weeks or more)."""
    span = (last - first).days
    if span == 0:
        return [Tick(50.0, _date_label(first))]
    between = 2 if span >= 21 else (1 if span >= 4 else 0)
    days = [
        first + dt.timedelta(days=round(span * i / (between + 1))) for i in range(1, between + 1)
    ]
    positions = date_positions([first, *days, last])
    labels = [first, *days, last]
    ticks = [Tick(pos, _date_label(day)) for pos, day in zip(positions, labels, strict=True)]
    ticks[0] = Tick(ticks[0].pos, ticks[0].label, "start")
    ticks[-1] = Tick(ticks[-1].pos, ticks[-1].label, "end")
    return ticks


def pain_chart(*, state: ProgramState) -> PainChart | None:
    """Pain before and worst pain during, for the member's recent sessions, oldest first."""
    graded = list(reversed(state.graded_sessions[:PAIN_POINTS]))
    if not graded:
        return None

    def y(value: float) -> float:
        return PLOT_TOP + (10 - value) / 10 * PLOT_HEIGHT

    # Zones drawn at the current routine's thresholds (defaults 3 and 5: Silbernagel 2007).
    routine = state.current_routine or graded[-1].session.routine
    green, amber = routine.green_max_pain + 0.5, routine.amber_max_pain + 0.5
    bands = [
        Band(y(10), y(amber) - y(10), Grade.RED.value, "red zone"),
        Band(y(amber), y(green) - y(amber), Grade.AMBER.value, "amber zone"),
        Band(y(green), y(0) - y(green), Grade.GREEN.value, "green zone"),
    ]
    dates = [g.session.date for g in graded]
    points = [
        Point(
            x=x,
            y_worst=y(g.session.worst_pain),
            y_before=y(g.session.pain_before),
            graded=g,
        )
        for x, g in zip(date_positions(dates), graded, strict=True)
    ]
    return PainChart(
        height=PAIN_HEIGHT,
        plot_top=PLOT_TOP,
        plot_bottom=y(0),
        line_width=LINE_WIDTH,
        bands=bands,
        y_ticks=[Tick(y(v), str(v)) for v in (0, 2, 4, 6, 8, 10)],
        x_ticks=_date_ticks(min(dates), max(dates)),
        points=points,
        summary=_summary(graded),
    )


WEEKS_SHOWN = 12
WEEKS_PLOT_HEIGHT = 150
WEEKS_HEIGHT = PLOT_TOP + WEEKS_PLOT_HEIGHT + 32


@dataclass(frozen=True)
class WeekBar:
    week_start: dt.date
    count: int
    x: float  # percent of the chart's width
    y: float
    width: float  # percent
    height: float

    @property
    def label_x(self) -> float:
        return round(self.x + self.width / 2, 2)

    @property
    def week_label(self) -> str:
        return f"{self.week_start.day} {self.week_start:%b}"


@dataclass(frozen=True)
class WeeksChart:
    height: int
    plot_top: float
    plot_bottom: float
    bars: list[WeekBar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    summary: str

    @property
    def label_y(self) -> float:
        return self.plot_bottom + 22

    @property
    def table_rows(self) -> list[WeekBar]:
        return list(reversed(self.bars))  # newest first, like the history list


def sessions_per_week_chart(*, dates: Iterable[dt.date], today: dt.date) -> WeeksChart:
    """Sessions logged in each of the last 12 weeks (Monday to Sunday), as bars.

    Every week is drawn, empty ones too, so a gap in the routine shows as a gap.
    """
    this_monday = today - dt.timedelta(days=today.weekday())
    starts = [this_monday - dt.timedelta(weeks=n) for n in range(WEEKS_SHOWN - 1, -1, -1)]
    counts = dict.fromkeys(starts, 0)
    for day in dates:
        monday = day - dt.timedelta(days=day.weekday())
        if monday in counts:
            counts[monday] += 1
    top_value = max(4, max(counts.values()))  # a scale of at least 0 to 4, in whole sessions

    def y(value: float) -> float:
        return PLOT_TOP + (top_value - value) / top_value * WEEKS_PLOT_HEIGHT

    slot = 100 / WEEKS_SHOWN
    bars = [
        WeekBar(
            week_start=start,
            count=counts[start],
            x=round(i * slot + slot * 0.15, 2),
            y=round(y(counts[start]), 1),
            width=round(slot * 0.7, 2),
            height=round(y(0) - y(counts[start]), 1),
        )
        for i, start in enumerate(starts)
    ]
    step = max(1, top_value // 4)
    y_ticks = [Tick(round(y(v), 1), str(v)) for v in range(0, top_value + 1, step)]
    x_ticks = [Tick(b.label_x, b.week_label) for i, b in enumerate(bars) if i % 4 == 3]
    total = sum(counts.values())
    busiest = max(bars, key=lambda b: (b.count, b.week_start))
    summary = (
        f"You logged {total} session{'' if total == 1 else 's'} in the last {WEEKS_SHOWN} weeks"
        f" ({total / WEEKS_SHOWN:.1f} a week on average)"
    )
    if total:
        summary += (
            f"; the most in one week was {busiest.count}, in the week starting "
            f"{busiest.week_label}."
        )
    else:
        summary += "."
    return WeeksChart(
        height=WEEKS_HEIGHT,
        plot_top=PLOT_TOP,
        plot_bottom=y(0),
        bars=bars,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        summary=summary,
    )
