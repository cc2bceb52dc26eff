#!/usr/bin/env python3
"""Exit 0 when the Kafka broker at HOST:PORT answers a Metadata request
listing at least one (unfenced) broker; exit 1 otherwise. Standard library only:
speaks just enough of the Kafka wire protocol (ApiVersions v0, Metadata v4..v8).

usage: kafka_ready.py [HOST:PORT] [-v]
"""

import socket
import struct
import sys

CLIENT_ID = b"kayak-stack-probe"


def _request(sock, api_key, api_version, corr, body=b""):
    header = struct.pack(">hhih", api_key, api_version, corr, len(CLIENT_ID)) + CLIENT_ID
    msg = header + body
    sock.sendall(struct.pack(">i", len(msg)) + msg)
    size = struct.unpack(">i", _read(sock, 4))[0]
    data = _read(sock, size)
    (got,) = struct.unpack(">i", data[:4])
    if got != corr:
        raise RuntimeError("correlation id mismatch")
    return data[4:]


def _read(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise RuntimeError("connection closed")
        buf += chunk
    return buf


def probe(host, port, timeout=3.0):
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        data = _request(sock, 18, 0, 1)  # ApiVersions v0
        err, count = struct.unpack(">hi", data[:6])
        if err != 0:
            raise RuntimeError("ApiVersions error %d" % err)
        versions = {}
        off = 6
        for _ in range(count):
            key, lo, hi = struct.unpack(">hhh", data[off : off + 6])
            versions[key] = (lo, hi)
            off += 6
        lo, hi = versions.get(3, (0, -1))
        candidates = [v for v in range(4, 9) if lo <= v <= hi]
        if not candidates:
            raise RuntimeError("no usable Metadata version (%d..%d)" % (lo, hi))
        ver = candidates[0]
        body = struct.pack(">ib", 0, 0)  # topics: empty array, allow_auto_topic_creation false
        if ver >= 8:
            body += struct.pack(">bb", 0, 0)
        data = _request(sock, 3, ver, 2, body)
        off = 4  # throttle_time_ms
        (nbrokers,) = struct.unpack(">i", data[off : off + 4])
        off += 4
        brokers = []
        for _ in range(nbrokers):
            node_id, hlen = struct.unpack(">ih", data[off : off + 6])
            off += 6
            bhost = data[off : off + hlen].decode()
            off += hlen
            (bport, rlen) = struct.unpack(">ih", data[off : off + 6])
            off += 6 + max(rlen, 0)
            brokers.append((node_id, bhost, bport))
        (clen,) = struct.unpack(">h", data[off : off + 2])
        off += 2 + max(clen, 0)
        (controller,) = struct.unpack(">i", data[off : off + 4])
        return brokers, controller


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    verbose = "-v" in sys.argv[1:]
    target = args[0] if args else "127.0.0.1:19092"
    host, _, port = target.rpartition(":")
    try:
        brokers, controller = probe(host or "127.0.0.1", int(port))
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        if verbose:
            print("not ready: %s" % exc, file=sys.stderr)
        return 1
    if verbose:
        print("brokers=%s controller=%s" % (brokers, controller))
    return 0 if brokers else 1


if __name__ == "__main__":
    sys.exit(main())
