/** The operation names the bank checkers read. */
export const BANK_TRANSFER = 'transfer';
export const BANK_READ = 'read';
