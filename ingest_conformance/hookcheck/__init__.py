"""`ingest-conformance webhook-check`: the other direction of the webhook contract.

It plays Invofox against a client's webhook receiver: it sends the events a real target would
(valid ones, a redelivery, forged and unsigned ones, an unknown type, a numeric timestamp, a ZIP's
burst of child events) and judges only what can be seen from outside: each answer's status and
how fast it came. docs/webhook-check.md says what that can and cannot prove.
"""

from .runner import CheckSettings, run_check

__all__ = ["CheckSettings", "run_check"]
