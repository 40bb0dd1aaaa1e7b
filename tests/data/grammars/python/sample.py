import os.path
import json as js
from collections import OrderedDict
from .store import Backend, load_all as load

MAX_ENTRIES = 128


class Cache(OrderedDict):
    #: entries kept before the oldest goes
    limit: int = MAX_ENTRIES
    EVICTIONS = 0

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend

    @property
    def full(self) -> bool:
        return len(self) >= MAX_ENTRIES

    def get_entry(self, key):
        if key not in self:
            for old in list(self)[:1]:
                self.pop(old)
            self[key] = self.backend.fetch(key)
        else:
            self.move_to_end(key)
        return self[key]


def dump(cache, path):
    with open(os.path.join(path, "cache.json"), "w") as fh:
        js.dump(dict(cache), fh)
    return load(path)


try:
    from ujson import dumps
except ImportError:
    def dumps(obj):
        return js.dumps(obj)

if os.name == "nt":
    SEPARATOR = "\\"
else:
    SEPARATOR = "/"

if __name__ == "__main__":
    target = os.path.join(SEPARATOR, "tmp")
    dump(Cache(load(target)), target)
