from auditlog.registry import auditlog

from .models import ControlLink, Establishment, Organisation, Unit

auditlog.register(Organisation, m2m_fields=set())
auditlog.register(Establishment)
auditlog.register(Unit, m2m_fields={"territories"})
auditlog.register(ControlLink)
