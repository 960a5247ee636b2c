#!/usr/bin/env node
// The CDK app of cdk.json: synthesizes every example stack.
import { buildExamplesApp } from './app';

buildExamplesApp().synth();
