/**
 * The pictures of two-feature data, as TensorFlow Playground draws them: the decision regions
 * behind the points (training points filled, validation points ringed), a heat map per hidden
 * unit, and the network with its weights as lines (width by size, colour by sign).
 */
import { drawingContext } from './canvas.js';
import type { Plane, PlaneView } from './protocol.js';

const palette = ['#f08c00', '#1971c2', '#2f9e44', '#e03131', '#7048e8', '#0c8599', '#c2255c'];
const negative = [240, 140, 0];
const positive = [25, 113, 194];

/** [r, g, b] between the negative colour (t = 0), white (0.5) and the positive colour (1). */
function diverging(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, t));
  const end = u < 0.5 ? negative : positive;
  const k = Math.abs(u - 0.5) * 2;
  return [0, 1, 2].map((i) => Math.round(255 + (end[i]! - 255) * k)) as [number, number, number];
}

function hex(c: string): [number, number, number] {
  return [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16)) as [number, number, number];
}

/** The range the labels span (regression targets), for colouring outputs and points alike. */
function labelRange(plane: Plane): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of plane.labels) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return hi > lo ? [lo, hi] : [lo - 1, hi + 1];
}

/** An image of `size`×`size` cells, each coloured by `colour(cell)`, drawn to fill the canvas. */
function paintGrid(
  g: CanvasRenderingContext2D,
  size: number,
  width: number,
  height: number,
  colour: (cell: number) => [number, number, number, number],
): void {
  const image = new ImageData(size, size);
  for (let k = 0; k < size * size; k++) image.data.set(colour(k), k * 4);
  const tile = document.createElement('canvas');
  tile.width = tile.height = size;
  tile.getContext('2d')!.putImageData(image, 0, 0);
  g.imageSmoothingEnabled = true;
  g.drawImage(tile, 0, 0, width, height);
}

export function drawRegions(canvas: HTMLCanvasElement, plane: Plane, view: PlaneView | null): void {
  // Square: as wide as the canvas is laid out.
  canvas.style.height = `${canvas.clientWidth || 300}px`;
  const { g, width: size } = drawingContext(canvas, { width: 300, height: 300 });
  g.fillStyle = '#fff';
  g.fillRect(0, 0, size, size);
  const units = view?.output.units ?? 1;
  // Several output units: classes; one unit and 0/1 labels: a probability; else a regression
  // target, coloured over the range the labels span.
  const [lo, hi] = plane.labels.every((v) => v === 0 || v === 1) ? [0, 1] : labelRange(plane);
  const shade = (v: number) => diverging((v - lo) / (hi - lo));
  if (view) {
    const { size: n, values } = view.output;
    paintGrid(g, n, size, size, (k) => {
      if (units === 1) return [...shade(values[k]!), 150];
      let best = 0;
      for (let u = 1; u < units; u++)
        if (values[k * units + u]! > values[k * units + best]!) best = u;
      const p = values[k * units + best]!;
      return [...hex(palette[best % palette.length]!), Math.round(60 + 140 * p)];
    });
  }
  const { min, max } = plane.box;
  for (let i = 0; i < plane.labels.length; i++) {
    const px = ((plane.x[i * 2]! - min[0]) / (max[0] - min[0])) * size;
    const py = (1 - (plane.x[i * 2 + 1]! - min[1]) / (max[1] - min[1])) * size;
    const label = plane.labels[i]!;
    const colour = units > 1 ? palette[label % palette.length]! : `rgb(${shade(label).join(',')})`;
    const training = i < plane.trainRows;
    g.beginPath();
    g.arc(px, py, 3.5, 0, Math.PI * 2);
    g.fillStyle = training ? colour : '#fff';
    g.strokeStyle = training ? '#fff' : colour;
    g.lineWidth = training ? 1 : 2;
    g.fill();
    g.stroke();
  }
  g.fillStyle = '#24292f';
  g.font = '11px system-ui, sans-serif';
  g.fillText(plane.features[0], size - 8 - g.measureText(plane.features[0]).width, size - 6);
  g.fillText(plane.features[1], 6, 14);
}

/** One small heat map per hidden unit, each scaled to its own largest magnitude. */
export function drawHidden(container: HTMLElement, view: PlaneView | null): void {
  container.replaceChildren();
  for (const layer of view?.hidden ?? []) {
    const row = document.createElement('div');
    row.className = 'hidden-layer';
    const title = document.createElement('span');
    title.textContent = layer.layer;
    row.append(title);
    const cells = layer.size * layer.size;
    for (let u = 0; u < layer.units; u++) {
      let peak = 1e-9;
      for (let k = 0; k < cells; k++)
        peak = Math.max(peak, Math.abs(layer.values[k * layer.units + u]!));
      const c = document.createElement('canvas');
      c.width = c.height = 48;
      c.title = `${layer.layer} unit ${u}`;
      paintGrid(c.getContext('2d')!, layer.size, 48, 48, (k) => [
        ...diverging(0.5 + layer.values[k * layer.units + u]! / (2 * peak)),
        255,
      ]);
      row.append(c);
    }
    container.append(row);
  }
}

/** The network: a column of nodes per layer, a line per weight (width by |w|, colour by sign). */
export function drawNetwork(canvas: HTMLCanvasElement, view: PlaneView | null): void {
  const { g, width, height } = drawingContext(canvas, { width: 300, height: 180 });
  const kernels = view?.kernels ?? [];
  if (kernels.length === 0) return;
  const columns = [kernels[0]!.inputs, ...kernels.map((k) => k.units)];
  const nodeY = (count: number, i: number) => ((i + 0.5) / count) * height;
  const colX = (c: number) => 16 + (c / (columns.length - 1)) * (width - 32);
  let peak = 1e-9;
  for (const k of kernels) for (const w of k.values) peak = Math.max(peak, Math.abs(w));
  kernels.forEach((k, c) => {
    for (let i = 0; i < k.inputs; i++)
      for (let j = 0; j < k.units; j++) {
        const w = k.values[i * k.units + j]!;
        g.strokeStyle = `rgba(${(w < 0 ? negative : positive).join(',')},0.8)`;
        g.lineWidth = 0.3 + 3.5 * (Math.abs(w) / peak);
        g.beginPath();
        g.moveTo(colX(c), nodeY(k.inputs, i));
        g.lineTo(colX(c + 1), nodeY(k.units, j));
        g.stroke();
      }
  });
  columns.forEach((count, c) => {
    for (let i = 0; i < count; i++) {
      g.beginPath();
      g.arc(colX(c), nodeY(count, i), Math.min(6, height / (3 * count)), 0, Math.PI * 2);
      g.fillStyle = '#fff';
      g.strokeStyle = '#57606a';
      g.lineWidth = 1;
      g.fill();
      g.stroke();
    }
  });
}
