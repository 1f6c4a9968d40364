"""residency-event TOPIC [EVENT]: passes an event to the agent's control socket. NUT's upsmon
calls it as NOTIFYCMD (the event is then in $NOTIFYTYPE) and as SHUTDOWNCMD."""

import os
import sys

from . import control_socket


def main(arguments):
    if not arguments:
        print("usage: residency-event TOPIC [EVENT]", file=sys.stderr)
        return 2
    topic = arguments[0]
    event = os.environ.get("NOTIFYTYPE") or (arguments[1] if len(arguments) > 1 else "")
    answer = control_socket.send(f"{topic} {event}")
    print(answer)
    return 0 if answer == "ok" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
