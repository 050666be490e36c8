"""What a public name may be: the name beside a comment, a member's or a guest's.

A name is compared and stored in Unicode NFKC form (UAX #15), so "Sam" in full-width
letters is "Sam", and "member" + FULLWIDTH COMMERCIAL AT + "example.com" an email address
like any other. Characters that are invisible or turn the text around (format
characters, category Cf: UAX #9's bidi controls, the zero-width joiners) could make a
name read as something it is not, so they are refused rather than removed: the person
sees why and chooses again.
"""

import re
import unicodedata

MAX_LENGTH = 80

# Categories with nothing to show (Unicode's General_Category): controls, format
# characters (bidi overrides and isolates, zero-width joiners and spaces, the soft
# hyphen), surrogates, private use and unassigned code points.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
# Letters and marks that draw nothing, outside those categories (Unicode's
# Default_Ignorable_Code_Point list and the blank Hangul and Braille fillers).
_BLANK_CHARACTERS = set("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")

# Names that speak for the site. Compared without case, spaces or punctuation, so
# "back-in-shape" and "B A C K  I N  S H A P E" are the same name.
_SITE_NAME = "backinshape"
_ROLE_WORDS = {"admin", "administrator", "moderator", "staff"}


def display_name_normalise(value: str) -> str:
    """NFKC, then one line with single spaces: the form a name is checked and stored in."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def display_name_has_hidden_characters(value: str) -> bool:
    return any(
        unicodedata.category(ch) in _HIDDEN_CATEGORIES or ch in _BLANK_CHARACTERS for ch in value
    )


# Scripts whose letters look alike (Unicode's confusables, UTS #39): "Admin" written with a
# Cyrillic capital A reads as the role word. A word mixing them is the spoofing UTS #39 §5.1 calls
# mixed-script; one alphabet per word is what every real name uses.
_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def _letter_script(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    return next((script for script in _LOOKALIKE_SCRIPTS if name.startswith(script)), None)


def display_name_mixes_lookalike_scripts(value: str) -> bool:
    """A word with letters from more than one of Latin, Cyrillic and Greek in it."""
    for word in re.findall(r"\w+", value):
        scripts = {_letter_script(ch) for ch in word if ch.isalpha()} - {None}
        if len(scripts) > 1:
            return True
    return False


def display_name_key(value: str) -> str:
    """The name as people read it: NFKC, no case, letters and digits only."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def display_name_speaks_for_the_site(value: str) -> bool:
    """The show's own name anywhere in it, or a role word such as "Moderator" as a word."""
    if _SITE_NAME in display_name_key(value):
        return True
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", value).casefold())
    return any(word in _ROLE_WORDS for word in words) or display_name_key(value) in _ROLE_WORDS
