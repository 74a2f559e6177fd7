import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProgram, COMMANDS } from '../../../src/cli/main.js';
import { runCli } from '../../helpers/run-cli.js';

const argv = (...words: string[]): string[] => ['node', 'faultline', ...words];

describe('the CLI loads only the named command, and --help lists the rest from a table', () => {
  it('the table says what the command modules register: --help is the same either way', async () => {
    const listed = await buildProgram(argv('--help'));
    const loaded = await buildProgram(argv('--help'), true);
    assert.equal(listed.helpInformation(), loaded.helpInformation());
    assert.deepEqual(
      loaded.commands.map((c) => c.name()),
      [...COMMANDS.keys()],
    );
  });

  it('with one command named, it is registered for real and the others still listed', async () => {
    for (const name of COMMANDS.keys()) {
      const program = await buildProgram(argv(name, '--help'));
      const full = await buildProgram(argv(), true);
      assert.equal(program.helpInformation(), full.helpInformation(), name);
      const real = program.commands.find((c) => c.name() === name)!;
      const expected = full.commands.find((c) => c.name() === name)!;
      assert.equal(real.helpInformation(), expected.helpInformation(), name);
    }
  });

  it('help NAME shows the command\'s own flags; a typo gets a suggestion', async () => {
    const help = await runCli('help', 'check');
    assert.equal(help.code, 0);
    assert.match(help.out, /--model <name>/);
    const typo = await runCli('chek');
    assert.equal(typo.code, 3);
    assert.match(typo.err, /Did you mean check\?/);
  });
});
