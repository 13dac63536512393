"""Secret redaction: every text Vidurai stores passes through ``redact`` first.

A secret is replaced by ``[REDACTED:<kind>]``, so a reader still sees that something was
there and what it was. Two families of rules:

* tokens with a recognisable shape (``AKIA…``, ``ghp_…``, ``sk-ant-…``, JWTs, PEM blocks,
  passwords in URLs, ``Authorization:`` headers), redacted wherever they appear;
* values given to a secret-sounding name (``password=``, ``"api_key": …``, ``--token …``),
  redacted only when the value looks like a secret rather than code: ``password: str``,
  ``token = get_token()`` and ``SECRET_KEY_PATH=/etc/x`` stay as they are.

Terminal output can be large, so every pattern starts with a literal (which the regex engine
finds fast), case-insensitive rules run on a lowercased copy of the same length, rules whose
literals are absent are skipped, and no pattern nests quantifiers.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

REDACTED_PREFIX = "[REDACTED:"

# ASCII-only lowering keeps every index valid in the original (str.lower() may not).
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_WORD_CHARS = frozenset(string.ascii_letters + string.digits + "_")
_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_.-")


def _marker(kind: str) -> str:
    return f"{REDACTED_PREFIX}{kind}]"


def _starts_a_word(text: str, index: int) -> bool:
    return index == 0 or text[index - 1] not in _WORD_CHARS


def _has_digit(value: str) -> bool:
    return any(char.isdigit() for char in value)


@dataclass(frozen=True)
class _ShapeRule:
    """A secret recognisable by its shape, anywhere in the text."""

    kind: str
    pattern: re.Pattern[str]
    # Literals of which one must occur (in the lowercased text) for the rule to run; none
    # when the pattern itself starts with a literal and fails as fast as a search would.
    hints: tuple[str, ...]
    # Match on the lowercased text (for case-insensitive rules).
    lowered: bool = False
    # The group holding the secret; the rest of the match is kept as written.
    group: int = 0
    # The match must not continue a word (stands for a leading \b, which is slow).
    word_start: bool = True
    # Whether the matched secret, as written in the original text, really is one.
    accept: Callable[[str], bool] | None = None


_TAIL = r"(?![A-Za-z0-9_\-])"

_SHAPE_RULES: tuple[_ShapeRule, ...] = (
    _ShapeRule(
        "private_key",
        # The whole block; a block cut off before its END line is redacted to the end.
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
            r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)"
        ),
        ("-----begin",),
        word_start=False,
    ),
    _ShapeRule(
        "jwt",
        re.compile(r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"),
        ("eyj",),
    ),
    _ShapeRule(
        "aws_access_key",
        re.compile(rf"A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|ROA|PKA|SCA)[A-Z0-9]{{16}}{_TAIL}"),
        (),
    ),
    _ShapeRule(
        "aws_secret_key",
        re.compile(r"secret_?access_?key[\"']?[ \t]*[:=][ \t]*[\"']?([a-z0-9/+]{40})(?![a-z0-9/+])"),
        ("secret",),
        lowered=True,
        group=1,
        word_start=False,
    ),
    _ShapeRule(
        "github_token",
        re.compile(rf"(?:gh[pousr]_[A-Za-z0-9]{{36,255}}|github_pat_[A-Za-z0-9_]{{22,255}}){_TAIL}"),
        ("gh",),
    ),
    _ShapeRule(
        "gitlab_token",
        re.compile(rf"gl(?:pat|dt|rt|ptt|cbt|ft|soat)-[A-Za-z0-9_\-]{{20,255}}{_TAIL}"),
        ("gl",),
    ),
    _ShapeRule(
        "anthropic_key",
        re.compile(rf"sk-ant-[A-Za-z0-9_\-]{{20,255}}{_TAIL}"),
        ("sk-ant-",),
    ),
    _ShapeRule(
        "openai_key",
        re.compile(rf"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{{20,255}}{_TAIL}"),
        ("sk-",),
        # Random keys contain digits; sk-some-long-option-name does not.
        accept=_has_digit,
    ),
    _ShapeRule(
        "slack_token",
        re.compile(rf"(?:xox[abposr]|xapp)-[A-Za-z0-9\-]{{10,255}}{_TAIL}"),
        ("xox", "xapp-"),
        accept=_has_digit,
    ),
    _ShapeRule(
        "slack_webhook",
        re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]{20,}"),
        ("hooks.slack.com",),
    ),
    _ShapeRule(
        "stripe_key",
        re.compile(rf"(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{{16,255}}|whsec_[A-Za-z0-9]{{20,255}}){_TAIL}"),
        ("_live_", "_test_", "whsec_"),
    ),
    _ShapeRule(
        "npm_token",
        re.compile(rf"npm_[A-Za-z0-9]{{36}}{_TAIL}"),
        ("npm_",),
    ),
    _ShapeRule(
        "pypi_token",
        re.compile(r"pypi-AgE[A-Za-z0-9_\-]{50,}"),
        ("pypi-",),
    ),
    _ShapeRule(
        "google_api_key",
        re.compile(rf"AIza[0-9A-Za-z_\-]{{35}}{_TAIL}"),
        ("aiza",),
    ),
    _ShapeRule(
        "huggingface_token",
        re.compile(rf"hf_[A-Za-z0-9]{{34,}}{_TAIL}"),
        ("hf_",),
    ),
    _ShapeRule(
        "url_password",
        # scheme://user:password@host: only the password goes.
        re.compile(r"://[^\s:/@'\"]{0,256}:([^\s@/'\"]{1,256})@"),
        ("://",),
        group=1,
        word_start=False,
        accept=lambda value: not value.startswith(("$", "%", REDACTED_PREFIX)),
    ),
    _ShapeRule(
        "authorization",
        # The header says the value is a credential, whatever its shape (Basic base64 too).
        re.compile(
            r"authorization[\"']?[ \t]*[:=][ \t]*[\"']?(?:(?:bearer|basic|token|bot)[ \t]+)?"
            r"([a-z0-9\-._~+/]{8,}=*)"
        ),
        ("authorization",),
        lowered=True,
        group=1,
    ),
    _ShapeRule(
        "bearer_token",
        re.compile(r"bearer[ \t]+([a-z0-9\-._~+/]{12,}=*)"),
        ("bearer",),
        lowered=True,
        group=1,
        accept=_has_digit,  # "Bearer authentication" is prose
    ),
)


# --- values given to secret-sounding names -------------------------------------------------

# Where a name can be found (in the lowercased text) and, anchored there, the rest of it:
# the keyword, the rest of the identifier, then "=", ":", ":=" or "=>" and the value.
_NAME_KEYWORDS = ("password", "passwd", "passphrase", "pwd", "secret", "token", "credential", "key")
_ASSIGNMENT = re.compile(
    r"(?:password|passwd|passphrase|pwd|secret|token|credentials?|key)"
    r"(?P<suffix>[a-z0-9_\-]{0,30})"
    r"[\"']?[ \t]*(?::=|=>|=|:)[ \t]*"
    r"(?:(?P<quote>[\"'])(?P<quoted>[^\"'\n]{1,256})(?P=quote)"
    r"|(?P<bare>[^\s\"'`,;()\[\]{}<>]{1,256}))"
)
# The same names as a command-line flag followed by a space: --password hunter2.
_FLAG = re.compile(
    r"(?:password|passwd|token|secret|key)(?P<suffix>[a-z\-]{0,20})[ \t]+(?P<bare>[^\s\"'`\-][^\s\"'`]{0,255})"
)
# "key" alone names many things (dict keys, sort keys); only these kinds of key are secrets.
_SECRET_KEY_NAME = re.compile(
    r"(?:api|access|private|auth|encryption|signing|master|license|secret|client)[_.\-]?$"
)
# A name ending in one of these describes the secret (where, how long, when) rather than
# holding it: SECRET_KEY_PATH, token_type, password_min_length, TOKEN_URL.
_DESCRIPTIVE_SUFFIX = re.compile(
    r"(?:path|file|dir|url|uri|name|id|type|length|len|count|ttl|timeout|expiry|expires"
    r"|expiresat|expiresin|field|header|env|var|prefix|format|policy|rotation|enabled"
    r"|required|min|max|limit|size|version|endpoint|host|port|user|username|regex"
    r"|pattern|label|hint|prompt|placeholder)$"
)
# Values that are types, literals or placeholders, not secrets.
_NOT_A_VALUE = frozenset(
    "str string int bool boolean bytes none null nil undefined true false number any object "
    "optional secretstr required redacted hidden masked".split()
)
_DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _char_classes(value: str) -> int:
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def _looks_like_code(value: str, following: str) -> bool:
    """True for references, calls, paths, types and placeholders, which hold no secret."""
    if value.startswith((REDACTED_PREFIX, "$", "%", "=", "&", "*", "/", "~", "./", "../")):
        return True
    if value.lower() in _NOT_A_VALUE or set(value) <= set("*xX.-_#"):
        return True
    if following.startswith(("(", "[")):  # get_token(), os.environ["TOKEN"]
        return True
    return bool(_DOTTED_NAME.fullmatch(value))  # self.password, process.env.API_TOKEN


def _looks_like_password(value: str) -> bool:
    # A bare word after "password:" in prose ("password: reset flow") is no secret;
    # something with digits or symbols in it, or a long string, is.
    return (len(value) >= 4 and _char_classes(value) >= 2 and not value.isalpha()) or len(value) >= 12


def _looks_like_token(value: str) -> bool:
    # Tokens and keys are long, random and nearly always hold a digit.
    return (
        len(value) >= 12
        and " " not in value
        and _has_digit(value)
        and any(c.isalpha() for c in value)
        and _entropy(value) >= 3.0
    )


def _name_start(lowered: str, keyword_at: int) -> int:
    start = keyword_at
    while start > 0 and keyword_at - start < 60 and lowered[start - 1] in _NAME_CHARS:
        start -= 1
    return start


def _named_value(text: str, lowered: str, keyword_at: int) -> tuple[int, int, str] | None:
    """The span and kind of a secret value given to the name whose keyword is at
    ``keyword_at``, or None when there is none."""
    match = _ASSIGNMENT.match(lowered, keyword_at)
    is_flag = match is None
    if is_flag:
        match = _FLAG.match(lowered, keyword_at)
        if match is None:
            return None
    # Cheap refusals first: most hits are ordinary code or prose.
    suffix_written = text[match.start("suffix") : match.end("suffix")]
    if suffix_written[:1].islower():
        return None  # tokenizer=, passwords=, keyboard=: another word
    if _DESCRIPTIVE_SUFFIX.search(re.sub(r"[_\-.]", "", suffix_written.lower())):
        return None
    group = "quoted" if not is_flag and match.group("quoted") is not None else "bare"
    start, end = match.span(group)
    value = text[start:end]
    following = text[end : end + 1] if group == "bare" else ""
    if _looks_like_code(value, following):
        return None
    name_start = _name_start(lowered, keyword_at)
    if is_flag and not lowered.startswith("-", name_start):
        return None
    prefix = lowered[name_start:keyword_at]
    keyword = lowered[keyword_at : match.start("suffix")]
    if keyword == "key" and not _SECRET_KEY_NAME.search(prefix):
        return None
    name = prefix + keyword
    is_password = "pass" in name or "pwd" in name
    if is_password or "secret" in name:
        secret = group == "quoted" or _looks_like_password(value)
    else:
        secret = _looks_like_token(value)
    if not secret:
        return None
    if is_password:
        return start, end, "password"
    return start, end, "token" if "token" in name else "api_key" if "api" in name else "secret"


def _redact_named_values(text: str, lowered: str, kinds: list[str]) -> str:
    hits = sorted(
        {
            found
            for keyword in _NAME_KEYWORDS
            for found in _find_all(lowered, keyword)
        }
    )
    pieces: list[str] = []
    kept_until = 0
    for keyword_at in hits:
        if keyword_at < kept_until:
            continue
        found = _named_value(text, lowered, keyword_at)
        if found is None:
            continue
        start, end, kind = found
        pieces.append(text[kept_until:start])
        pieces.append(_marker(kind))
        kept_until = end
        if kind not in kinds:
            kinds.append(kind)
    if not pieces:
        return text
    pieces.append(text[kept_until:])
    return "".join(pieces)


def _find_all(text: str, literal: str) -> list[int]:
    positions = []
    at = text.find(literal)
    while at != -1:
        positions.append(at)
        at = text.find(literal, at + 1)
    return positions


def _redact_shapes(text: str, lowered: str, rule: _ShapeRule, kinds: list[str]) -> str:
    subject = lowered if rule.lowered else text
    pieces: list[str] = []
    kept_until = 0
    for match in rule.pattern.finditer(subject):
        if rule.word_start and not _starts_a_word(text, match.start()):
            continue
        start, end = match.span(rule.group)
        if rule.accept is not None and not rule.accept(text[start:end]):
            continue
        pieces.append(text[kept_until:start])
        pieces.append(_marker(rule.kind))
        kept_until = end
        if rule.kind not in kinds:
            kinds.append(rule.kind)
    if not pieces:
        return text
    pieces.append(text[kept_until:])
    return "".join(pieces)


def redact_with_kinds(text: str) -> tuple[str, list[str]]:
    """The text with every secret replaced by ``[REDACTED:<kind>]``, and the kinds found
    (in the order the rules found them, without repeats)."""
    kinds: list[str] = []
    if not text:
        return text, kinds
    lowered = text.translate(_ASCII_LOWER)
    for rule in _SHAPE_RULES:
        if not rule.hints or any(hint in lowered for hint in rule.hints):
            redacted = _redact_shapes(text, lowered, rule, kinds)
            if redacted is not text:
                text, lowered = redacted, redacted.translate(_ASCII_LOWER)
    if any(keyword in lowered for keyword in _NAME_KEYWORDS):
        text = _redact_named_values(text, lowered, kinds)
    return text, kinds


def redact(text: str) -> str:
    """The text with every secret replaced by ``[REDACTED:<kind>]``."""
    return redact_with_kinds(text)[0]


# --- files whose content is never stored verbatim ------------------------------------------

_SENSITIVE_NAMES = frozenset(
    {
        ".env",
        "credentials",  # ~/.aws/credentials
        "credentials.json",
        ".npmrc",
        ".pypirc",
        ".netrc",
        "_netrc",
        ".pgpass",
        ".git-credentials",
        ".dockercfg",
        ".htpasswd",
    }
)
_SENSITIVE_SUFFIXES = (
    ".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk", ".env", ".tfvars", ".tfstate",
)
_SENSITIVE_PREFIXES = ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".env.", "secrets.")


def is_sensitive_path(path: str) -> bool:
    """True for files that hold secrets by convention (``.env``, ``*.pem``, ``id_rsa``,
    ``credentials.json``, ``.npmrc``…): their content is never captured verbatim."""
    normalised = path.replace("\\", "/").lower()
    name = PurePosixPath(normalised).name
    if not name:
        return False
    return (
        name in _SENSITIVE_NAMES
        or name.startswith(_SENSITIVE_PREFIXES)
        or name.endswith(_SENSITIVE_SUFFIXES)
        or normalised.endswith(".docker/config.json")  # registry credentials
    )
