import { SpikeResult } from './simulator';

/** Options of {@link SpikeChart.svg}. */
export interface SpikeChartOptions {
  /**
   * Title of the chart.
   *
   * @default - the profile and the group's name
   */
  readonly title?: string;
  /**
   * Width of the plot in pixels.
   *
   * @default 720
   */
  readonly width?: number;
  /**
   * Height of the plot in pixels.
   *
   * @default 320
   */
  readonly height?: number;
}

/**
 * Demand against in-service capacity over a simulation, as an SVG a person can open: a Vega-Lite
 * chart rendered headless in Node (no browser, no network).
 */
export class SpikeChart {
  /** The Vega-Lite specification of the chart (data inlined). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document (jsii: any)
  public static spec(result: SpikeResult, options: SpikeChartOptions = {}): any {
    const rows = result.samples.flatMap(s => [
      { minute: s.seconds / 60, series: 'demand (requests/s)', value: round(s.demand) },
      { minute: s.seconds / 60, series: 'in-service capacity (requests/s)', value: round(s.capacity) },
    ]);
    const absorbed = result.summary.minutesToAbsorb;
    const subtitle = [[
      `absorbed after ${absorbed === undefined ? 'never' : `${round(absorbed)} min`}`,
      `${(result.summary.shareOfRequestsOverCapacity * 100).toFixed(1)} % of requests over capacity (first 30 min)`,
    ].join(' · '), [
      `peak ${result.summary.peakInstances} instances`,
      `${round(result.summary.instanceHours)} instance-hours`,
      result.summary.deathSpiral ? `death spiral: ${result.summary.instancesReplacedUnderOverload} live instances replaced` : 'no death spiral',
    ].join(' · ')];
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: { text: options.title ?? `${result.profile}: ${result.model.name}`, subtitle, anchor: 'start' },
      width: options.width ?? 720,
      height: options.height ?? 320,
      data: { values: rows },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 'minute', type: 'quantitative', title: 'minutes' },
        y: { field: 'value', type: 'quantitative', title: 'requests per second' },
        color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
      },
    };
  }

  /** Renders the chart to SVG text. */
  public static async svg(result: SpikeResult, options: SpikeChartOptions = {}): Promise<string> {
    // Loaded on first use: apps that never draw a chart do not pay for loading Vega.
    const vegaLite = await import('vega-lite');
    const vega = await import('vega');
    const compiled = vegaLite.compile(SpikeChart.spec(result, options)).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  }

  private constructor() {}
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
