import type { Command } from 'commander';

// PLACEHOLDER: replaced by the helper that owns this command.
export function registerImages(program: Command): void {
  void program;
}
