"""Asserts on the template the Python Karma Labs app synthesizes from the cdk-web-tiers wheel."""
import aws_cdk as cdk
from aws_cdk.assertions import Match, Template

from app import build_stack

app = cdk.App()
stack = build_stack(app)
template = Template.from_stack(stack)


def test_two_web_tiers_and_a_worker_each_get_an_auto_scaling_group():
    groups = template.find_resources("AWS::AutoScaling::AutoScalingGroup")
    sizes = sorted((g["Properties"]["MinSize"], g["Properties"]["MaxSize"]) for g in groups.values())
    assert sizes == [("1", "1"), ("2", "12"), ("2", "8")]


def test_one_shared_load_balancer_with_a_host_rule_for_the_api():
    template.resource_count_is("AWS::ElasticLoadBalancingV2::LoadBalancer", 1)
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::ListenerRule", {
        "Priority": 10,
        "Conditions": Match.array_with([
            Match.object_like({"Field": "host-header", "HostHeaderConfig": {"Values": ["api.karmalabs.example"]}}),
        ]),
    })


def test_https_listener_uses_the_certificate_parameter_and_port_80_redirects():
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", {
        "Port": 443,
        "Protocol": "HTTPS",
        "Certificates": [{"CertificateArn": {"Ref": "CertificateArn"}}],
    })
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", {
        "Port": 80,
        "DefaultActions": [Match.object_like({"Type": "redirect"})],
    })


def test_cpu_target_tracking_on_both_web_tiers():
    policies = template.find_resources("AWS::AutoScaling::ScalingPolicy", {
        "Properties": {"TargetTrackingConfiguration": {
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
            "TargetValue": 50,
        }},
    })
    assert len(policies) == 2


def test_instances_require_imdsv2_and_boot_from_ssm_image_parameters():
    template.has_resource_properties("AWS::EC2::LaunchTemplate", {
        "LaunchTemplateData": Match.object_like({"MetadataOptions": Match.object_like({"HttpTokens": "required"})}),
    })
    parameters = template.to_json()["Parameters"]
    image_parameters = [p for p in parameters.values() if p["Type"] == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"]
    assert sorted(p["Default"] for p in image_parameters) == ["/karma-labs/api/ami", "/karma-labs/brain/ami", "/karma-labs/web/ami"]


def test_the_brain_accepts_port_9000_from_the_api_tier_only():
    template.has_resource_properties("AWS::EC2::SecurityGroupIngress", {
        "IpProtocol": "tcp", "FromPort": 9000, "ToPort": 9000,
        "Description": "The API tier calls the Brain",
    })


def test_the_stack_is_in_the_region_it_names():
    assert stack.region == "eu-west-1"
