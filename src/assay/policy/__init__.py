"""The policy gate: a YAML policy file judged against an evaluation.json document."""

from assay.policy.gate import RuleResult, Verdict, WaiverStatus, evaluate_policy, verdict_json
from assay.policy.schema import Policy, PolicyError, load_policy, parse_policy

__all__ = [
    "Policy",
    "PolicyError",
    "RuleResult",
    "Verdict",
    "WaiverStatus",
    "evaluate_policy",
    "load_policy",
    "parse_policy",
    "verdict_json",
]
