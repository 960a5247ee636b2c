// The layers of lib/ (shared/design.md): a folder imports only from the layers below it, never
// sideways into another folder of its own layer, and no module imports itself through a cycle.
// `npm run lint` runs this; test/common/layers.test.ts shows that a planted cycle fails it.
const LAYERS = [
  ['common'], //                                   1 foundation: errors, validation, profile, cron
  ['network', 'observability', 'spike'], //         2 building blocks the tiers read (take metrics and L2s, never a tier)
  ['fleet'], //                                    3 fleet core: TierBase, Fleet, boot script, app sources
  ['web-tier', 'worker', 'storage', 'lock'], //    4 features a user composes
  ['kubernetes', 'delivery'], //                   5 families built on the features
];

const layerOf = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i])));
const forbidden = [
  {
    name: 'no-cycle',
    comment: 'A module may not import itself through other modules.',
    severity: 'error',
    from: { path: '^lib/' },
    to: { circular: true },
  },
  {
    name: 'lib-folder-unknown',
    comment: 'Every folder of lib/ has a layer: add a new one to LAYERS.',
    severity: 'error',
    from: { path: '^lib/' },
    to: { path: '^lib/', pathNot: `^lib/(index\\.ts|(${[...layerOf.keys()].join('|')})/)` },
  },
];
for (const [folder, layer] of layerOf) {
  const notBelow = [...layerOf].filter(([other, l]) => other !== folder && l >= layer).map(([other]) => other);
  if (notBelow.length === 0) continue;
  forbidden.push({
    name: `layer-${folder}`,
    comment: `lib/${folder} (layer ${layer + 1}) imports only from the layers below it.`,
    severity: 'error',
    from: { path: `^lib/${folder}/` },
    to: { path: `^lib/(${notBelow.join('|')})/` },
  });
}
forbidden.push({
  name: 'lib-imports-only-lib',
  comment: 'The construct library depends on nothing of the repository outside lib/.',
  severity: 'error',
  from: { path: '^lib/' },
  to: { path: '^(cli|test|bench|scripts|examples|bin|runtime|integ)/' },
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
