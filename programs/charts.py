"""Geometry for the Program's charts, drawn as inline SVG by the templates.

The dashboard has the pain trend and the progress bars; the history page adds the
sessions-per-week bars beside the pain trend.

No JavaScript and no inline styles (the CSP forbids them): the templates draw shapes at
the coordinates worked out here, and site.css colours them by class. Each chart also has
a written summary and a data table, so nothing depends on seeing the picture.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .selectors import Grade, GradedSession, ProgramState

WIDTH = 360
PAIN_HEIGHT = 220
PAIN_POINTS = 14  # the last fortnight or so of sessions
LEFT, RIGHT, TOP, BOTTOM = 30, 22, 12, 34


@dataclass(frozen=True)
class Band:
    y: float
    height: float
    css: str
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y_worst: float
    y_before: float
    graded: GradedSession

    @property
    def shape(self) -> str:
        return self.graded.grade.value if self.graded.grade else "pending"

    @property
    def diamond(self) -> str:
        x, y = self.x, self.y_worst
        return f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}"

    @property
    def triangle(self) -> str:
        x, y = self.x, self.y_worst
        return f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y + 5:.1f} {x - 6:.1f},{y + 5:.1f}"


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class PainChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bands: list[Band]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    points: list[Point]
    summary: str

    @property
    def plot_width(self) -> float:
        return self.right - self.left

    @property
    def worst_line(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y_worst:.1f}" for p in self.points)

    @property
    def before_line(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y_before:.1f}" for p in self.points)

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
        parts.append(f"{pending} awaiting check-in")
    count = len(graded)
    return (
        f"Worst pain during your last {count} session{'' if count == 1 else 's'} ranged from "
        f"{min(worst)} to {max(worst)} out of 10; the most recent was {latest.worst_pain} on "
        f"{latest.date.day} {latest.date:%B}. Grades: {', '.join(parts)}."
    )


def pain_chart(*, state: ProgramState) -> PainChart | None:
    """Pain before and worst pain during, for the member's recent sessions, oldest first."""
    graded = list(reversed(state.graded_sessions[:PAIN_POINTS]))
    if not graded:
        return None
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = PAIN_HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + (10 - value) / 10 * plot_h

    # Zones drawn at the current routine's thresholds (defaults 3 and 5: Silbernagel 2007).
    routine = state.current_routine or graded[-1].session.routine
    green, amber = routine.green_max_pain + 0.5, routine.amber_max_pain + 0.5
    bands = [
        Band(y(10), y(amber) - y(10), "chart-band--red", "red zone"),
        Band(y(amber), y(green) - y(amber), "chart-band--amber", "amber zone"),
        Band(y(green), y(0) - y(green), "chart-band--green", "green zone"),
    ]
    step = plot_w / len(graded)
    points = [
        Point(
            x=LEFT + (i + 0.5) * step,
            y_worst=y(g.session.worst_pain),
            y_before=y(g.session.pain_before),
            graded=g,
        )
        for i, g in enumerate(graded)
    ]
    # At most four date labels, so they never collide on a phone.
    n = len(points)
    label_at = set(range(n)) if n <= 4 else {0, n // 3, (2 * n) // 3, n - 1}
    x_ticks = [
        Tick(p.x, f"{p.graded.session.date.day} {p.graded.session.date:%b}")
        for i, p in enumerate(points)
        if i in label_at
    ]
    y_ticks = [Tick(y(v), str(v)) for v in (0, 2, 4, 6, 8, 10)]
    return PainChart(
        width=WIDTH,
        height=PAIN_HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=PAIN_HEIGHT - BOTTOM,
        bands=bands,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        points=points,
        summary=_summary(graded),
    )


@dataclass(frozen=True)
class ProgressRow:
    y: float
    label: str
    status: str  # "complete", "current", "locked"
    status_text: str
    done: int
    target: int
    bar_width: float

    @property
    def bar_y(self) -> float:
        return self.y + 9

    @property
    def text_x(self) -> float:
        return WIDTH


@dataclass(frozen=True)
class ProgressChart:
    width: int
    height: int
    track_width: float
    rows: list[ProgressRow]
    summary: str


ROW_HEIGHT = 48


def progress_chart(*, state: ProgramState) -> ProgressChart | None:
    """One bar per routine: sessions done as prescribed against what opens the next routine."""
    if not state.routines:
        return None
    rows = []
    for i, routine in enumerate(state.routines):
        routine_state = state.by_routine[routine.pk]
        following = state.next_routine(routine)
        done = routine_state.completed_sessions
        target = routine.sessions_to_unlock
        if not routine_state.unlocked:
            status, text = "locked", "Locked"
        elif following is None or state.is_unlocked(following):
            status, text = "complete", "Done" if following else "Open"
        else:
            status, text = "current", f"{min(done, target)} of {target}"
        if status == "complete" and following is not None:
            fraction = 1.0
        else:
            fraction = min(done, target) / target
        rows.append(
            ProgressRow(
                y=i * ROW_HEIGHT + 16,
                label=f"{routine.phase.number}.{routine.position} {routine.title}",
                status=status,
                status_text=text,
                done=done,
                target=target,
                bar_width=round(fraction * WIDTH, 1),
            )
        )
    total = len(state.routines)
    unlocked = state.unlocked_count
    summary = f"You have opened {unlocked} of {total} routine{'' if total == 1 else 's'}."
    current = state.current_routine
    if current is not None and state.unlock_progress_for(current) is not None:
        summary += (
            f" On “{current.title}” you've done {state.by_routine[current.pk].completed_sessions}"
            f" of {current.sessions_to_unlock} sessions as prescribed."
        )
    return ProgressChart(
        width=WIDTH,
        height=total * ROW_HEIGHT + 8,
        track_width=WIDTH,
        rows=rows,
        summary=summary,
    )


WEEKS_SHOWN = 12
WEEKS_HEIGHT = 200


@dataclass(frozen=True)
class WeekBar:
    week_start: dt.date
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2

    @property
    def week_label(self) -> str:
        return f"{self.week_start.day} {self.week_start:%b}"


@dataclass(frozen=True)
class WeeksChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: list[WeekBar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    summary: str

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
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = WEEKS_HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + (top_value - value) / top_value * plot_h

    slot = plot_w / WEEKS_SHOWN
    bars = [
        WeekBar(
            week_start=start,
            count=counts[start],
            x=round(LEFT + i * slot + slot * 0.15, 1),
            y=round(y(counts[start]), 1),
            width=round(slot * 0.7, 1),
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
        width=WIDTH,
        height=WEEKS_HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=WEEKS_HEIGHT - BOTTOM,
        bars=bars,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        summary=summary,
    )
