"""The demo Program for `seed_demo`: phases, routines and exercises written for this site,
the exercises' drawings, and a demo member's first fortnight on it.

The teaching it follows: strength before stretching, the hip hinge as the core skill, and
hamstrings worked through real movements (bridges, hip thrusts, squats, hinges, lunges).
Hamstrings are stretched only through the hinge, with a neutral spine: nothing here rounds
the lower back (no toe touches, no child's pose). Phase One builds the base; Phases Two and
Three add load and range.
"""

import datetime as dt
import hashlib
from collections import Counter

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from pages.models import PageKind, PageVersion

from . import services
from .demo_drawings import DRAWINGS, exercise_drawing_png
from .models import (
    CheckIn,
    Exercise,
    MemberProgress,
    Phase,
    Routine,
    RoutineStep,
    SessionLog,
    Unlock,
    UnlockMethod,
)

EXERCISES = [
    {
        "name": "Glute bridge",
        "slug": "glute-bridge",
        "purpose": "Wakes up the buttocks and hamstrings together, the engine behind standing up.",
        "instructions": [
            "Lie on your back with your knees bent and feet flat, hip-width apart.",
            "Breathe out and tighten around your middle, as if about to be nudged.",
            "Push through your heels and lift your hips until knees, hips and shoulders line up.",
            "Hold for a breath, then lower slowly.",
        ],
        "cues": ["Heels down, toes light.", "Ribs stay down: lift with your seat, not your back."],
        "mistakes": ["Arching the lower back at the top.", "Pushing through the toes."],
        "easier": "",
        "harder": "Marching bridge",
    },
    {
        "name": "Marching bridge",
        "slug": "marching-bridge",
        "purpose": "A bridge that asks one hamstring at a time to hold the pelvis level.",
        "instructions": [
            "Lift into a glute bridge and hold it.",
            "Keeping your hips level, lift one foot a few centimetres off the floor.",
            "Put it down, then lift the other. That is one repetition.",
            "Lower your hips when the set is done.",
        ],
        "cues": ["Imagine a tray of drinks on your hips.", "Small, slow lifts."],
        "mistakes": ["Letting one hip drop as the foot lifts.", "Holding your breath."],
        "easier": "Glute bridge",
        "harder": "Single-leg bridge",
    },
    {
        "name": "Single-leg bridge",
        "slug": "single-leg-bridge",
        "purpose": "The whole bridge on one leg: real hamstring strength, with the spine steady.",
        "instructions": [
            "Lie as for a bridge, then straighten one leg in line with the other thigh.",
            "Push through the bent leg's heel and lift your hips.",
            "Lower slowly and repeat, then swap legs.",
        ],
        "cues": ["Keep both thighs level.", "Press the heel into the floor."],
        "mistakes": ["Twisting the pelvis.", "Rushing the lowering."],
        "easier": "Marching bridge",
        "harder": "Hip thrust",
    },
    {
        "name": "Hip thrust",
        "slug": "hip-thrust",
        "purpose": "Bridging with your shoulders raised, so hips and hamstrings work further.",
        "instructions": [
            "Sit on the floor with your shoulder blades against the edge of a sofa.",
            "Feet flat, knees bent. Rest a bag across your hips for load later on.",
            "Push through your heels and lift your hips until your body is a flat table.",
            "Lower under control until your seat nearly touches the floor.",
        ],
        "cues": ["Chin gently tucked.", "Finish with your seat, not by arching."],
        "mistakes": ["Feet too far forward.", "Bouncing at the bottom."],
        "easier": "Glute bridge",
        "harder": "",
    },
    {
        "name": "Sit to stand",
        "slug": "sit-to-stand",
        "purpose": "A squat you already do every day, practised on purpose.",
        "instructions": [
            "Sit towards the front of a firm chair, feet just behind your knees.",
            "Lean forward from the hips with a long spine.",
            "Stand up by pushing the floor away, then sit back down slowly.",
        ],
        "cues": ["Nose over toes.", "Sit down as slowly as you stand up."],
        "mistakes": ["Using your hands to push up.", "Flopping back into the chair."],
        "easier": "",
        "harder": "Goblet squat",
    },
    {
        "name": "Goblet squat",
        "slug": "goblet-squat",
        "purpose": "A deeper squat with a weight held at your chest to keep the spine tall.",
        "instructions": [
            "Hold a bag or a full water bottle against your chest.",
            "Feet a little wider than your hips, toes turned out slightly.",
            "Sit down between your heels as deep as feels steady, then stand tall.",
        ],
        "cues": ["Elbows inside the knees.", "Chest proud."],
        "mistakes": ["Heels lifting.", "Knees caving in."],
        "easier": "Sit to stand",
        "harder": "",
    },
    {
        "name": "Dowel hip hinge",
        "slug": "dowel-hip-hinge",
        "purpose": "The core skill of the Program: bend from the hips, spine long.",
        "instructions": [
            "Hold a broom handle along your back so it touches your head, upper back and tailbone.",
            "Soften your knees and push your hips back, as if shutting a drawer with your seat.",
            "Go only as far as all three points stay on the handle.",
            "Drive your hips forward to stand tall.",
        ],
        "cues": ["Hips back, not down.", "Shins stay nearly upright."],
        "mistakes": ["Bending the knees into a squat.", "Losing contact at the tailbone."],
        "easier": "",
        "harder": "Bag deadlift",
    },
    {
        "name": "Hinge hamstring stretch",
        "slug": "hinge-hamstring-stretch",
        "purpose": "Stretches the hamstrings through the hinge, so the lower back never rounds.",
        "instructions": [
            "Stand tall with your hands on your hips, knees soft.",
            "Hinge forward from the hips with a long, flat back.",
            "Stop at the first gentle pull behind your thighs and hold, breathing slowly.",
            "Stand up by driving your hips forward.",
        ],
        "cues": ["Tail up, chest long.", "The stretch is behind the thighs, never in the back."],
        "mistakes": ["Reaching for your toes.", "Letting the back curl to go lower."],
        "easier": "",
        "harder": "Single-leg hinge",
    },
    {
        "name": "Bag deadlift",
        "slug": "bag-deadlift",
        "purpose": "The hinge with a real load: how to pick things up from the floor.",
        "instructions": [
            "Stand with a loaded bag or rucksack between your feet.",
            "Hinge from the hips, knees bending a little more than before, and grip the handles.",
            "Brace, then stand up by pushing the floor away and bringing your hips through.",
            "Lower it by hinging again.",
        ],
        "cues": ["Bag close to your legs.", "Long spine from start to finish."],
        "mistakes": ["Rounding to reach the bag.", "Jerking it off the floor."],
        "easier": "Dowel hip hinge",
        "harder": "Single-leg hinge",
    },
    {
        "name": "Single-leg hinge",
        "slug": "single-leg-hinge",
        "purpose": "A hinge on one leg: balance, hamstring strength and range together.",
        "instructions": [
            "Stand on one leg, a hand on a chair if you like.",
            "Hinge forward while the free leg reaches back in line with your body.",
            "Go as far as your back stays flat, then return to standing.",
        ],
        "cues": ["Hips square to the floor.", "Reach long through the back heel."],
        "mistakes": ["Opening the hip to the side.", "Rounding to go lower."],
        "easier": "Bag deadlift",
        "harder": "",
    },
    {
        "name": "Split squat",
        "slug": "split-squat",
        "purpose": "Builds each leg on its own, with a steady trunk.",
        "instructions": [
            "Stand with one foot forward and one back, holding a chair for balance.",
            "Lower the back knee towards the floor.",
            "Push up through the front foot.",
        ],
        "cues": ["Straight down, like a lift.", "Front heel stays down."],
        "mistakes": ["Leaning the trunk forward.", "A stance too short."],
        "easier": "Sit to stand",
        "harder": "Reverse lunge",
    },
    {
        "name": "Reverse lunge",
        "slug": "reverse-lunge",
        "purpose": "A lunge stepping back, which is kinder to knees and asks more of the hips.",
        "instructions": [
            "Stand tall beside a chair.",
            "Step one foot back and lower until both knees bend to about a right angle.",
            "Push through the front foot to step back up.",
        ],
        "cues": ["Long spine, slight lean from the hips.", "Step back far enough."],
        "mistakes": ["Wobbling knee.", "Pushing off the back foot."],
        "easier": "Split squat",
        "harder": "",
    },
    {
        "name": "Step-ups",
        "slug": "step-ups",
        "purpose": "Stair strength: the hips and legs lift you, not the lower back.",
        "instructions": [
            "Stand facing the bottom stair, holding the banister.",
            "Place one foot on the step and push through it to stand up.",
            "Step down slowly with the other foot, then repeat.",
        ],
        "cues": ["Whole foot on the step.", "Push, don't bounce."],
        "mistakes": ["Springing off the lower foot.", "Leaning on the banister."],
        "easier": "Sit to stand",
        "harder": "",
    },
    {
        "name": "Bird dog",
        "slug": "bird-dog",
        "purpose": "Teaches the trunk to stay still while the arms and legs move.",
        "instructions": [
            "On hands and knees, with a flat back.",
            "Reach one arm forward and the opposite leg back.",
            "Hold for a breath, return, then swap.",
        ],
        "cues": ["A cup of tea balanced on your lower back.", "Reach long, not high."],
        "mistakes": ["Lifting the leg so high the back arches.", "Twisting the hips."],
        "easier": "",
        "harder": "",
    },
    {
        "name": "Side plank from the knees",
        "slug": "side-plank-from-the-knees",
        "purpose": "Strengthens the sides of the trunk that steady you when you carry.",
        "instructions": [
            "Lie on your side, propped on your forearm, knees bent.",
            "Lift your hips so you make a straight line from knees to head.",
            "Hold, breathing, then lower.",
        ],
        "cues": ["Elbow under the shoulder.", "Hips forward a touch."],
        "mistakes": ["Hips sagging.", "Shrugging the shoulder."],
        "easier": "",
        "harder": "",
    },
    {
        "name": "Suitcase carry",
        "slug": "suitcase-carry",
        "purpose": "Walking tall with weight in one hand: the trunk resists the lean.",
        "instructions": [
            "Pick up a bag in one hand with a hinge.",
            "Walk tall without leaning towards it or away from it.",
            "Swap hands halfway.",
        ],
        "cues": ["Shoulders level.", "Slow, even steps."],
        "mistakes": ["Leaning away from the bag.", "Holding your breath."],
        "easier": "",
        "harder": "",
    },
    {
        "name": "Brisk walk",
        "slug": "brisk-walk",
        "purpose": "Easy, regular movement that tells your back it is safe to move.",
        "instructions": [
            "Walk at a pace where you can talk but not sing.",
            "Flat ground to begin with; add a hill when it feels easy.",
        ],
        "cues": ["Let your arms swing.", "Tall, relaxed posture."],
        "mistakes": ["Going too far on the first day."],
        "easier": "",
        "harder": "",
    },
]


def _step(exercise, *, sets=1, reps=None, seconds=None, rest=0, side="", notes=""):
    return {
        "exercise": exercise,
        "sets": sets,
        "reps": reps,
        "seconds": seconds,
        "rest_seconds": rest,
        "side": side,
        "notes": notes,
    }


HOW_TO_LOG = (
    "## How to log it\n\nNote your pain before you begin and the worst it got during. "
    "Tomorrow morning, check in: better, the same or worse than usual?"
)

PHASES = [
    {
        "number": 1,
        "title": "Build the base",
        "slug": "build-the-base",
        "summary": (
            "Strength before stretching: wake up your hips and hamstrings with bridges and "
            "squats, and learn the hip hinge, the skill everything else builds on."
        ),
        "routines": [
            {
                "position": 1,
                "title": "First bridges",
                "slug": "first-bridges",
                "duration_minutes": 12,
                "summary": "Bridges and chair squats to get your seat and hamstrings working.",
                # "Put it into practice" on the disc episode, whose routine starts with bridges.
                "instructions": (
                    "## Before you start\n\nA mat or carpet and a firm chair. Nothing here "
                    "should push your pain above 3 out of 10.\n\n" + HOW_TO_LOG
                ),
                "steps": [
                    _step("Glute bridge", sets=3, reps=8, rest=45),
                    _step("Sit to stand", sets=2, reps=8, rest=60),
                    _step("Brisk walk", seconds=600, notes="on the flat"),
                ],
            },
            {
                "position": 2,
                "title": "Learning the hinge",
                "slug": "learning-the-hinge",
                "duration_minutes": 15,
                "summary": "Groove the hip hinge with a broom handle as your guide.",
                "instructions": (
                    "## Why the hinge\n\nBending from the hips lets your hamstrings and seat "
                    "do the work while your spine stays long. You'll use it every day.\n\n"
                    + HOW_TO_LOG
                ),
                "steps": [
                    _step("Dowel hip hinge", sets=3, reps=8, rest=45),
                    _step("Glute bridge", sets=3, reps=10, rest=45),
                    _step("Sit to stand", sets=3, reps=8, rest=60),
                ],
            },
            {
                "position": 3,
                "title": "Marching bridges",
                "slug": "marching-bridges",
                "duration_minutes": 15,
                "summary": "One leg at a time: the bridge gets harder, the hinge gets surer.",
                "instructions": (
                    "## Dose\n\nRest for the time given between sets. If the worst pain stays "
                    "at 3 or below, add one repetition next time.\n\n" + HOW_TO_LOG
                ),
                "steps": [
                    _step("Marching bridge", sets=3, reps=6, rest=45, side="each"),
                    _step("Dowel hip hinge", sets=3, reps=10, rest=45),
                    _step("Bird dog", sets=2, reps=6, rest=30, side="each"),
                ],
            },
            {
                "position": 4,
                "title": "Stretch through the hinge",
                "slug": "stretch-through-the-hinge",
                "duration_minutes": 18,
                "summary": "Hip thrusts and lunges for strength, and a hamstring stretch done "
                "with a flat back.",
                "instructions": (
                    "## The stretch\n\nYou stretch your hamstrings by hinging, never by "
                    "curling down towards your toes. Stop at the first gentle pull.\n\n"
                    + HOW_TO_LOG
                ),
                "steps": [
                    _step("Hip thrust", sets=3, reps=8, rest=60),
                    _step("Split squat", sets=2, reps=6, rest=60, side="each"),
                    _step("Hinge hamstring stretch", sets=3, seconds=20, rest=20),
                ],
            },
        ],
    },
    {
        "number": 2,
        "title": "Hinge and load",
        "slug": "hinge-and-load",
        "summary": (
            "Put weight in your hands: the hinge becomes a lift, the bridge a single leg, "
            "and the stretch goes a little deeper."
        ),
        "routines": [
            {
                "position": 1,
                "title": "The loaded hinge",
                "slug": "the-loaded-hinge",
                "duration_minutes": 20,
                "summary": "Lift a bag from the floor the way your hips were built to.",
                "instructions": (
                    "## Dose\n\nStart with a bag you could carry all day. Add a tin or two "
                    "a week while your sessions stay green or amber.\n\n" + HOW_TO_LOG
                ),
                "steps": [
                    _step("Bag deadlift", sets=3, reps=8, rest=90),
                    _step("Single-leg bridge", sets=3, reps=6, rest=60, side="each"),
                    _step("Goblet squat", sets=3, reps=8, rest=60),
                    _step("Hinge hamstring stretch", sets=3, seconds=30, rest=20),
                ],
            },
            {
                "position": 2,
                "title": "Steady trunk, strong legs",
                "slug": "steady-trunk-strong-legs",
                "duration_minutes": 20,
                "summary": "Lunges and side planks: each leg strong, the middle calm.",
                "instructions": (
                    "## Dose\n\nRest for about a minute between sets. Add a few seconds to "
                    "the holds when the worst pain stays at 3 or below.\n\n" + HOW_TO_LOG
                ),
                "steps": [
                    _step("Reverse lunge", sets=3, reps=8, rest=60, side="each"),
                    _step("Hip thrust", sets=3, reps=10, rest=60, notes="a bag across the hips"),
                    _step("Side plank from the knees", sets=3, seconds=20, rest=30, side="each"),
                ],
            },
        ],
    },
    {
        "number": 3,
        "title": "Strong for everyday life",
        "slug": "strong-for-everyday-life",
        "summary": (
            "Carrying shopping, climbing stairs, getting up from the floor: build the strength "
            "for the things your week asks of your back."
        ),
        "routines": [
            {
                "position": 1,
                "title": "Legs that carry you",
                "slug": "legs-that-carry-you",
                "duration_minutes": 25,
                "summary": "Step-ups and single-leg hinges, so your legs do the work your back "
                "used to.",
                "instructions": (
                    "## Dose\n\nPick a step height and a load that let you finish each set "
                    "with two or three repetitions in reserve.\n\n" + HOW_TO_LOG
                ),
                "steps": [
                    _step("Step-ups", sets=3, reps=10, rest=60, side="each"),
                    _step("Single-leg hinge", sets=3, reps=8, rest=60, side="each"),
                    _step("Goblet squat", sets=3, reps=10, rest=60),
                ],
            },
            {
                "position": 2,
                "title": "Lift and carry",
                "slug": "lift-and-carry",
                "duration_minutes": 25,
                "summary": "Put the hinge and the brace together with real loads: bags, boxes "
                "and shopping.",
                "instructions": (
                    "## Dose\n\nA heavier bag than in Phase Two. Lower it a little further "
                    "each week while your back stays flat.\n\n" + HOW_TO_LOG
                ),
                "steps": [
                    _step("Bag deadlift", sets=4, reps=8, rest=90),
                    _step("Suitcase carry", sets=4, seconds=30, rest=45, side="each"),
                    _step("Hinge hamstring stretch", sets=3, seconds=40, rest=20),
                ],
            },
        ],
    },
]


# --------------------------------------------------------------------------- loaders


@transaction.atomic
def program_load_demo() -> tuple[int, int]:
    """Create or update the demo phases, routines, exercises and steps. Safe to run again."""
    exercises = {}
    for data in EXERCISES:
        exercise, _ = Exercise.objects.update_or_create(
            name=data["name"],
            defaults={
                "slug": data["slug"],
                "purpose": data["purpose"],
                "instructions": "\n".join(data["instructions"]),
                "cues": "\n".join(data["cues"]),
                "mistakes": "\n".join(data["mistakes"]),
            },
        )
        exercises[data["name"]] = exercise
    for data in EXERCISES:  # variants point at each other: a second pass once all exist
        exercise = exercises[data["name"]]
        exercise.easier = exercises.get(data["easier"])
        exercise.harder = exercises.get(data["harder"])
        exercise.save(update_fields=["easier", "harder"])

    routines = 0
    for phase_data in PHASES:
        data = dict(phase_data)
        routine_rows = data.pop("routines")
        phase, _ = Phase.objects.update_or_create(number=data["number"], defaults=data)
        for routine_data in routine_rows:
            row = dict(routine_data)
            steps = row.pop("steps", [])
            routine, _ = Routine.objects.update_or_create(
                phase=phase, position=row["position"], defaults=row
            )
            for position, step in enumerate(steps, start=1):
                RoutineStep.objects.update_or_create(
                    routine=routine,
                    position=position,
                    defaults={
                        "exercise": exercises[step["exercise"]],
                        "sets": step.get("sets", 1),
                        "reps": step.get("reps"),
                        "seconds": step.get("seconds"),
                        "rest_seconds": step.get("rest_seconds", 0),
                        "side": step.get("side", ""),
                        "notes": step.get("notes", ""),
                    },
                )
            RoutineStep.objects.filter(routine=routine, position__gt=len(steps)).delete()
            routines += 1
    return len(PHASES), routines


# Bump when the drawings' look changes (colours, line widths): their file names come from
# each drawing's data and this, so every exercise then gets a new one.
DRAWING_VERSION = 1
DEMO_DRAWINGS_DIR = "exercises/demo"


def exercise_drawings_load_demo(*, tally: Counter) -> None:
    """Give each demo exercise its line drawing (demo_drawings.py) and the drawing's alt text.

    A drawing is a file named after what it is drawn from, made only if storage lacks it,
    so a second run draws nothing. An exercise whose picture staff uploaded keeps it.
    """
    storage = Exercise._meta.get_field("image").storage
    for exercise in Exercise.objects.filter(slug__in=DRAWINGS).order_by("slug"):
        if exercise.image and not exercise.image.name.startswith(f"{DEMO_DRAWINGS_DIR}/"):
            continue
        drawing = DRAWINGS[exercise.slug]
        fingerprint = hashlib.sha256(repr((DRAWING_VERSION, drawing)).encode()).hexdigest()[:8]
        name = f"{DEMO_DRAWINGS_DIR}/{exercise.slug}-{fingerprint}.png"
        if not storage.exists(name):
            name = storage.save(name, ContentFile(exercise_drawing_png(drawing)))
            tally["exercise drawings made"] += 1
        if exercise.image.name != name or exercise.image_alt != drawing.alt:
            Exercise.objects.filter(pk=exercise.pk).update(image=name, image_alt=drawing.alt)
            tally["exercises updated"] += 1


# The demo member's sessions: (days ago, routine position in Phase One, done, before,
# worst during, effort, next-morning pain, next-morning stiffness). None = no check-in yet.
DEMO_SESSIONS = [
    (13, 1, "yes", 4, 3, 3, "same", "same"),
    (11, 1, "yes", 3, 4, 4, "same", "better"),
    (9, 1, "yes", 3, 2, 4, "better", "same"),
    (6, 1, "yes", 2, 2, 4, "better", "better"),
    (4, 2, "yes", 3, 5, 5, "same", "same"),
    (2, 2, "partly", 4, 6, 6, "worse", "same"),
    (1, 2, "yes", 3, 3, 5, "same", "same"),
    (0, 2, "yes", 2, 3, 5, None, None),
]


@transaction.atomic
def program_load_demo_member(*, user, today: dt.date | None = None) -> int:
    """Give the demo member a started program with a fortnight of sessions. Safe to rerun.

    Runs only for a member with no sessions yet, so it never rewrites a real history
    (or the demo member's own clicks); returns how many sessions it created. The demo
    member agreed to us keeping their Program data when they started (with the privacy
    notice of the day: without one, they are asked on their next visit, like anyone).
    """
    if SessionLog.objects.filter(user=user).exists():
        return 0
    if PageVersion.objects.filter(page__kind=PageKind.PRIVACY).exists():
        services.program_consent_give(user=user)  # keeps a consent already given
    today = today or timezone.localdate()
    phase_one = Phase.objects.order_by("number").first()
    if phase_one is None:
        return 0
    by_position = {r.position: r for r in phase_one.routines.all()}
    start = today - dt.timedelta(days=DEMO_SESSIONS[0][0])
    started_at = timezone.make_aware(dt.datetime.combine(start, dt.time(8, 0)))
    progress, _ = MemberProgress.objects.get_or_create(user=user)
    if progress.started_at is None:
        progress.started_at = started_at
        progress.save(update_fields=["started_at"])
    Unlock.objects.get_or_create(
        user=user,
        routine=by_position[1],
        defaults={
            "method": UnlockMethod.START,
            "reason": "Started the Back In Shape Program.",
            "unlocked_at": started_at,
        },
    )
    Unlock.objects.get_or_create(
        user=user,
        routine=by_position[2],
        defaults={
            "method": UnlockMethod.RULE,
            "reason": "Unlock rule met (demo history).",
            "unlocked_at": started_at + dt.timedelta(days=8),
        },
    )
    created = 0
    for days_ago, position, done, before, worst, effort, pain, stiffness in DEMO_SESSIONS:
        session = SessionLog.objects.create(
            user=user,
            routine=by_position[position],
            date=today - dt.timedelta(days=days_ago),
            done=done,
            pain_before=before,
            worst_pain=worst,
            effort=effort,
        )
        created += 1
        if pain is not None:
            CheckIn.objects.create(session=session, pain=pain, stiffness=stiffness)
    return created
