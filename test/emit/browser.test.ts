/**
 * The emitted JavaScript module in a real browser (Debian's Chromium, headless): imported by a
 * page and by a module web worker, served from localhost; selfTest() passes in both and their
 * predictions are the engine's to the last bit. Skipped, with a notice, where Chromium is
 * absent; CI installs it (.ci/run).
 */
import { emitModule, loadModel } from 'nnlang';
import { describe, expect, it } from 'vitest';
import { chromium, dumpDom } from '../chromium.js';

if (!chromium)
  console.warn('[skipped] test/emit/browser.test.ts: no Chromium (apt-get install chromium)');

const rows = [
  [0.5, -1.25, 2, 0.125],
  [-3, 0.75, 0.25, 1],
  [1, 1, 1, 1],
];

const page = `<!doctype html>
<meta charset="utf-8">
<body><pre id="out">pending</pre>
<script type="module">
const out = document.getElementById('out');
try {
  const m = await import('./model.js');
  const rows = ${JSON.stringify(rows)};
  const inPage = { selfTest: m.selfTest(), predict: Array.from(m.predict(rows)) };
  const worker = new Worker('./worker.js', { type: 'module' });
  const inWorker = await new Promise((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(e.message));
  });
  out.textContent = 'RESULT' + JSON.stringify({ inPage, inWorker });
} catch (e) {
  out.textContent = 'ERROR ' + e;
}
</script>`;

const worker = `import { predict, selfTest } from './model.js';
postMessage({ selfTest: selfTest(), predict: Array.from(predict(${JSON.stringify(rows)})) });
`;

describe.skipIf(!chromium)('an emitted module in Chromium', () => {
  it('runs in a page and in a module worker, with the engine’s predictions', async () => {
    const model = loadModel(
      'Input(4) -> Dense(16, gelu) -> LayerNormalization() -> Dense(8, selu) -> Dense(3, softmax)\n',
      { seed: 11 },
    );
    const js = emitModule(model, { target: 'js' });
    expect(js.diagnostics).toEqual([]);
    const files: Record<string, [string, string]> = {
      '/index.html': ['text/html', page],
      '/model.js': ['text/javascript', js.code],
      '/worker.js': ['text/javascript', worker],
    };
    const dom = await dumpDom(files, '/index.html');
    const match = /RESULT(\{.*\})/.exec(dom);
    expect(match, dom.slice(0, 2000)).not.toBeNull();
    const result = JSON.parse(match![1]!.replace(/&quot;/g, '"')) as Record<
      'inPage' | 'inWorker',
      { selfTest: { ok: boolean }; predict: number[] }
    >;
    const expected = Array.from(model.predict(rows));
    for (const where of ['inPage', 'inWorker'] as const) {
      expect(result[where].selfTest.ok, where).toBe(true);
      expect(result[where].predict, where).toEqual(expected);
    }
  }, 60_000);
});
