// Public API of cdk-web-tiers. Examples and users import only from here.
export * from './app/app-source';
export * from './fleet/boot-step';
export * from './fleet/tier';
export * from './network/tier-network';
export * from './web-tier/tier-load-balancer';
export * from './web-tier/stateless-web-tier';
export * from './worker/singleton-worker';
