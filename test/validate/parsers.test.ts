/**
 * The parsers of scripts/validate, fed with output captured from real runs (cfn-guard 3.1.1 with
 * the Control Tower rules, cfn-lint 1.58.0, checkov 3.3.30) on a scratch app with an unencrypted
 * S3 bucket and a Lambda function on a deprecated runtime. Lists irrelevant to the parsers
 * (not_applicable, compliant, most failed rules) were shortened; nothing else was edited
 * except the repository path.
 */
import { parseCfnLintOutput } from '../../scripts/validate/cfn-lint';
import { parseCheckovOutput } from '../../scripts/validate/checkov';
import { parseGuardOutput } from '../../scripts/validate/cfn-guard';

// cfn-guard validate --output-format json --show-summary none --structured
const GUARD_OUTPUT: unknown = [
  {
    "name": "/repo/.validate/cdk.out/BadStack.template.json",
    "metadata": {},
    "status": "FAIL",
    "not_compliant": [
      {
        "Rule": {
          "name": "lambda_inside_vpc_check",
          "metadata": {},
          "messages": {
            "custom_message": null,
            "error_message": null
          },
          "checks": [
            {
              "Rule": {
                "name": "check",
                "metadata": {},
                "messages": {
                  "custom_message": "\n        [CT.LAMBDA.PR.3]: Require an AWS Lambda function to be in a customer-managed Amazon Virtual Private Cloud (VPC)\n        [FIX]: In 'VpcConfig', provide the 'SubnetIds' property with one or more Subnet IDs, and provide the 'SecurityGroupIds' property with one or more Security Group IDs.\n        ",
                  "error_message": null
                },
                "checks": [
                  {
                    "Clause": {
                      "Unary": {
                        "check": {
                          "UnResolved": {
                            "value": {
                              "traversed_to": {
                                "path": "/Resources/OldFunction/Properties",
                                "value": {
                                  "Code": {
                                    "ZipFile": "exports.handler = async () => 1;"
                                  },
                                  "Handler": "index.handler",
                                  "Role": "arn:aws:iam::123456789012:role/x",
                                  "Runtime": "nodejs14.x"
                                }
                              },
                              "remaining_query": "VpcConfig",
                              "reason": "Could not find key VpcConfig inside struct at path /Resources/OldFunction/Properties[L:7,C:17]"
                            },
                            "comparison": [
                              "Exists",
                              false
                            ]
                          }
                        },
                        "context": " VpcConfig EXISTS  ",
                        "messages": {
                          "custom_message": "",
                          "error_message": "Check was not compliant as property [VpcConfig] is missing. Value traversed to [Path=/Resources/OldFunction/Properties[L:7,C:17] Value={\"Code\":{\"ZipFile\":\"exports.handler = async () => 1;\"},\"Handler\":\"index.handler\",\"Role\":\"arn:aws:iam::123456789012:role/x\",\"Runtime\":\"nodejs14.x\"}]."
                        }
                      }
                    }
                  },
                  {
                    "Clause": {
                      "Unary": {
                        "check": {
                          "UnResolved": {
                            "value": {
                              "traversed_to": {
                                "path": "/Resources/OldFunction/Properties",
                                "value": {
                                  "Code": {
                                    "ZipFile": "exports.handler = async () => 1;"
                                  },
                                  "Handler": "index.handler",
                                  "Role": "arn:aws:iam::123456789012:role/x",
                                  "Runtime": "nodejs14.x"
                                }
                              },
                              "remaining_query": "VpcConfig",
                              "reason": "Could not find key VpcConfig inside struct at path /Resources/OldFunction/Properties[L:7,C:17]"
                            },
                            "comparison": [
                              "IsMap",
                              false
                            ]
                          }
                        },
                        "context": " VpcConfig IS MAP  ",
                        "messages": {
                          "custom_message": "",
                          "error_message": "Check was not compliant as property [VpcConfig] is missing. Value traversed to [Path=/Resources/OldFunction/Properties[L:7,C:17] Value={\"Code\":{\"ZipFile\":\"exports.handler = async () => 1;\"},\"Handler\":\"index.handler\",\"Role\":\"arn:aws:iam::123456789012:role/x\",\"Runtime\":\"nodejs14.x\"}]."
                        }
                      }
                    }
                  },
                  {
                    "Block": {
                      "context": "GuardBlockAccessClause#Location[file:ct-lambda-pr-3.guard, line:96, column:9]",
                      "messages": {
                        "custom_message": "",
                        "error_message": "Check was not compliant as property [VpcConfig] is missing. Value traversed to [Path=/Resources/OldFunction/Properties[L:7,C:17] Value={\"Code\":{\"ZipFile\":\"exports.handler = async () => 1;\"},\"Handler\":\"index.handler\",\"Role\":\"arn:aws:iam::123456789012:role/x\",\"Runtime\":\"nodejs14.x\"}]"
                      },
                      "unresolved": {
                        "traversed_to": {
                          "path": "/Resources/OldFunction/Properties",
                          "value": {
                            "Code": {
                              "ZipFile": "exports.handler = async () => 1;"
                            },
                            "Handler": "index.handler",
                            "Role": "arn:aws:iam::123456789012:role/x",
                            "Runtime": "nodejs14.x"
                          }
                        },
                        "remaining_query": "VpcConfig",
                        "reason": "Could not find key VpcConfig inside struct at path /Resources/OldFunction/Properties[L:7,C:17]"
                      }
                    }
                  }
                ]
              }
            }
          ]
        }
      },
      {
        "Rule": {
          "name": "s3_bucket_level_public_access_prohibited_check",
          "metadata": {},
          "messages": {
            "custom_message": null,
            "error_message": null
          },
          "checks": [
            {
              "Rule": {
                "name": "check",
                "metadata": {},
                "messages": {
                  "custom_message": "\n        [CT.S3.PR.1]: Require an Amazon S3 bucket to have block public access settings configured\n        [FIX]: The parameters 'BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets' must be set to true under the bucket-level 'PublicAccessBlockConfiguration'.\n        ",
                  "error_message": null
                },
                "checks": [
                  {
                    "Block": {
                      "context": "GuardBlockAccessClause#Location[file:ct-s3-pr-1.guard, line:87, column:5]",
                      "messages": {
                        "custom_message": "",
                        "error_message": "Check was not compliant as property [Properties] is missing. Value traversed to [Path=/Resources/PlainBucket[L:2,C:17] Value={\"Type\":\"AWS::S3::Bucket\"}]"
                      },
                      "unresolved": {
                        "traversed_to": {
                          "path": "/Resources/PlainBucket",
                          "value": {
                            "Type": "AWS::S3::Bucket"
                          }
                        },
                        "remaining_query": "Properties",
                        "reason": "Could not find key Properties inside struct at path /Resources/PlainBucket[L:2,C:17]"
                      }
                    }
                  }
                ]
              }
            }
          ]
        }
      },
      {
        "Rule": {
          "name": "s3_bucket_logging_enabled_check",
          "metadata": {},
          "messages": {
            "custom_message": null,
            "error_message": null
          },
          "checks": [
            {
              "Rule": {
                "name": "check",
                "metadata": {},
                "messages": {
                  "custom_message": "\n        [CT.S3.PR.2]: Require an Amazon S3 bucket to have server access logging configured\n        [FIX]: Set a 'LoggingConfiguration' on the S3 Bucket and optionally set 'DestinationBucketName' to an S3 bucket configured to receive S3 Access Logs.\n        ",
                  "error_message": null
                },
                "checks": [
                  {
                    "Block": {
                      "context": "GuardBlockAccessClause#Location[file:ct-s3-pr-2.guard, line:85, column:5]",
                      "messages": {
                        "custom_message": "",
                        "error_message": "Check was not compliant as property [Properties] is missing. Value traversed to [Path=/Resources/PlainBucket[L:2,C:17] Value={\"Type\":\"AWS::S3::Bucket\"}]"
                      },
                      "unresolved": {
                        "traversed_to": {
                          "path": "/Resources/PlainBucket",
                          "value": {
                            "Type": "AWS::S3::Bucket"
                          }
                        },
                        "remaining_query": "Properties",
                        "reason": "Could not find key Properties inside struct at path /Resources/PlainBucket[L:2,C:17]"
                      }
                    }
                  }
                ]
              }
            }
          ]
        }
      }
    ],
    "not_applicable": [
      "acm_certificate_domain_name_check",
      "alb_desync_mode_check"
    ],
    "compliant": []
  },
  {
    "name": "/repo/.validate/cdk.out/GoodStack.template.json",
    "metadata": {},
    "status": "FAIL",
    "not_compliant": [
      {
        "Rule": {
          "name": "s3_bucket_logging_enabled_check",
          "metadata": {},
          "messages": {
            "custom_message": null,
            "error_message": null
          },
          "checks": [
            {
              "Rule": {
                "name": "check",
                "metadata": {},
                "messages": {
                  "custom_message": "\n        [CT.S3.PR.2]: Require an Amazon S3 bucket to have server access logging configured\n        [FIX]: Set a 'LoggingConfiguration' on the S3 Bucket and optionally set 'DestinationBucketName' to an S3 bucket configured to receive S3 Access Logs.\n        ",
                  "error_message": null
                },
                "checks": [
                  {
                    "Clause": {
                      "Unary": {
                        "check": {
                          "UnResolved": {
                            "value": {
                              "traversed_to": {
                                "path": "/Resources/Bucket83908E77/Properties",
                                "value": {
                                  "BucketEncryption": {
                                    "ServerSideEncryptionConfiguration": [
                                      {
                                        "ServerSideEncryptionByDefault": {
                                          "SSEAlgorithm": "AES256"
                                        }
                                      }
                                    ]
                                  },
                                  "PublicAccessBlockConfiguration": {
                                    "BlockPublicAcls": true,
                                    "BlockPublicPolicy": true,
                                    "IgnorePublicAcls": true,
                                    "RestrictPublicBuckets": true
                                  },
                                  "VersioningConfiguration": {
                                    "Status": "Enabled"
                                  }
                                }
                              },
                              "remaining_query": "LoggingConfiguration",
                              "reason": "Could not find key LoggingConfiguration inside struct at path /Resources/Bucket83908E77/Properties[L:4,C:17]"
                            },
                            "comparison": [
                              "Exists",
                              false
                            ]
                          }
                        },
                        "context": " LoggingConfiguration EXISTS  ",
                        "messages": {
                          "custom_message": "",
                          "error_message": "Check was not compliant as property [LoggingConfiguration] is missing. Value traversed to [Path=/Resources/Bucket83908E77/Properties[L:4,C:17] Value={\"BucketEncryption\":{\"ServerSideEncryptionConfiguration\":[{\"ServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"AES256\"}}]},\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":true,\"BlockPublicPolicy\":true,\"IgnorePublicAcls\":true,\"RestrictPublicBuckets\":true},\"VersioningConfiguration\":{\"Status\":\"Enabled\"}}]."
                        }
                      }
                    }
                  },
                  {
                    "Clause": {
                      "Unary": {
                        "check": {
                          "UnResolved": {
                            "value": {
                              "traversed_to": {
                                "path": "/Resources/Bucket83908E77/Properties",
                                "value": {
                                  "BucketEncryption": {
                                    "ServerSideEncryptionConfiguration": [
                                      {
                                        "ServerSideEncryptionByDefault": {
                                          "SSEAlgorithm": "AES256"
                                        }
                                      }
                                    ]
                                  },
                                  "PublicAccessBlockConfiguration": {
                                    "BlockPublicAcls": true,
                                    "BlockPublicPolicy": true,
                                    "IgnorePublicAcls": true,
                                    "RestrictPublicBuckets": true
                                  },
                                  "VersioningConfiguration": {
                                    "Status": "Enabled"
                                  }
                                }
                              },
                              "remaining_query": "LoggingConfiguration",
                              "reason": "Could not find key LoggingConfiguration inside struct at path /Resources/Bucket83908E77/Properties[L:4,C:17]"
                            },
                            "comparison": [
                              "IsMap",
                              false
                            ]
                          }
                        },
                        "context": " LoggingConfiguration IS MAP  ",
                        "messages": {
                          "custom_message": "",
                          "error_message": "Check was not compliant as property [LoggingConfiguration] is missing. Value traversed to [Path=/Resources/Bucket83908E77/Properties[L:4,C:17] Value={\"BucketEncryption\":{\"ServerSideEncryptionConfiguration\":[{\"ServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"AES256\"}}]},\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":true,\"BlockPublicPolicy\":true,\"IgnorePublicAcls\":true,\"RestrictPublicBuckets\":true},\"VersioningConfiguration\":{\"Status\":\"Enabled\"}}]."
                        }
                      }
                    }
                  },
                  {
                    "Block": {
                      "context": "GuardBlockAccessClause#Location[file:ct-s3-pr-2.guard, line:90, column:9]",
                      "messages": {
                        "custom_message": "",
                        "error_message": "Check was not compliant as property [LoggingConfiguration] is missing. Value traversed to [Path=/Resources/Bucket83908E77/Properties[L:4,C:17] Value={\"BucketEncryption\":{\"ServerSideEncryptionConfiguration\":[{\"ServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"AES256\"}}]},\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":true,\"BlockPublicPolicy\":true,\"IgnorePublicAcls\":true,\"RestrictPublicBuckets\":true},\"VersioningConfiguration\":{\"Status\":\"Enabled\"}}]"
                      },
                      "unresolved": {
                        "traversed_to": {
                          "path": "/Resources/Bucket83908E77/Properties",
                          "value": {
                            "BucketEncryption": {
                              "ServerSideEncryptionConfiguration": [
                                {
                                  "ServerSideEncryptionByDefault": {
                                    "SSEAlgorithm": "AES256"
                                  }
                                }
                              ]
                            },
                            "PublicAccessBlockConfiguration": {
                              "BlockPublicAcls": true,
                              "BlockPublicPolicy": true,
                              "IgnorePublicAcls": true,
                              "RestrictPublicBuckets": true
                            },
                            "VersioningConfiguration": {
                              "Status": "Enabled"
                            }
                          }
                        },
                        "remaining_query": "LoggingConfiguration",
                        "reason": "Could not find key LoggingConfiguration inside struct at path /Resources/Bucket83908E77/Properties[L:4,C:17]"
                      }
                    }
                  }
                ]
              }
            }
          ]
        }
      }
    ],
    "not_applicable": [
      "acm_certificate_domain_name_check",
      "alb_desync_mode_check"
    ],
    "compliant": [
      "iam_inline_policy_no_statements_with_admin_access_check",
      "iam_inline_policy_no_statements_with_full_access_check"
    ]
  }
];

// cfn-lint --format json
const CFN_LINT_OUTPUT: unknown = [
  {
    "Filename": "/repo/.validate/bare/0-BadStack.template.json",
    "Id": "95bcfdd8-6fce-e19e-114c-aaa3c7b3590e",
    "Level": "Error",
    "Location": {
      "End": {
        "ColumnNumber": 14,
        "LineNumber": 14
      },
      "Path": [
        "Resources",
        "OldFunction",
        "Properties",
        "Runtime"
      ],
      "Start": {
        "ColumnNumber": 5,
        "LineNumber": 14
      }
    },
    "Message": "Runtime 'nodejs14.x' was deprecated on '2023-12-04'. Creation was disabled on '2024-01-09' and update on '2027-03-03'. Please consider updating to 'nodejs24.x'",
    "ParentId": null,
    "Rule": {
      "Description": "Check the lambda runtime has reached the end of life",
      "Id": "E2531",
      "ShortDescription": "Validate if lambda runtime is deprecated",
      "Source": "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
    }
  },
  {
    "Filename": "/repo/.validate/bare/1-GoodStack.template.json",
    "Id": "c023726d-4f98-d368-f5ff-ca996f63727a",
    "Level": "Warning",
    "Location": {
      "End": {
        "ColumnNumber": 21,
        "LineNumber": 87
      },
      "Path": [
        "Resources",
        "BucketPolicyE9A3008A",
        "DependsOn",
        0
      ],
      "Start": {
        "ColumnNumber": 5,
        "LineNumber": 87
      }
    },
    "Message": "'Bucket83908E77' dependency already enforced by a 'Ref' at 'Resources/BucketPolicyE9A3008A/Properties/Bucket'",
    "ParentId": null,
    "Rule": {
      "Description": "Check if DependsOn is specified if not needed. A Ref or a Fn::GetAtt already is an implicit dependency.",
      "Id": "W3005",
      "ShortDescription": "Check obsolete DependsOn configuration for Resources",
      "Source": "https://aws.amazon.com/blogs/devops/optimize-aws-cloudformation-templates/"
    }
  }
];

// checkov --framework cloudformation --output json --quiet --compact --skip-download
const CHECKOV_OUTPUT: unknown = {
  "check_type": "cloudformation",
  "results": {
    "failed_checks": [
      {
        "check_id": "CKV_AWS_53",
        "bc_check_id": null,
        "check_name": "Ensure S3 bucket has block public ACLs enabled",
        "check_result": {
          "result": "FAILED",
          "evaluated_keys": [
            "Properties/PublicAccessBlockConfiguration/BlockPublicAcls"
          ]
        },
        "code_block": null,
        "file_path": "/.validate/cdk.out/BadStack.template.json",
        "file_abs_path": "/repo/.validate/cdk.out/BadStack.template.json",
        "repo_file_path": "/.validate/cdk.out/BadStack.template.json",
        "file_line_range": [
          3,
          5
        ],
        "resource": "AWS::S3::Bucket.PlainBucket",
        "evaluations": {},
        "check_class": "checkov.cloudformation.checks.resource.aws.S3BlockPublicACLs",
        "fixed_definition": null,
        "entity_tags": null,
        "caller_file_path": null,
        "caller_file_line_range": null,
        "resource_address": null,
        "severity": null,
        "bc_category": null,
        "benchmarks": null,
        "description": null,
        "short_description": null,
        "vulnerability_details": null,
        "connected_node": null,
        "guideline": null,
        "details": [],
        "check_len": null,
        "definition_context_file_path": null
      },
      {
        "check_id": "CKV_AWS_363",
        "bc_check_id": null,
        "check_name": "Ensure Lambda Runtime is not deprecated",
        "check_result": {
          "result": "FAILED",
          "evaluated_keys": [
            "Properties/Runtime"
          ]
        },
        "code_block": null,
        "file_path": "/.validate/cdk.out/BadStack.template.json",
        "file_abs_path": "/repo/.validate/cdk.out/BadStack.template.json",
        "repo_file_path": "/.validate/cdk.out/BadStack.template.json",
        "file_line_range": [
          6,
          16
        ],
        "resource": "AWS::Lambda::Function.OldFunction",
        "evaluations": {},
        "check_class": "checkov.cloudformation.checks.resource.aws.DeprecatedLambdaRuntime",
        "fixed_definition": null,
        "entity_tags": null,
        "caller_file_path": null,
        "caller_file_line_range": null,
        "resource_address": null,
        "severity": null,
        "bc_category": null,
        "benchmarks": null,
        "description": null,
        "short_description": null,
        "vulnerability_details": null,
        "connected_node": null,
        "guideline": null,
        "details": [],
        "check_len": null,
        "definition_context_file_path": null
      }
    ]
  },
  "summary": {
    "passed": 58,
    "failed": 21,
    "skipped": 1,
    "parsing_errors": 0,
    "resource_count": 12,
    "checkov_version": "3.3.30"
  }
};

describe('parseGuardOutput', () => {
  test('reads one failure per failed rule with its Control Tower id, title and resources', () => {
    expect(parseGuardOutput(GUARD_OUTPUT)).toEqual([
      {
        file: '/repo/.validate/cdk.out/BadStack.template.json',
        ruleName: 'lambda_inside_vpc_check',
        controlId: 'CT.LAMBDA.PR.3',
        message: 'Require an AWS Lambda function to be in a customer-managed Amazon Virtual Private Cloud (VPC)',
        logicalIds: ['OldFunction'],
      },
      {
        file: '/repo/.validate/cdk.out/BadStack.template.json',
        ruleName: 's3_bucket_level_public_access_prohibited_check',
        controlId: 'CT.S3.PR.1',
        message: 'Require an Amazon S3 bucket to have block public access settings configured',
        logicalIds: ['PlainBucket'],
      },
      {
        file: '/repo/.validate/cdk.out/BadStack.template.json',
        ruleName: 's3_bucket_logging_enabled_check',
        controlId: 'CT.S3.PR.2',
        message: 'Require an Amazon S3 bucket to have server access logging configured',
        logicalIds: ['PlainBucket'],
      },
      {
        file: '/repo/.validate/cdk.out/GoodStack.template.json',
        ruleName: 's3_bucket_logging_enabled_check',
        controlId: 'CT.S3.PR.2',
        message: 'Require an Amazon S3 bucket to have server access logging configured',
        logicalIds: ['Bucket83908E77'],
      },
    ]);
  });

  test('a rule without a [CT...] message falls back to the error message; without a path to the template', () => {
    const output = [
      {
        name: 't.json',
        not_compliant: [
          { Rule: { name: 'my_rule', checks: [{ Clause: { messages: { custom_message: '', error_message: 'Check was not compliant' } } }] } },
        ],
      },
    ];
    expect(parseGuardOutput(output)).toEqual([
      { file: 't.json', ruleName: 'my_rule', controlId: undefined, message: 'Check was not compliant', logicalIds: [''] },
    ]);
  });

  test('compliant files and non-list output give no failures', () => {
    expect(parseGuardOutput([{ name: 'ok.json', status: 'PASS', not_compliant: [], compliant: ['x'] }])).toEqual([]);
    expect(parseGuardOutput({})).toEqual([]);
  });
});

describe('parseCfnLintOutput', () => {
  test('reads file, rule, level, path and message of each match', () => {
    expect(parseCfnLintOutput(CFN_LINT_OUTPUT)).toEqual([
      {
        file: '/repo/.validate/bare/0-BadStack.template.json',
        ruleId: 'E2531',
        level: 'Error',
        path: ['Resources', 'OldFunction', 'Properties', 'Runtime'],
        message: expect.stringMatching(/^Runtime 'nodejs14.x' was deprecated/),
      },
      {
        file: '/repo/.validate/bare/1-GoodStack.template.json',
        ruleId: 'W3005',
        level: 'Warning',
        path: ['Resources', 'BucketPolicyE9A3008A', 'DependsOn', 0],
        message: "'Bucket83908E77' dependency already enforced by a 'Ref' at 'Resources/BucketPolicyE9A3008A/Properties/Bucket'",
      },
    ]);
  });

  test('an empty run gives no matches', () => {
    expect(parseCfnLintOutput([])).toEqual([]);
  });
});

describe('parseCheckovOutput', () => {
  test('reads failed checks with the logical id taken from <Type>.<LogicalId>', () => {
    expect(parseCheckovOutput(CHECKOV_OUTPUT)).toEqual([
      {
        file: '/repo/.validate/cdk.out/BadStack.template.json',
        checkId: 'CKV_AWS_53',
        checkName: 'Ensure S3 bucket has block public ACLs enabled',
        logicalId: 'PlainBucket',
      },
      {
        file: '/repo/.validate/cdk.out/BadStack.template.json',
        checkId: 'CKV_AWS_363',
        checkName: 'Ensure Lambda Runtime is not deprecated',
        logicalId: 'OldFunction',
      },
    ]);
  });

  test('a list of reports keeps only the cloudformation one; a bare summary has no failures', () => {
    const other = { check_type: 'secrets', results: { failed_checks: [{ check_id: 'CKV_SECRET_2', resource: 'x' }] } };
    expect(parseCheckovOutput([other, CHECKOV_OUTPUT]).map((f) => f.checkId)).toEqual(['CKV_AWS_53', 'CKV_AWS_363']);
    expect(parseCheckovOutput({ passed: 0, failed: 0, skipped: 0, parsing_errors: 0, resource_count: 0, checkov_version: '3.3.30' })).toEqual([]);
  });
});
