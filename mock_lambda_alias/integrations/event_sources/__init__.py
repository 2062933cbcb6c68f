"""Event source mappings that deliver: Lambda's pollers for SQS, Kinesis and DynamoDB Streams.

A mapping names a function, a version or an alias ARN; each batch is one synchronous invocation of
exactly that ARN, so an alias's routing weights choose the version per batch and promoting the
alias moves the consumer without touching the mapping. With moto serving the sources in the same
process, moto's send paths are patched (:mod:`.hooks`) so that a message or record wakes the
mappings reading its source; the work runs on the activation's scheduler (:mod:`.pollers`,
:mod:`.sqs`, :mod:`.streams`). Each batch is kept as a :class:`~.pollers.Batch`.
"""

from __future__ import annotations

from .pollers import Batch

__all__ = ["Batch"]
