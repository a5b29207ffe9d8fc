import { LanguageService } from '/work/main/src/service/index.ts';
const out = ['width = 16', ''];
for (let i = 0; out.length < 1000; i++) out.push(`model m${i} {`, `  Input(8) -> Dense(width, relu) -> Dropout(0.1) -> Dense(4, softmax)`, `  compile(Adam(learning_rate=0.001), 'categorical_crossentropy', metrics=['accuracy'])`, '}', '');
let text = out.join('\n');
const s = new LanguageService({ cacheSize: 1 });
for (let i = 0; i < 30; i++) { text = text.replace(i % 2 ? 'tanh' : 'relu', i % 2 ? 'relu' : 'tanh'); const t = performance.now(); s.diagnostics(text); if (i > 25) console.log('diag', (performance.now() - t).toFixed(1)); }
