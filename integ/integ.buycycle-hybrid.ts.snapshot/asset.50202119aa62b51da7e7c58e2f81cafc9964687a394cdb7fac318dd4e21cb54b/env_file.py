"""Appends the key/values of a secret (JSON object or dotenv text) to an app environment file.

Used by app-env.sh at boot; python3 3.9 (Amazon Linux 2023) or newer. Tested in test/app-env.test.ts
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
    """Returns the (key, value) pairs of dotenv text, in order."""
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
            pairs.append((key, value))
            i, line_no = line_end + 1, line_no + 1
            continue
        # Quoted: read to the closing quote, possibly across lines.
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
        pairs.append((key, "".join(chars)))
        i, line_no = rest_end + 1, line_no + 1
    return pairs


def parse_secret(raw):
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if isinstance(data, dict):
        return [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in data.items()]
    return parse_dotenv(raw)


def escape(value):
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")


def render(pairs, prefix, app_port):
    """Returns (lines, warnings)."""
    lines, warnings = [], []
    for key, value in pairs:
        name = prefix + re.sub(r"[^A-Za-z0-9_]", "_", key)
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
    return lines, warnings


def main(argv):
    path, prefix = argv[1], argv[2]
    app_port = argv[3] if len(argv) > 3 else ""
    try:
        pairs = parse_secret(os.environ["SECRET_VALUE"])
    except SecretFormatError as e:
        sys.exit("the secret is neither a JSON object nor dotenv text: %s" % e)
    lines, warnings = render(pairs, prefix, app_port)
    for warning in warnings:
        print("warning: %s" % warning, file=sys.stderr)
    with open(path, "a") as out:
        out.writelines(lines)
    print("wrote %d variable(s) to %s" % (len(lines), path))


if __name__ == "__main__":
    main(sys.argv)
