export interface Line {
  sku: string;
  qty: number;
  price: number;
}

export class Cart {
  private lines: Line[] = [];
  private label = "Cart 🛒 – déjà vu";

  title(): string {
    const head = "🛒 " + this.label.toUpperCase();
    return head;
  }

  add(sku: string, qty: number, price: number): void {
    const line: Line = {
      sku,
      qty,
      price,
    };
    this.lines.push(line);
  }

  total(): number {
    return this.lines.reduce((sum, l) => sum + l.qty * l.price, 0);
  }

  averagePrice(): number {
    return this.total() / this.lines.length;
  }
}
