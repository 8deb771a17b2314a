"""The sandbox's in-memory, thread-safe state: messages, templates, WhatsApp sessions, callbacks, faults.

`TwilioSandbox` is both what tests drive from Python and what `sandbox.wsgi_app` serves. A new
message waits in `queued` (or `accepted`, with a Messaging Service) until something moves it on:
`progress()` moves every open message one step, `advance(sid, status)` walks one message to a
status, `fail(sid, error_code)` ends it; with `step_seconds`, `tick()` (run on every request and by
`tick_until`) moves each message one step every `step_seconds` of the sandbox clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from random import Random

from sandboxes.kit.clock import MovableClock
from sandboxes.twilio import media
from sandboxes.twilio.accounts import (
    ACCOUNT_SID,
    API_VERSION,
    AUTH_TOKEN,
    CHANNEL_INSTALL_SID,
    WHATSAPP_FROM,
)
from sandboxes.twilio.app import TwilioApp
from sandboxes.twilio.callbacks import CallbackBook, CallbackDelivery, signature
from sandboxes.twilio.errors import TITLES, TwilioError
from sandboxes.twilio.faults import FaultBook
from sandboxes.twilio.messages import FAILURES, PROGRESSION, Message
from sandboxes.twilio.sending import SendRequest
from sandboxes.twilio.templates import ContentTemplate, approved_templates

SESSION_WINDOW = timedelta(hours=24)  # WhatsApp's customer service window
OUTSIDE_WINDOW = 63016
TEMPLATE_MEDIA_TYPE = "application/pdf"  # the templates were approved with a document header


class TwilioSandbox:
    """An offline Twilio account sending WhatsApp messages from `WHATSAPP_FROM`.

    `media_url_prefix` is the fixed start of the templates' media URL (a real template's would be
    `https://api.cloudinary.com/v1_1/`): there is no default, so a sandbox never reaches past the
    machine; give a Cloudinary sandbox's `<base_url>/cloudinary/v1_1/`.
    """

    def __init__(
        self,
        now: Callable[[], datetime] | None = None,
        *,
        media_url_prefix: str,
        step_seconds: float | None = None,
        callback_timeout: float = 5.0,
        media_timeout: float = 5.0,
        seed: int = 2026,
    ) -> None:
        self.clock = MovableClock(now)
        self.account_sid, self.auth_token = ACCOUNT_SID, AUTH_TOKEN
        self.templates: dict[str, ContentTemplate] = approved_templates(media_url_prefix, self.clock.now())
        self.step_seconds = step_seconds
        self.media_timeout = media_timeout
        self.faults = FaultBook()
        self.callbacks = CallbackBook(callback_timeout)
        self._random = Random(seed)  # noqa: S311 - sids, not secrets
        self._messages: dict[str, Message] = {}
        self._sessions: dict[str, datetime] = {}
        self._lock = threading.RLock()
        self._steps = threading.Lock()  # one message step at a time; callbacks go out after it
        self.wsgi_app = TwilioApp(self)

    # --- what tests read -----------------------------------------------------------------------------
    @property
    def messages(self) -> list[Message]:
        with self._lock:
            return list(self._messages.values())

    def message(self, sid: str) -> Message:
        with self._lock:
            found = self._messages.get(sid)
        if found is None:
            raise TwilioError(
                404,
                20404,
                f"The requested resource /{API_VERSION}/Accounts/{ACCOUNT_SID}/Messages/{sid}.json was not found",
            )
        return found

    @property
    def callback_deliveries(self) -> list[CallbackDelivery]:
        return list(self.callbacks.deliveries)

    @property
    def hold_callbacks(self) -> bool:
        """While true, status callbacks are recorded but not posted until `release_callbacks()`."""
        return self.callbacks.hold

    @hold_callbacks.setter
    def hold_callbacks(self, hold: bool) -> None:
        self.callbacks.hold = hold

    def release_callbacks(self, reverse: bool = False) -> list[CallbackDelivery]:
        return self.callbacks.release(reverse)

    # --- WhatsApp sessions ----------------------------------------------------------------------------
    def open_session(self, number: str) -> None:
        """The customer at `number` (`whatsapp:+32…`) wrote in now: free-form messages may go for 24 h."""
        with self._lock:
            self._sessions[number] = self.clock.now()

    def in_session(self, number: str) -> bool:
        with self._lock:
            opened = self._sessions.get(number)
        return opened is not None and self.clock.now() - opened < SESSION_WINDOW

    # --- sending ---------------------------------------------------------------------------------------
    def create(self, send: SendRequest) -> Message:
        """A new message as the API creates it: queued, or accepted with a Messaging Service."""
        with self._lock:
            prefix = "MM" if send.media_urls else "SM"
            sid = f"{prefix}{self._random.getrandbits(128):032x}"
            status = "accepted" if send.messaging_service_sid and not send.from_ else "queued"
            message = Message(
                sid=sid,
                to=send.to,
                from_=send.from_,
                body=send.body,
                media_urls=send.media_urls,
                status=status,
                date_created=self.clock.now(),
                messaging_service_sid=send.messaging_service_sid,
                content_sid=send.template.sid if send.template else None,
                content_variables=send.variables,
                status_callback=send.status_callback,
                statuses=[status],
            )
            self._messages[sid] = message
            return message

    # --- moving messages on -------------------------------------------------------------------------------
    def progress(self) -> list[Message]:
        """Move every open message one step (queued → sent → delivered → read); the ones moved."""
        with self._steps:
            moved = [message for message in self.messages if not message.final]
            deliveries = [self._step(message) for message in moved]
        self._submit(deliveries)
        return moved

    def advance(self, sid: str, status: str = "delivered") -> Message:
        """Walk one message forward to `status`, one callback per step; a failure on the way stops it."""
        if status not in PROGRESSION:
            raise ValueError(f"status must be one of {', '.join(PROGRESSION)}")
        message = self.message(sid)
        while not message.final and PROGRESSION.index(message.status) < PROGRESSION.index(status):
            with self._steps:
                delivery = self._step(message)
            self._submit([delivery])
        return message

    def fail(self, sid: str, error_code: int = 63024, status: str = "failed") -> Message:
        """End a message as failed (or undelivered) with `error_code`, as the channel reports it."""
        if status not in FAILURES:
            raise ValueError(f"status must be one of {', '.join(FAILURES)}")
        message = self.message(sid)
        with self._steps:
            delivery = self._move(message, status, error_code)
        self._submit([delivery])
        return message

    def redeliver(self, sid: str) -> CallbackDelivery | None:
        """Post the message's last status callback again, unchanged (a duplicate the receiver must absorb)."""
        made = self.callbacks.for_message(sid)
        if not made:
            return None
        self.callbacks.post(made[-1])
        return made[-1]

    def tick(self) -> None:
        """With `step_seconds`, move each message whose last change is that old one step."""
        if self.step_seconds is None:
            return
        due = self.clock.now() - timedelta(seconds=self.step_seconds)
        with self._steps:
            deliveries = [
                self._step(message)
                for message in self.messages
                if not message.final and (message.date_updated or message.date_created) <= due
            ]
        self._submit(deliveries)

    def tick_until(self, stop: threading.Event, interval: float = 1.0) -> None:
        while not stop.wait(interval):
            self.tick()

    # --- one step ----------------------------------------------------------------------------------------
    def _step(self, message: Message) -> CallbackDelivery | None:
        following = message.next_status()
        if following is None:
            return None
        if following == "sent":
            failure = self._sending_failure(message)
            if failure is not None:
                return self._move(message, "failed", failure)
        return self._move(message, following)

    def _sending_failure(self, message: Message) -> int | None:
        """Why WhatsApp would not take this message, once Twilio hands it over."""
        if message.content_sid is None and not self.in_session(message.to):
            return OUTSIDE_WINDOW
        expected = TEMPLATE_MEDIA_TYPE if message.content_sid else None
        for url in message.media_urls:
            fetched = media.fetch(url, self.media_timeout)
            message.media_fetches.append(fetched)
            code = media.failure(fetched, expected)
            if code is not None:
                return code
        return None

    def _move(self, message: Message, status: str, error_code: int | None = None) -> CallbackDelivery | None:
        with self._lock:
            now = self.clock.now()
            message.status, message.date_updated = status, now
            message.statuses.append(status)
            if status == "queued" and message.from_ is None:
                message.from_ = WHATSAPP_FROM  # the Messaging Service picked its sender
            if status == "sent":
                message.date_sent = now
            if error_code is not None:
                message.error_code, message.error_message = error_code, TITLES.get(error_code)
        return self._callback(message) if message.status_callback else None

    def _callback(self, message: Message) -> CallbackDelivery:
        url = str(message.status_callback)
        params = {
            "AccountSid": ACCOUNT_SID,
            "ApiVersion": API_VERSION,
            "ChannelInstallSid": CHANNEL_INSTALL_SID,
            "ChannelPrefix": "whatsapp",
            "ChannelToAddress": message.to.removeprefix("whatsapp:"),
            "From": message.from_ or WHATSAPP_FROM,
            "MessageSid": message.sid,
            "MessageStatus": message.status,
            "SmsSid": message.sid,
            "SmsStatus": message.status,
            "To": message.to,
        }
        if message.messaging_service_sid:
            params["MessagingServiceSid"] = message.messaging_service_sid
        if message.error_code is not None:
            params["ErrorCode"] = str(message.error_code)
            params["ErrorMessage"] = message.error_message or ""
        return CallbackDelivery(
            message.sid, message.status, url, params, signature(self.auth_token, url, params), self.clock.now()
        )

    def _submit(self, deliveries: list[CallbackDelivery | None]) -> None:
        for delivery in deliveries:
            if delivery is not None:
                self.callbacks.submit(delivery)
