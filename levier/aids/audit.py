from auditlog.registry import auditlog

from .models import Application, DeclaredAid, DeclaredLink, Scheme, SchemeVersion

auditlog.register(Scheme, exclude_fields=["search_text", "filter_tags"], m2m_fields={"perimeter"})
auditlog.register(SchemeVersion)
auditlog.register(Application)
auditlog.register(DeclaredAid)
auditlog.register(DeclaredLink)
