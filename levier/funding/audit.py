"""Changes to conventions, funds, commitments and instructions are kept in the audit trail
(ledger entries are immutable records in themselves)."""

from auditlog.registry import auditlog

from .models import Committee, Commitment, Convention, Fund, FundFinancer, FundOperator, Instruction, JobReport

auditlog.register(Convention, m2m_fields={"establishments"})
auditlog.register(Fund, m2m_fields={"perimeter"})
auditlog.register(FundFinancer)
auditlog.register(FundOperator)
auditlog.register(Commitment)
auditlog.register(JobReport)
auditlog.register(Instruction)
auditlog.register(Committee, m2m_fields={"members"})
