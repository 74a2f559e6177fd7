import type { Command } from 'commander';

// PLACEHOLDER: replaced by the helper that owns this command.
export function registerCheck(program: Command): void {
  void program;
}
