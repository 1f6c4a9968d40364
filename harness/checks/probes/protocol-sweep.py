"""Sends one packet of each kind toward one address, paced, and reports what the kernel took.

Usage: protocol-sweep.py ADDRESS (IPv4 or IPv6) TCP_PORTS UDP_PORTS IP_PROTOCOLS RATE
(ports and protocols comma-separated; ranges as LOW-HIGH). A TCP port gets one SYN (a
non-blocking connect, closed at once), a UDP port one datagram, an IP protocol one raw packet.
Nothing waits for an answer: what crossed is counted by a capture elsewhere.
"""

import errno
import json
import socket
import sys
import time


def numbers(text):
    out = []
    for part in filter(None, text.split(",")):
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


def main():
    address, tcp_ports, udp_ports, protocols, rate = sys.argv[1:6]
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    gap = 1.0 / float(rate)
    taken = {"tcp": 0, "udp": 0, "ip": 0}
    refused = {}
    started = time.monotonic()
    next_at = started

    def pace():
        nonlocal next_at
        next_at += gap
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def note(kind, error):
        key = f"{kind} {errno.errorcode.get(error.errno, error.errno)}"
        refused[key] = refused.get(key, 0) + 1

    for port in numbers(tcp_ports):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setblocking(False)
        # The SYN is handed to the kernel inside connect(); EINPROGRESS means it was.
        result = s.connect_ex((address, port))
        if result in (0, errno.EINPROGRESS):
            taken["tcp"] += 1
        else:
            note("tcp", OSError(result, ""))
        s.close()
        pace()
    for port in numbers(udp_ports):
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            try:
                s.sendto(b"sovh protocol sweep", (address, port))
                taken["udp"] += 1
            except OSError as error:
                note("udp", error)
        pace()
    for proto in numbers(protocols):
        with socket.socket(family, socket.SOCK_RAW, proto) as s:
            try:
                # A header's worth of zeros and a marker: enough for any capture to count it.
                s.sendto(bytes(24) + b"sovh protocol sweep", (address, 0))
                taken["ip"] += 1
            except OSError as error:
                note(f"ip {proto}", error)
        pace()
    print(json.dumps({
        "taken": taken,
        "refused": refused,
        "elapsedMs": round((time.monotonic() - started) * 1000),
    }))


main()
