"""A burst of TCP connections, held open, in two waves driven by files (run in a harness container).

    python3 connection-burst.py ADDRESS PORT FIRST SECOND FIRST_TIMEOUT_S SECOND_TIMEOUT_S DIR

Opens FIRST connections as fast as the kernel takes them and waits up to FIRST_TIMEOUT_S for them
to complete; writes DIR/first.json. Waits for DIR/go-second, opens SECOND more (waiting up to
SECOND_TIMEOUT_S); writes DIR/second.json. Waits for DIR/release, closes everything and writes
DIR/closed.json. Every wait on a file gives up after 60 s, so nothing is held for long."""

import errno
import json
import os
import select
import socket
import sys
import time

FILE_WAIT_S = 60


def burst(address, port, count, timeout_s):
    started = time.monotonic()
    poller = select.epoll()
    pending, held, failures = {}, [], {}

    def fail(reason):
        failures[reason] = failures.get(reason, 0) + 1

    def settle(wait_s):
        for fd, _ in poller.poll(wait_s):
            sock = pending.pop(fd)
            poller.unregister(fd)
            error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if error == 0:
                held.append(sock)
            else:
                fail(os.strerror(error))
                sock.close()

    for _ in range(count):
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError as error:
            fail(f"socket: {error.strerror}")
            continue
        sock.setblocking(False)
        code = sock.connect_ex((address, port))
        if code not in (0, errno.EINPROGRESS):
            fail(os.strerror(code))
            sock.close()
            continue
        pending[sock.fileno()] = sock
        poller.register(sock.fileno(), select.EPOLLOUT)
        settle(0)
    deadline = started + timeout_s
    while pending and time.monotonic() < deadline:
        settle(0.1)
    timed_out = len(pending)
    for sock in pending.values():
        sock.close()
    poller.close()
    return held, {
        "attempted": count,
        "connected": len(held),
        "timedOut": timed_out,
        "failures": failures,
        "elapsedMs": round((time.monotonic() - started) * 1000),
    }


def write(directory, name, record):
    path = os.path.join(directory, name)
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(record, handle)
    os.rename(path + ".tmp", path)


def wait_for(directory, name):
    deadline = time.monotonic() + FILE_WAIT_S
    while not os.path.exists(os.path.join(directory, name)):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def main(argv):
    address, port, first, second, first_timeout, second_timeout, directory = argv
    held, record = burst(address, int(port), int(first), float(first_timeout))
    write(directory, "first.json", record)
    if wait_for(directory, "go-second"):
        more, record = burst(address, int(port), int(second), float(second_timeout))
        held += more
        write(directory, "second.json", record)
        wait_for(directory, "release")
    for sock in held:
        sock.close()
    write(directory, "closed.json", {"closed": len(held)})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
