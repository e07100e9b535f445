"""A WSGI layer in front of moto that refuses the STS calls real STS refuses and moto accepts.

The test oracle is AWS, not moto. moto happily assumes a role for 8 hours with session
credentials, takes the same MFA code twice and hands out session tokens for session
credentials; STS does none of that. Each rule below answers as STS does, with its error
code, message and HTTP status, before moto sees the request:

1. AssumeRole signed with session credentials (the request carries X-Amz-Security-Token)
   asking for more than 3600 s: ValidationError (the role-chaining cap).
2. An MFA code is single use per device: a second request with the same SerialNumber and
   TokenCode is AccessDenied.
3. GetSessionToken signed with session credentials: AccessDenied.
4. RoleSessionName must match [\\w+=,.@-]{2,64}; DurationSeconds must be 900-43200 for
   AssumeRole (and AssumeRoleWithWebIdentity), 900-129600 for GetSessionToken.
5. RoleArn must have 20 to 2048 characters (ValidationError); one that is not of AWS's
   form, arn:PARTITION:iam::ACCOUNT:role/NAME with a 12-digit account, names no role STS
   knows: AccessDenied, as STS answers `arn:aws:iam:123456789012:role/R` (one colon).

One-time codes are remembered per device within a scope: the `app/` part of the User-Agent
(`AWS_SDK_UA_APP_ID`), which the test harness sets to one value per test environment, so
tests that share one server behave like separate AWS accounts with devices of the same name.
"""

import re
import threading
import urllib.parse
from xml.sax.saxutils import escape

SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$", re.ASCII)
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/\S+$", re.ASCII)
APP_ID = re.compile(r"(?:^|\s)app/(\S+)")
CHAINING_CAP = 3600
LIMITS = {
    "AssumeRole": (900, 43200),
    "AssumeRoleWithWebIdentity": (900, 43200),
    "AssumeRoleWithSAML": (900, 43200),
    "GetSessionToken": (900, 129600),
}


def error(start_response, status, code, message):
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
        "<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>"
    ).encode()
    start_response(
        status,
        [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))],
    )
    return [body]


def validation(start_response, message):
    return error(start_response, "400 Bad Request", "ValidationError", message)


def denied(start_response, message):
    return error(start_response, "403 Forbidden", "AccessDenied", message)


class StrictSts:
    """Wraps a WSGI app; `refusals` counts the requests each rule turned away."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.used_codes = set()

    def __call__(self, environ, start_response):
        form = environ.get("runas.form")
        if form is None:
            return self.app(environ, start_response)
        refusal = self.check(environ, form, start_response)
        if refusal is not None:
            return refusal
        return self.app(environ, start_response)

    def check(self, environ, form, start_response):
        action = form.get("Action", "")
        if action not in LIMITS and action != "GetCallerIdentity":
            return None
        session_signed = "HTTP_X_AMZ_SECURITY_TOKEN" in environ
        duration = form.get("DurationSeconds")

        if action == "GetSessionToken" and session_signed:
            return denied(
                start_response, "Cannot call GetSessionToken with session credentials"
            )
        role_arn = form.get("RoleArn")
        if role_arn is not None and not 20 <= len(role_arn) <= 2048:
            return validation(
                start_response,
                f"1 validation error detected: Value '{role_arn}' at 'roleArn' failed to satisfy "
                "constraint: Member must have length "
                + ("greater than or equal to 20" if len(role_arn) < 20 else "less than or equal to 2048"),
            )
        if role_arn is not None and not ROLE_ARN.match(role_arn):
            return denied(
                start_response,
                f"User is not authorized to perform: sts:{action} on resource: {role_arn}",
            )
        if "RoleSessionName" in form:
            name = form["RoleSessionName"]
            if len(name) < 2 or len(name) > 64:
                return validation(
                    start_response,
                    f"1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy "
                    "constraint: Member must have length "
                    + ("greater than or equal to 2" if len(name) < 2 else "less than or equal to 64"),
                )
            if not SESSION_NAME.match(name):
                return validation(
                    start_response,
                    f"1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy "
                    "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
                )
        if duration is not None and action in LIMITS:
            low, high = LIMITS[action]
            try:
                seconds = int(duration)
            except ValueError:
                return validation(start_response, f"Value '{duration}' at 'durationSeconds' is not a number")
            if seconds < low:
                return validation(
                    start_response,
                    f"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy "
                    f"constraint: Member must have value greater than or equal to {low}",
                )
            if seconds > high:
                return validation(
                    start_response,
                    f"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy "
                    f"constraint: Member must have value less than or equal to {high}",
                )
            if action == "AssumeRole" and session_signed and seconds > CHAINING_CAP:
                return validation(
                    start_response,
                    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
                )
        serial, code = form.get("SerialNumber"), form.get("TokenCode")
        if serial is not None or code is not None:
            if not serial or not code:
                return denied(start_response, "MultiFactorAuthentication failed, unable to validate MFA code")
            scope = APP_ID.search(environ.get("HTTP_USER_AGENT", "") + " " + environ.get("HTTP_X_AMZ_USER_AGENT", ""))
            key = (scope.group(1) if scope else "", serial, code)
            with self.lock:
                reused = key in self.used_codes
                self.used_codes.add(key)
            if reused:
                return denied(
                    start_response,
                    "MultiFactorAuthentication failed with invalid MFA one time pass code.",
                )
        return None


def parse_form(body):
    """The request's query-protocol parameters, first value of each."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    return {k: v[0] for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()}
