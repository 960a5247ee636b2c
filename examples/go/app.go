// Karma Labs in Go: the cdk-web-tiers Go module used the way a Go CDK user would.
//
// Two tiers from pre-baked images behind one shared load balancer (the API on a host rule) and a
// "Brain" kept alive as a singleton worker, like examples/python/app.py. `cdk synth` runs it as
// `go run .`; the tests call NewKarmaLabsStack and assert on its template.
package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-web-tiers/cdk-web-tiers-go/cdkwebtiers"
)

// KarmaLabsStackProps names the domain the API's host rule answers on.
type KarmaLabsStackProps struct {
	awscdk.StackProps
	DomainName string
}

// KarmaLabsStack is the stack and the tiers in it.
type KarmaLabsStack struct {
	awscdk.Stack
	Web   cdkwebtiers.StatelessWebTier
	Api   cdkwebtiers.StatelessWebTier
	Brain cdkwebtiers.SingletonWorker
}

// NewKarmaLabsStack builds web and API tiers on one load balancer, plus the Brain.
func NewKarmaLabsStack(scope constructs.Construct, id string, props *KarmaLabsStackProps) *KarmaLabsStack {
	domainName := props.DomainName
	if domainName == "" {
		domainName = "karmalabs.example"
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)

	network := cdkwebtiers.NewTierNetwork(stack, jsii.String("Network"), nil)
	certificateArn := awscdk.NewCfnParameter(stack, jsii.String("CertificateArn"), &awscdk.CfnParameterProps{
		Type:        jsii.String("String"),
		Description: jsii.String(fmt.Sprintf("ACM certificate for %s and api.%s", domainName, domainName)),
	})
	loadBalancer := cdkwebtiers.NewTierLoadBalancer(stack, jsii.String("LoadBalancer"), &cdkwebtiers.TierLoadBalancerProps{
		Vpc:         network.Vpc(),
		Certificate: awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("Certificate"), certificateArn.ValueAsString()),
	})

	image := func(tier string) cdkwebtiers.AppSource {
		return cdkwebtiers.AppSource_FromMachineImage(
			awsec2.MachineImage_FromSsmParameter(jsii.String(fmt.Sprintf("/karma-labs/%s/ami", tier)), nil),
			&cdkwebtiers.MachineImageSourceOptions{Architecture: awsec2.InstanceArchitecture_X86_64},
		)
	}

	web := cdkwebtiers.NewStatelessWebTier(stack, jsii.String("Web"), &cdkwebtiers.StatelessWebTierProps{
		Vpc:          network.Vpc(),
		Source:       image("web"),
		LoadBalancer: loadBalancer,
		Capacity:     &cdkwebtiers.TierCapacity{Min: jsii.Number(2), Max: jsii.Number(12)},
		Scaling:      &cdkwebtiers.WebTierScaling{TargetCpuPercent: jsii.Number(50)},
		HealthCheck:  &cdkwebtiers.WebTierHealthCheck{Path: jsii.String("/healthz")},
	})
	api := cdkwebtiers.NewStatelessWebTier(stack, jsii.String("Api"), &cdkwebtiers.StatelessWebTierProps{
		Vpc:          network.Vpc(),
		Source:       image("api"),
		LoadBalancer: loadBalancer,
		Routing: &cdkwebtiers.WebTierRouting{
			HostHeaders: jsii.Strings("api." + domainName),
			Priority:    jsii.Number(10),
		},
		Capacity:    &cdkwebtiers.TierCapacity{Min: jsii.Number(2), Max: jsii.Number(8)},
		Scaling:     &cdkwebtiers.WebTierScaling{TargetCpuPercent: jsii.Number(50)},
		HealthCheck: &cdkwebtiers.WebTierHealthCheck{Path: jsii.String("/healthz")},
	})
	brain := cdkwebtiers.NewSingletonWorker(stack, jsii.String("Brain"), &cdkwebtiers.SingletonWorkerProps{
		Vpc:           network.Vpc(),
		Source:        image("brain"),
		InstanceType:  awsec2.InstanceType_Of(awsec2.InstanceClass_C6I, awsec2.InstanceSize_LARGE),
		HealthCommand: jsii.String("curl -fsS --max-time 5 http://127.0.0.1:9000/health"),
	})
	brain.Connections().AllowFrom(api, awsec2.Port_Tcp(jsii.Number(9000)), jsii.String("The API tier calls the Brain"))

	return &KarmaLabsStack{Stack: stack, Web: web, Api: api, Brain: brain}
}

// BuildStack puts the stack in a region (load balancer access logs need one) and no account.
func BuildStack(app awscdk.App) *KarmaLabsStack {
	return NewKarmaLabsStack(app, "KarmaLabsGo", &KarmaLabsStackProps{
		StackProps: awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-west-1")}},
	})
}

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	BuildStack(app)
	app.Synth(nil)
}
