// The build step: records the environment the build's bash gave it and the commit it built, for
// the lab's assertions.
const { execSync } = require('child_process');
const fs = require('fs');
const os = require('os');
let commit = null;
try { commit = execSync('git rev-parse HEAD', { cwd: __dirname, encoding: 'utf-8' }).trim(); } catch { /* not a checkout */ }
// A lab instance can make its build slow (seconds in /etc/cdk-web-tiers-lab/slow-build), so that a
// test can reboot it while the build step runs.
try {
  const seconds = Number(fs.readFileSync('/etc/cdk-web-tiers-lab/slow-build', 'utf-8').trim());
  if (seconds > 0) execSync(`sleep ${seconds}`);
} catch { /* a normal build */ }
fs.mkdirSync(`${__dirname}/dist`, { recursive: true });
fs.writeFileSync(`${__dirname}/dist/build.json`, JSON.stringify({ env: process.env, user: os.userInfo().username, commit }));
console.log('built');
