use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Item {
    pub name: String,
    pub price: u32,
    pub count: u32,
}

pub struct Inventory {
    items: HashMap<String, Item>,
}

impl Inventory {
    pub fn new() -> Self {
        Inventory { items: HashMap::new() }
    }

    pub fn add(&mut self, name: &str, price: u32, count: u32) {
        let item = Item {
            name: name.to_string(),
            price,
            count,
        };
        self.items.insert(name.to_string(), item);
    }

    pub fn banner(&self) -> String {
        let s = format!("📦 Inventaire — {} articles", self.items.len());
        s
    }

    pub fn total(&self) -> u32 {
        self.items.values().map(|i| i.price * i.count).sum()
    }

    pub fn average_price(&self) -> u32 {
        let sum: u32 = self.items.values().map(|i| i.price).sum();
        let count = self.items.len() as u32;
        sum / count
    }
}
