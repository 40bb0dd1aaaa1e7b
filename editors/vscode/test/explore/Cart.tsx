import React, { useState } from "react";

type Item = { id: string; name: string; price: number };

export function CartView({ items }: { items: Item[] }) {
  const [open, setOpen] = useState(false);
  const total = items.reduce((sum, i) => sum + i.price, 0);
  const average = total / items.length;
  return (
    <div className="cart">
      <button onClick={() => setOpen(!open)}>Cart ({items.length})</button>
      {open && (
        <ul>
          {items.map((item) => (
            <li key={item.id}>
              {item.name}: {item.price.toFixed(2)}
            </li>
          ))}
        </ul>
      )}
      <p className="total">Total: {total.toFixed(2)}</p>
      <p className="average">Average: {average.toFixed(2)}</p>
    </div>
  );
}
