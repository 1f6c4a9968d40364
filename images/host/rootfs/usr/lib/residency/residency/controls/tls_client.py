"""TLS policy control: the sovereign services start only on an OpenSSL that can hold TLS 1.3 to
sovereign APIs (tls_policy.verify_runtime); otherwise TLS_RUNTIME_MISMATCH."""

from .. import log, tls_policy
from . import Refusal


def boot(state):
    try:
        facts = tls_policy.verify_runtime()
    except tls_policy.TlsRuntimeMismatch as error:
        raise Refusal("TLS_RUNTIME_MISMATCH", str(error)) from error
    log.event(
        f"TLS policy: {facts['library']}, installed {facts['installed']}, self-test {facts['selfTest']}, "
        f"minimum {facts['minimum']} toward sovereign APIs"
    )
