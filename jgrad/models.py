"""Import every model so that the metadata is complete (migrations, tests)."""
from jgrad.accounts.models import Account, AccountToken  # noqa: F401
from jgrad.audit.models import AuditEvent  # noqa: F401
from jgrad.contact.models import Inquiry  # noqa: F401
from jgrad.mail.models import OutboxMessage  # noqa: F401
from jgrad.registrants.history import ConsentChange, DeletionRequest, RecordChange  # noqa: F401
from jgrad.registrants.models import CareerSpell, Enrolment, Registrant  # noqa: F401
from jgrad.universities.models import University  # noqa: F401
from jgrad.jobs.models import JobLock, JobRun  # noqa: F401
from jgrad.lifecycle.models import DeletionLedgerEntry, DormancyEpisode  # noqa: F401
from jgrad.statistics.models import StatRelease  # noqa: F401
from jgrad.portal.models import ContactMessage, Provision  # noqa: F401
from jgrad.imports.models import PossibleDuplicate  # noqa: F401
from jgrad.api.models import ApiToken  # noqa: F401
