"""Errors that carry what a person needs: which rule, which article, in Chinese and English."""

from __future__ import annotations

import json
from typing import Any


class GovprojError(Exception):
    """A refusal a caller can act on. ``code`` is stable; messages are bilingual."""

    code = "error"

    def __init__(
        self, message: str, message_zh: str, *, articles: list[int] | None = None, details: Any = None
    ) -> None:
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

        # articles as people write them (第N条); their numbers beside them for machines
        return {
            "code": self.code,
            "message": self.message,
            "message_zh": self.message_zh,
            "articles": [article_label_zh(a) for a in self.articles],
            "article_numbers": list(self.articles),
            "details": self.details,
        }


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
        """marshmallow's messages, each made ``English / 中文`` (shared.i18n); the summary names
        every failing field (dotted path) with its first problem in each language."""
        from shared.i18n import bilingual_messages

        details = bilingual_messages(messages)
        problems = sorted(_flatten(details))
        en = "; ".join(f"{path}: {text.split(' / ', 1)[0]}" for path, text in problems)
        zh = "；".join(f"字段 {path}：{text.split(' / ', 1)[-1]}" for path, text in problems)
        return cls(f"invalid input: {en}", f"输入不合法：{zh}", details=details)


def _flatten(messages: Any, path: str = "") -> list[tuple[str, str]]:
    """(dotted field path, first message) for each failing field of marshmallow's nesting."""
    if isinstance(messages, dict):
        return [p for k, v in messages.items() for p in _flatten(v, f"{path}.{k}" if path else str(k))]
    if isinstance(messages, list | tuple):
        if messages and all(isinstance(m, str) for m in messages):
            return [(path or "_schema", messages[0])]
        return [p for m in messages for p in _flatten(m, path)]
    return [(path or "_schema", str(messages))]
