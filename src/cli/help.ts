/** The help texts of `nn` and of each of its commands, and the exit codes they document. */

/** What each exit code of `nn` means, for every --help. */
export const exitCodes = `Exit codes:
  0   success
  1   errors in the input: the .nn file, the data, the weights file, an output that cannot
      be written, or a training that diverged (the message says which)
  2   wrong usage: an unknown command or flag, a bad flag value
  70  an internal error: a bug in nnlang (please report it with the input that caused it)
`;

/** `nn --help`. */
export const usage = `Usage: nn <command> [options]

Commands:
  check <files…>      Report every error, warning and hint in .nn files
  fmt <files…>        Format .nn files (print, --write them, or --check them)
  summary <file>      Print Keras 3's model.summary() of a model
  diagram <file>      Draw a model as an SVG picture (Keras's plot_model)
  train <file>        Train a model on the data its fit() names, save the weights
  evaluate <file>     Loss and metrics of trained weights on a CSV
  predict <file>      Predictions for a CSV, as CSV
  plan <file>         The execution plan and its peak memory
  emit <file>         A trained model as a standalone TypeScript, Keras or PyTorch module
  export <file>       A trained model as TF.js's layers format, a Keras 3 .keras archive or ONNX
  import <model.json> A TF.js model, a Keras config or a .keras archive as a .nn file
  lsp --stdio         The language server, for editors
  (nn <command> --help shows a command's options)

Options:
  -h, --help          Show this help
  -v, --version       Show the version

${exitCodes}`;

const modelFlag = `  --model NAME        Which model of the file (default: the one with fit(), else the first)`;

/** Each command's own --help. */
export const commandHelp: Record<string, string> = {
  check: `Usage: nn check <files…> [--format json] [--max-errors N]

Reports every error, warning and hint in .nn files; a clean file gets one line saying so.
  --format json       Diagnostics as a JSON array (1-based line/column ranges), all of them
  --max-errors N      Print at most N diagnostics per file (default 50; 0: all)
`,
  fmt: `Usage: nn fmt <files…> [--check | --write]

Formats .nn files: prints them formatted, rewrites them, or names those not formatted. A file
with syntax errors is left alone and its errors are printed. Comments stay where they are.
  --check             Name the files that are not formatted; exit 1 if there is any
  --write             Rewrite the files that are not formatted
`,
  summary: `Usage: nn summary <file> [options]

Prints Keras 3's model.summary() of a model.
${modelFlag}
  --line-length N     Table width (default: Keras's, from the terminal width)
`,
  diagram: `Usage: nn diagram <file> [options]

Draws a model as an SVG picture, as Keras 3's plot_model(show_shapes=True,
show_layer_activations=True) does: a box per layer (inputs too) with its name, type, input
and output shapes and activation, arrows for the graph, top to bottom.
  --model NAME        Which model of the file (default: the first)
  -o, --out PATH      Write the SVG there (atomically) instead of to standard output ('-')
`,
  train: `Usage: nn train <file> [options]

Trains a model on the data its fit() names and saves the weights. Output paths are checked
before the first epoch; training that diverges (a NaN or infinite loss) stops with exit 1.
${modelFlag}
  --data CSV          Training data (default: fit(data=…), relative to the file)
  --epochs N, --batch-size N, --seed N
  --backend NAME      js, wasm (WebAssembly SIMD) or auto (the default: wasm for models
                      of 4,096 weights or more)
  --out PATH          Weights file (default: <file>.<model>.nnw beside the .nn file)
  --plot SVG          Draw the loss and metric curves
  --quiet             Print nothing but errors (fit(verbose=0|1|2) is honoured otherwise)
  --health            After each epoch, a table per layer: gradient and weight norms, dead
                      ReLU and saturated sigmoid/tanh units, and warnings (vanishing or
                      exploding gradients, dying ReLUs, saturation)
  --allow-paths DIR   Let paths in the .nn file (fit data, ModelCheckpoint) reach DIR
                      (repeatable); by default they stay inside the .nn file's folder
`,
  evaluate: `Usage: nn evaluate <file> [options]

Loss and metrics of trained weights on a CSV.
${modelFlag}
  --weights PATH      Weights file (default: <file>.<model>.nnw beside the .nn file)
  --data CSV          Data (default: fit(data=…), relative to the file)
  --batch-size N      Rows per batch (default 32, as Keras)
  --threads N         Threads for large products (default 1): from 2, workers share the
                      wasm backend's products from ~17M multiply-adds on (a 784→128 layer at
                      --batch-size 256 or more), with the same outputs as one thread
  --allow-paths DIR   Let paths in the .nn file (fit data, ModelCheckpoint) reach DIR
                      (repeatable); by default they stay inside the .nn file's folder
`,
  predict: `Usage: nn predict <file> [options]

Predictions for a CSV, as CSV (RFC 4180). A model whose every weight is given inline
needs no weights file.
${modelFlag}
  --weights PATH      Weights file (default: <file>.<model>.nnw beside the .nn file)
  --data CSV          Data (default: fit(data=…), relative to the file)
  --out PATH          Write the CSV there instead of to standard output
  --batch-size N      Rows per batch (default 32, as Keras)
  --threads N         Threads for large products (default 1): from 2, workers share the
                      wasm backend's products from ~17M multiply-adds on (a 784→128 layer at
                      --batch-size 256 or more), with the same outputs as one thread
  --allow-paths DIR   Let paths in the .nn file (fit data, ModelCheckpoint) reach DIR
                      (repeatable); by default they stay inside the .nn file's folder
`,
  plan: `Usage: nn plan <file> [options]

Prints the execution plan and its peak memory.
${modelFlag}
  --training          The training step's plan instead of inference
  --batch N           Batch size the plan is laid out for (default 32)
`,
  lsp: `Usage: nn lsp --stdio

Runs the language server over standard input and output, for an editor's LSP client:
diagnostics as you type, hover, completion, signature help, inlay hints with output shapes,
go to definition, references, rename, symbols, folding, semantic tokens and quick fixes.
`,
  emit: `Usage: nn emit <file> [options]

Writes a trained model as one standalone TypeScript module (no imports): predict(),
predictInto(), classify() when the training had classes, and selfTest(). Weights come from
--weights, else the file nn train saved beside the .nn file, else the model's inline weights.
${modelFlag}
  --weights W.nnw     The trained weights (default: <file>.<model>.nnw beside the .nn file)
  -o, --out PATH      Write the module there (atomically) instead of to standard output
  --target ts|js|keras|pytorch
                      TypeScript (default); an ES module with JSDoc types and a .d.ts beside
                      it; a Keras 3 module (same layers, names, arguments, compile() and
                      weights); or a PyTorch module (Keras's layers, initializers, loss,
                      optimizer and fit loop; trains from a CSV, under torchrun with DDP)
  --training          Also export trainOnBatch() and getWeights() for fine-tuning on the device
  --wasm              Run the matrix products on the engine's WebAssembly SIMD kernels, embedded
                      as base64 (TypeScript where WebAssembly SIMD is absent)
  --weights-file W.bin
                      Keep the weights out of the module, in W.bin (raw float32, little
                      endian); the module then exports createModel(bytes)
`,
  export: `Usage: nn export <file> --format tfjs|keras|onnx -o DIR|FILE [options]

Writes a trained model in TF.js's layers format, as LayersModel.save writes it: DIR/model.json
(the Keras topology, the training config of compile(), the weights manifest) and the weights
in 4 MB shards (group1-shard1of1.bin, …), which tf.loadLayersModel loads. The folder is
written whole or not at all. Weights come as for nn emit. A layer, argument or setting TF.js
cannot represent is named with its place in the model, and nothing is written (exit 1).
--format keras writes a Keras 3 .keras archive to -o model.keras, --format onnx one standard
ONNX file (opset 17, dynamic batch axis) to -o model.onnx; each to a temporary file, renamed.
${modelFlag}
  --format tfjs|keras|onnx
                      The format: tfjs (TF.js's layers model, the default), keras (a
                      Keras 3 .keras archive: config.json, metadata.json,
                      model.weights.h5, which keras.saving.load_model loads) or onnx
  --weights W.nnw     The trained weights (default: <file>.<model>.nnw beside the .nn file)
  -o, --out PATH      The folder (tfjs: created, or replaced when it holds an export) or the
                      file (keras, onnx) to write
`,
  import: `Usage: nn import <model.json|model.keras> [-o out.nn]

Reads a TF.js layers model (model.json and the weight shards its manifest names, beside it),
a Keras model.to_json() config (tf.keras 2 or Keras 3) or a Keras 3 .keras archive (with its
weights), and writes it as a .nn file formatted as nn fmt writes it, with compile() from its
training config, and its weights as the .nnw file nn train would have saved beside it. Everything nnlang cannot represent is
named with its JSON path, and nothing is written (exit 1).
  -o, --out PATH      The .nn file (default: beside model.json, named after it)
`,
};
