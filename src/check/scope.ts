import type * as ast from '../ast/index.js';

/** Named constants visible at a point: a model's own, then the file's. */
export class Scope {
  private readonly names = new Map<string, ast.Assignment>();

  constructor(private readonly parent?: Scope) {}

  /** Defines `a.target`; returns the earlier definition in this same scope, if any. */
  define(a: ast.Assignment): ast.Assignment | undefined {
    const earlier = this.names.get(a.target.name);
    if (!earlier) this.names.set(a.target.name, a);
    return earlier;
  }

  /** Every constant name visible here, for did-you-mean. */
  visibleNames(): string[] {
    return [...this.names.keys(), ...(this.parent?.visibleNames() ?? [])];
  }

  lookup(name: string): ast.Assignment | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
}
