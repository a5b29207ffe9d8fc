/**
 * Diagrams in a real browser (Debian's Chromium, headless): each SVG loads as an image, parses
 * as an SVG document, and inline in a page every text fits the cell it was measured for — the
 * width table's margin holds for the fonts the system substitutes. Hostile layer names run
 * nothing when the SVG is inlined, shown as an image or opened as a document. Skipped, with a
 * notice, where Chromium is absent.
 */
import { describe, expect, it } from 'vitest';
import {
  diagramOf,
  layoutDiagram,
  renderSvg,
  type DiagramLayout,
} from '../../src/diagram/index.js';
import { chromium, dumpDom } from '../chromium.js';
import { readFileSync } from 'node:fs';
import { check } from '../../src/compiler.js';

if (!chromium)
  console.warn('[skipped] test/diagram/browser.test.ts: no Chromium (apt-get install chromium)');

const hostile = '<script>parent.pwned=1</script><img src=x onerror="parent.pwned=1">';

const fixture = (name: string) =>
  layoutDiagram(
    diagramOf(
      check(readFileSync(new URL(`./fixtures/${name}.nn`, import.meta.url), 'utf8')).models[0]!,
    ),
  );

const layouts: Record<string, DiagramLayout> = {
  residual: fixture('residual'),
  twoInputs: fixture('two-inputs'),
  twoOutputs: fixture('two-outputs'),
  hostile: layoutDiagram({
    name: hostile,
    nodes: [
      {
        id: hostile,
        name: hostile,
        className: 'Dense',
        inputShapes: [[null, 2]],
        outputShape: [null, 1],
        activation: hostile,
      },
    ],
    edges: [],
  }),
};

const page = `<!doctype html>
<meta charset="utf-8">
<body><pre id="out">pending</pre>
<script type="module">
const out = document.getElementById('out');
const load = (el, url) => new Promise((resolve) => {
  el.onload = () => resolve(true);
  el.onerror = () => resolve(false);
  el.src = url;
});
try {
  const results = {};
  for (const name of ${JSON.stringify(Object.keys(layouts))}) {
    const url = '/' + name + '.svg';
    const text = await (await fetch(url)).text();
    const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
    const img = new Image();
    const image = (await load(img, url)) && img.naturalWidth > 0;
    const frame = document.createElement('iframe');
    document.body.appendChild(frame);
    const framed = await load(frame, url);
    const host = document.createElement('div');
    host.innerHTML = text;
    document.body.appendChild(host);
    await new Promise((r) => setTimeout(r, 50));
    results[name] = {
      parseErrors: parsed.getElementsByTagName('parsererror').length,
      image,
      framed,
      widths: [...host.querySelectorAll('text')].map((t) => t.getComputedTextLength()),
      scripts: host.querySelectorAll('script').length + frame.contentDocument.querySelectorAll('script').length,
    };
  }
  out.textContent = 'RESULT' + JSON.stringify({ results, pwned: window.pwned ?? null });
} catch (e) {
  out.textContent = 'ERROR ' + e;
}
</script>`;

describe.skipIf(!chromium)('diagrams in Chromium', () => {
  it('load, parse, fit their text and run nothing', async () => {
    const files: Record<string, [string, string]> = { '/index.html': ['text/html', page] };
    for (const [name, layout] of Object.entries(layouts))
      files[`/${name}.svg`] = ['image/svg+xml', renderSvg(layout)];
    const dom = await dumpDom(files, '/index.html');
    const match = /RESULT(\{.*\})/.exec(dom);
    expect(match, dom.slice(0, 2000)).not.toBeNull();
    const { results, pwned } = JSON.parse(match![1]!.replace(/&quot;/g, '"')) as {
      results: Record<
        string,
        { parseErrors: number; image: boolean; framed: boolean; widths: number[]; scripts: number }
      >;
      pwned: unknown;
    };
    expect(pwned).toBeNull();
    for (const [name, layout] of Object.entries(layouts)) {
      const r = results[name]!;
      expect([name, r.parseErrors, r.image, r.framed, r.scripts]).toEqual([name, 0, true, true, 0]);
      // Each text, in document order, within its cell with at least 4 px to spare on each side.
      const cells = layout.boxes.flatMap((b) => b.content.rows.flatMap((row) => row.cells));
      expect(r.widths).toHaveLength(cells.length);
      const tight = cells.flatMap((cell, i) =>
        r.widths[i]! + 8 <= cell.width
          ? []
          : [
              `${name}: ${cell.runs.map((x) => x.text).join('')} (${r.widths[i]} px in ${cell.width})`,
            ],
      );
      expect(tight).toEqual([]);
    }
  }, 60_000);
});
