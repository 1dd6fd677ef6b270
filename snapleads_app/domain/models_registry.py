"""Imports every models module so `SQLModel.metadata` is complete (Alembic, tests, create_all)."""

from snapleads_app.core import parked_jobs as parked_jobs_models  # noqa: F401
from snapleads_app.domain.accounts import models as accounts_models  # noqa: F401
from snapleads_app.domain.analytics import models as analytics_models  # noqa: F401
from snapleads_app.domain.audit import models as audit_models  # noqa: F401
from snapleads_app.domain.automations import models as automations_models  # noqa: F401
from snapleads_app.domain.exports import models as exports_models  # noqa: F401
from snapleads_app.domain.imports import models as imports_models  # noqa: F401
from snapleads_app.domain.inbox import models as inbox_models  # noqa: F401
from snapleads_app.domain.leads import models as leads_models  # noqa: F401
from snapleads_app.domain.meetings import models as meetings_models  # noqa: F401
from snapleads_app.domain.notifications import models as notifications_models  # noqa: F401
from snapleads_app.domain.pipelines import models as pipelines_models  # noqa: F401
from snapleads_app.domain.scoring import models as scoring_models  # noqa: F401
from snapleads_app.domain.tags import models as tags_models  # noqa: F401
from snapleads_app.domain.templates import models as templates_models  # noqa: F401
from snapleads_app.domain.timeline import models as timeline_models  # noqa: F401
from snapleads_app.domain.webhooks import models as webhooks_models  # noqa: F401
