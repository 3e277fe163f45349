"""Component ids of the register's bulk import (the rest are in ``components.ids``)."""

from __future__ import annotations

REGISTER_JOB = "register-job"  # {"token", "kind", "name"} of a running import job
REGISTER_JOB_DONE = "register-job-done"  # the job that just ended, to show
REGISTER_POLL = "register-poll"  # dcc.Interval polling that job's progress
REGISTER_PROGRESS = "register-progress"
REGISTER_PREVIEW_MAP = "register-preview-map"
REGISTER_TEMPLATE = {"xlsx": "register-template-xlsx", "csv": "register-template-csv"}
REGISTER_TEMPLATE_DOWNLOAD = "register-template-download"
REGISTER_TEMPLATE_LANG = "register-template-lang"
REGISTER_UNPLACED_HINT = "register-unplaced-hint"
