import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { connectDocker } from '../../../src/cluster/docker/engine.js';
import { runCliInProcess } from '../../helpers/run-cli.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { InfrastructureError, UsageError } from '../../../src/errors.js';
import { builtinSystem, builtinSystemNames } from '../../../src/systems/index.js';

const cli = async (args: string[]): Promise<{ code: number; stderr: string }> => {
  const { code, err } = await runCliInProcess(args);
  return { code, stderr: err };
};

const savedDockerHost = process.env['DOCKER_HOST'];
afterEach(() => {
  if (savedDockerHost === undefined) delete process.env['DOCKER_HOST'];
  else process.env['DOCKER_HOST'] = savedDockerHost;
});

describe('unknown system', () => {
  it('names the valid systems', () => {
    assert.throws(() => builtinSystem('mysql'), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.message, 'unknown system "mysql"');
      assert.equal(err.hint, `choose one of: ${builtinSystemNames.join(', ')}, or a plugin module (./path/to/plugin.js, an npm package faultline-*)`);
      return true;
    });
    assert.equal(builtinSystem('etcd').name, 'etcd');
  });

  it('exits with the usage code before touching Docker', async () => {
    process.env['DOCKER_HOST'] = 'unix:///nonexistent/docker.sock';
    const { code, stderr } = await cli(['cluster', 'up', '--system', 'mysql']);
    assert.equal(code, ExitCode.Usage);
    assert.match(stderr, /^faultline: unknown system "mysql"\n  hint: choose one of: redis, zookeeper, etcd, consul, or a plugin module \(\.\/path\/to\/plugin\.js, an npm package faultline-\*\)\n$/);
  });
});

describe('no Docker engine', () => {
  it('is one line naming where it looked, with a hint on starting one', async () => {
    process.env['DOCKER_HOST'] = 'unix:///nonexistent/docker.sock';
    await assert.rejects(connectDocker(), (err: unknown) => {
      assert.ok(err instanceof InfrastructureError);
      assert.match(err.message, /^no Docker engine answers at unix:\/\/\/nonexistent\/docker\.sock \(.+\)$/);
      assert.doesNotMatch(err.message, /\n/);
      assert.match(err.hint ?? '', /dockerd|systemctl start docker/);
      return true;
    });
  });

  it('makes `cluster ls` and `clean` exit with the infrastructure code', async () => {
    process.env['DOCKER_HOST'] = 'unix:///nonexistent/docker.sock';
    for (const args of [['cluster', 'ls'], ['clean']]) {
      const { code, stderr } = await cli(args);
      assert.equal(code, ExitCode.Infrastructure, args.join(' '));
      assert.match(stderr, /^faultline: no Docker engine answers at /);
    }
  });
});
