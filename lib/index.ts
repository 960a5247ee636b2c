// Public API of cdk-web-tiers. Examples and users import only from here.
export * from './app/app-environment';
export * from './common/encryption-keys';
export * from './common/findings';
export * from './app/app-source';
export * from './app/git-repository-source';
export * from './environments/environment-profile';
export * from './fleet/boot-step';
export * from './fleet/tier';
export * from './fleet/tier-base';
export * from './lock/job-lock';
export * from './lock/scheduled-job';
export * from './network/tier-network';
export * from './storage/shared-uploads';
export * from './web-tier/tier-load-balancer';
export * from './web-tier/stateless-web-tier';
export * from './worker/singleton-worker';
