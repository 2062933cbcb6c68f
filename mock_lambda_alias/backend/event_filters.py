"""Lambda's event filtering language (``FilterCriteria``), checked at CreateEventSourceMapping and
applied by the pollers to each record.

A pattern is a JSON object whose keys follow the record: an object value descends into the record,
a list value holds the rules a leaf must satisfy (any of them): an exact string, number or null,
or one of ``prefix``, ``suffix``, ``anything-but``, ``numeric``, ``exists``, ``equals-ignore-case``.
``$or`` takes a list of patterns, any of which may match. A record whose leaf is a list matches when
any element does. A mapping's filters are alternatives: a record passes when one of them matches
(AWS Lambda developer guide, "Control which events Lambda sends to your function").

Lambda looks into the payload: an SQS ``body`` or a Kinesis ``data`` that is JSON is matched as
JSON; a ``body`` that is not JSON can be matched only by rules on ``body`` itself, and a pattern that
looks inside such a body never matches.
"""

from __future__ import annotations

import base64
import json
import numbers
from typing import Any, Optional

from ..errors import InvalidParameterValue

#: AWS's answer to a pattern it cannot read (InvalidParameterValueException).
INVALID = "Invalid filter pattern definition."
_OPERATORS = ("prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case")
_NUMERIC_OPS = ("=", "<", "<=", ">", ">=")
_MISSING = object()


def parse_criteria(criteria: Optional[dict]) -> list[dict]:
    """The patterns of ``FilterCriteria``; raises InvalidParameterValueException as AWS does."""
    patterns = []
    for item in (criteria or {}).get("Filters") or []:
        text = item.get("Pattern") if isinstance(item, dict) else None
        try:
            pattern = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            pattern = None
        if not isinstance(pattern, dict) or not _valid_object(pattern):
            raise InvalidParameterValue(INVALID)
        patterns.append(pattern)
    return patterns


def _valid_object(pattern: dict) -> bool:
    if not pattern:
        return False
    for key, value in pattern.items():
        if key == "$or":
            if not (isinstance(value, list) and len(value) >= 2):
                return False
            if not all(isinstance(p, dict) and _valid_object(p) for p in value):
                return False
        elif isinstance(value, dict):
            if not _valid_object(value):
                return False
        elif not (isinstance(value, list) and value and all(_valid_rule(r) for r in value)):
            return False
    return True


def _valid_rule(rule: Any) -> bool:
    if rule is None or isinstance(rule, (str, bool)) or _is_number(rule):
        return True
    if not (isinstance(rule, dict) and len(rule) == 1):
        return False
    ((operator, value),) = rule.items()
    if operator in ("prefix", "suffix", "equals-ignore-case"):
        return isinstance(value, str) or (operator != "equals-ignore-case" and _single_string_rule(value))
    if operator == "exists":
        return isinstance(value, bool)
    if operator == "numeric":
        return _valid_numeric(value)
    if operator == "anything-but":
        if isinstance(value, list):
            return bool(value) and all(isinstance(v, str) or _is_number(v) for v in value)
        return isinstance(value, str) or _is_number(value) or _single_string_rule(value)
    return False


def _single_string_rule(value: Any) -> bool:
    return (
        isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("prefix", "suffix", "equals-ignore-case")
    )


def _valid_numeric(value: Any) -> bool:
    if not (isinstance(value, list) and value and len(value) % 2 == 0 and len(value) <= 4):
        return False
    pairs = list(zip(value[::2], value[1::2]))
    return all(op in _NUMERIC_OPS and _is_number(n) for op, n in pairs) and (
        len(pairs) == 1 or all(op not in ("=",) for op, _ in pairs)
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


# -- matching ----------------------------------------------------------------------


def passes(patterns: list[dict], record: dict) -> bool:
    """Whether a record passes a mapping's filters (no filters: every record)."""
    return not patterns or any(matches(p, record) for p in patterns)


def matches(pattern: dict, event: Any) -> bool:
    """Whether ``event`` (an object) matches one pattern."""
    if not isinstance(event, dict):
        return False
    for key, expected in pattern.items():
        if key == "$or":
            if not any(matches(p, event) for p in expected):
                return False
            continue
        actual = event.get(key, _MISSING)
        if isinstance(expected, dict):
            candidates = actual if isinstance(actual, list) else [actual]
            if not any(matches(expected, c) for c in candidates):
                return False
        elif not _leaf(expected, actual):
            return False
    return True


def _leaf(rules: list, actual: Any) -> bool:
    if isinstance(actual, list):
        values = actual or [_MISSING]
        return any(_rule(rule, v) for rule in rules for v in values)
    return any(_rule(rule, actual) for rule in rules)


def _rule(rule: Any, value: Any) -> bool:
    if not isinstance(rule, dict):
        if value is _MISSING or isinstance(value, dict):
            return False
        if _is_number(rule) and _is_number(value):
            return float(rule) == float(value)
        return type(rule) is type(value) and rule == value
    ((operator, operand),) = rule.items()
    if operator == "exists":
        return (value is not _MISSING) is operand
    if value is _MISSING:
        return False
    if operator == "numeric":
        return _is_number(value) and all(_compare(value, op, n) for op, n in zip(operand[::2], operand[1::2]))
    if operator == "anything-but":
        if isinstance(operand, dict):
            return isinstance(value, str) and not _rule(operand, value)
        excluded = operand if isinstance(operand, list) else [operand]
        return not any(_rule(e, value) for e in excluded)
    if not isinstance(value, str):
        return False
    if isinstance(operand, dict):  # {"prefix": {"equals-ignore-case": "x"}}
        ((_, text),) = operand.items()
        value, operand = value.lower(), text.lower()
    if operator == "prefix":
        return value.startswith(operand)
    if operator == "suffix":
        return value.endswith(operand)
    return value.lower() == operand.lower()  # equals-ignore-case


def _compare(value: float, op: str, number: float) -> bool:
    return {
        "=": value == number,
        "<": value < number,
        "<=": value <= number,
        ">": value > number,
        ">=": value >= number,
    }[op]


# -- what Lambda matches, per source --------------------------------------------------


def sqs_view(record: dict) -> dict:
    """An SQS record as filters see it: a JSON object ``body`` is matched as JSON."""
    return dict(record, body=_json_or_text(record.get("body", "")))


def kinesis_view(record: dict) -> dict:
    """A Kinesis record as filters see it: the ``kinesis`` metadata at the top, ``data`` decoded."""
    inner = dict(record.get("kinesis") or {})
    try:
        text = base64.b64decode(inner.get("data", "")).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        text = inner.get("data", "")
    inner["data"] = _json_or_text(text)
    return dict(record, **inner)


def _json_or_text(text: str) -> Any:
    try:
        parsed = json.loads(text)
    except (ValueError, TypeError):
        return text
    return parsed if isinstance(parsed, (dict, list)) else text
