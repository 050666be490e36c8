"""Demo Program content for `seed_demo`: phases and routines written for this site."""

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
        ],
    },
]
