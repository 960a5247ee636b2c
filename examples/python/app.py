"""Karma Labs in Python: the cdk-web-tiers wheel used the way a Python CDK user would.

Two tiers from pre-baked images behind one shared load balancer (the API on a host rule) and a
"Brain" kept alive as a singleton worker. `cdk synth` runs it as `python app.py`; the tests import
`build_stack` and assert on its template.
"""
import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

import cdk_web_tiers as tiers


class KarmaLabsStack(cdk.Stack):
    """Web and API tiers on one load balancer, plus the Brain."""

    def __init__(self, scope: Construct, construct_id: str, *, domain_name: str = "karmalabs.example", **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        network = tiers.TierNetwork(self, "Network")
        certificate_arn = cdk.CfnParameter(
            self, "CertificateArn", type="String",
            description=f"ACM certificate for {domain_name} and api.{domain_name}",
        )
        load_balancer = tiers.TierLoadBalancer(
            self, "LoadBalancer",
            vpc=network.vpc,
            certificate=acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn.value_as_string),
        )

        def image(tier: str) -> tiers.AppSource:
            return tiers.AppSource.from_machine_image(
                ec2.MachineImage.from_ssm_parameter(f"/karma-labs/{tier}/ami"),
                architecture=ec2.InstanceArchitecture.X86_64,
            )

        self.web = tiers.StatelessWebTier(
            self, "Web",
            vpc=network.vpc,
            source=image("web"),
            load_balancer=load_balancer,
            capacity=tiers.TierCapacity(min=2, max=12),
            scaling=tiers.WebTierScaling(target_cpu_percent=50),
            health_check=tiers.WebTierHealthCheck(path="/healthz"),
        )
        self.api = tiers.StatelessWebTier(
            self, "Api",
            vpc=network.vpc,
            source=image("api"),
            load_balancer=load_balancer,
            routing=tiers.WebTierRouting(host_headers=[f"api.{domain_name}"], priority=10),
            capacity=tiers.TierCapacity(min=2, max=8),
            scaling=tiers.WebTierScaling(target_cpu_percent=50),
            health_check=tiers.WebTierHealthCheck(path="/healthz"),
        )
        self.brain = tiers.SingletonWorker(
            self, "Brain",
            vpc=network.vpc,
            source=image("brain"),
            instance_type=ec2.InstanceType.of(ec2.InstanceClass.C6I, ec2.InstanceSize.LARGE),
            health_command="curl -fsS --max-time 5 http://127.0.0.1:9000/health",
        )
        self.brain.connections.allow_from(self.api, ec2.Port.tcp(9000), "The API tier calls the Brain")


def build_stack(app: cdk.App) -> KarmaLabsStack:
    """The stack in a region (load balancer access logs need one) and no account."""
    return KarmaLabsStack(app, "KarmaLabsPython", env=cdk.Environment(region="eu-west-1"))


if __name__ == "__main__":
    app = cdk.App()
    build_stack(app)
    app.synth()
