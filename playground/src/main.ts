/**
 * The playground page: the editor (language worker), the data (built-in samples and dropped
 * CSVs), training in its own worker with live progress and curves, the pictures of
 * two-feature data, the downloads and the share link. The page only draws and relays: every
 * computation happens in the workers.
 */
import samples from 'virtual:samples';
import type { HealthReport } from '../../src/index.js';
import type { DiagramAnswer, ServiceDiagnostic } from '../../src/service/index.js';
import { drawChart, format, quantities, type Series } from './curves.js';
import { download } from './download.js';
import { createEditor, formatDocument, setDocument } from './editor.js';
import { drawHealth } from './health.js';
import { drawHidden, drawNetwork, drawRegions } from './plane.js';
import type { Files, Plane, PlaneView, Prepared, TrainEvent, TrainResult } from './protocol.js';
import { WorkerClient } from './rpc.js';
import { sharedSource, shareUrl } from './share.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const language = new WorkerClient(
  new Worker(new URL('./language-worker.js', import.meta.url), { type: 'module' }),
);

/** The files sessions may read: the samples' CSVs, then whatever is dropped on the page. */
const files: Files = Object.fromEntries(samples.map((s) => [s.csv, s.data]));

const state = {
  source: '',
  /** A dropped CSV used in place of the one fit(data=…) names. */
  dataOverride: null as string | null,
  seed: 42,
  training: false,
  /** The weights after the last epoch the page heard of: kept when a training is stopped. */
  weights: null as Float32Array[] | null,
  /** The session in the worker was prepared from this source and data (null: none). */
  prepared: null as string | null,
  /** The prepared model's name. */
  model: null as string | null,
  plane: null as Plane | null,
  history: {} as Series,
  health: [] as HealthReport[],
};

let trainer = newTrainer();

function newTrainer(): WorkerClient {
  return new WorkerClient(
    new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' }),
    (data) => onTrainEvent(data as TrainEvent),
  );
}

// The editor.
const initial = sharedSource(location.hash) ?? samples[0]!.source;
state.source = initial;
const editor = createEditor({
  parent: $('editor'),
  doc: initial,
  language,
  onChange: (text) => {
    state.source = text;
  },
  onDiagnostics: showProblems,
});
(window as unknown as { nnPlayground: object }).nnPlayground = { editor, state };

function showProblems(found: ServiceDiagnostic[]): void {
  const list = $('problems');
  list.replaceChildren(
    ...found.map((d) => {
      const li = document.createElement('li');
      li.className = `problem ${d.severity}`;
      li.textContent = `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}${d.hint ? ` ${d.hint}` : ''}`;
      return li;
    }),
  );
  const errors = found.filter((d) => d.severity === 'error').length;
  $('problem-count').textContent = errors
    ? `${errors} error${errors === 1 ? '' : 's'}`
    : found.length
      ? `${found.length} note${found.length === 1 ? '' : 's'}`
      : 'no problems';
  void showDiagram();
  if (!$('app').dataset['ready']) {
    // Time to interactive: from the navigation's start to the first diagnostics shown.
    $('app').dataset['ready'] = String(Math.round(performance.now()));
  }
}

/**
 * The model's diagram (`nn diagram`'s SVG, from the language service), shown as an image: a
 * picture, never markup in the page. Drawn only while its panel is open.
 */
async function showDiagram(): Promise<void> {
  if (!$<HTMLDetailsElement>('diagram-panel').open) return;
  const text = state.source;
  const answer = await language.call<DiagramAnswer>('diagram', text);
  if (text !== state.source) return;
  const image = $<HTMLImageElement>('diagram');
  image.hidden = answer.svg === null;
  if (answer.svg) image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(answer.svg)}`;
  $('diagram-error').textContent = answer.error ?? '';
}
$('diagram-panel').addEventListener('toggle', () => void showDiagram());

// Samples.
const picker = $<HTMLSelectElement>('sample');
for (const s of samples) picker.append(new Option(`${s.name} (${s.nn})`, s.name));
picker.addEventListener('change', () => {
  const s = samples.find((x) => x.name === picker.value)!;
  state.dataOverride = null;
  setDocument(editor, s.source);
  state.source = s.source;
  showData();
});

// Dropped CSVs: read as text, checked by preparing a session at once (the CLI's messages).
function showData(message = ''): void {
  $('data-file').textContent = state.dataOverride
    ? `${state.dataOverride} (dropped; used in place of fit(data=…))`
    : 'the file fit(data=…) names';
  $('data-status').textContent = message;
}
const drop = $('drop');
for (const type of ['dragenter', 'dragover'])
  drop.addEventListener(type, (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = (e as DragEvent).dataTransfer?.files[0];
  if (file) void useFile(file);
});
$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) void useFile(file);
});

async function useFile(file: File): Promise<void> {
  files[file.name] = await file.text();
  state.dataOverride = file.name;
  showData('Reading…');
  const prepared = await prepare();
  showData(prepared.ok ? `${prepared.rows} rows, features ${prepared.features.join(', ')}` : '');
}

// TensorFlow Playground's 2-D data, from the library's generators (in the training worker).
const toyModel = `# TensorFlow Playground's network on its 2-D data (Generate writes toy.csv): two features,
# two hidden tanh layers and one sigmoid unit; the last half of the points is held out.
model playground {
  Input(2) -> Dense(8, tanh) -> Dense(4, tanh) -> Dense(1, sigmoid)
  compile(Adam(learning_rate=0.03), binary_crossentropy, metrics=['accuracy'])
  fit(data='toy.csv', target='label', epochs=100, batch_size=10, validation_split=0.5)
}
`;
const toyNoise = $<HTMLInputElement>('toy-noise');
toyNoise.addEventListener('input', () => {
  $('toy-noise-value').textContent = toyNoise.value;
  if (files['toy.csv'] !== undefined && !state.training) void makeToy();
});
$('toy-make').addEventListener('click', () => void makeToy());
$<HTMLSelectElement>('toy-kind').addEventListener('change', () => void makeToy());
async function makeToy(): Promise<void> {
  const kind = $<HTMLSelectElement>('toy-kind').value;
  files['toy.csv'] = await trainer.call<string>(
    'toyCsv',
    kind,
    Number(toyNoise.value),
    400,
    state.seed,
  );
  if (!state.source.includes("'toy.csv'")) {
    setDocument(editor, toyModel);
    state.source = toyModel;
  }
  state.dataOverride = null;
  showData(`toy.csv: ${kind}, noise ${toyNoise.value}, 400 points`);
  await prepare();
}

// Training.
async function prepare(): Promise<Prepared> {
  const prepared = await trainer
    .call<Prepared>('prepare', state.source, files, state.dataOverride, state.seed)
    .catch((e: Error): Prepared => ({ ok: false, errors: [e.message] }));
  showPrepared(prepared);
  return prepared;
}

function showPrepared(prepared: Prepared): void {
  $('run-errors').textContent = prepared.ok ? '' : prepared.errors.join('\n');
  state.prepared = prepared.ok ? key() : null;
  state.model = prepared.ok ? prepared.model : null;
  if (!prepared.ok) return;
  $('summary').textContent = prepared.summary;
  state.plane = prepared.plane;
  $('plane-panel').hidden = prepared.plane === null;
  if (prepared.plane) drawPlane(null);
}

const key = () => `${state.seed}\n${state.dataOverride}\n${state.source}`;

function setTraining(on: boolean): void {
  state.training = on;
  $<HTMLButtonElement>('train').disabled = on;
  $<HTMLButtonElement>('step').disabled = on;
  $<HTMLButtonElement>('toy-make').disabled = on;
  $<HTMLButtonElement>('stop').disabled = !on;
  $('app').dataset['training'] = String(on);
}

$<HTMLInputElement>('seed').addEventListener('change', (e) => {
  const seed = Number((e.target as HTMLInputElement).value);
  if (Number.isInteger(seed) && seed >= 0) state.seed = seed;
});
$('train').addEventListener('click', () => void train());
async function train(): Promise<void> {
  setTraining(true);
  state.history = {};
  state.health = [];
  state.weights = null;
  $('log').textContent = '';
  drawHealth($('health'), state.health);
  drawCurves();
  setProgress(0, 'Preparing…');
  try {
    const prepared = await prepare();
    if (!prepared.ok) return setProgress(0, 'Not trained: see the errors below the editor.');
    const result = await trainer.call<TrainResult>('train');
    state.history = result.history;
    drawCurves();
    if (result.view) drawPlane(result.view);
    const last = Object.entries(result.history).map(([k, v]) => `${k} ${format(v.at(-1)!)}`);
    setProgress(
      1,
      `Trained ${result.epochs} epochs in ${(result.ms / 1000).toFixed(2)} s: ${last.join(', ')}`,
    );
    $('app').dataset['trainedMs'] = String(Math.round(result.ms));
    if (result.diverged) $('run-errors').textContent = result.diverged;
  } catch (e) {
    $('run-errors').textContent = (e as Error).message;
    setProgress(0, 'Not trained.');
  } finally {
    setTraining(false);
  }
}

/** Stops a training: the worker is ended, and a new one starts from the last epoch's weights. */
$('stop').addEventListener('click', () => void stop());
async function stop(): Promise<void> {
  trainer.worker.terminate();
  trainer = newTrainer();
  setTraining(false);
  const epochs = state.history['loss']?.length ?? 0;
  setProgress(null, `Stopped after ${epochs} epoch${epochs === 1 ? '' : 's'}.`);
  if (!state.weights) return ((state.prepared = null), undefined);
  const prepared = await trainer.call<Prepared>(
    'restore',
    state.source,
    files,
    state.dataOverride,
    state.seed,
    state.weights,
  );
  showPrepared(prepared);
}

$('step').addEventListener('click', () => void step());
async function step(): Promise<void> {
  try {
    if (state.prepared !== key()) {
      const prepared = await prepare();
      if (!prepared.ok) return;
    }
    const r = await trainer.call<{ loss: number; view: PlaneView | null; weights: Float32Array[] }>(
      'step',
    );
    state.weights = r.weights;
    (state.history['batch loss'] ??= []).push(r.loss);
    drawCurves();
    if (r.view) drawPlane(r.view);
    setProgress(null, `One batch: loss ${format(r.loss)}`);
  } catch (e) {
    $('run-errors').textContent = (e as Error).message;
  }
}

function onTrainEvent(event: TrainEvent): void {
  if (event.type === 'health') {
    state.health.push(event.report);
    drawHealth($('health'), state.health);
    return;
  }
  if (event.type === 'log') {
    $('log').textContent += `${event.line}\n`;
    return;
  }
  if (event.type === 'batch') {
    const done = (event.epoch + (event.batch + 1) / event.steps) / event.epochs;
    setProgress(done, `Epoch ${event.epoch + 1}/${event.epochs} ${logText(event.logs)}`);
    return;
  }
  state.weights = event.weights;
  for (const [k, v] of Object.entries(event.logs)) (state.history[k] ??= []).push(v);
  setProgress(
    (event.epoch + 1) / event.epochs,
    `Epoch ${event.epoch + 1}/${event.epochs} ${logText(event.logs)}`,
  );
  drawCurves();
  if (event.view) drawPlane(event.view);
}

const logText = (logs: Record<string, number>) =>
  Object.entries(logs)
    .map(([k, v]) => `${k} ${format(v)}`)
    .join(' · ');

function setProgress(done: number | null, text: string): void {
  if (done !== null) $<HTMLProgressElement>('progress').value = done;
  $('status').textContent = text;
}

function drawCurves(): void {
  const charts = $('charts');
  const names = quantities(state.history);
  while (charts.children.length < names.length) charts.append(document.createElement('canvas'));
  while (charts.children.length > names.length) charts.lastElementChild!.remove();
  names.forEach((name, i) => {
    const canvas = charts.children[i] as HTMLCanvasElement;
    canvas.dataset['series'] = name;
    drawChart(canvas, name, state.history);
  });
}

function drawPlane(view: PlaneView | null): void {
  if (!state.plane) return;
  drawRegions($<HTMLCanvasElement>('regions'), state.plane, view);
  drawHidden($('hidden'), view);
  drawNetwork($<HTMLCanvasElement>('network'), view);
}

// Downloads and sharing.
/** The file names of the downloads: the trained model's name, else the first model block's. */
const baseName = () => state.model ?? /^\s*model\s+(\w+)\s*\{/m.exec(state.source)?.[1] ?? 'model';
$('format').addEventListener('click', () => void formatDocument(editor, language));
$('save-nn').addEventListener('click', () =>
  download(`${baseName()}.nn`, state.source, 'text/plain'),
);
$('save-weights').addEventListener('click', () => void saveTrained('weights'));
$('save-module').addEventListener('click', () => void saveTrained('module'));
async function saveTrained(what: 'weights' | 'module'): Promise<void> {
  try {
    if (state.prepared !== key())
      throw new Error('Train the model first (the source changed since the last training).');
    if (what === 'weights') {
      const bytes = await trainer.call<Uint8Array>('weightsFile');
      download(`${baseName()}.nnw`, bytes, 'application/octet-stream');
    } else {
      const r = await trainer.call<{ code: string; errors: string[] }>('standaloneModule');
      if (r.errors.length) throw new Error(r.errors.join('\n'));
      download(`${baseName()}.model.js`, r.code, 'text/javascript');
    }
  } catch (e) {
    $('run-errors').textContent = (e as Error).message;
  }
}
$('share').addEventListener('click', () => {
  const url = shareUrl(state.source, location.href);
  history.replaceState(null, '', url);
  $<HTMLInputElement>('share-url').value = url;
  void navigator.clipboard?.writeText(url).catch(() => undefined);
});
window.addEventListener('hashchange', () => {
  const shared = sharedSource(location.hash);
  if (shared !== null && shared !== state.source) setDocument(editor, shared);
});

showData();
setTraining(false);
