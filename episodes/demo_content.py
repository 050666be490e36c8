"""The demo site's content, as data: plans, demo logins, topics, episodes and comments.

`python manage.py seed_demo` loads it. The articles are written for the demo and are
education, not medical advice; each says when to see a clinician, as every real one must.
"""

# --------------------------------------------------------------------------- plans

PLANS = [
    {
        "stripe_price_id": "price_demo_monthly",
        "name": "Monthly",
        "amount": 900,
        "currency": "gbp",
        "interval": "month",
        "description": (
            "The whole Back In Shape Program and every deep-dive in full. Cancel any time."
        ),
        "position": 0,
        "active": True,
    },
    {
        "stripe_price_id": "price_demo_yearly",
        "name": "Yearly",
        "amount": 9000,
        "currency": "gbp",
        "interval": "year",
        "description": "Everything in Monthly, with two months free.",
        "position": 1,
        "active": True,
    },
]

# --------------------------------------------------------------------------- demo logins

DEMO_LOGINS = [
    {
        "email": "staff@example.com",
        "display_name": "Sam at Back In Shape",
        "role": "staff",
        "role_text": "staff: /admin/, previews, comment moderation",
    },
    {
        "email": "member@example.com",
        "display_name": "Maya",
        "role": "member",
        "role_text": "premium member: full articles and the Program",
    },
    {
        "email": "free@example.com",
        "display_name": "Fred",
        "role": "free",
        "role_text": "free account: articles and comments, no premium",
    },
]

# --------------------------------------------------------------------------- topics

TOPICS = [
    {
        "slug": "understanding-back-pain",
        "name": "Understanding back pain",
        "description": (
            "What is actually going on when your back hurts: pain, sensitivity, scans and "
            "why hurt does not always mean harm."
        ),
    },
    {
        "slug": "sciatica-and-nerve-pain",
        "name": "Sciatica and nerve pain",
        "description": (
            "Leg pain, pins and needles and numbness from an irritated nerve root: how it "
            "behaves, what helps it settle and when to get it checked."
        ),
    },
    {
        "slug": "discs",
        "name": "Discs",
        "description": (
            "Bulges, protrusions and herniations explained in plain English, and how to "
            "load a sore disc back to health."
        ),
    },
    {
        "slug": "strength-and-exercise",
        "name": "Strength and exercise",
        "description": (
            "Building a back that copes: strength training, dosing, progressing and the "
            "exercises that earn their place."
        ),
    },
    {
        "slug": "everyday-movement",
        "name": "Everyday movement",
        "description": (
            "Sitting, bending, lifting and walking: the ordinary things your back does all "
            "day, and how to make them easier."
        ),
    },
    {
        "slug": "hips-and-hamstrings",
        "name": "Hips and hamstrings",
        "description": (
            "The big muscles below your back: why they feel tight, how they share the load "
            "and how to train them."
        ),
    },
    {
        "slug": "flare-ups",
        "name": "Flare-ups",
        "description": (
            "Setbacks happen. How to calm a flare-up, what to do in the first few days and "
            "how to get back to your routine."
        ),
    },
]

# --------------------------------------------------------------------------- episodes
#
# weeks_from_next_release: 0 is next Sunday's release, -1 last Sunday's, and so on.
# Audio sizes match a 128 kbit/s MP3 of the given length (16,000 bytes a second).

HAMSTRINGS = """
## Why the hamstrings get the blame

Ask a room of people with a sore back to touch their toes and most of them will stop
somewhere around the knee, grimacing. It is no surprise the hamstrings, the three muscles
on the back of your thigh, have become a favourite suspect. Most of them attach to the
pelvis at your sitting bones, so it seems obvious that a tight pull from below must drag on the back
above.

The trouble is that "tight" is a feeling, not a measurement. A muscle can feel tight
because it is short, but it can also feel tight because it is tired, guarded, weak at the
end of its range, or because something next to it is sensitive. Before you spend another
year pulling on your hamstrings every morning, it helps to know which of these is likely
to be going on.

## Three reasons your hamstrings feel tight

### They are protecting you

When your back is irritated, your nervous system often raises the tension in the muscles
around it. Think of it as a guard on duty. The hamstrings can join in, limiting how far
you bend forward. That is a sensible short-term response and it usually eases as the back
settles. Forcing past it with hard stretching tends to make the guard more alert, not
less.

### The nerve is sensitive, not the muscle

The sciatic nerve runs down the back of the thigh, right beside the hamstrings. If a nerve
root in your lower back is irritated, the whole nerve can object to being lengthened, and
that sensation is very easy to mistake for a tight muscle. A useful clue: nerve-related
"tightness" often changes when you move a part of the body the hamstrings do not cross,
such as dropping your chin to your chest or pulling your toes towards you.

### They simply are not used to working there

Muscles adapt to what you ask of them. If your hamstrings rarely work hard, and almost
never through a long range, they lose some of their tolerance for that position. The
feeling of tightness is often the body saying "I don't know this place", not "I am too
short".

## Does stretching them fix the back?

Studies that compare hamstring flexibility with back pain give mixed results. Some people
with very flexible hamstrings have persistent back pain, and plenty of people who cannot
reach past their shins never have a day of it. Research on stretching also suggests that
most of the extra range people gain in the first few weeks comes from a change in how
much stretch they can tolerate, rather than from the muscle becoming longer.

None of that makes stretching bad. If a gentle stretch feels good, keep it. But if your
"tight hamstrings" are really a sensitive nerve, long hard stretches can stir it up, and
if they are guarding an irritable back, they will simply tighten again by lunchtime.

> Tightness is often a message rather than a fault. Ask what it is protecting before you
> try to pull it away.

## Load them instead

What tends to help more is giving the hamstrings real work to do, gradually, through a
range you can manage. Strong muscles are more tolerant of length, and a hamstring that
trusts its own strength has less reason to guard.

- **Bridges.** Lying on your back with knees bent, press through your heels and lift your
  hips. Walk your feet a little further away as it gets easier.
- **Hip hinges.** Push your hips back with soft knees and a long spine, then stand tall
  again. Add a weight when the pattern feels natural.
- **Heel slides.** From the bridge position, slowly slide one heel away and back, keeping
  the hips lifted. This works the hamstrings as they lengthen.

Start with two or three sessions a week, two or three sets of eight to twelve, stopping
each set with a couple of repetitions still in the tank. Some discomfort is fine. As a
rough guide, pain up to about 3 or 4 out of 10 during the exercise is acceptable if it
settles by the next morning.

## When to get it checked

Most hamstring tightness alongside back pain is nothing sinister. See a physiotherapist or
your GP if the tightness comes with pain, tingling or numbness spreading below the knee,
or if your foot or calf feels weak. If you notice numbness around your genitals or back
passage, new difficulty passing urine or controlling your bladder or bowels, or weakness
in both legs, treat it as an emergency and go to A&E straight away.
"""

HIP_HINGE = """
## Bending is not the enemy

After a bad back, bending forward can feel like walking onto thin ice. Many people are
told to "always bend your knees" or "never round your back", and they end up stiff,
braced and wary of every sock and shoelace. The intention is kind, but the evidence
behind the rule is thin. A systematic review published in 2020 did not find evidence that
rounding the lower back while lifting is a risk factor for back pain.

Your spine is built to bend. So why learn the hip hinge at all? Because it is a useful
*option*. It shares the work of bending between your hips, thighs and back, it lets you
lift heavier things comfortably, and, while your back is sensitive, it gives you a way to
bend that does not poke the sore spot. Think of it as a skill to add, not a rule to obey.

## What a hinge actually is

In a hinge, most of the bending happens at the hips. Your hips travel backwards, your
knees soften a little, and your trunk tilts forwards as one long piece. Your weight stays
over the middle of your feet. You will feel the backs of your thighs lengthen and your
buttocks switch on as you come back up.

A squat is different: the knees bend much more and the hips go down rather than back.
Both are good movements, and everyday life mixes the two.

### The broom handle drill

1. Hold a broom handle or dowel behind you so it touches the back of your head, the
   space between your shoulder blades and your tailbone.
2. Soften your knees.
3. Push your hips back as if closing a car door with your bottom, letting your chest
   tilt forwards.
4. Keep all three points of contact. Go only as far as you can without losing one.
5. Drive your hips forwards to stand tall.

Five slow repetitions are plenty to start. You are teaching the movement, not exercising.

### The wall tap

Stand with your heels about a foot from a wall, facing away. Hinge until your bottom
lightly touches the wall, then stand up. As it gets easy, shuffle forward a little so you
have to reach further back.

## Common snags

- **Turning it into a squat.** If your knees shoot forwards and your hips drop, think
  "hips back" rather than "hips down".
- **Locking the knees.** Straight, locked knees put more of the stretch on your
  hamstrings and nerve. Keep a gentle bend.
- **Holding your breath.** Breathe out as you come up. Bracing is useful for heavy lifts,
  not for picking up a pen.
- **Craning your neck.** Keep your gaze a metre or two ahead on the floor, so your neck
  stays in line.

## From drill to daily life

Once the pattern feels natural, start using it on purpose: loading the dishwasher,
lifting a bag of shopping from the car boot, brushing your teeth over the sink. For
something light on the floor, try the golfer's lift: hinge on one leg and let the other
float out behind you as a counterbalance.

## Building load

A hinge becomes a strength exercise when you add weight. A sensible path:

1. Broom handle drill, two sets of eight.
2. Kettlebell or heavy bag deadlift from a raised surface, such as a step or a couple of
   yoga blocks, three sets of eight.
3. The same lift from the floor.
4. Romanian deadlift: lowering a weight from standing to mid-shin, keeping the hips
   high.

Move on when the current step feels steady and your back is quiet the next day. Adding a
little at a time, week by week, is how tissues and confidence both grow.

## When bending hurts

Some discomfort while you relearn bending is normal, and it should ease as you practise.
Pain up to about 3 or 4 out of 10 that has settled by the next morning is generally fine.
If bending sends pain, pins and needles or numbness down your leg, or your back is worse
each morning after practising, pause the progression and have a physiotherapist take a
look. They can usually find a version of the hinge that suits you.
"""

SCIATICA = """
## What sciatica is, and what it is not

Sciatica is a description of a symptom rather than a diagnosis. It means pain travelling
down the leg from an irritated nerve root in the lower back. The sciatic nerve is the
largest in the body, formed from several roots that leave the spine low in the back and
join up in the pelvis before running through the buttock and down the back of the thigh.

In younger and middle-aged adults the most common cause is a disc herniation: some of the
soft centre of a disc pushes out and sits next to a nerve root. It is not only pressure
that matters. Disc material is chemically irritating to nerves, and inflammation around
the root can be as important as how much space it has. In older adults, narrowing of the
spaces the nerves pass through is a more frequent cause.

Plenty of leg pain that starts in the back is *not* sciatica. Sore joints and muscles in
the lower back often refer a dull ache into the buttock and thigh. That kind of pain is
usually vaguer and rarely goes below the knee.

## What it feels like

People describe nerve root pain in many ways, but some features come up again and again:

- burning, shooting or electric pain, often worse in the leg than in the back
- pain that travels below the knee, sometimes to the foot
- pins and needles or patches of numbness
- pain that is provoked by sitting, coughing or sneezing
- a leg that feels heavy, or a foot that catches on the ground

## The usual course

This is the part people most need to hear: sciatica usually improves. Many people are
much better within six to twelve weeks, and a large share of disc herniations shrink
over time as the body clears the material away. It can be very painful while it lasts,
and recovery is rarely a straight line, but the overall direction is encouraging.

In the UK, NICE guidance does not recommend routine scans for sciatica. An MRI is useful
when the result would change what happens next, for example when surgery or an injection
is being considered, or when something more serious needs ruling out.

## What helps

### Keep moving, little and often

Bed rest does not speed recovery. Short walks, spread through the day, tend to help more
than one long one. If sitting is the worst position, break it up every 20 to 30 minutes.

### Find your easing positions

Most people with sciatica find one or two positions that quieten the leg. Common ones are
lying on your back with your calves resting on a chair, lying on your side with a pillow
between your knees, or lying face down propped on your elbows. Use them to get on top of
the pain, then move again.

### Nerve-friendly exercise

Irritated nerves dislike being stretched hard but generally like gentle movement. A
"slider" moves the nerve without putting it under much tension: sitting upright, you
straighten one knee while looking up, then bend it while looking down, smoothly, for ten
repetitions. It should feel easy. If it increases the leg pain, leave it for now.

### Pain relief

Talk to your GP or pharmacist about what is suitable for you. NICE now advises against
several medicines that used to be given routinely for sciatica, so it is worth asking
rather than assuming that something stronger will work better.

## A good sign to watch for

As nerve pain settles it often retreats: from the foot to the calf, from the calf to the
thigh, from the thigh to the buttock. Clinicians call this centralisation. It can happen
even while back pain stays the same or briefly increases, and it generally means things
are moving in the right direction.

## When not to wait

> Go to A&E straight away if you have numbness around your genitals or back passage, new
> trouble passing urine or controlling your bladder or bowels, changes in sexual
> function, or weakness in both legs. These can be signs of cauda equina syndrome, which
> needs emergency care.

See your GP or a physiotherapist soon if your leg or foot is getting weaker, numbness is
spreading, pain is severe and not easing after a few weeks, or you feel generally unwell
with it, for example with a fever or unexplained weight loss.
"""

SITTING = """
## The myth of perfect posture

Most of us were told as children to sit up straight, and most of us still feel a pang of
guilt when we catch ourselves slumped on the sofa. It is a surprise, then, that research
has struggled to show that any particular sitting posture causes back pain. Reviews of
people who sit for work have not found sitting on its own to be a clear cause, and people
with back pain do not share one "bad" posture that everyone else avoids.

Some clinicians now go further and point out that many people with back pain already sit
stiffly and carefully, as if they are guarding. Being told their posture is dangerous can
make them stiffer still.

None of this means sitting all day is good for you. It means the shape you sit in
matters much less than how long you stay in it.

## Why long sitting still aches

Your body likes variety. Muscles that hold the same position for an hour get tired and
achy, and the tissues of the spine, discs included, seem to do best with regular changes
of load. A position that is perfectly comfortable for ten minutes can become a nag after
ninety. That is not damage; it is a prompt to move.

People with disc-related pain often notice sitting is the worst part of their day, and
getting up after a long drive can be slow and stiff. Again, this is sensitivity, not
harm, and it usually responds well to shorter bouts and more movement.

## Your next posture is your best posture

The most useful posture advice is simply to change position often. Slouch for a while,
sit tall for a while, lean back, perch forward, stand up. No one position needs to be
held.

### Micro-breaks

Every 20 to 30 minutes, stand up for a minute. Walk to refill a glass of water, take a
phone call on your feet, or do a few hip hinges or gentle back bends. Small breaks spread
through the day seem to help more than one long break at lunch.

### Set up your desk to make moving easy

- Put your screen roughly at eye level, so you are not craning to see it.
- Have your chair high enough that your hips are level with or slightly above your knees.
- Keep the things you use most within easy reach, and the things you use least a few
  steps away.
- A small cushion or rolled towel behind your lower back can be comfortable, but use it
  because it feels good, not because it is required.

### In the car

Long drives are a common trigger. Adjust the seat so you can reach the pedals without
stretching, use the lumbar support if it helps, and stop every hour or so for a short walk
around the car park.

## Standing desks: useful, not magic

A standing desk is a tool for variety, not a cure. Standing all day brings its own aches
in the back, hips and feet. If you have one, switch between sitting and standing through
the day rather than swapping one fixed position for another.

## Build a body that is comfortable anywhere

The longer-term answer is capacity. Stronger hips, legs and trunk tolerate a long meeting
or a drive to the coast better, and regular walking keeps the whole system moving.
Sitting becomes much less of a problem when it is not the only thing your back does all
day.

## When sitting is the main trigger

If sitting quickly brings on pain, pins and needles or numbness in your leg, or it is
getting worse rather than better over several weeks, it is worth seeing a physiotherapist
or your GP. They can check whether a nerve is involved and help you plan how much sitting
you can manage while it settles.
"""

DISCS = """
## Anatomy in a minute

Between each pair of vertebrae sits a disc: a tough, layered outer ring around a softer,
gel-like centre. Discs act as spacers and shock absorbers, and they let the spine bend
and twist. They are not loose. A disc is firmly bonded to the bone above and below, which
is why the old phrase "slipped disc" is so misleading. Discs do not slip out of place.

What can happen is that some of the centre pushes outwards through weakened layers of the
ring. Depending on how far it goes, the report will use different words.

## Reading your scan report

- **Disc bulge:** the disc extends a little beyond the bone edges all the way round. Very
  common, especially with age.
- **Protrusion:** a more local bulge, where the base is wider than the part sticking out.
- **Extrusion:** disc material has pushed further out, narrower at the base than at the
  tip.
- **Sequestration:** a piece has separated from the disc altogether.

Reports also mention "degeneration", "desiccation" or "loss of disc height". These sound
worrying but describe the normal ageing of discs, much as grey hair describes the normal
ageing of hair.

## Findings are common in people without pain

A large review of scans from people with *no* back pain at all found disc bulges in about
a third of 20-year-olds and in more than four in five 80-year-olds. Signs of disc
degeneration were even more common. So a finding on your scan may be the reason for your
pain, or it may have been there for years without causing trouble. A clinician links the
two by matching the scan to your symptoms and examination, never by the scan alone.

## Discs heal

This is the most encouraging fact about herniations: many of them shrink. Studies that
re-scan people months later find that a large share, roughly two in three in one
analysis, have regressed on their own. Surprisingly, the bigger extrusions and
sequestrations tend to shrink the most, probably because the immune system can reach
the material once it is outside the disc and clear it away.

Pain often settles well before the scan looks any different, because much of it comes
from irritation and sensitivity rather than from the size of the bulge.

## What helps in the first weeks

- **Stay gently active.** Short walks are usually well tolerated and help more than rest.
- **Break up sitting.** Disc pain often dislikes long sits, so stand up every 20 to 30
  minutes.
- **Use easing positions.** Lying on your front propped on your elbows, or on your back
  with your calves on a chair, calms things for many people.
- **Start loading early.** Simple strength work, well within your comfort, keeps the
  back and hips capable while the disc settles.
- **Ask about pain relief.** Your GP or pharmacist can advise on what suits you.

## When surgery comes up

Most people with a disc herniation never need an operation. Surgery is considered when
severe leg pain persists despite several weeks of good non-surgical care, or when nerve
weakness is getting worse. Studies comparing early surgery with continued conservative
care find surgery tends to relieve leg pain faster, but by around a year the outcomes
are often similar. It is a choice worth making with a specialist, with time to think.

> Go to A&E straight away if you notice numbness around your genitals or back passage,
> new trouble with your bladder or bowels, or weakness in both legs.

<!-- members-only -->

## Your disc recovery routine, step by step

This routine takes you from "everything is irritable" to lifting again, over roughly six
weeks. The timings are a guide, not a deadline: move on when the current stage feels easy
and your back and leg are no worse the next morning.

**Before you start.** Use the 0 to 10 pain scale. During an exercise, pain up to 3 out of
10 is fine and up to 5 is acceptable, as long as it settles by the next morning. If the
leg pain spreads further down the leg during an exercise, stop that exercise and try it
again in a few days.

### Stage one: settle (weeks 1 and 2)

1. **Walking.** Ten minutes, two or three times a day, on flat ground. Count minutes,
   not miles.
2. **Prone press.** Lie on your front for two minutes, then prop up on your elbows for
   another two. If it eases your leg, add ten slow press-ups with your hips staying on
   the floor.
3. **Knee rocks.** On your back with knees bent, let them sway gently side to side for
   one minute.
4. **Breathing reset.** Lie on your back, one hand on your belly, and take ten slow
   breaths that move your hand. Use it whenever you notice yourself bracing.

### Stage two: build (weeks 3 and 4)

Three times a week, with walking continuing on the other days:

1. **Glute bridge:** three sets of ten, pausing for two seconds at the top.
2. **Bird dog:** three sets of six each side, moving slowly and keeping the hips level.
3. **Side plank from the knees:** three holds of 20 seconds each side.
4. **Sit to stand:** three sets of eight from a firm chair, without using your hands.

### Stage three: load (weeks 5 and 6)

Three times a week:

1. **Hip hinge** with a broom handle, one set of eight to warm up.
2. **Kettlebell deadlift** from a raised block, three sets of eight. Start light; the aim
   is smooth, confident lifting.
3. **Suitcase carry:** hold a weight in one hand and walk 30 metres, three times each side.
4. **Split squat:** three sets of six each leg, holding a chair for balance if needed.

### Your week at a glance

| Day | Stage one | Stage two and three |
| --- | --- | --- |
| Monday | Walks and settling moves | Strength session |
| Tuesday | Walks and settling moves | Walk, 20 minutes |
| Wednesday | Walks and settling moves | Strength session |
| Thursday | Walks and settling moves | Walk, 20 minutes |
| Friday | Walks and settling moves | Strength session |
| Weekend | Rest or a gentle walk | A longer walk you enjoy |

### If it flares

Drop back to the previous stage for a few days, keep walking, and use your easing
positions. A flare is information, not failure. Stop the routine and contact your GP or
physiotherapist if your leg becomes weaker, numbness spreads, or the pain keeps climbing
over several days despite easing off.
"""

STRENGTH = """
## Why we reach for stretches

When something feels tight, stretching it seems like common sense. Stretching is also
easy, needs no kit, and often feels lovely while you are doing it. So it is no wonder
many people with back pain spend years on a daily routine of hamstring, hip flexor and
lower back stretches, waiting for the day the pain finally lets go.

For some, that day comes. For many more, the stretches bring a short spell of relief and
then the same stiffness returns. To see why, it helps to look at what stretching and
strength training each actually change.

## What stretching changes

Research on stretching suggests that much of the extra range people gain over the first
few weeks comes from an increased *tolerance* of the stretch: the nervous system becomes
more relaxed about the position, so you can go further before it tells you to stop. The
muscle itself changes far less than the feeling suggests.

That is not nothing. Feeling less restricted is worth having. But a back that copes with
gardening, lifting a toddler or a long drive needs more than range. It needs capacity.

## What strength changes

Strength training asks your tissues to handle a little more than they are used to, then
gives them time to adapt. Over weeks and months, muscles get stronger, tendons and other
connective tissues become more robust, and, just as importantly, you learn that your back
can take load without coming to harm.

Large reviews of exercise for long-term back pain find that exercise therapy reduces pain
and improves function compared with no treatment. No single type clearly wins. The best
programme is one that is challenging enough to drive change and that you will actually
keep doing.

> Pain tends to appear when what you ask of your back outstrips what it is currently
> ready for. You can ask less, or you can build more. Strength training does the second.

## A starter strength menu

You do not need a gym. Pick one exercise from each group and do them two or three times a
week.

### Push the floor away

Sit to stand from a chair, progressing to a squat holding a weight at your chest.

### Hinge

The hip hinge with a broom handle, then deadlifts with a kettlebell or a heavy bag.

### Carry

Walk 20 to 30 metres holding a shopping bag or weight in one hand. Carries quietly train
the side of your trunk without you having to think about it.

### Hold

A side plank from the knees or a bird dog. Both teach the trunk to stay steady while the
arms and legs move.

### Pull

A row with a resistance band tied to a door handle, or with a weight while leaning on a
bench.

## How hard, and how often

- **Sets and reps.** Two or three sets of eight to twelve.
- **Effort.** Finish each set feeling you could have done two or three more. On a 1 to 10
  effort scale, aim for 6 to 8.
- **Progress.** When the last set feels easy, add one or two repetitions or a little
  weight. Small steps, every week or two.
- **Pain.** Pain up to about 5 out of 10 during an exercise is acceptable if it has
  settled by the next morning. If it has not, reduce the load next time rather than
  stopping altogether.

Expect it to take six to twelve weeks before you notice a real difference. Strength is
built slowly, and so is confidence.

## Keep the stretches you like

This is not a case against stretching. If a stretch helps you feel looser before a
session or calmer at the end of the day, keep it. Just do not let it take the place of
the strength work that will, over time, make the bigger difference.

If you are unsure where to start, have a flare-up that does not settle, or have pain
spreading down your leg, a physiotherapist can set you a programme matched to your back.
"""

FLARE_UP = """
## A flare-up is not a failure

Back pain often comes and goes, and a flare-up after a good spell is very common. It can
feel like you are back at square one, but you rarely are. Flare-ups usually reflect a
sensitive system reacting to a busy week, poor sleep, stress, a new activity or nothing
obvious at all. Pain that spikes suddenly does not mean something has been damaged.

The best time to plan for a flare-up is on a calm day. Read this now, write down your own
plan at the end, and keep it somewhere you will find it.

## First: check for the serious stuff

Almost all flare-ups are simply painful. A few signs mean you need help quickly.

> Go to A&E or call 999 if you have numbness around your genitals or back passage, new
> trouble passing urine or controlling your bladder or bowels, or weakness in both legs.
> Contact your GP or NHS 111 the same day if your back pain comes with a fever, you feel
> generally unwell, you have had a recent fall or injury, or you have a history of cancer.

## Hours 0 to 24: calm it down

### Find an easing position

Spend a few minutes finding a position that takes the edge off. Common favourites:

- lying on your back with your calves resting on a chair or sofa
- lying on your side with a pillow between your knees
- standing and leaning your forearms on a kitchen worktop
- slow, short walks around the house

Use the position to get the pain down, then get moving again. The aim is relief, not
rest for the whole day.

### Heat

A hot water bottle or heat pack on the lower back can ease muscle guarding and is backed
by modest evidence in the first days of an episode. Wrap it in a towel and check your
skin regularly.

### Pain relief

Ask a pharmacist or your GP what is suitable for you, especially if you take other
medicines or have other health conditions.

### Breathe

When pain spikes, most of us hold our breath and brace. Lie down, put a hand on your
belly, and take ten slow breaths that move your hand. It sounds too simple to matter,
but it often eases the guarding around a sore back.

## Days 2 and 3: move little and often

Staying active helps a flare-up settle faster than bed rest. Every hour or so, get up
and move: a walk to the end of the road, a few gentle knee rocks on your back, some easy
hip hinges. Keep each bout short and comfortable, and build up as the days go on.

Carry on with work and normal life as far as you can, adapting rather than stopping. A
few days of reduced activity is fine. A few weeks on the sofa usually makes things worse.

## Getting back to your routine

If you follow an exercise routine, drop back to an easier level rather than abandoning
it. Halve the sets or the weight for a few sessions, and build back up over a week or
two. Use the morning-after test: if your back is no worse the next day, you can keep
going or add a little.

## Write your own flare-up plan

On a calm day, jot down:

1. My two best easing positions.
2. Three movements I can always manage, even on a bad day.
3. What I will change at work or at home for a few days.
4. The pain relief that suits me, agreed with my GP or pharmacist.
5. Who I will call if it is not settling.

## When it is not settling

Most flare-ups ease noticeably within days and settle within a few weeks. Book an
appointment with your GP or a physiotherapist if it is not starting to improve after a
couple of weeks, if pain spreads down your leg, or if flare-ups are coming more often.
That is not a sign you have failed. It is a sign your plan needs a tweak, and a clinician
can help you make it.
"""

WALKING = """
## A trial worth knowing about

Walking has always been good advice for backs, but until recently the evidence was more
common sense than hard data. That changed in 2024, when a large trial published in The
Lancet followed adults in Australia who had recently recovered from an episode of low
back pain. Half were given a personalised, gradually increasing walking programme with
some education sessions from a physiotherapist; the other half were given no treatment.

The walking group went close to twice as long, on average, before their next episode of
activity-limiting back pain, and lost less time at work to it. It did not stop every
recurrence, and no single approach does. But for something that needs no equipment and
costs nothing, that is a striking result.

## Why walking suits backs

- **It is gentle, rhythmic load.** Your spine, hips and legs all move, without any
  single part working very hard.
- **It builds capacity slowly.** Walking a little further each week is a simple way to
  raise what your body can handle.
- **It helps the rest of you.** Sleep, mood and stress all affect pain, and walking
  tends to help all three.
- **It fits into life.** You can walk to the shops, on a phone call or with a friend.

## Starting from where you are

### If walking hurts now

Start with what you can do comfortably, even if that is five minutes. Several short walks
in a day are better than one long one that leaves you sore. Flat ground is easier than
hills, and good, cushioned shoes help. Count minutes, not miles.

### Building up

Add a few minutes a week. The trial built people up gradually, over weeks and months,
towards around half an hour, five times a week. You do not need to get there quickly, or at
all, to benefit. Use the morning-after test: if your back is no worse the next day, you
can keep going or add a little.

### A brisker pace

Once longer walks are comfortable, try picking up the pace for a few minutes at a time.
You should be breathing harder but still able to talk.

## Walking through a flare-up

A flare-up is not a reason to stop walking altogether. Shorten the walks rather than
cancelling them: three walks of five minutes around the house or garden are often easier
on a sore back than an hour on the sofa. Walk at a relaxed pace, let your arms swing, and
use your easing positions in between. As things settle, build back up to your usual
distance over a week or two.

## What about hills, running and poles?

Once flat walks are comfortable, gentle hills add a little more work for your hips and
legs. Walking poles suit some people, especially on uneven ground. Running is fine for
many backs too, but it is a bigger step up: build a solid walking habit first and add
short jogging intervals gradually if you want to.

## Make it stick

1. Anchor it to something you already do: after breakfast, after the school run.
2. Walk with someone. It is harder to skip a walk when a friend is waiting.
3. Have a bad-weather plan: a shopping centre, a museum, or walking the stairs at home.
4. Keep a simple log. Ticking off days is surprisingly motivating.

## When to mention it to a clinician

Walking should feel broadly good for your back. See your GP or a physiotherapist if your
back pain is steadily getting worse despite walking, or if walking brings on pain, heavy
legs or cramping in your buttocks, thighs or calves that eases when you sit down or lean
forwards. That pattern is worth checking out, as it can come from a narrowing of the
spinal canal or from the circulation in your legs.
"""

EPISODES = [
    {
        "number": 1,
        "slug": "tight-hamstrings-and-low-back-pain",
        "title": "Tight hamstrings and low back pain: cause or consequence?",
        "standfirst": (
            "Nearly everyone with a sore back is told their hamstrings are tight. Here is "
            "what that tightness usually means, and why loading them often helps more than "
            "pulling on them."
        ),
        "body": HAMSTRINGS,
        "topics": ["hips-and-hamstrings", "understanding-back-pain"],
        "related": [2, 6],
        "youtube_id": "hS4mLq7Tb2c",
        "audio_duration": 2460,
        "audio_size": 39_360_000,
        "status": "published",
        "weeks_from_next_release": -7,
    },
    {
        "number": 2,
        "slug": "the-hip-hinge",
        "title": "The hip hinge: how to bend without bracing",
        "standfirst": (
            "Bending is not dangerous, but after a bad back it can feel it. The hip hinge is "
            "a simple skill that shares the work with your hips and legs and gets you lifting "
            "with confidence again."
        ),
        "body": HIP_HINGE,
        "topics": ["everyday-movement", "hips-and-hamstrings", "strength-and-exercise"],
        "related": [1, 6],
        "youtube_id": "Rk2vP9dWx0E",
        "audio_duration": 2115,
        "audio_size": 33_840_000,
        "status": "published",
        "weeks_from_next_release": -6,
    },
    {
        "number": 3,
        "slug": "sciatica-explained",
        "title": "Sciatica: what is happening down your leg, and what helps",
        "standfirst": (
            "Sciatica is leg pain from an irritated nerve root in the lower back. It can be "
            "fierce, and it usually improves. How to help it along, and when not to wait."
        ),
        "body": SCIATICA,
        "topics": ["sciatica-and-nerve-pain", "discs"],
        "related": [5, 7],
        "youtube_id": "c8NfZy3QmJo",
        "audio_duration": 2790,
        "audio_size": 44_640_000,
        "status": "published",
        "weeks_from_next_release": -5,
    },
    {
        "number": 4,
        "slug": "sitting-and-back-pain",
        "title": "Sitting and back pain: it is the stillness, not the chair",
        "standfirst": (
            "There is no single correct way to sit. Comfortable backs tend to belong to "
            "people who change position often, not to people who hold a perfect posture."
        ),
        "body": SITTING,
        "topics": ["everyday-movement", "understanding-back-pain"],
        "related": [8, 2],
        "youtube_id": None,
        "audio_duration": 1980,
        "audio_size": 31_680_000,
        "status": "published",
        "weeks_from_next_release": -4,
    },
    {
        "number": 5,
        "slug": "herniated-discs",
        "title": "Herniated discs: what your scan says, and what it does not",
        "standfirst": (
            "A disc herniation sounds alarming, but discs are tougher than their reputation "
            "and many herniations shrink on their own. What your report means, and how to "
            "load a sore disc back to health."
        ),
        "body": DISCS,
        "topics": ["discs", "sciatica-and-nerve-pain", "understanding-back-pain"],
        "related": [3, 6],
        "youtube_id": "Vd7uK1pXr5A",
        "audio_duration": 3120,
        "audio_size": 49_920_000,
        "status": "published",
        "weeks_from_next_release": -3,
    },
    {
        "number": 6,
        "slug": "strength-over-stretching",
        "title": "Strength over stretching: building a back that copes",
        "standfirst": (
            "Stretching feels good, and that counts for something. But if you want a back "
            "that copes with real life, strength training gives you far more for your time."
        ),
        "body": STRENGTH,
        "topics": ["strength-and-exercise", "hips-and-hamstrings"],
        "related": [2, 1],
        "youtube_id": "mT3bQ8sLz4Y",
        "audio_duration": 2640,
        "audio_size": 42_240_000,
        "status": "published",
        "weeks_from_next_release": -2,
    },
    {
        "number": 7,
        "slug": "your-flare-up-plan",
        "title": "Your flare-up plan: the first 72 hours",
        "standfirst": (
            "Flare-ups happen, even when you are doing everything right. A plan written on "
            "a calm day makes the bad days shorter and far less frightening."
        ),
        "body": FLARE_UP,
        "topics": ["flare-ups", "understanding-back-pain"],
        "related": [3, 6],
        "youtube_id": None,
        "audio_duration": 2280,
        "audio_size": 36_480_000,
        "status": "published",
        "weeks_from_next_release": -1,
    },
    {
        "number": 8,
        "slug": "walking-for-back-pain",
        "title": "Walking for back pain: the most underrated exercise",
        "standfirst": (
            "Walking needs no kit, no gym and no special technique, and a large recent trial "
            "suggests it can help keep back pain from coming back."
        ),
        "body": WALKING,
        "topics": ["everyday-movement", "strength-and-exercise", "flare-ups"],
        "related": [4, 7],
        "youtube_id": "Lw6yN2gHc9U",
        "audio_duration": 2040,
        "audio_size": 32_640_000,
        "status": "scheduled",
        "weeks_from_next_release": 0,
    },
]

# --------------------------------------------------------------------------- comments
#
# "key" names a comment so a reply can point at it ("reply_to"); replies are one level
# deep. "staff": written by the staff demo login. "hours_after": after the release.

COMMENTS = [
    {
        "key": "hamstrings-helen",
        "episode": 1,
        "name": "Helen R",
        "email": "helen.r@example.org",
        "body": (
            "I've stretched my hamstrings every morning for about two years and never once "
            "asked why they were tight. Tried the chin-to-chest test and the 'tightness' "
            "changed straight away. Food for thought."
        ),
        "hours_after": 5,
    },
    {
        "key": "hamstrings-staff",
        "episode": 1,
        "reply_to": "hamstrings-helen",
        "staff": True,
        "name": "Sam at Back In Shape",
        "email": "staff@example.com",
        "body": (
            "Thanks Helen, that is a really useful observation. If it feels nervy, swap "
            "some of the long holds for gentle sliders and the bridges from the article, "
            "and see how it responds over a couple of weeks. If anything spreads below the "
            "knee, get it checked by a physio."
        ),
        "hours_after": 9,
    },
    {
        "key": "hamstrings-tom",
        "episode": 1,
        "reply_to": "hamstrings-helen",
        "name": "Tom B",
        "email": "tom.b@example.net",
        "body": (
            "Same here. I swapped stretching for bridges and heel slides a month ago and "
            "my back is calmer than it has been in ages. Not fixed, but calmer."
        ),
        "hours_after": 30,
    },
    {
        "key": "hinge-aisha",
        "episode": 2,
        "name": "Aisha K",
        "email": "aisha.k@example.org",
        "body": (
            "The broom handle drill is brilliant. I had no idea how much I was squatting "
            "instead of hinging. Loading the dishwasher has never been so mindful."
        ),
        "hours_after": 3,
    },
    {
        "key": "hinge-gareth",
        "episode": 2,
        "reply_to": "hinge-aisha",
        "name": "Gareth",
        "email": "gareth.w@example.com",
        "body": "Ha, the dishwasher is my nemesis too. The golfer's lift has been a game changer.",
        "hours_after": 20,
    },
    {
        "key": "sciatica-priya",
        "episode": 3,
        "name": "Priya S",
        "email": "priya.s@example.net",
        "body": (
            "Three weeks into my first bout of sciatica and this was so reassuring. The "
            "pain has moved up from my calf to my thigh this week, which I'd been worrying "
            "about. Glad to read that's usually a good sign."
        ),
        "hours_after": 12,
    },
    {
        "key": "sciatica-staff",
        "episode": 3,
        "reply_to": "sciatica-priya",
        "staff": True,
        "name": "Sam at Back In Shape",
        "email": "staff@example.com",
        "body": (
            "That does sound like it is heading the right way, Priya. Keep the walks short "
            "and frequent. If your foot or leg starts to feel weaker, though, please see "
            "your GP or a physio rather than waiting."
        ),
        "hours_after": 14,
    },
    {
        "key": "sitting-dev",
        "episode": 4,
        "name": "Dev",
        "email": "dev.patel@example.org",
        "body": (
            "Bought a standing desk last year and then stood for eight hours a day. My back "
            "was not impressed. Switching every half hour has worked far better."
        ),
        "hours_after": 6,
    },
    {
        "key": "sitting-jo",
        "episode": 4,
        "reply_to": "sitting-dev",
        "name": "Jo M",
        "email": "jo.m@example.com",
        "body": "I set a timer for 25 minutes. Annoying at first, now I don't notice it.",
        "hours_after": 26,
    },
    {
        "key": "discs-mark",
        "episode": 5,
        "name": "Mark T",
        "email": "mark.t@example.net",
        "body": (
            "My MRI report said 'extrusion' and I spent a week convinced I'd never lift my "
            "kids again. Reading that the bigger ones often shrink the most really helped. "
            "Six months on I'm back at the allotment."
        ),
        "hours_after": 8,
    },
    {
        "key": "discs-helen",
        "episode": 5,
        "reply_to": "discs-mark",
        "name": "Helen R",
        "email": "helen.r@example.org",
        "body": "Love hearing this. The words on those reports are so frightening.",
        "hours_after": 15,
    },
    {
        "key": "strength-sue",
        "episode": 6,
        "name": "Sue",
        "email": "sue.h@example.com",
        "body": (
            "I'm 67 and had never lifted a weight in my life. Started with sit to stands "
            "and suitcase carries with my shopping. Eight weeks in I feel steadier on my "
            "feet as well as in my back."
        ),
        "hours_after": 4,
    },
    {
        "key": "flare-ben",
        "episode": 7,
        "name": "Ben O",
        "email": "ben.o@example.org",
        "body": (
            "Wrote my flare-up plan on a good day as suggested and stuck it on the fridge. "
            "Had a bad one last weekend and it was so much less scary having it there."
        ),
        "hours_after": 10,
    },
    {
        "key": "flare-pending-question",
        "episode": 7,
        "name": "Lucy",
        "email": "lucy.a@example.com",
        "body": (
            "Is it OK to use heat and ice on the same day? My physio said ice but this says "
            "heat, so I'm a bit confused."
        ),
        "hours_after": 30,
        "status": "pending",
    },
    {
        "key": "hinge-pending-spam",
        "episode": 2,
        "name": "Best Back Braces",
        "email": "deals@spam.example",
        "body": "Cheapest back braces online, 80% off today only! https://spam.example/braces",
        "hours_after": 40,
        "status": "pending",
    },
]
