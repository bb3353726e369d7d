"""Changes to conventions, funds, commitments and instructions are kept in the audit trail
(ledger entries are immutable records in themselves)."""

from auditlog.registry import auditlog

from .models import (BaseRate, Committee, Commitment, Convention, ConventionCommittee, ConventionStep, DirectAction, Fund,
                     FundFinancer, FundOperator, Instruction, JobReport)

auditlog.register(Convention, m2m_fields={"establishments", "departements"})
auditlog.register(ConventionStep)
auditlog.register(ConventionCommittee)
auditlog.register(DirectAction)
auditlog.register(BaseRate)
auditlog.register(Fund, m2m_fields={"perimeter"})
auditlog.register(FundFinancer)
auditlog.register(FundOperator)
auditlog.register(Commitment)
auditlog.register(JobReport)
auditlog.register(Instruction)
auditlog.register(Committee, m2m_fields={"members"})
