"""The listening-sockets check (every test; run by mpspec/guards/hooks.py): a socket
of the test process that listens (AF_INET/AF_INET6, or AF_UNIX) when the test ends
and did not before fails the test: an unclosed Listener, or a manager server run in a
thread.
"""

from __future__ import annotations

import os

import psutil

# /proc/net/unix: Flags has __SO_ACCEPTCON (include/net/af_unix.h) on a listening socket.
_SO_ACCEPTCON = 0x10000
_TCP_LISTEN = "0A"  # /proc/net/tcp{,6}: st


def _socket_inodes():
    """{inode: fd} of this process's sockets (Linux), or None."""
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return None
    inodes = {}
    for fd in fds:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes[target[8:-1]] = int(fd)
    return inodes


def _proc_net_listening():
    """{inode: address} of every listening socket the kernel lists, from /proc/net."""
    listening = {}
    try:
        with open("/proc/net/unix") as f:
            next(f)
            for line in f:
                fields = line.split()
                if len(fields) >= 7 and int(fields[3], 16) & _SO_ACCEPTCON:
                    listening[fields[6]] = fields[7] if len(fields) > 7 else "(unnamed AF_UNIX)"
    except OSError:
        pass
    for name in ("tcp", "tcp6"):
        try:
            with open(f"/proc/net/{name}") as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if len(fields) >= 10 and fields[3] == _TCP_LISTEN:
                        host, port = fields[1].split(":")
                        listening[fields[9]] = f"{name} port {int(port, 16)}"
        except OSError:
            pass
    return listening


def listening_sockets():
    """{fd: address} of the sockets of this process that listen for connections."""
    inodes = _socket_inodes()
    if inodes is not None:
        if not inodes:
            return {}
        listening = _proc_net_listening()
        return {fd: listening[inode] for inode, fd in inodes.items() if inode in listening}
    try:  # not Linux: psutil knows listening AF_INET sockets only
        me = psutil.Process()
        connections = getattr(me, "net_connections", None) or me.connections
        return {c.fd: f"{c.laddr}" for c in connections(kind="inet") if c.status == psutil.CONN_LISTEN}
    except (psutil.Error, AttributeError):
        return {}

