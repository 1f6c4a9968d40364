"""Network sysctls of the machine. A VM writes /proc/sys itself; in the harness, where the engine
mounts /proc/sys read-only for a container that joins its machine's network namespace, the machine
serves net.* keys on its loopback (CONTRACT.md, "The machine's sysctl agent")."""

import socket

AGENT = ("127.0.0.1", 2330)


class SysctlError(Exception):
    pass


def _path(key):
    return "/proc/sys/" + key.replace(".", "/")


def _through_agent(key, value):
    try:
        with socket.create_connection(AGENT, timeout=5) as agent:
            agent.sendall(f"{key}={value}\n".encode())
            answer = agent.makefile().readline().strip()
    except OSError as error:
        raise SysctlError(f"{key}: /proc/sys is read-only and the machine's sysctl agent does not answer ({error})") from error
    if not answer.startswith("OK "):
        raise SysctlError(f"{key}: the machine's sysctl agent said {answer!r}")
    return answer[3:]


def set_value(key, value):
    """Sets a net.* sysctl and returns the value the kernel now holds."""
    try:
        with open(_path(key), "w", encoding="ascii") as handle:
            handle.write(f"{value}\n")
        with open(_path(key), encoding="ascii") as handle:
            return " ".join(handle.read().split())
    except OSError:
        return _through_agent(key, value)
