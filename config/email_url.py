"""`EMAIL_URL` for an email provider's API through django-anymail, beside django-environ's
`smtp://`, `smtp+tls://` and `consolemail://`.

`<provider>://<api key>[:<secret>]@[<host>][?<setting>=<value>&…]`, for example
`postmark://SERVER_TOKEN@`, `mailgun://API_KEY@mg.example.org?webhook_signing_key=KEY`,
`mailjet://API_KEY:SECRET_KEY@`. Query parameters name the provider's anymail settings without
their prefix (`webhook_signing_key` → `MAILGUN_WEBHOOK_SIGNING_KEY`).
"""

from urllib.parse import parse_qsl, unquote, urlsplit

# The scheme, anymail's backend module, and where the URL's user name goes.
PROVIDERS = {
    "brevo": ("brevo", "API_KEY"),
    "mailersend": ("mailersend", "API_TOKEN"),
    "mailgun": ("mailgun", "API_KEY"),
    "mailjet": ("mailjet", "API_KEY"),
    "mandrill": ("mandrill", "API_KEY"),
    "postal": ("postal", "API_KEY"),
    "postmark": ("postmark", "SERVER_TOKEN"),
    "resend": ("resend", "API_KEY"),
    "sendgrid": ("sendgrid", "API_KEY"),
    "sparkpost": ("sparkpost", "API_KEY"),
}
# Where the URL's host goes, for the providers that take one.
HOST_SETTINGS = {"mailgun": "SENDER_DOMAIN", "postal": "API_URL"}


def anymail_config(url: str) -> tuple[str, dict] | None:
    """The email backend and `ANYMAIL` settings that `url` names, or None when it names no
    provider (then django-environ reads it)."""
    parts = urlsplit(url)
    if parts.scheme not in PROVIDERS:
        return None
    module, user_setting = PROVIDERS[parts.scheme]
    prefix = module.upper()
    config = {}
    if parts.username:
        config[f"{prefix}_{user_setting}"] = unquote(parts.username)
    if parts.password:
        config[f"{prefix}_SECRET_KEY"] = unquote(parts.password)
    if parts.hostname and parts.scheme in HOST_SETTINGS:
        host = parts.hostname if parts.scheme == "mailgun" else f"https://{parts.hostname}"
        config[f"{prefix}_{HOST_SETTINGS[parts.scheme]}"] = host
    for name, value in parse_qsl(parts.query):
        config[f"{prefix}_{name.upper()}"] = value
    return f"anymail.backends.{module}.EmailBackend", config
