"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from backend.audit.models import AuditEvent  # noqa: F401
from backend.auth.models import AuthToken, LoginFailure, User, UserScopeUnit  # noqa: F401
from backend.db import metadata  # noqa: F401
from backend.organisation.models import Company, Compound, CompoundGrid, OrgUnit  # noqa: F401
from backend.findings.models import Finding, PhotoRef, SyncCounter, Ticket, TicketEvent  # noqa: F401
from backend.photos.models import Photo  # noqa: F401
from backend.inspections.models import Inspection, InspectionPhoto  # noqa: F401
from backend.reports.models import CompanyDirectScore, DemonstrationProject, PeriodPublication  # noqa: F401
from backend.configuration.models import SettingsVersion  # noqa: F401
from backend.notifications.models import Delivery, DeliveryAttempt, Notification, NotifyChannel  # noqa: F401
from backend.hotline.models import CompoundAlias, HotlineConflict, HotlineImport, HotlineMapping, WorkOrder  # noqa: F401
