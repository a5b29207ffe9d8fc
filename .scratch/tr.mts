const m = await import('/tmp/iris-train.ts');
const rows = [[5.1, 3.5, 1.4, 0.2], [6.4, 3.2, 4.5, 1.5], [6.3, 3.3, 6.0, 2.5]];
console.log(m.selfTest(), m.classify(rows));
for (let i = 0; i < 5; i++) console.log('loss', m.trainOnBatch(rows, [[1,0,0],[0,1,0],[0,0,1]]));
console.log(m.getWeights().map((w: Float32Array) => w.length));
