/**
 * Which Keras layers TF.js's layers format holds, and how their arguments differ: one rule per
 * class, read in both directions. A Keras argument TF.js lacks crosses only at its Keras default
 * (TF.js would compute something else); one that cannot change a trained model's numbers (a
 * seed, the cuDNN switch) is left out.
 */
import type { Args } from '../catalog/index.js';

export interface LayerRule {
  /** Keras arguments TF.js does not take: they cross only at their Keras default. */
  lacks?: string[];
  /** Keras arguments TF.js does not take that change no trained number: left out on export. */
  ignored?: string[];
  /** Keras argument → TF.js's config key. */
  renames?: Record<string, string>;
  /**
   * Config keys other writers add that nnlang's catalog lacks, at the value where they change
   * nothing (`'any'`: at every value): skipped on import; another value is a problem.
   */
  extraKeys?: Record<string, boolean | null | 'any'>;
  /** A value TF.js cannot compute as Keras does: the argument and why. */
  refuse?(args: Args): { arg: string; message: string } | undefined;
  /** Keras 3 defaults a TF.js model.json does not write, because TF.js behaves otherwise. */
  tfjsDefaults?: Args;
}

const lora = ['lora_rank', 'lora_alpha', 'quantization_config'];
const recurrent: LayerRule = {
  ignored: ['seed', 'use_cudnn'],
  // TF.js's implementation switch; Keras 3's RNN base config (masking is off in nnlang).
  extraKeys: { implementation: 'any', zero_output_for_mask: false },
};

/** The layers of both nnlang's engine and TF.js, by Keras class name. */
export const layerRules: Record<string, LayerRule> = {
  Dense: { lacks: lora },
  Activation: {},
  Dropout: {},
  Flatten: {},
  Reshape: {},
  BatchNormalization: { lacks: ['renorm', 'renorm_clipping', 'renorm_momentum', 'synchronized'] },
  LayerNormalization: { lacks: ['rms_scaling'] },
  ReLU: { lacks: ['negative_slope', 'threshold'] },
  LeakyReLU: { renames: { negative_slope: 'alpha' } },
  PReLU: {},
  ELU: {
    refuse: (args) =>
      args['alpha'] === 1
        ? undefined
        : { arg: 'alpha', message: "TF.js's ELU layer supports only alpha=1." },
  },
  Softmax: {},
  GaussianNoise: { ignored: ['seed'] },
  Add: {},
  Multiply: {},
  Average: {},
  Maximum: {},
  Minimum: {},
  Concatenate: {},
  Conv1D: { lacks: ['groups'] },
  Conv2D: { lacks: ['groups'] },
  MaxPooling1D: {},
  MaxPooling2D: {},
  AveragePooling1D: {},
  AveragePooling2D: {},
  GlobalAveragePooling1D: { lacks: ['keepdims'] },
  GlobalAveragePooling2D: { lacks: ['keepdims'] },
  GlobalMaxPooling1D: { lacks: ['keepdims'] },
  GlobalMaxPooling2D: { lacks: ['keepdims'] },
  ZeroPadding2D: {},
  Cropping2D: {},
  UpSampling2D: {},
  RepeatVector: {},
  Permute: {},
  SpatialDropout1D: {},
  Embedding: { lacks: lora },
  SimpleRNN: recurrent,
  LSTM: recurrent,
  GRU: {
    ...recurrent,
    tfjsDefaults: { reset_after: false },
    refuse: (args) =>
      args['reset_after'] === false
        ? undefined
        : {
            arg: 'reset_after',
            message:
              "TF.js's GRU computes only reset_after=False (Keras 3's default is True): write GRU(…, reset_after=False).",
          },
  },
  Bidirectional: { lacks: ['backward_layer'] },
  TimeDistributed: {},
};

/**
 * Keys any layer's config may hold that a class's catalog entry lacks, at the value where they
 * change nothing: Keras's base Layer takes an activity_regularizer, and TF.js writes it (null)
 * for layers whose Keras 3 signature has none (Embedding).
 */
export const anyLayerExtraKeys: Record<string, null> = { activity_regularizer: null };

/**
 * Arguments a layer's own config does not carry: its name (written beside the config) and
 * inline initial weights (the weights travel in the shards). Keras's other **kwargs
 * (`dtype`, `trainable`, `input_shape`, …) are not in a catalog entry's own arguments.
 */
export const notConfigArgs = new Set(['name', 'weights']);
