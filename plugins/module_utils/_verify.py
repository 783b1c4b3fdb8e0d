# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a smoke test of one deployed app concludes from what was observed on its host.

The module ``app_check`` observes (requests through nginx, links, unit states); this
file decides, without any I/O, which observations are failures and writes the one line
an operator reads per app and host.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import posixpath

SECONDS_PER_DAY = 86400
REDIRECT_STATUSES = (301, 308)


def concrete_names(server_names):
    """The names a request can be sent to: not wildcards ("*.x", ".x") or regular expressions ("~")."""
    return [name for name in server_names if not name.startswith(("*", ".", "~")) and "*" not in name]


def live_slot(live_target, slots):
    """The slot whose socket the live link points at, or None."""
    for slot, paths in sorted(slots.items()):
        if live_target == paths["socket"]:
            return slot
    return None


def _https_failures(name, https, min_cert_days, expect_hsts, now):
    if https.get("error"):
        return ["https://%s: %s" % (name, https["error"])], None
    failures = []
    if https.get("status") != 200:
        failures.append("https://%s health answered %s, not 200" % (name, https.get("status")))
    days_left = None
    if https.get("not_after") is not None:
        days_left = int((https["not_after"] - now) // SECONDS_PER_DAY)
        if days_left < min_cert_days:
            failures.append("the certificate for %s expires in %d days (less than %d)" % (name, days_left, min_cert_days))
    if expect_hsts and not https.get("hsts"):
        failures.append("https://%s sends no Strict-Transport-Security header" % name)
    return failures, days_left


def _redirect_failures(name, http):
    if http.get("error"):
        return ["http://%s: %s" % (name, http["error"])]
    if http.get("status") not in REDIRECT_STATUSES:
        return ["http://%s answered %s, not a redirect to https://%s/" % (name, http.get("status"), name)]
    location = http.get("location") or ""
    if not location.startswith("https://%s/" % name):
        return ["http://%s redirects to %r, not to https://%s/" % (name, location, name)]
    return []


def _plain_failures(name, http):
    if http.get("error"):
        return ["http://%s: %s" % (name, http["error"])]
    if http.get("status") != 200:
        return ["http://%s health answered %s, not 200" % (name, http.get("status"))]
    return []


def _slot_failures(app, slots):
    """Failures of the slot state: one live slot, named by `current`, running; the idle one stopped."""
    failures = []
    live = live_slot(slots.get("live_target"), app["slots"])
    if live is None:
        return ["%s points at %r, not at a slot's socket" % (app["live_socket_link"], slots.get("live_target"))], None
    current = slots.get("current_target")
    if current is None or posixpath.basename(current) != live:
        failures.append("current names %r but the live slot is %s" % (current, live))
    states = slots.get("units", {})
    for unit in (app["slots"][live]["socket_unit"], app["slots"][live]["service"]):
        if states.get(unit) != "active":
            failures.append("the live slot's %s is %s" % (unit, states.get(unit, "unknown")))
    for slot in sorted(app["slots"]):
        if slot != live and states.get(app["slots"][slot]["service"]) in ("active", "activating", "reloading"):
            failures.append("the idle slot's %s is %s, not stopped"
                            % (app["slots"][slot]["service"], states[app["slots"][slot]["service"]]))
    return failures, live


def evaluate(app, observed, min_cert_days=14, expect_hsts=True, now=0):
    """Return (healthy, failures, line) for one app.

    ``app`` is its record from the asgi_apps_normalize filter; ``observed`` holds, per
    server name, ``https`` and ``http`` results (status, location, hsts, not_after as
    epoch seconds, error), and ``slots`` (live_target, current_target, release_target,
    units: unit name -> ActiveState).
    """
    tls = app["tls"]["mode"] != "off"
    failures = []
    days = []
    names = concrete_names(app["server_names"])
    for name in names:
        seen = observed["names"].get(name, {})
        if tls:
            found, days_left = _https_failures(name, seen.get("https", {}), min_cert_days, expect_hsts, now)
            failures.extend(found)
            if days_left is not None:
                days.append(days_left)
            failures.extend(_redirect_failures(name, seen.get("http", {})))
        else:
            failures.extend(_plain_failures(name, seen.get("http", {})))
    slot_failures, live = _slot_failures(app, observed["slots"])
    failures.extend(slot_failures)

    release = observed["slots"].get("release_target")
    facts = ["live slot %s" % live if live else "no live slot",
             "release %s" % (posixpath.basename(release) if release else "unknown"),
             "%d name%s" % (len(names), "" if len(names) == 1 else "s")]
    if days:
        facts.append("certificate %d days left" % min(days))
    if failures:
        return False, failures, "%s FAILED (%s): %s" % (app["name"], ", ".join(facts), "; ".join(failures))
    return True, [], "%s ok: %s" % (app["name"], ", ".join(facts))
