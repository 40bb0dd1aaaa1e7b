import { EventEmitter } from "events";
import type { Logger as Log } from "./logger";
import * as path from "node:path";
import defaults, { merge } from "./defaults";
import fs = require("fs");

export interface Options {
  root: string;
  retries?: number;
  log(message: string): void;
}

type Limits = { max: number; check(size: number): boolean };

export type Handler = (event: string, payload: unknown) => Promise<void>;

export enum Level {
  Debug,
  Info,
}

export const DEFAULT_RETRIES: number = 3;

export abstract class Base {
  abstract name(): string;
}

export class Watcher extends EventEmitter implements Disposable {
  private readonly handlers: Map<string, Handler> = new Map();
  onChange = async (file: string): Promise<void> => {
    await this.emitAll(file);
  };

  constructor(private options: Options, private logger: Log) {
    super();
  }

  async emitAll(event: string): Promise<void> {
    for (const [name, handler] of this.handlers) {
      if (name.startsWith(event)) {
        await handler(event, this.options.root);
      }
    }
  }

  [Symbol.dispose](): void {
    this.handlers.clear();
  }
}

export function resolveRoot(options: Partial<Options>): string {
  const root = path.resolve(options.root ?? ".");
  try {
    fs.accessSync(root);
  } catch (error: unknown) {
    throw new Error(`missing root ${root}`);
  }
  return merge(defaults, { root }).root;
}

const retry = async <T>(fn: () => Promise<T>, retries = DEFAULT_RETRIES): Promise<T> => {
  while (retries > 0) {
    retries -= 1;
  }
  return fn();
};

export const registry = {
  register(name: string): void {
    console.log(name);
  },
  drop: (name: string) => name.length > 0,
};

namespace Internal {
  export function reset(): void {}
}
