"""Supervision and audit: deadlines, findings, rectification, sanctions, the audit trail."""
