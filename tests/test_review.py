"""The pure review core: digest map granularity, what counts as a change, and the lock's state machine."""

from __future__ import annotations

from pathlib import Path

from bidkit.core import review
from bidkit.core.review import Request, Statement, state
from bidkit.store import workspace

DIGESTS = {"a.yaml: x": "1" * 64, "template: technical_part": "2" * 64}


def _decision(kind: review.Decision, time: str, digests: dict[str, str] | None = None) -> Statement:
    return Statement(project="P", decision=kind, reviewer="郑雅琴", time=time, comment="意见",
                     digests=digests or DIGESTS, public_key="ed25519:" + "A" * 43 + "=")


def _request(time: str) -> Request:
    return Request(project="P", requested_by="沈立群", time=time, digests=DIGESTS)


def test_states() -> None:
    assert state(None, None, DIGESTS).name == "not requested"
    assert state(_request("2026-01-01T00:00:00.000000Z"), None, DIGESTS).name == "pending"
    ok = state(_request("2026-01-01T00:00:00.000000Z"), _decision("approved", "2026-01-02T00:00:00.000000Z"),
               DIGESTS)
    assert (ok.name, ok.open, ok.reviewer) == ("approved", True, "郑雅琴")
    changed = {**DIGESTS, "a.yaml: x": "3" * 64, "file: attachments/new.pdf": "4" * 64}
    stale = state(None, _decision("approved", "2026-01-02T00:00:00.000000Z"), changed)
    assert (stale.name, stale.open, stale.changed) == ("stale", False, ["a.yaml: x", "file: attachments/new.pdf"])
    rejected = state(None, _decision("rejected", "2026-01-02T00:00:00.000000Z"), DIGESTS)
    assert (rejected.name, rejected.comment, rejected.open) == ("rejected", "意见", False)
    # a request newer than the decision: pending again, the old approval no longer opens the lock
    again = state(_request("2026-01-03T00:00:00.000000Z"), _decision("approved", "2026-01-02T00:00:00.000000Z"),
                  DIGESTS)
    assert again.name == "pending" and not again.open


def test_lock_messages() -> None:
    stale = review.ReviewState("stale", "郑雅琴", "T", changed=["responses.yaml: technical"])
    assert review.lock_message(stale) == (
        "price lock closed: changed since the QA approval by 郑雅琴: responses.yaml: technical (request a new review)"
    )


def test_digest_map_is_per_top_level_field(sample_ws: Path) -> None:
    d = review.data_digests(workspace.load(sample_ws).data)
    assert "responses.yaml: technical" in d and "tender.yaml: requirements" in d and "company.yaml: name" in d
    assert not [k for k in d if k.startswith(("pricing", "internal_cost", "acceptance"))]


def test_comments_and_layout_do_not_count_values_do(sample_ws: Path) -> None:
    before = review.data_digests(workspace.load(sample_ws).data)
    path = sample_ws / "solution.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text("# 新增注释\n\n" + text.replace("\n", "  \n", 3), encoding="utf-8")
    assert review.data_digests(workspace.load(sample_ws).data) == before
    path = sample_ws / "tender.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("bid_validity_days: 90", "bid_validity_days: 120"),
                    encoding="utf-8")
    after = review.data_digests(workspace.load(sample_ws).data)
    assert review.changed_inputs(before, after) == ["tender.yaml: bid_validity_days"]


def test_prices_and_internal_cost_are_not_reviewed(sample_ws: Path) -> None:
    before = review.data_digests(workspace.load(sample_ws).data)
    path = sample_ws / "internal_cost.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"556.69"', '"500.00"'), encoding="utf-8")
    assert review.data_digests(workspace.load(sample_ws).data) == before


def test_statement_payload_excludes_only_the_signature() -> None:
    s = _decision("approved", "T")
    assert s.payload() == s.model_copy(update={"signature": "xyz"}).payload()
    assert s.payload() != s.model_copy(update={"comment": "改"}).payload()
