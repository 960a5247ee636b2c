/**
 * The spike chart: demand against in-service capacity over a simulation, as an SVG a person can
 * open. It lives in the CLI (bundled into build/cli/main.js by esbuild), not in the construct
 * library, so that the library has no runtime dependency on Vega.
 */
import { SpikeResult } from '../lib/spike/simulator';

/** Options of {@link spikeChartSvg}. */
export interface SpikeChartOptions {
  /** Title of the chart. @default - the profile and the group's name */
  readonly title?: string;
  /** Width of the plot in pixels. @default 720 */
  readonly width?: number;
  /** Height of the plot in pixels. @default 320 */
  readonly height?: number;
}

/** What the chart says about absorption, in words (never "after never"). */
export function absorptionText(result: SpikeResult): string {
  const s = result.summary;
  if (s.minutesToAbsorb === undefined) return 'capacity never covers demand before the peak ends';
  if (s.minutesToAbsorb === 0) return 'capacity covers demand from the start';
  return `capacity covers demand ${round(s.minutesToAbsorb)} min after the spike starts`;
}

/** The Vega-Lite specification of the chart (data inlined). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document
export function spikeChartSpec(result: SpikeResult, options: SpikeChartOptions = {}): any {
  const s = result.summary;
  const rows = result.samples.flatMap(x => [
    { minute: x.seconds / 60, series: 'demand (requests/s)', value: round(x.demand) },
    { minute: x.seconds / 60, series: 'in-service capacity (requests/s)', value: round(x.capacity) },
  ]);
  const spikeMinute = (result.spikeStartSeconds ?? 0) / 60;
  const markers = [{ minute: spikeMinute, label: 'spike starts' }];
  if (s.minutesToAbsorb !== undefined && s.minutesToAbsorb > 0) markers.push({ minute: spikeMinute + s.minutesToAbsorb, label: 'absorbed' });
  const cost = [
    `peak ${s.peakInstances} instances (the peak needs ${s.instancesNeededAtPeak})`,
    `${round(s.instanceHours)} instance-hours`,
    s.overProvisionedInstanceHours === undefined ? undefined : `${round(s.overProvisionedInstanceHours)} over what demand needed`,
  ].filter(Boolean).join(' · ');
  const subtitle = [
    [absorptionText(result), `${(s.shareOfRequestsOverCapacity * 100).toFixed(1)} % of requests over capacity (first 30 min)`].join(' · '),
    cost,
    s.deathSpiral ? `death spiral: ${s.instancesReplacedUnderOverload} live instances replaced` : 'no live instance replaced under overload',
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: options.title ?? `${result.profile}: ${result.model.name}`, subtitle, anchor: 'start' },
    width: options.width ?? 720,
    height: options.height ?? 320,
    padding: { left: 10, right: 10, top: 10, bottom: 30 },
    autosize: { type: 'pad', contains: 'padding' },
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'minute', type: 'quantitative', title: 'minutes since the profile starts' },
          y: { field: 'value', type: 'quantitative', title: 'requests per second' },
          color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'top', direction: 'horizontal', labelLimit: 0 } },
        },
      },
      {
        data: { values: markers },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#666' },
        encoding: { x: { field: 'minute', type: 'quantitative' } },
      },
      {
        data: { values: markers },
        mark: { type: 'text', align: 'left', dx: 3, dy: -4, baseline: 'bottom', color: '#333' },
        encoding: { x: { field: 'minute', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
      },
    ],
  };
}

/** Renders the chart to SVG text, headless (no browser, no network). */
export async function spikeChartSvg(result: SpikeResult, options: SpikeChartOptions = {}): Promise<string> {
  const vegaLite = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vegaLite.compile(spikeChartSpec(result, options)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
