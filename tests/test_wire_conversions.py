"""Which members the wire layer converts (blobs are base64, timestamps epoch seconds in JSON).

The answer is remembered per shape for the whole process; a shape reached again through a
recursive model must not keep the partial answer of a walk that was cut short where it recursed.
"""

from __future__ import annotations

from botocore.model import ServiceModel

from mock_lambda_alias.wire import protocol

RECURSIVE = {
    "metadata": {"apiVersion": "test-recursive", "protocol": "rest-json"},
    "operations": {},
    "shapes": {
        "Outer": {"type": "structure", "members": {"Inner": {"shape": "Inner"}, "Data": {"shape": "Bytes"}}},
        "Inner": {"type": "structure", "members": {"Outer": {"shape": "Outer"}, "Name": {"shape": "Text"}}},
        "Plain": {"type": "structure", "members": {"Name": {"shape": "Text"}, "Items": {"shape": "Texts"}}},
        "Texts": {"type": "list", "member": {"shape": "Text"}},
        "Bytes": {"type": "blob"},
        "Text": {"type": "string"},
    },
}


def test_a_shape_first_met_inside_a_recursion_is_not_remembered_wrong():
    model = ServiceModel(RECURSIVE)
    memo: protocol.Memo = {}
    assert protocol._needs_conversion(model.shape_for("Outer"), protocol._ENCODED, memo)
    # The walk from Outer met Inner with Outer already on its path: Inner's own answer is True
    # (through Outer's blob), not the False that walk could see.
    assert protocol._needs_conversion(model.shape_for("Inner"), protocol._ENCODED, memo)
    assert not protocol._needs_conversion(model.shape_for("Plain"), protocol._ENCODED, memo)


def test_without_the_definitions_the_resolved_shapes_are_walked(monkeypatch):
    monkeypatch.setattr(protocol, "_shape_map", lambda shape: None)  # a model built by other means
    model = ServiceModel(RECURSIVE)
    inner = model.shape_for("Inner")
    plain = model.shape_for("Plain")
    assert protocol._needs_conversion(inner, protocol._ENCODED, {})
    assert not protocol._needs_conversion(plain, protocol._ENCODED, {})
