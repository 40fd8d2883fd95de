"""Moments of the ground floor that other apps act on, each an explicit registry.

`practice/` imports no other app. What happens elsewhere when a session completes or a client
is erased is registered by that app in its `AppConfig.ready()`, so a reader finds every
receiver by searching for the hook's name (no signals, no import-time magic).
"""

from collections.abc import Callable


class Hook:
    """A named moment; its receivers run in registration order, in the caller's transaction."""

    def __init__(self, name: str):
        self.name = name
        self._receivers: list[Callable[..., None]] = []

    def register(self, receiver: Callable[..., None]) -> Callable[..., None]:
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def run(self, **kwargs) -> None:
        for receiver in self._receivers:
            receiver(**kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"


# `receiver(*, session)`: the session has just been marked completed, once.
session_completed = Hook("session_completed")
# `receiver(*, client)`: the client is about to be erased with everything recorded about them.
client_erasing = Hook("client_erasing")
# `receiver(*, bulk_import)`: a bulk import has just finished (its counts are final).
import_completed = Hook("import_completed")
