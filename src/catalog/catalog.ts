/**
 * The catalog loaded from `specs/catalog/*.json`: lookups by Keras spelling, with the
 * arguments each entry accepts. Pure data access; the checker decides what a lookup means.
 */
import activations from '../../specs/catalog/activations.json' with { type: 'json' };
import callbacks from '../../specs/catalog/callbacks.json' with { type: 'json' };
import constraints from '../../specs/catalog/constraints.json' with { type: 'json' };
import initializers from '../../specs/catalog/initializers.json' with { type: 'json' };
import layers from '../../specs/catalog/layers.json' with { type: 'json' };
import losses from '../../specs/catalog/losses.json' with { type: 'json' };
import methods from '../../specs/catalog/methods.json' with { type: 'json' };
import metrics from '../../specs/catalog/metrics.json' with { type: 'json' };
import optimizers from '../../specs/catalog/optimizers.json' with { type: 'json' };
import regularizers from '../../specs/catalog/regularizers.json' with { type: 'json' };
import schedules from '../../specs/catalog/schedules.json' with { type: 'json' };
import { closest } from './suggest.js';
import type { CatalogArg, CatalogEntry, CatalogFile, CatalogKind } from './types.js';

const files = [
  layers,
  activations,
  losses,
  optimizers,
  schedules,
  initializers,
  regularizers,
  constraints,
  metrics,
  callbacks,
  methods,
] as unknown as CatalogFile[];

/** Kinds whose string identifiers Keras resolves case-insensitively (`optimizers.get`). */
const caseInsensitiveKinds = new Set<CatalogKind>(['optimizer']);

export class Catalog {
  private readonly byKind = new Map<CatalogKind, CatalogFile>();
  private readonly index = new Map<CatalogKind, Map<string, CatalogEntry>>();

  constructor(catalogFiles: CatalogFile[]) {
    for (const file of catalogFiles) {
      this.byKind.set(file.kind, file);
      const names = new Map<string, CatalogEntry>();
      for (const entry of file.entries) {
        for (const id of [entry.name, ...(entry.ids ?? [])]) names.set(id, entry);
      }
      this.index.set(file.kind, names);
    }
  }

  /** The entry spelled `name` (a canonical name or an id), or undefined. */
  lookup(kind: CatalogKind, name: string): CatalogEntry | undefined {
    const names = this.index.get(kind);
    const exact = names?.get(name);
    if (exact || !caseInsensitiveKinds.has(kind)) return exact;
    const lower = name.toLowerCase();
    for (const [id, entry] of names ?? []) if (id.toLowerCase() === lower) return entry;
    return undefined;
  }

  /** All entries of a kind, in catalog order. */
  entries(kind: CatalogKind): readonly CatalogEntry[] {
    return this.byKind.get(kind)?.entries ?? [];
  }

  /** Arguments every entry of `kind` accepts as keywords. */
  common(kind: CatalogKind): readonly CatalogArg[] {
    return this.byKind.get(kind)?.common ?? [];
  }

  /** Every spelling of a kind, for did-you-mean and completion. */
  spellings(kind: CatalogKind): string[] {
    return [...(this.index.get(kind)?.keys() ?? [])];
  }

  /** A plausible intended spelling of an unknown `name`. */
  suggest(kind: CatalogKind, name: string): string | undefined {
    return closest(name, this.spellings(kind));
  }

  /** Which kinds know `name` (to say "'adam' is an optimizer, not a loss"). */
  kindsOf(name: string): CatalogKind[] {
    return [...this.index.keys()].filter((kind) => this.lookup(kind, name));
  }
}

/** The catalog as shipped in `specs/catalog/`. */
export const catalog = new Catalog(files);
