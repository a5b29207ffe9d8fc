import { writeFileSync } from 'node:fs';
import ts from 'typescript';
import { emitModule, loadModel } from '/work/main/src/index.ts';
const srcs = {
  tiny: 'Input(4) -> Dense(8, relu) -> Dense(3, softmax)\n',
  mlp: 'Input(784) -> Dense(128, relu) -> Dense(64, relu) -> Dense(10, softmax)\n',
};
for (const [name, src] of Object.entries(srcs)) {
  const m = loadModel(src, { seed: 1 });
  const code = ts.transpileModule(emitModule(m).code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  writeFileSync(`/work/main/.scratch/${name}.mjs`, code);
  const mod = await import(`/work/main/.scratch/${name}.mjs`);
  for (const batch of [1, 1024]) {
    if (name === 'tiny' && batch > 1) continue;
    const F = name === 'tiny' ? 4 : 784;
    const x = new Float32Array(batch * F).map(() => Math.random());
    const out = new Float32Array(batch * 10);
    const time = (f: () => void) => { for (let i = 0; i < 200; i++) f(); const t = performance.now(); let n = 0; while (performance.now() - t < 500) { f(); n++; } return (performance.now() - t) / n * 1000; };
    const e = time(() => m.predict(x, { batchSize: batch }));
    const p = time(() => mod.predict(x));
    const pi = time(() => mod.predictInto(x, out));
    console.log(name, batch, `engine ${e.toFixed(2)}µs  emitted predict ${p.toFixed(2)}µs  predictInto ${pi.toFixed(2)}µs`);
  }
}
