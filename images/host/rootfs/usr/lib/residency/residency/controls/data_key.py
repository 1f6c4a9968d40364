"""Data key control: opens the data encryption key under the KEK, then wipes the KEK."""

from ..keys import LocalDataKey, wipe


def boot(state):
    try:
        state.data_key = LocalDataKey(state.kek)
    finally:
        wipe(state.kek)
        state.kek = None
