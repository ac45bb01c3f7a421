"""Guard agent actions: tool calls checked against the user's privacy persona, with trajectory risk.

Entry point: :meth:`personaguard.Guard.check_action` (or :class:`ActionChecker` without a text
guard). Policy lives in this folder as data: ``tools.yaml`` (how tools move information),
``data_types.yaml`` (what personal data looks like), ``recipients.yaml``, ``norms.yaml``
(contextual-integrity norms, persona thresholds, floors) and ``trajectory_counts.json``.
"""

from __future__ import annotations

from personaguard.actions.kinds import ActionOutcome, Channel, DataType, FlowSetting, PrivacyPersona, RecipientKind

__all__ = ["ActionOutcome", "Channel", "DataType", "FlowSetting", "PrivacyPersona", "RecipientKind"]
