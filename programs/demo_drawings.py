"""Line drawings of the demo exercises, for `seed_demo`: one PNG per exercise, drawn here.

Each drawing is a figure seen from the side, in the brand's palette: where the movement
starts as a pale figure, where it goes in deep teal, an amber arrow between them, and
the kit it needs (a mat, a chair, a broom handle, a bag). Poses are written as joint
positions: the hip and the lean of the trunk, then where each hand and foot is; the
elbows and knees are worked out from the limbs' lengths (two-bone inverse kinematics),
so every pose keeps the same body.

Pillow draws without anti-aliasing, so each drawing is made at twice its size and
reduced. Positions are in units of 10 pixels: the canvas is 120 by 80 units, the floor at
y = 70, and y grows downwards (so -90° points up).
"""

import io
import math
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

Point = tuple[float, float]

SIZE = (1200, 800)  # pixels; 3:2, wide enough for the page's column at twice its width
UNIT = SIZE[0] / 120
SUPERSAMPLE = 2
FLOOR_Y = 70.0

BACKGROUND = (241, 247, 247)
FLOOR = (203, 213, 225)  # slate-300
FIGURE = (15, 94, 107)  # teal-700, the brand's primary
FIGURE_FAR = (92, 152, 161)  # the limbs on the far side, a lighter teal
GHOST = (200, 224, 228)  # the starting position
ACCENT = (246, 185, 76)  # amber-500: the kit
ARROW = (196, 122, 12)  # a deeper amber, to read against the light background
FURNITURE = (148, 163, 184)  # slate-400
FURNITURE_FILL = (226, 232, 240)  # slate-200

# Body segments, in units.
TORSO = 20.0
NECK = 2.6
HEAD = 4.2
THIGH = 15.0
SHIN = 15.0
FOOT = 5.2
UPPER_ARM = 11.0
FOREARM = 10.0
LIMB_WIDTH = 2.0
TORSO_WIDTH = 2.8


@dataclass(frozen=True)
class Limb:
    """Where a hand or foot is, and which way the elbow or knee points (+1 or -1)."""

    end: Point
    bend: int = 1
    foot: float = 0.0  # the foot's angle in degrees, legs only (0 points right)
    kneeling: bool = False  # a leg whose shin folds back out of sight: `end` is the knee


@dataclass(frozen=True)
class Pose:
    hip: Point
    torso: float  # degrees from the hip to the shoulders: -90 is upright, 0 is to the right
    near_leg: Limb
    far_leg: Limb
    near_arm: Limb
    far_arm: Limb
    neck: float | None = None  # degrees; the head follows the trunk unless told


@dataclass
class Drawing:
    """What one exercise's picture holds, drawn back to front."""

    alt: str  # what it shows, for people who cannot see it (the page's alt text)
    start: Pose
    finish: Pose
    arrows: list[list[Point]]  # amber arrows through these points, pointing at the last
    behind: list = field(default_factory=list)  # kit behind the figure: (kind, args)
    front: list = field(default_factory=list)  # kit in front of it, e.g. a bag in the hand


# --------------------------------------------------------------------------- geometry


def _toward(origin: Point, degrees: float, length: float) -> Point:
    radians = math.radians(degrees)
    return origin[0] + length * math.cos(radians), origin[1] + length * math.sin(radians)


def _joint(root: Point, end: Point, upper: float, lower: float, bend: int) -> Point:
    """The elbow or knee between root and end (law of cosines), on the `bend` side."""
    dx, dy = end[0] - root[0], end[1] - root[1]
    reach = min(math.hypot(dx, dy), upper + lower - 1e-6)
    reach = max(reach, abs(upper - lower) + 1e-6)
    cos_angle = (upper**2 + reach**2 - lower**2) / (2 * upper * reach)
    angle = math.degrees(math.atan2(dy, dx)) + bend * math.degrees(math.acos(cos_angle))
    return _toward(root, angle, upper)


@dataclass(frozen=True)
class _Skeleton:
    hip: Point
    shoulder: Point
    head: Point
    legs: tuple[tuple[Point, Point, Point], ...]  # (knee, ankle, toe), near first
    arms: tuple[tuple[Point, Point], ...]  # (elbow, wrist), near first


def _skeleton(pose: Pose) -> _Skeleton:
    shoulder = _toward(pose.hip, pose.torso, TORSO)
    head = _toward(shoulder, pose.torso if pose.neck is None else pose.neck, NECK + HEAD)
    legs = tuple(
        (limb.end, limb.end, limb.end)
        if limb.kneeling
        else (
            _joint(pose.hip, limb.end, THIGH, SHIN, limb.bend),
            limb.end,
            _toward(limb.end, limb.foot, FOOT),
        )
        for limb in (pose.near_leg, pose.far_leg)
    )
    arms = tuple(
        (_joint(shoulder, limb.end, UPPER_ARM, FOREARM, limb.bend), limb.end)
        for limb in (pose.near_arm, pose.far_arm)
    )
    return _Skeleton(pose.hip, shoulder, head, legs, arms)


# --------------------------------------------------------------------------- drawing


class _Pen:
    """Draws in units onto the supersampled canvas, with round ends on every line.

    Without an image it draws nothing and only notes where everything would go, so a
    drawing can be measured first and then framed: moved and enlarged (up to MAX_ZOOM)
    to fill the canvas, a figure lying on a mat as much as one standing."""

    def __init__(self, image: Image.Image | None = None, *, frame=(0.0, 0.0, 1.0)):
        self.draw = ImageDraw.Draw(image) if image is not None else None
        self.points: list[Point] = []
        self.dx, self.dy, self.zoom = frame
        self.scale = UNIT * SUPERSAMPLE

    def _xy(self, point: Point) -> tuple[float, float]:
        x = (point[0] * self.zoom + self.dx) * self.scale
        return x, (point[1] * self.zoom + self.dy) * self.scale

    def _size(self, units: float) -> float:
        return units * self.zoom * self.scale

    def line(self, points: list[Point], colour, width: float) -> None:
        if self.draw is None:
            self.points += points
            return
        pixels = [self._xy(p) for p in points]
        w = max(1, round(self._size(width)))
        self.draw.line(pixels, fill=colour, width=w, joint="curve")
        for x, y in (pixels[0], pixels[-1]):
            r = w / 2
            self.draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)

    def disc(self, centre: Point, radius: float, colour) -> None:
        if self.draw is None:
            self.points += [(centre[0] - radius, centre[1] - radius)]
            self.points += [(centre[0] + radius, centre[1] + radius)]
            return
        x, y = self._xy(centre)
        r = self._size(radius)
        self.draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)

    def box(self, corner: Point, other: Point, fill, outline=None, width: float = 0, radius=0.8):
        if self.draw is None:
            self.points += [corner, other]
            return
        (x0, y0), (x1, y1) = self._xy(corner), self._xy(other)
        self.draw.rounded_rectangle(
            (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)),
            radius=self._size(radius),
            fill=fill,
            outline=outline,
            width=round(self._size(width)),
        )

    def polygon(self, points: list[Point], colour) -> None:
        if self.draw is None:
            self.points += points
            return
        self.draw.polygon([self._xy(p) for p in points], fill=colour)

    def floor(self) -> None:
        """The floor runs the canvas's width whatever the framing."""
        if self.draw is None:
            self.points.append((60.0, FLOOR_Y + 3.0))
            return
        y = self._xy((0, FLOOR_Y))[1]
        self.draw.line(
            [(6 * self.scale, y), (114 * self.scale, y)],
            fill=FLOOR,
            width=round(self._size(0.5)),
        )


MARGIN = 6.0  # units kept clear around the framed drawing
MAX_ZOOM = 1.7


def _frame(points: list[Point]) -> tuple[float, float, float]:
    """The (dx, dy, zoom) that centres these points on the canvas, as large as fits."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    zoom = min((120 - 2 * MARGIN) / width, (80 - 2 * MARGIN) / height, MAX_ZOOM)
    dx = 60 - (min(xs) + width / 2) * zoom
    dy = 40 - (min(ys) + height / 2) * zoom
    return dx, dy, zoom


def _figure(pen: _Pen, pose: Pose, *, ghost: bool = False) -> None:
    body = _skeleton(pose)
    near, far = (GHOST, GHOST) if ghost else (FIGURE, FIGURE_FAR)
    (far_elbow, far_wrist), (near_elbow, near_wrist) = body.arms[1], body.arms[0]
    (far_knee, far_ankle, far_toe), (near_knee, near_ankle, near_toe) = body.legs[1], body.legs[0]
    pen.line([body.shoulder, far_elbow, far_wrist], far, LIMB_WIDTH)
    pen.line([body.hip, far_knee, far_ankle, far_toe], far, LIMB_WIDTH)
    pen.line([body.hip, body.shoulder], near, TORSO_WIDTH)
    pen.disc(body.head, HEAD, near)
    pen.line([body.hip, near_knee, near_ankle, near_toe], near, LIMB_WIDTH)
    pen.line([body.shoulder, near_elbow, near_wrist], near, LIMB_WIDTH)


def _arrow(pen: _Pen, points: list[Point]) -> None:
    pen.line(points, ARROW, 0.7)
    (x0, y0), (x1, y1) = points[-2], points[-1]
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
    tip = _toward((x1, y1), angle, 1.2)
    head = [tip, _toward((x1, y1), angle + 140, 2.4), _toward((x1, y1), angle - 140, 2.4)]
    pen.polygon(head, ARROW)


def _kit(pen: _Pen, kind: str, *args) -> None:
    """The furniture and equipment the exercises use, in the muted and amber colours."""
    if kind == "mat":
        x0, x1 = args
        pen.box((x0, FLOOR_Y - 0.9), (x1, FLOOR_Y + 0.2), ACCENT, radius=0.4)
    elif kind == "chair":  # side on: the front legs at x_front, the back at x_back
        x_front, x_back, seat = args
        pen.line([(x_back, FLOOR_Y), (x_back, seat - 15)], FURNITURE, 1.2)
        pen.line([(x_front, FLOOR_Y), (x_front, seat)], FURNITURE, 1.2)
        pen.line([(x_back, seat), (x_front, seat)], FURNITURE, 1.6)
    elif kind in ("sofa", "step"):  # a block: a sofa's edge, a bench, a stair
        x0, x1, top = args
        radius = 1.5 if kind == "sofa" else 0.4
        pen.box((x0, top), (x1, FLOOR_Y), FURNITURE_FILL, FURNITURE, 0.4, radius=radius)
    elif kind == "dowel":
        start, end = args
        pen.line([start, end], ACCENT, 1.0)
    elif kind == "bag":  # held by its handles at `grip`
        (x, y) = args[0]
        pen.line([(x - 1.6, y + 1.8), (x, y - 0.2), (x + 1.6, y + 1.8)], ACCENT, 0.6)
        pen.box((x - 3.4, y + 1.6), (x + 3.4, y + 7.6), ACCENT, radius=1.2)
    elif kind == "weight":  # held at the chest, or lying across the hips
        (x, y) = args[0]
        pen.box((x - 2.2, y - 2.6), (x + 2.2, y + 2.6), ACCENT, radius=1.0)
    elif kind == "path":  # dashes along the floor, for walking
        x0, x1 = args
        x = x0
        while x < x1:
            pen.line([(x, FLOOR_Y + 2.2), (min(x + 2.4, x1), FLOOR_Y + 2.2)], GHOST, 0.6)
            x += 4.8
    else:
        raise ValueError(f"No drawing for kit {kind!r}")


def _paint(pen: _Pen, drawing: Drawing) -> None:
    pen.floor()
    for kind, *args in drawing.behind:
        _kit(pen, kind, *args)
    _figure(pen, drawing.start, ghost=True)
    for arrow in drawing.arrows:
        _arrow(pen, arrow)
    _figure(pen, drawing.finish)
    for kind, *args in drawing.front:
        _kit(pen, kind, *args)


def exercise_drawing_png(drawing: Drawing) -> bytes:
    """The exercise's picture as a PNG, SIZE pixels."""
    measure = _Pen()
    _paint(measure, drawing)
    image = Image.new("RGB", (SIZE[0] * SUPERSAMPLE, SIZE[1] * SUPERSAMPLE), BACKGROUND)
    _paint(_Pen(image, frame=_frame(measure.points)), drawing)
    buffer = io.BytesIO()
    image.reduce(SUPERSAMPLE).save(buffer, format="PNG")  # box-filtered: the anti-aliasing
    return buffer.getvalue()


# --------------------------------------------------------------------------- the exercises
#
# Standing, the ankles are at y = 68.6 and the hip about 29.5 above them; lying on the
# back, the trunk's centre line is at y = 67.8 with the head tipped up onto the floor.

ANKLE_Y = FLOOR_Y - 1.4
LYING_Y = FLOOR_Y - 2.2


def _angle(start: Point, end: Point) -> float:
    return math.degrees(math.atan2(end[1] - start[1], end[0] - start[0]))


def _standing(x: float, *, arms: tuple[Point, Point] | None = None, lean: float = -90) -> Pose:
    hip = (x, ANKLE_Y - 29.5)
    shoulder = _toward(hip, lean, TORSO)
    hands = arms or (
        (shoulder[0] + 0.8, shoulder[1] + 20.8),
        (shoulder[0] - 0.8, shoulder[1] + 20.8),
    )
    return Pose(
        hip=hip,
        torso=lean,
        near_leg=Limb((x + 0.6, ANKLE_Y), bend=-1),
        far_leg=Limb((x - 1.6, ANKLE_Y), bend=-1),
        near_arm=Limb(hands[0], bend=1),
        far_arm=Limb(hands[1], bend=1),
    )


def _bridge(*, lift: float, near_ankle: Point | None = None, near_foot: float = 0) -> Pose:
    """On the back, knees bent, feet flat; `lift` raises the hips (0 is on the floor)."""
    shoulder = (30.2, LYING_Y)
    hip_y = LYING_Y - lift
    hip = (shoulder[0] + math.sqrt(TORSO**2 - (LYING_Y - hip_y) ** 2), hip_y)
    return Pose(
        hip=hip,
        torso=_angle(hip, shoulder),
        neck=200,
        near_leg=Limb(near_ankle or (71.0, ANKLE_Y), bend=-1, foot=near_foot),
        far_leg=Limb((69.4, ANKLE_Y), bend=-1),
        near_arm=Limb((51.0, LYING_Y + 0.2), bend=-1),
        far_arm=Limb((49.8, LYING_Y + 0.2), bend=-1),
    )


def _all_fours(*, reach: bool = False) -> Pose:
    hip, shoulder = (45.0, 50.0), (65.0, 50.0)
    kneel = Limb((31.0, ANKLE_Y), bend=1, foot=180)
    return Pose(
        hip=hip,
        torso=0,
        neck=12,
        near_leg=Limb((15.5, 49.0), bend=-1, foot=95) if reach else kneel,
        far_leg=Limb((32.2, ANKLE_Y), bend=1, foot=180),
        near_arm=Limb((shoulder[0] + 0.5, ANKLE_Y), bend=-1),
        far_arm=Limb((86.0, 49.0), bend=1) if reach else Limb((shoulder[0] - 1, ANKLE_Y), bend=-1),
    )


def _split(*, hip: Point, lean: float = -88) -> Pose:
    return Pose(
        hip=hip,
        torso=lean,
        near_leg=Limb((66.0, ANKLE_Y), bend=-1),
        far_leg=Limb((34.0, ANKLE_Y - 2.6), bend=-1, foot=55),
        near_arm=Limb((hip[0] + 1.5, hip[1] + 1), bend=1),
        far_arm=Limb((hip[0] - 1.5, hip[1] + 1), bend=-1),
    )


def _side_plank(*, hip: Point, knee: Point) -> Pose:
    shoulder = (42.8, ANKLE_Y - UPPER_ARM)
    return Pose(
        hip=hip,
        torso=_angle(hip, shoulder),
        neck=_angle(knee, shoulder) + 3,
        near_leg=Limb(knee, kneeling=True),
        far_leg=Limb((knee[0] + 1.2, knee[1] - 0.8), kneeling=True),
        near_arm=Limb((33.5, ANKLE_Y), bend=-1),
        far_arm=Limb((shoulder[0] + 1.0, shoulder[1] - 20.9), bend=1),  # reaching up
    )


def _stride(x: float, *, bag: bool = False) -> Pose:
    hip = (x, ANKLE_Y - 28.8)
    shoulder = _toward(hip, -88, TORSO)
    near_hand = (
        (shoulder[0] + 1.2, shoulder[1] + 20.8) if bag else (shoulder[0] - 7, shoulder[1] + 19)
    )
    return Pose(
        hip=hip,
        torso=-88,
        near_leg=Limb((x + 8.5, ANKLE_Y), bend=-1, foot=-12),
        far_leg=Limb((x - 8.0, ANKLE_Y - 1.2), bend=-1, foot=28),
        near_arm=Limb(near_hand, bend=1),
        far_arm=Limb((shoulder[0] + 7.5, shoulder[1] + 18.5), bend=-1),
    )


def _hinge(x: float, *, lean: float, drop: float = 1.5, back: float = 6, hands=None) -> Pose:
    hip = (x - back, ANKLE_Y - 29.5 + drop)
    shoulder = _toward(hip, lean, TORSO)
    hands = hands or (
        (shoulder[0] + 0.5, shoulder[1] + 20.8),
        (shoulder[0] - 0.5, shoulder[1] + 20.8),
    )
    return Pose(
        hip=hip,
        torso=lean,
        near_leg=Limb((x + 0.6, ANKLE_Y), bend=-1),
        far_leg=Limb((x - 1.6, ANKLE_Y), bend=-1),
        near_arm=Limb(hands[0], bend=1),
        far_arm=Limb(hands[1], bend=1),
    )


def _on_hips(hip: Point, lean: float) -> tuple[Point, Point]:
    return (hip[0] + 1.2, hip[1] - 1.2), (hip[0] - 1.2, hip[1] - 1.5)


def _hand(pose: Pose) -> Point:
    return pose.near_arm.end


def _on_back(pose: tuple[Point, float], along: float, *, out: float = 2.3) -> Point:
    """A point on the line of the back: `along` from the hip up the trunk, `out` behind it."""
    hip, lean = pose
    return _toward(_toward(hip, lean, along), lean - 90, out)


DOWEL_HINGE = ((52.0, ANKLE_Y - 28.0), -40.0)  # _hinge(58, lean=-40)'s hip and lean

DRAWINGS: dict[str, Drawing] = {
    "glute-bridge": Drawing(
        alt=(
            "A person on their back on a mat, knees bent, lifting their hips until knees, "
            "hips and shoulders line up. A paler figure shows the start, hips on the mat."
        ),
        start=_bridge(lift=0),
        finish=_bridge(lift=6.8),
        arrows=[[(42.0, 60.0), (42.0, 52.0)]],
        behind=[("mat", 20, 82)],
    ),
    "marching-bridge": Drawing(
        alt=(
            "A person holding a bridge on a mat with hips level, one foot lifted a little off "
            "the floor. A paler figure shows the bridge with both feet down."
        ),
        start=_bridge(lift=6.8),
        finish=_bridge(lift=6.8, near_ankle=(70.0, 57.5), near_foot=-10),
        arrows=[[(78.0, 66.0), (78.0, 57.0)]],
        behind=[("mat", 20, 82)],
    ),
    "single-leg-bridge": Drawing(
        alt=(
            "A person bridging on one leg, hips lifted, the other leg straight and in line "
            "with its thigh. A paler figure shows the start, hips on the mat."
        ),
        start=_bridge(lift=0, near_ankle=(77.0, 58.0), near_foot=-70),
        finish=_bridge(lift=6.8, near_ankle=(77.5, 50.5), near_foot=-70),
        arrows=[[(42.0, 60.0), (42.0, 52.0)]],
        behind=[("mat", 20, 84)],
    ),
    "hip-thrust": Drawing(
        alt=(
            "A person with shoulder blades on a sofa's edge and a bag across the hips, "
            "pushing the hips up into a flat table. A paler figure shows the start, seat near "
            "the floor."
        ),
        start=Pose(
            hip=(46.0, 66.0),
            torso=219,
            neck=205,
            near_leg=Limb((64.5, ANKLE_Y), bend=-1),
            far_leg=Limb((63.0, ANKLE_Y), bend=-1),
            near_arm=Limb((47.5, ANKLE_Y), bend=-1),
            far_arm=Limb((46.0, ANKLE_Y), bend=-1),
        ),
        finish=Pose(
            hip=(49.0, 53.6),
            torso=180,
            neck=200,
            near_leg=Limb((64.5, ANKLE_Y), bend=-1),
            far_leg=Limb((63.0, ANKLE_Y), bend=-1),
            near_arm=Limb((49.3, 51.8), bend=-1),
            far_arm=Limb((48.0, 51.8), bend=-1),
        ),
        arrows=[[(56.0, 66.0), (56.0, 58.0)]],
        behind=[("sofa", 8, 31, 53)],
        front=[("weight", (49.5, 50.0))],
    ),
    "sit-to-stand": Drawing(
        alt=(
            "A person standing tall in front of a firm chair. A paler figure shows the start: "
            "sitting towards the front of the chair, leaning forward from the hips."
        ),
        start=Pose(
            hip=(31.0, 52.0),
            torso=-62,
            near_leg=Limb((43.0, ANKLE_Y), bend=-1),
            far_leg=Limb((41.5, ANKLE_Y), bend=-1),
            near_arm=Limb((45.0, 44.0), bend=1),
            far_arm=Limb((43.5, 44.0), bend=1),
        ),
        finish=_standing(42.0),
        arrows=[[(54.0, 50.0), (54.0, 38.0)]],
        behind=[("chair", 36, 24, 55)],
    ),
    "goblet-squat": Drawing(
        alt=(
            "A person in a deep squat, chest up, holding a small weight against their chest. "
            "A paler figure shows the start, standing tall with the weight."
        ),
        start=_standing(60.0, arms=((68.0, 22.0), (66.8, 22.4))),
        finish=Pose(
            hip=(55.0, 57.5),
            torso=-68,
            near_leg=Limb((63.0, ANKLE_Y), bend=-1),
            far_leg=Limb((61.0, ANKLE_Y), bend=-1),
            near_arm=Limb((70.5, 42.0), bend=1),
            far_arm=Limb((69.3, 42.4), bend=1),
        ),
        arrows=[[(44.0, 36.0), (44.0, 52.0)]],
        front=[("weight", (71.5, 41.0))],
    ),
    "dowel-hip-hinge": Drawing(
        alt=(
            "A person hinging forward from the hips, knees soft, a broom handle along the "
            "back touching head, upper back and tailbone. A paler figure shows the start, "
            "standing."
        ),
        start=_standing(58.0),
        finish=_hinge(58.0, lean=-40, hands=(_on_back(DOWEL_HINGE, 16), _on_back(DOWEL_HINGE, 2))),
        arrows=[[(64.0, 8.0), (71.0, 11.0), (76.0, 16.0)]],
        behind=[("dowel", _on_back(DOWEL_HINGE, -4), _on_back(DOWEL_HINGE, 33))],
    ),
    "hinge-hamstring-stretch": Drawing(
        alt=(
            "A person with hands on hips, hinged forward from the hips with a long, flat back "
            "and soft knees. A paler figure shows the start, standing tall."
        ),
        start=_standing(58.0, arms=_on_hips((58.0, ANKLE_Y - 29.5), -90)),
        finish=_hinge(58.0, lean=-22, back=7.5, hands=_on_hips((50.5, ANKLE_Y - 28.0), -22)),
        arrows=[[(64.0, 8.0), (73.0, 13.0), (78.0, 20.0)]],
    ),
    "bag-deadlift": Drawing(
        alt=(
            "A person hinged at the hips, knees bent and back long, gripping a bag on the "
            "floor close to their legs. A paler figure shows them standing tall."
        ),
        start=_standing(60.0),
        finish=_hinge(62.0, lean=-32, drop=8, back=7, hands=((68.0, 61.0), (66.8, 61.0))),
        arrows=[[(80.0, 30.0), (80.0, 46.0)]],
        front=[("bag", (68.0, 61.0))],
    ),
    "single-leg-hinge": Drawing(
        alt=(
            "A person on one leg, hinging forward as the other leg reaches back, body almost "
            "level, a hand on a chair. A paler figure shows the start, standing on one leg."
        ),
        start=Pose(
            hip=(55.0, 39.2),
            torso=-90,
            near_leg=Limb((50.0, 64.0), bend=-1, foot=40),
            far_leg=Limb((55.5, ANKLE_Y), bend=-1),
            near_arm=Limb((57.0, 38.0), bend=1),
            far_arm=Limb((53.5, 38.0), bend=1),
        ),
        finish=Pose(
            hip=(53.0, 40.5),
            torso=-12,
            near_leg=Limb((23.5, 46.5), bend=1, foot=95),
            far_leg=Limb((55.5, ANKLE_Y), bend=-1),
            near_arm=Limb((85.0, 40.8), bend=1),
            far_arm=Limb((55.5, 38.5), bend=1),
        ),
        arrows=[[(40.0, 62.0), (31.0, 58.0), (25.0, 52.0)]],
        behind=[("chair", 96, 85, 55)],
    ),
    "split-squat": Drawing(
        alt=(
            "A person in a split stance, lowered until the back knee is near the floor, front "
            "shin upright, trunk tall. A paler figure shows the start, standing in the "
            "stance."
        ),
        start=_split(hip=(51.0, 40.0)),
        finish=_split(hip=(51.0, 52.5)),
        arrows=[[(40.0, 34.0), (40.0, 46.0)]],
    ),
    "reverse-lunge": Drawing(
        alt=(
            "A person in a lunge after stepping one foot back, both knees bent, trunk tall, "
            "hands on hips. A paler figure shows the start, standing with feet together."
        ),
        start=_standing(62.0, arms=_on_hips((62.0, ANKLE_Y - 29.5), -90)),
        finish=_split(hip=(51.0, 52.5)),
        arrows=[[(60.0, 74.5), (38.0, 74.5)]],
    ),
    "step-ups": Drawing(
        alt=(
            "A person standing tall on one leg on a low step, the other foot lifting behind. "
            "A paler figure shows the start, one foot on the step and one on the floor."
        ),
        start=Pose(
            hip=(56.0, 44.0),
            torso=-80,
            near_leg=Limb((67.0, 60.6), bend=-1),
            far_leg=Limb((50.0, ANKLE_Y), bend=-1, foot=10),
            near_arm=Limb((58.0, 45.0), bend=1),
            far_arm=Limb((55.0, 45.0), bend=1),
        ),
        finish=Pose(
            hip=(66.0, 31.5),
            torso=-90,
            near_leg=Limb((67.0, 60.6), bend=-1),
            far_leg=Limb((60.5, 57.0), bend=-1, foot=45),
            near_arm=Limb((67.0, 32.5), bend=1),
            far_arm=Limb((65.0, 32.5), bend=1),
        ),
        arrows=[[(46.0, 40.0), (52.0, 30.0), (58.0, 26.0)]],
        behind=[("step", 58, 90, 62)],
    ),
    "bird-dog": Drawing(
        alt=(
            "A person on hands and knees with a flat back, reaching one arm forward and the "
            "opposite leg back in line with the body. A paler figure shows the start, on all "
            "fours."
        ),
        start=_all_fours(),
        finish=_all_fours(reach=True),
        arrows=[[(30.0, 44.0), (18.0, 44.0)], [(80.0, 44.0), (92.0, 44.0)]],
    ),
    "side-plank-from-the-knees": Drawing(
        alt=(
            "A person on their side, propped on a forearm under the shoulder, hips lifted so "
            "knees, hips and head line up, top arm up. A paler figure shows the start, hips "
            "down."
        ),
        start=_side_plank(hip=(61.0, 67.8), knee=(76.0, ANKLE_Y)),
        finish=_side_plank(hip=(61.8, 63.9), knee=(76.0, ANKLE_Y)),
        arrows=[[(68.0, 60.0), (68.0, 52.0)]],
        behind=[("mat", 26, 86)],
    ),
    "suitcase-carry": Drawing(
        alt=(
            "A person walking tall with a bag in one hand, shoulders level, leaning neither "
            "towards nor away from it. A paler figure shows them a step behind."
        ),
        start=_stride(42.0, bag=True),
        finish=_stride(64.0, bag=True),
        arrows=[[(38.0, 75.0), (60.0, 75.0)]],
        front=[("bag", _hand(_stride(64.0, bag=True)))],
    ),
    "brisk-walk": Drawing(
        alt=(
            "A person walking briskly along a path, arms swinging, upright and relaxed. A "
            "paler figure shows them a step behind."
        ),
        start=_stride(40.0),
        finish=_stride(64.0),
        arrows=[[(36.0, 75.0), (60.0, 75.0)]],
        behind=[("path", 20, 100)],
    ),
}
