/**
 * Graph models (Keras's functional API): named results, layers applied to them, merges of
 * several results, several inputs and outputs.
 *
 *     x = Input(shape=(4,))
 *     h = x -> Dense(8, relu)
 *     (h, x -> Dense(8)) -> Add() -> Dense(3, softmax)
 *
 * `name = <chain>` names a result; a chain starts from a result, an `Input(...)` or a tuple of
 * them (which only a merge layer may take); every chain statement that is not assigned is an
 * output, in order. A result is read only after the statement that names it, so a graph has
 * no cycles; naming a result again (`x = x -> Dense(8)`, Python's habit) makes a new one.
 */
import type * as ast from '../ast/index.js';
import { catalog, closest } from '../catalog/index.js';
import {
  functionalOrder,
  inputIndex,
  inputLayers,
  layerDefs,
  modelInput,
  outputNamesOf,
  type ModelInput,
  type NodeId,
  type Shape,
} from '../layers/index.js';
import type { Range } from '../source/index.js';
import type { Binder } from './bind.js';
import {
  inputOf,
  LayerChecker,
  reportNamedCall,
  reportSeveralOutputs,
  severalOutputsName,
  type LayerInput,
} from './layers.js';
import type { CheckedLayer, ResultName } from './types.js';
import { describe } from './values.js';

/** A model input as the checker found it, with where it was declared. */
export interface CheckedInput extends ModelInput {
  range: Range;
}

export interface GraphResult {
  layers: CheckedLayer[];
  inputs: CheckedInput[];
  outputs: NodeId[];
  /** Which output of each output node (see `ModelGraph.outputPorts`); absent when all are 0. */
  outputPorts?: number[];
  /** Every result named, with where it is read (for the language server). */
  names: ResultName[];
}

/** One named result: its value, where it was named, and whether anything read it. */
interface Named {
  value: LayerInput;
  target: ast.Identifier;
  used: boolean;
}

/** Whether a model's statements are a graph: a named result, or a chain from a tuple. */
export function isGraph(statements: readonly ast.Statement[]): boolean {
  return statements.some(
    (s) =>
      s.kind === 'Assignment' ||
      s.kind === 'TupleAssignment' ||
      (s.kind === 'ExpressionStatement' &&
        s.expression.kind === 'Chain' &&
        (s.expression.steps[0]!.kind === 'Tuple' || s.expression.steps[0]!.kind === 'List')),
  );
}

export function checkGraph(
  statements: readonly ast.Statement[],
  binder: Binder,
  modelName: string,
  modelRange: Range,
): GraphResult {
  return new GraphChecker(binder).run(statements, modelName, modelRange);
}

class GraphChecker {
  private readonly layers: CheckedLayer[] = [];
  private readonly inputs: CheckedInput[] = [];
  private readonly named = new Map<string, Named>();
  private readonly everyName: Named[] = [];
  /** Every name the model's statements give, above or below the one being read. */
  private readonly givenNames = new Set<string>();
  /** Names whose definition failed (and was reported): reading them says nothing more. */
  private readonly failed = new Set<string>();
  /** Each name's latest definition (checked or failed), which collects the reads that follow. */
  private readonly definitions = new Map<string, ResultName>();
  private readonly names: ResultName[] = [];
  private readonly checker: LayerChecker;

  constructor(private readonly binder: Binder) {
    this.checker = new LayerChecker(binder);
  }

  run(statements: readonly ast.Statement[], modelName: string, modelRange: Range): GraphResult {
    for (const s of statements) {
      if (s.kind === 'Assignment') this.givenNames.add(s.target.name);
      if (s.kind === 'TupleAssignment') for (const t of s.targets) this.givenNames.add(t.name);
    }
    const outputs: LayerInput[] = [];
    let outputStatements = 0;
    for (const s of statements) {
      if (s.kind === 'Assignment') {
        let values = this.expression(s.value);
        if (values?.length === 1 && !this.single(values[0]!, 'one name cannot hold them'))
          values = undefined;
        if (!values || values.length === 1) this.name(s.target, values?.[0]);
      } else if (s.kind === 'TupleAssignment') {
        this.unpack(s);
      } else if (s.kind === 'ExpressionStatement') {
        const e = s.expression;
        if (e.kind === 'Call' && isMethod(e)) {
          // compile and fit are the model's own statements, read by the caller.
        } else if (
          e.kind === 'Chain' ||
          e.kind === 'Call' ||
          // A result named on its own is an output too (Keras's Model(inputs, [out, h])).
          (e.kind === 'Identifier' && (this.named.has(e.name) || this.failed.has(e.name)))
        ) {
          outputStatements++;
          const values = this.expression(e);
          if (values?.length === 1) {
            if (this.single(values[0]!, 'an output takes one of them, named'))
              outputs.push(values[0]!);
          } else if (values && values.length > 1)
            this.binder.sink.report('mergeNeedsInputs', e.range, {
              layer: 'an output',
              found: `a tuple of ${values.length} results`,
            });
        } else if (e.kind !== 'Error') {
          this.binder.sink.report('misplacedStatement', e.range, {
            what: 'A value on its own does nothing: name it (x = …) or use it in a layer.',
          });
        }
      }
    }
    // Python's convention: a name starting with '_' is one the code means not to use.
    for (const n of this.everyName)
      if (
        !n.used &&
        !n.target.name.startsWith('_') &&
        !outputs.some((o) => o.id === n.value.id && (o.port ?? 0) === (n.value.port ?? 0))
      )
        this.binder.sink.report('unusedResult', n.target.range, { name: n.target.name });
    if (outputStatements === 0 && this.layers.length + this.inputs.length > 0)
      this.binder.sink.report('noOutput', modelRange, { model: modelName });
    return this.prune(
      outputs.map((o) => o.id),
      outputs.map((o) => o.port ?? 0),
    );
  }

  /** Names one result (or records the name as failed when its value did not check). */
  private name(target: ast.Identifier, value: LayerInput | undefined): void {
    this.define(target, value);
    if (!value) {
      this.failed.add(target.name);
      return;
    }
    this.failed.delete(target.name);
    const named: Named = { value, target, used: false };
    this.named.set(target.name, named);
    this.everyName.push(named);
  }

  /**
   * `out, h, c = x -> LSTM(8, return_state=True)`: one name per output of the layer the chain
   * ends with, in Keras's order; a count that does not match is reported with the names expected.
   */
  private unpack(s: ast.TupleAssignment): void {
    const values = this.expression(s.value);
    const value = values?.length === 1 ? values[0] : undefined;
    const names = value?.outputs ?? ['output'];
    if (values && (values.length !== 1 || names.length !== s.targets.length)) {
      const first = s.targets[0]!.range;
      const last = s.targets.at(-1)!.range;
      const layer = value ? this.describeMaker(value) : 'A tuple of results';
      this.binder.sink.report(
        'outputCount',
        { start: first.start, end: last.end },
        {
          layer,
          count: values.length === 1 ? countOf(names.length, 'output') : 'several results',
          names: values.length === 1 ? names.join(', ') : 'unpacked only from a layer',
          found: countOf(s.targets.length, 'name'),
        },
        values.length !== 1
          ? { hint: 'Name each result in a statement of its own.' }
          : names.length === 1
            ? { hint: `It has one output: name it alone, ${s.targets[0]!.name} = …` }
            : {},
      );
    }
    const ok = value !== undefined && names.length === s.targets.length;
    s.targets.forEach((target, k) => {
      const shape = ok ? this.portShape(value, k) : null;
      const { outputs: _whole, ...one } = value ?? { id: 0, shape: null, range: target.range };
      this.name(target, ok ? { ...one, port: k, shape } : undefined);
    });
  }

  /** The shape of output `port` of the layer a value is. */
  private portShape(value: LayerInput, port: number): Shape | null {
    if (port === 0) return value.shape;
    const layer = value.id >= 0 ? this.layers[value.id] : undefined;
    return layer?.extraOutputShapes?.[port - 1] ?? null;
  }

  /** "LSTM with return_state=True" for messages, or the class of a layer of one output. */
  private describeMaker(value: LayerInput): string {
    const layer = value.id >= 0 ? this.layers[value.id] : undefined;
    if (!layer) return 'An input';
    return value.outputs ? severalOutputsName(layer) : layer.className;
  }

  /**
   * Whether a value is one tensor: a layer of several outputs (Keras's list) is reported where
   * one is needed (`where` says why) and refused.
   */
  private single(value: LayerInput, where: string): boolean {
    if (!value.outputs) return true;
    reportSeveralOutputs(this.layers[value.id]!, value.outputs, value.range, where, this.binder);
    return false;
  }

  /** The values an expression stands for: one result, or several for a tuple; undefined on an error (reported). */
  private expression(e: ast.Expression): LayerInput[] | undefined {
    switch (e.kind) {
      case 'Identifier':
        return this.result(e);
      case 'Call':
        if (inputLayers.has(e.callee.name)) return this.input(e);
        if (catalog.lookup('layer', e.callee.name))
          this.binder.sink.report('chainWithoutInput', e.callee.range, { layer: e.callee.name });
        else this.checker.bind(e);
        return undefined;
      case 'Tuple':
      case 'List': {
        const values: LayerInput[] = [];
        let ok = true;
        for (const element of e.elements) {
          const v = this.expression(element);
          if (!v) ok = false;
          else if (v.length !== 1) {
            this.binder.sink.report('notALayer', element.range, { found: 'a nested tuple' });
            ok = false;
          } else if (!this.single(v[0]!, 'a tuple takes one of them, named')) ok = false;
          else values.push(v[0]!);
        }
        return ok ? values : undefined;
      }
      case 'Chain':
        return this.chain(e);
      case 'Error':
        return undefined;
      default:
        this.binder.sink.report('notALayer', e.range, { found: describe(e) });
        return undefined;
    }
  }

  /** A chain: its head's values, then each layer applied to the value before it. */
  private chain(e: ast.Chain): LayerInput[] | undefined {
    const [head, ...rest] = e.steps;
    let values = this.expression(head!);
    for (const step of rest) {
      if (step.kind !== 'Call' || isMethod(step) || inputLayers.has(step.callee.name)) {
        this.misplacedStep(step);
        values = undefined;
        continue;
      }
      const bound = this.checker.bind(step);
      if (values?.length === 1 && !this.single(values[0]!, 'the next layer takes one of them'))
        values = undefined;
      if (!bound || !values) {
        values = undefined;
        continue;
      }
      const layer = this.checker.layer(bound, values, this.layers.length);
      this.layers.push(layer);
      const names = outputNamesOf(layerDefs[layer.className], layer.args);
      values = [
        {
          id: layer.id,
          shape: layer.outputShape,
          range: step.range,
          ...(names.length > 1 ? { outputs: names } : {}),
        },
      ];
    }
    return values;
  }

  /** A chain step that is not a layer call, reported as the sequential path reports it. */
  private misplacedStep(step: ast.Expression): void {
    const sink = this.binder.sink;
    if (step.kind === 'Error') return;
    if (step.kind === 'Call' && isMethod(step))
      sink.report(
        'notALayer',
        step.range,
        { found: `${step.callee.name}(...)` },
        {
          hint: `Put ${step.callee.name}(...) in a statement of its own, after a ';' or a new line.`,
        },
      );
    else if (step.kind === 'Call')
      sink.report('misplacedStatement', step.callee.range, {
        what: `${step.callee.name}(...) starts a chain; it cannot follow a layer.`,
      });
    else if (step.kind === 'Identifier' && reportNamedCall(step, this.binder)) return;
    else
      sink.report(
        'notALayer',
        step.range,
        { found: describe(step) },
        step.kind === 'Identifier' && catalog.lookup('layer', step.name)
          ? { hint: `Call it: ${step.name}(…)` }
          : {},
      );
  }

  /** Records a definition of a result, with its shape and what made it when it checked. */
  private define(target: ast.Identifier, value: LayerInput | undefined): void {
    const record: ResultName = {
      name: target.name,
      range: target.range,
      shape: value?.shape ?? null,
      reads: [],
    };
    if (value) {
      const layer = value.id >= 0 ? this.layers[value.id] : undefined;
      const input = value.id < 0 ? this.inputs[inputIndex(value.id)] : undefined;
      if (layer) record.madeBy = { name: layer.name, className: layer.className };
      else if (input) record.madeBy = { name: input.name, className: 'InputLayer' };
    }
    this.definitions.set(target.name, record);
    this.names.push(record);
  }

  /** A name read as a result; constants and layer calls named like results are reported. */
  private result(e: ast.Identifier): LayerInput[] | undefined {
    const named = this.named.get(e.name);
    if (named || this.failed.has(e.name)) this.definitions.get(e.name)?.reads.push(e.range);
    if (this.failed.has(e.name)) return undefined;
    if (named) {
      named.used = true;
      return [{ ...named.value, range: e.range }];
    }
    const constant = this.binder.scope.lookup(e.name);
    if (reportNamedCall(e, this.binder)) return undefined;
    else if (constant)
      this.binder.sink.report('notALayer', e.range, { found: `the constant '${e.name}'` });
    else {
      // A name the model gives further down is read too early, not misspelled.
      const later = this.givenNames.has(e.name);
      const guess = later ? undefined : closest(e.name, [...this.named.keys()]);
      this.binder.sink.report(
        'undefinedResult',
        e.range,
        { name: e.name },
        guess ? { hint: `Did you mean '${guess}'?` } : {},
      );
    }
    return undefined;
  }

  /** `Input(...)` in a graph: a new model input, named as Keras names InputLayers. */
  private input(call: ast.Call): LayerInput[] {
    const b = this.binder.bind(call, catalog.lookup('layer', call.callee.name)!, 'layer');
    const declared = inputOf(b, 'Input');
    // A shape written with an error in it is reported already.
    const written = ['shape', 'batch_shape', 'input_shape'].some((arg) => arg in b.ranges);
    if (!declared && !written) this.binder.sink.report('graphInputShape', call.range);
    const name = this.checker.name(b, 'InputLayer');
    const k = this.inputs.length;
    this.inputs.push({ name, shape: declared?.shape ?? null, range: call.range });
    return [{ id: modelInput(k), shape: declared?.shape ?? null, range: call.range }];
  }

  /**
   * Keeps what the outputs depend on, as Keras's Model(inputs, outputs) does: layers no output
   * reads are left out (their results are reported unused), and so are inputs that reach no
   * output (reported). Layers are renumbered in Keras's order (`functionalOrder`), which is
   * topological and is the order of its summary and of get_weights().
   */
  private prune(outputIds: NodeId[], ports: number[]): GraphResult {
    const names = this.names;
    if (outputIds.length === 0)
      return { layers: this.layers, inputs: this.inputs, outputs: [], names };
    const outputPorts = ports.some((p) => p !== 0) ? { outputPorts: ports } : {};
    const order = functionalOrder(this.layers, this.inputs.length, outputIds);
    const ids = new Map<NodeId, NodeId>();
    const inputs: CheckedInput[] = [];
    this.inputs.forEach((input, k) => {
      if (this.reaches(modelInput(k), outputIds)) {
        ids.set(modelInput(k), modelInput(inputs.length));
        inputs.push(input);
      } else this.binder.sink.report('unconnectedInput', input.range, { name: input.name });
    });
    const layers: CheckedLayer[] = [];
    for (const id of order) {
      if (id < 0) continue;
      const layer = this.layers[id]!;
      ids.set(id, layers.length);
      layers.push({ ...layer, id: layers.length, inputs: layer.inputs.map((i) => ids.get(i)!) });
    }
    return { layers, inputs, outputs: outputIds.map((id) => ids.get(id)!), ...outputPorts, names };
  }

  /** Whether an output depends on node `id`. */
  private reaches(id: NodeId, outputIds: readonly NodeId[]): boolean {
    const seen = new Set<NodeId>();
    const stack = [...outputIds];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n === id) return true;
      if (n < 0 || seen.has(n)) continue;
      seen.add(n);
      stack.push(...this.layers[n]!.inputs);
    }
    return false;
  }
}

/** "3 outputs", "1 name". */
function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function isMethod(call: ast.Call): boolean {
  return call.callee.name === 'compile' || call.callee.name === 'fit';
}

export type { Shape };
