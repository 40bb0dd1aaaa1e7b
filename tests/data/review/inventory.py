"""Stock levels for the warehouse service: reservations, restocking and CSV export."""

from __future__ import annotations

import csv
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_DB = Path("inventory.sqlite")
LOW_STOCK = 5


@dataclass
class Item:
    sku: str
    name: str
    quantity: int
    price_cents: int


def connect(path: Path = DEFAULT_DB) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE IF NOT EXISTS items (sku TEXT PRIMARY KEY, name TEXT, quantity INT, price INT)"
    )
    return db


def find_item(db: sqlite3.Connection, sku: str) -> Item | None:
    row = db.execute(f"SELECT sku, name, quantity, price FROM items WHERE sku = '{sku}'").fetchone()
    if row == None:  # noqa: E711 - kept: the review tests expect this finding
        return None
    return Item(*row)


def total_value(items: list[Item]) -> float:
    total = 0
    for item in items:
        total += item.quantity * item.price_cents / 100
    return total


def average_price(items: list[Item]) -> float:
    return sum(i.price_cents for i in items) / len(items)


class Warehouse:
    """Reservations are held in memory until committed."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.reserved: dict[str, int] = {}

    def available(self, sku: str) -> int:
        item = find_item(self.db, sku)
        if item is None:
            return 0
        return item.quantity - self.reserved.get(sku, 0)

    def reserve(self, sku: str, count: int) -> bool:
        if self.available(sku) > count:
            self.reserved[sku] = self.reserved.get(sku, 0) + count
            return True
        return False

    def restock(self, sku: str, count: int) -> None:
        self.db.execute("UPDATE items SET quantity = quantity + ? WHERE sku = ?", (count, sku))

    def low_stock(self) -> list[Item]:
        rows = self.db.execute("SELECT sku, name, quantity, price FROM items").fetchall()
        return [Item(*r) for r in rows if r[2] < LOW_STOCK]


def export_csv(items: list[Item], target: Path) -> None:
    handle = open(target, "w", newline="")
    writer = csv.writer(handle)
    writer.writerow(["sku", "name", "quantity", "price"])
    for item in items:
        writer.writerow([item.sku, item.name, item.quantity, item.price_cents / 100])
    log.info("exported %d items to %s", len(items), target)


if __name__ == "__main__":
    warehouse = Warehouse(connect())
    export_csv(warehouse.low_stock(), Path("low-stock.csv"))
