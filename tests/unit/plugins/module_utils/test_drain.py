# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drain of an old slot: connections to its socket counted from /proc/net/unix (the
server ends, not the listening socket, not another socket's), and a wait that ends when
none is left or when the drain time is up."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._drain import drain, open_connections

OLD = "/run/asgi-deploy/hello-a.sock"
NEW = "/run/asgi-deploy/hello-b.sock"
HEADER = "Num       RefCount Protocol Flags    Type St Inode Path\n"
LISTENING = "000000006aeb6173: 00000002 00000000 00010000 0001 01 43161 %s\n"
CONNECTED = "00000000a9919ccd: 00000003 00000000 00000000 0001 03 44734 %s\n"
# nginx's end of a connection: bound to no path.
CLIENT = "00000000ab53af46: 00000003 00000000 00000000 0001 03 33396\n"


@pytest.mark.parametrize("lines, expected", [
    ([], 0),
    ([LISTENING % OLD], 0),
    ([LISTENING % OLD, CLIENT, CONNECTED % OLD], 1),
    ([LISTENING % OLD, CONNECTED % OLD, CLIENT, CONNECTED % OLD, CLIENT], 2),
    ([LISTENING % NEW, CONNECTED % NEW, CLIENT], 0),
    ([CONNECTED % (OLD + ".bak"), CONNECTED % "/other/hello-a.sock"], 0),
    ([CONNECTED % "/run/dbus/system_bus_socket", CONNECTED % OLD], 1),
])
def test_only_the_server_ends_of_connections_to_the_socket_count(lines, expected):
    assert open_connections(HEADER + "".join(lines), [OLD]) == expected


def test_connections_to_every_socket_given_count():
    text = HEADER + CONNECTED % OLD + CONNECTED % NEW + CONNECTED % NEW
    assert open_connections(text, [OLD, NEW]) == 3


class Host:
    """A clock that sleep moves, and /proc/net/unix with the connections still open then."""

    def __init__(self, open_until):
        self.now = 100.0
        self.open_until = open_until
        self.sleeps = []

    def read(self):
        still = [CONNECTED % OLD for closes in self.open_until if self.now < 100.0 + closes]
        return HEADER + LISTENING % OLD + "".join(still)

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.mark.parametrize("open_until, seconds, waited, left", [
    # No client: nothing to wait for.
    ([], 5, 0, 0),
    # nginx's kept-alive connections age out after about 2 s.
    ([1.9, 2.0], 5, 2.0, 0),
    # A WebSocket that outlives the drain time: the wait ends there, with it open.
    ([2.0, 60], 5, 5, 1),
    ([60, 60], 0.5, 0.5, 2),
    # A drain time of 0 never waits.
    ([60], 0, 0, 1),
])
def test_the_wait_ends_when_the_last_connection_closes_or_the_time_is_up(open_until, seconds, waited, left):
    host = Host(open_until)
    assert drain(host.read, host.clock, host.sleep, [OLD], seconds) == {"seconds": waited, "open": left}
    assert host.now - 100.0 == pytest.approx(waited)


def test_the_wait_never_sleeps_past_the_drain_time():
    host = Host([60])
    drain(host.read, host.clock, host.sleep, [OLD], 0.5, interval=0.2)
    assert host.sleeps == pytest.approx([0.2, 0.2, 0.1])


def test_no_socket_means_nothing_to_wait_for():
    host = Host([60])
    assert drain(host.read, host.clock, host.sleep, [], 5) == {"seconds": 0, "open": 0}
    assert host.sleeps == []
