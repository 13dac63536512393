"""Secret redaction: every text Vidurai stores passes through ``redact`` first.

A secret is replaced by ``[REDACTED:<kind>]``, so a reader still sees that something was
there and what it was. Two families of rules:

* tokens with a recognisable shape (``AKIA…``, ``ghp_…``, ``sk-ant-…``, JWTs, PEM blocks,
  passwords in URLs, ``Authorization:`` headers, ``mysql -p…``, ``curl -u user:pw``, .netrc
  lines), redacted wherever they appear;
* values given to a secret-sounding name (``password=``, ``"api_key": …``, ``--token …``),
  redacted only when the value looks like a secret rather than code: ``password: str``,
  ``token = get_token()`` and ``SECRET_KEY_PATH=/etc/x`` stay as they are.

A bare 40-character base64 string with no name beside it is left alone: AWS secret keys have
that shape, but so do hashes and digests everywhere in build output.

Terminal output can be large, so every pattern starts with a literal (which the regex engine
finds fast) and checks that the literal starts a word just after it, case-insensitive rules
run on a lowercased copy of the same length, rules whose literals are absent are skipped,
quantifiers that could give back characters are bounded or possessive, and the names pass
refuses values that are plainly code inside its single search, not in Python.
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
_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_.-")


def _marker(kind: str) -> str:
    return f"{REDACTED_PREFIX}{kind}]"


_DIGIT = re.compile(r"[0-9]")


def _has_digit(value: str) -> bool:
    return _DIGIT.search(value) is not None


@dataclass(frozen=True)
class _ShapeRule:
    """A secret recognisable by its shape, anywhere in the text. The secret is the first
    group of the pattern that took part in the match (the whole match when it has none);
    the rest of the match is kept as written."""

    kind: str
    pattern: re.Pattern[str]
    # Literals of which one must occur (in the lowercased text) for the rule to run; none
    # when the pattern itself starts with a literal and fails as fast as a search would.
    hints: tuple[str, ...]
    # Match on the lowercased text (for case-insensitive rules).
    lowered: bool = False
    # Whether the matched secret, as written in the original text, really is one.
    accept: Callable[[str], bool] | None = None


# The characters of a token; one must not continue after a token's end.
_TOKEN_CHARS = r"A-Za-z0-9_\-"
_TAIL = rf"(?![{_TOKEN_CHARS}])"


def _word(literal: str, run: str = _TOKEN_CHARS) -> str:
    """``literal`` where it starts a word (no character of ``run`` just before it). The
    look-behind comes after the literal, so the engine still finds the literal as fast as
    a plain search, and a long run holding the literal many times (eyJeyJeyJ…) is tried
    once rather than once per occurrence."""
    return rf"{literal}(?<![{run}]{literal})"


# A value given to a flag: quoted (spaces and all) or up to the next space; never an
# environment variable or another flag.
_FLAG_VALUE = r"""(?:'([^'\n]{1,256})'|"([^"\n]{1,256})"|(?![$%\-])([^\s'"]{1,256}))"""

_SHAPE_RULES: tuple[_ShapeRule, ...] = (
    _ShapeRule(
        "private_key",
        # The whole block (in JSON, with its "\\n" escapes and the one after END); a block
        # cut off before its END line is redacted to the end.
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
            r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\\r)?(?:\\n)?|\Z)"
        ),
        ("-----begin",),
    ),
    _ShapeRule(
        "jwt",
        re.compile(rf"{_word('eyJ')}[A-Za-z0-9_\-]{{8,}}+\.eyJ[A-Za-z0-9_\-]{{8,}}+\.[A-Za-z0-9_\-]*+"),
        ("eyj",),
    ),
    _ShapeRule(
        "aws_access_key",
        re.compile(rf"{_word('A')}(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|ROA|PKA|SCA)[A-Z0-9]{{16}}{_TAIL}"),
        (),
    ),
    _ShapeRule(
        "aws_secret_key",
        re.compile(r"secret_?access_?key[\"']?[ \t]*[:=][ \t]*[\"']?([a-z0-9/+]{40})(?![a-z0-9/+])"),
        ("secret",),
        lowered=True,
    ),
    _ShapeRule(
        "github_token",
        re.compile(rf"{_word('gh')}(?:[pousr]_[A-Za-z0-9]{{36,255}}|ithub_pat_[A-Za-z0-9_]{{22,255}}){_TAIL}"),
        ("gh",),
    ),
    _ShapeRule(
        "gitlab_token",
        re.compile(rf"{_word('gl')}(?:pat|dt|rt|ptt|cbt|ft|soat)-[A-Za-z0-9_\-]{{20,255}}{_TAIL}"),
        ("gl",),
    ),
    _ShapeRule(
        "anthropic_key",
        re.compile(rf"{_word('sk-ant-')}[A-Za-z0-9_\-]{{20,255}}{_TAIL}"),
        ("sk-ant-",),
    ),
    _ShapeRule(
        "openai_key",
        re.compile(rf"{_word('sk-')}(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{{20,255}}{_TAIL}"),
        ("sk-",),
        # Random keys contain digits; sk-some-long-option-name does not.
        accept=_has_digit,
    ),
    _ShapeRule(
        "slack_token",
        re.compile(rf"(?:{_word('xox')}[abposr]|{_word('xapp')})-[A-Za-z0-9\-]{{10,255}}{_TAIL}"),
        ("xox", "xapp-"),
        accept=_has_digit,
    ),
    _ShapeRule(
        "slack_webhook",
        re.compile(rf"{_word('https')}://hooks\.slack\.com/services/[A-Za-z0-9/_\-]{{20,}}"),
        ("hooks.slack.com",),
    ),
    _ShapeRule(
        "stripe_key",
        re.compile(
            rf"(?:(?:{_word('sk')}|{_word('rk')})_(?:live|test)_[A-Za-z0-9]{{16,255}}"
            rf"|{_word('whsec_')}[A-Za-z0-9]{{20,255}}){_TAIL}"
        ),
        ("_live_", "_test_", "whsec_"),
    ),
    _ShapeRule(
        "npm_token",
        re.compile(rf"{_word('npm_')}[A-Za-z0-9]{{36}}{_TAIL}"),
        ("npm_",),
    ),
    _ShapeRule(
        "pypi_token",
        re.compile(rf"{_word('pypi-AgE')}[A-Za-z0-9_\-]{{50,}}"),
        ("pypi-",),
    ),
    _ShapeRule(
        "google_api_key",
        re.compile(rf"{_word('AIza')}[0-9A-Za-z_\-]{{35}}{_TAIL}"),
        ("aiza",),
    ),
    _ShapeRule(
        "huggingface_token",
        re.compile(rf"{_word('hf_')}[A-Za-z0-9]{{34,}}{_TAIL}"),
        ("hf_",),
    ),
    _ShapeRule(
        "url_password",
        # scheme://user:password@host: only the password goes.
        re.compile(r"://[^\s:/@'\"]{0,256}:([^\s@/'\"]{1,256})@"),
        ("://",),
        accept=lambda value: not value.startswith(("$", "%", REDACTED_PREFIX)),
    ),
    _ShapeRule(
        "authorization",
        # The header says the value is a credential, whatever its shape (Basic base64 too).
        re.compile(
            rf"{_word('authorization')}[\"']?[ \t]*[:=][ \t]*[\"']?(?:(?:bearer|basic|token|bot)[ \t]+)?"
            r"([a-z0-9\-._~+/]{8,}+=*)"
        ),
        ("authorization",),
        lowered=True,
    ),
    _ShapeRule(
        "bearer_token",
        re.compile(rf"{_word('bearer')}[ \t]+([a-z0-9\-._~+/]{{12,}}+=*)"),
        ("bearer",),
        lowered=True,
        accept=_has_digit,  # "Bearer authentication" is prose
    ),
    # Passwords that command-line tools take as short flags, found on the tool's own line.
    _ShapeRule(
        "password",
        # mysql -pSECRET: only glued ("-p db" asks for the password, db is the database).
        re.compile(rf"(?:{_word('mysql')}|{_word('mariadb')})[a-z\-]*{_TAIL}[^\n]{{0,300}}?[ \t]-p{_FLAG_VALUE}"),
        ("mysql", "mariadb"),
    ),
    _ShapeRule(
        "password",
        re.compile(rf"(?:{_word('docker')}|{_word('podman')}|{_word('nerdctl')})[ \t]+login{_TAIL}[^\n]{{0,300}}?[ \t]-p(?:[ \t]+|=)?{_FLAG_VALUE}"),
        (" login",),
    ),
    _ShapeRule(
        "password",
        re.compile(rf"{_word('sshpass')}{_TAIL}[^\n]{{0,300}}?[ \t]-p[ \t]*{_FLAG_VALUE}"),
        ("sshpass",),
    ),
    _ShapeRule(
        "password",
        re.compile(rf"{_word('redis-cli')}{_TAIL}[^\n]{{0,300}}?[ \t](?:-a|--pass)[ \t]+{_FLAG_VALUE}"),
        ("redis-cli",),
    ),
    _ShapeRule(
        "password",
        # curl -u user:password (--user, and the same for a proxy); "-u user" alone prompts.
        re.compile(
            rf"{_word('curl')}{_TAIL}[^\n]{{0,300}}?[ \t](?:-[uU][ \t]*|--(?:proxy-)?user[ \t=]+)['\"]?[^\s:'\"]*:"
            r"([^\s'\"]+)"
        ),
        ("curl",),
        accept=lambda value: not value.startswith(("$", "%", REDACTED_PREFIX)),
    ),
    _ShapeRule(
        "password",
        re.compile(r"-pass(?:in|out)?[ \t]+pass:([^\s'\"]+)"),  # openssl
        ("pass:",),
    ),
    _ShapeRule(
        "password",
        # .netrc: "machine host login me password abc123", across lines or on one; the host
        # has a dot (or is localhost), which keeps out prose ("the machine login password …").
        re.compile(
            rf"(?:{_word('machine')}[ \t\r\n]+(?:[^\s.]*+\.[^\s]++|localhost)|{_word('default')})"
            r"(?:[ \t\r\n]+(?:login|account)[ \t\r\n]+[^\s]++)*+[ \t\r\n]+password[ \t\r\n]+([^\s]+)"
        ),
        ("machine", "default"),
        lowered=True,
    ),
)


# --- values given to secret-sounding names -------------------------------------------------

# The characters of a value written without quotes.
_BARE = r"""[^\s"'`,;()\[\]{}<>]"""
# "key" alone names many things (dict keys, sort keys, primary_key); only these kinds of key
# are secrets: api_key, apiKey, PRIVATE-KEY, client.key.
_SECRET_KEY_KINDS = (
    "api", "access", "private", "auth", "encryption", "signing", "master", "license", "secret", "client"
)
_SECRET_KEY = "key(?:" + "|".join(
    f"(?<={kind}{separator}key)" for kind in _SECRET_KEY_KINDS for separator in ("", "[_.\\-]")
) + ")"
# One search over the lowercased text finds a keyword, the rest of the identifier, then
# "=", ":", ":=", "=>" or (for a flag: --password hunter2) spaces, and the value. Values
# that are plainly code are refused here, without Python work per hit (terminal output can
# hold thousands of "token=get_token()"): references ($X, %X%, ./x), other flags, calls and
# subscripts (get_token(), os.environ["X"]) and dotted names (self.password). The quantifiers
# after the keyword are possessive: none of them can give back a character the next part
# could use, so no input makes the search backtrack.
_NAMED_VALUE = re.compile(
    # password, passwd, passphrase, pass (not passport), pwd, secret, token, credential(s), key
    rf"(?:p(?:ass(?:word|wd|phrase|(?![a-z]))|wd)|secret|token|credentials?|{_SECRET_KEY})"
    r"(?P<suffix>[a-z0-9_\-]{0,30}+)"
    r"[\"']?(?:[ \t]*+(?P<separator>:=|=>|=|:)[ \t]*+|[ \t]++)"
    r"(?:(?P<quote>[\"'])(?P<quoted>[^\"'\n]{1,256})(?P=quote)"
    rf"|(?![$%=&*/~\-]|\.\.?/|[a-z_][a-z0-9_]*+(?:\.[a-z_][a-z0-9_]*+)++(?!{_BARE}))"
    # One or two characters are never a secret (x, 42, pw as a variable).
    rf"(?P<bare>{_BARE}{{3,256}}+)(?![(\[]))"
)
# Literals of which one must occur for the search to run at all.
_NAME_HINTS = ("pass", "pwd", "secret", "token", "credential", "key")
# A name ending in one of these describes the secret (where, how long, when) rather than
# holding it: SECRET_KEY_PATH, token_type, password_min_length, TOKEN_URL, --password-stdin.
_DESCRIPTIVE_SUFFIX = re.compile(
    r"(?:path|file|dir|url|uri|name|id|type|length|len|count|ttl|timeout|expiry|expires"
    r"|expiresat|expiresin|field|header|env|var|prefix|format|policy|rotation|enabled"
    r"|required|min|max|limit|size|version|endpoint|host|port|user|username|regex"
    r"|pattern|label|hint|prompt|placeholder|stdin)$"
)
# Values that are types, literals or placeholders, not secrets.
_NOT_A_VALUE = frozenset(
    "str string int bool boolean bytes none null nil undefined true false number any object "
    "optional secretstr required redacted hidden masked".split()
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CAMEL_HUMP = re.compile(r"[a-z0-9][A-Z]")


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


def _is_placeholder(value: str) -> bool:
    return value.lower() in _NOT_A_VALUE or set(value) <= set("*xX.-_#")


def _names_a_variable(value: str, name: str) -> bool:
    """password=password, password=db_password, token=accessToken: code that passes a
    variable on. A real password that happens to be a word (PASSWORD=password) is written
    unlike its name."""
    if not _IDENTIFIER.fullmatch(value):
        return False
    if value == name:
        return True
    lowered = value.lower()
    return ("_" in value or _CAMEL_HUMP.search(value) is not None) and any(
        hint in lowered for hint in _NAME_HINTS
    )


def _looks_like_password(value: str) -> bool:
    # Something with digits or symbols in it, or a long string.
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


def _continues_a_word(text: str, keyword_at: int) -> bool:
    """"pass" in bypass or BYPASS, but not in DB_PASS or dbPass."""
    before = text[keyword_at - 1 : keyword_at]
    return before.isalpha() and (text[keyword_at].islower() or before.isupper())


def _ends_its_line(text: str, end: int) -> bool:
    line_end = text.find("\n", end)
    return not text[end : line_end if line_end != -1 else len(text)].strip()


def _named_value(text: str, lowered: str, match: re.Match[str]) -> tuple[int, int, str] | None:
    """The span and kind of the secret in a match of ``_NAMED_VALUE``, or None when the
    value is code, prose or a description rather than a secret."""
    keyword_at = match.start()
    # Cheap refusals first: most hits are ordinary code or prose.
    suffix_written = text[match.start("suffix") : match.end("suffix")]
    if suffix_written[:1].islower():
        return None  # tokenizer=, passwords=, keyboard=: another word
    if suffix_written and _DESCRIPTIVE_SUFFIX.search(re.sub(r"[_\-.]", "", suffix_written.lower())):
        return None
    quoted = match.group("quoted") is not None
    start, end = match.span("quoted" if quoted else "bare")
    value = text[start:end]
    if value.startswith(REDACTED_PREFIX) or _is_placeholder(value):
        return None
    separator = match.group("separator")
    name_start = _name_start(lowered, keyword_at)
    if separator is None and not lowered.startswith("-", name_start):
        return None  # "password is wrong": prose, not a flag
    keyword = lowered[keyword_at : match.start("suffix")]
    if keyword == "pass" and _continues_a_word(text, keyword_at):
        return None
    name = lowered[name_start:keyword_at] + keyword
    is_password = "pass" in name or "pwd" in name
    if is_password or "secret" in name:
        secret = quoted or (
            not _names_a_variable(value, text[name_start : match.end("suffix")])
            and (
                _looks_like_password(value)
                # A plain word given to a password in an assignment or a flag is one;
                # after "password:" it is one only alone on its line (YAML), not in
                # prose ("password: reset flow sends two emails"), and "Pass: 120" is a count.
                or (separator != ":" or (keyword != "pass" and _ends_its_line(text, end)))
            )
        )
    else:
        secret = _looks_like_token(value)
    if not secret:
        return None
    if is_password:
        return start, end, "password"
    return start, end, "token" if "token" in name else "api_key" if "api" in name else "secret"


def _redact_named_values(text: str, lowered: str, kinds: list[str]) -> str:
    pieces: list[str] = []
    kept_until = 0
    search_from = 0
    while (match := _NAMED_VALUE.search(lowered, search_from)) is not None:
        found = _named_value(text, lowered, match)
        if found is None:
            search_from = match.start() + 1  # a later keyword inside this match may still name a secret
            continue
        start, end, kind = found
        pieces.append(text[kept_until:start])
        pieces.append(_marker(kind))
        kept_until = search_from = end
        if kind not in kinds:
            kinds.append(kind)
    if not pieces:
        return text
    pieces.append(text[kept_until:])
    return "".join(pieces)


def _secret_span(match: re.Match[str]) -> tuple[int, int]:
    for group in range(1, (match.re.groups or 0) + 1):
        if match.start(group) != -1:
            return match.span(group)
    return match.span()


def _redact_shapes(text: str, lowered: str, rule: _ShapeRule, kinds: list[str]) -> str:
    subject = lowered if rule.lowered else text
    pieces: list[str] = []
    kept_until = 0
    for match in rule.pattern.finditer(subject):
        start, end = _secret_span(match)
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
    if any(hint in lowered for hint in _NAME_HINTS):
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
