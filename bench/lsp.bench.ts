/**
 * Issue 9's editor latencies, against the real `nn lsp --stdio` process over JSON-RPC: the time
 * from a change (an incremental edit inside one model) to the diagnostics published for it, and
 * the latency of a completion request, on files of 100, 1,000 and 5,000 lines (many models, as
 * real files grow). The server's typing pause is set to 0 so the figure is its own work. Aims:
 * under 20 ms and 10 ms at 1,000 lines. Run: npm run bench:lsp [-- --quick].
 */
import { Client } from '../test/lsp/client.js';

const quick = process.argv.includes('--quick');
const repeats = quick ? 10 : 40;

/** A file of about `lines` lines: models of five lines each, with a constant on top. */
function file(lines: number): string {
  const out = ['width = 16', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `model m${i} {`,
      `  Input(8) -> Dense(width, relu) -> Dropout(0.1) -> Dense(4, softmax)`,
      `  compile(Adam(learning_rate=0.001), 'categorical_crossentropy', metrics=['accuracy'])`,
      '}',
      '',
    );
  }
  return out.join('\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const client = new Client();
  await client.initialize({ debounceMs: 0 });
  console.log(
    `nn lsp latency (median of ${repeats}; aims at 1,000 lines: diagnostics < 20 ms, completion < 10 ms)`,
  );
  console.log('| lines | change → diagnostics | completion |');
  console.log('|------:|---------------------:|-----------:|');
  let version = 0;
  for (const lines of [100, 1000, 5000]) {
    const uri = `file:///bench/${lines}.nn`;
    let text = file(lines);
    version = 1;
    await client.open(uri, text, version);
    await client.diagnostics(uri, version);
    const line = 2 + 5 * Math.floor((lines / 5) * 0.5) + 1; // a model in the middle
    const diag: number[] = [];
    const completion: number[] = [];
    for (let i = 0; i < repeats + 3; i++) {
      // Set the last layer's units to a new number: each edit gives a text never seen before.
      const lineText = text.split('\n')[line]!;
      const character = lineText.indexOf('Dense(', lineText.indexOf('Dropout')) + 'Dense('.length;
      const old = /^\d+/.exec(lineText.slice(character))![0];
      const to = String(4 + i);
      const range = {
        start: { line, character },
        end: { line, character: character + old.length },
      };
      const lineStart = text.split('\n').slice(0, line).join('\n').length + 1;
      text =
        text.slice(0, lineStart + character) + to + text.slice(lineStart + character + old.length);
      version++;
      const t0 = performance.now();
      await client.change(uri, version, [{ range, text: to }]);
      await client.diagnostics(uri, version);
      const t1 = performance.now();
      await client.request('textDocument/completion', {
        textDocument: { uri },
        position: { line, character: character + to.length + 2 },
      });
      const t2 = performance.now();
      if (i >= 3) {
        diag.push(t1 - t0);
        completion.push(t2 - t1);
      }
    }
    console.log(
      `| ${lines.toLocaleString('en')} | ${median(diag).toFixed(1)} ms | ${median(completion).toFixed(2)} ms |`,
    );
  }
  await client.shutdown();
}

void main();
