"""The answer gate's history: every step learnt from use, and every reset (bots/gate_learning.py decides)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from peerbot.bots.schema import Base, utcnow


class GateStepRow(Base):
    __tablename__ = "gate_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    after: Mapped[int] = mapped_column(Integer, unique=True)  # the step it follows (0: none): replicas step once
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    offset: Mapped[float] = mapped_column(Float)  # added to the configured answer_threshold from now on
    previous: Mapped[float] = mapped_column(Float)  # the offset before this step
    kind: Mapped[str] = mapped_column(String(16))  # raised / lowered / reset
    labels: Mapped[int] = mapped_column(Integer, default=0)  # labelled questions the step was decided on
    precision: Mapped[float | None] = mapped_column(Float)  # their share answered right at the gate it judged
    by: Mapped[str] = mapped_column(String(128), default="feedback")  # "feedback" or who reset it


@dataclass(frozen=True)
class GateStep:
    id: int
    after: int
    created_at: datetime
    offset: float
    previous: float
    kind: str
    labels: int
    precision: float | None
    by: str


@dataclass(frozen=True)
class GateLabel:
    """One question whose reply was judged: the top confidence it got, and whether its top match solved it."""

    question_id: int
    created_at: datetime
    confidence: float
    right: bool
    source: str  # solved / unhelpful / human / accepted escalation
