package main

import (
	"os"
	"sort"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// One app and template for every test: synthesizing through the jsii runtime takes seconds.
var (
	stack    *KarmaLabsStack
	template assertions.Template
)

func TestMain(m *testing.M) {
	app := awscdk.NewApp(nil)
	stack = BuildStack(app)
	template = assertions.Template_FromStack(stack.Stack, nil)
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

func TestTwoWebTiersAndAWorkerEachGetAnAutoScalingGroup(t *testing.T) {
	groups := template.FindResources(jsii.String("AWS::AutoScaling::AutoScalingGroup"), nil)
	var sizes []string
	for _, group := range *groups {
		properties := (*group)["Properties"].(map[string]interface{})
		sizes = append(sizes, properties["MinSize"].(string)+"-"+properties["MaxSize"].(string))
	}
	sort.Strings(sizes)
	if got, want := len(sizes), 3; got != want {
		t.Fatalf("Auto Scaling groups: got %d (%v), want %d", got, sizes, want)
	}
	for i, want := range []string{"1-1", "2-12", "2-8"} {
		if sizes[i] != want {
			t.Errorf("group sizes (min-max): got %v, want [1-1 2-12 2-8]", sizes)
			break
		}
	}
}

func TestOneSharedLoadBalancerWithAHostRuleForTheApi(t *testing.T) {
	template.ResourceCountIs(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), jsii.Number(1))
	template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::ListenerRule"), map[string]interface{}{
		"Priority": 10,
		"Conditions": assertions.Match_ArrayWith(&[]interface{}{
			assertions.Match_ObjectLike(&map[string]interface{}{
				"Field":            "host-header",
				"HostHeaderConfig": map[string]interface{}{"Values": []string{"api.karmalabs.example"}},
			}),
		}),
	})
}

func TestHttpsListenerUsesTheCertificateParameterAndPort80Redirects(t *testing.T) {
	template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]interface{}{
		"Port":         443,
		"Protocol":     "HTTPS",
		"Certificates": []interface{}{map[string]interface{}{"CertificateArn": map[string]interface{}{"Ref": "CertificateArn"}}},
	})
	template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]interface{}{
		"Port": 80,
		"DefaultActions": []interface{}{
			assertions.Match_ObjectLike(&map[string]interface{}{"Type": "redirect"}),
		},
	})
}

func TestCpuTargetTrackingOnBothWebTiers(t *testing.T) {
	policies := template.FindResources(jsii.String("AWS::AutoScaling::ScalingPolicy"), map[string]interface{}{
		"Properties": map[string]interface{}{"TargetTrackingConfiguration": map[string]interface{}{
			"PredefinedMetricSpecification": map[string]interface{}{"PredefinedMetricType": "ASGAverageCPUUtilization"},
			"TargetValue":                   50,
		}},
	})
	if got := len(*policies); got != 2 {
		t.Errorf("CPU target tracking policies at 50 %%: got %d, want 2", got)
	}
}

func TestInstancesRequireImdsv2AndBootFromSsmImageParameters(t *testing.T) {
	template.HasResourceProperties(jsii.String("AWS::EC2::LaunchTemplate"), map[string]interface{}{
		"LaunchTemplateData": assertions.Match_ObjectLike(&map[string]interface{}{
			"MetadataOptions": assertions.Match_ObjectLike(&map[string]interface{}{"HttpTokens": "required"}),
		}),
	})
	parameters := (*template.ToJSON())["Parameters"].(map[string]interface{})
	var images []string
	for _, parameter := range parameters {
		p := parameter.(map[string]interface{})
		if p["Type"] == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>" {
			images = append(images, p["Default"].(string))
		}
	}
	sort.Strings(images)
	want := []string{"/karma-labs/api/ami", "/karma-labs/brain/ami", "/karma-labs/web/ami"}
	if len(images) != len(want) || images[0] != want[0] || images[1] != want[1] || images[2] != want[2] {
		t.Errorf("image parameters: got %v, want %v", images, want)
	}
}

func TestTheBrainAcceptsPort9000FromTheApiTierOnly(t *testing.T) {
	template.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroupIngress"), map[string]interface{}{
		"IpProtocol":  "tcp",
		"FromPort":    9000,
		"ToPort":      9000,
		"Description": "The API tier calls the Brain",
	})
	ingress := template.FindResources(jsii.String("AWS::EC2::SecurityGroupIngress"), map[string]interface{}{
		"Properties": map[string]interface{}{"FromPort": 9000},
	})
	if got := len(*ingress); got != 1 {
		t.Errorf("ingress rules on port 9000: got %d, want 1 (from the API tier)", got)
	}
}

func TestTheStackIsInTheRegionItNames(t *testing.T) {
	if got := *stack.Region(); got != "eu-west-1" {
		t.Errorf("region: got %s, want eu-west-1", got)
	}
}
