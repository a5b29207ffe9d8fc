/**
 * The playground in a real browser (Debian's Chromium, driven through the DevTools protocol):
 * the site is built and served from localhost; a model with an error shows its underline and
 * message, the fix clears them; the iris sample trains a few epochs with its curves and
 * accuracy; a dropped CSV with a bad cell gets the CLI's located message; the share link
 * carries the source; the downloaded module passes its selfTest() in Node. Screenshots at
 * 1280×800 and at a phone's width go to .tmp-test/playground/. Skipped, with a notice, where
 * Chromium is absent.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWeights, loadModel, parseTable } from 'nnlang';
// @ts-expect-error: the build scripts are plain JavaScript modules
import { buildPlayground } from '../../playground/build.mjs';
// @ts-expect-error: the build scripts are plain JavaScript modules
import { serveFolder } from '../../playground/serve.mjs';
import { chromium } from '../chromium.js';
import { Browser, type Page } from './cdp.js';

if (!chromium)
  console.warn(
    '[skipped] test/playground/playground.test.ts: no Chromium (apt-get install chromium)',
  );

const root = new URL('../../', import.meta.url).pathname;
const out = join(root, '.tmp-test', 'playground');
const iris = readFileSync(join(root, 'samples/iris.nn'), 'utf8');
/** The iris sample for a few epochs (the sample trains 200). */
const irisShort = iris.replace('epochs=200', 'epochs=50');
const misspelt = irisShort.replace(
  '    -> Dense(3, softmax)\n',
  "    -> Dense(3, softmax, kernel_initialiser='he_normal')\n",
);

describe.skipIf(!chromium)(
  'the playground in Chromium',
  () => {
    let browser: Browser;
    let server: ReturnType<typeof serveFolder>;
    let url: string;
    let page: Page;
    let readyMs = 0;
    let pageReadyMs = 0;

    beforeAll(async () => {
      rmSync(out, { recursive: true, force: true });
      mkdirSync(join(out, 'downloads'), { recursive: true });
      const built = (await buildPlayground()) as { out: string };
      server = serveFolder(built.out);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      browser = Browser.launch(chromium!);
      await browser.send('Browser.setDownloadBehavior', {
        behavior: 'allow',
        downloadPath: join(out, 'downloads'),
      });
      const opened = Date.now();
      page = await browser.open(url, 1280, 800);
      // The page's own figure: from the navigation's start to the first diagnostics shown.
      pageReadyMs = Number(
        await page.waitFor<string>("document.getElementById('app').dataset.ready"),
      );
      readyMs = Date.now() - opened;
    }, 30_000);

    afterAll(() => {
      browser?.close();
      server?.close();
    });

    /** Replaces the editor's text as typing would: select all, insert. */
    const typeSource = async (text: string) => {
      await page.evaluate(
        `(() => { const v = nnPlayground.editor; v.focus(); v.dispatch({ selection: { anchor: 0, head: v.state.doc.length } }); })()`,
      );
      await page.insertText(text);
    };

    it('is interactive quickly, and small', () => {
      const dist = join(root, 'dist-playground');
      const sizes = readdirSync(dist)
        .filter((f) => f.endsWith('.js'))
        .map(
          (f) =>
            [
              f,
              statSync(join(dist, f)).size,
              gzipSync(readFileSync(join(dist, f))).length,
            ] as const,
        );
      const gzip = sizes.reduce((n, [, , g]) => n + g, 0);
      console.log(
        `playground: interactive ${pageReadyMs} ms after navigation (${readyMs} ms from opening the tab); ${sizes.map(([f, s, g]) => `${f} ${(s / 1024).toFixed(0)} kB (${(g / 1024).toFixed(0)} kB gzip)`).join(', ')}; total ${(gzip / 1024).toFixed(0)} kB gzip`,
      );
      expect(readyMs).toBeLessThan(10_000);
    });

    it('underlines an error with its message, and clears it when fixed', async () => {
      await typeSource(misspelt);
      await page.waitFor("!!document.querySelector('.cm-lintRange-error')");
      const problems = await page.waitFor<string>(
        "document.getElementById('problems').textContent.includes('kernel_initialiser') && document.getElementById('problems').textContent",
      );
      expect(problems).toMatch(/NN\d{4}.*kernel_initialiser/);
      expect(problems).toContain('kernel_initializer');
      await typeSource(irisShort);
      await page.waitFor(
        "!document.querySelector('.cm-lintRange-error') && document.getElementById('problem-count').textContent === 'no problems'",
      );
      // The model's diagram, from the same language service.
      await page.evaluate("document.getElementById('diagram-panel').open = true");
      await page.waitFor("document.getElementById('diagram').naturalWidth > 0");
      await page.evaluate("document.getElementById('diagram-panel').open = false");
    });

    it('hovers, completes and formats through the language service', async () => {
      await typeSource('Input(4) -> Dense(3,softmax)\n');
      const at = await page.evaluate<{ x: number; y: number }>(`(() => {
      const v = nnPlayground.editor;
      const r = v.coordsAtPos(v.state.doc.toString().indexOf('Dense') + 2);
      return { x: r.left, y: (r.top + r.bottom) / 2 };
    })()`);
      await page.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: at.x, y: at.y });
      const hover = await page.waitFor<string>("document.querySelector('.nn-hover')?.textContent");
      expect(hover).toContain('Dense(units');
      await page.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: 1, y: 1 });
      await page.insertText('Input(4) -> Den');
      const options = await page.waitFor<string>(
        "document.querySelector('.cm-tooltip-autocomplete')?.textContent",
      );
      expect(options).toContain('Dense');
      await typeSource('Input(4) -> Dense(3,softmax)\n');
      await page.evaluate("document.getElementById('format').click()");
      await page.waitFor(
        "nnPlayground.editor.state.doc.toString() === 'Input(4) -> Dense(3, softmax)\\n'",
      );
    });

    it('trains the iris sample: progress, curves, accuracy, summary', async () => {
      await typeSource(irisShort);
      await page.waitFor("document.getElementById('problem-count').textContent === 'no problems'");
      await page.evaluate("document.getElementById('train').click()");
      const ms = Number(
        await page.waitFor<string>("document.getElementById('app').dataset.trainedMs", 20_000),
      );
      const history = await page.evaluate<Record<string, number[]>>('nnPlayground.state.history');
      expect(history['loss']).toHaveLength(50);
      expect(history['val_accuracy']).toHaveLength(50);
      expect(history['accuracy']!.at(-1)).toBeGreaterThan(0.7);
      const charts = await page.evaluate<string[]>(
        "[...document.querySelectorAll('#charts canvas')].map((c) => c.dataset.series)",
      );
      expect(charts).toEqual(['loss', 'accuracy']);
      expect(await page.evaluate<string>("document.getElementById('status').textContent")).toMatch(
        /Trained 50 epochs .*accuracy/,
      );
      expect(
        await page.evaluate<string>("document.getElementById('summary').textContent"),
      ).toContain('Total params:');
      await page.send('Input.dispatchKeyEvent', {
        type: 'keyDown',
        key: 'Escape',
        code: 'Escape',
        windowsVirtualKeyCode: 27,
      });
      await page.screenshot(join(out, 'iris-1280x800.png'));
      await page.resize(390, 844);
      await page.screenshot(join(out, 'iris-phone-390.png'));
      await page.resize(1280, 800);
      // The same model and epochs under Node.
      const table = parseTable(readFileSync(join(root, 'samples/iris.csv'), 'utf8'), 'iris.csv', {
        target: 'species',
        encoding: 'one_hot',
        scaling: 'standard',
      });
      const model = loadModel(irisShort, { seed: 42, backend: 'js' });
      const started = performance.now();
      const inNode = model.fit(table.x, table.y!, { health: true });
      const nodeMs = performance.now() - started;
      // The page runs the engine itself: the same seed gives the same numbers to the last bit.
      expect(history).toEqual(inNode.history);
      const health = await page.evaluate<unknown[]>('nnPlayground.state.health');
      expect(health).toEqual(inNode.health);
      expect(await page.evaluate<number>("document.querySelectorAll('#health tr').length")).toBe(4);
      console.log(
        `playground: iris 50 epochs in the page ${ms} ms, in Node ${nodeMs.toFixed(0)} ms (${(ms / nodeMs).toFixed(2)}×)`,
      );
      expect(page.errors).toEqual([]);
    });

    it('downloads the standalone module, whose selfTest passes in Node, and the weights', async () => {
      await page.evaluate("document.getElementById('save-module').click()");
      const file = join(out, 'downloads', 'iris.model.js');
      await waitForFile(file);
      const mjs = join(out, 'iris.model.mjs');
      copyFileSync(file, mjs);
      const module = (await import(mjs)) as { selfTest(): { ok: boolean } };
      expect(module.selfTest().ok).toBe(true);
      await page.evaluate("document.getElementById('save-weights').click()");
      const weights = join(out, 'downloads', 'iris.nnw');
      await waitForFile(weights);
      const decoded = decodeWeights(new Uint8Array(readFileSync(weights)), weights);
      expect(decoded.model).toBe('iris');
      expect(decoded.data?.classes).toHaveLength(3);
    });

    it('reports a dropped CSV’s bad cell with the CLI’s located message', async () => {
      await page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['sepal_length,sepal_width,petal_length,petal_width,species\\n5.1,3.5,1.4,0.2,setosa\\n4.9,oops,1.4,0.2,versicolor\\n6.3,3.3,6.0,2.5,virginica\\n'], 'mine.csv'));
      document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true }));
    })()`);
      const message = await page.waitFor<string>(
        "document.getElementById('run-errors').textContent",
      );
      expect(message).toMatch(/^mine\.csv, line 3.*sepal_width.*oops/);
    });

    it('draws two-feature data: decision regions, hidden units, the network; steps one batch', async () => {
      await page.evaluate(`(() => {
      const noise = document.getElementById('toy-noise');
      noise.value = '10';
      noise.dispatchEvent(new Event('input'));
      document.getElementById('toy-make').click();
    })()`);
      await page.waitFor("!document.getElementById('plane-panel').hidden");
      await page.evaluate("delete document.getElementById('app').dataset.trainedMs");
      await page.evaluate("document.getElementById('train').click()");
      await page.waitFor("document.getElementById('app').dataset.trainedMs", 20_000);
      const accuracy = await page.evaluate<number>('nnPlayground.state.history.accuracy.at(-1)');
      expect(accuracy).toBeGreaterThan(0.6);
      // Hidden units of Dense(8, tanh) -> Dense(4, tanh), and the regions painted behind the points.
      expect(
        await page.evaluate<number>("document.querySelectorAll('#hidden canvas').length"),
      ).toBe(12);
      const painted = await page.evaluate<number>(`(() => {
      const c = document.getElementById('regions');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let coloured = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 2]) coloured++;
      return coloured / (d.length / 4);
    })()`);
      expect(painted).toBeGreaterThan(0.5);
      await page.evaluate("document.getElementById('step').click()");
      await page.waitFor(
        "document.getElementById('status').textContent.startsWith('One batch: loss')",
      );
      await page.evaluate("document.getElementById('plane-panel').scrollIntoView()");
      await page.screenshot(join(out, 'spiral-1280x800.png'));
      expect(page.errors).toEqual([]);
    });

    it('stops a training, keeping the last epoch’s weights to step on from', async () => {
      await typeSource(
        irisShort.replace('epochs=50', 'epochs=100000').replace(/callbacks=.*\n/, ''),
      );
      await page.waitFor("document.getElementById('problem-count').textContent === 'no problems'");
      await page.evaluate("document.getElementById('train').click()");
      await page.waitFor('nnPlayground.state.history.loss?.length >= 3');
      await page.evaluate("document.getElementById('stop').click()");
      const status = await page.waitFor<string>(
        "document.getElementById('status').textContent.startsWith('Stopped after') && document.getElementById('status').textContent",
      );
      expect(status).toMatch(/^Stopped after \d+ epochs\.$/);
      await page.waitFor('nnPlayground.state.prepared !== null');
      await page.evaluate("document.getElementById('step').click()");
      await page.waitFor(
        "document.getElementById('status').textContent.startsWith('One batch: loss')",
      );
      expect(page.errors).toEqual([]);
    });

    it('shares the source in the link’s fragment', async () => {
      const shared = await page.evaluate<string>('nnPlayground.state.source');
      await page.evaluate("document.getElementById('share').click()");
      const link = await page.waitFor<string>("document.getElementById('share-url').value");
      expect(link).toMatch(/#src=[\w-]+$/);
      const other = await browser.open(link, 800, 600);
      const text = await other.waitFor<string>(
        'window.nnPlayground && nnPlayground.editor.state.doc.toString()',
      );
      expect(text).toBe(shared);
    });
  },
  60_000,
);

async function waitForFile(path: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`no download at ${path}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Chromium renames the finished download into place: once it exists, it is whole.
}
