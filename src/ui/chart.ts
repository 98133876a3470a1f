import * as asciichart from "asciichart";
import { displayWidth } from "./width.js";

/**
 * Line charts for the terminal (an indicator's trend): asciichart draws the line and its value axis;
 * office-doc adds what it lacks, an axis of labelled points (months) placed by display width, so that
 * labels of any script line up. asciichart takes one column per value: the line is spread over the
 * width available by drawing straight segments between the points (what a line chart shows anyway).
 */

export interface ChartPoint {
  /** The point's label on the horizontal axis (a month). */
  label: string;
  value: number;
}

export interface ChartOptions {
  /** Display columns available (the terminal's width). */
  width: number;
  /** Rows of the plot (default 10). */
  height?: number;
  /** A value axis label (the same display width for every value is best). */
  format: (v: number) => string;
  color: boolean;
}

/** Columns between two points at most: wider only stretches the segments. */
const MAX_STEP = 8;

/**
 * The chart of `points` as text lines, or undefined for fewer than two points or a width too small
 * to draw in. Point i sits `step` columns after point i - 1; the labels line under the axis puts
 * each label under its point, skipping one that would touch the one before.
 */
export function lineChart(points: readonly ChartPoint[], opts: ChartOptions): string | undefined {
  if (points.length < 2) return undefined;
  const labels = points.map((p) => opts.format(p.value));
  const min = Math.min(...points.map((p) => p.value));
  const max = Math.max(...points.map((p) => p.value));
  const yWidth = Math.max(
    ...[min, max].map((v) => displayWidth(opts.format(v))),
    ...labels.map(displayWidth),
  );
  const room = opts.width - yWidth - 3;
  const step = Math.min(MAX_STEP, Math.floor((room - 1) / (points.length - 1)));
  if (step < 1) return undefined;
  const series: number[] = [];
  points.forEach((p, i) => {
    const next = points[i + 1];
    if (!next) return series.push(p.value);
    for (let k = 0; k < step; k++) series.push(p.value + ((next.value - p.value) * k) / step);
  });
  const plot = asciichart.plot(series, {
    height: opts.height ?? 10,
    offset: 3,
    format: (v: number) => opts.format(v).padStart(yWidth),
    ...(opts.color ? { colors: [asciichart.cyan] } : {}),
  });
  // The axis column is after the value labels and one space; point i is i * step columns after it.
  const axisAt = yWidth + 1;
  let axis = `${" ".repeat(axisAt)}\u2514`;
  let names = "";
  points.forEach((p, i) => {
    const col = axisAt + i * step;
    if (i > 0) axis += `${"\u2500".repeat(step - 1)}\u252c`;
    const w = displayWidth(p.label);
    const start = Math.max(col - Math.floor(w / 2), 0);
    const used = displayWidth(names);
    if (start > used || (used === 0 && start === 0)) names += " ".repeat(start - used) + p.label;
  });
  return `${plot}\n${axis}\n${names}\n`;
}
