"""Demo Program content for `seed_demo`: phases, routines and exercises written for this site.

Older routines are written as Markdown instructions; newer ones as ordered steps (exercise,
sets, reps or seconds) with a short Markdown note around them. Both render for members.
"""

EXERCISES = [
    {
        "name": "Pelvic tilts",
        "how_to": "On your back, knees bent. Gently flatten your lower back into the floor, "
        "then let it arch a little. Small, slow and easy.",
    },
    {
        "name": "Cat and camel",
        "how_to": "On hands and knees. Round your back up towards the ceiling, then let it "
        "dip softly. Move only as far as feels comfortable.",
    },
    {
        "name": "Brisk walk",
        "how_to": "At a pace where you can talk but not sing. Flat ground to begin with.",
    },
    {
        "name": "Bird dog",
        "how_to": "On hands and knees, reach one arm forward and the opposite leg back, keeping "
        "your hips level as if balancing a cup of tea on your lower back.",
    },
    {
        "name": "Side plank from the knees",
        "how_to": "On your side, propped on your forearm, knees bent. Lift your hips so your "
        "body makes a straight line from knees to head.",
    },
    {
        "name": "Bag deadlift",
        "how_to": "A shopping bag or rucksack between your feet. Hinge from the hips as you "
        "practised with the broom handle, grip the handles and stand tall.",
    },
    {
        "name": "Suitcase carry",
        "how_to": "A bag in one hand, walk tall without leaning towards it. Swap hands halfway.",
    },
    {
        "name": "Split squat",
        "how_to": "One foot forward, one back, holding a chair for balance if you like. Lower "
        "the back knee towards the floor, then push up through the front foot.",
    },
    {
        "name": "Step-ups",
        "how_to": "Onto the bottom stair, leading with one leg for the set, then the other. "
        "Hold the banister.",
    },
]

PHASES = [
    {
        "number": 1,
        "title": "Calm and control",
        "slug": "calm-and-control",
        "summary": (
            "Settle a sensitive back with easy positions and breathing, then start to feel "
            "your trunk and hips working together again."
        ),
        "routines": [
            {
                "position": 1,
                "title": "Easy positions and breathing",
                "slug": "easy-positions",
                "duration_minutes": 10,
                "summary": "Find two or three positions that ease your back, and breathe.",
                "instructions": (
                    "## Before you start\n\nPick a quiet spot and a mat or carpet. Nothing here "
                    "should push your pain above 3 out of 10.\n\n"
                    "## The routine\n\n"
                    "1. **Crook lying, 2 minutes.** Lie on your back, knees bent, feet flat. "
                    "Let your back sink into the floor.\n"
                    "2. **Belly breathing, 10 breaths.** One hand on your chest, one on your "
                    "belly. Breathe so the lower hand rises first.\n"
                    "3. **Knee rocks, 10 each side.** Let both knees drift a little to one "
                    "side, then the other, only as far as feels easy.\n"
                    "4. **Child's pose or side lying, 1 minute.** Whichever feels kinder today.\n\n"
                    "## How to log it\n\nNote your pain before you begin and the worst it got "
                    "during. Tomorrow morning, check in: better, the same or worse than usual?"
                ),
            },
            {
                "position": 2,
                "title": "Waking up the hips",
                "slug": "waking-up-the-hips",
                "duration_minutes": 12,
                "summary": "Gentle glute and hip work that takes load off a grumpy lower back.",
                "instructions": (
                    "## The routine\n\n"
                    "1. **Glute squeezes, 3 × 10.** Lying on your back, squeeze your buttocks "
                    "for three seconds, then let go fully.\n"
                    "2. **Short bridges, 3 × 8.** Lift your hips a hand's width, pause, lower "
                    "slowly. Keep the movement small and smooth.\n"
                    "3. **Clams, 2 × 10 each side.** On your side with knees bent, open the top "
                    "knee like a book without rolling back.\n\n"
                    "## Dose\n\nIf the worst pain during stays at 3 or below, that's a green "
                    "session. Four to five is fine if it settles by the next morning."
                ),
            },
            {
                "position": 3,
                "title": "Moving with confidence",
                "slug": "moving-with-confidence",
                "duration_minutes": 15,
                "summary": "Gentle spine movement and a short walk, to show your back it's safe "
                "to move.",
                "instructions": (
                    "## Before you start\n\nWarm up with a minute of easy marching on the "
                    "spot. Move within comfort: a little stiffness at the start is normal.\n\n"
                    "## After the walk\n\nNotice how your back feels compared with before. "
                    "Many people find it looser."
                ),
                "steps": [
                    {"exercise": "Pelvic tilts", "sets": 2, "reps": 10},
                    {"exercise": "Cat and camel", "sets": 2, "reps": 8},
                    {"exercise": "Brisk walk", "seconds": 600, "notes": "on the flat"},
                ],
            },
        ],
    },
    {
        "number": 2,
        "title": "Hinge and brace",
        "slug": "hinge-and-brace",
        "summary": (
            "Learn to bend from the hips with a steady spine, so picking things up stops "
            "feeling like a gamble."
        ),
        "routines": [
            {
                "position": 1,
                "title": "The dowel hinge",
                "slug": "dowel-hinge",
                "duration_minutes": 15,
                "summary": "Groove the hip hinge with a broom handle along your back as a guide.",
                "instructions": (
                    "## Set-up\n\nHold a broom handle along your spine so it touches the back "
                    "of your head, between your shoulder blades and your tailbone.\n\n"
                    "## The routine\n\n"
                    "1. **Hinge to the wall, 3 × 8.** Stand a foot from a wall, push your hips "
                    "back until they touch it, keeping all three contact points.\n"
                    "2. **Free hinge, 3 × 8.** Step further away and hinge to a comfortable "
                    "depth. Knees soft, shins upright.\n"
                    "3. **Brace and breathe, 5 breaths.** Tighten around your middle as if "
                    "about to be nudged, and keep breathing.\n"
                ),
            },
            {
                "position": 2,
                "title": "Steady trunk, moving limbs",
                "slug": "steady-trunk",
                "duration_minutes": 15,
                "summary": "Keep your middle calm while your arms and legs move: the base for "
                "lifting and carrying.",
                "instructions": (
                    "## Dose\n\nRest for about a minute between sets. If your worst pain "
                    "stays at 3 or below, add a few seconds to the holds next time."
                ),
                "steps": [
                    {"exercise": "Bird dog", "sets": 3, "reps": 6, "notes": "each side"},
                    {
                        "exercise": "Side plank from the knees",
                        "sets": 3,
                        "seconds": 20,
                        "notes": "each side",
                    },
                    {"exercise": "Bag deadlift", "sets": 3, "reps": 8},
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
                "duration_minutes": 20,
                "summary": "Split squats and step-ups, so your legs do the work your back used to.",
                "instructions": (
                    "## Dose\n\nPick a step height and hold that lets you finish each set "
                    "with two or three repetitions in reserve."
                ),
                "steps": [
                    {"exercise": "Split squat", "sets": 3, "reps": 8, "notes": "each leg"},
                    {"exercise": "Step-ups", "sets": 3, "reps": 10, "notes": "each leg"},
                    {"exercise": "Bird dog", "sets": 2, "reps": 8, "notes": "each side"},
                ],
            },
            {
                "position": 2,
                "title": "Lift and carry",
                "slug": "lift-and-carry",
                "duration_minutes": 20,
                "summary": "Put the hinge and the brace together with real loads: bags, boxes "
                "and shopping.",
                "instructions": (
                    "## Dose\n\nStart with a bag you could carry all day. Add a tin or two "
                    "a week while your sessions stay green or amber."
                ),
                "steps": [
                    {"exercise": "Bag deadlift", "sets": 3, "reps": 10},
                    {
                        "exercise": "Suitcase carry",
                        "sets": 4,
                        "seconds": 30,
                        "notes": "swap hands each set",
                    },
                    {
                        "exercise": "Side plank from the knees",
                        "sets": 2,
                        "seconds": 30,
                        "notes": "each side",
                    },
                ],
            },
        ],
    },
]
