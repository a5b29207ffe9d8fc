/**
 * A canvas made ready to draw on at its CSS size: its backing store sized for the screen's
 * pixel ratio (sharp on high-density screens), cleared, drawn in CSS pixels.
 */
export function drawingContext(
  canvas: HTMLCanvasElement,
  fallback: { width: number; height: number },
): { g: CanvasRenderingContext2D; width: number; height: number } {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || fallback.width;
  const height = canvas.clientHeight || fallback.height;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const g = canvas.getContext('2d')!;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  return { g, width, height };
}
