/** Keras 3's `model.summary()` text for a checked model. */
export {
  renderSummary,
  type SummaryInput,
  type SummaryRow,
  type SummaryOptions,
} from './render.js';
export { summaryInputOf } from './from-model.js';
