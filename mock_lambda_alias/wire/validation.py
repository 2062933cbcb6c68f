"""AWS-style input validation compiled from botocore's model constraints.

AWS validates every request against its own model before any business rule runs, and reports
violations in Coral's format: ``1 validation error detected: Value 'x' at 'name' failed to satisfy
constraint: ...``. botocore checks only some of this client-side (and not at all with
``parameter_validation=False``), so we check again here: required, length, range, pattern, enum.

Validators are compiled once per operation into a tuple of small check functions, so the per-call
cost depends only on the members a request carries. Where the live service differs from the model
botocore ships (newer patterns, tighter limits), :mod:`.constraints` says so.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Callable, Optional

from botocore.model import OperationModel, Shape, StructureShape

from ..errors import ValidationError, java_repr
from . import constraints

# A check appends zero or more "Value ... at ... failed ..." strings to the list it gets.
Check = Callable[[Any, list], None]


def _value_text(value: Any) -> str:
    return "null" if value is None else f"'{java_repr(value)}'"


def _number(shape: Shape, bound: Any) -> str:
    if shape.type_name in ("double", "float"):
        return java_repr(float(bound))
    return str(int(bound))


def camel(name: str) -> str:
    """Coral names members in lowerCamelCase: ``FunctionName`` is ``functionName``."""
    return name[:1].lower() + name[1:]


def describe_constraints(shape: Shape, not_null: bool = True) -> list[str]:
    """Every constraint of a shape as text, as AWS lists them for map values and list members.

    AWS ends the list with "Member must not be null" for map values and list members, but not for
    map keys (recorded: ``Map keys must satisfy constraint: [..., ...pattern: [0-9]+]``).
    """
    meta = constraints.constraints_for(shape)
    out: list[str] = []
    if "max" in meta:
        kind = "length" if shape.type_name in ("string", "list", "map", "blob") else "value"
        out.append(f"Member must have {kind} less than or equal to {_number(shape, meta['max'])}")
    if "min" in meta:
        kind = "length" if shape.type_name in ("string", "list", "map", "blob") else "value"
        out.append(f"Member must have {kind} greater than or equal to {_number(shape, meta['min'])}")
    if "pattern" in meta:
        out.append(f"Member must satisfy regular expression pattern: {meta['pattern_text']}")
    if "enum" in meta:
        out.append(f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]")
    if not_null:
        out.append("Member must not be null")
    return out


def _scalar_failures(shape: Shape, meta: dict, value: Any) -> list[str]:
    """The constraint texts a single value breaks (empty when it satisfies all)."""
    failures: list[str] = []
    type_name = shape.type_name
    if type_name in ("string", "blob", "list", "map"):
        size = len(value) if value is not None else 0
        if "max" in meta and size > meta["max"]:
            failures.append(f"Member must have length less than or equal to {meta['max']}")
        if "min" in meta and size < meta["min"]:
            failures.append(f"Member must have length greater than or equal to {meta['min']}")
    elif type_name in ("integer", "long", "double", "float") and isinstance(value, (int, float)):
        if "max" in meta and value > meta["max"]:
            failures.append(f"Member must have value less than or equal to {_number(shape, meta['max'])}")
        if "min" in meta and value < meta["min"]:
            failures.append(f"Member must have value greater than or equal to {_number(shape, meta['min'])}")
    if type_name == "string" and isinstance(value, str):
        regex = meta.get("regex")
        if regex is not None and not regex.matches(value):
            failures.append(f"Member must satisfy regular expression pattern: {meta['pattern_text']}")
        enum = meta.get("enum_set")
        if enum is not None and value not in enum:
            failures.append(f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]")
    return failures


def _compile_shape(shape: Shape, path: str, depth: int = 0) -> Optional[Check]:
    """A check for one value of ``shape`` found at ``path``; None when nothing can fail."""
    if depth > 12:  # recursive shapes: AWS stops somewhere too; nothing we model nests deeper
        return None
    meta = constraints.constraints_for(shape)
    type_name = shape.type_name
    nested: Optional[Check] = None

    if type_name == "structure":
        assert isinstance(shape, StructureShape)
        nested = compile_structure(shape, path + ".", depth + 1)
    elif type_name == "list":
        member = shape.member  # type: ignore[attr-defined]
        if member.type_name == "structure":
            inner = compile_structure(member, "", depth + 1)
            if inner is not None:

                def nested(value: Any, errors: list, _inner: Check = inner) -> None:
                    for index, item in enumerate(value, 1):
                        sub: list = []
                        _inner(item, sub)
                        errors.extend(e.replace(" at '", f" at '{path}.{index}.member.", 1) for e in sub)
        else:
            member_meta = constraints.constraints_for(member)
            if _has_scalar_constraints(member_meta):
                summary = ", ".join(describe_constraints(member))

                def nested(value: Any, errors: list) -> None:
                    for item in value:
                        if item is None or _scalar_failures(member, member_meta, item):
                            errors.append(
                                f"Value {_value_text(value)} at '{path}' failed to satisfy constraint: "
                                f"Member must satisfy constraint: [{summary}]"
                            )
                            return
    elif type_name == "map":
        key_shape, value_shape = shape.key, shape.value  # type: ignore[attr-defined]
        key_meta = constraints.constraints_for(key_shape)
        value_meta = constraints.constraints_for(value_shape)
        checks_keys = _has_scalar_constraints(key_meta)
        checks_values = _has_scalar_constraints(value_meta)
        if checks_keys or checks_values:
            key_summary = ", ".join(describe_constraints(key_shape, not_null=False))
            value_summary = ", ".join(describe_constraints(value_shape))

            def nested(value: Any, errors: list) -> None:
                if checks_keys and any(_scalar_failures(key_shape, key_meta, k) for k in value):
                    errors.append(
                        f"Value {_value_text(value)} at '{path}' failed to satisfy constraint: "
                        f"Map keys must satisfy constraint: [{key_summary}]"
                    )
                if checks_values and any(
                    v is None or _scalar_failures(value_shape, value_meta, v) for v in value.values()
                ):
                    errors.append(
                        f"Value {_value_text(value)} at '{path}' failed to satisfy constraint: "
                        f"Map value must satisfy constraint: [{value_summary}]"
                    )

    scalar = _has_scalar_constraints(meta)
    if not scalar and nested is None:
        return None
    passes = _passes(shape, meta)

    def check(value: Any, errors: list) -> None:
        if scalar and not passes(value):
            for failure in _scalar_failures(shape, meta, value):
                errors.append(f"Value {_value_text(value)} at '{path}' failed to satisfy constraint: {failure}")
        if nested is not None and value is not None:
            nested(value, errors)

    return check


def _passes(shape: Shape, meta: dict) -> Callable[[Any], bool]:
    """A quick yes for a value that satisfies every scalar constraint of ``shape``: most do, and
    only the others need :func:`_scalar_failures` to say how they fail."""
    type_name = shape.type_name
    low, high = meta.get("min"), meta.get("max")
    regex, enum = meta.get("regex"), meta.get("enum_set")
    if type_name == "string":

        def string(value: Any) -> bool:
            if not isinstance(value, str):
                return False
            size = len(value)
            return (
                (low is None or size >= low)
                and (high is None or size <= high)
                and (regex is None or regex.matches(value))
                and (enum is None or value in enum)
            )

        return string
    if type_name in ("integer", "long") and regex is None and enum is None:

        def number(value: Any) -> bool:
            return type(value) is int and (low is None or value >= low) and (high is None or value <= high)

        return number
    return lambda value: False


def _has_scalar_constraints(meta: dict) -> bool:
    return any(k in meta for k in ("min", "max", "regex", "enum_set"))


_UNCOMPILED: Any = object()


def compile_structure(
    shape: StructureShape, prefix: str = "", depth: int = 0, skip: frozenset[str] = frozenset()
) -> Optional[Check]:
    """A check of a structure's members, each compiled the first time a call sets it.

    A call sets few of an input's members (CreateFunction's has about thirty): compiling every
    member's check up front made each operation's first call pay for all of them. Errors come in
    the shape's member order, whichever members were compiled first.
    """
    required = tuple(shape.required_members)
    shapes = shape.members
    names = tuple(name for name in shapes if name not in skip)
    if not names and not required:
        return None
    compiled: dict[str, Optional[Check]] = {}
    #: Each member's place in the shape: errors are reported in that order.
    order = {name: index for index, name in enumerate(names)}

    def member_check(name: str) -> Optional[Check]:
        member = constraints.aws_member(shape, name, shapes[name])
        found = compiled[name] = _compile_shape(member, prefix + camel(name), depth)
        return found

    def check(value: Any, errors: list) -> None:
        if not isinstance(value, dict):
            return
        for name in required:
            if value.get(name) is None:
                errors.append(
                    f"Value null at '{prefix}{camel(name)}' failed to satisfy constraint: Member must not be null"
                )
        # A request sets few of a shape's members: visit those, in the shape's order.
        present = [name for name, item in value.items() if item is not None and name in order]
        if len(present) > 1:
            present.sort(key=order.__getitem__)
        for name in present:
            member = compiled.get(name, _UNCOMPILED)
            if member is _UNCOMPILED:
                member = member_check(name)
            if member is not None:
                member(value[name], errors)

    return check


# ---------------------------------------------------------------------------
# JSON types by shape (what the deserializer checks before any constraint)
# ---------------------------------------------------------------------------

#: Returns the text of the first type error under a value, or None.
TypeCheck = Callable[[Any, str], Optional[str]]

_INT_BOUNDS = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
_EXPECTED = {
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "double": "a number",
    "float": "a number",
    "boolean": "a boolean",
    "timestamp": "a timestamp",
    "blob": "base64-encoded binary data",
    "structure": "an object",
    "list": "a list",
    "map": "an object",
}


def type_error_message(value: Any, path: str, type_name: str) -> str:
    """The message for a value of the wrong JSON type.

    AWS's rest-json deserializer rejects such a request with a 400 ``SerializationException``
    before validating it; botocore models no such code for Lambda (so ``client.exceptions``
    could not catch it), and the mock answers with the 400 ``ValidationException`` every
    operation may send, in AWS's validation-message format, naming the member and the type.
    """
    return (
        f"1 validation error detected: Value {_value_text(value)} at '{path}' failed to satisfy constraint: "
        f"Member must be {_EXPECTED.get(type_name, type_name)}"
    )


def _scalar_type_ok(type_name: str, value: Any) -> bool:
    if type_name == "string":
        return isinstance(value, str)
    if type_name in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        low, high = _INT_BOUNDS[type_name]
        return low <= value <= high
    if type_name in ("double", "float"):
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "timestamp":  # the wire layer has read epoch seconds or ISO text already
        return isinstance(value, datetime.datetime)
    if type_name == "blob":  # the wire layer has decoded base64 already (or kept a raw payload)
        return isinstance(value, (bytes, bytearray, str))
    return True


def _compile_types(shape: Shape, depth: int = 0) -> Optional[TypeCheck]:
    """A type check for values of ``shape``; None for shapes whose values are not checked."""
    if depth > 12:
        return None
    type_name = shape.type_name
    if type_name == "structure":
        members = {
            name: (camel(name), check)
            for name, member in shape.members.items()  # type: ignore[attr-defined]
            if (check := _compile_types(member, depth + 1)) is not None
        }

        def structure(value: Any, path: str) -> Optional[str]:
            if not isinstance(value, dict):
                return type_error_message(value, path, "structure")
            prefix = path + "." if path else ""
            for name, item in value.items():
                entry = members.get(name)
                if entry is not None and item is not None:
                    error = entry[1](item, prefix + entry[0])
                    if error is not None:
                        return error
            return None

        return structure
    if type_name == "list":
        member = shape.member  # type: ignore[attr-defined]
        item_check = _compile_types(member, depth + 1)
        # Null items of constrained members get AWS's constraint message from the validator.
        nulls_reported_later = _has_scalar_constraints(constraints.constraints_for(member))

        def list_check(value: Any, path: str) -> Optional[str]:
            if not isinstance(value, list):
                return type_error_message(value, path, "list")
            for index, item in enumerate(value, 1):
                if item is None:
                    if nulls_reported_later:
                        continue
                    return type_error_message(item, f"{path}.{index}.member", member.type_name)
                if item_check is not None:
                    error = item_check(item, f"{path}.{index}.member")
                    if error is not None:
                        return error
            return None

        return list_check
    if type_name == "map":
        value_shape = shape.value  # type: ignore[attr-defined]
        value_check = _compile_types(value_shape, depth + 1)
        nulls_reported_later = _has_scalar_constraints(constraints.constraints_for(value_shape))

        def map_check(value: Any, path: str) -> Optional[str]:
            if not isinstance(value, dict):
                return type_error_message(value, path, "map")
            for key, item in value.items():
                if item is None:
                    if nulls_reported_later:
                        continue
                    return type_error_message(item, f"{path}.{key}", value_shape.type_name)
                if value_check is not None:
                    error = value_check(item, f"{path}.{key}")
                    if error is not None:
                        return error
            return None

        return map_check

    def scalar(value: Any, path: str) -> Optional[str]:
        return None if _scalar_type_ok(type_name, value) else type_error_message(value, path, type_name)

    return scalar


_TYPE_CHECKS: dict[str, Optional[TypeCheck]] = {}


def type_check_for(operation: OperationModel) -> Optional[TypeCheck]:
    """The compiled JSON-type check of an operation's input, built once and cached."""
    try:
        return _TYPE_CHECKS[operation.name]
    except KeyError:
        shape = operation.input_shape
        check = _compile_types(shape) if shape is not None else None
        _TYPE_CHECKS[operation.name] = check
        return check


_COMPILED: dict[str, Optional[Check]] = {}


def validator_for(operation: OperationModel) -> Optional[Check]:
    """The compiled validator of an operation's input, built once and cached."""
    try:
        return _COMPILED[operation.name]
    except KeyError:
        shape = operation.input_shape
        skip = constraints.CHECKED_BY_BACKEND.get(operation.name, frozenset())
        check = compile_structure(shape, skip=skip) if shape is not None else None
        _COMPILED[operation.name] = check
        return check


def format_errors(errors: list[str]) -> str:
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(errors)


def validate(operation: OperationModel, params: dict) -> None:
    """Raise AWS's ``ValidationException`` when ``params`` break the operation's constraints.

    Types first, as AWS's deserializer does: a value of the wrong JSON type never reaches the
    constraint checks or the backend (where it could be stored and break every later read).
    """
    type_check = type_check_for(operation)
    if type_check is not None:
        error = type_check(params, "")
        if error is not None:
            raise ValidationError(error)
    check = validator_for(operation)
    if check is None:
        return
    errors: list[str] = []
    check(params, errors)
    if errors:
        raise ValidationError(format_errors(errors))
