"""Immutable configuration (the manual's hardening advice): files that no process, root included,
may change until an operator removes the flag. chattr needs CAP_LINUX_IMMUTABLE and a filesystem
that keeps the flag (ext4, overlay; not tmpfs)."""

import subprocess


class ImmutabilityError(Exception):
    pass


def _chattr(flag, path):
    result = subprocess.run(["chattr", flag, path], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ImmutabilityError(f"chattr {flag} {path}: {result.stderr.strip() or result.returncode}")


def unlock(path):
    """Clears the flag so that the stack itself can rewrite the file (at boot)."""
    subprocess.run(["chattr", "-i", path], capture_output=True, check=False)


def lock(path):
    _chattr("+i", path)


def is_locked(path):
    result = subprocess.run(["lsattr", "-d", path], capture_output=True, text=True, check=False)
    return result.returncode == 0 and "i" in result.stdout.split()[0]


def write_locked(path, content):
    """Writes a file and makes it immutable; raises ImmutabilityError when the flag cannot be set."""
    unlock(path)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(content)
    lock(path)
