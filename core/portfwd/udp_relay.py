"""UDP relay run in the guest for one forwarded port: argv = guest IP, guest port.

stdin and stdout carry frames of a 4-byte flow id, a 4-byte length (big-endian) and that many
bytes. Each flow (one peer on the host) gets its own UDP socket to the guest service, so
replies go back to the right peer. A length of 0xFFFFFFFF from the host ends a flow. An empty
frame for flow 0 on start-up says the relay is ready.
"""
import os
import selectors
import socket
import struct
import sys

CLOSE = 0xFFFFFFFF
host, port = sys.argv[1], int(sys.argv[2])
family = socket.AF_INET6 if ":" in host else socket.AF_INET
sel = selectors.DefaultSelector()
flows = {}
out = sys.stdout.buffer
inp = sys.stdin.buffer.raw
pending = b""


def send_frame(flow, data):
    out.write(struct.pack(">II", flow, len(data)) + data)
    out.flush()


def on_stdin():
    global pending
    chunk = os.read(inp.fileno(), 1 << 20)
    if not chunk:
        sys.exit(0)
    pending += chunk
    while len(pending) >= 8:
        flow, size = struct.unpack(">II", pending[:8])
        if size == CLOSE:
            pending = pending[8:]
            sock = flows.pop(flow, None)
            if sock:
                sel.unregister(sock)
                sock.close()
            continue
        if len(pending) < 8 + size:
            break
        data, pending = pending[8:8 + size], pending[8 + size:]
        sock = flows.get(flow)
        if sock is None:
            sock = socket.socket(family, socket.SOCK_DGRAM)
            sock.connect((host, port))
            flows[flow] = sock
            sel.register(sock, selectors.EVENT_READ, flow)
        try:
            sock.send(data)
        except OSError:
            pass  # Nothing listens (yet): the datagram is lost, as UDP allows.


sel.register(inp, selectors.EVENT_READ, None)
send_frame(0, b"")
while True:
    for key, _ in sel.select():
        if key.data is None:
            on_stdin()
            continue
        try:
            send_frame(key.data, key.fileobj.recv(65535))
        except OSError:
            pass
