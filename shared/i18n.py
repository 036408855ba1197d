"""Chinese beside English for the messages a person reads that are written in English first:
marshmallow's own validation messages, and the deadline ledger's ``why`` texts. One table of
templates; ``{name}`` parts (numbers, dates, choices, free text) are carried over as they are."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# English template → Chinese template. marshmallow 4's default messages first, then the
# services' own validators and the deadline ledger's reasons (services/supervision/deadlines.py).
TEMPLATES: tuple[tuple[str, str], ...] = (
    ("Missing data for required field.", "缺少必填字段。"),
    ("Field may not be null.", "不能为空（null）。"),
    ("Unknown field.", "未知字段（不接受此字段）。"),
    ("Invalid input type.", "输入类型不正确。"),
    ("Invalid value.", "值不合法。"),
    ("Invalid type.", "类型不正确。"),
    ("Invalid input.", "输入不合法。"),
    ("Not a valid boolean.", "不是有效的布尔值（true/false）。"),
    ("Not a valid date.", "不是有效的日期（YYYY-MM-DD）。"),
    ("Not a valid datetime.", "不是有效的日期时间。"),
    ("Not a valid integer.", "不是有效的整数。"),
    ("Not a valid number.", "不是有效的数字。"),
    ("Number too large.", "数值过大。"),
    ("Not a valid string.", "不是有效的字符串。"),
    ("Not a valid utf-8 string.", "不是有效的 UTF-8 字符串。"),
    ("Not a valid list.", "不是有效的列表。"),
    ("Not a valid tuple.", "不是有效的元组。"),
    ("Not a valid mapping type.", "不是有效的对象（键值映射）。"),
    ("Not a valid email address.", "不是有效的电子邮件地址。"),
    ("Not a valid URL.", "不是有效的网址。"),
    ("Not a valid UUID.", "不是有效的 UUID。"),
    ("Not a valid period of time.", "不是有效的时长。"),
    ("Not a valid {what}.", "不是有效的 {what}。"),
    ("Special numeric values (nan or infinity) are not permitted.", "不允许 NaN 或无穷大。"),
    ('"{input}" cannot be formatted as a {what}.', "“{input}”无法格式化为 {what}。"),
    ("{input} cannot be formatted as a {what}.", "{input} 无法格式化为 {what}。"),
    ("Must be one of: {choices}.", "须为以下之一：{choices}。"),
    ("One or more of the choices you made was not in: {choices}.", "所选值中有不在以下范围内的：{choices}。"),
    ("One or more of the choices you made was in: {values}.", "所选值不得包含：{values}。"),
    ("Must be equal to {other}.", "须等于 {other}。"),
    ("Shorter than minimum length {min}.", "长度不得少于 {min}。"),
    ("Longer than maximum length {max}.", "长度不得超过 {max}。"),
    ("Length must be between {min} and {max}.", "长度须在 {min} 至 {max} 之间。"),
    ("Length must be {equal}.", "长度须为 {equal}。"),
    ("Must be greater than or equal to {min} and less than or equal to {max}.", "须在 {min} 至 {max} 之间。"),
    ("Must be greater than or equal to {min}.", "不得小于 {min}。"),
    ("Must be greater than {min}.", "须大于 {min}。"),
    ("Must be less than or equal to {max}.", "不得大于 {max}。"),
    ("Must be less than {max}.", "须小于 {max}。"),
    ("String does not match expected pattern.", "格式不符合要求。"),
    ("must be a SHA-256 hex digest (64 hex characters)", "须为 SHA-256 十六进制摘要（64 个十六进制字符）"),
    ("not a project code", "不是有效的项目代码"),
    # what a field is, as the schemas describe it (the CLI's --help, beside the English)
    (
        "yuan, a decimal string with at most two decimals, {bound} and at most {max} (below 10^13)",
        "金额（元），最多两位小数的十进制字符串，{bound}，且不超过 {max}（小于 10^13）",
    ),
    ("above 0", "须大于 0"),
    ("at least 0", "不得小于 0"),
    (
        "with (true) or without (false) a missed or past-due deadline",
        "有（true）或没有（false）已逾期或已过期限的事项",
    ),
    ("the budget year; default the current year of the suite's clock", "预算年度；默认为系统时钟的当前年度"),
    (
        "the contract text's document (file name or archive reference), optional",
        "合同文本文件（文件名或归档引用），可选",
    ),
    # the deadline ledger (why a deadline started, moved, stopped or ended)
    (
        "construction finished {date}: {months} months to apply",
        "{date} 建设完成：须在 {months} 个月内申请验收",
    ),
    ("construction finished {date}", "{date} 建设完成"),
    ("extension granted: {reason}", "准予延期：{reason}"),
    ("extension refused: {reason}", "不予延期：{reason}"),
    ("contract {contract} signed {date}", "合同 {contract} 于 {date} 签订"),
    ("filed {date}", "{date} 备案"),
    ("in construction in {year}", "{year} 年在建"),
    ("reported {year}; {next} next", "已报送 {year} 年度报告，下一期为 {next} 年"),
    ("reported {year}", "已报送 {year} 年度报告"),
    ("accepted and in use from {date}", "已通过验收，自 {date} 起投入使用"),
    ("terminated: {why}", "项目终止：{why}"),
    ("suspended: {why}", "暂停：{why}"),
    ("{ref} ended: {why}; still suspended by {others}", "{ref} 已结束：{why}；仍因 {others} 暂停"),
    ("resumed after {days} days: {why}", "暂停 {days} 天后恢复：{why}"),
    ("planned end of construction {date}", "计划于 {date} 完成建设"),
    ("schedule changed by {request}: ends {date}", "经批准调整（{request}）：{date} 完成建设"),
    ("serious delay reported: incident {incident}", "已报告工程严重逾期（事项 {incident}）"),
    (
        "past the planned end; serious delay reported: incident {incident}",
        "已超过计划完成日期；已报告工程严重逾期（事项 {incident}）",
    ),
    ("first contract {contract} signed {date}", "首份合同 {contract} 于 {date} 签订"),
    ("security profile filed {date}", "{date} 已报送安全保护方案"),
    ("declared classified {date}: classified protection due", "{date} 认定为涉密项目：须报送分级保护方案"),
)


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern, str], ...]:
    def pattern(template: str) -> re.Pattern:
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        return re.compile(regex + r"\Z", re.DOTALL)

    return tuple((pattern(en), zh) for en, zh in TEMPLATES)


def zh(message: str) -> str | None:
    """The Chinese of an English message made from one of the templates, else None. Parts
    that are themselves messages (a suspension's reason) are translated in turn."""
    for regex, template in _compiled():
        match = regex.match(message)
        if match:
            return template.format(**{k: zh(v) or v for k, v in match.groupdict().items()})
    return None


def has_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def bilingual(message: str) -> str:
    """``English / 中文`` for a message a person reads; already bilingual ones are kept."""
    if has_chinese(message):
        return message
    chinese = zh(message)
    return f"{message} / {chinese}" if chinese else f"{message} / 输入不合法：{message}"


def bilingual_messages(messages: Any) -> Any:
    """marshmallow's nested error messages with every string made bilingual, shape kept."""
    if isinstance(messages, dict):
        return {k: bilingual_messages(v) for k, v in messages.items()}
    if isinstance(messages, list | tuple):
        return [bilingual_messages(m) for m in messages]
    return bilingual(messages) if isinstance(messages, str) else messages
