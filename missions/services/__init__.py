"""Writes of the call-up pipeline, one module per stage:

- `launch`: launching a call-up and its later waves (the Alert rows, in one transaction);
- `outbox`: handing the Alert and FollowUp rows to the workers, after commit;
- `sending`: claiming and sending alerts on their channels; its docstring states the
  delivery guarantee (at most once per alert and channel);
- `marks`: the marks a sender writes on its claimed rows, and what counts as a refusal;
- `recovery`: the beat sweep, and settling the message a dead sender left in doubt
  (asking the provider's records when it keeps them);
- `failures`: telling the launcher of failed deliveries;
- `receipts`: what the providers say back (delivered, bounced…), fallbacks;
- `replies`: answers by SMS or e-mail reply;
- `messages`: the call-up e-mail and SMS and their token links;
- `answers`: a volunteer's answer, the headcount and the wait list, the opt-out link;
- `coordination`: closing, extending, writing to the team, follow-ups;
- `privacy`: a volunteer's data (RGPD export and erasure) and calendar feed.

Views, the admin, tasks and commands import from here (`missions.services.X`).
"""

from .answers import Outcome, opt_out, record_response
from .coordination import (
    close_mobilization,
    deliver_follow_up,
    extend_mobilization,
    send_follow_up,
)
from .failures import report_failures
from .launch import (
    LaunchResult,
    MobilizationNotDraft,
    advance_waves,
    launch_mobilization,
    quiet_hours_end,
)
from .marks import UNCONFIRMED_NOTE
from .messages import build_alert_email, build_alert_sms, opt_out_url, respond_url
from .outbox import enqueue_follow_up, enqueue_sending
from .privacy import calendar_feed_for, erase_volunteer_data, export_volunteer_data
from .recovery import sweep_alerts
from .sending import (
    SendResult,
    claim_alerts,
    send_claimed_alerts,
    send_pending_alerts,
)

__all__ = [
    "UNCONFIRMED_NOTE",
    "LaunchResult",
    "MobilizationNotDraft",
    "Outcome",
    "SendResult",
    "advance_waves",
    "build_alert_email",
    "build_alert_sms",
    "calendar_feed_for",
    "claim_alerts",
    "close_mobilization",
    "deliver_follow_up",
    "enqueue_follow_up",
    "enqueue_sending",
    "erase_volunteer_data",
    "export_volunteer_data",
    "extend_mobilization",
    "launch_mobilization",
    "opt_out",
    "opt_out_url",
    "quiet_hours_end",
    "record_response",
    "report_failures",
    "respond_url",
    "send_claimed_alerts",
    "send_follow_up",
    "send_pending_alerts",
    "sweep_alerts",
]
