import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { checkOptions, invalid } from '../common/validation';

/** Where the stack's dashboard lives in the construct tree. */
const ID = 'Dashboard';

/**
 * The stack's CloudWatch dashboard, built from the constructs present: each tier, lock and file
 * system adds its section (demand against capacity, latency, errors, health, CPU, boot failures,
 * job ticks, cache, file system). One per stack, created by the first construct that needs it.
 */
export class TierDashboard extends Construct {
  /** The stack's dashboard, created at `<stack>/Dashboard` on first use. */
  public static of(scope: IConstruct): TierDashboard {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ID);
    if (existing instanceof TierDashboard) return existing;
    if (existing) {
      invalid(existing, 'CWT614', 'id', ID, `The stack's cdk-web-tiers dashboard lives at ${stack.node.path}/${ID}, and a construct of yours has that id: give yours another id.`);
    }
    return new TierDashboard(stack, ID);
  }

  /** The CloudWatch dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      defaultInterval: undefined,
      periodOverride: cloudwatch.PeriodOverride.AUTO,
    });
  }

  /** Adds a titled section: a header, then the widgets in rows of at most 24 columns. */
  public addSection(title: string, widgets: cloudwatch.IWidget[]): void {
    checkOptions(this, 'addSection', { title, widgets }, { title: 'string!', widgets: 'array!' });
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
    let row: cloudwatch.IWidget[] = [];
    let width = 0;
    for (const widget of widgets) {
      if (width + widget.width > 24 && row.length > 0) {
        this.dashboard.addWidgets(...row);
        row = [];
        width = 0;
      }
      row.push(widget);
      width += widget.width;
    }
    if (row.length > 0) this.dashboard.addWidgets(...row);
  }
}
