#!/usr/bin/env python3
"""lima-guestagent: reports the guest's listening sockets through netlink sock_diag.

Asking the kernel for listening TCP sockets only skips its table of established connections,
which /proc/net/tcp always walks; so this costs far less per poll than agent.sh on guests
with much memory. Each change is one JSON line {"added": [...], "removed": [...]}; a line
with "full": true lists every listener.

  agent.py [INTERVAL]                       lines on stdout until stdin reaches EOF (over SSH)
  agent.py daemon --virtio-port NAME [--tick SECONDS, default 1]
                                            lines on /dev/virtio-ports/NAME; any line the
                                            host sends asks for a full list; with
                                            /dev/virtio-ports/io.lima-vm.tunnel.0 it also
                                            forks the port-forwarding tunnel on that port
  agent.py tunnel --virtio-port NAME | --connect SOCKET
                                            the tunnel alone (--connect: a UNIX socket, for tests)
"""
import ctypes
import json
import errno
import os
import select
import signal
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
    """Returns once the host side of the port is open again (until then it reads as EOF), with
    what the host sent first.

    Checked often, and without scanning, as the host waits for the first list before the
    instance is ready."""
    while True:
        time.sleep(0.1)
        try:
            data = os.read(fd, 1 << 16)
            if data:
                return data
        except BlockingIOError:
            return b""


def daemon(args):
    port = option(args, "--virtio-port")
    if not port:
        sys.exit("lima-guestagent: daemon needs --virtio-port")
    interval = float(option(args, "--tick", "1"))
    fd = os.open("/dev/virtio-ports/" + port, os.O_RDWR | os.O_NONBLOCK)
    spawn_tunnel()
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


TUNNEL_PORT = "io.lima-vm.tunnel.0"
PR_SET_PDEATHSIG = 1
# Frames: type (u8), stream id (u32), payload length (u32), payload; see core/portfwd/tunnel_frame.ts.
HELLO, OPEN, OPENED, DATA, EOF, RESET, WINDOW, UDP_OPEN, UDP_DATA = range(9)
HELLO_MAGIC = b"LIMATUN2"
HEADER = struct.Struct(">BII")
WINDOW_SIZE = 256 * 1024
MAX_PAYLOAD = 1024 * 1024
# Bytes queued for the host before the streams stop being read: bounds memory, keeps the
# channel busy.
CHANNEL_HIGH = 1024 * 1024


def frame(kind, sid, payload=b""):
    return HEADER.pack(kind, sid, len(payload)) + payload


class Stream:
    def __init__(self, sock):
        self.sock = sock
        self.credit = WINDOW_SIZE   # data bytes the host still accepts
        self.pending = bytearray()  # from the host, not yet written to the socket
        self.read_eof = False       # the socket's EOF was sent to the host
        self.peer_eof = False       # the host sent EOF: shut the socket once pending is written
        self.shut = False


def open_address(payload):
    """The (ip, port) of an OPEN or UDP_OPEN payload: the port (u16), then the IP as text."""
    return payload[2:].decode(), struct.unpack(">H", payload[:2])[0]


class Tunnel:
    """TCP connections and UDP flows for the host, multiplexed on one byte stream (the
    virtio-serial port). A UDP flow is one host peer: its own socket here, so the service's
    replies go back to that peer (as core/portfwd/udp_relay.py does over SSH); the host ends
    it when idle."""

    def __init__(self, fd, reconnect):
        self.fd = fd
        self.reconnect = reconnect
        self.streams = {}
        self.flows = {}
        self.out = bytearray()
        self.inbuf = bytearray()

    def drop_all(self):
        for s in self.streams.values():
            s.sock.close()
        self.streams.clear()
        for sock in self.flows.values():
            sock.close()
        self.flows.clear()

    def reset(self):
        self.drop_all()
        self.out.clear()
        self.inbuf.clear()

    def run(self):
        while True:
            rlist, wlist = [self.fd], [self.fd] if self.out else []
            room = len(self.out) < CHANNEL_HIGH
            for s in self.streams.values():
                if room and not s.read_eof and s.credit > 0:
                    rlist.append(s.sock)
                if s.pending or (s.peer_eof and not s.shut):
                    wlist.append(s.sock)
            if room:
                # A full channel leaves datagrams to the socket's buffer, which drops them.
                rlist += self.flows.values()
            readable, writable, _ = select.select(rlist, wlist, [])
            if self.fd in writable:
                self.flush()
            if self.fd in readable:
                self.read_channel()
            by_flow = {sock: fid for fid, sock in self.flows.items()}
            for sock in readable:
                if sock in by_flow:
                    self.read_flow(by_flow[sock], sock)
            by_sock = {s.sock: (sid, s) for sid, s in self.streams.items()}
            for sock in writable:
                if sock in by_sock:
                    self.write_socket(*by_sock[sock])
            for sock in readable:
                # Skips a stream that writing just dropped.
                if sock in by_sock and self.streams.get(by_sock[sock][0]) is by_sock[sock][1]:
                    self.read_socket(*by_sock[sock])

    def flush(self):
        sent = 0
        try:
            # virtio-serial takes at most 32 KiB a write: writes are repeated rather than a
            # larger slice copied for nothing.
            while self.out and sent < CHANNEL_HIGH:
                n = os.write(self.fd, self.out[:1 << 15])
                del self.out[:n]
                sent += n
        except BlockingIOError:
            pass
        except OSError as err:
            if err.errno not in (errno.ENXIO, errno.EPIPE, errno.ECONNRESET):
                raise
            self.host_gone()

    def read_channel(self):
        # virtio-serial returns one 4 KiB buffer a read: reads are repeated while data waits.
        data, gone = bytearray(), False
        try:
            while len(data) < CHANNEL_HIGH:
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    gone = True
                    break
                data += chunk
        except BlockingIOError:
            pass
        except ConnectionResetError:
            gone = True
        if gone and not data:
            self.host_gone()
        self.inbuf += data
        self.parse()

    def parse(self):
        at = 0
        while len(self.inbuf) - at >= HEADER.size:
            kind, sid, size = HEADER.unpack_from(self.inbuf, at)
            if size > MAX_PAYLOAD:
                # Out of step with the host: start over when it greets again.
                self.reset()
                return
            if len(self.inbuf) - at < HEADER.size + size:
                break
            start = at + HEADER.size
            self.handle(kind, sid, bytes(self.inbuf[start:start + size]))
            at = start + size
        del self.inbuf[:at]

    def host_gone(self):
        self.reset()
        if not self.reconnect:
            sys.exit(0)
        self.inbuf += wait_for_host(self.fd)

    def handle(self, kind, sid, payload):
        if kind == HELLO:
            # A new session: whatever the previous host opened is gone.
            self.drop_all()
            self.out += frame(HELLO, 0, HELLO_MAGIC)
            return
        if kind == OPEN:
            self.open(sid, payload)
            return
        if kind == UDP_OPEN:
            self.open_flow(sid, payload)
            return
        if sid in self.flows:
            self.flow_frame(sid, kind, payload)
            return
        s = self.streams.get(sid)
        if s is None:
            return
        if kind == DATA:
            s.pending += payload
            if len(s.pending) > 2 * WINDOW_SIZE:
                self.drop(sid, "the host overran the window")
        elif kind == EOF:
            s.peer_eof = True
        elif kind == WINDOW and len(payload) == 4:
            s.credit += struct.unpack(">I", payload)[0]
        elif kind == RESET:
            s.sock.close()
            del self.streams[sid]

    def open(self, sid, payload):
        try:
            # A guest address answers at once: a blocking connect costs nothing here.
            sock = socket.create_connection(open_address(payload), timeout=5)
        except (OSError, ValueError, struct.error) as err:
            self.out += frame(RESET, sid, str(err).encode())
            return
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.streams[sid] = Stream(sock)
        self.out += frame(OPENED, sid)

    def open_flow(self, sid, payload):
        sock = None
        try:
            ip, port = open_address(payload)
            sock = socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET,
                                 socket.SOCK_DGRAM)
            sock.connect((ip, port))
        except (OSError, ValueError, struct.error) as err:
            if sock is not None:
                sock.close()
            self.out += frame(RESET, sid, str(err).encode())
            return
        sock.setblocking(False)
        self.flows[sid] = sock

    def flow_frame(self, sid, kind, payload):
        if kind == UDP_DATA:
            try:
                self.flows[sid].send(payload)
            except OSError:
                pass  # Nothing listens (yet), or the buffer is full: lost, as UDP allows.
        elif kind == RESET:
            self.flows.pop(sid).close()

    def read_flow(self, sid, sock):
        try:
            data = sock.recv(65535)
        except OSError:
            return  # Such as a refusal the kernel reports for an earlier datagram.
        self.out += frame(UDP_DATA, sid, data)

    def drop(self, sid, why):
        self.streams.pop(sid).sock.close()
        self.out += frame(RESET, sid, why.encode())

    def write_socket(self, sid, s):
        try:
            if s.pending:
                n = s.sock.send(s.pending)
                del s.pending[:n]
                self.out += frame(WINDOW, sid, struct.pack(">I", n))
            if s.peer_eof and not s.pending and not s.shut:
                s.sock.shutdown(socket.SHUT_WR)
                s.shut = True
        except BlockingIOError:
            return
        except OSError as err:
            self.drop(sid, str(err))
            return
        self.close_if_done(sid, s)

    def read_socket(self, sid, s):
        try:
            data = s.sock.recv(min(s.credit, 1 << 16))
        except BlockingIOError:
            return
        except OSError as err:
            self.drop(sid, str(err))
            return
        if data:
            s.credit -= len(data)
            self.out += frame(DATA, sid, data)
            return
        s.read_eof = True
        self.out += frame(EOF, sid)
        self.close_if_done(sid, s)

    def close_if_done(self, sid, s):
        if s.read_eof and s.shut:
            s.sock.close()
            del self.streams[sid]


def tunnel(args):
    port, path = option(args, "--virtio-port"), option(args, "--connect")
    if path:
        sock = socket.socket(socket.AF_UNIX)
        sock.connect(path)
        sock.setblocking(False)
        Tunnel(sock.fileno(), False).run()
    elif port:
        Tunnel(os.open("/dev/virtio-ports/" + port, os.O_RDWR | os.O_NONBLOCK), True).run()
    else:
        sys.exit("lima-guestagent: tunnel needs --virtio-port or --connect")


def spawn_tunnel():
    """Forks the tunnel when the driver offers its port; it dies with the agent (its service)."""
    if not os.path.exists("/dev/virtio-ports/" + TUNNEL_PORT):
        return
    # The agent does not wait for the tunnel: let the kernel reap it.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    if os.fork() != 0:
        return
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        tunnel(["--virtio-port", TUNNEL_PORT])
    finally:
        os._exit(1)


if len(sys.argv) > 1 and sys.argv[1] == "daemon":
    daemon(sys.argv[2:])
elif len(sys.argv) > 1 and sys.argv[1] == "tunnel":
    tunnel(sys.argv[2:])
else:
    stdio(float(sys.argv[1]) if len(sys.argv) > 1 else 0.5)
