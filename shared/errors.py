"""Errors that carry what a person needs: which rule, which article, in Chinese and English."""
from __future__ import annotations

import json
from typing import Any


class GovprojError(Exception):
    """A refusal a caller can act on. ``code`` is stable; messages are bilingual."""

    code = "error"

    def __init__(self, message: str, message_zh: str, *, articles: list[int] | None = None,
                 details: Any = None) -> None:
        self.message = message
        self.message_zh = message_zh
        self.articles = list(articles or [])
        self.details = details
        # The JSON form is the exception's text, so it survives nameko's RPC error serialisation
        # (which keeps ``str(exc)``) and the gateway/CLI can show it whole.
        super().__init__(json.dumps(self.as_dict(), ensure_ascii=False, default=str))

    @classmethod
    def from_remote(cls, text: str) -> dict[str, Any] | None:
        try:
            data = json.loads(text)
        except (TypeError, ValueError):
            return None
        return data if isinstance(data, dict) and "code" in data else None

    def as_dict(self) -> dict[str, Any]:
        from shared.policy import article_label_zh
        return {"code": self.code, "message": self.message, "message_zh": self.message_zh,
                "articles": [article_label_zh(a) for a in self.articles],
                "details": self.details}


class PermanentError(GovprojError):
    """Retrying cannot help (a rule refused the event): the reliable handler dead-letters it."""

    code = "rejected"


class NotFound(GovprojError):
    code = "not_found"


class StateConflict(GovprojError):
    code = "state_conflict"


class RuleViolation(GovprojError):
    code = "rule_violation"


class ValidationFailed(GovprojError):
    code = "validation"

    @classmethod
    def from_marshmallow(cls, messages: dict) -> ValidationFailed:
        fields = ", ".join(sorted(str(k) for k in messages))
        return cls(f"invalid input: {fields}", f"输入不合法：{fields}", details=messages)
