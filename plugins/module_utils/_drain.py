# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drain of a slot that served: after the swap, nginx keeps its kept-alive connections
to the old slot until they age out (keepalive_time, keepalive_timeout), and WebSockets and
event streams stay until they end. The old slot stops once none of them is left, or when
the drain time is up, whichever comes first: a switch with no client waits for nothing.

The connections are read from /proc/net/unix: the server end of a connection to a UNIX
socket carries the path the socket is bound to, the listening socket too (with the
accepting flag), the client end no path. Pure: the reading, the clock and the sleep are
given."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# /proc/net/unix's Flags of a listening socket (__SO_ACCEPTCON).
_ACCEPTING = 0x10000
# Num, RefCount, Protocol, Flags, Type, St, Inode, then the path when there is one.
_FIELDS = 7


def open_connections(proc_net_unix, paths):
    """How many connections are open to the UNIX sockets bound at `paths`, from the text of
    /proc/net/unix: the entries with one of the paths that are not the listening socket."""
    wanted = set(paths)
    count = 0
    for line in proc_net_unix.splitlines()[1:]:
        fields = line.split(None, _FIELDS)
        if len(fields) <= _FIELDS or fields[_FIELDS] not in wanted:
            continue
        if int(fields[3], 16) & _ACCEPTING:
            continue
        count += 1
    return count


def drain(read, clock, sleep, paths, seconds, interval=0.2):
    """Wait until no connection is open to the sockets at `paths`, at most `seconds`.
    read() -> the text of /proc/net/unix. Returns {"seconds": waited, "open": connections
    still open when it stopped waiting (0: drained)}."""
    start = clock()
    while True:
        left = open_connections(read(), paths) if paths else 0
        waited = clock() - start
        if left == 0 or waited >= seconds:
            return {"seconds": round(waited, 2), "open": left}
        sleep(min(interval, seconds - waited))
