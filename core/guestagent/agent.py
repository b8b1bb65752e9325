#!/usr/bin/env python3
"""lima-guestagent: reports the guest's listening sockets through netlink sock_diag.

Asking the kernel for listening TCP sockets only skips its table of established connections,
which /proc/net/tcp always walks; so this costs far less per poll than agent.sh on guests
with much memory. Each change is one JSON line {"added": [...], "removed": [...]}; a line
with "full": true lists every listener.

  agent.py [INTERVAL]                       lines on stdout until stdin reaches EOF (over SSH)
  agent.py daemon --virtio-port NAME [--tick SECONDS, default 1]
                                            lines on /dev/virtio-ports/NAME; any line the
                                            host sends asks for a full list
"""
import json
import errno
import os
import select
import socket
import struct
import sys
import time

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
NLMSG_DONE, NLMSG_ERROR = 3, 2
TCP_LISTEN, TCP_CLOSE = 10, 7
V4_MAPPED = bytes(10) + b"\xff\xff"
nl = None


def dump(family, proto, state):
    """The (proto, family, address bytes, port) of every socket in STATE."""
    # inet_diag_req_v2 with an empty socket id selects every socket in STATE.
    req = struct.pack("=BBBxI", family, proto, 0, 1 << state) + bytes(48)
    global nl
    if nl is None:
        nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    nl.send(struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY,
                        NLM_F_REQUEST | NLM_F_DUMP, 0, 0) + req)
    name = "tcp" if proto == socket.IPPROTO_TCP else "udp"
    width = 4 if family == socket.AF_INET else 16
    found = set()
    while True:
        data = nl.recv(1 << 16)
        at = 0
        while at + 16 <= len(data):
            size, kind = struct.unpack_from("=IH", data, at)
            if kind in (NLMSG_DONE, NLMSG_ERROR):
                return found
            # Addresses stay bytes here: polls compare sets, and text is made only for changes.
            sport, dport = struct.unpack_from(">HH", data, at + 20)
            if dport == 0:
                found.add((name, family, data[at + 24:at + 24 + width], sport))
            at += (size + 3) & ~3


def scan():
    found = set()
    for family in (socket.AF_INET, socket.AF_INET6):
        found |= dump(family, socket.IPPROTO_TCP, TCP_LISTEN)
        found |= dump(family, socket.IPPROTO_UDP, TCP_CLOSE)
    return found


def address(family, raw):
    if family == socket.AF_INET6 and raw[:12] == V4_MAPPED:
        family, raw = socket.AF_INET, raw[12:]
    return socket.inet_ntop(family, raw)


def entries(items):
    return [{"proto": p, "ip": address(f, raw), "port": port}
            for p, f, raw, port in sorted(items)]


def line(cur, prev):
    """The event from PREV to CUR; without PREV, the full list."""
    old = prev or set()
    event = {"added": entries(cur - old), "removed": entries(old - cur)}
    if prev is None:
        event["full"] = True
    return (json.dumps(event, separators=(",", ":")) + "\n").encode()


def option(args, name, default=None):
    return args[args.index(name) + 1] if name in args[:-1] else default


def stdio(interval):
    prev = None
    while True:
        cur = scan()
        if prev is None or cur != prev:
            os.write(1, line(cur, prev))
            prev = cur
        ready, _, _ = select.select([0], [], [], interval)
        if ready and not os.read(0, 4096):
            sys.exit(0)


def wait_for_host(fd):
    """Returns once the host side of the port is open again: until then it reads as EOF.

    Checked often, and without scanning, as the host waits for the first list before the
    instance is ready."""
    while True:
        time.sleep(0.1)
        try:
            if os.read(fd, 4096):
                return
        except BlockingIOError:
            return


def daemon(args):
    port = option(args, "--virtio-port")
    if not port:
        sys.exit("lima-guestagent: daemon needs --virtio-port")
    interval = float(option(args, "--tick", "1"))
    fd = os.open("/dev/virtio-ports/" + port, os.O_RDWR | os.O_NONBLOCK)
    prev = None
    while True:
        cur = scan()
        if prev is None or cur != prev:
            try:
                os.write(fd, line(cur, prev))
                prev = cur
            except OSError as err:
                # No host on the other end yet: it asks for a full list when it comes.
                if err.errno not in (errno.EAGAIN, errno.ENXIO, errno.EPIPE):
                    raise
                prev = None
        ready, _, _ = select.select([fd], [], [], interval)
        if ready:
            try:
                if not os.read(fd, 4096):
                    wait_for_host(fd)
            except BlockingIOError:
                pass
            prev = None


if len(sys.argv) > 1 and sys.argv[1] == "daemon":
    daemon(sys.argv[2:])
else:
    stdio(float(sys.argv[1]) if len(sys.argv) > 1 else 0.5)
