"""A bounded store of values made once and kept for the next time, for a process's caches."""


def kept(store: dict, key, make, most: int):
    """Return ``store[key]``, made by ``make()`` and kept when missing; a store that holds
    ``most`` entries starts afresh (a page's words and addresses: few, and cheap to make
    again)."""
    value = store.get(key)
    if value is None:
        if len(store) >= most:
            store.clear()
        value = store[key] = make()
    return value
