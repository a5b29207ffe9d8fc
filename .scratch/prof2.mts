import { check } from '/work/main/src/compiler.ts';
import { parse } from '/work/main/src/compiler.ts';
const out = ['width = 16', ''];
for (let i = 0; out.length < 1000; i++) out.push(`model m${i} {`, `  Input(8) -> Dense(width, relu) -> Dropout(0.1) -> Dense(4, softmax)`, `  compile(Adam(learning_rate=0.001), 'categorical_crossentropy', metrics=['accuracy'])`, '}', '');
let text = out.join('\n');
for (let i = 0; i < 40; i++) { text = text.replace(/Dense\(\d+, softmax/, `Dense(${5 + i}, softmax`); const t0 = performance.now(); parse(text); const t1 = performance.now(); check(text); const t2 = performance.now(); if (i > 35) console.log('parse', (t1 - t0).toFixed(1), 'check(all)', (t2 - t1).toFixed(1)); }
