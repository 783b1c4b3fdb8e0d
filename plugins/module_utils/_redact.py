# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets and URL credentials out of text shown to an operator: a failed build's output,
a failed release's journal lines, a health alert's journal lines. Standard library only:
the monitoring role installs this very file on the host for its notifier."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Anywhere in a text: scheme://user:secret@ or scheme://token@.
_URL_CREDENTIALS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s\"']+@")
REDACTED = "********"


def redact(text, secrets=()):
    """The text (build output, journal lines) with every secret value, every line of a
    secret that spans lines, and the credentials of every URL replaced by ********."""
    if text is None:
        return ""
    text = _URL_CREDENTIALS.sub(r"\1" + REDACTED + "@", str(text))
    pieces = set()
    for secret in secrets or ():
        if secret is None or isinstance(secret, bool):
            continue
        secret = str(secret)
        pieces.add(secret)
        pieces.update(line for line in secret.splitlines() if len(line.strip()) >= 4)
    # Longest first, so a whole value goes before the lines it is made of.
    for piece in sorted((piece for piece in pieces if piece.strip()), key=len, reverse=True):
        text = text.replace(piece, REDACTED)
    return text
