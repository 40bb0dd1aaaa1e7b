import fs from "fs";
import { readFile as read, join } from "./util.js";
import * as path from 'node:path';
const config = require("./config");
const { debounce } = require("./timing");

export const MAX_ITEMS = 10;
let counter = 0;

export const api = {
  get(url) {
    return read(url);
  },
  post: async (url, body) => {
    return join(url, body);
  },
  retries: 3,
};

export class Cache extends Map {
  constructor(limit) {
    super();
    this.limit = limit;
  }

  store(key, value) {
    if (this.size >= this.limit) {
      for (const first of this.keys()) {
        this.delete(first);
        break;
      }
    }
    return this.set(key, value);
  }

  onEvict = (key) => {
    this.evicted.push(key);
  };
}

function loadConfig(file) {
  try {
    return JSON.parse(fs.readFileSync(path.join(config.root, file)));
  } catch (err) {
    return null;
  } finally {
    counter++;
  }
}

const summarize = (items) => {
  let total = 0;
  while (total < MAX_ITEMS) {
    total += items.length;
  }
  if (total > 0) {
    counter = total;
  } else {
    items.forEach((item) => {
      debounce(item.flush);
    });
  }
  return total;
};

export default async function main() {
  const cache = new Cache(MAX_ITEMS);
  const hooks = { flush() { return counter; } };
  hooks.flush();
  cache.store("x", await read(join("a", "b")));
  return summarize([cache]);
}
