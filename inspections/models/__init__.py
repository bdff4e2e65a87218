"""Inspections data: spot-check rounds, visits and their checklists, findings and rectification orders,
the year-end review, certification and in-app notifications. One module per noun."""
from inspections.models.certification import Certificate, CertificateStatus, PublicityBatch, PublicityEntry
from inspections.models.city_review import CityDecision, CityDecisionKind
from inspections.models.notifications import EmailStatus, Notification
from inspections.models.rectification import (
    Finding,
    OrderStatus,
    ProofDecision,
    ProofFile,
    RectificationOrder,
    RectificationProof,
    Severity,
    proof_upload_to,
)
from inspections.models.rounds import RoundStatus, SpotCheckRound
from inspections.models.visits import (
    ChecklistEntry,
    ChecklistResult,
    Inspection,
    InspectionAssignment,
    InspectionKind,
    InspectionPhoto,
    InspectionStatus,
    photo_upload_to,
)
from inspections.models.year_end import (
    ItemVerification,
    Objection,
    ObjectionStatus,
    ReviewOutcome,
    ReviewStatus,
    VerificationDecision,
    YearEndReview,
)

__all__ = [
    "Certificate", "CertificateStatus", "CityDecision", "CityDecisionKind", "ChecklistEntry", "ChecklistResult",
    "EmailStatus", "Finding", "Inspection",
    "InspectionAssignment", "InspectionKind", "InspectionPhoto", "InspectionStatus", "ItemVerification",
    "Notification", "Objection", "ObjectionStatus", "OrderStatus", "ProofDecision", "ProofFile",
    "PublicityBatch", "PublicityEntry", "RectificationOrder", "RectificationProof", "ReviewOutcome",
    "ReviewStatus", "RoundStatus", "Severity", "SpotCheckRound", "VerificationDecision", "YearEndReview",
    "photo_upload_to", "proof_upload_to",
]
