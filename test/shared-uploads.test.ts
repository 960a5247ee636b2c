import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { SharedUploads, SingletonWorker, StatelessWebTier, TierNetwork } from '../lib';
import { bootFileText, logicalIdOf, newStack, resource, runSteps, statementsOfRole, testCertificate, testSource, userDataOf } from './helpers';

function setup() {
  const stack = newStack();
  const network = new TierNetwork(stack, 'Network');
  const web = new StatelessWebTier(stack, 'Web', { vpc: network.vpc, source: testSource(), certificate: testCertificate(stack) });
  const worker = new SingletonWorker(stack, 'Worker', { vpc: network.vpc, source: testSource(), healthCommand: 'true' });
  const uploads = new SharedUploads(stack, 'Uploads', { vpc: network.vpc });
  return { stack, network, web, worker, uploads };
}

describe('SharedUploads', () => {
  test('file system is encrypted, backed up, elastic, with a lifecycle to Infrequent Access, in isolated subnets', () => {
    const { stack } = setup();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EFS::FileSystem', {
      Encrypted: true,
      BackupPolicy: { Status: 'ENABLED' },
      ThroughputMode: 'elastic',
      LifecyclePolicies: Match.arrayWith([{ TransitionToIA: 'AFTER_30_DAYS' }, { TransitionToPrimaryStorageClass: 'AFTER_1_ACCESS' }]),
    });
    template.hasResource('AWS::EFS::FileSystem', { DeletionPolicy: 'Retain' });
    // One mount target per AZ, in the isolated subnets of the TierNetwork.
    const targets = template.findResources('AWS::EFS::MountTarget');
    expect(Object.keys(targets)).toHaveLength(2);
    for (const target of Object.values(targets)) {
      expect(JSON.stringify(target.Properties.SubnetId)).toMatch(/IsolatedSubnet/);
    }
  });

  test('file system policy denies any access without TLS and anonymous access', () => {
    const { stack } = setup();
    const fs = Template.fromStack(stack).findResources('AWS::EFS::FileSystem');
    const statements = (Object.values(fs)[0] as any).Properties.FileSystemPolicy.Statement;
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Action: '*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]));
    // No statement allows clients that do not use IAM (anonymous access is off).
    for (const s of statements.filter((x: any) => x.Effect === 'Allow')) {
      expect(s.Condition).toEqual({ Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } });
    }
  });

  test('access point has a fixed POSIX owner and root directory', () => {
    const stack = newStack();
    const network = new TierNetwork(stack, 'Network');
    new SharedUploads(stack, 'Uploads', { vpc: network.vpc, ownerUid: 2000, ownerGid: 2001, rootDirectory: '/media' });
    Template.fromStack(stack).hasResourceProperties('AWS::EFS::AccessPoint', {
      PosixUser: { Uid: '2000', Gid: '2001' },
      RootDirectory: { Path: '/media', CreationInfo: { OwnerUid: '2000', OwnerGid: '2001', Permissions: '750' } },
    });
  });

  test('mountOn opens NFS from that tier only, grants mount and write through the access point only, and mounts over TLS with IAM', () => {
    const { stack, web, uploads } = setup();
    uploads.mountOn(web, '/var/app/uploads');
    const template = Template.fromStack(stack);

    // Ingress on the file system's group: 2049 from the web tier's group, and nothing else.
    const efsSg = logicalIdOf(uploads.fileSystem.connections.securityGroups[0]);
    const webSg = logicalIdOf(web.connections.securityGroups[0]);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r: any) => r.Properties.GroupId?.['Fn::GetAtt']?.[0] === efsSg);
    expect(ingress).toHaveLength(1);
    expect(ingress[0].Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049, SourceSecurityGroupId: { 'Fn::GetAtt': [webSg, 'GroupId'] } });

    const statements = statementsOfRole(template, logicalIdOf(web.role));
    const efs = statements.filter(s => JSON.stringify(s.Action).includes('elasticfilesystem'));
    expect(efs).toHaveLength(1);
    expect(efs[0]).toMatchObject({
      Effect: 'Allow',
      Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      Resource: { 'Fn::GetAtt': [logicalIdOf(uploads.fileSystem), 'Arn'] },
    });
    expect(JSON.stringify(efs[0].Condition.StringEquals['elasticfilesystem:AccessPointArn'])).toContain(`"Ref":"${logicalIdOf(uploads.accessPoint)}"`);
    expect(JSON.stringify(efs[0])).not.toContain('ClientRootAccess');

    const script = userDataOf(template, web);
    expect(runSteps(script)).toContainEqual(['mount-uploads', 'mount']);
    expect(script).toContain("'MOUNT_PATH=/var/app/uploads'");
    expect(script).toContain('source "$CWT_BOOT_DIR/mount-efs.sh"');
    expect(bootFileText('mount-efs.sh')).toContain('options="_netdev,noresvport,tls,iam,accesspoint=$ACCESS_POINT_ID"');
    expect(bootFileText('mount-efs.sh')).toMatch(/>> \/etc\/fstab/);
    // Instances wait for the mount targets.
    const asg = resource(template, logicalIdOf(web.autoScalingGroup));
    const mountTargets = Object.keys(template.findResources('AWS::EFS::MountTarget'));
    expect(asg.DependsOn).toEqual(expect.arrayContaining(mountTargets));
  });

  test('mountOn works on a SingletonWorker too', () => {
    const { stack, worker, uploads } = setup();
    uploads.mountOn(worker, '/srv/shared');
    const script = userDataOf(Template.fromStack(stack), worker);
    expect(runSteps(script)).toContainEqual(['mount-uploads', 'mount']);
    expect(script).toContain("'MOUNT_PATH=/srv/shared'");
  });

  test('the mount step runs before secrets, code and the app start', () => {
    const { stack, web, uploads } = setup();
    uploads.mountOn(web, '/var/app/uploads');
    const order = runSteps(userDataOf(Template.fromStack(stack), web)).map(([name]) => name);
    expect(order.indexOf('mount-uploads')).toBeGreaterThan(order.indexOf('cloudwatch-agent'));
    expect(order.indexOf('mount-uploads')).toBeLessThan(order.indexOf('wait-for-http'));
  });

  test('a backup plan replaces EFS automatic backups and selects the file system', () => {
    const stack = newStack();
    const network = new TierNetwork(stack, 'Network');
    const plan = backup.BackupPlan.daily35DayRetention(stack, 'Plan');
    const uploads = new SharedUploads(stack, 'Uploads', { vpc: network.vpc, backupPlan: plan });
    const template = Template.fromStack(stack);
    // CloudFormation-created file systems have no automatic backups unless BackupPolicy enables them.
    template.hasResourceProperties('AWS::EFS::FileSystem', { BackupPolicy: Match.absent() });
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: { Resources: Match.arrayWith([Match.objectLike({ 'Fn::Join': Match.anyValue() })]) },
    });
    expect(JSON.stringify(template.findResources('AWS::Backup::BackupSelection'))).toContain(logicalIdOf(uploads.fileSystem));
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('automaticBackups'));
  });

  test.each([
    ['default (EFS automatic backups)', {}, []],
    ['automaticBackups: false', { automaticBackups: false }, ['HIPAA.Security-EFSInBackupPlan', 'NIST.800.53.R5-EFSInBackupPlan']],
  ])('NIST and HIPAA EFSInBackupPlan, %s', (_name, props, expected) => {
    const stack = newStack();
    const network = new TierNetwork(stack, 'Network');
    new SharedUploads(stack, 'Uploads', { vpc: network.vpc, ...props });
    const violations = [new NIST80053R5Checks(), new HIPAASecurityChecks()]
      .flatMap((pack) => pack.validateScope(stack.node.root).violations.map((v) => v.ruleName))
      .filter((rule) => rule.endsWith('EFSInBackupPlan'));
    expect(violations.sort()).toEqual(expected);
  });

  test('turning backups off warns', () => {
    const stack = newStack();
    const network = new TierNetwork(stack, 'Network');
    new SharedUploads(stack, 'Uploads', { vpc: network.vpc, automaticBackups: false });
    Annotations.fromStack(stack).hasWarning('/Test/Uploads', Match.stringLikeRegexp('automaticBackups is false'));
  });

  test.each([
    ['relative', 'uploads', /path \("uploads"\).*absolute/],
    ['with ..', '/var/app/../etc', /path \("\/var\/app\/\.\.\/etc"\)/],
    ['a system directory', '/etc', /path \("\/etc"\).*hide the system/],
    ['with a space', '/var/app/my uploads', /path \("\/var\/app\/my uploads"\)/],
  ])('mountOn rejects a path that is %s', (_name, path, message) => {
    const { web, uploads } = setup();
    expect(() => uploads.mountOn(web, path)).toThrow(message);
  });

  test('mounting twice at the same path fails; a second path gets its own step', () => {
    const { stack, web, uploads } = setup();
    uploads.mountOn(web, '/var/app/uploads');
    expect(() => uploads.mountOn(web, '/var/app/uploads')).toThrow(/already mounted/);
    uploads.mountOn(web, '/var/app/public/media');
    const steps = runSteps(userDataOf(Template.fromStack(stack), web)).map(([name]) => name);
    expect(steps).toEqual(expect.arrayContaining(['mount-uploads', 'mount-uploads-2']));
  });

  test.each([
    [{ ownerUid: 0 }, /ownerUid \(0\)/],
    [{ rootDirectory: 'uploads' }, /rootDirectory \("uploads"\)/],
    [{ rootDirectory: '/' }, /rootDirectory \("\/"\)/],
  ])('rejects bad props %j', (props, message) => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    expect(() => new SharedUploads(stack, 'Uploads', { vpc, ...props })).toThrow(message);
  });

  test('backupPlan together with automaticBackups fails', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const plan = backup.BackupPlan.daily35DayRetention(stack, 'Plan');
    expect(() => new SharedUploads(stack, 'Uploads', { vpc, backupPlan: plan, automaticBackups: true })).toThrow(/automaticBackups \(true\)/);
  });
});
