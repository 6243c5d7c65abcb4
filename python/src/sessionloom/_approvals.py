"""Approvals over HTTP: the answers ``answer_approvals``, ``approve`` and ``deny`` send, checked first."""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _validation as check

#: One answer: ``{"approval_id": ..., "approved": True, "reason": ...}`` (``approvalId`` also accepted).
AnswerInput = Mapping[str, Any]

_MAX_REASON = 1_000


def answers_body(approvals: Sequence[AnswerInput]) -> List[Dict[str, Any]]:
    """The answers as the server takes them (camelCase), refusing malformed ones before anything is sent."""
    if isinstance(approvals, (str, bytes)) or not isinstance(approvals, Sequence) or len(approvals) == 0:
        raise check.invalid("approvals", "expected a non-empty list of {approval_id, approved, reason?}.")
    body: List[Dict[str, Any]] = []
    for index, answer in enumerate(approvals):
        where = f"approvals[{index}]"
        if not isinstance(answer, Mapping):
            raise check.invalid(where, f"expected a dict with approval_id and approved, got {check.describe(answer)}.")
        unknown = set(answer) - {"approval_id", "approvalId", "approved", "reason"}
        if unknown:
            raise check.invalid(f"{where}.{sorted(unknown)[0]}", "unknown field; expected approval_id, approved, reason.")
        approval_id = answer.get("approval_id", answer.get("approvalId"))
        body.append(one_answer(approval_id, answer.get("approved"), answer.get("reason"), where))
    return body


def one_answer(approval_id: Any, approved: Any, reason: Any, where: str) -> Dict[str, Any]:
    if not isinstance(approval_id, str) or not 0 < len(approval_id) <= 200:
        raise check.invalid(f"{where}.approvalId", "expected a non-empty string of at most 200 characters.")
    answer: Dict[str, Any] = {"approvalId": approval_id, "approved": check.check_bool(approved, f"{where}.approved")}
    text: Optional[str] = check.check_optional_str(reason, f"{where}.reason")
    if text is not None:
        if len(text) > _MAX_REASON:
            raise check.invalid(f"{where}.reason", f"expected at most {_MAX_REASON} characters.")
        answer["reason"] = text
    return answer


def decision_answers(approval_ids: Sequence[Union[str, Any]], approved: bool, reason: Optional[str]) -> List[Dict[str, Any]]:
    return [one_answer(approval_id, approved, reason, f"approvals[{index}]") for index, approval_id in enumerate(approval_ids)]
