"""Finance (省财政厅): budgets, contracts, disbursements behind the funding gates, the ledger."""
