"""The demo episodes' sound: a short, real MP3 for each, with its transcript and chapters.

The demo has no recorded voices, so each episode is a sound sketch that behaves in a
player and in podcast apps the way a real episode does: a rising chime opens it, a soft
chime starts each chapter (one per section of the article's public part) over a calm
chord, and a falling chime closes it. The transcript (WebVTT) captions what you hear,
chapter by chapter, and the chapters file (Podcasting 2.0 JSON chapters) links each
chapter to its section of the article.

It is synthesised here in plain Python and encoded with LAME (lameenc), so seeding needs
nothing outside Python and fetches nothing. Speed matters more than anything else here
(`seed_demo` makes eight of these): the chord is one two-second loop, tiled; each chime
is computed once per pitch; everything else is slice arithmetic, which CPython runs in C.
"""

import array
import dataclasses
import hashlib
import io
import json
import math
import operator
from functools import cache
from itertools import accumulate, repeat

import lameenc
from mutagen.id3 import ID3, TALB, TCON, TIT2, TPE1, TRCK

SHOW_NAME = "Back In Shape"

# Bump when the sound, the transcript's or the chapters' wording changes: the files are
# named after a fingerprint that includes it, so every demo episode gets new ones.
SKETCH_VERSION = 1

SAMPLE_RATE = 16_000  # an MPEG-2 rate: plenty for chimes and chords (up to 8 kHz), and quick
BIT_RATE = 48  # kbit/s, constant, so every player and mutagen agree on the length
LOOP_SECONDS = 2  # the chord's loop: every pitch is a multiple of 1/2 Hz, so it tiles exactly

OPENING_SECONDS = 5
CLOSING_SECONDS = 5
SECTION_SECONDS = 6
MIN_SECONDS = 20
MAX_SECTIONS = 7  # 5 + 7 * 6 + 5 = 52 s at most

# The show's own sound, the same in every episode as a podcast's jingle is: C major, the
# chords as semitones from C below middle C. The opening and closing rest on C (I); the
# chapters walk through vi, IV, V and ii, starting at a different one in each episode.
ROOT_HZ = 130.81
HOME = (0, 7, 12, 16)
PROGRESSION = [(-3, 4, 9, 12), (-7, 5, 9, 12), (-5, 7, 11, 14), (2, 9, 14, 17)]
# Chimes: the major pentatonic two octaves up; the opening rises, the closing falls.
CHIME_STEPS = [0, 2, 4, 7, 9, 12, 14, 16]
OPENING_CHIMES = (0, 2, 3)
CLOSING_CHIMES = (5, 3, 2, 0)
# A soft bell: (multiple of the pitch, loudness, decay per second). The 2.76 partial is
# what makes it a bell rather than an organ.
BELL_PARTIALS = [(1.0, 1.0, 1.8), (2.0, 0.22, 3.2), (2.76, 0.16, 4.5)]
BELL_SECONDS = 2.0
# Loudness in 16-bit sample units, fixed so that nothing can clip. At worst the chord and
# three chimes sound together, each chime down to a third before the next is struck:
# 9,000 + 12,000 * (1 + 0.37 + 0.14) ≈ 27,000, under 16-bit audio's 32,767.
CHORD_LEVEL = 9_000
CHIME_LEVEL = 12_000
FADE_SECONDS = 1  # chords cross-fade into each other over this long
CLOSING_FADE_SECONDS = 3


@dataclasses.dataclass(frozen=True)
class Chapter:
    start: int  # seconds
    end: int
    title: str
    anchor: str = ""  # the article section's id; "" for the opening and the closing


@dataclasses.dataclass(frozen=True)
class SoundSketch:
    number: int
    title: str
    chapters: tuple[Chapter, ...]

    @property
    def seconds(self) -> int:
        return self.chapters[-1].end

    def fingerprint(self, *extra: str) -> str:
        """Eight hex digits that change whenever anything the files are made from does."""
        chapters = [dataclasses.astuple(chapter) for chapter in self.chapters]
        data = json.dumps([SKETCH_VERSION, self.number, self.title, chapters, *extra])
        return hashlib.sha256(data.encode()).hexdigest()[:8]


def sound_sketch_plan(*, number: int, title: str, sections: list[tuple[str, str]]) -> SoundSketch:
    """The episode's chapters: an opening, one per section (anchor, title), a closing."""
    sections = sections[:MAX_SECTIONS] or [("", title)]
    middle = max(
        SECTION_SECONDS,
        math.ceil((MIN_SECONDS - OPENING_SECONDS - CLOSING_SECONDS) / len(sections)),
    )
    chapters = [Chapter(0, OPENING_SECONDS, f"Welcome to {SHOW_NAME}")]
    at = OPENING_SECONDS
    for anchor, heading in sections:
        chapters.append(Chapter(at, at + middle, heading, anchor))
        at += middle
    chapters.append(Chapter(at, at + CLOSING_SECONDS, "Until next Sunday"))
    return SoundSketch(number=number, title=title, chapters=tuple(chapters))


# --------------------------------------------------------------------------- sound


def _pitch(semitones: int, *, octaves: int = 0) -> float:
    """An equal-tempered pitch from ROOT_HZ, on the loop's 1/2 Hz grid so the loop tiles."""
    hz = ROOT_HZ * 2 ** (octaves + semitones / 12)
    return round(hz * LOOP_SECONDS) / LOOP_SECONDS


@cache
def _ramp(n: int) -> tuple[float, ...]:
    """A smooth 0 → 1 fade (a quarter sine, squared) of n samples."""
    return tuple(math.sin(math.pi / 2 * k / n) ** 2 for k in range(n))


def _fade(samples: list[int], *, into: int = 0, out: int = 0) -> None:
    if into:
        samples[:into] = map(round, map(operator.mul, samples[:into], _ramp(into)))
    if out:
        samples[-out:] = map(round, map(operator.mul, samples[-out:], reversed(_ramp(out))))


@cache
def _chord_loop(shape: tuple[int, ...]) -> list[int]:
    """LOOP_SECONDS of a soft chord, the lowest voice fullest, breathing once per loop.

    Every pitch makes a whole number of cycles in the loop, so copies of it join
    without a click, and a chapter's chord is this loop tiled."""
    n = SAMPLE_RATE * LOOP_SECONDS
    weights = [1.0] + [0.55] * (len(shape) - 1)
    level = CHORD_LEVEL / sum(weights)
    loop = [0.0] * n
    for semitones, weight in zip(shape, weights, strict=True):
        step = 2 * math.pi * _pitch(semitones) / SAMPLE_RATE
        gain = level * weight
        loop = list(map(operator.add, loop, (gain * math.sin(step * k) for k in range(n))))
    breath = 2 * math.pi / n  # one slow swell per loop, 0.5 Hz
    return [round(v * (0.85 + 0.15 * math.sin(breath * k))) for k, v in enumerate(loop)]


@cache
def _bell(step_index: int, level: float) -> tuple[int, ...]:
    """One struck chime, its partials decaying (a rotating phasor: no sin() per sample)."""
    hz = _pitch(CHIME_STEPS[step_index % len(CHIME_STEPS)], octaves=2)
    n = int(BELL_SECONDS * SAMPLE_RATE)
    total = sum(loudness for _, loudness, _ in BELL_PARTIALS)
    out = [0.0] * n
    for multiple, loudness, decay in BELL_PARTIALS:
        step = 2 * math.pi * hz * multiple / SAMPLE_RATE
        cos, sin = math.cos(step), math.sin(step)
        gains = accumulate(
            repeat(math.exp(-decay / SAMPLE_RATE), n - 1),
            operator.mul,
            initial=level * loudness / total,
        )
        partial = []
        x, y = 1.0, 0.0
        for gain in gains:
            partial.append(gain * y)
            x, y = x * cos - y * sin, x * sin + y * cos
        out = list(map(operator.add, out, partial))
    out = list(map(round, out))
    _fade(out, into=int(0.004 * SAMPLE_RATE), out=n // 4)  # no click in, dies away out
    return tuple(out)


def _chord_part(shape: tuple[int, ...], samples: int) -> list[int]:
    loop = _chord_loop(shape)
    return (loop * (samples // len(loop) + 1))[:samples]


def sound_sketch_pcm(sketch: SoundSketch) -> array.array:
    """The sketch as 16-bit mono samples at SAMPLE_RATE, exactly its length.

    The chords are laid end to end, overlapping by FADE_SECONDS where one hands over to
    the next; only those overlaps and the chimes are added sample by sample. Samples
    are whole numbers throughout, so the list becomes 16-bit audio in one step."""
    fade = FADE_SECONDS * SAMPLE_RATE
    last = len(sketch.chapters) - 1
    buffer: list[int] = []
    for index, chapter in enumerate(sketch.chapters):
        if index in (0, last):
            shape = HOME
        else:
            shape = PROGRESSION[(sketch.number + index - 2) % len(PROGRESSION)]
        lead_in = 0 if index == 0 else fade // 2
        lead_out = 0 if index == last else fade // 2
        samples = (chapter.end - chapter.start) * SAMPLE_RATE + lead_in + lead_out
        part = _chord_part(shape, samples)
        _fade(
            part,
            into=2 * lead_in or SAMPLE_RATE // 2,
            out=2 * lead_out or CLOSING_FADE_SECONDS * SAMPLE_RATE,
        )
        if lead_in:
            overlap = 2 * lead_in
            buffer[-overlap:] = map(operator.add, buffer[-overlap:], part[:overlap])
            part = part[overlap:]
        buffer.extend(part)

    def chime(step_index: int, seconds: float, level: float) -> None:
        sound = _bell(step_index, level)
        at = int(seconds * SAMPLE_RATE)
        end = min(len(buffer), at + len(sound))
        buffer[at:end] = map(operator.add, buffer[at:end], sound[: end - at])

    for index, chapter in enumerate(sketch.chapters):
        if index == 0:
            for i, step_index in enumerate(OPENING_CHIMES):
                chime(step_index, 0.3 + 0.55 * i, CHIME_LEVEL)
        elif index == last:
            for i, step_index in enumerate(CLOSING_CHIMES):
                chime(step_index, chapter.start + 0.2 + 0.55 * i, 0.85 * CHIME_LEVEL)
        else:
            chime(index, chapter.start + 0.1, 0.8 * CHIME_LEVEL)
    return array.array("h", buffer)


def sound_sketch_mp3(sketch: SoundSketch) -> bytes:
    """The sketch as a constant-bit-rate MP3, tagged (ID3v2) with the show and episode."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(BIT_RATE)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_quality(7)  # LAME's 0 (best) to 9 (fastest): chimes and chords need no more
    pcm = sound_sketch_pcm(sketch)
    frames = bytes(encoder.encode(pcm.tobytes()) + encoder.flush())

    tags = ID3()
    tags.add(TIT2(encoding=3, text=sketch.title))
    tags.add(TPE1(encoding=3, text=SHOW_NAME))
    tags.add(TALB(encoding=3, text=SHOW_NAME))
    tags.add(TRCK(encoding=3, text=str(sketch.number)))
    tags.add(TCON(encoding=3, text="Podcast"))
    file = io.BytesIO()
    tags.save(file, padding=lambda info: 0)
    return file.getvalue() + frames


# --------------------------------------------------------------------------- text


def _vtt_time(seconds: float) -> str:
    whole, millis = divmod(round(seconds * 1000), 1000)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def sound_sketch_vtt(sketch: SoundSketch) -> str:
    """A WebVTT transcript: per chapter, its name and what is heard (W3C WebVTT)."""
    last = len(sketch.chapters) - 1
    lines = [
        "WEBVTT",
        "",
        "NOTE",
        f"{SHOW_NAME}, episode {sketch.number}: a sound sketch with no speech. Each cue names",
        "its chapter and says what is heard.",
        "",
    ]
    for index, chapter in enumerate(sketch.chapters):
        if index == 0:
            heard = "[Three soft chimes rise over a warm chord]"
            name = f"{SHOW_NAME}, episode {sketch.number}: {sketch.title}"
        elif index == last:
            heard = "[Four chimes fall and the chord fades away]"
            name = f"{chapter.title}."
        else:
            heard = "[A soft chime, then a calm chord]"
            name = f"Chapter {index}: {chapter.title}"
        lines += [
            f"chapter-{index}",
            f"{_vtt_time(chapter.start)} --> {_vtt_time(chapter.end)}",
            heard,
            name,
            "",
        ]
    return "\n".join(lines)


def sound_sketch_chapters(sketch: SoundSketch, *, article_url: str) -> str:
    """Podcasting 2.0 JSON chapters, each section's linked to its part of the article.

    https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/examples/chapters/jsonChapters.md
    """
    chapters = []
    for chapter in sketch.chapters:
        entry: dict = {"startTime": chapter.start, "endTime": chapter.end, "title": chapter.title}
        if chapter.anchor:
            entry["url"] = f"{article_url}#{chapter.anchor}"
        chapters.append(entry)
    document = {
        "version": "1.2.0",
        "title": sketch.title,
        "podcastName": SHOW_NAME,
        "chapters": chapters,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
