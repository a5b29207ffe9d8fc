/**
 * The conformance table covers everything our engine runs that TF.js or a Keras 3 formula can
 * check: every supported activation, loss, optimizer, regularizer, constraint and schedule of
 * the catalog appears in some case, and every layer that fits a flat Dense chain.
 */
import { layerDefs } from '../../src/layers/index.js';
import { HAND_CASES } from './graph-cases.js';
import { describe, expect, it } from 'vitest';
import { catalog, type CatalogKind } from 'nnlang';
import { CASES } from './cases.js';
import { asCall, isTuple, type Arg, type KerasCall } from './spec.js';
import { lossEntry } from './tfjs-losses.js';

/** Layers a chain Input(n) → … cannot hold: they need rank > 2 inputs or several branches. */
const NOT_IN_A_FLAT_CHAIN: Readonly<Record<string, string>> = {
  Input: 'written by every case as Input(n)',
  InputLayer: 'the layer behind Input()',
  Flatten: 'identity on (batch, n) inputs; needs rank > 2 inputs to do anything',
  Reshape: 'needs rank > 2 shapes to do anything',
};

/** Merge layers need a graph: the graph cases (graphs.test.ts) must reach each of them. */
const MERGES = ['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate'];

/** Catalog entries the table does not reach, and why. */
const NOT_COVERED: Readonly<Record<string, string>> = {
  PiecewiseConstantDecay:
    'takes lists (boundaries, values), which the cases’ argument type does not hold',
  CosineDecayRestarts: 'its restart arithmetic has no formula here yet',
};

/** Every call nested in the table (layers, their arguments, losses, optimizers, schedules). */
function allCalls(): KerasCall[] {
  const out: KerasCall[] = [];
  const visit = (a: Arg | undefined) => {
    const c = typeof a === 'object' && !isTuple(a) ? a : undefined;
    if (!c) return;
    out.push(c);
    (c.positional ?? []).forEach(visit);
    Object.values(c.args ?? {}).forEach(visit);
  };
  for (const c of CASES) {
    c.layers.forEach(visit);
    visit(c.optimizer);
    visit(lossEntry(c.loss).keras);
  }
  return out;
}

/** Canonical catalog names of `kind` used anywhere in the table. */
function used(kind: CatalogKind): Set<string> {
  const names = new Set<string>();
  const add = (name: string) => {
    const entry = catalog.lookup(kind, name);
    if (entry) names.add(entry.name);
  };
  for (const c of allCalls()) {
    add(c.call);
    if (kind === 'activation') {
      const act = c.call === 'Activation' ? c.positional?.[0] : c.args?.['activation'];
      const call = asCall(act);
      if (call) add(call.call);
    }
  }
  return names;
}

const supported = (kind: CatalogKind) =>
  catalog
    .entries(kind)
    .filter((e) => !e.unsupported && !e.extension)
    .map((e) => e.name);

describe('the conformance table covers the engine', () => {
  const kinds: CatalogKind[] = [
    'activation',
    'loss',
    'optimizer',
    'regularizer',
    'constraint',
    'schedule',
  ];
  for (const kind of kinds) {
    it(`every supported ${kind}`, () => {
      const missing = supported(kind).filter((name) => !used(kind).has(name) && !NOT_COVERED[name]);
      expect(missing).toEqual([]);
    });
  }

  it('every supported layer that fits a flat chain', () => {
    const missing = supported('layer').filter(
      (name) => !NOT_IN_A_FLAT_CHAIN[name] && !MERGES.includes(name) && !used('layer').has(name),
    );
    expect(missing).toEqual([]);
  });

  it('every merge layer, in the graph cases', () => {
    const inGraphs = new Set(
      HAND_CASES.flatMap((c) => c.statements.flatMap((s) => s.layers.map((l) => l.call))),
    );
    expect(MERGES.filter((name) => !inGraphs.has(name))).toEqual([]);
    expect(
      supported('layer').filter((name) => layerDefs[name]?.merge && !MERGES.includes(name)),
    ).toEqual([]);
  });

  it('case names are unique within their group (each seeds its own draws)', () => {
    const names = CASES.map((c) => `${c.group}/${c.label}`);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('cases are small: 2–3 Dense layers of 3–8 units, batches of 4–8, at most 5 steps', () => {
    for (const c of CASES) {
      const dense = c.layers.filter((l) => l.call === 'Dense');
      expect(dense.length, c.label).toBeGreaterThanOrEqual(2);
      expect(dense.length, c.label).toBeLessThanOrEqual(3);
      expect(c.inputs).toBeGreaterThanOrEqual(3);
      expect(c.inputs).toBeLessThanOrEqual(8);
      expect(c.batchSize).toBeGreaterThanOrEqual(4);
      expect(c.batchSize).toBeLessThanOrEqual(8);
      expect(c.steps).toBeLessThanOrEqual(5);
    }
  });
});
