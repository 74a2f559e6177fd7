/**
 * The bank's size, apart from its clients' code (src/systems/bank.ts): `faultline check
 * --help` and `--workload bank` need the defaults, not the capability plumbing behind them.
 */
export const BANK_ACCOUNTS = 5;
export const INITIAL_BALANCE = 10;
/** What every read must sum to. */
export const BANK_TOTAL = BANK_ACCOUNTS * INITIAL_BALANCE;
