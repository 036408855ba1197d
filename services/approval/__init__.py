"""Review and approval: the office's centralized review (第八条, 第九条) and the DRC's approval (第四条)."""
