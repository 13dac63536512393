"""A corpus of fake secrets in the places developers leave them, and of harmless look-alikes.

Shared by the redaction tests (tests/server/test_redaction_corpus.py) and the benchmark
(bench/bench_redact.py, which also scores detect-secrets on it).

Every fake secret is assembled at import time from a provider's documented prefix and a
seeded random body, so the file holds no token a secret scanner (or GitHub push protection)
would flag, yet each case reads as what it imitates: `Case("github_token", "export
GH_TOKEN={}", ghp)` is a GitHub token exported in a shell. ``secret`` is the part that must
never be stored.
"""

from __future__ import annotations

import base64
import random
import string
from dataclasses import dataclass

_random = random.Random(20240612)


def _pick(alphabet: str, length: int) -> str:
    while True:
        value = "".join(_random.choice(alphabet) for _ in range(length))
        # Real tokens mix characters; a draw without a digit or letter would be a poor imitation.
        if length < 8 or (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
            return value


def alnum(length: int) -> str:
    return _pick(string.ascii_letters + string.digits, length)


def lower_alnum(length: int) -> str:
    return _pick(string.ascii_lowercase + string.digits, length)


def upper_alnum(length: int) -> str:
    return _pick(string.ascii_uppercase + string.digits, length)


def hexa(length: int) -> str:
    return _pick("0123456789abcdef", length)


def b64url(length: int) -> str:
    return _pick(string.ascii_letters + string.digits + "-_", length)


def b64(length: int) -> str:
    return _pick(string.ascii_letters + string.digits + "+/", length)


def uuid() -> str:
    h = hexa(32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def encoded(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass(frozen=True)
class Case:
    kind: str
    text: str
    secret: str


# --- provider tokens: (kind, environment variable, token) ----------------------------------

_BEGIN, _END = "-----BEGIN ", "-----END "
_PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ" + b64(40)


def _pem(label: str) -> str:
    return f"{_BEGIN}{label}PRIVATE KEY-----\n{_PEM_BODY}\n{b64(64)}\n{_END}{label}PRIVATE KEY-----"


def _discord_token() -> str:
    bot_id = str(_random.randrange(10**17, 10**18))
    return encoded(bot_id).rstrip("=") + "." + b64url(6) + "." + b64url(27)


PROVIDERS: list[tuple[str, str, str]] = [
    ("github_token", "GH_TOKEN", "ghp_" + alnum(36)),
    ("github_oauth", "GITHUB_OAUTH_TOKEN", "gho_" + alnum(36)),
    ("github_app_token", "GITHUB_APP_TOKEN", "ghs_" + alnum(36)),
    ("github_refresh_token", "GITHUB_REFRESH", "ghr_" + alnum(36)),
    ("github_fine_grained_pat", "GITHUB_PAT", "github_pat_" + alnum(22) + "_" + alnum(59)),
    ("gitlab_pat", "GITLAB_TOKEN", "glpat-" + b64url(20)),
    ("gitlab_deploy_token", "GITLAB_DEPLOY", "gldt-" + b64url(20)),
    ("gitlab_runner_token", "RUNNER_TOKEN", "glrt-" + b64url(20)),
    ("gitlab_runner_registration", "REGISTRATION", "GR1348941" + b64url(20)),
    ("bitbucket_app_password", "BITBUCKET_APP", "ATBB" + alnum(32)),
    ("atlassian_api_token", "JIRA_API", "ATATT3xFfGF0" + b64url(180)),
    ("buildkite_token", "BUILDKITE_AGENT", "bkua_" + hexa(40)),
    ("circleci_pat", "CIRCLE", "CCIPAT_" + alnum(22) + "_" + hexa(40)),
    ("sonarqube_token", "SONAR", "squ_" + hexa(40)),
    ("jfrog_api_key", "ARTIFACTORY", "AKCp" + alnum(69)),
    ("octopus_api_key", "OCTOPUS_CLI", "API-" + upper_alnum(26)),
    ("rubygems_key", "GEM_HOST", "rubygems_" + hexa(48)),
    ("clojars_token", "CLOJARS_DEPLOY", "CLOJARS_" + lower_alnum(60)),
    ("nuget_key", "NUGET_PUSH", "oy2" + lower_alnum(43)),
    ("npm_token", "NPM_TOKEN", "npm_" + alnum(36)),
    ("pypi_token", "TWINE_PASSWORD", "pypi-AgEIcHlwaS5vcmc" + b64url(60)),
    ("aws_access_key_id", "AWS_ACCESS_KEY_ID", "AKIA" + upper_alnum(16)),
    ("aws_sts_key_id", "AWS_SESSION_KEY_ID", "ASIA" + upper_alnum(16)),
    ("google_api_key", "GOOGLE_MAPS", "AIza" + b64url(35)),
    ("google_oauth_client_secret", "GOOGLE_CLIENT", "GOCSPX-" + b64url(28)),
    ("google_oauth_access_token", "GOOGLE_ACCESS", "ya29.a0" + b64url(60)),
    ("google_refresh_token", "GOOGLE_REFRESH", "1//0" + b64url(60)),
    ("alibaba_access_key", "ALIYUN", "LTAI" + alnum(20)),
    ("tencent_secret_id", "TENCENT", "AKID" + alnum(32)),
    ("yandex_api_key", "YC_API", "AQVN" + b64url(36)),
    ("digitalocean_pat", "DIGITALOCEAN", "dop_v1_" + hexa(64)),
    ("digitalocean_oauth", "DO_OAUTH", "doo_v1_" + hexa(64)),
    ("heroku_api_key", "HEROKU_API", "HRKU-AA" + b64url(58)),
    ("databricks_token", "DATABRICKS", "dapi" + hexa(32)),
    ("cloudflare_origin_ca_key", "CF_ORIGIN_CA", "v1.0-" + hexa(24) + "-" + hexa(146)),
    (
        "cloudflare_tunnel_token",
        "TUNNEL",
        encoded('{"a":"' + hexa(32) + '","t":"' + uuid() + '","s":"' + b64(44) + '"}'),
    ),
    ("fly_token", "FLY_API", "fo1_" + b64url(43)),
    ("netlify_token", "NETLIFY_AUTH", "nfp_" + alnum(36)),
    ("supabase_token", "SUPABASE_ACCESS", "sbp_" + hexa(40)),
    ("planetscale_token", "PLANETSCALE", "pscale_tkn_" + b64url(43)),
    ("doppler_token", "DOPPLER", "dp.pt." + alnum(43)),
    ("pulumi_token", "PULUMI_ACCESS", "pul-" + hexa(40)),
    ("tailscale_auth_key", "TS_AUTHKEY", "tskey-auth-" + alnum(12) + "-" + alnum(30)),
    ("vault_service_token", "VAULT", "hvs." + b64url(90)),
    ("vault_batch_token", "VAULT_BATCH", "hvb." + b64url(90)),
    ("docker_hub_pat", "DOCKERHUB", "dckr_pat_" + b64url(27)),
    (
        "age_secret_key",
        "SOPS_AGE_KEY",
        "AGE-SECRET-KEY-1"
        + "".join(_random.choice("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L") for _ in range(58)),
    ),
    (
        "onepassword_service_token",
        "OP_SERVICE_ACCOUNT",
        "ops_"
        + encoded(
            '{"signInAddress":"my.1password.com","userAuth":{"method":"SRPg-4096","alg":"PBES2g-HS256"},"email":"'
            + lower_alnum(20)
            + '@1passwordserviceaccounts.com","srpX":"'
            + hexa(64)
            + '"}'
        ),
    ),
    ("terraform_cloud_token", "TFE", alnum(14) + ".atlasv1." + b64url(67)),
    ("azure_ad_client_secret", "AZURE_CLIENT", alnum(3) + "8Q~" + b64url(34).replace("-", "~")),
    ("anthropic_key", "ANTHROPIC_API", "sk-ant-api03-" + b64url(93) + "AA"),
    ("openai_key", "OPENAI_API", "sk-proj-" + b64url(48) + "T3BlbkFJ" + b64url(48)),
    ("openrouter_key", "OPENROUTER", "sk-or-v1-" + hexa(64)),
    ("groq_key", "GROQ_API", "gsk_" + alnum(52)),
    ("perplexity_key", "PPLX", "pplx-" + alnum(48)),
    ("xai_key", "XAI_API", "xai-" + alnum(80)),
    ("replicate_token", "REPLICATE_API", "r8_" + alnum(37)),
    ("huggingface_token", "HF_TOKEN", "hf_" + alnum(34)),
    ("pinecone_key", "PINECONE_API", "pcsk_" + alnum(6) + "_" + alnum(60)),
    ("langsmith_key", "LANGCHAIN_API", "lsv2_pt_" + hexa(32) + "_" + hexa(10)),
    (
        "slack_bot_token",
        "SLACK_BOT",
        "xoxb-"
        + str(_random.randrange(10**11, 10**12))
        + "-"
        + str(_random.randrange(10**12, 10**13))
        + "-"
        + alnum(24),
    ),
    (
        "slack_user_token",
        "SLACK_USER",
        "xoxp-"
        + str(_random.randrange(10**11, 10**12))
        + "-"
        + str(_random.randrange(10**11, 10**12))
        + "-"
        + str(_random.randrange(10**12, 10**13))
        + "-"
        + hexa(32),
    ),
    (
        "slack_app_token",
        "SLACK_APP",
        "xapp-1-A"
        + upper_alnum(10)
        + "-"
        + str(_random.randrange(10**12, 10**13))
        + "-"
        + hexa(64),
    ),
    ("discord_bot_token", "DISCORD_BOT", _discord_token()),
    ("sendgrid_key", "SENDGRID_API", "SG." + b64url(22) + "." + b64url(43)),
    ("mailgun_key", "MAILGUN_API", "key-" + hexa(32)),
    ("mailchimp_key", "MAILCHIMP_API", hexa(32) + "-us21"),
    ("brevo_key", "BREVO_API", "xkeysib-" + hexa(64) + "-" + alnum(16)),
    ("twilio_api_key", "TWILIO_API", "SK" + hexa(32)),
    (
        "telegram_bot_token",
        "TELEGRAM_BOT",
        str(_random.randrange(10**9, 10**10)) + ":AA" + b64url(33),
    ),
    ("resend_key", "RESEND_API", "re_" + alnum(8) + "_" + alnum(24)),
    ("postman_key", "POSTMAN_API", "PMAK-" + hexa(24) + "-" + hexa(34)),
    ("stripe_secret_key", "STRIPE_SECRET", "sk_live_51" + alnum(96)),
    ("stripe_restricted_key", "STRIPE_RESTRICTED", "rk_live_51" + alnum(96)),
    ("stripe_webhook_secret", "STRIPE_WEBHOOK", "whsec_" + alnum(32)),
    ("square_access_token", "SQUARE_ACCESS", "EAAA" + b64url(60)),
    ("square_oauth_secret", "SQUARE_OAUTH", "sq0csp-" + b64url(43)),
    ("meta_access_token", "FB_ACCESS", "EAAG" + alnum(180)),
    ("shopify_access_token", "SHOPIFY_ADMIN", "shpat_" + hexa(32)),
    ("shopify_shared_secret", "SHOPIFY_SHARED", "shpss_" + hexa(32)),
    ("flutterwave_key", "FLW_SECRET", "FLWSECK_TEST-" + hexa(32) + "-X"),
    ("shippo_token", "SHIPPO_API", "shippo_live_" + hexa(40)),
    ("duffel_token", "DUFFEL_ACCESS", "duffel_test_" + b64url(43)),
    ("easypost_key", "EASYPOST_API", "EZAK" + alnum(54)),
    (
        "mercadopago_token",
        "MP_ACCESS",
        "APP_USR-"
        + str(_random.randrange(10**15, 10**16))
        + "-"
        + str(_random.randrange(10**5, 10**6))
        + "-"
        + hexa(32)
        + "-"
        + str(_random.randrange(10**8, 10**9)),
    ),
    ("plaid_access_token", "PLAID_ACCESS", "access-production-" + uuid()),
    ("salesforce_session", "SF_SESSION", "00D" + alnum(15) + "!" + alnum(96)),
    (
        "sentry_org_token",
        "SENTRY_AUTH",
        "sntrys_"
        + encoded('{"iat":1700000000,"url":"https://sentry.io","org":"acme"}').rstrip("=")
        + "_"
        + b64(43),
    ),
    ("sentry_user_token", "SENTRY_USER", "sntryu_" + hexa(64)),
    ("grafana_cloud_token", "GRAFANA_CLOUD", "glc_" + b64(80) + "=="),
    ("grafana_service_account", "GRAFANA_SA", "glsa_" + alnum(32) + "_" + hexa(8)),
    ("newrelic_user_key", "NEW_RELIC_API", "NRAK-" + upper_alnum(27)),
    ("dynatrace_token", "DT_API", "dt0c01." + upper_alnum(24) + "." + upper_alnum(64)),
    ("linear_key", "LINEAR_API", "lin_api_" + alnum(40)),
    ("notion_token", "NOTION_API", "ntn_" + str(_random.randrange(10**10, 10**11)) + alnum(35)),
    ("notion_legacy_token", "NOTION_LEGACY", "secret_" + alnum(43)),
    ("airtable_pat", "AIRTABLE", "pat" + alnum(14) + "." + hexa(64)),
    ("figma_token", "FIGMA", "figd_" + b64url(40)),
    ("contentful_token", "CONTENTFUL_MGMT", "CFPAT-" + b64url(43)),
    ("prefect_key", "PREFECT_API", "pnu_" + alnum(36)),
    ("readme_key", "README_API", "rdme_" + lower_alnum(70)),
    ("typeform_token", "TYPEFORM", "tfp_" + b64url(59)),
    ("dropbox_token", "DROPBOX_ACCESS", "sl.B" + b64url(136)),
    ("adafruit_key", "ADAFRUIT_IO", "aio_" + alnum(28)),
    ("infracost_key", "INFRACOST_API", "ico-" + alnum(32)),
    (
        "mapbox_secret_token",
        "MAPBOX_SECRET",
        "sk.eyJ1IjoiYWNtZSIsImEiOiJ" + b64url(30) + "." + b64url(22),
    ),
    ("twitter_bearer_token", "TWITTER_BEARER", "A" * 22 + "M" + alnum(20) + "%3D" + alnum(50)),
    ("firebase_fcm_server_key", "FCM_SERVER", "AAAA" + b64url(7) + ":APA91b" + b64url(134)),
    ("sourcegraph_token", "SRC_ACCESS", "sgp_" + hexa(16) + "_" + hexa(40)),
    ("scaleway_access_key", "SCW_ACCESS", "SCW" + upper_alnum(17)),
    ("render_key", "RENDER_API", "rnd_" + alnum(32)),
    ("neon_key", "NEON_API", "napi_" + lower_alnum(64)),
    ("nvidia_key", "NVIDIA_API", "nvapi-" + b64url(64)),
    ("tavily_key", "TAVILY_API", "tvly-dev-" + alnum(32)),
    ("elevenlabs_key", "ELEVENLABS_API", "sk_" + hexa(48)),
    ("mailersend_token", "MAILERSEND_API", "mlsn." + hexa(64)),
    (
        "intercom_token",
        "INTERCOM_ACCESS",
        encoded("tok:" + uuid().replace("-", "_") + ":1:0").rstrip("="),
    ),
    ("hubspot_token", "HUBSPOT_PRIVATE_APP", "pat-na1-" + uuid()),
    ("woocommerce_consumer_secret", "WC_CONSUMER_SECRET", "cs_" + hexa(40)),
    (
        "jwt",
        "SESSION_JWT",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        + encoded('{"sub":"' + hexa(12) + '","role":"admin"}').rstrip("=")
        + "."
        + b64url(43),
    ),
    (
        "docker_config_base64",
        "DOCKER_AUTH_CONFIG_B64",
        encoded('{"auths":{"registry.acme.io":{"auth":"' + encoded("ci:" + alnum(20)) + '"}}}'),
    ),
    ("kubernetes_tls_key_base64", "TLS_KEY_B64", encoded(_pem("RSA ") + "\n")),
]

# Where a token is written, given the variable that holds it. The bare places (a stack
# trace, a log line, a positional argument) hold no name: only the token's shape gives it away.
CONTEXTS = [
    ("shell export", "export {NAME}={token}"),
    (".env", '{NAME}="{token}"'),
    ("YAML", "env:\n  {name}: {token}\n  region: eu-west-1"),
    ("JSON", '{{"{name}": "{token}", "timeout": 30}}'),
    ("TOML", '[deploy]\n{name} = "{token}"'),
    ("XML", '<setting name="endpoint">https://api.acme.io</setting><value>{token}</value>'),
    ("curl header", "curl -sS -H 'X-Auth: {token}' https://api.acme.io/v1/status"),
    ("Python source", 'client = Client("{token}", timeout=10)'),
    ("JavaScript source", "const client = new Client({{ auth: '{token}' }});"),
    ("Go source", 'cfg := Config{{Endpoint: "https://api.acme.io", Credential: "{token}"}}'),
    (
        "stack trace",
        'Traceback (most recent call last):\n  File "deploy.py", line 41, in <module>\n    '
        "push(release)\nPermissionError: 403 Forbidden for credential {token}",
    ),
    ("CI log", "2024-06-12T09:14:03.117Z [deploy] step 3/7: using {token} for upload"),
]


def _named(env_name: str) -> dict[str, str]:
    return {"NAME": env_name, "name": env_name.lower()}


def _provider_cases() -> list[Case]:
    cases = []
    for index, (kind, env_name, token) in enumerate(PROVIDERS):
        # Three places for each token, turning through all of them.
        for offset in range(3):
            _, template = CONTEXTS[(index * 3 + offset) % len(CONTEXTS)]
            cases.append(Case(kind, template.format(token=token, **_named(env_name)), token))
    return cases


# --- secrets found by their context ---------------------------------------------------------

_AZURE_KEY = b64(86) + "=="
_TWILIO_SID, _TWILIO_TOKEN = "AC" + hexa(32), hexa(32)
_PASSWORD = "Tr0ub4dor&3-" + alnum(6)
_WORD_PASSWORD = "marmalade" + lower_alnum(0)
_SAS_SIG = b64(43).replace("+", "%2B").replace("/", "%2F") + "%3D"
_SERVICE_ACCOUNT_KEY = _pem("").replace("\n", "\\n")


def _case(kind: str, template: str, secret: str) -> Case:
    return Case(kind, template.replace("{s}", secret), secret)


def _context_cases() -> list[Case]:
    p = _PASSWORD
    return [
        # Azure
        Case(
            "azure_storage_connection_string",
            f"DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey={_AZURE_KEY};EndpointSuffix=core.windows.net",
            _AZURE_KEY,
        ),
        Case("azure_storage_key", f"export AZURE_STORAGE_KEY={_AZURE_KEY}", _AZURE_KEY),
        Case(
            "azure_storage_key",
            f"az storage blob upload --account-name acmeprod --account-key {_AZURE_KEY} -f build.zip",
            _AZURE_KEY,
        ),
        Case(
            "azure_sas",
            f"https://acmeprod.blob.core.windows.net/builds/app.zip?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-01-01T00:00:00Z&sig={_SAS_SIG}",
            _SAS_SIG,
        ),
        Case(
            "azure_service_bus",
            f"Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={_AZURE_KEY[:44]}",
            _AZURE_KEY[:44],
        ),
        Case(
            "azure_cosmos",
            f'"ConnectionStrings": {{"Cosmos": "AccountEndpoint=https://acme.documents.azure.com:443/;AccountKey={_AZURE_KEY};"}}',
            _AZURE_KEY,
        ),
        # Twilio: an auth token passed positionally beside its account SID
        Case(
            "twilio_auth_token",
            f'client = Client("{_TWILIO_SID}", "{_TWILIO_TOKEN}")',
            _TWILIO_TOKEN,
        ),
        Case(
            "twilio_auth_token",
            f"twilio_client = twilio.rest.Client('{_TWILIO_SID}', '{_TWILIO_TOKEN}')",
            _TWILIO_TOKEN,
        ),
        Case(
            "twilio_auth_token",
            f"curl -X POST https://api.twilio.com/2010-04-01/Accounts/{_TWILIO_SID}/Messages.json -u {_TWILIO_SID}:{_TWILIO_TOKEN}",
            _TWILIO_TOKEN,
        ),
        # Docker config
        Case(
            "docker_config_auth",
            '{"auths": {"https://index.docker.io/v1/": {"auth": "'
            + encoded("octocat:" + p)
            + '"}}}',
            encoded("octocat:" + p),
        ),
        # GCP service-account JSON
        Case(
            "gcp_service_account",
            '{"type": "service_account", "project_id": "acme-prod", "private_key_id": "'
            + hexa(40)
            + '", "private_key": "'
            + _SERVICE_ACCOUNT_KEY
            + '\\n", "client_email": "ci@acme-prod.iam.gserviceaccount.com"}',
            _PEM_BODY,
        ),
        # PEM blocks
        Case("rsa_private_key", "$ cat deploy_key\n" + _pem("RSA "), _PEM_BODY),
        Case("openssh_private_key", "id_ed25519:\n" + _pem("OPENSSH "), _PEM_BODY),
        Case("ec_private_key", "ssl_key: |\n  " + _pem("EC ").replace("\n", "\n  "), _PEM_BODY),
        Case(
            "pgp_private_key",
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF"
            + _PEM_BODY
            + "\n-----END PGP PRIVATE KEY BLOCK-----",
            _PEM_BODY,
        ),
        Case(
            "putty_private_key",
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI"
            + b64(30)
            + "\nPrivate-Lines: 1\n"
            + _PEM_BODY
            + "\nPrivate-MAC: "
            + hexa(64),
            _PEM_BODY,
        ),
        # Passwords in configuration and code
        Case(
            "xml_password",
            f"<server>\n  <id>nexus</id>\n  <username>deploy</username>\n  <password>{p}</password>\n</server>",
            p,
        ),
        Case("xml_password", f'<add key="DbPassword" value="{p}" />', p),
        Case("php_define", f"define('DB_PASSWORD', '{p}');", p),
        Case("php_define", f"define( 'AUTH_KEY', '{p}' );", p),
        Case("requests_auth_tuple", f'r = requests.get(url, auth=("deploy", "{p}"))', p),
        Case("basic_auth_call", f'req.SetBasicAuth("deploy", "{p}")', p),
        Case("sudo_stdin", f"echo '{p}' | sudo -S systemctl restart nginx", p),
        Case("sudo_stdin", f"echo {p} | sudo -S apt-get update", p),
        Case(
            "docker_password_stdin",
            f"echo {p} | docker login registry.acme.io -u ci --password-stdin",
            p,
        ),
        Case(
            "go_dsn",
            f'db, err := sql.Open("mysql", "app:{p}@tcp(db.internal:3306)/shop?parseTime=true")',
            p,
        ),
        Case(
            "proxy_authorization",
            "Proxy-Authorization: Basic " + encoded("proxyuser:" + p),
            encoded("proxyuser:" + p),
        ),
        Case(
            "kubernetes_secret",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: registry\ntype: kubernetes.io/dockerconfigjson\n"
            "data:\n  .dockerconfigjson: "
            + encoded('{"auths":{"r.acme.io":{"username":"ci","password":"' + p + '"}}}')
            + "\n",
            encoded('{"auths":{"r.acme.io":{"username":"ci","password":"' + p + '"}}}'),
        ),
        Case(
            "kubernetes_secret",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\ntype: kubernetes.io/tls\ndata:\n  tls.crt: "
            + encoded("-----BEGIN CERTIFICATE-----\nMIIB" + b64(40))
            + "\n  tls.key: "
            + encoded(_pem("") + "\n")
            + "\n",
            encoded(_pem("") + "\n")[-40:],
        ),
        Case(
            "kubernetes_secret",
            "kind: Secret\napiVersion: v1\nstringData:\n  smtp-relay: "
            + _WORD_PASSWORD
            + "\n  api-endpoint: "
            + lower_alnum(24)
            + "\n",
            _WORD_PASSWORD,
        ),
        Case("password_assignment", f"DB_PASSWORD={p}", p),
        Case("password_assignment", f'  password: "{p}"', p),
        Case("password_assignment", f'{{"user": "app", "password": "{p}"}}', p),
        Case("password_assignment", f'password = "{p}"', p),
        Case("password_assignment", f"SMTP_PASS={_WORD_PASSWORD}", _WORD_PASSWORD),
        Case("password_flag", f"psql --host db.internal --username app --password {p} shop", p),
        Case("url_password", f"DATABASE_URL=postgres://app:{p}@db.internal:5432/shop", p),
        Case("url_password", f"redis://default:{p}@cache.internal:6379/0", p),
        Case("url_password", f"git clone https://deploy:{p}@git.acme.io/acme/app.git", p),
        Case("url_password", f"amqp://guest:{p}@mq.internal:5672/", p),
        Case(
            "url_password",
            f"Caused by: org.postgresql.util.PSQLException: FATAL: password authentication failed for jdbc:postgresql://app:{p}@db:5432/shop",
            p,
        ),
        Case(
            "jdbc_password",
            f"spring.datasource.url=jdbc:mysql://db:3306/shop?user=app&password={p}",
            p,
        ),
        Case(
            "connection_string_password",
            f"Server=tcp:sql.acme.net,1433;Initial Catalog=shop;User ID=app;Password={p};Encrypt=True",
            p,
        ),
        Case("mysql_flag", f"mysql -h db.internal -u root -p{p} shop < dump.sql", p),
        Case("curl_user", f"curl -u admin:{p} https://jenkins.acme.io/api/json", p),
        Case("sshpass", f"sshpass -p '{p}' ssh deploy@10.0.0.12", p),
        Case("redis_cli", f"redis-cli -h cache.internal -a {p} INFO", p),
        Case(
            "openssl_pass",
            f"openssl pkcs12 -export -in cert.pem -inkey key.pem -passout pass:{p} -out bundle.p12",
            p,
        ),
        Case("netrc", f"machine api.heroku.com\n  login dev@acme.io\n  password {p}", p),
        _case(
            "authorization_header",
            "curl -H 'Authorization: Token {s}' https://api.acme.io",
            alnum(40),
        ),
        _case(
            "okta_ssws",
            "curl -H 'Authorization: SSWS {s}' https://acme.okta.com/api/v1/users",
            "00" + b64url(40),
        ),
        _case("twitch_chat_token", "PASS oauth:{s}", lower_alnum(30)),
        _case("ngrok_token", "ngrok config add-authtoken {s}", "2" + alnum(26) + "_" + alnum(21)),
        _case(
            "braintree_token",
            "BRAINTREE_ACCESS_TOKEN={s}",
            "access_token$production$" + lower_alnum(16) + "$" + hexa(32),
        ),
        _case(
            "slack_webhook",
            "curl -X POST -d @msg.json https://hooks.slack.com/services/{s}",
            "T" + upper_alnum(8) + "/B" + upper_alnum(10) + "/" + alnum(24),
        ),
        _case(
            "discord_webhook",
            "WEBHOOK=https://discord.com/api/webhooks/"
            + str(_random.randrange(10**17, 10**18))
            + "/{s}",
            b64url(68),
        ),
        _case(
            "teams_webhook",
            "https://acme.webhook.office.com/webhookb2/{s}",
            uuid() + "@" + uuid() + "/IncomingWebhook/" + hexa(32) + "/" + uuid(),
        ),
        _case(
            "zapier_webhook",
            "POST https://hooks.zapier.com/hooks/catch/{s}/",
            str(_random.randrange(10**6, 10**7)) + "/" + lower_alnum(7),
        ),
        _case("aws_secret_key", "aws_secret_access_key = {s}", b64(40)),
        _case("aws_secret_key", '"SecretAccessKey": "{s}",', b64(40)),
        _case("generic_api_key", "X-Api-Key: {s}", alnum(32)),
        _case("generic_client_secret", 'OAUTH_CLIENT_SECRET="{s}"', b64url(40)),
        _case("datadog_app_key", "DD_APP_KEY={s}", hexa(40)),
        _case("datadog_api_key", "datadog:\n  api_key: {s}", hexa(32)),
        _case("bearer_token", "> Authorization: Bearer {s}", b64url(48)),
        _case("heroku_legacy_key", "HEROKU_API_KEY={s}", uuid()),
        _case("django_secret_key", "SECRET_KEY = '{s}'", alnum(24) + "!@#$%^&*" + alnum(10)),
        _case("laravel_app_key", "APP_KEY=base64:{s}", b64(43) + "="),
        _case("azure_devops_pat", "AZURE_DEVOPS_EXT_PAT={s}", lower_alnum(52)),
        _case(
            "github_fine_grained_pat",
            "git remote set-url origin https://github.com/acme/app.git # {s} in the keychain",
            "github_pat_" + alnum(22) + "_" + alnum(59),
        ),
        _case(
            "gitlab_header",
            "curl --header 'PRIVATE-TOKEN: {s}' https://gitlab.acme.io/api/v4/projects",
            "glpat-" + b64url(20),
        ),
        _case(
            "vault_header",
            'curl -H "X-Vault-Token: {s}" https://vault.acme.io/v1/secret/data/app',
            "hvs." + b64url(90),
        ),
    ]


SECRETS: list[Case] = _provider_cases() + _context_cases()


# --- harmless look-alikes: long, random-looking or secret-named, and no secret ---------------

_PACKAGES = [
    "react",
    "lodash",
    "express",
    "typescript",
    "webpack",
    "eslint",
    "jest",
    "axios",
    "zod",
    "vite",
    "requests",
    "pydantic",
    "fastapi",
    "numpy",
    "pandas",
    "django",
    "flask",
    "pytest",
    "rich",
    "httpx",
]
_COLOURS = [
    "#1a2b3c",
    "#ff5733",
    "#0d1117",
    "#c9d1d9",
    "#58a6ff",
    "#fafbfc",
    "#e1e4e8",
    "#2ea44f",
    "#d73a49",
    "#6f42c1",
]


def _version() -> str:
    return f"{_random.randrange(0, 20)}.{_random.randrange(0, 40)}.{_random.randrange(0, 100)}"


def _harmless_generated() -> list[str]:
    texts = []
    for index in range(20):
        package, version = _PACKAGES[index], _version()
        texts += [
            # lock files
            f'"node_modules/{package}": {{"version": "{version}", "resolved": "https://registry.npmjs.org/{package}/-/{package}-{version}.tgz", '
            f'"integrity": "sha512-{b64(86)}=="}}',
            f'{package}@^{version}:\n  version "{version}"\n  resolved "https://registry.yarnpkg.com/{package}/-/{package}-{version}.tgz#{hexa(40)}"',
            f'{package} = [\n    {{file = "{package}-{version}-py3-none-any.whl", hash = "sha256:{hexa(64)}"}},\n]',
            f'[[package]]\nname = "{package}"\nversion = "{version}"\nchecksum = "{hexa(64)}"',
            f"github.com/acme/{package} v{version} h1:{b64(43)}=",
            # git
            f"commit {hexa(40)}\nAuthor: Dev <dev@acme.io>\n\n    Bump {package} to {version}",
            f"HEAD is now at {hexa(7)} Merge pull request #{_random.randrange(100, 9999)} from acme/{package}-{version}",
            f"   {hexa(7)}..{hexa(7)}  main -> origin/main",
            # identifiers, ids and digests
            f"request_id={uuid()} status=200 duration_ms={_random.randrange(1, 900)}",
            f'{{"id": "{uuid()}", "created_at": "2024-06-12T09:14:03Z", "name": "{package}"}}',
            f"docker pull ghcr.io/acme/{package}@sha256:{hexa(64)}",
            f'<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA{b64(120)}" alt="{package} logo">',
            f"background-image: url(data:image/svg+xml;base64,PHN2ZyB4bWxucz0i{b64(80)});",
            f"color: {_COLOURS[index % 10]}; background: {_COLOURS[(index + 3) % 10]}; border-color: rgba(27, 31, 35, 0.15);",
            f"https://github.com/acme/{package}/compare/v{version}...{hexa(40)}",
            f"Downloading {package}-{version}-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl (2.1 MB)",
        ]
    return texts


HARMLESS_WRITTEN = [
    # templates and references: names of secrets, not secrets
    'password: "{{ vault_db_password }}"',
    "token: ${{ secrets.GITHUB_TOKEN }}",
    'api_key = "${API_KEY}"',
    "DB_PASSWORD=<your-password>",
    "password=%(db_password)s",
    "<password>${env.NEXUS_PASSWORD}</password>",
    '<add key="DbPassword" value="{{DB_PASSWORD}}" />',
    "define('DB_PASSWORD', getenv('DB_PASSWORD'));",
    'echo "$REGISTRY_PASSWORD" | docker login registry.acme.io -u ci --password-stdin',
    "echo $SUDO_PW | sudo -S true",
    "curl -u $API_USER:$API_PASSWORD https://api.acme.io/",
    "postgres://app:${DB_PASSWORD}@db.internal:5432/shop",
    "requests.get(url, auth=(user, password))",
    'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]',
    "aws_secret_access_key = {{ aws_secret }}",
    "api_key: !vault |",
    # variables and code
    "self.password = password",
    "this.token = token;",
    "user.password = password",
    "pass_rate = 0.93",
    "pass_count = 12",
    "token = request.headers.get('X-Token')",
    "api_key = os.getenv('API_KEY')",
    "secret = config.secret",
    "password = form.cleaned_data['password']",
    "const apiKey = process.env.API_KEY;",
    'token := os.Getenv("GITHUB_TOKEN")',
    "if not token: raise ValueError('missing token')",
    "def verify_password(plain_password: str, hashed_password: str) -> bool:",
    "password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())",
    "headers = {'Authorization': f'Bearer {token}'}",
    "Authorization: Bearer <token>",
    "Authorization: Bearer $TOKEN",
    "token_type: bearer",
    "refresh_token_ttl: 86400",
    "PASSWORD_MIN_LENGTH=12",
    "secret_name: prod/app/db",
    "--password-file /run/secrets/db",
    "accountKey: accountKeyFromVault",
    "tls.key: tls-secret-key-ref",
    # found in real code and documentation (node_modules) by an earlier version
    "env: { PWD: '/Users/dev/project', SHELL: '/bin/zsh' }",
    "readFile('/etc/passwd', 'utf8', callback);",
    "var secretStream = new DataStream(secret);",
    "    tokenResponse: TokenResponseV2,",
    "    credential: OAuth2TokenCredential<TFlows>;",
    ' *   clientSecret: "client-secret",',
    'OPENAI_API_KEY="YOUR_API_KEY"',
    "password_file: /run/secrets/db_password",
    "export type SubmitPasswordResultV2 = SignInResultV2 | SubmitPasswordError;",
    "export declare const PasswordResetPollingTimeoutInMs = 300000;",
    # Kubernetes objects that are not Secrets
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  LOG_LEVEL: debug\n  FEATURE_FLAGS: search,export\n",
    "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/acme/app:1.4.2",
    "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db\n        key: password",
    # public material
    "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl dev@laptop",
    "tls.crt: "
    + encoded("-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUF"),
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx is how the README shows a token",
    "pk_live_51HcKlmNoPqRsTuVwXyZ is a publishable key, meant for browsers",
    "sentry_dsn = https://public@o0.ingest.sentry.io/0",
    # URLs without credentials
    "https://github.com/acme/app/pull/1234#discussion_r1543",
    "postgres://db.internal:5432/shop",
    "redis://localhost:6379/0",
    "https://dev@example.com/path opens the wiki",
    "git@github.com:acme/payments.git",
    "ssh://git@gitlab.com:2222/group/project.git",
    "https://hooks.slack.com/ is where the webhook posts",
    "https://discord.com/api/webhooks is documented in the bot guide",
    "https://acme.blob.core.windows.net/builds/app.zip?sv=2022-11-02&comp=list",
    # prose about secrets
    "The password reset flow is broken",
    "Rotate the GitHub token before Friday",
    "Bearer tokens are validated in the middleware",
    "ghp_ tokens are personal access tokens; github_pat_ ones are fine-grained",
    "sk-learn is not a package name, scikit-learn is",
    "use sk_test keys locally, never live ones",
    "echo done | tee build.log",
    "Passed: 120, Failed: 0, pass_rate: 1.0",
    "The machine login password policy changed",
    # long identifiers and words
    "AbstractSingletonProxyFactoryBeanConfigurationManager",
    "test_refresh_token_rotation_with_expired_session_cookie",
    "MAX_SECRET_ROTATION_INTERVAL_IN_SECONDS",
    "org.springframework.security.oauth2.server.resource.authentication",
    "ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with frozen-lockfile",
    "mysql -u root -p shop",
    "docker login registry.acme.io",
    "redis-cli -h cache.internal ping",
    "sshpass -f ~/.ssh/pw.txt ssh admin@host",
    "openssl rand -base64 32",
    "SKU-1234-ABCD is out of stock",
    "ACME-42: tighten the login rate limit",
    "Slack channel #deploys, message 1718183643.123456",
    "Build 20240612.3 of pipeline acme-app succeeded in 4m 12s",
    "node v20.11.1, npm 10.2.4, python 3.11.7",
    "Order 00D5e000000Xyz shipped",
    "MTIzNDU2Nzg5MA== is 1234567890 in base64",
    "EAAG is how the docs abbreviate it",
    "color: #ff5733;",
]

HARMLESS: list[str] = HARMLESS_WRITTEN + _harmless_generated()
