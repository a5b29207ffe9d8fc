/**
 * A model as a picture, as Keras 3's `plot_model(show_shapes=True, show_layer_activations=True)`
 * draws it: `diagramOf` (graph → plain nodes and edges), `layoutDiagram` (layered layout, top to
 * bottom), `renderSvg` (an SVG document). No DOM, no Node APIs: the CLI, the language service
 * and a browser share it.
 */
import type { ModelGraph } from '../layers/index.js';
import { layoutDiagram } from './layout.js';
import { diagramOf } from './model.js';
import { renderSvg } from './svg.js';

export { diagramOf, type DiagramModel, type DiagramNode, type DiagramEdge } from './model.js';
export {
  layoutDiagram,
  spread,
  type DiagramLayout,
  type PlacedBox,
  type RoutedEdge,
  type Point,
} from './layout.js';
export { boxOf, formatShapes, type BoxContent, type BoxRow, type BoxCell } from './box.js';
export { renderSvg, escapeXml } from './svg.js';
export { textWidth } from './text.js';

/** The SVG diagram of a model's graph. */
export function diagramSvgOf(model: ModelGraph): string {
  return renderSvg(layoutDiagram(diagramOf(model)));
}
