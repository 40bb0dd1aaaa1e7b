import os.path
import json as js
from collections import OrderedDict
from .store import Backend, load_all as load

MAX_ENTRIES = 128


class Cache(OrderedDict):
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
