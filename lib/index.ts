// Public API of cdk-web-tiers. Examples and users import only from here.
export * from './app/app-source';
export { BootPhase } from './fleet/boot-script';
export type { BootStep } from './fleet/boot-script';
export * from './fleet/tier';
export * from './network/tier-network';
export * from './web-tier/tier-load-balancer';
export * from './web-tier/stateless-web-tier';
export * from './worker/singleton-worker';
