"""Which members the wire layer converts (blobs are base64, timestamps epoch seconds in JSON).

The answer is remembered per shape for the whole process; a recursive model must not make a
shape's answer depend on where the walk started.
"""

from __future__ import annotations

from botocore.model import ServiceModel

from mock_lambda_alias.wire import conversions

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
    memo: conversions.Memo = {}
    assert conversions._needs_conversion(model.shape_for("Outer"), conversions._ENCODED, memo)
    # Inner reaches a blob through Outer: its own answer is True, whatever walk met it first.
    assert conversions._needs_conversion(model.shape_for("Inner"), conversions._ENCODED, memo)
    assert not conversions._needs_conversion(model.shape_for("Plain"), conversions._ENCODED, memo)
