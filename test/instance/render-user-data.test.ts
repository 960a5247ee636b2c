// The lab's renderer of user data resolves the intrinsics the way CloudFormation does, and refuses
// what it cannot resolve instead of leaving a token in the script.
import { renderUserData, resolve } from './lab/render-user-data';

const ctx = { stackName: 'Kwizly', region: 'eu-west-1', account: '123456789012', refs: { Logs: 'kwizly-logs' }, attributes: { Cache: 'x', 'Cache.PrimaryEndPoint.Address': 'lock.lab' } };
const template = { Resources: { Logs: { Type: 'AWS::Logs::LogGroup' }, Cache: { Type: 'AWS::ElastiCache::ReplicationGroup' }, Other: { Type: 'AWS::SNS::Topic' } }, Parameters: { Size: { Type: 'String', Default: 'large' } } };

describe('render-user-data', () => {
  test('pseudo parameters, refs, parameters with defaults, and unknown resources', () => {
    expect(resolve({ 'Fn::Join': ['/', [{ Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, { Ref: 'AWS::StackName' }, { Ref: 'AWS::Partition' }]] }, template, ctx))
      .toBe('eu-west-1/123456789012/Kwizly/aws');
    expect(resolve({ Ref: 'Logs' }, template, ctx)).toBe('kwizly-logs');
    expect(resolve({ Ref: 'Size' }, template, ctx)).toBe('large');
    expect(resolve({ Ref: 'Other' }, template, ctx)).toBe('lab-Other');
    expect(() => resolve({ Ref: 'Nope' }, template, ctx)).toThrow(/neither a parameter nor a resource/);
  });

  test('Fn::Sub (both forms, attributes, ${!literal}), Fn::Select, Fn::Split, Fn::GetAtt', () => {
    expect(resolve({ 'Fn::Sub': 'cdk-${AWS::AccountId}-${AWS::Region} ${Logs} ${Cache.PrimaryEndPoint.Address} ${!Literal}' }, template, ctx))
      .toBe('cdk-123456789012-eu-west-1 kwizly-logs lock.lab ${Literal}');
    expect(resolve({ 'Fn::Sub': ['${A}-${Logs}', { A: { Ref: 'AWS::Region' } }] }, template, ctx)).toBe('eu-west-1-kwizly-logs');
    expect(resolve({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] }, template, ctx)).toBe('b');
    expect(resolve({ 'Fn::GetAtt': ['Cache', 'PrimaryEndPoint.Address'] }, template, ctx)).toBe('lock.lab');
    expect(() => resolve({ 'Fn::GetAtt': ['Logs', 'Arn'] }, template, ctx)).toThrow(/give the lab a value for Fn::GetAtt Logs.Arn/);
    expect(() => resolve({ 'Fn::ImportValue': 'x' }, template, ctx)).toThrow(/not supported/);
  });

  test('the user data of a launch template, decoded as EC2 hands it to cloud-init', () => {
    const lt = { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { UserData: { 'Fn::Base64': { 'Fn::Join': ['', ['#!/bin/bash\nexport R=\'', { Ref: 'AWS::Region' }, '\'\n']] } } } } };
    expect(renderUserData({ Resources: { ...template.Resources, Lt: lt } }, 'Lt', ctx)).toBe("#!/bin/bash\nexport R='eu-west-1'\n");
    expect(() => renderUserData({ Resources: { ...template.Resources, Lt: lt } }, 'Logs', ctx)).toThrow(/not a launch template/);
  });
});
