"""Boot sequence of the reference stack: read the site file, then run each control's boot step in
order (controls.BOOT_ORDER), then start the services. When a control refuses
(LOCALIZATION_MISMATCH and the like), the sovereign services are not started and the machine stays
up without them, as a real host would, so that operators can look at it."""

import signal
import sys
import threading

from . import controls, log
from . import site as site_file


class BootState:
    """What boot steps hand to later steps (the KEK, the data key, ...). Keys are wiped by
    their owners; this object only carries references."""

    def __init__(self, site):
        self.site = site
        self.kek = None
        self.data_key = None
        self.services = []


def stay_up_without_services():
    threading.Event().wait()


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        site = site_file.load()
    except site_file.SiteError as error:
        log.event(f"SITE_FILE_ERROR: {error}")
        return 2
    state = BootState(site)
    for control in controls.BOOT_ORDER:
        try:
            control.boot(state)
        except controls.Refusal as refusal:
            log.event(f"{refusal.code}: {refusal}; sovereign services not started")
            stay_up_without_services()
    for control in controls.BOOT_ORDER:
        starter = getattr(control, "start", None)
        if starter is not None:
            starter(state)
    # The services run in their own threads; the main thread waits for the machine to stop.
    stay_up_without_services()
    return 0


if __name__ == "__main__":
    sys.exit(main())
