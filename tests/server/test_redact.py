"""Secret redaction on a corpus of realistic fake secrets and harmless look-alikes.

Every fake secret is assembled by concatenation so that no scanner mistakes this file for
a leak. Each case is (text as a tool or a person would write it, the secret inside it).
"""

from __future__ import annotations

import sqlite3

import pytest

from vidurai.memory.redact import is_sensitive_path, redact, redact_with_kinds

_B64_40 = "Zx8kP2mQ9vL4nR7tY1wB" + "5cH3jF6gD0sA/eU+iO2p"
_ALNUM_36 = "a1B2c3D4e5F6g7H8i9J0" + "k1L2m3N4o5P6q7R8"
_JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFkYSJ9"
    + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
_RSA_BODY = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"
_PEM_RSA = (
    "-----BEGIN RSA "
    + "PRIVATE KEY-----\n"
    + _RSA_BODY
    + "\n"
    + "VHnW0BbNcGQ8dx2Cj5vLmP4wCgYIKoZIzj0DAQehRANCAAQm9hT3yXv7k2Lp1Qw\n"
    + "-----END RSA "
    + "PRIVATE KEY-----"
)
_OPENSSH_BODY = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
_PEM_OPENSSH = (
    "-----BEGIN OPENSSH "
    + "PRIVATE KEY-----\n"
    + _OPENSSH_BODY
    + "\n-----END OPENSSH "
    + "PRIVATE KEY-----\n"
)
_EC_BODY = "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oX8dMxKa0vQyoAoGCCqGSM49"

SECRETS = [
    ("aws_access_key_id = AKIA" + "QYLPMN5HHHFPZAM2", "AKIA" + "QYLPMN5HHHFPZAM2"),
    ('"AccessKeyId": "ASIA' + 'Y34FZKBOKMUTVV7A",', "ASIA" + "Y34FZKBOKMUTVV7A"),
    ("aws_secret_access_key = " + _B64_40, _B64_40),
    ('        "SecretAccessKey": "' + _B64_40[::-1] + '",', _B64_40[::-1]),
    ("export GH_TOKEN=ghp_" + _ALNUM_36, "ghp_" + _ALNUM_36),
    ("gho_" + _ALNUM_36[::-1] + " expired", "gho_" + _ALNUM_36[::-1]),
    (
        "token: github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF",
        "github_pat_11ABCDEFG0123456789",
    ),
    (
        "git clone https://x-access-token:ghs_" + _ALNUM_36 + "@github.com/acme/api.git",
        "ghs_" + _ALNUM_36,
    ),
    ("CI_JOB_TOKEN=glpat-" + "xY12zW34vU56tS78rQ90", "glpat-" + "xY12zW34vU56tS78rQ90"),
    (
        "OPENAI_API_KEY=sk-proj-" + "4fGh7JkL9mNpQ2rStUvWxYz1AbCdEfGh3iJkLmNo",
        "sk-proj-4fGh7JkL9mNpQ2rStUvWxYz1",
    ),
    (
        "openai.api_key = 'sk-" + "Xy12AbCdEfGhIjKlMnOpT3BlbkFJqRsTuVwXyZ0123456789'",
        "T3BlbkFJqRsTuVwXyZ0123456789",
    ),
    (
        "ANTHROPIC_API_KEY=sk-ant-api03-" + "Qm9vZ2xlLXRlc3Qta2V5LTEyMzQ1Njc4OTAtYWJjZGVm-Zx9AA",
        "sk-ant-api03-Qm9vZ2xlLXRlc3Q",
    ),
    (
        "slack bot token xoxb-" + "1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "AbCdEfGhIjKlMnOpQrStUvWx",
    ),
    (
        "SLACK_USER_TOKEN=xoxp-" + "9876543210-1122334455-5566778899-a1b2c3d4e5f6",
        "xoxp-9876543210-1122334455",
    ),
    (
        "webhook https://hooks.slack.com/services/"
        + "T024BE7LD/B08F2M9KQ/Xq3mW7pLz9Rt2Vb5Nc8Kd1Hy",
        "Xq3mW7pLz9Rt2Vb5Nc8Kd1Hy",
    ),
    (
        "stripe.api_key = 'sk_live_" + "51HcKlmNoPqRsTuVwXyZ0123456789ab'",
        "sk_live_51HcKlmNoPqRsTuVwXyZ",
    ),
    (
        "STRIPE_RESTRICTED=rk_live_" + "51HcKzz9YxWvUtSrQpOnMlKjIhG",
        "rk_live_51HcKzz9YxWvUtSrQpOnMlKjIhG",
    ),
    (
        "STRIPE_WEBHOOK_SECRET=whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLSY",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLSY",
    ),
    ("curl -H 'Authorization: Bearer " + _JWT + "' https://api.acme.test/me", _JWT),
    ("DEBUG auth: decoded session=" + _JWT + " for user 42", _JWT.split(".")[2]),
    ("key file:\n" + _PEM_RSA + "\nend of file", _RSA_BODY),
    ("cat ~/.ssh/deploy\n" + _PEM_OPENSSH, _OPENSSH_BODY),
    (
        '{"type": "service_account", "private_key": "-----BEGIN EC '
        + "PRIVATE KEY-----\\n"
        + _EC_BODY
        + "\\n-----END EC "
        + 'PRIVATE KEY-----\\n"}',
        _EC_BODY,
    ),
    ("DATABASE_URL=postgres://app:" + "Pg5ecret-2024@db.internal:5432/app", "Pg5ecret-2024"),
    ("mysql://root:" + "r00tPassw0rd@localhost/shop", "r00tPassw0rd"),
    ("REDIS_URL=redis://:" + "c4che-Pa55@cache.internal:6379/0", "c4che-Pa55"),
    ("mongodb+srv://svc:" + "M0ng0Secr3t@cluster0.ab12c.mongodb.net/prod", "M0ng0Secr3t"),
    ("connecting to amqp://guest:" + "Rabb1tMQpw@mq:5672/", "Rabb1tMQpw"),
    ("password=" + "hunter2", "hunter2"),
    ('DB_PASSWORD="correct horse ' + 'battery staple"', "correct horse battery staple"),
    ("  password: " + "S3cr3t!Pass", "S3cr3t!Pass"),
    (
        '{"client_id": "web", "client_secret": "' + "8f3kLm2Qp9XvZ7wR4tY6uI1o" + '"}',
        "8f3kLm2Qp9XvZ7wR4tY6uI1o",
    ),
    ("SECRET_KEY = 'django-insecure-" + "k8#v@2m!x9p$q4w7e1r5t3y6'", "k8#v@2m!x9p$q4w7e1r5t3y6"),
    ("api_key=" + "a8d7f6e5c4b3a2918f7e6d5c", "a8d7f6e5c4b3a2918f7e6d5c"),
    (
        "const client = new Api({ apiKey: '" + "Zk4Rt8Yp2Wq6Nm1Lx9Vb3Hc7" + "' })",
        "Zk4Rt8Yp2Wq6Nm1Lx9Vb3Hc7",
    ),
    (
        "export SENTRY_AUTH_TOKEN=" + "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
        "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
    ),
    ("> Authorization: Bearer " + "ya29.a0AfH6SMBx7Qz3kLm9", "ya29.a0AfH6SMBx7Qz3kLm9"),
    ("Authorization: Basic " + "YWRtaW46c3VwZXJzZWNyZXQ=", "YWRtaW46c3VwZXJzZWNyZXQ="),
    ("X-Api-Key: " + "7Hj3Kl9Mn2Bv5Cx8Zq4Wr1Ty", "7Hj3Kl9Mn2Bv5Cx8Zq4Wr1Ty"),
    ("docker login registry.acme.io --username ci --password " + "Dk7!rPq9Zx", "Dk7!rPq9Zx"),
    ("//registry.npmjs.org/:_authToken=npm_" + _ALNUM_36, "npm_" + _ALNUM_36),
    (
        "password = pypi-AgEIcHlwaS5vcmc"
        + "CJGE2ZjM0YjY4LTk0ZTctNGE1Ni04ZmVkLTk0MjNiYTQ1NzU2NgACKlsz",
        "pypi-AgEIcHlwaS5vcmc",
    ),
    (
        "maps key AIza" + "SyD4kLm9Qx2Zt7Wp1Rv5Ny8Bc3Hj6Gf0Ek_",
        "AIzaSyD4kLm9Qx2Zt7Wp1Rv5Ny8Bc3Hj6Gf0Ek_",
    ),
    (
        "huggingface-cli login --token hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz12345678",
        "hf_AbCdEfGhIjKlMnOpQrStUvWxYz12345678",
    ),
    ("PGPASSWORD=" + "Pg!9xLq2 psql -h db -U app", "Pg!9xLq2"),
    # Passwords that command-line tools take as flags.
    ("mysql -u root -p" + "S3cretPw shop", "S3cretPw"),
    ("mysqldump -h db.internal -u backup -p'" + "Dump 2024!' shop > shop.sql", "Dump 2024!"),
    ("mysql -h db.internal --password=" + "swordfish shop", "swordfish"),
    ("docker login -u me -p " + "Regi5tryPw registry.acme.io", "Regi5tryPw"),
    ("sshpass -p " + "rootpw ssh admin@10.0.0.5 uptime", "rootpw"),
    ("curl -u user:" + "b4nanaSplit https://api.acme.test/v1/me", "b4nanaSplit"),
    ("curl -s --user deploy:" + "marzipan -X POST https://ci.acme.test/job", "marzipan"),
    ("redis-cli -h cache.internal -a " + "R3disPa55 ping", "R3disPa55"),
    ("openssl pkcs12 -export -in cert.pem -passout pass:" + "Exp0rtPw -out cert.p12", "Exp0rtPw"),
    # .netrc, on one line and across lines.
    ("machine api.acme.io login me password " + "abc123", "abc123"),
    ("machine github.com\n  login octocat\n  password " + "gh0stRider\n", "gh0stRider"),
    # Plain words as passwords, where the name says so.
    ("PASSWORD=" + "swordfish", "swordfish"),
    ("DB_PASS=" + "hunter", "hunter"),
    ("export SECRET_KEY=" + "letmein", "letmein"),
    ("database:\n  user: app\n  password: " + "tangerine\n  host: db", "tangerine"),
    # An AWS credentials file.
    (
        "[default]\naws_access_key_id = AKIA"
        + "QYLPMN5HHHFPZAM2\naws_secret_access_key = "
        + _B64_40[::-1]
        + "\nregion = eu-west-1",
        _B64_40[::-1],
    ),
    # Connection strings.
    (
        "Server=tcp:sql.acme.net,1433;Database=shop;User Id=app;Password="
        + "Sh0pP@ss;Encrypt=true",
        "Sh0pP@ss",
    ),
    ("Server=db;User Id=sa;Password=" + "marmalade;", "marmalade"),
    ("Data Source=db;Initial Catalog=crm;User ID=sa;Pwd=" + "Qu1ck!Fox;", "Qu1ck!Fox"),
]

HARMLESS = [
    "Released version 2.14.3-beta.1 of the client",
    "git@github.com:acme/payments.git",
    "request 3b241101-e2bb-4255-8caf-4136c566a962 timed out",
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
    '"integrity": "sha512-9QKMrVb1MOtY0ivHLfBE7HHgWu5lNyFWvjJsmrG8D9oCl0h6sVaQXdNL7Ov7Oc1/Ng=="',
    'hash = "sha256:4e1243bd22c66e76c2ba9eddc1f91394e57f9f83b2f1a6f93a5e1f0e1a0c1d2e"',
    'resolved "https://registry.yarnpkg.com/react/-/react-18.2.0.tgz#a4c5f8d1e9b2"',
    "image digest sha256:4d7c5c1f6a0b2e8d9c3f7a1b5e6d8c0a2f4b6d8e0a1c3e5f7a9b1d3f5e7a9c1e",
    "def login(username: str, password: str) -> Token:",
    "    password: Optional[str] = None",
    "token = get_token()",
    "const token = localStorage.getItem('token')",
    "password = os.environ['DB_PASSWORD']",
    "SECRET_KEY = os.environ.get('SECRET_KEY')",
    "self.api_key = settings.API_KEY",
    "max_tokens=4096 temperature=0.2",
    "token_ttl=3600",
    "tokenizer=bert-base-uncased",
    "The password reset flow is broken",
    "password: reset flow sends two emails",
    "Bearer tokens are validated in the middleware",
    "Authorization header missing on preflight requests",
    "GET http://localhost:8080/api/users 200",
    "https://dev@example.com/path opens the wiki",
    "ssh://git@gitlab.com:2222/group/project.git",
    "scikit-learn==1.4.2",
    "the disk-usage-report-for-2024 job",
    "AKIA is the prefix of long-term access keys",
    "ghp_ tokens are personal access tokens",
    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEm9hT3yXv7k2Lp1Qw\n-----END PUBLIC KEY-----",
    "-----BEGIN CERTIFICATE-----",
    "api_key_header = 'X-API-Key'",
    "SECRET_KEY_PATH=/etc/app/secret.key",
    "password_min_length: 12",
    "secretary, passport, keyboard and tokenism are ordinary words",
    "monkey: banana",
    "primary_key: id",
    "sort_key=lambda item: item.created_at",
    "session_key = request.cookies.get('sid')",
    "Password must contain at least 8 characters",
    "token: ${{ secrets.GITHUB_TOKEN }}",
    "password: ********",
    "npm_config_cache=/tmp/npm",
    "hf_hub_download(repo_id='bert-base-uncased')",
    "access_token_expires_in: 3600",
    "md5 d41d8cd98f00b204e9800998ecf8427e",
    "use sk_test keys locally, never live ones",
    "xoxo from the team",
    # Code and prose around passwords, which name one without holding it.
    "password=",
    "password: str",
    "password=None",
    "password=${DB_PASSWORD}",
    "password = get_password()",
    'password=os.environ["X"]',
    "PASSWORD_MIN_LENGTH=8",
    "token_type=bearer",
    "conn = connect(host=host, user=user, password=password)",
    "db.connect(password=db_password)",
    "client = Client(api_key=apiKey)",
    "if cached: pass",
    "BYPASS_CACHE=yes",
    "Pass: 120\nFail: 0",
    "The machine login password policy changed",
    "mysql -u root -p shop",
    "echo $CI_TOKEN | docker login --password-stdin -u ci registry.acme.io",
    "curl -u $API_USER:$API_PASSWORD https://api.acme.test/",
    "curl -u admin https://api.acme.test/",
    "sshpass -f ~/.ssh/pw.txt ssh admin@host",
    "redis-cli -h cache.internal ping",
]


def test_corpus_is_large_enough():
    assert len(SECRETS) >= 40
    assert len(HARMLESS) >= 40


@pytest.mark.parametrize(("text", "secret"), SECRETS, ids=[s[1][:12] for s in SECRETS])
def test_secret_is_replaced_by_a_marker(text, secret):
    redacted, kinds = redact_with_kinds(text)

    assert secret not in redacted
    assert kinds
    for kind in kinds:
        assert f"[REDACTED:{kind}]" in redacted


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_look_alike_is_left_alone(text):
    assert redact(text) == text


def test_no_secret_reaches_the_database_file_and_every_harmless_text_does(tmp_path):
    path = tmp_path / "memory.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE memories (id INTEGER PRIMARY KEY, verbatim TEXT NOT NULL)")
    with connection:
        connection.executemany(
            "INSERT INTO memories (verbatim) VALUES (?)",
            [(redact(text),) for text in [text for text, _ in SECRETS] + HARMLESS],
        )
    connection.close()

    stored = path.read_bytes()

    leaked = [secret for _, secret in SECRETS if secret.encode() in stored]
    assert leaked == []
    missing = [text for text in HARMLESS if text.encode() not in stored]
    assert missing == []


def test_whole_private_key_block_goes_including_its_header_and_footer():
    redacted = redact("before\n" + _PEM_RSA + "\nafter")

    assert redacted == "before\n[REDACTED:private_key]\nafter"


def test_private_key_block_cut_off_before_its_end_line_is_redacted_to_the_end():
    truncated = _PEM_RSA.split("-----END")[0]

    assert redact("$ cat key.pem\n" + truncated) == "$ cat key.pem\n[REDACTED:private_key]"


def test_service_account_private_key_goes_as_a_whole_json_value():
    key = (
        "-----BEGIN "
        + "PRIVATE KEY-----\\n"
        + _RSA_BODY
        + "\\n"
        + _EC_BODY
        + "\\n-----END "
        + "PRIVATE KEY-----\\n"
    )
    text = (
        '{"type": "service_account", "private_key": "'
        + key
        + '", "client_email": "ci@acme.iam.gserviceaccount.com"}'
    )

    assert redact(text) == (
        '{"type": "service_account", "private_key": "[REDACTED:private_key]", '
        '"client_email": "ci@acme.iam.gserviceaccount.com"}'
    )


def test_url_keeps_everything_but_the_password():
    assert redact("postgres://u:" + "pw@h/db") == "postgres://u:[REDACTED:url_password]@h/db"


def test_assignment_keeps_the_name_and_names_the_kind():
    assert redact("DB_PASSWORD=" + "hunter2") == "DB_PASSWORD=[REDACTED:password]"
    assert redact("export AWS_ACCESS_KEY_ID=AKIA" + "QYLPMN5HHHFPZAM2") == (
        "export AWS_ACCESS_KEY_ID=[REDACTED:aws_access_key]"
    )


def test_kinds_are_reported_once_each_in_the_order_found():
    text = "ghp_" + _ALNUM_36 + " and ghp_" + _ALNUM_36[::-1] + " then password=" + "Xy7pq9z!"

    _, kinds = redact_with_kinds(text)

    assert kinds == ["github_token", "password"]


def test_redacting_twice_changes_nothing_more():
    once = redact("\n".join(text for text, _ in SECRETS))

    assert redact(once) == once


# Inputs that make a careless pattern backtrack: one token repeated without a break (a
# pattern that scans ahead from each occurrence takes quadratic time: this one once took
# seconds), and dense names that hold nothing secret.
_ADVERSARIAL = {
    "jwt opening repeated": "eyJ" * 70_000,
    "jwt opening with dashes": "eyJ-" * 50_000,
    "names given code": "password=$PW api_key=self.key token=f() " * 5_000,
    "key after key": "api_key:" * 25_000,
    "tool names on one line": "mysql curl sshpass redis-cli docker login " * 5_000,
    "url openings": "://a:" * 40_000,
    "private key openings": "-----BEGIN " + "PRIVATE KEY-----" * 12_000,
    "private key endings under base64 lines": "QUJD\n" * 40_000 + "-----END " + "PRIVATE KEY-----",
}


@pytest.mark.parametrize("text", _ADVERSARIAL.values(), ids=_ADVERSARIAL.keys())
def test_adversarial_200_kb_input_is_redacted_without_getting_stuck(text):
    assert len(text) >= 190_000

    redacted = redact(text)

    if "PRIVATE KEY" in text:
        assert redacted == "[REDACTED:private_key]"
    else:
        assert redacted == text


def test_empty_text_stays_empty():
    assert redact_with_kinds("") == ("", [])


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        "/home/dev/app/.env",
        "config/.env.production",
        "deploy/prod.env",
        "certs/server.pem",
        "tls/server.key",
        "C:\\Users\\dev\\.ssh\\id_rsa",
        "/home/dev/.ssh/id_ed25519",
        "/home/dev/.ssh/id_rsa.pub",
        "gcp/credentials.json",
        "/home/dev/.aws/credentials",
        ".npmrc",
        "~/.pypirc",
        "/home/dev/.netrc",
        "k8s/secrets.yaml",
        "infra/prod.tfvars",
        "keystore/release.jks",
        "/home/dev/.docker/config.json",
        "SECRETS.JSON",
    ],
)
def test_files_that_hold_secrets_are_sensitive(path):
    assert is_sensitive_path(path)


@pytest.mark.parametrize(
    "path",
    [
        "src/auth/middleware.py",
        "README.md",
        "src/env.ts",
        "docs/environment.md",
        "src/keyboard.py",
        "src/secrets_manager.py",
        "package.json",
        "config/settings.json",
        "src/credentials_form.tsx",
        "tests/test_tokens.py",
        "",
    ],
)
def test_ordinary_files_are_not_sensitive(path):
    assert not is_sensitive_path(path)
