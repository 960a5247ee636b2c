import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Aspects, Aws, IAspect, Stack, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { keyFor } from '../common/encryption';
import { checkOptions, invalid } from '../common/validation';
import { isComponentAlarm } from './alarm-components';
import { EnvironmentProfile } from '../common/environment-profile';

/**
 * A Slack channel that receives the alarms through AWS Chatbot. The workspace must be authorized
 * once in the AWS Chatbot console (that step has no API).
 */
export interface SlackChannel {
  /** The Slack workspace id (starts with T), from the AWS Chatbot console. */
  readonly workspaceId: string;
  /** The Slack channel id (starts with C or G), from the channel's details in Slack. */
  readonly channelId: string;
  /**
   * Name of the AWS Chatbot channel configuration.
   *
   * @default - the stack name followed by '-alerts'
   */
  readonly configurationName?: string;
}

/**
 * Props of {@link TierNotifications}.
 */
export interface TierNotificationsProps {
  /**
   * E-mail addresses that receive every alarm (each confirms its subscription once).
   *
   * @default - the environment profile's alarmEmails (none unless the profile names some); add more with addEmail()
   */
  readonly emails?: string[];
  /**
   * A Slack channel that receives every alarm through AWS Chatbot.
   *
   * @default - no Slack
   */
  readonly slack?: SlackChannel;
  /**
   * Key that encrypts the topic.
   *
   * @default - a new key with rotation on
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Route your own alarms here too: every CloudWatch alarm of the stack (L2 or L1, yours included)
   * that has no alarm action gets this topic as its alarm and OK action, and an alarm left
   * without any action fails synth. The library's own alarms notify this topic either way.
   *
   * @default false
   */
  readonly routeAllAlarms?: boolean;
}

/** The id of the stack's notifications when a construct of the library creates them. */
const DEFAULT_ID = 'Notifications';

/**
 * Where the alarms of a stack go: one encrypted SNS topic (TLS only) with e-mail subscriptions
 * and, optionally, a Slack channel through AWS Chatbot.
 *
 * Every alarm of this library notifies it; with `routeAllAlarms` your own alarms without an action
 * do too. There is one per stack: the library's constructs create a default one
 * (`<stack>/Notifications`, no subscriber) unless you created yours first, or you add recipients to
 * it with `TierNotifications.of(stack).addEmail(...)`.
 */
export class TierNotifications extends Construct {
  /**
   * The stack's notifications: the one created in it, or a new one without subscribers at
   * `<stack>/Notifications`.
   */
  public static of(scope: IConstruct): TierNotifications {
    const stack = Stack.of(scope);
    const found = notificationsOf(stack);
    if (found) return found;
    const taken = stack.node.tryFindChild(DEFAULT_ID);
    if (taken) {
      invalid(taken, 'CWT615', 'id', DEFAULT_ID, `The library creates the stack's TierNotifications at ${stack.node.path}/${DEFAULT_ID}, and a construct of yours has that id: ` +
        'give yours another id, or create your TierNotifications before the tiers.');
    }
    return new TierNotifications(stack, DEFAULT_ID);
  }

  /** The topic every alarm of the stack notifies. */
  public readonly topic: sns.Topic;
  /** The key that encrypts the topic. */
  public readonly encryptionKey: kms.IKey;
  /** The AWS Chatbot configuration, when a Slack channel is given. */
  public readonly slackChannel?: chatbot.SlackChannelConfiguration;

  constructor(scope: Construct, id: string, props: TierNotificationsProps = {}) {
    super(scope, id);
    checkOptions(this, 'props', props, { emails: 'array', slack: 'object', encryptionKey: 'object', routeAllAlarms: 'boolean' });
    const stack = Stack.of(this);
    const existing = notificationsOf(stack, this);
    if (existing) {
      invalid(this, 'CWT607', 'TierNotifications', `a second one in ${stack.node.path}`,
        `${existing.node.path} already receives this stack's alarms. Create your TierNotifications before the tiers ` +
        `(new TierNotifications(stack, '${id}', { emails: [...] })), or add recipients to the existing one with TierNotifications.of(stack).addEmail(...).`);
    }
    validateSlack(this, props.slack);

    this.encryptionKey = keyFor(this, props.encryptionKey, 'Key', `Encrypts the alarm notifications of ${stack.node.path}`);
    if (this.encryptionKey instanceof kms.Key) {
      // CloudWatch publishes alarm state changes with the topic's key.
      this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'CloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }));
    }
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Alarms (cdk-web-tiers)',
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    // enforceSSL writes a topic policy, which replaces the default one: let CloudWatch alarms of
    // this account publish explicitly.
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudWatchAlarms',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }));
    // The environment profile says where a stage's alarms go unless the props do.
    for (const email of props.emails ?? EnvironmentProfile.of(this).alarmEmails) this.addEmail(email);

    if (props.slack) {
      // Notifications only: the role Chatbot assumes has no permission, and the guardrail caps
      // whatever a channel member could run to reading CloudWatch.
      const role = new iam.Role(this, 'SlackRole', {
        assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
        description: `AWS Chatbot in Slack channel ${props.slack.channelId}: notifications only, no permission`,
      });
      this.slackChannel = new chatbot.SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: props.slack.configurationName ?? `${stack.stackName}-alerts`.slice(0, 128),
        slackWorkspaceId: props.slack.workspaceId,
        slackChannelId: props.slack.channelId,
        notificationTopics: [this.topic],
        role,
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchReadOnlyAccess')],
      });
    }

    if (props.routeAllAlarms) {
      Aspects.of(stack).add(new AlarmActions(this.topic));
      stack.node.addValidation({ validate: () => alarmsWithoutActions(stack) });
    }
  }

  /** Sends every alarm to one more e-mail address. */
  public addEmail(address: string): void {
    checkOptions(this, 'addEmail', { address }, { address: 'string!' });
    if (!Token.isUnresolved(address) && !EMAIL.test(address)) {
      invalid(this, 'CWT608', 'emails', address, "Give an e-mail address such as 'oncall@example.com' (or a CfnParameter's valueAsString).");
    }
    this.topic.addSubscription(new subscriptions.EmailSubscription(address));
  }
}

/**
 * The stack's notifications, found in the construct tree: at the default id, else anywhere in the
 * stack (a user may have created theirs under another id). `other` than `self` when given.
 */
function notificationsOf(stack: Stack, self?: TierNotifications): TierNotifications | undefined {
  const isOther = (c: IConstruct): c is TierNotifications => c instanceof TierNotifications && c !== self && Stack.of(c) === stack;
  const atDefault = stack.node.tryFindChild(DEFAULT_ID);
  if (atDefault && isOther(atDefault)) return atDefault;
  return stack.node.findAll().find(isOther);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validateSlack(scope: Construct, slack: SlackChannel | undefined): void {
  if (!slack) return;
  if (!slack.workspaceId || (!Token.isUnresolved(slack.workspaceId) && !/^T[A-Z0-9]{4,}$/.test(slack.workspaceId))) {
    invalid(scope, 'CWT609', 'slack.workspaceId', slack.workspaceId,
      "Give the Slack workspace id that the AWS Chatbot console shows after you authorize the workspace, for example 'T07EA123LEP'.");
  }
  if (!slack.channelId || (!Token.isUnresolved(slack.channelId) && !/^[CG][A-Z0-9]{4,}$/.test(slack.channelId))) {
    invalid(scope, 'CWT610', 'slack.channelId', slack.channelId,
      "Give the channel id from the channel's details in Slack (starts with C, or G for a private channel), for example 'C07EZ1ABC23'.");
  }
  if (slack.configurationName !== undefined && !Token.isUnresolved(slack.configurationName) && !/^[A-Za-z0-9-_]{1,128}$/.test(slack.configurationName)) {
    invalid(scope, 'CWT611', 'slack.configurationName', slack.configurationName, 'Use 1 to 128 letters, digits, - or _.');
  }
}

/** Gives every alarm without an alarm action the topic as its alarm and OK action. */
class AlarmActions implements IAspect {
  constructor(private readonly topic: sns.ITopic) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof cloudwatch.CfnAlarm || node instanceof cloudwatch.CfnCompositeAlarm)) return;
    if (isComponentAlarm(node)) return;
    if (hasActions(node, node.alarmActions)) return;
    node.alarmActions = [this.topic.topicArn];
    if (!hasActions(node, node.okActions)) node.okActions = [this.topic.topicArn];
  }
}

function hasActions(scope: IConstruct, actions: unknown): boolean {
  const resolved = Stack.of(scope).resolve(actions);
  return Array.isArray(resolved) ? resolved.length > 0 : resolved !== undefined;
}

function alarmsWithoutActions(stack: Stack): string[] {
  return stack.node.findAll()
    .filter((c): c is cloudwatch.CfnAlarm | cloudwatch.CfnCompositeAlarm => c instanceof cloudwatch.CfnAlarm || c instanceof cloudwatch.CfnCompositeAlarm)
    .filter(alarm => Stack.of(alarm) === stack && !isComponentAlarm(alarm) && !hasActions(alarm, alarm.alarmActions))
    .map(alarm => `${alarm.node.path}: invalid alarm actions (none). Every alarm of a stack with TierNotifications must notify someone: ` +
      'give it an alarm action (alarm.addAlarmAction(...)), or leave it without one so that it notifies the stack\'s TierNotifications topic.');
}

