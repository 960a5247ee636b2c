import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeFindings, compliancePacks } from './acknowledge';

/** Options of {@link createLogBucket}. */
export interface LogBucketOptions {
  /** What writes into it, for the reasons of its acknowledgements: 'load balancer access logs'. */
  readonly contents: string;
  /** Why it cannot use SSE-KMS: the service that writes it only delivers with SSE-S3. */
  readonly sseS3Reason: string;
  /** Days logs are kept. */
  readonly retentionDays: number;
  /**
   * The bucket is the target of S3 server access logging, which cdk-nag already recognizes as a
   * log bucket (it reports no missing access logging on it; the template checks still do).
   */
  readonly s3AccessLogTarget?: boolean;
}

/**
 * A bucket that only receives logs that an AWS service delivers (load balancer access logs, S3
 * server access logs): SSE-S3 (those services cannot deliver with SSE-KMS), TLS only, no ACLs,
 * versioned, expiring, retained on stack deletion. It cannot log access to itself without another
 * log bucket with the same exception: the validators' findings on that, and on what a log bucket
 * does not need, are acknowledged here with their reasons.
 * @internal
 */
export function createLogBucket(scope: Construct, id: string, options: LogBucketOptions): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ expiration: Duration.days(options.retentionDays), noncurrentVersionExpiration: Duration.days(30) }],
  });
  acknowledgeFindings(bucket,
    `This bucket only receives ${options.contents}: logging access to it would need a second log bucket with the same exception.`,
    ...(options.s3AccessLogTarget ? [] : ['AwsSolutions-S1', ...compliancePacks('S3BucketLoggingEnabled')]), 'CT.S3.PR.2', 'CKV_AWS_18');
  acknowledgeFindings(bucket, options.sseS3Reason, ...compliancePacks('S3DefaultEncryptionKMS'), 'CT.S3.PR.10');
  acknowledgeFindings(bucket,
    `The ${options.contents} are a versioned audit trail kept in-region for ${options.retentionDays} days; cross-region replication of them is the account owner's choice.`,
    ...compliancePacks('S3BucketReplicationEnabled'));
  acknowledgeFindings(bucket,
    'Nothing consumes events of a log bucket, and Object Lock would stop the lifecycle rule from expiring logs; versioning keeps overwritten objects.',
    'CT.S3.PR.4', 'CT.S3.PR.9');
  return bucket;
}

/**
 * Sends the S3 server access logs of `bucket` to `logBucket` through a bucket policy for the S3
 * logging service (the AWS-recommended grant; no ACL, so the log bucket can enforce bucket ownership).
 * @internal
 */
export function logBucketAccess(bucket: s3.Bucket, logBucket: s3.Bucket, prefix: string): void {
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: logBucket.bucketName, logFilePrefix: prefix };
  logBucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'S3ServerAccessLogs',
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logBucket.arnForObjects(`${prefix}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      StringEquals: { 'aws:SourceAccount': bucket.stack.account },
    },
  }));
}
