from auditlog.registry import auditlog

from .models import Membership, User

auditlog.register(User, exclude_fields=["password", "last_login"])
auditlog.register(Membership, m2m_fields={"scope_units"})
