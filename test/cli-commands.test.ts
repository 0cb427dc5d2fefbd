// The CLI's help lists each subcommand from a table (cli/commands.ts) so `--help` loads none of them:
// the table must say what the real commands say.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Help } from 'commander';
import { COMMANDS } from '../cli/commands.js';
import { program } from '../cli/main.js';

describe('llm-orchestrator subcommand table', () => {
  it('lists each command with the name, usage and description the command itself declares', async () => {
    const help = new Help();
    for (const entry of COMMANDS) {
      const command = await entry.load();
      assert.equal(command.name(), entry.name);
      assert.equal(entry.term, help.subcommandTerm(command), `${entry.name}: term`);
      assert.equal(entry.description, command.description(), `${entry.name}: description`);
    }
  });

  it('prints the same root help whether the commands are loaded or not', async () => {
    const lazy = (await program()).helpInformation();
    const loaded = (await program('*')).helpInformation();
    assert.equal(lazy, loaded);
    assert.match(lazy, /approve \[options\] <pipeline id> <step>/);
  });
});
