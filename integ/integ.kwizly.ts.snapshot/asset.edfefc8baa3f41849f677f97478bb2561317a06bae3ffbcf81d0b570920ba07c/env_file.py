"""Writes the key/values of a secret (JSON object or dotenv text) to an app environment file.

Used by app-env.sh at boot, which gives each secret its own part file and joins the parts, so that
a step run again (after a reboot in the middle of the boot) gives the same file. The file is written
whole and renamed into place. python3 3.9 (Amazon Linux 2023) or newer. Tested in test/app-env.test.ts
and, through systemd and bash, in the instance lab.

Dotenv follows the common parsers (python-dotenv, motdotla/dotenv): `export ` is optional; an
unquoted value ends at ` #` (an inline comment) and is trimmed; 'single quotes' are literal;
"double quotes" understand \\n \\r \\t \\" \\\\ and may span lines, as may single quotes; text after
the closing quote may only be a comment.

Every line written is NAME="value" with \\ " $ ` escaped: systemd's EnvironmentFile= and bash's
`set -a; . file` read it the same way, newlines included. Names that one of them cannot hold are
skipped with a warning on stderr rather than failing the boot: names that do not start with a
letter or '_' (systemd drops them, bash fails on them), bash's read-only variables (UID, EUID...),
and PORT when the tier owns the app port (systemd lets EnvironmentFile= override Environment=PORT=,
so the app would listen where the load balancer does not look).

Refused (the step fails, saying why, with the line number for dotenv): a key with characters an
environment variable name cannot hold (`APP-NAME`, `app.name`), which would otherwise reach the app
under another name; a secret stored as binary (SecretBinary); a key in REQUIRED_KEYS (space-separated,
names as written, prefix included) that the secret does not set. A UTF-8 byte order mark at the
start (Windows editors) is dropped. A secret that sets no variable at all warns.
"""
import json
import os
import re
import sys

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BASH_READ_ONLY = {"BASHOPTS", "BASH_VERSINFO", "EUID", "PPID", "SHELLOPTS", "UID"}
DOUBLE_QUOTE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$", "`": "`"}


class SecretFormatError(Exception):
    pass


def parse_dotenv(text):
    """Returns the (key, value, line) triples of dotenv text, in order."""
    pairs = []
    i, n, line_no = 0, len(text), 1
    while i < n:
        # One assignment per iteration: skip blank lines and comment lines first.
        line_end = text.find("\n", i)
        line_end = n if line_end < 0 else line_end
        line = text[i:line_end]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            i, line_no = line_end + 1, line_no + 1
            continue
        match = re.match(r"\s*(?:export\s+)?([^=\s]+)\s*=[ \t]*", line)
        if not match:
            raise SecretFormatError("line %d is neither a comment nor KEY=value" % line_no)
        key = match.group(1)
        j = i + match.end()
        quote = text[j] if j < n and text[j] in "'\"`" else None
        if quote is None:
            raw = text[j:line_end]
            comment = re.search(r"\s#", raw)
            value = (raw[:comment.start()] if comment else raw).strip()
            pairs.append((key, value, line_no))
            i, line_no = line_end + 1, line_no + 1
            continue
        # Quoted: read to the closing quote, possibly across lines.
        key_line = line_no
        j += 1
        chars = []
        while True:
            if j >= n:
                raise SecretFormatError("the value of %s (line %d) has no closing %s" % (key, line_no, quote))
            c = text[j]
            if c == "\\" and j + 1 < n and quote != "`":
                nxt = text[j + 1]
                if quote == '"' and nxt in DOUBLE_QUOTE_ESCAPES:
                    chars.append(DOUBLE_QUOTE_ESCAPES[nxt])
                    j += 2
                    continue
                if quote == "'" and nxt in "'\\":
                    chars.append(nxt)
                    j += 2
                    continue
            if c == quote:
                break
            if c == "\n":
                line_no += 1
            chars.append(c)
            j += 1
        rest_end = text.find("\n", j)
        rest_end = n if rest_end < 0 else rest_end
        rest = text[j + 1:rest_end].strip()
        if rest and not rest.startswith("#"):
            raise SecretFormatError("line %d has text after the closing quote of %s" % (line_no, key))
        pairs.append((key, "".join(chars), key_line))
        i, line_no = rest_end + 1, line_no + 1
    return pairs


def parse_secret(raw):
    """Returns (key, value, where) triples; `where` says where the key is, for messages."""
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if isinstance(data, dict):
        return [(k, v if isinstance(v, str) else json.dumps(v), "JSON key %s" % json.dumps(k)) for k, v in data.items()]
    return [(k, v, "line %d" % n) for k, v, n in parse_dotenv(raw)]


def secret_text(environ):
    """The secret's text: SECRET_RESPONSE (GetSecretValue's JSON answer) or SECRET_VALUE."""
    if "SECRET_RESPONSE" not in environ:
        return environ["SECRET_VALUE"]
    try:
        response = json.loads(environ["SECRET_RESPONSE"])
    except ValueError:
        raise SecretFormatError("the answer of GetSecretValue is not JSON")
    if response.get("SecretString") is None:
        if response.get("SecretBinary") is not None:
            raise SecretFormatError("it is stored as binary (SecretBinary), not text: store the environment as a "
                                    "string (a JSON object or dotenv text), e.g. with --secret-string")
        raise SecretFormatError("it has no SecretString")
    return response["SecretString"]


def escape(value):
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")


def render(pairs, prefix, app_port):
    """Returns (lines, warnings, names written). Raises SecretFormatError for a key it would rename."""
    lines, warnings, names = [], [], []
    for key, value, where in pairs:
        if re.search(r"[^A-Za-z0-9_]", key):
            raise SecretFormatError(
                "%s: the key %s has characters an environment variable name cannot hold (only letters, digits and '_'); "
                "it would reach the app as %s: rename it in the secret" % (where, json.dumps(key), prefix + re.sub(r"[^A-Za-z0-9_]", "_", key)))
        name = prefix + key
        if not NAME.match(name):
            warnings.append("skipped %s: an environment variable name must start with a letter or '_' "
                            "(systemd drops it and bash cannot set it); rename the key or add a prefix" % name)
        elif name in BASH_READ_ONLY:
            warnings.append("skipped %s: bash keeps it read-only, so the build could not load the file; rename the key" % name)
        elif name == "PORT" and app_port:
            warnings.append("skipped PORT=%s: the tier's appPort (%s) is the port the load balancer checks and is "
                            "passed to the app as PORT; set appPort instead" % (value, app_port))
        else:
            lines.append('%s="%s"\n' % (name, escape(value)))
            names.append(name)
    return lines, warnings, names


def main(argv):
    path, prefix = argv[1], argv[2]
    app_port = argv[3] if len(argv) > 3 else ""
    required = os.environ.get("REQUIRED_KEYS", "").split()
    try:
        text = secret_text(os.environ)
    except SecretFormatError as e:
        sys.exit("the secret cannot be used as an environment: %s" % e)
    try:
        pairs = parse_secret(text)
    except SecretFormatError as e:
        sys.exit("the secret is neither a JSON object nor dotenv text: %s" % e)
    try:
        lines, warnings, names = render(pairs, prefix, app_port)
    except SecretFormatError as e:
        sys.exit("the secret cannot be used as an environment: %s" % e)
    for warning in warnings:
        print("warning: %s" % warning, file=sys.stderr)
    missing = [key for key in required if key not in names]
    if missing:
        sys.exit("the secret does not set the required key(s) %s (it sets %d variable(s)); add them to the secret"
                 % (", ".join(missing), len(names)))
    if not lines:
        print("warning: the secret sets no variable (it holds only comments, blank lines or skipped keys): "
              "the app gets no environment from it", file=sys.stderr)
    tmp = "%s.tmp" % path
    with open(tmp, "w") as out:
        out.writelines(lines)
    os.replace(tmp, path)
    print("wrote %d variable(s) to %s" % (len(lines), path))


if __name__ == "__main__":
    main(sys.argv)
