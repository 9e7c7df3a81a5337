"""What the accounts announce; other packages listen from their ``init_app``.

Signals keep the dependencies one way: the lifecycle knows about accounts, never the
reverse, yet a log-in still ends a dormancy at once.
"""
from blinker import Namespace

_signals = Namespace()

# Sent with the Account that has just signed in (a log-in, or setting the first password),
# in the same transaction; ``at`` is the moment.
signed_in = _signals.signal("signed-in")
