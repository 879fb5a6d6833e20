"""Review chain and review state, as pure functions (docs/ARCHITECTURE.md "Review").

Chain: 科室人员 → 科室负责人 → 分管领导 (final); 科室负责人 → 分管领导; 分管领导 → 主要领导;
主要领导's logs need no review. The unit setting `review.levels` (1–3) says how many steps a
staff member's log goes through; a section head's chain is one step shorter (at least one) and a
deputy's is always the principal alone:

    levels   科室人员                  科室负责人          分管领导
    1        负责人                    分管领导            主要领导
    2        负责人 → 分管领导          分管领导            主要领导      (default)
    3        负责人 → 分管 → 主要领导    分管 → 主要领导      主要领导

Missing people are skipped (a section without a head goes straight to its deputy); nobody
reviews their own log; an author whose chain is empty needs no review.
"""
from __future__ import annotations

from typing import Iterable, NamedTuple

from app.core import vocab

APPROVE, RETURN = "approve", "return"
DEFAULT_LEVELS = 2

# Derived status of a log (WorkLog.status)
DRAFT, SUBMITTED, RETURNED, APPROVED = (vocab.LOG_DRAFT, vocab.LOG_SUBMITTED, vocab.LOG_RETURNED,
                                        vocab.LOG_APPROVED)


def chain_length(role: str, levels: int) -> int:
    levels = max(1, min(3, levels))
    if role == vocab.ROLE_STAFF:
        return levels
    if role == vocab.ROLE_SECTION_HEAD:
        return max(1, levels - 1)
    if role == vocab.ROLE_DEPUTY:
        return 1
    return 0


def review_chain(author_id: str, role: str, levels: int, head_id: str | None,
                 deputy_id: str | None, principal_id: str | None) -> list[str]:
    """Person ids who review the author's log, in order (the last one is final)."""
    if role == vocab.ROLE_STAFF:
        candidates = [head_id, deputy_id, principal_id]
    elif role == vocab.ROLE_SECTION_HEAD:
        candidates = [deputy_id, principal_id]
    elif role == vocab.ROLE_DEPUTY:
        candidates = [principal_id]
    else:
        return []
    wanted = chain_length(role, levels)
    chain: list[str] = []
    for person in candidates:
        if person and person != author_id and person not in chain:
            chain.append(person)
    # Skipped positions are filled by the next one up, so the chain keeps its length if it can.
    return chain[:wanted]


class ActionFact(NamedTuple):
    """One reviewer action as derive_state sees it (a named tuple: a county import builds
    millions of them, at a third of a frozen dataclass's cost)."""
    round: int
    version: int
    content_hash: str
    level: int
    action: str
    final: bool
    created_at: str


class ReviewState(NamedTuple):
    status: str
    pending_level: int          # level waiting for a decision (0 when none)
    approved_at: str | None


def derive_state(author_state: str, round_: int, version: int, content_hash: str | None,
                 chain_len: int, actions: Iterable[ActionFact],
                 submitted_at: str | None = None) -> ReviewState:
    """The review outcome of a log from its author's state and the reviewers' actions.

    Only actions on the current round, version and content hash count, so a resubmission or an
    edit after approval starts over. A return ends the round. Approval is final when an action
    says it completed the chain (the chain as the reviewer saw it when acting).
    """
    current = sorted((a.created_at, a.level, a.action, a.final) for a in actions
                     if a.round == round_ and a.version == version and a.content_hash == content_hash)
    return decide_state(author_state, chain_len, current, submitted_at)


def decide_state(author_state: str, chain_len: int, current: list[tuple[str, int, str, bool]],
                 submitted_at: str | None) -> ReviewState:
    """derive_state once the current actions are known: (created at, level, action, final),
    oldest first (app.services.review.state reads them so from SQL, for a county's 1.4 M logs)."""
    if author_state != SUBMITTED:
        returned = any(action == RETURN for _, _, action, _ in current)
        return ReviewState(RETURNED if returned else DRAFT, 0, None)
    if chain_len == 0:  # the principal: final on submission
        return ReviewState(APPROVED, 0, submitted_at)
    approved_levels = set()
    for created_at, level, action, final in current:
        if action == RETURN:
            return ReviewState(RETURNED, 0, None)
        if final:
            return ReviewState(APPROVED, 0, created_at)
        approved_levels.add(level)
    level = 1
    while level in approved_levels:
        level += 1
    if level > chain_len:  # every level approved, though none was marked final (chain shrank)
        return ReviewState(APPROVED, 0, current[-1][0])
    return ReviewState(SUBMITTED, level, None)
