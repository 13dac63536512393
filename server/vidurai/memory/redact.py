"""Secret redaction: every text Vidurai stores passes through ``redact`` first.

A secret is replaced by ``[REDACTED:<kind>]``, so a reader still sees that something was
there and what it was. The rules are data, applied in this order (docs/REDACTION.md says how
to add one):

* ``BLOCK_RULES``: PEM, SSH2 and PuTTY private keys, whole; then the body of a key whose
  BEGIN line was cut off.
* ``PROVIDER_TOKENS``: tokens whose provider gives them a recognisable prefix (``ghp_``,
  ``AKIA``, ``xoxb-``, ``dckr_pat_``, ``hvs.``, ``sk-ant-`` …), written from each provider's
  documented token format. They are redacted wherever they stand, even alone.
* ``CONTEXT_RULES``: secrets recognised by what stands around them: passwords in URLs and
  DSNs, ``Authorization`` headers, tools' password flags (``mysql -p…``, ``curl -u``,
  ``echo pw | sudo -S``), ``.netrc`` lines, XML elements, provider secrets that have no
  prefix of their own but sit beside something that does (a Twilio auth token after its
  account SID, a Telegram bot token after its bot id), webhook URLs.
* Kubernetes ``Secret`` manifests lose every value under ``data:`` and ``stringData:``.
* values given to a secret-sounding name (``password=``, ``"api_key": …``, ``--token …``,
  ``AccountKey=``), redacted only when the value looks like a secret rather than code:
  ``password: str``, ``token = get_token()``, ``self.password = password``,
  ``"{{ vault_db_password }}"`` and ``SECRET_KEY_PATH=/etc/x`` stay as they are.

A bare 40-character base64 string with no name beside it is left alone: AWS secret keys have
that shape, but so do hashes and digests everywhere in build output.

Terminal output can be large, so the work is linear in the text: provider tokens are looked
up by their prefix at the start of each long run of token characters (one scan finds the
runs), context rules run only when one of their keywords occurs, every pattern starts with a
literal or a look-behind the engine fails fast, and quantifiers that could give characters
back are bounded or possessive.
"""

from __future__ import annotations

import base64
import binascii
import functools
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


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _random_looking(value: str) -> bool:
    """A generated token: a digit somewhere and no long stretch of one character."""
    return _has_digit(value) and _entropy(value) >= 3.0


def _not_a_reference(value: str) -> bool:
    """$PASSWORD, %TOKEN%, {{ vault_pw }}, <your-password>: names of a secret, not one."""
    return not _TEMPLATE.search(value) and not value.startswith(("$", "%", REDACTED_PREFIX))


# Values that point at a secret instead of holding it: templates and placeholders.
_TEMPLATE = re.compile(r"\{\{|\$\{|\{%|%\(|#\{|^<[^<>]+>$|^@@?[A-Za-z_]+@?$|^\{[A-Za-z_][\w.]*\}$")


@dataclass(frozen=True)
class Rule:
    """One kind of secret. The secret is the first group of ``pattern`` that took part in
    the match (the whole match when it has none); the rest of the match is kept as written."""

    kind: str
    # The regular expression, compiled the first time a text needs it (``pattern``): a text
    # needs few of the ~200 rules, and compiling all of them cost 35 ms of every start of the
    # server, the CLI and the MCP server.
    expression: str
    # Lowercased literals of which one must occur for the rule to run. A provider token's
    # keyword is its prefix, looked up where a run of token characters starts.
    keywords: tuple[str, ...]
    # Match on the lowercased text (for case-insensitive rules).
    lowered: bool = False
    # Whether the matched secret, as written in the original text, really is one (a digit,
    # entropy, what an embedded part decodes to). Never a checksum: a token with a wrong one
    # (mistyped, cut, made up for a test) still gives away what it is.
    validate: Callable[[str], bool] | None = None
    # Secrets matching this are placeholders (ghp_xxxxxxxx…), not secrets.
    allow: re.Pattern[str] | None = None
    # Characters before the match that belong to the secret, for patterns that must start
    # at a rare literal in its middle (a Mailchimp key's "-us", a Terraform token's ".atlasv1.").
    reach_back: int = 0

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.expression)


# The characters of a token; one must not continue after a token's end.
_TOKEN_CHARS = r"A-Za-z0-9_\-"
_TAIL = rf"(?![{_TOKEN_CHARS}])"
# Masked and placeholder values (ghp_xxxxxx…, sk-…****), never real secrets.
_PLACEHOLDER = re.compile(r"[xX]{6}|\*{3}|\.\.\.|0{10}")


def _word(literal: str, run: str = _TOKEN_CHARS) -> str:
    """``literal`` where it starts a word (no character of ``run`` just before it). The
    look-behind comes after the literal, so the engine still finds the literal as fast as
    a plain search, and a long run holding the literal many times (eyJeyJeyJ…) is tried
    once rather than once per occurrence."""
    return rf"{literal}(?<![{run}]{literal})"


def _discord_bot_token(token: str) -> bool:
    """A Discord bot token opens with its bot's numeric id, base64-encoded."""
    encoded = token.split(".", 1)[0]
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return decoded.isdigit() and len(decoded) >= 15


def _encoded_private_key(token: str) -> bool:
    """base64 of a PEM block (a Kubernetes tls.key, a kubeconfig client-key-data): a private
    key, not the certificate that usually sits beside it."""
    head = token[:64]
    try:
        decoded = base64.b64decode(head[: len(head) - len(head) % 4])
    except (binascii.Error, ValueError):
        return False
    return b"PRIVATE KEY" in decoded


def _token(
    kind: str,
    prefix: str,
    body: str,
    *,
    validate: Callable[[str], bool] | None = None,
    allow: re.Pattern[str] | None = _PLACEHOLDER,
) -> Rule:
    """A token that starts with ``prefix`` (as written) followed by ``body`` (a pattern)."""
    return Rule(
        kind,
        re.escape(prefix) + body + _TAIL,
        (prefix.lower(),),
        validate=validate,
        allow=allow,
    )


def _tokens(kind: str, prefixes: str, body: str, **options) -> tuple[Rule, ...]:
    """The same token body after each of several prefixes (separated by spaces)."""
    return tuple(_token(kind, prefix, body, **options) for prefix in prefixes.split())


_HEX = "[0-9a-f]"
_B64URL = r"[A-Za-z0-9_\-]"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

# Tokens whose provider documents a recognisable prefix. Looked up by prefix where a run of
# token characters starts, longest prefix first, so add a rule by adding a line here.
PROVIDER_TOKENS: tuple[Rule, ...] = (
    # Source hosting and CI
    *_tokens("github_token", "ghp_ gho_ ghu_ ghs_ ghr_", "[A-Za-z0-9]{36,255}"),
    _token("github_token", "github_pat_", "[A-Za-z0-9_]{30,255}"),
    *_tokens(
        "gitlab_token",
        "glpat- gldt- glrt- glptt- glcbt- glft- glsoat- glimt- glagent- gloas- glffct-",
        rf"{_B64URL}{{20,255}}",
    ),
    _token("gitlab_token", "GR1348941", rf"{_B64URL}{{20,255}}"),
    _token("bitbucket_token", "ATBB", r"[A-Za-z0-9_=.\-]{28,255}"),
    _token("atlassian_token", "ATATT3", r"[A-Za-z0-9_=\-]{60,255}"),
    _token("buildkite_token", "bkua_", f"{_HEX}{{40}}"),
    _token("circleci_token", "CCIPAT_", f"[A-Za-z0-9]{{22}}_{_HEX}{{40}}"),
    *_tokens("sonar_token", "squ_ sqp_ sqa_", f"{_HEX}{{40}}"),
    _token("jfrog_token", "AKCp", "[A-Za-z0-9]{69}"),
    _token("jfrog_token", "cmVmdGtuOjAx", "[A-Za-z0-9]{40,}"),  # base64 of "reftkn:01"
    _token("octopus_key", "API-", "[A-Z0-9]{26}", validate=_has_digit),
    _token("harness_token", "pat.", rf"{_B64URL}{{22}}\.{_HEX}{{24}}\.[A-Za-z0-9]{{20}}"),
    _token("sourcegraph_token", "sgp_", "[A-Za-z0-9_]{40,}"),
    _token("rubygems_token", "rubygems_", f"{_HEX}{{48}}"),
    _token("clojars_token", "CLOJARS_", "[a-z0-9]{60}"),
    _token("nuget_key", "oy2", "[a-z0-9]{43}", validate=_has_digit),
    # Package registries
    _token("npm_token", "npm_", "[A-Za-z0-9]{36}"),
    _token("pypi_token", "pypi-AgE", rf"{_B64URL}{{40,}}"),
    # Cloud providers
    *_tokens(
        "aws_access_key",
        "AKIA ASIA ABIA ACCA AGPA AIDA AIPA ANPA ANVA AROA APKA ASCA",
        "[A-Z0-9]{16}",
    ),
    _token("google_api_key", "AIza", rf"{_B64URL}{{35}}"),
    _token("google_oauth_secret", "GOCSPX-", rf"{_B64URL}{{28}}"),
    _token("google_oauth_token", "ya29.", r"[A-Za-z0-9_\-.]{20,}"),
    _token("alibaba_access_key", "LTAI", "[A-Za-z0-9]{12,20}", validate=_has_digit),
    _token("tencent_secret_id", "AKID", "[A-Za-z0-9]{32}"),
    _token("scaleway_access_key", "SCW", "[A-Z0-9]{17}", validate=_has_digit),
    _token("yandex_key", "AQVN", rf"{_B64URL}{{35,38}}"),
    *_tokens("digitalocean_token", "dop_v1_ doo_v1_ dor_v1_", f"{_HEX}{{64}}"),
    _token("heroku_key", "HRKU-", rf"{_B64URL}{{40,255}}"),
    _token("databricks_token", "dapi", f"{_HEX}{{32}}(?:-[0-9])?"),
    _token("cloudflare_origin_key", "v1.0-", f"{_HEX}{{24}}-{_HEX}{{146}}"),
    _token("cloudflare_tunnel_token", "eyJhIjoi", "[A-Za-z0-9+/=]{50,}"),  # base64 of '{"a":"'
    _token("fly_token", "fo1_", rf"{_B64URL}{{43}}"),
    *_tokens("fly_token", "fm1r_ fm1a_ fm2_", r"[A-Za-z0-9+/=_\-]{60,}"),
    _token("netlify_token", "nfp_", "[A-Za-z0-9]{36}"),
    _token("render_key", "rnd_", "[A-Za-z0-9]{32}"),
    _token("neon_key", "napi_", "[a-z0-9]{64}"),
    _token("supabase_token", "sbp_", f"{_HEX}{{40}}"),
    _token("supabase_token", "sb_secret_", rf"{_B64URL}{{20,}}"),
    *_tokens(
        "planetscale_token", "pscale_tkn_ pscale_pw_ pscale_oauth_", r"[A-Za-z0-9_=.\-]{32,64}"
    ),
    _token("doppler_token", "dp.", r"(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9]{40,44}"),
    _token("pulumi_token", "pul-", f"{_HEX}{{40}}"),
    _token(
        "tailscale_key",
        "tskey-",
        r"(?:auth|api|client|webhook|scim)-[A-Za-z0-9]{8,}-[A-Za-z0-9]{16,}",
    ),
    _token("vault_token", "hvs.", rf"{_B64URL}{{24,}}"),
    _token("vault_token", "hvb.", rf"{_B64URL}{{24,}}"),
    _token("vault_token", "hvr.", rf"{_B64URL}{{24,}}"),
    _token("docker_token", "dckr_pat_", rf"{_B64URL}{{20,}}"),
    _token("docker_token", "dckr_oat_", rf"{_B64URL}{{20,}}"),
    _token("docker_config", "eyJhdXRocyI6", "[A-Za-z0-9+/=]{16,}"),  # base64 of '{"auths":'
    _token(
        "private_key",
        "LS0tLS1CRUdJTi",
        "[A-Za-z0-9+/=]{20,}",  # base64 of "-----BEGIN"
        validate=_encoded_private_key,
    ),
    _token("age_secret_key", "AGE-SECRET-KEY-1", "[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}"),
    _token("onepassword_token", "ops_eyJ", "[A-Za-z0-9+/=]{100,}"),
    _token(
        "onepassword_secret_key",
        "A3-",
        "[A-Z0-9]{6}-[A-Z0-9]{6}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}",
    ),
    # AI providers
    _token("anthropic_key", "sk-ant-", rf"{_B64URL}{{20,255}}"),
    _token("openrouter_key", "sk-or-v1-", f"{_HEX}{{64}}"),
    _token(
        "openai_key",
        "sk-",
        rf"(?:proj-|svcacct-|admin-)?{_B64URL}{{20,255}}",
        # Random keys contain digits; sk-some-long-option-name does not.
        validate=_has_digit,
    ),
    _token("groq_key", "gsk_", "[A-Za-z0-9]{52}"),
    _token("perplexity_key", "pplx-", "[A-Za-z0-9]{48}"),
    _token("xai_key", "xai-", "[A-Za-z0-9]{80}"),
    _token("replicate_token", "r8_", "[A-Za-z0-9]{37}"),
    _token("huggingface_token", "hf_", "[A-Za-z0-9]{30,}", validate=_has_digit),
    _token("huggingface_token", "api_org_", "[A-Za-z0-9]{30,}", validate=_has_digit),
    _token("pinecone_key", "pcsk_", "[A-Za-z0-9_]{40,}"),
    _token("langsmith_key", "lsv2_", f"(?:pt|sk)_{_HEX}{{32}}_{_HEX}{{10}}"),
    _token("nvidia_key", "nvapi-", rf"{_B64URL}{{64}}"),
    _token("tavily_key", "tvly-", "(?:dev-)?[A-Za-z0-9]{32}"),
    _token("elevenlabs_key", "sk_", f"{_HEX}{{48}}"),
    # Messaging, mail and chat
    _token(
        "slack_token", "xox", r"(?:[abposre]|e\.xox[bp])-[A-Za-z0-9\-]{10,255}", validate=_has_digit
    ),
    _token("slack_token", "xapp-", r"[A-Za-z0-9\-]{10,255}", validate=_has_digit),
    *_tokens(
        "discord_token",
        "M N O",
        rf"[A-Za-z0-9_\-]{{23,27}}\.{_B64URL}{{6}}\.{_B64URL}{{27,38}}",
        validate=_discord_bot_token,
    ),
    _token("sendgrid_key", "SG.", rf"{_B64URL}{{22}}\.{_B64URL}{{43}}"),
    _token("mailgun_key", "key-", f"{_HEX}{{32}}"),
    *_tokens("brevo_key", "xkeysib- xsmtpsib-", f"{_HEX}{{64}}-[A-Za-z0-9]{{16}}"),
    _token("twilio_key", "SK", "[0-9a-fA-F]{32}", validate=_random_looking),
    Rule(
        "twilio_auth_token",
        # An auth token passed beside its account SID ("AC…", "…" / AC…:… / AC… …).
        rf"AC{_HEX}{{32}}['\"]?(?:[ \t]*[,:][ \t]*|[ \t]+)['\"]?({_HEX}{{32}}){_TAIL}",
        ("ac",),
    ),
    _token("resend_key", "re_", "[A-Za-z0-9]{8}_[A-Za-z0-9]{24}"),
    _token("postman_key", "PMAK-", f"{_HEX}{{24}}-{_HEX}{{34}}"),
    _token("mailersend_token", "mlsn.", f"{_HEX}{{64}}"),
    _token("intercom_token", "dG9rO", "[A-Za-z0-9+/=_]{40,}"),  # base64 of "tok:…"
    *_tokens("hubspot_token", "pat-na1- pat-eu1-", _UUID),
    # Payments and commerce
    *_tokens("stripe_key", "sk_live_ sk_test_ rk_live_ rk_test_", "[A-Za-z0-9]{16,255}"),
    _token("stripe_key", "whsec_", "[A-Za-z0-9]{20,255}"),
    _token("square_token", "sq0atp-", rf"{_B64URL}{{22}}"),
    _token("square_token", "sq0csp-", rf"{_B64URL}{{43}}"),
    _token("square_token", "EAAA", rf"{_B64URL}{{60}}"),
    _token("meta_access_token", "EAA", "[A-Za-z0-9]{80,}"),
    *_tokens("shopify_token", "shpat_ shpca_ shppa_ shpss_", "[a-fA-F0-9]{32}"),
    *_tokens("woocommerce_key", "ck_ cs_", f"{_HEX}{{40}}"),
    _token("flutterwave_key", "FLWSECK", "(?:_TEST)?-[A-Za-z0-9]{32}-X"),
    *_tokens("shippo_token", "shippo_live_ shippo_test_", f"{_HEX}{{40}}"),
    *_tokens("duffel_token", "duffel_live_ duffel_test_", r"[A-Za-z0-9_=\-]{43}"),
    _token("easypost_key", "EZAK", "[A-Za-z0-9]{54}"),
    _token("easypost_key", "EZTK", "[A-Za-z0-9]{54}"),
    _token("mercadopago_token", "APP_USR-", f"[0-9]{{16}}-[0-9]{{6}}-{_HEX}{{32}}-[0-9]{{9}}"),
    *_tokens("plaid_token", "access-sandbox- access-development- access-production-", _UUID),
    _token("salesforce_session", "00D", r"[A-Za-z0-9]{12,15}![A-Za-z0-9._]{80,}"),
    # Observability
    _token("sentry_token", "sntrys_", "[A-Za-z0-9+/=_]{60,}"),
    _token("sentry_token", "sntryu_", f"{_HEX}{{64}}"),
    _token("grafana_token", "glc_", "[A-Za-z0-9+/]{32,}={0,2}"),
    _token("grafana_token", "glsa_", "[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}"),
    _token("newrelic_key", "NRAK-", "[A-Z0-9]{27}"),
    _token("newrelic_key", "NRII-", rf"{_B64URL}{{32}}"),
    _token("newrelic_key", "NRJS-", f"{_HEX}{{19}}"),
    _token("dynatrace_token", "dt0c01.", r"[A-Z0-9]{24}\.[A-Z0-9]{64}"),
    # Productivity and SaaS APIs
    _token("linear_key", "lin_api_", "[A-Za-z0-9]{40}"),
    _token("linear_key", "lin_oauth_", f"{_HEX}{{64}}"),
    _token("notion_token", "secret_", "[A-Za-z0-9]{43}", validate=_has_digit),
    _token("notion_token", "ntn_", "[0-9]{11}[A-Za-z0-9]{35}"),
    _token("airtable_token", "pat", rf"[A-Za-z0-9]{{14}}\.{_HEX}{{64}}"),
    _token("figma_token", "figd_", rf"{_B64URL}{{40,}}"),
    _token("contentful_token", "CFPAT-", rf"{_B64URL}{{43}}"),
    _token("frameio_token", "fio-u-", r"[A-Za-z0-9_=\-]{64}"),
    _token("prefect_key", "pnu_", "[A-Za-z0-9]{36}"),
    _token("readme_key", "rdme_", "[a-z0-9]{70}"),
    _token("scalingo_token", "tk-us-", rf"{_B64URL}{{48}}"),
    _token("typeform_token", "tfp_", r"[A-Za-z0-9_=.\-]{59}"),
    _token("dropbox_token", "sl.", r"(?:u\.)?[A-Za-z0-9_=\-]{130,}"),
    _token("adafruit_key", "aio_", "[A-Za-z0-9]{28}"),
    _token("infracost_key", "ico-", "[A-Za-z0-9]{32}"),
    _token("mapbox_token", "sk.eyJ", rf"{_B64URL}{{40,}}\.{_B64URL}{{20,}}"),
    _token("twitter_bearer_token", "AAAAAAAAAAAAAAAAAAAAA", "[A-Za-z0-9%]{30,}", allow=None),
    # Signed tokens (any issuer)
    _token("jwt", "eyJ", rf"{_B64URL}{{8,}}+\.eyJ{_B64URL}{{8,}}+\.{_B64URL}*+"),
)


# A value given to a flag: quoted (spaces and all) or up to the next space; never an
# environment variable or another flag.
_FLAG_VALUE = r"""(?:'([^'\n]{1,256})'|"([^"\n]{1,256})"|(?![$%\-])([^\s'"]{1,256}))"""
# Names under which a secret is stored in XML and in quoted pairs.
_SECRET_NAME_END = (
    r"(?:password|passwd|pwd|secret|token|api_?key|api-key|access_?key|private_?key|secret_?key"
    r"|client_?secret|auth_?key)"
)

# Whole blocks, redacted before anything else so no other rule nibbles at their lines.
BLOCK_RULES: tuple[Rule, ...] = (
    Rule(
        "private_key",
        # The whole block (in JSON, with its "\\n" escapes and the one after END); a block
        # cut off before its END line is redacted to the end.
        (
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
            r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\\r)?(?:\\n)?|\Z)"
        ),
        ("-----begin",),
    ),
    Rule(
        "private_key",
        (
            r"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----[\s\S]*?(?:---- END SSH2 ENCRYPTED PRIVATE KEY ----|\Z)"
        ),
        ("---- begin ssh2",),
    ),
    Rule(
        "private_key",
        # A PuTTY .ppk file: the lines after "Private-Lines: N" and the MAC.
        r"Private-Lines:[ \t]*[0-9]+\r?\n((?:[A-Za-z0-9+/=]++\r?\n?)++(?:Private-MAC:[^\n]*)?)",
        ("private-lines",),
    ),
)


def _accept_value(value: str) -> bool:
    return _not_a_reference(value) and not _is_placeholder(value)


CONTEXT_RULES: tuple[Rule, ...] = (
    Rule(
        "aws_secret_key",
        r"secret_?access_?key[\"']?[ \t]*[:=][ \t]*[\"']?([a-z0-9/+]{40})(?![a-z0-9/+])",
        ("secret",),
        lowered=True,
    ),
    Rule(
        "url_password",
        # scheme://user:password@host: only the password goes.
        r"://[^\s:/@'\"]{0,256}:([^\s@/'\"]{1,256})@",
        ("://",),
        validate=_not_a_reference,
    ),
    Rule(
        "url_password",
        # A Go DSN without a scheme: user:password@tcp(host:3306)/db.
        r":([^\s:@/'\"()]{1,128})@(?:tcp|unix)\(",
        ("@tcp(", "@unix("),
        validate=_not_a_reference,
    ),
    Rule(
        "authorization",
        # The header says the value is a credential, whatever its shape (Basic base64 too);
        # Proxy-Authorization as well.
        (
            rf"{_word('authorization', 'a-z0-9_')}[\"']?[ \t]*[:=][ \t]*[\"']?"
            r"(?:(?:bearer|basic|token|bot|ssws|apikey|key|digest|oauth|negotiate)[ \t]+)?"
            r"([a-z0-9\-._~+/]{8,}+=*)"
        ),
        ("authorization",),
        lowered=True,
        validate=_not_a_reference,
    ),
    Rule(
        "bearer_token",
        rf"(?:{_word('bearer')}|{_word('ssws')})[ \t]+([a-z0-9\-._~+/]{{12,}}+=*)",
        ("bearer", "ssws"),
        lowered=True,
        validate=_has_digit,  # "Bearer authentication" is prose
    ),
    # Passwords that command-line tools take as flags, found on the tool's own line.
    Rule(
        "password",
        # mysql -pSECRET: only glued ("-p db" asks for the password, db is the database).
        (
            rf"(?:{_word('mysql')}|{_word('mariadb')})[a-z\-]*{_TAIL}[^\n]{{0,300}}?[ \t]-p{_FLAG_VALUE}"
        ),
        ("mysql", "mariadb"),
    ),
    Rule(
        "password",
        (
            rf"(?:{_word('docker')}|{_word('podman')}|{_word('nerdctl')})[ \t]+login{_TAIL}[^\n]{{0,300}}?[ \t]-p(?:[ \t]+|=)?{_FLAG_VALUE}"
        ),
        (" login",),
    ),
    Rule(
        "password",
        rf"{_word('sshpass')}{_TAIL}[^\n]{{0,300}}?[ \t]-p[ \t]*{_FLAG_VALUE}",
        ("sshpass",),
    ),
    Rule(
        "password",
        rf"{_word('redis-cli')}{_TAIL}[^\n]{{0,300}}?[ \t](?:-a|--pass)[ \t]+{_FLAG_VALUE}",
        ("redis-cli",),
    ),
    Rule(
        "password",
        # curl -u user:password (--user, and the same for a proxy); "-u user" alone prompts.
        (
            rf"{_word('curl')}{_TAIL}[^\n]{{0,300}}?[ \t](?:-[uU][ \t]*|--(?:proxy-)?user[ \t=]+)['\"]?[^\s:'\"]*:"
            r"([^\s'\"]+)"
        ),
        ("curl",),
        validate=_not_a_reference,
    ),
    Rule(
        "password",
        r"-pass(?:in|out)?[ \t]+pass:([^\s'\"]+)",  # openssl
        ("pass:",),
    ),
    Rule(
        "password",
        # A password piped into a tool that reads it: echo pw | sudo -S …, … | docker login
        # --password-stdin.
        (
            rf"(?:{_word('echo')}|{_word('printf')})[ \t]+(?:-[ne]+[ \t]+)?{_FLAG_VALUE}[ \t]*\|[ \t]*"
            r"(?:sudo[ \t](?:[^\n|]{0,100}?[ \t])?-[a-z]*S(?![a-z])|[^\n|]{0,200}?--password-stdin)"
        ),
        ("sudo", "--password-stdin"),
        validate=_accept_value,
    ),
    Rule(
        "password",
        # .netrc: "machine host login me password abc123", across lines or on one; the host
        # has a dot (or is localhost), which keeps out prose ("the machine login password …").
        (
            rf"(?:{_word('machine')}[ \t\r\n]+(?:[^\s.]*+\.[^\s]++|localhost)|{_word('default')})"
            r"(?:[ \t\r\n]+(?:login|account)[ \t\r\n]+[^\s]++)*+[ \t\r\n]+password[ \t\r\n]+([^\s]+)"
        ),
        ("machine", "default"),
        lowered=True,
    ),
    Rule(
        "password",
        # requests' auth=("user", "pw"), HTTPBasicAuth("user", "pw"), Go's SetBasicAuth(u, "pw").
        (
            r"(?:auth[ \t]*=[ \t]*\(|basic_?auth\()[ \t]*(?:([\"'])[^\"'\n]{0,256}\1|[a-z_][a-z0-9_.]*)"
            r"[ \t]*,[ \t]*([\"'])(?P<secret>[^\"'\n]{1,256})\2"
        ),
        ("auth",),
        lowered=True,
        validate=_accept_value,
    ),
    Rule(
        "secret",
        # XML: <password>pw</password>, <add key="DbPassword" value="pw"/>.
        (
            rf"<((?:[a-z0-9_\-]+:)?[a-z0-9_\-]{{0,40}}{_SECRET_NAME_END})(?:[ \t][^<>\n]{{0,200}})?>"
            r"(?P<secret>[^<>\n]{1,256})</\1>"
        ),
        ("</",),
        lowered=True,
        validate=_accept_value,
    ),
    Rule(
        "secret",
        (
            rf"(?:key|name)=([\"'])[^\"'\n]{{0,40}}{_SECRET_NAME_END}\1[ \t]+value=([\"'])(?P<secret>[^\"'\n]{{1,256}})\2"
        ),
        ("value=",),
        lowered=True,
        validate=_accept_value,
    ),
    Rule(
        "docker_config",
        # ~/.docker/config.json: "auth" is base64 of user:password.
        r"\"auth\"[ \t]*:[ \t]*\"([a-z0-9+/]{8,}={0,2})\"",
        ('"auth"',),
        lowered=True,
    ),
    Rule(
        "azure_storage_key",
        # A shared access signature's signature, in a URL or a connection string.
        r"sig=(?<=[?&;]sig=)([A-Za-z0-9%+/=]{16,})",
        ("sig=",),
    ),
    Rule(
        "azure_client_secret",
        # Azure AD application secrets carry "Q~" after three characters and a digit.
        (
            r"Q~(?<=(?<![A-Za-z0-9_~.\-])[A-Za-z0-9_~.]{3}[0-9]Q~)[A-Za-z0-9_~.\-]{31,34}(?![A-Za-z0-9_~.\-])"
        ),
        ("q~",),
        reach_back=4,
    ),
    Rule(
        "telegram_bot_token",
        # <bot id>:AA…: the part after the colon is the secret.
        r":(?<=[0-9]{5}:)(AA[A-Za-z0-9_\-]{33})(?![A-Za-z0-9_\-])",
        (":aa",),
    ),
    Rule(
        "mailchimp_key",
        r"-us(?<=(?<![0-9a-f])[0-9a-f]{32}-us)[0-9]{1,2}(?![A-Za-z0-9_\-])",
        ("-us",),
        reach_back=32,
    ),
    Rule(
        "terraform_token",
        (
            r"\.atlasv1\.(?<=(?<![A-Za-z0-9])[A-Za-z0-9]{14}\.atlasv1\.)[A-Za-z0-9_=\-]{60,70}(?![A-Za-z0-9_=\-])"
        ),
        (".atlasv1.",),
        reach_back=14,
    ),
    Rule(
        "google_oauth_token",
        rf"{_word('1//0')}[A-Za-z0-9_\-]{{40,}}",  # a refresh token
        ("1//0",),
    ),
    Rule(
        "braintree_token",
        rf"access_token\$(?:production|sandbox)\$[a-z0-9]{{16}}\${_HEX}{{32}}",
        ("access_token$",),
    ),
    Rule(
        "firebase_key",
        r":(APA91b[A-Za-z0-9_\-]{100,})",  # an FCM server key
        (":apa91b",),
    ),
    Rule(
        "twitch_token",
        rf"{_word('oauth:')}([a-z0-9]{{30}})(?![A-Za-z0-9_\-])",  # a chat (IRC) token
        ("oauth:",),
    ),
    Rule(
        "ngrok_token",
        r"add-authtoken[ \t]+([A-Za-z0-9_]{20,})",
        ("add-authtoken",),
    ),
    # Webhook URLs: whoever has the path can post.
    Rule(
        "slack_webhook",
        r"hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9/_\-]{20,})",
        ("hook",),
    ),
    Rule(
        "discord_webhook",
        r"discord(?:app)?\.com/api/webhooks/[0-9]{15,22}/([A-Za-z0-9_\-]{60,70})",
        ("hook",),
    ),
    Rule(
        "teams_webhook",
        r"\.webhook\.office\.com/webhookb2/([^\s\"'<>]{40,})",
        ("hook",),
    ),
    Rule(
        "zapier_webhook",
        r"hooks\.zapier\.com/hooks/catch/([0-9]+/[A-Za-z0-9]+)",
        ("hook",),
    ),
)


# --- values given to secret-sounding names -------------------------------------------------

# The characters of a value written without quotes.
_BARE = r"""[^\s"'`,;()\[\]{}<>]"""
# "key" alone names many things (dict keys, sort keys, primary_key); only these kinds of key
# are secrets: api_key, apiKey, PRIVATE-KEY, client.key, AccountKey, AZURE_STORAGE_KEY.
_SECRET_KEY_KINDS = (
    "api",
    "access",
    "private",
    "auth",
    "encryption",
    "signing",
    "master",
    "license",
    "secret",
    "client",
    "account",
    "storage",
    "app",
    "subscription",
    "admin",
    "deploy",
    "consumer",
)
_SECRET_KEY = (
    "key(?:"
    + "|".join(
        f"(?<={kind}{separator}key)" for kind in _SECRET_KEY_KINDS for separator in ("", "[_.\\-]")
    )
    + ")"
)
# One search over the lowercased text finds a keyword, the rest of the identifier, then
# "=", ":", ":=", "=>" or (for a flag: --password hunter2) spaces, and the value. Values
# that are plainly code are refused here, without Python work per hit (terminal output can
# hold thousands of "token=get_token()"): references ($X, %X%, ./x), other flags, calls and
# subscripts (get_token(), os.environ["X"]) and dotted names (self.password). The quantifiers
# after the keyword are possessive: none of them can give back a character the next part
# could use, so no input makes the search backtrack.
_NAMED_VALUE = re.compile(
    # password, passwd, passphrase, pass (not passport), pwd, pat (a personal access token,
    # not path), secret, token, credential(s), key
    rf"(?:p(?:ass(?:word|wd|phrase|(?![a-z]))|wd|at(?![a-z]))|secret|token|credentials?|{_SECRET_KEY})"
    r"(?P<suffix>[a-z0-9_\-]{0,30}+)"
    r"[\"']?(?:[ \t]*+(?P<separator>:=|=>|=|:|,(?=[ \t]*[\"']))[ \t]*+|[ \t]++)"
    r"(?:(?P<quote>[\"'])(?P<quoted>[^\"'\n]{1,256})(?P=quote)"
    rf"|(?![$%=&*/~\-]|\.\.?/|[a-z_][a-z0-9_]*+(?:\.[a-z_][a-z0-9_]*+)++(?!{_BARE}))"
    # One or two characters are never a secret (x, 42, pw as a variable).
    rf"(?P<bare>{_BARE}{{3,256}}+)(?![(\[]))"
)
# Literals of which one must occur for the search to run at all.
_NAME_HINTS = ("pass", "pwd", "pat", "secret", "token", "credential", "key")
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
    "optional secretstr required redacted hidden masked new await async function lambda yield "
    "return typeof require this self".split()
)
# Documentation's stand-ins for a secret: "YOUR_API_KEY", "your-client-secret here".
_YOUR_SECRET = re.compile(r"(?i)your[a-z_\- ]*(?:pass|pwd|secret|token|key|credential)[a-z_\- ]*")
# The humps of camelCase and CamelCase, and runs of capitals: TokenResponseV2, OAuth2Token.
_WORD_HUMP = re.compile(r"^[a-z]{2,}|[A-Z][a-z]{2,}|[A-Z]{3,}(?![a-z])")
# What a written word has and a random draw of letters mostly lacks: a vowel, and no four
# consonants in a row.
_VOWEL = re.compile(r"[aeiouyAEIOUY]")
_CONSONANT_RUN = re.compile(r"[^aeiouyAEIOUY0-9]{4}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CAMEL_WORD = re.compile(r"[A-Z][a-z0-9]+")
_CAMEL_HUMP = re.compile(r"[a-z0-9][A-Z]")


def _char_classes(value: str) -> int:
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def _is_placeholder(value: str) -> bool:
    return (
        value.lower() in _NOT_A_VALUE
        or set(value) <= set("*xX.-_#")
        or _TEMPLATE.search(value) is not None
        or _YOUR_SECRET.fullmatch(value) is not None
    )


_SEPARATED = re.compile(r"[a-zA-Z][_\- ][a-zA-Z]")


_NAME_SEPARATORS = re.compile(r"[_\-. ]")


def _squashed(name: str) -> str:
    return _NAME_SEPARATORS.sub("", name.lower())


def _reads_as_words(value: str) -> bool:
    """An identifier (a type, a class: TokenResponseV2) rather than a random token: two or
    more words make up most of it. Only mixed case tells; in one case, random letters run on
    as long as words do. About one random 12-character token in 500 reads as words."""
    if value.islower() or value.isupper():
        return False
    words = [
        hump
        for hump in _WORD_HUMP.findall(value)
        if len(hump) >= 3
        and (hump.isupper() or (_VOWEL.search(hump) and not _CONSONANT_RUN.search(hump)))
    ]
    return len(words) >= 2 and sum(map(len, words)) >= 0.8 * len(value)


def _names_a_variable(value: str, name: str) -> bool:
    """password=password, password=db_password, token=accessToken: code that passes a
    variable on. A real password that happens to be a word (PASSWORD=password) is written
    unlike its name."""
    if not _IDENTIFIER.fullmatch(value):
        return False
    if value == name or value == name.rsplit(".", 1)[-1]:  # self.password = password
        return True
    lowered = value.lower()
    return ("_" in value or _CAMEL_HUMP.search(value) is not None) and any(
        hint in lowered for hint in _NAME_HINTS
    )


def _looks_like_password(value: str) -> bool:
    # Something with digits or symbols in it, or a long string.
    return (len(value) >= 4 and _char_classes(value) >= 2 and not value.isalpha()) or len(
        value
    ) >= 12


def _looks_like_token(value: str) -> bool:
    # Tokens and keys are long, random and nearly always hold a digit.
    return (
        len(value) >= 12
        and " " not in value
        and _has_digit(value)
        and any(c.isalpha() for c in value)
        and _entropy(value) >= 3.0
        and not _reads_as_words(value)
    )


def _name_start(lowered: str, keyword_at: int) -> int:
    start = keyword_at
    while start > 0 and keyword_at - start < 60 and lowered[start - 1] in _NAME_CHARS:
        start -= 1
    return start


def _continues_a_word(text: str, keyword_at: int) -> bool:
    """ "pass" in bypass or BYPASS (and "pat" in spat), but not in DB_PASS or dbPass."""
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
    if len(_CAMEL_WORD.findall(suffix_written)) >= 2 and not suffix_written.isupper():
        return None  # SubmitPasswordResultV2 =, PasswordResetTimeoutInMs =: a type or a constant's name
    if suffix_written and _DESCRIPTIVE_SUFFIX.search(_squashed(suffix_written)):
        return None
    quoted = match.group("quoted") is not None
    start, end = match.span("quoted" if quoted else "bare")
    value = text[start:end]
    if value.startswith(REDACTED_PREFIX) or _is_placeholder(value):
        return None
    separator = match.group("separator")
    name_start = _name_start(lowered, keyword_at)
    if separator == "," and not (
        quoted
        and text[match.end("suffix") : match.end("suffix") + 1] in "\"'"
        and text[name_start - 1 : name_start] in ("'", '"')
    ):
        return None  # only a quoted name and value make a pair: define('DB_PASSWORD', 'pw')
    if value.startswith(("/", "~/")):
        return None  # a path: PWD: '/home/dev', password_file: "/run/secrets/db"
    if separator is None and not lowered.startswith("-", name_start):
        return None  # "password is wrong": prose, not a flag
    keyword = lowered[keyword_at : match.start("suffix")]
    # bypass, BYPASS, spat; pass_rate, pass_count: other words that hold "pass" or "pat".
    if keyword in ("pass", "pat") and (_continues_a_word(text, keyword_at) or suffix_written):
        return None
    name = lowered[name_start:keyword_at] + keyword
    written_name = text[name_start : match.end("suffix")]
    if _SEPARATED.search(value) and _squashed(value) == _squashed(written_name.rsplit(".", 1)[-1]):
        return None  # clientSecret: "client-secret": the name again, standing in for the secret
    is_password = "pass" in name or "pwd" in name
    if is_password or "secret" in name:
        secret = quoted or (
            not _names_a_variable(value, written_name)
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
    if "token" in name or keyword == "pat":
        return start, end, "token"
    return start, end, "api_key" if "api" in name else "secret"


def _redact_named_values(text: str, lowered: str, kinds: list[str]) -> str:
    pieces: list[str] = []
    kept_until = 0
    search_from = 0
    while (match := _NAMED_VALUE.search(lowered, search_from)) is not None:
        found = _named_value(text, lowered, match)
        if found is None:
            search_from = (
                match.start() + 1
            )  # a later keyword inside this match may still name a secret
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


# --- running the rules ---------------------------------------------------------------------

# A run of token characters long enough to hold a provider token; its start is where a
# prefix is looked up. A match always starts where its run does (the scan reaches a run's
# first character before any other) and takes the run whole, so no look-behind is needed.
_RUN = re.compile(r"[A-Za-z0-9_\-.]{16}[A-Za-z0-9_\-.]*+")


def _index_by_head(rules: tuple[Rule, ...]) -> dict[str, tuple[tuple[str, Rule], ...]]:
    """Rules by the first two characters of their prefix (one for one-character prefixes),
    longest prefix first: one dictionary look-up per run finds the few to try."""
    index: dict[str, list[tuple[str, Rule]]] = {}
    for rule in rules:
        for prefix in rule.keywords:
            index.setdefault(prefix[:2], []).append((prefix, rule))
    return {
        head: tuple(sorted(found, key=lambda item: -len(item[0]))) for head, found in index.items()
    }


_TOKENS_BY_HEAD = _index_by_head(PROVIDER_TOKENS)


def _secret_span(rule: Rule, match: re.Match[str]) -> tuple[int, int]:
    if "secret" in match.re.groupindex:
        return match.span("secret")
    for group in range(1, (match.re.groups or 0) + 1):
        if match.start(group) != -1:
            return match.span(group)
    return max(0, match.start() - rule.reach_back), match.end()


def _is_secret(rule: Rule, secret: str) -> bool:
    if rule.validate is not None and not rule.validate(secret):
        return False
    return rule.allow is None or rule.allow.search(secret) is None


def _replace(text: str, spans: list[tuple[int, int, str]], kinds: list[str]) -> str:
    """``text`` with each (start, end, kind) span, in order and apart, replaced by its marker."""
    if not spans:
        return text
    pieces: list[str] = []
    kept_until = 0
    for start, end, kind in spans:
        pieces += (text[kept_until:start], _marker(kind))
        kept_until = end
        if kind not in kinds:
            kinds.append(kind)
    pieces.append(text[kept_until:])
    return "".join(pieces)


def _provider_token_at(
    text: str, lowered: str, at: int, candidates: tuple[tuple[str, Rule], ...]
) -> tuple[int, int, str] | None:
    """The first of the candidate rules whose token starts at ``at``, longest prefix first."""
    for prefix, rule in candidates:
        if not lowered.startswith(prefix, at):
            continue
        match = rule.pattern.match(text, at)
        if match is not None:
            start, end = _secret_span(rule, match)
            if _is_secret(rule, text[start:end]):
                return start, end, rule.kind
    return None


def _redact_provider_tokens(text: str, lowered: str, kinds: list[str]) -> str:
    spans: list[tuple[int, int, str]] = []
    by_head = _TOKENS_BY_HEAD
    for run in _RUN.finditer(lowered):
        at = run.start()
        candidates = by_head.get(lowered[at : at + 2], ()) + by_head.get(lowered[at], ())
        if not candidates or (spans and at < spans[-1][1]):
            continue  # no prefix starts so, or inside a token found already (its body may hold "/")
        found = _provider_token_at(text, lowered, at, candidates)
        if found is not None:
            spans.append(found)
    return _replace(text, spans, kinds)


def _redact_rule(text: str, lowered: str, rule: Rule, kinds: list[str]) -> str:
    spans: list[tuple[int, int, str]] = []
    for match in rule.pattern.finditer(lowered if rule.lowered else text):
        start, end = _secret_span(rule, match)
        if (not spans or start >= spans[-1][1]) and _is_secret(rule, text[start:end]):
            spans.append((start, end, rule.kind))
    return _replace(text, spans, kinds)


# --- private keys whose BEGIN line is gone -----------------------------------------------------

_KEY_END = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_KEY_BODY_LINE = re.compile(r"[A-Za-z0-9+/=]+|(?:Proc-Type|DEK-Info|Version|Comment):[^\n]*")


def _redact_headless_private_keys(text: str, kinds: list[str]) -> str:
    """The body of a private key whose BEGIN line was cut off before Vidurai saw it (the
    editor sends only the last kilobytes of a command's output): the base64 lines above an
    END line that has no BEGIN (blocks that have one are gone already)."""
    spans: list[tuple[int, int, str]] = []
    for end in _KEY_END.finditer(text):
        body_start = end.start()
        floor = spans[-1][1] if spans else 0
        while body_start > floor:
            newline = text.rfind("\n", floor, body_start)
            line_end = newline if newline != -1 else floor
            line_start = text.rfind("\n", floor, line_end) + 1 if line_end > floor else floor
            line = text[line_start:line_end].strip()
            if newline == -1 or not line or not _KEY_BODY_LINE.fullmatch(line):
                break
            body_start = line_start
        if body_start < end.start():
            spans.append((body_start, end.end(), "private_key"))
    return _replace(text, spans, kinds)


# --- Kubernetes Secret manifests ----------------------------------------------------------------

_SECRET_DATA_HEADER = re.compile(r"^([ \t]*)(?:data|stringdata):[ \t]*\r?$", re.MULTILINE)
_YAML_ENTRY = re.compile(r"[ \t]*[^\s:#][^:\n]*:(?:[ \t]+([^\n]*?))?[ \t]*\r?$")
_BLOCK_SCALAR = re.compile(r"[|>][+\-]?")


def _redact_kubernetes_secret_data(text: str, lowered: str, kinds: list[str]) -> str:
    """Every value under ``data:`` and ``stringData:`` of a ``kind: Secret`` manifest, whatever
    its name (.dockerconfigjson, tls.key, config.yaml): all of them are the secret."""
    if "kind: secret" not in lowered:
        return text
    spans: list[tuple[int, int, str]] = []
    for header in _SECRET_DATA_HEADER.finditer(lowered):
        indent = len(header.group(1).expandtabs())
        position = header.end() + 1
        while position < len(text):
            line_end = text.find("\n", position)
            line_end = len(text) if line_end == -1 else line_end
            line = text[position:line_end]
            content = line.strip()
            if content and len(line) - len(line.lstrip()) <= indent:
                break  # the block has ended
            entry = _YAML_ENTRY.fullmatch(line)
            if entry is None:
                value_at = line.index(content) if content else -1  # a line of a block scalar
                value = content
            elif entry.group(1):
                value_at, value = entry.start(1), entry.group(1)
            else:
                value = ""
            if (
                value
                and not _BLOCK_SCALAR.fullmatch(value)
                and not value.startswith(REDACTED_PREFIX)
            ):
                spans.append(
                    (position + value_at, position + value_at + len(value), "kubernetes_secret")
                )
            position = line_end + 1
    return _replace(text, sorted(spans), kinds)


# Characters from rarest to commonest in code and logs. A keyword's rarest character is looked
# for first: one character is found many times faster than a word, and most texts lack most
# of the rare ones (a base64 blob has no "<", "@", "~" or ":").
_RARITY = "~$<>@|(#;!*^`'\"[]{}):/=\\- _.0123456789zqxjkvbpygfwmucldhrsnioate"


@functools.cache
def _rarest_character(keyword: str) -> str:
    return min(keyword, key=lambda char: _RARITY.index(char) if char in _RARITY else len(_RARITY))


class _KeywordPresence:
    """Whether a keyword occurs in a text, each keyword and character looked up once (rules
    share keywords; what a marker adds later needs no rule)."""

    def __init__(self, lowered: str) -> None:
        self._lowered = lowered
        self._known: dict[str, bool] = {}

    def __call__(self, keyword: str) -> bool:
        found = self._known.get(keyword)
        if found is None:
            rare = _rarest_character(keyword)
            if rare not in self._known:
                self._known[rare] = rare in self._lowered
            found = self._known[keyword] = self._known[rare] and keyword in self._lowered
        return found


def redact_with_kinds(text: str) -> tuple[str, list[str]]:
    """The text with every secret replaced by ``[REDACTED:<kind>]``, and the kinds found
    (in the order the rules found them, without repeats)."""
    kinds: list[str] = []
    if not text:
        return text, kinds
    lowered = text.translate(_ASCII_LOWER)

    def apply(redacted: str) -> None:
        nonlocal text, lowered
        if redacted is not text:
            text, lowered = redacted, redacted.translate(_ASCII_LOWER)

    # In a short text (a line, a message) a plain search is cheaper than any bookkeeping.
    present = lowered.__contains__ if len(lowered) < 4096 else _KeywordPresence(lowered)
    for rule in BLOCK_RULES:
        if any(map(present, rule.keywords)):
            apply(_redact_rule(text, lowered, rule, kinds))
    if present("-----end"):
        apply(_redact_headless_private_keys(text, kinds))
    apply(_redact_provider_tokens(text, lowered, kinds))
    for rule in CONTEXT_RULES:
        if any(map(present, rule.keywords)):
            apply(_redact_rule(text, lowered, rule, kinds))
    apply(_redact_kubernetes_secret_data(text, lowered, kinds))
    if any(map(present, _NAME_HINTS)):
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
    ".pem",
    ".key",
    ".p12",
    ".pfx",
    ".jks",
    ".keystore",
    ".ppk",
    ".env",
    ".tfvars",
    ".tfstate",
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
