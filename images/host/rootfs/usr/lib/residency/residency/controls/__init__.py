"""The residency controls of the reference stack, in boot order. Each control is a module with
`boot(state)` (may raise Refusal) and optionally `start(state)` for its long-running part."""


class Refusal(Exception):
    """A control refuses to let the sovereign services start; `code` is the manual's error name."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


from . import tpm_binding, data_key, store_service  # noqa: E402 (Refusal must exist first)

BOOT_ORDER = [
    tpm_binding,
    data_key,
    store_service,
]
