"""Acceptance: construction reporting, completion acceptance, archives, post-evaluation."""
